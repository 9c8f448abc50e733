/*
 * The budget as a hard limit, and requests from other threads (DESIGN.md,
 * "Budget"; docs/ARCHITECTURE.md).  Guests written to escape a run's
 * instruction limit: big rep stos/movs in every block (bulk host copies),
 * string instructions element by element across page ends and past the
 * end of RAM, a one-block loop chained to itself, and two blocks on two
 * pages jumping to each other through the jump cache.  Then the exact
 * instruction count of string instructions cut into many runs, and a
 * million numbered requests posted from another thread to a guest that
 * never leaves translated code by itself.  Each test runs on the
 * interpreter and on the JIT.
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memory/memory.h"
#include "tests/unit/flat-machine.h"
#include "translate/machine.h"

#define CODE 0x1000u

/* Every test runs on both backends: Check's loop index picks one. */
#define new_machine() flat_machine_new(_i, 0)

static const char *backend_name(int i)
{
    return i ? "jit" : "interp";
}

/* A guest that never ends by itself, and the largest number of
 * instructions one of its blocks charges at entry. */
typedef struct Hostile {
    const char *name;
    uint32_t at;
    const uint8_t *code;
    size_t len;
    /* Code placed elsewhere (a second page), or none. */
    uint32_t at2;
    const uint8_t *code2;
    size_t len2;
    unsigned max_block;
} Hostile;

/* rep stosd of 8 MiB in bulk, then again. */
static const uint8_t rep_stos_bulk[] = {
    0xbf, 0x00, 0x00, 0x40, 0x00, /* mov edi, 0x400000 */
    0xb9, 0x00, 0x00, 0x20, 0x00, /* mov ecx, 2 Mi */
    0xfc,                         /* cld */
    0xf3, 0xab,                   /* rep stosd */
    0x43,                         /* inc ebx */
    0xeb, 0xf0,                   /* jmp 0x1000 */
};

/* rep stosd of 16 Mi elements from 8 bytes below the end of RAM: all but
 * two go nowhere, one by one. */
static const uint8_t rep_stos_past_ram[] = {
    0xbf, 0xf8, 0xff, 0xff, 0x00, /* mov edi, FLAT_RAM - 8 */
    0xb9, 0x00, 0x00, 0x00, 0x01, /* mov ecx, 16 Mi */
    0xfc,                         /* cld */
    0xf3, 0xab,                   /* rep stosd */
    0x43,                         /* inc ebx */
    0xeb, 0xf0,                   /* jmp 0x1000 */
};

/* rep movsd of 16 Mi misaligned elements crossing page ends, reading
 * past the end of RAM into nothing. */
static const uint8_t rep_movs_pages[] = {
    0xbe, 0xfe, 0x0f, 0x80, 0x00, /* mov esi, 0x800ffe */
    0xbf, 0xfd, 0x0f, 0x40, 0x00, /* mov edi, 0x400ffd */
    0xb9, 0x00, 0x00, 0x00, 0x01, /* mov ecx, 16 Mi */
    0xf3, 0xa5,                   /* rep movsd */
    0x43,                         /* inc ebx */
    0xeb, 0xec,                   /* jmp 0x1000 */
};

/* repne scasd over 16 Mi elements that never match (no bulk form). */
static const uint8_t repne_scas[] = {
    0xb8, 0xef, 0xbe, 0xad, 0xde, /* mov eax, 0xdeadbeef */
    0xbf, 0x00, 0x00, 0x40, 0x00, /* mov edi, 0x400000 */
    0xb9, 0x00, 0x00, 0x00, 0x01, /* mov ecx, 16 Mi */
    0xf2, 0xaf,                   /* repne scasd */
    0x43,                         /* inc ebx */
    0xeb, 0xec,                   /* jmp 0x1000 */
};

/* One block that jumps to itself: chained to itself by the JIT. */
static const uint8_t self_loop[] = {
    0x40,       /* inc eax */
    0xeb, 0xfd, /* jmp 0x1000 */
};

/* Two blocks on two pages jumping to each other: the jump cache. */
static const uint8_t far_loop_a[] = {
    0x40,                         /* inc eax */
    0xe9, 0xfa, 0x1f, 0x00, 0x00, /* jmp 0x3000 */
};
static const uint8_t far_loop_b[] = {
    0x43,                         /* inc ebx */
    0xe9, 0xfa, 0xdf, 0xff, 0xff, /* jmp 0x1000 */
};

/* Every iteration rewrites code in its own block: the writing
 * instruction is run again alone, from an uncached block (DESIGN.md,
 * "Self-modifying code"), which a run may end on. */
static const uint8_t smc_loop[] = {
    0xc6, 0x05, 0x0a, 0x10, 0x00, 0x00, 0x90, /* mov byte [0x100a], nop */
    0x40,                                     /* inc eax */
    0x40,                                     /* inc eax */
    0x40,                                     /* inc eax */
    0x43,                                     /* inc ebx (becomes nop) */
    0xeb, 0xf3,                               /* jmp 0x1000 */
};

static const Hostile hostiles[] = {
    {"rep stosd in bulk", CODE, rep_stos_bulk, sizeof(rep_stos_bulk), 0, NULL,
     0, 4},
    {"rep stosd past the end of RAM", CODE, rep_stos_past_ram,
     sizeof(rep_stos_past_ram), 0, NULL, 0, 4},
    {"rep movsd across pages", CODE, rep_movs_pages, sizeof(rep_movs_pages), 0,
     NULL, 0, 4},
    {"repne scasd", CODE, repne_scas, sizeof(repne_scas), 0, NULL, 0, 4},
    {"self-chained loop", CODE, self_loop, sizeof(self_loop), 0, NULL, 0, 2},
    {"loop through the jump cache", CODE, far_loop_a, sizeof(far_loop_a),
     0x3000, far_loop_b, sizeof(far_loop_b), 2},
    {"self-modifying loop", CODE, smc_loop, sizeof(smc_loop), 0, NULL, 0, 6},
};

#define NB_HOSTILES (sizeof(hostiles) / sizeof(hostiles[0]))

static Machine *hostile_machine(int backend, const Hostile *h)
{
    Machine *m = flat_machine_new(backend, 0);

    as_write_buf(m->as, h->at, h->code, h->len);
    if (h->code2) {
        as_write_buf(m->as, h->at2, h->code2, h->len2);
    }
    m->cpu.eip = h->at;
    return m;
}

/*
 * Runs of many sizes, one after the other on the same guest: each must
 * retire at most its limit (or, when the limit is below the first block,
 * that block), must not stop more than a block short of it, and must leave
 * the budget non-negative.
 */
START_TEST(test_run_limit)
{
    static const int64_t limits[] = {1,      2,      3,       5,      17,
                                     100,    1000,   4096,    12345,  199999,
                                     200000, 200001, 1000000, 3000001};

    for (size_t k = 0; k < NB_HOSTILES; k++) {
        const Hostile *h = &hostiles[k];
        Machine *m = hostile_machine(_i, h);

        for (size_t j = 0; j < sizeof(limits) / sizeof(limits[0]); j++) {
            int64_t n = limits[j];
            uint64_t i0 = m->cpu.icount;
            MachineStatus st = machine_run(m, n);
            int64_t done = (int64_t)(m->cpu.icount - i0);
            int64_t most = n > (int64_t)h->max_block ? n : h->max_block;

            ck_assert_msg(st == MACHINE_RUNNING, "%s [%s]: status %d (%s)",
                          h->name, backend_name(_i), st, m->reason);
            ck_assert_msg(done <= most,
                          "%s [%s]: a run of %lld retired %lld instructions",
                          h->name, backend_name(_i), (long long)n,
                          (long long)done);
            ck_assert_msg(done >= n - (int64_t)h->max_block + 1 || done >= n,
                          "%s [%s]: a run of %lld stopped after %lld", h->name,
                          backend_name(_i), (long long)n, (long long)done);
            ck_assert_msg(m->cpu.budget >= 0, "%s [%s]: budget %d", h->name,
                          backend_name(_i), m->cpu.budget);
        }
        machine_free(m);
    }
}
END_TEST

/* Bulk rep movsd across page ends (misaligned: element by element where
 * an element straddles two pages) and repne scasb that never matches,
 * three times, then hlt. */
static const uint8_t strings_then_hlt[] = {
    0xbd, 0x03, 0x00, 0x00, 0x00, /* mov ebp, 3 */
    0xbe, 0xfe, 0x0f, 0x02, 0x00, /* L: mov esi, 0x20ffe */
    0xbf, 0xfd, 0x0f, 0x04, 0x00, /* mov edi, 0x40ffd */
    0xb9, 0x88, 0x13, 0x00, 0x00, /* mov ecx, 5000 */
    0xf3, 0xa5,                   /* rep movsd */
    0xbf, 0x00, 0x00, 0x06, 0x00, /* mov edi, 0x60000 */
    0xb9, 0x00, 0x10, 0x00, 0x00, /* mov ecx, 4096 */
    0xb0, 0x01,                   /* mov al, 1 */
    0xf2, 0xae,                   /* repne scasb */
    0x4d,                         /* dec ebp */
    0x75, 0xde,                   /* jnz L */
    0xf4,                         /* hlt */
};

/* Every rep iteration is one instruction, whether the run is cut in the
 * middle of a string instruction or not. */
#define STRINGS_INSNS (1 + 3 * (3 + 5000 + 3 + 4096 + 2) + 1)

static void strings_fill(Machine *m)
{
    for (uint32_t i = 0; i < 5000 * 4 + 8; i++) {
        uint8_t b = (uint8_t)(i * 7 + 3);
        as_write_buf(m->as, 0x20ffe + i, &b, 1);
    }
    as_write_buf(m->as, CODE, strings_then_hlt, sizeof(strings_then_hlt));
    m->cpu.eip = CODE;
}

START_TEST(test_exact_count)
{
    Machine *whole = new_machine();
    uint8_t a[5000 * 4], b[5000 * 4];
    unsigned seed = 12345;
    int runs = 0;

    strings_fill(whole);
    ck_assert_int_eq(machine_run(whole, -1), MACHINE_HALTED);
    ck_assert_uint_eq(whole->cpu.icount, STRINGS_INSNS);

    for (int pass = 0; pass < 3; pass++) {
        Machine *cut = new_machine();

        strings_fill(cut);
        while (cut->status == MACHINE_RUNNING) {
            /* Runs of 1 to 4096 instructions; pass 2 only tiny ones. */
            seed = seed * 1103515245u + 12345u;
            int64_t n =
                pass == 2 ? 1 + (seed >> 16) % 7 : 1 + (seed >> 8) % 4096;
            machine_run(cut, n);
            runs++;
        }
        ck_assert_int_eq(cut->status, MACHINE_HALTED);
        ck_assert_uint_eq(cut->cpu.icount, STRINGS_INSNS);
        for (int r = 0; r < CPU_NB_REGS; r++) {
            ck_assert_uint_eq(cut->cpu.regs[r], whole->cpu.regs[r]);
        }
        as_read_buf(cut->as, 0x40ffd, a, sizeof(a));
        as_read_buf(whole->as, 0x40ffd, b, sizeof(b));
        ck_assert(memcmp(a, b, sizeof(a)) == 0);
        machine_free(cut);
    }
    ck_assert_int_gt(runs, 100);
    machine_free(whole);
}
END_TEST

/* ---- requests from another thread ------------------------------------ */

#define STRESS_REQUESTS 1000000
#define STRESS_WAIT_SECS 20

typedef struct Stress {
    Machine *m;
    MachineWork work;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool sleeping;    /* the poster waits on COND */
    uint32_t number;  /* the request being posted */
    uint32_t acked;   /* the last request the guest's thread took */
    uint32_t doubled; /* requests taken twice (or out of order) */
    uint32_t lost;    /* the request never taken, if any */
} Stress;

/* On the Machine's thread, at a block boundary. */
static void stress_ack(Machine *m, void *opaque)
{
    Stress *s = opaque;
    uint32_t n = __atomic_load_n(&s->number, __ATOMIC_ACQUIRE);

    (void)m;
    if (n != __atomic_load_n(&s->acked, __ATOMIC_RELAXED) + 1) {
        s->doubled++;
    }
    pthread_mutex_lock(&s->lock);
    __atomic_store_n(&s->acked, n, __ATOMIC_RELEASE);
    if (s->sleeping) {
        pthread_cond_signal(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
}

/* Wait for request N's acknowledgement: spin a little (the guest's thread
 * is on another core), then sleep.  False after STRESS_WAIT_SECS. */
static bool stress_wait(Stress *s, uint32_t n)
{
    struct timespec until;
    bool ok = true;

    for (int spin = 0; spin < 2000; spin++) {
        if (__atomic_load_n(&s->acked, __ATOMIC_ACQUIRE) == n) {
            return true;
        }
        __builtin_ia32_pause();
    }
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += STRESS_WAIT_SECS;
    pthread_mutex_lock(&s->lock);
    s->sleeping = true;
    while (__atomic_load_n(&s->acked, __ATOMIC_ACQUIRE) != n && ok) {
        ok = pthread_cond_timedwait(&s->cond, &s->lock, &until) == 0 ||
             __atomic_load_n(&s->acked, __ATOMIC_ACQUIRE) == n;
    }
    s->sleeping = false;
    pthread_mutex_unlock(&s->lock);
    return ok;
}

static void *stress_poster(void *opaque)
{
    Stress *s = opaque;

    for (uint32_t n = 1; n <= STRESS_REQUESTS; n++) {
        __atomic_store_n(&s->number, n, __ATOMIC_RELEASE);
        machine_queue_work(s->m, &s->work);
        if (!stress_wait(s, n)) {
            s->lost = n;
            break;
        }
    }
    machine_request_leave(s->m);
    return NULL;
}

/*
 * A million numbered requests, one at a time, to a guest looping in one
 * self-chained block in a run with no limit: the loop only takes queued
 * work when it sees the request, so a request lost in the run word hangs
 * its poster, which gives up after STRESS_WAIT_SECS and fails the test
 * (and if the final leave request were lost too, Check's timeout fails
 * it).  Each must be taken exactly once.
 */
START_TEST(test_request_stress)
{
    Stress s = {.work = {.fn = stress_ack}};
    pthread_t poster;
    MachineStatus st;

    s.m = new_machine();
    s.work.opaque = &s;
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.cond, NULL);
    as_write_buf(s.m->as, CODE, self_loop, sizeof(self_loop));
    s.m->cpu.eip = CODE;
    ck_assert_int_eq(pthread_create(&poster, NULL, stress_poster, &s), 0);
    st = machine_run(s.m, -1);
    pthread_join(poster, NULL);

    ck_assert_msg(s.lost == 0, "[%s] request %u was never taken",
                  backend_name(_i), s.lost);
    ck_assert_int_eq(st, MACHINE_RUNNING);
    ck_assert_uint_eq(s.acked, STRESS_REQUESTS);
    ck_assert_msg(s.doubled == 0, "[%s] %u requests taken twice",
                  backend_name(_i), s.doubled);
    /* The guest ran all along: requests cost it nothing but time. */
    ck_assert_uint_gt(s.m->cpu.icount, STRESS_REQUESTS);
    ck_assert_uint_eq(s.m->cpu.regs[R_EAX], (uint32_t)(s.m->cpu.icount / 2));
    pthread_cond_destroy(&s.cond);
    pthread_mutex_destroy(&s.lock);
    machine_free(s.m);
}
END_TEST

/*
 * Requests posted at arbitrary instruction boundaries of the thread that
 * runs the guest: a timer signal on that thread posts the next request as
 * soon as the loop took the previous one (Machine.nrequests).  Block entry
 * code that loaded the run word and stored it back whole would lose a
 * request posted between the two, and the posting would stop; this finds
 * such code deterministically enough, where a real second CPU hits the
 * window only by luck.
 */
#define SIGNAL_REQUESTS 20000

typedef struct SignalPoster {
    Machine *m;
    uint64_t posted;
    uint64_t base; /* m->nrequests before the first post */
} SignalPoster;

static _Thread_local SignalPoster *signal_poster;

static void signal_post(int sig)
{
    SignalPoster *p = signal_poster;
    uint64_t taken;

    (void)sig;
    if (!p) {
        return;
    }
    taken = __atomic_load_n(&p->m->nrequests, __ATOMIC_ACQUIRE) - p->base;
    if (taken == p->posted && p->posted < SIGNAL_REQUESTS) {
        p->posted++;
        machine_request_exit(p->m);
    }
}

START_TEST(test_request_interleaved)
{
    SignalPoster p = {.m = new_machine()};
    struct sigaction sa = {.sa_handler = signal_post};
    struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID,
                           .sigev_signo = SIGUSR1};
    struct itimerspec its = {.it_interval = {0, 20000}, .it_value = {0, 20000}};
    timer_t timer;
    uint64_t runs = 0;

    as_write_buf(p.m->as, CODE, self_loop, sizeof(self_loop));
    p.m->cpu.eip = CODE;
    p.base = p.m->nrequests;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
    /* glibc 2.36 has no name for the thread id of SIGEV_THREAD_ID. */
    sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &sev, &timer), 0);
    signal_poster = &p;
    ck_assert_int_eq(timer_settime(timer, 0, &its, NULL), 0);
    /* Runs of 10^7 instructions (a few hundredths of a second) until every
     * request was posted and taken, or a run passes with one pending
     * that was never taken: it was lost. */
    for (;;) {
        uint64_t before = __atomic_load_n(&p.posted, __ATOMIC_ACQUIRE);
        ck_assert_int_eq(machine_run(p.m, 10000000), MACHINE_RUNNING);
        runs++;
        if (p.m->nrequests - p.base == SIGNAL_REQUESTS) {
            break;
        }
        if (p.posted == before && p.m->nrequests - p.base < p.posted) {
            break;
        }
    }
    timer_delete(timer);
    signal_poster = NULL;
    ck_assert_msg(
        p.m->nrequests - p.base == p.posted,
        "[%s] request %llu was lost (%llu taken, %llu runs, word %016llx)",
        backend_name(_i), (unsigned long long)p.posted,
        (unsigned long long)(p.m->nrequests - p.base), (unsigned long long)runs,
        (unsigned long long)p.m->cpu.run_word);
    ck_assert_uint_eq(p.posted, SIGNAL_REQUESTS);
    machine_free(p.m);
}
END_TEST

/* A leave request posted before the run: the run returns before the
 * guest's first block, having retired nothing; the next run goes on. */
START_TEST(test_request_before_run)
{
    Machine *m = new_machine();

    as_write_buf(m->as, CODE, self_loop, sizeof(self_loop));
    m->cpu.eip = CODE;
    machine_request_leave(m);
    ck_assert_int_eq(machine_run(m, -1), MACHINE_RUNNING);
    ck_assert_uint_eq(m->cpu.icount, 0);
    ck_assert_int_eq(machine_run(m, 1000), MACHINE_RUNNING);
    ck_assert_uint_eq(m->cpu.icount, 1000);
    machine_free(m);
}
END_TEST

static Suite *budget_suite(void)
{
    Suite *s = suite_create("budget");
    TCase *limit = tcase_create("limit");
    TCase *requests = tcase_create("requests");

    tcase_set_timeout(limit, 300);
    tcase_add_loop_test(limit, test_run_limit, 0, 2);
    tcase_add_loop_test(limit, test_exact_count, 0, 2);
    suite_add_tcase(s, limit);
    tcase_set_timeout(requests, 300);
    tcase_add_loop_test(requests, test_request_before_run, 0, 2);
    tcase_add_loop_test(requests, test_request_stress, 0, 2);
    tcase_add_loop_test(requests, test_request_interleaved, 0, 2);
    suite_add_tcase(s, requests);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(budget_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
