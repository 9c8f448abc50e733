/*
 * Tests of the IR optimizer (translate/optimize.c, opt-*.c): each pass on
 * hand-built blocks with the expected result, then random blocks run by
 * the interpreter with and without the optimizer from the same state,
 * which must end with the same globals, memory and exit.
 */
#include <check.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/helper.h"
#include "memory/memory.h"
#include "memory/softmmu.h"
#include "translate/interp.h"
#include "translate/ir.h"
#include "translate/machine.h"
#include "translate/optimize.h"
#include "translate/tb.h"
#include "tests/unit/ir-random.h"

/* ---- building blocks by hand ---------------------------------------- */

static IRBlock *blk_new(void)
{
    IRBlock *b = malloc(sizeof(*b));
    ck_assert_ptr_nonnull(b);
    ir_block_init(b);
    return b;
}

#define K(v) ir_const_temp(b, (v))

/* The block as text, with runs of blanks squeezed to one and no leading
 * blanks, so that expectations read like ir_print's output. */
static char *blk_text(const IRBlock *b)
{
    char *buf = NULL, *out;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int n = 0;

    ir_print(b, f);
    fclose(f);
    out = malloc(len + 1);
    for (size_t i = 0; i < len; i++) {
        bool blank = buf[i] == ' ';
        if (blank && (n == 0 || out[n - 1] == ' ' || out[n - 1] == '\n')) {
            continue;
        }
        if (buf[i] == '\n' && n && out[n - 1] == ' ') {
            n--;
        }
        out[n++] = buf[i];
    }
    out[n] = '\0';
    free(buf);
    return out;
}

static void check_opt(IRBlock *b, const char *expect)
{
    char *got;

    ir_optimize(b);
    got = blk_text(b);
    ck_assert_msg(strcmp(got, expect) == 0, "got:\n%s\nexpected:\n%s", got,
                  expect);
    free(got);
    free(b);
}

/* ---- constant folding ----------------------------------------------- */

START_TEST(test_fold_constants)
{
    IRBlock *b = blk_new();
    uint32_t t[6];

    for (int i = 0; i < 6; i++) {
        t[i] = ir_new_local(b);
    }
    ir_test_emit(b, IR_add, t[0], K(2), K(3));
    ir_test_emit(b, IR_shl, t[1], t[0], K(33));           /* count mod 32: 10 */
    ir_test_emit(b, IR_sub, t[2], t[1], K(3));            /* 7 */
    ir_test_emit(b, IR_extract, t[3], t[2], 1, 32);       /* 3 */
    ir_test_emit(b, IR_mov, G_eax, t[3]);
    ir_test_emit(b, IR_setcond, t[4], t[3], K(~0u), IR_LT);
    ir_test_emit(b, IR_mov, G_ebx, t[4]);
    ir_test_emit(b, IR_setcond, t[5], t[3], K(~0u), IR_LTU);
    ir_test_emit(b, IR_mov, G_ecx, t[5]);
    ir_test_emit(b, IR_deposit, G_edx, K(0xffffffff), K(0x12), 4, 32);
    ir_test_emit(b, IR_deposit, G_esi, K(1), K(2), 32, 8); /* undefined: kept */
    ir_test_emit(b, IR_movcond, G_edi, t[3], K(3), K(0x11), K(0x22), IR_EQ);
    ir_test_emit(b, IR_exit_tb, 0);
    check_opt(b, "mov eax, $0x3\n"
                 "mov ebx, $0x0\n"
                 "mov ecx, $0x1\n"
                 "mov edx, $0x12f\n"
                 "deposit esi, $0x1, $0x2, 32, 8\n"
                 "mov edi, $0x11\n"
                 "exit_tb 0\n");
}
END_TEST

START_TEST(test_fold_mul2)
{
    IRBlock *b = blk_new();
    uint32_t lo = ir_new_local(b), hi = ir_new_local(b);

    ir_test_emit(b, IR_mulu2, lo, hi, K(0xffffffff), K(2));
    ir_test_emit(b, IR_mov, G_eax, lo);
    ir_test_emit(b, IR_mov, G_ebx, hi);
    ir_test_emit(b, IR_muls2, lo, hi, K(0xffffffff), K(2));
    ir_test_emit(b, IR_mov, G_ecx, lo);
    ir_test_emit(b, IR_mov, G_edx, hi);
    ir_test_emit(b, IR_mulu2, lo, hi, G_esi, K(2)); /* unknown: stays */
    ir_test_emit(b, IR_mov, G_edi, hi);
    ir_test_emit(b, IR_exit_tb, 0);
    check_opt(b, "mov eax, $0xfffffffe\n"
                 "mov ebx, $0x1\n"
                 "mov ecx, $0xfffffffe\n"
                 "mov edx, $0xffffffff\n"
                 "mulu2 t0, t1, esi, $0x2\n"
                 "mov edi, t1\n"
                 "exit_tb 0\n");
}
END_TEST

START_TEST(test_fold_identities)
{
    IRBlock *b = blk_new();
    uint32_t t[8];

    for (int i = 0; i < 8; i++) {
        t[i] = ir_new_local(b);
    }
    ir_test_emit(b, IR_add, t[0], G_edx, K(0));
    ir_test_emit(b, IR_mov, G_eax, t[0]);
    ir_test_emit(b, IR_xor, t[1], G_esi, G_esi);
    ir_test_emit(b, IR_mov, G_ebx, t[1]);
    ir_test_emit(b, IR_and, t[2], G_edi, K(0));
    ir_test_emit(b, IR_mov, G_ecx, t[2]);
    ir_test_emit(b, IR_rotl, t[3], G_ebp, K(32));
    ir_test_emit(b, IR_mul, t[4], t[3], K(1));
    ir_test_emit(b, IR_mov, G_esp, t[4]);
    ir_test_emit(b, IR_shr, t[5], G_esp, K(1));   /* not an identity */
    ir_test_emit(b, IR_mov, G_cc_dst, t[5]);
    ir_test_emit(b, IR_sub, t[6], G_edx, t[0]);   /* x - x, through a copy */
    ir_test_emit(b, IR_setcond, t[7], G_edi, G_edi, IR_GEU);
    ir_test_emit(b, IR_add, G_cc_src, t[6], t[7]);
    ir_test_emit(b, IR_exit_tb, 0);
    check_opt(b, "mov eax, edx\n"
                 "mov ebx, $0x0\n"
                 "mov ecx, $0x0\n"
                 "mov esp, ebp\n"
                 "shr t5, ebp, $0x1\n"
                 "mov cc_dst, t5\n"
                 "mov cc_src, $0x1\n"
                 "exit_tb 0\n");
}
END_TEST

/* ---- copy propagation ----------------------------------------------- */

START_TEST(test_copy_prop)
{
    IRBlock *b = blk_new();
    uint32_t t0 = ir_new_local(b), t1 = ir_new_local(b),
             t2 = ir_new_local(b), t3 = ir_new_local(b);

    ir_test_emit(b, IR_ld, t0, G_esi, IR_MO_32, 0);
    ir_test_emit(b, IR_mov, G_ecx, t0);
    ir_test_emit(b, IR_add, t1, G_ecx, K(1)); /* reads t0 */
    ir_test_emit(b, IR_mov, G_edx, t1);
    ir_test_emit(b, IR_ld, t0, G_edi, IR_MO_32, 0);
    ir_test_emit(b, IR_add, t2, G_ecx, K(1)); /* t0 changed: stays ecx */
    ir_test_emit(b, IR_mov, G_eax, t2);
    ir_test_emit(b, IR_mov, t3, G_eax);       /* redundant load */
    ir_test_emit(b, IR_mov, G_eax, t3);       /* redundant store */
    ir_test_emit(b, IR_mov, G_ebx, t0);
    ir_test_emit(b, IR_exit_tb, 0);
    check_opt(b, "ld t0, esi, u32, 0\n"
                 "mov ecx, t0\n"
                 "add t1, t0, $0x1\n"
                 "mov edx, t1\n"
                 "ld t0, edi, u32, 0\n"
                 "add t2, ecx, $0x1\n"
                 "mov eax, t2\n"
                 "mov ebx, t0\n"
                 "exit_tb 0\n");
}
END_TEST

/* A helper that may write CPU state forgets what the globals hold; one
 * that only reads it does not. */
START_TEST(test_copy_prop_calls)
{
    IRBlock *b = blk_new();
    uint32_t t0 = ir_new_local(b), t1 = ir_new_local(b);
    IRVal args[2];

    ir_test_emit(b, IR_mov, G_ecx, K(7));
    ir_emit_call(b, HELPER_read_eflags, t0, NULL, 0);
    ir_test_emit(b, IR_add, G_edx, G_ecx, K(1));
    ir_test_emit(b, IR_mov, G_eax, K(5));
    args[0] = t0;
    args[1] = K(0);
    ir_emit_call(b, HELPER_write_eflags, -1, args, 2);
    ir_test_emit(b, IR_add, t1, G_eax, K(1));
    ir_test_emit(b, IR_mov, G_ebx, t1);
    ir_test_emit(b, IR_exit_tb, 0);
    check_opt(b, "mov ecx, $0x7\n"
                 "call t0, read_eflags\n"
                 "mov edx, $0x8\n"
                 "mov eax, $0x5\n"
                 "call t0, $0x0, write_eflags\n"
                 "add t1, eax, $0x1\n"
                 "mov ebx, t1\n"
                 "exit_tb 0\n");
}
END_TEST

/* Facts meet at a label: what both paths agree on survives. */
START_TEST(test_copy_prop_label)
{
    IRBlock *b = blk_new();
    int l0 = ir_new_label(b);

    ir_test_emit(b, IR_mov, G_eax, K(1));
    ir_test_emit(b, IR_brcond, G_ebx, K(0), IR_EQ, l0);
    ir_test_emit(b, IR_mov, G_ecx, K(2));
    ir_test_emit(b, IR_mov, G_eax, K(1));
    ir_test_emit(b, IR_label, l0);
    ir_test_emit(b, IR_add, G_edx, G_eax, K(1));
    ir_test_emit(b, IR_add, G_esi, G_ecx, K(1));
    ir_test_emit(b, IR_exit_tb, 0);
    check_opt(b, "mov eax, $0x1\n"
                 "brcond ebx, $0x0, eq, L0\n"
                 "mov ecx, $0x2\n"
                 "L0:\n"
                 "mov edx, $0x2\n"
                 "add esi, ecx, $0x1\n"
                 "exit_tb 0\n");
}
END_TEST

/* ---- dead code and branches ----------------------------------------- */

START_TEST(test_decided_branches)
{
    IRBlock *b = blk_new();
    int l0 = ir_new_label(b), l1 = ir_new_label(b);

    ir_test_emit(b, IR_insn_start, 0, 0x1000);
    ir_test_emit(b, IR_brcond, K(1), K(2), IR_GTU, l0);  /* never */
    ir_test_emit(b, IR_mov, G_eax, K(1));
    ir_test_emit(b, IR_label, l0);
    ir_test_emit(b, IR_brcond, G_ebx, G_ebx, IR_LEU, l1); /* always */
    ir_test_emit(b, IR_mov, G_ecx, K(2));
    ir_test_emit(b, IR_insn_start, 1, 0x1002);
    ir_test_emit(b, IR_mov, G_edx, K(3));
    ir_test_emit(b, IR_exit_tb, 0);
    ir_test_emit(b, IR_label, l1);
    ir_test_emit(b, IR_mov, G_esi, K(4));
    ir_test_emit(b, IR_exit_tb, 1);
    /* The br stays: falling into insn 1's start would change which
     * instruction a later fault is charged to. */
    check_opt(b, "---- insn 0 eip 0x00001000\n"
                 "mov eax, $0x1\n"
                 "br L1\n"
                 "---- insn 1 eip 0x00001002\n"
                 "L1:\n"
                 "mov esi, $0x4\n"
                 "exit_tb 1\n");
}
END_TEST

START_TEST(test_dead_code)
{
    IRBlock *b = blk_new();
    uint32_t t0 = ir_new_local(b), t1 = ir_new_local(b);
    IRVal args[4] = {G_cc_op, G_cc_dst, G_cc_src, G_cc_src2};

    ir_test_emit(b, IR_add, t0, G_eax, G_ebx);                 /* unused */
    ir_emit_call(b, HELPER_cc_compute_all, t1, args, 4); /* unused, pure */
    ir_test_emit(b, IR_ld, t1, G_esi, IR_MO_8, 0);             /* unused, kept */
    ir_test_emit(b, IR_exit_tb, 0);
    check_opt(b, "ld t1, esi, u8, 0\n"
                 "exit_tb 0\n");
}
END_TEST

/* Lazy-flag writes overwritten before any exit, fault or helper that
 * sees CPU state are dead. */
START_TEST(test_dead_flags)
{
    IRBlock *b = blk_new();

    ir_test_emit(b, IR_insn_start, 0, 0x1000);
    ir_test_emit(b, IR_mov, G_cc_dst, G_eax);
    ir_test_emit(b, IR_mov, G_cc_src, G_ebx);
    ir_test_emit(b, IR_mov, G_cc_op, K(3));
    ir_test_emit(b, IR_insn_start, 1, 0x1002);
    ir_test_emit(b, IR_mov, G_cc_dst, G_ecx);
    ir_test_emit(b, IR_mov, G_cc_src, G_edx);
    ir_test_emit(b, IR_mov, G_cc_op, K(9));
    ir_test_emit(b, IR_insn_start, 2, 0x1004);
    ir_test_emit(b, IR_st, G_esi, G_eax, IR_MO_32, 0);
    ir_test_emit(b, IR_mov, G_cc_dst, G_edi);
    ir_test_emit(b, IR_mov, G_cc_op, K(13));
    ir_test_emit(b, IR_exit_tb, 0);
    check_opt(b, "---- insn 0 eip 0x00001000\n"
                 "---- insn 1 eip 0x00001002\n"
                 "mov cc_dst, ecx\n"
                 "mov cc_src, edx\n"
                 "mov cc_op, $0x9\n"
                 "---- insn 2 eip 0x00001004\n"
                 "st esi, eax, u32, 0\n"
                 "mov cc_dst, edi\n"
                 "mov cc_op, $0xd\n"
                 "exit_tb 0\n");
}
END_TEST

/* A global written before a brcond is live if either successor reads it
 * or leaves the block before overwriting it. */
START_TEST(test_dead_store_branches)
{
    IRBlock *b = blk_new();
    int l0 = ir_new_label(b), l1 = ir_new_label(b);

    ir_test_emit(b, IR_mov, G_cc_op, K(1));  /* dead: both paths overwrite */
    ir_test_emit(b, IR_mov, G_cc_dst, K(1)); /* live: the fallthrough exits */
    ir_test_emit(b, IR_brcond, G_ebx, K(0), IR_EQ, l0);
    ir_test_emit(b, IR_mov, G_cc_op, K(2));
    ir_test_emit(b, IR_exit_tb, 0);
    ir_test_emit(b, IR_label, l0);
    ir_test_emit(b, IR_mov, G_cc_op, K(3));
    ir_test_emit(b, IR_mov, G_cc_dst, K(3));
    ir_test_emit(b, IR_brcond, G_ecx, K(0), IR_EQ, l1);
    ir_test_emit(b, IR_mov, G_cc_dst, K(4));
    ir_test_emit(b, IR_label, l1);
    ir_test_emit(b, IR_exit_tb, 1);
    check_opt(b, "mov cc_dst, $0x1\n"
                 "brcond ebx, $0x0, eq, L0\n"
                 "mov cc_op, $0x2\n"
                 "exit_tb 0\n"
                 "L0:\n"
                 "mov cc_op, $0x3\n"
                 "mov cc_dst, $0x3\n"
                 "brcond ecx, $0x0, eq, L1\n"
                 "mov cc_dst, $0x4\n"
                 "L1:\n"
                 "exit_tb 1\n");
}
END_TEST

/* The optimizer leaves a block with a backward branch as it is. */
START_TEST(test_backward_branch)
{
    IRBlock *b = blk_new();
    int l0 = ir_new_label(b);
    char *before;

    ir_test_emit(b, IR_label, l0);
    ir_test_emit(b, IR_add, G_cc_dst, K(1), K(2));
    ir_test_emit(b, IR_sub, G_ecx, G_ecx, K(1));
    ir_test_emit(b, IR_brcond, G_ecx, K(0), IR_NE, l0);
    ir_test_emit(b, IR_exit_tb, 0);
    before = blk_text(b);
    check_opt(b, before);
    free(before);
}
END_TEST

/* ---- random blocks: optimized and not, same results ------------------ */

#define RND_BLOCKS 20000
#define RND_NLOCALS 8

static unsigned run_block(Machine *m, const IRBlock *b)
{
    TranslationBlock tb = {0};
    size_t bytes;
    unsigned exit;

    tb.interp = interp_compile(b, &m->cpu, &bytes);
    ck_assert_ptr_nonnull(tb.interp);
    if (sigsetjmp(m->cpu.jmp_env, 0) == 0) {
        exit = interp_exec(&m->cpu, &tb);
    } else {
        exit = 0x100 | m->cpu.exception_index;
    }
    interp_code_free(tb.interp);
    return exit;
}

static void print_block(const char *what, const IRBlock *b)
{
    fprintf(stderr, "%s:\n", what);
    ir_print(b, stderr);
}

START_TEST(test_random_equivalence)
{
    MachineConfig cfg = {.ram_size = RND_RAM, .accel = ACCEL_INTERP};
    char err[256];
    Machine *m = machine_new(&cfg, err, sizeof(err));
    IRBlock *b = malloc(sizeof(*b)), *o = malloc(sizeof(*o));
    RunState *init = malloc(sizeof(*init)), *want = malloc(sizeof(*want)),
             *got = malloc(sizeof(*got));
    const char *env = getenv("OPT_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
    long ops_before = 0, ops_after = 0;
    Rnd r = {.s = seed * 0x9e3779b97f4a7c15ull | 1};

    ck_assert_msg(m != NULL, "%s", err);
    machine_set_flat32(m);
    m->cpu.seg[R_DS].limit = 0x7fffffff;
    printf("test-optimize: random seed %llu (set OPT_SEED to repeat)\n",
           (unsigned long long)seed);
    for (int n = 0; n < RND_BLOCKS; n++) {
        int nlocals;

        ir_random_block(&r, b, RND_NLOCALS);
        ck_assert(!b->overflow);
        *o = *b;
        nlocals = o->nlocals;
        ir_optimize(o);
        ck_assert_int_eq(o->nlocals, nlocals);
        for (int t = b->ntemps; t < o->ntemps; t++) {
            ck_assert_int_eq(o->temps[t].kind, IR_TEMP_CONST);
        }
        ops_before += b->nops;
        ops_after += o->nops;

        for (int g = 0; g < IR_NB_GLOBALS; g++) {
            init->globals[g] = rnd_value(&r);
        }
        init->hflags = m->cpu.hflags;
        for (uint32_t i = 0; i < RND_MEM_LEN; i += 4) {
            uint32_t v = rnd(&r);
            memcpy(init->mem + i, &v, 4);
        }
        ir_state_load(m, b, init);
        want->exit = run_block(m, b);
        ir_state_save(m, b, want);
        ir_state_load(m, b, init);
        got->exit = run_block(m, o);
        ir_state_save(m, b, got);
        if (memcmp(want->globals, got->globals, sizeof(want->globals)) ||
            want->hflags != got->hflags || want->cur_insn != got->cur_insn ||
            memcmp(want->mem, got->mem, RND_MEM_LEN) ||
            want->exit != got->exit) {
            print_block("before", b);
            print_block("after", o);
            for (int g = 0; g < IR_NB_GLOBALS; g++) {
                if (want->globals[g] != got->globals[g]) {
                    fprintf(stderr, "%s: want 0x%x got 0x%x\n",
                            b->temps[g].name, want->globals[g],
                            got->globals[g]);
                }
            }
            ck_abort_msg("block %d of seed %llu differs (exit %u vs %u)", n,
                         (unsigned long long)seed, want->exit, got->exit);
        }
    }
    printf("test-optimize: %d random blocks, %ld ops -> %ld\n", RND_BLOCKS,
           ops_before, ops_after);
    free(init);
    free(want);
    free(got);
    free(b);
    free(o);
    machine_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("optimize");
    TCase *tc = tcase_create("passes");
    TCase *tr = tcase_create("random");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_fold_constants);
    tcase_add_test(tc, test_fold_mul2);
    tcase_add_test(tc, test_fold_identities);
    tcase_add_test(tc, test_copy_prop);
    tcase_add_test(tc, test_copy_prop_calls);
    tcase_add_test(tc, test_copy_prop_label);
    tcase_add_test(tc, test_decided_branches);
    tcase_add_test(tc, test_dead_code);
    tcase_add_test(tc, test_dead_flags);
    tcase_add_test(tc, test_dead_store_branches);
    tcase_add_test(tc, test_backward_branch);
    suite_add_tcase(s, tc);
    tcase_add_test(tr, test_random_equivalence);
    tcase_set_timeout(tr, 60);
    suite_add_tcase(s, tr);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
