/*
 * The scheduler (docs/SCHEDULER.md): worker threads that share the host
 * CPUs among the runnable guests.
 *
 * Policy, in the order a worker applies it when it picks a guest:
 *  1. a guest over its cap is not eligible until its cap clock says so;
 *  2. a guest behind its reservation goes first (earliest first);
 *  3. otherwise the guest with the least weighted virtual time runs
 *     (stride scheduling on measured host CPU time).
 * A slice is an instruction budget sized from the guest's measured speed
 * so that it lasts about -sched-slice-us.
 */
#include <string.h>
#include <time.h>

#include "monitor/sched.h"
#include "translate/tb.h"

/* Credit a cap or reservation clock may keep for time the guest could
 * not run (waiting for another guest's slice), in slices.  Bounds the
 * burst a guest may take after waiting. */
#define SCHED_SLACK_SLICES 10
/* First slice of a guest whose speed is not known yet. */
#define SCHED_FIRST_BUDGET 20000
#define SCHED_MIN_BUDGET 1000
#define SCHED_MAX_BUDGET 200000000
/* A slice runs for its instruction budget, sized from the guest's speed
 * so far; when the guest's code turns slower (string instructions into
 * device memory, say), the preempter ends it at this many slice lengths,
 * so no guest code holds a worker for long. */
#define SCHED_DEADLINE_SLICES 2

uint64_t sched_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t sched_thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static bool sched_runnable(const Guest *g)
{
    return !g->dead && g->state == GUEST_RUNNING && g->m;
}

void sched_make_runnable(Vmm *v, Guest *g)
{
    uint64_t min = UINT64_MAX, now = sched_now_ns();

    for (Guest *o = v->guests; o; o = o->next) {
        if (o != g && sched_runnable(o) && o->vtime < min) {
            min = o->vtime;
        }
    }
    /* Time spent paused or halted is not owed back: start level with the
     * least-served runnable guest. */
    if (min != UINT64_MAX && g->vtime < min) {
        g->vtime = min;
    }
    if (g->cap_time < now) {
        g->cap_time = now;
    }
    if (g->res_time < now) {
        g->res_time = now;
    }
}

/* The next guest for a worker, or NULL; *WAKE is when a capped guest
 * becomes eligible (UINT64_MAX: never by itself). */
static Guest *sched_pick(Vmm *v, uint64_t now, uint64_t *wake)
{
    Guest *best = NULL, *best_res = NULL;

    *wake = UINT64_MAX;
    for (Guest *g = v->guests; g; g = g->next) {
        if (!sched_runnable(g) || g->on_cpu || g->held) {
            continue;
        }
        if (g->cfg.cap && g->cap_time > now) {
            if (g->cap_time < *wake) {
                *wake = g->cap_time;
            }
            continue;
        }
        if (g->cfg.reserve && g->res_time <= now &&
            (!best_res || g->res_time < best_res->res_time)) {
            best_res = g;
        }
        if (!best || g->vtime < best->vtime) {
            best = g;
        }
    }
    return best_res ? best_res : best;
}

static int64_t sched_budget(Vmm *v, const Guest *g)
{
    double b;

    if (g->insn_per_ns <= 0) {
        return SCHED_FIRST_BUDGET;
    }
    b = g->insn_per_ns * (double)v->slice_ns;
    if (b < SCHED_MIN_BUDGET) {
        return SCHED_MIN_BUDGET;
    }
    return b > SCHED_MAX_BUDGET ? SCHED_MAX_BUDGET : (int64_t)b;
}

/* Advance a cap or reservation clock by C ns of CPU at PCT percent: the
 * clock moves at 100/PCT of real time while the guest runs. */
static void sched_advance_clock(Vmm *v, uint64_t *clock, uint64_t start,
                                uint64_t c, unsigned pct)
{
    uint64_t floor = start - SCHED_SLACK_SLICES * v->slice_ns;

    if (*clock < floor) {
        *clock = floor;
    }
    *clock += c * 100 / pct;
}

static void sched_account(Vmm *v, Guest *g, uint64_t start, uint64_t c,
                          uint64_t n)
{
    uint64_t now = sched_now_ns(), epoch = now / SCHED_BUCKET_NS;
    unsigned i = epoch % SCHED_BUCKETS;

    g->insns += n;
    g->cpu_ns += c;
    g->slices++;
    if (c > g->max_slice_ns) {
        g->max_slice_ns = c;
    }
    g->vtime += c * 1024 / (g->cfg.weight ? g->cfg.weight : 1);
    if (g->cfg.cap) {
        sched_advance_clock(v, &g->cap_time, start, c, g->cfg.cap);
    }
    if (g->cfg.reserve) {
        sched_advance_clock(v, &g->res_time, start, c, g->cfg.reserve);
    }
    if (g->bucket_epoch[i] != epoch) {
        g->bucket_epoch[i] = epoch;
        g->bucket_ns[i] = 0;
    }
    g->bucket_ns[i] += c;
    /* Speed: from any slice long enough for the clock to mean something
     * (a few microseconds: the first budgets are small, and a fast guest
     * runs them in less than that, so a higher threshold would never let
     * the estimate start). */
    if (c > 2000 && n > 0) {
        double rate = (double)n / (double)c;
        g->insn_per_ns =
            g->insn_per_ns > 0 ? 0.7 * g->insn_per_ns + 0.3 * rate : rate;
    }
}

/* The slice ended with the Machine no longer runnable. */
static void sched_guest_stopped(Vmm *v, Guest *g, MachineStatus st)
{
    Machine *m = g->m;
    size_t len;

    switch (st) {
    case MACHINE_HALTED: g->state = GUEST_HALTED; break;
    case MACHINE_ENDED:
        g->state = GUEST_ENDED;
        g->exit_status = m->exit_status;
        break;
    default: g->state = GUEST_FAILED; break;
    }
    g_strlcpy(g->reason, m->reason, sizeof(g->reason));
    len = strcspn(g->reason, "\n");
    g->reason[len] = 0;
    vmm_post_event(v, g, VMM_EVENT_END);
}

static gpointer sched_worker(gpointer opaque)
{
    Vmm *v = opaque;

    g_mutex_lock(&v->lock);
    while (!v->quit) {
        uint64_t wake, start, c0, c1, i0;
        int64_t budget;
        MachineStatus st;
        Guest *g;
        Machine *m;

        if (v->deferred) {
            g_cond_wait(&v->cond, &v->lock);
            continue;
        }
        start = sched_now_ns();
        g = sched_pick(v, start, &wake);
        if (!g) {
            if (wake == UINT64_MAX) {
                g_cond_wait(&v->cond, &v->lock);
            } else {
                /* g_get_monotonic_time() is CLOCK_MONOTONIC in us. */
                g_cond_wait_until(&v->cond, &v->lock,
                                  (gint64)(wake / 1000 + 1));
            }
            continue;
        }
        g->on_cpu = true;
        g->preempted = false;
        g->slice_deadline = start + SCHED_DEADLINE_SLICES * v->slice_ns;
        if (v->preempt_idle) {
            g_cond_signal(&v->preempt_cond);
        }
        m = g->m;
        budget = sched_budget(v, g);
        i0 = m->cpu.icount;
        g_mutex_unlock(&v->lock);

        c0 = sched_thread_cpu_ns();
        st = machine_run(m, budget);
        c1 = sched_thread_cpu_ns();
        /* Its output (its last, before anything said about its end):
         * not under the lock, as the output may be slow to take it. */
        pc_end_slice(m, st != MACHINE_RUNNING);

        g_mutex_lock(&v->lock);
        sched_account(v, g, start, c1 - c0, m->cpu.icount - i0);
        g->tb_bytes = m->tbs->bytes;
        g->preemptions += g->preempted;
        g->on_cpu = false;
        if (st != MACHINE_RUNNING && g->state == GUEST_RUNNING) {
            sched_guest_stopped(v, g, st);
        }
        g_cond_broadcast(&v->cond);
    }
    g_mutex_unlock(&v->lock);
    return NULL;
}

/*
 * The preempter: asks a guest whose slice passed its deadline to leave at
 * its next block boundary (a request through the run word, which no guest
 * code can ignore).  It sleeps until the earliest deadline of the slices
 * running, and at least a slice length, so it wakes about once per slice
 * per worker at most; with no slice running it waits to be signalled.
 */
static gpointer sched_preempter(gpointer opaque)
{
    Vmm *v = opaque;

    g_mutex_lock(&v->lock);
    while (!v->quit) {
        uint64_t now = sched_now_ns(), next = UINT64_MAX;

        for (Guest *g = v->guests; g; g = g->next) {
            if (!g->on_cpu || g->preempted || !g->m) {
                continue;
            }
            if (g->slice_deadline <= now) {
                g->preempted = true;
                machine_request_leave(g->m);
            } else if (g->slice_deadline < next) {
                next = g->slice_deadline;
            }
        }
        if (next == UINT64_MAX) {
            v->preempt_idle = true;
            g_cond_wait(&v->preempt_cond, &v->lock);
            v->preempt_idle = false;
        } else {
            if (next < now + v->slice_ns) {
                next = now + v->slice_ns;
            }
            g_cond_wait_until(&v->preempt_cond, &v->lock,
                              (gint64)(next / 1000 + 1));
        }
    }
    g_mutex_unlock(&v->lock);
    return NULL;
}

void sched_grow_workers(Vmm *v)
{
    unsigned want = v->cfg.threads;

    if (!want) {
        want = v->nguests < v->max_threads ? v->nguests : v->max_threads;
    }
    while (v->nworkers < want) {
        char name[24];

        snprintf(name, sizeof(name), "worker%u", v->nworkers);
        v->workers = g_renew(GThread *, v->workers, v->nworkers + 1);
        v->workers[v->nworkers++] = g_thread_new(name, sched_worker, v);
    }
    if (v->nworkers && !v->preempter) {
        v->preempter = g_thread_new("preempter", sched_preempter, v);
    }
}

void sched_join_workers(Vmm *v)
{
    if (v->preempter) {
        g_mutex_lock(&v->lock);
        g_cond_signal(&v->preempt_cond);
        g_mutex_unlock(&v->lock);
        g_thread_join(v->preempter);
        v->preempter = NULL;
    }
    for (unsigned i = 0; i < v->nworkers; i++) {
        g_thread_join(v->workers[i]);
    }
    g_free(v->workers);
    v->workers = NULL;
    v->nworkers = 0;
}

void sched_guest_info(Vmm *v, Guest *g, GuestInfo *out)
{
    uint64_t now = sched_now_ns(), epoch = now / SCHED_BUCKET_NS;
    uint64_t recent = 0, window;

    memset(out, 0, sizeof(*out));
    g_strlcpy(out->name, g->cfg.name, sizeof(out->name));
    out->state = g->state;
    out->weight = g->cfg.weight;
    out->cap = g->cfg.cap;
    out->reserve = g->cfg.reserve;
    out->exit_status = g->exit_status;
    g_strlcpy(out->reason, g->reason, sizeof(out->reason));
    out->instructions = g->insns;
    out->cpu_ns = g->cpu_ns;
    out->slices = g->slices;
    out->max_slice_ns = g->max_slice_ns;
    out->preemptions = g->preemptions;
    for (unsigned i = 0; i < SCHED_BUCKETS; i++) {
        if (g->bucket_epoch[i] + SCHED_BUCKETS > epoch) {
            recent += g->bucket_ns[i];
        }
    }
    /* Nine whole buckets and the part of the current one. */
    window = (SCHED_BUCKETS - 1) * SCHED_BUCKET_NS + now % SCHED_BUCKET_NS;
    if (now - g->start_ns < window) {
        window = now - g->start_ns;
    }
    out->share_last = window ? (double)recent / (double)window : 0;
    out->share_total =
        now > g->start_ns ? (double)g->cpu_ns / (double)(now - g->start_ns) : 0;
    out->tb_bytes = g->tb_bytes;
    out->ram_bytes = g->cfg.pc.ram_size;
    out->accel = g->cfg.pc.accel;
}
