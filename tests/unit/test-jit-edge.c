/*
 * Edge cases of the JIT backend and the execution loop, end to end on a
 * bare Machine (hand-assembled guest code) and on hand-built IR blocks:
 * self-modifying code written by instructions that also change registers,
 * page-crossing blocks, exceptions in chained runs, a small code buffer
 * with chaining, and register pressure across helper calls and memory
 * accesses.  Each end-to-end test runs on the interpreter and the JIT.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include "cpu/helper.h"
#include "memory/memory.h"
#include "memory/softmmu.h"
#include "translate/interp.h"
#include "translate/ir.h"
#include "translate/jit.h"
#include "translate/machine.h"
#include "translate/optimize.h"
#include "translate/tb.h"
#include "tests/unit/flat-machine.h"
#include "tests/unit/ir-random.h"

#define CODE 0x1000u

#define new_machine() flat_machine_new(_i, 0)
#define run_at flat_machine_run

/* xadd [code], ebx rewrites a later instruction of its own block: the
 * instruction is run again alone, so EBX must not have been changed by
 * the first, abandoned attempt. */
START_TEST(test_smc_xadd)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xbb, 0x04, 0x00, 0x00, 0x00,             /* mov ebx, 4 */
        0x0f, 0xc1, 0x1d, 0x0d, 0x10, 0x00, 0x00, /* xadd [0x100d], ebx */
        0x90,                                     /* nop */
        0xb8, 0x01, 0x00, 0x00, 0x00,             /* mov eax, 1 (imm 0x100e) */
        0xf4,
    };
    ck_assert_int_eq(run_at(m, CODE, code, sizeof(code)), MACHINE_HALTED);
    /* [0x100d] = b8 01 00 00 becomes bc 01 00 00: the code then reads
     * mov esp, 1 (bc 01 00 00 00) and hlt; EBX got the old dword. */
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 0x000001b8);
    machine_free(m);
}
END_TEST

/* cmpxchg [code], ecx that fails writes EAX; xchg writes the register. */
START_TEST(test_smc_xchg)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xb8, 0x90, 0x90, 0x90, 0x90, /* mov eax, 0x90909090 */
        0x87, 0x05, 0x0c, 0x10, 0x00, 0x00, /* xchg [0x100c], eax */
        0x43,                         /* inc ebx (0x100b) */
        0x41, 0x41, 0x41, 0x41,       /* inc ecx x4 (0x100c..f): become nops */
        0xf4,
    };
    m->cpu.regs[R_EBX] = 0;
    m->cpu.regs[R_ECX] = 0;
    ck_assert_int_eq(run_at(m, CODE, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EAX], 0x41414141);
    ck_assert_uint_eq(m->cpu.regs[R_ECX], 0);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 1);
    machine_free(m);
}
END_TEST

START_TEST(test_smc_cmpxchg)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xb8, 0x00, 0x00, 0x00, 0x00,       /* mov eax, 0 */
        0xb9, 0x90, 0x90, 0x90, 0x90,       /* mov ecx, 0x90909090 */
        0x0f, 0xb1, 0x0d, 0x12, 0x10, 0x00, 0x00, /* cmpxchg [0x1012], ecx */
        0x42,                               /* inc edx (0x1011) */
        0x43, 0x43, 0x43, 0x43,             /* inc ebx x4 (0x1012) */
        0xf4,
    };
    m->cpu.regs[R_EDX] = 0;
    ck_assert_int_eq(run_at(m, CODE, code, sizeof(code)), MACHINE_HALTED);
    /* Fails (eax 0 != 0x43434343): eax = old, memory unchanged. */
    ck_assert_uint_eq(m->cpu.regs[R_EAX], 0x43434343);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 4);
    ck_assert_uint_eq(m->cpu.regs[R_EDX], 1);
    machine_free(m);
}
END_TEST

/* push/call with the stack over later code of the block. */
START_TEST(test_smc_push_call)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xbc, 0x14, 0x10, 0x00, 0x00, /* mov esp, 0x1014 */
        0xb8, 0x90, 0x90, 0x90, 0x90, /* mov eax, 0x90909090 */
        0x50,                         /* push eax -> [0x1010] */
        0x90, 0x90, 0x90, 0x90, 0x90, /* 0x100b..0x100f */
        0x43, 0x43, 0x43, 0x43,       /* 0x1010: inc ebx x4 -> nops */
        0xf4,
    };
    m->cpu.regs[R_EBX] = 0;
    ck_assert_int_eq(run_at(m, CODE, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_ESP], 0x1010);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 0);
    machine_free(m);

    m = new_machine();
    static const uint8_t code2[] = {
        0xbc, 0x10, 0x10, 0x00, 0x00, /* mov esp, 0x1010 */
        0xe8, 0x00, 0x00, 0x00, 0x00, /* call 0x100a: pushes 0x100a at 0x100c */
        0x43, 0x43,                   /* 0x100a: inc ebx x2 */
        0x43, 0x43, 0x43, 0x43,       /* 0x100c: overwritten: 0a 10 00 00 */
        0xf4,
    };
    m->cpu.regs[R_EBX] = 0;
    /* 0a 10 00 00 = or dl,[eax]; add [eax],al with eax=0: reads/writes 0. */
    m->cpu.regs[R_EAX] = 0x8000;
    ck_assert_int_eq(run_at(m, CODE, code2, sizeof(code2)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_ESP], 0x100c);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 2);
    machine_free(m);
}
END_TEST

/* movsb / stosd (no rep) into later code of the block. */
START_TEST(test_smc_movs)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xfc,                         /* cld */
        0xbe, 0x00, 0x30, 0x00, 0x00, /* mov esi, 0x3000 */
        0xbf, 0x0e, 0x10, 0x00, 0x00, /* mov edi, 0x100e */
        0xa4,                         /* movsb */
        0x90, 0x90,                   /* 0x100c */
        0x43,                         /* 0x100e: inc ebx -> nop */
        0xf4,
    };
    uint8_t nop = 0x90;
    as_write_buf(m->as, 0x3000, &nop, 1);
    m->cpu.regs[R_EBX] = 0;
    ck_assert_int_eq(run_at(m, CODE, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 0);
    ck_assert_uint_eq(m->cpu.regs[R_ESI], 0x3001);
    ck_assert_uint_eq(m->cpu.regs[R_EDI], 0x100f);
    machine_free(m);
}
END_TEST



#define RND_NLOCALS 16
#define RND_BLOCKS 20000

/* The JIT knows the running instruction statically; a random block may
 * branch over an insn_start, which the frontend never does. */
static bool has_label(const IRBlock *b)
{
    for (int i = 0; i < b->nops; i++) {
        if (b->ops[i].opc == IR_label) {
            return true;
        }
    }
    return false;
}

/* Run B on M's backend from the current state; faults end it. */
static unsigned run_ir(Machine *m, const IRBlock *b)
{
    TranslationBlock *tb = calloc(1, sizeof(*tb));
    size_t bytes;
    unsigned exit;

    tb->icount = 1;
    tb->flags = m->cpu.hflags;
    m->cpu.budget = 1000;
    m->cpu.cur_tb = NULL;
    if (m->jit) {
        ck_assert(jit_compile(m->jit, b, tb, NULL));
        jit_cache_clear(&m->cpu);
    } else {
        tb->interp = interp_compile(b, &m->cpu, &bytes);
        ck_assert_ptr_nonnull(tb->interp);
    }
    if (sigsetjmp(m->cpu.jmp_env, 0) == 0) {
        if (m->jit) {
            uintptr_t r = jit_exec(m->jit, &m->cpu, tb);
            (void)r;
            exit = 0;
        } else {
            interp_exec(&m->cpu, tb);
            exit = 0;
        }
    } else {
        exit = 0x100 | m->cpu.exception_index;
    }
    tb_free(tb);
    return exit;
}

static Machine *rnd_machine(int backend)
{
    MachineConfig cfg = {.ram_size = RND_RAM,
                         .accel = backend ? ACCEL_JIT : ACCEL_INTERP};
    char err[256];
    Machine *m = machine_new(&cfg, err, sizeof(err));

    ck_assert_msg(m != NULL, "%s", err);
    machine_set_flat32(m);
    m->cpu.seg[R_DS].limit = 0x7fffffff;
    return m;
}

/* Random blocks (the optimizer test's generator, with more locals than
 * the JIT has registers) on the interpreter and on the JIT, optimized
 * and not: same globals, memory, exit and fault. */
START_TEST(test_random_jit_vs_interp)
{
    Machine *mi = rnd_machine(0), *mj = rnd_machine(1);
    IRBlock *b = malloc(sizeof(*b));
    RunState *init = malloc(sizeof(*init)), *want = malloc(sizeof(*want)),
             *got = malloc(sizeof(*got));
    const char *env = getenv("JIT_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed + _i;
    Rnd r = {.s = seed * 0x9e3779b97f4a7c15ull | 1};

    /* The second pass lowers the TLB lookup without BMI2's rorx, as on
     * hosts that lack it. */
    if (_i) {
        mj->jit->bmi2 = false;
    }
    for (int n = 0; n < RND_BLOCKS; n++) {
        ir_random_block(&r, b, RND_NLOCALS);
        ck_assert(!b->overflow);
        if (n & 1) {
            ir_optimize(b);
        }
        for (int g = 0; g < IR_NB_GLOBALS; g++) {
            init->globals[g] = rnd_value(&r);
        }
        init->hflags = mi->cpu.hflags;
        for (uint32_t i = 0; i < RND_MEM_LEN; i += 4) {
            uint32_t v = rnd(&r);
            memcpy(init->mem + i, &v, 4);
        }
        ir_state_load(mi, b, init);
        want->exit = run_ir(mi, b);
        ir_state_save(mi, b, want);
        ir_state_load(mj, b, init);
        got->exit = run_ir(mj, b);
        ir_state_save(mj, b, got);
        if (memcmp(want->globals, got->globals, sizeof(want->globals)) ||
            memcmp(want->mem, got->mem, RND_MEM_LEN) ||
            want->exit != got->exit ||
            ((want->exit & 0x100) && want->cur_insn >= 0 && !has_label(b) &&
             want->cur_insn != got->cur_insn)) {
            ir_print(b, stderr);
            for (int g = 0; g < IR_NB_GLOBALS; g++) {
                if (want->globals[g] != got->globals[g]) {
                    fprintf(stderr, "%s: want 0x%x got 0x%x\n",
                            b->temps[g].name, want->globals[g],
                            got->globals[g]);
                }
            }
            ck_abort_msg("block %d of seed 0x%llx differs (exit %x vs %x, "
                         "insn %d vs %d, mem %d)", n,
                         (unsigned long long)seed, want->exit, got->exit,
                         want->cur_insn, got->cur_insn,
                         memcmp(want->mem, got->mem, RND_MEM_LEN) != 0);
        }
    }
    free(init);
    free(want);
    free(got);
    free(b);
    machine_free(mi);
    machine_free(mj);
}
END_TEST


/* A block whose last instruction crosses into the next page, and a write
 * to that instruction's bytes on the second page: the block must go. */
START_TEST(test_page_crossing_block_invalidated)
{
    Machine *m = new_machine();
    static const uint8_t main_code[] = {
        0x31, 0xf6,                               /* xor esi, esi */
        0x31, 0xdb,                               /* xor ebx, ebx */
        /* loop (0x1004): */
        0xe8, 0xef, 0x0f, 0x00, 0x00,             /* call 0x1ff8 */
        0x01, 0xc3,                               /* add ebx, eax */
        0xc6, 0x05, 0x00, 0x20, 0x00, 0x00, 0x02, /* mov byte [0x2000], 2 */
        0x46,                                     /* inc esi */
        0x83, 0xfe, 0x02,                         /* cmp esi, 2 */
        0x75, 0xec,                               /* jne loop */
        0xf4,
    };
    static const uint8_t sub[] = {
        0x90, 0x90, 0x90, 0x90,       /* 0x1ff8 */
        0xb8, 0x01, 0x00, 0x00, 0x00, /* 0x1ffc: mov eax, 1 (top byte 0x2000) */
        0xc3,                         /* 0x2001: ret */
    };
    as_write_buf(m->as, 0x1ff8, sub, sizeof(sub));
    ck_assert_int_eq(run_at(m, CODE, main_code, sizeof(main_code)),
                     MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 0x02000002);
    machine_free(m);
}
END_TEST

/* A fault in the fifth pass of a loop whose blocks are chained: the state
 * is the faulting instruction's, and the count of instructions exact. */
START_TEST(test_fault_in_chained_run)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xb9, 0x05, 0x00, 0x00, 0x00, /* mov ecx, 5 */
        0xbb, 0x64, 0x00, 0x00, 0x00, /* mov ebx, 100 */
        /* loop (0x100a): */
        0x49,                         /* dec ecx */
        0x89, 0xd8,                   /* mov eax, ebx */
        0x31, 0xd2,                   /* xor edx, edx */
        0xf7, 0xf1,                   /* div ecx (0x100f): #DE when 0 */
        0xeb, 0xf7,                   /* jmp loop */
    };
    ck_assert_int_eq(run_at(m, CODE, code, sizeof(code)), MACHINE_FAILED);
    ck_assert_int_eq(m->cpu.exception_index, EXCP_DE);
    ck_assert_uint_eq(m->cpu.eip, 0x100f);
    ck_assert_uint_eq(m->cpu.regs[R_ECX], 0);
    ck_assert_uint_eq(m->cpu.regs[R_EAX], 100);
    ck_assert_uint_eq(m->cpu.icount, 2 + 4 * 5 + 3);
    machine_free(m);
}
END_TEST

/* Many chained blocks through a 64 KiB code buffer: it fills and is
 * flushed again and again while chains exist. */
START_TEST(test_small_code_cache_chaining)
{
    enum { NBLK = 1500, PASSES = 20 };
    Machine *m = flat_machine_new(_i, 64 << 10);
    uint8_t *code = malloc(16 + NBLK * 3 + 16);
    size_t n = 0;

    code[n++] = 0x31; code[n++] = 0xc0;                 /* xor eax, eax */
    code[n++] = 0xb9; code[n++] = PASSES; code[n++] = 0; /* mov ecx, PASSES */
    code[n++] = 0; code[n++] = 0;
    size_t top = n;
    for (int i = 0; i < NBLK; i++) {
        code[n++] = 0x40;                   /* inc eax */
        code[n++] = 0xeb; code[n++] = 0x00; /* jmp next */
    }
    code[n++] = 0x49;                       /* dec ecx */
    code[n++] = 0x0f; code[n++] = 0x85;     /* jnz top */
    int32_t rel = (int32_t)top - (int32_t)(n + 4);
    memcpy(code + n, &rel, 4);
    n += 4;
    code[n++] = 0xf4;
    ck_assert_int_eq(run_at(m, 0x10000, code, n), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EAX], NBLK * PASSES);
    ck_assert_uint_eq(m->cpu.icount, 2 + PASSES * (NBLK * 2 + 2) + 1);
    if (m->jit) {
        ck_assert_uint_gt(m->tbs->nflushes, 0);
    }
    free(code);
    machine_free(m);
}
END_TEST


static uint32_t leave_read(void *opaque, uint32_t addr, unsigned size)
{
    (void)opaque, (void)addr, (void)size;
    return 0;
}

/* A port write that asks the guest to leave, three times (a monitor may
 * post several requests before the loop takes one). */
static void leave_write(void *opaque, uint32_t addr, uint32_t v, unsigned size)
{
    Machine *m = opaque;
    (void)addr, (void)v, (void)size;
    for (int i = 0; i < 3; i++) {
        machine_request_leave(m);
    }
}

START_TEST(test_many_exit_requests)
{
    Machine *m = new_machine();
    static const MemoryOps ops = {.read = leave_read, .write = leave_write};
    static const uint8_t code[] = {
        0xe6, 0x80, /* out 0x80, al */
        0x40,       /* inc eax */
        0xeb, 0xfd, /* jmp inc */
    };
    ck_assert_int_eq(ports_register(m->ports, "leave", 0x80, 1, &ops, m), 0);
    m->cpu.regs[R_EAX] = 0;
    ck_assert_int_eq(run_at(m, CODE, code, sizeof(code)), MACHINE_RUNNING);
    /* Left at the first block boundary after the out. */
    ck_assert_uint_eq(m->cpu.icount, 1);
    ck_assert_uint_eq(m->cpu.regs[R_EAX], 0);
    machine_free(m);
}
END_TEST

static Suite *jit_edge_suite(void)
{
    Suite *s = suite_create("jit-edge");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_smc_xadd, 0, 2);
    tcase_add_loop_test(tc, test_smc_xchg, 0, 2);
    tcase_add_loop_test(tc, test_smc_cmpxchg, 0, 2);
    tcase_add_loop_test(tc, test_smc_push_call, 0, 2);
    tcase_add_loop_test(tc, test_smc_movs, 0, 2);
    tcase_add_loop_test(tc, test_page_crossing_block_invalidated, 0, 2);
    tcase_add_loop_test(tc, test_fault_in_chained_run, 0, 2);
    tcase_add_loop_test(tc, test_small_code_cache_chaining, 0, 2);
    tcase_add_loop_test(tc, test_many_exit_requests, 0, 2);
    tcase_add_loop_test(tc, test_random_jit_vs_interp, 0, 2);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(jit_edge_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
