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

/* ---- building blocks by hand ---------------------------------------- */

static IRBlock *blk_new(void)
{
    IRBlock *b = malloc(sizeof(*b));
    ck_assert_ptr_nonnull(b);
    ir_block_init(b);
    return b;
}

/* Emit OPC with its outputs, inputs and constants, in that order. */
static void emit(IRBlock *b, IROpcode opc, ...)
{
    const IROpDef *d = &ir_op_defs[opc];
    uint32_t args[IR_MAX_ARGS];
    va_list ap;

    va_start(ap, opc);
    for (int i = 0; i < d->nout + d->nin + d->nconst; i++) {
        args[i] = va_arg(ap, uint32_t);
    }
    va_end(ap);
    ir_emit(b, opc, args);
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
    emit(b, IR_add, t[0], K(2), K(3));
    emit(b, IR_shl, t[1], t[0], K(33));           /* count mod 32: 10 */
    emit(b, IR_sub, t[2], t[1], K(3));            /* 7 */
    emit(b, IR_extract, t[3], t[2], 1, 32);       /* 3 */
    emit(b, IR_mov, G_eax, t[3]);
    emit(b, IR_setcond, t[4], t[3], K(~0u), IR_LT);
    emit(b, IR_mov, G_ebx, t[4]);
    emit(b, IR_setcond, t[5], t[3], K(~0u), IR_LTU);
    emit(b, IR_mov, G_ecx, t[5]);
    emit(b, IR_deposit, G_edx, K(0xffffffff), K(0x12), 4, 32);
    emit(b, IR_deposit, G_esi, K(1), K(2), 32, 8); /* undefined: kept */
    emit(b, IR_movcond, G_edi, t[3], K(3), K(0x11), K(0x22), IR_EQ);
    emit(b, IR_exit_tb, 0);
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

    emit(b, IR_mulu2, lo, hi, K(0xffffffff), K(2));
    emit(b, IR_mov, G_eax, lo);
    emit(b, IR_mov, G_ebx, hi);
    emit(b, IR_muls2, lo, hi, K(0xffffffff), K(2));
    emit(b, IR_mov, G_ecx, lo);
    emit(b, IR_mov, G_edx, hi);
    emit(b, IR_mulu2, lo, hi, G_esi, K(2)); /* unknown: stays */
    emit(b, IR_mov, G_edi, hi);
    emit(b, IR_exit_tb, 0);
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
    emit(b, IR_add, t[0], G_edx, K(0));
    emit(b, IR_mov, G_eax, t[0]);
    emit(b, IR_xor, t[1], G_esi, G_esi);
    emit(b, IR_mov, G_ebx, t[1]);
    emit(b, IR_and, t[2], G_edi, K(0));
    emit(b, IR_mov, G_ecx, t[2]);
    emit(b, IR_rotl, t[3], G_ebp, K(32));
    emit(b, IR_mul, t[4], t[3], K(1));
    emit(b, IR_mov, G_esp, t[4]);
    emit(b, IR_shr, t[5], G_esp, K(1));   /* not an identity */
    emit(b, IR_mov, G_cc_dst, t[5]);
    emit(b, IR_sub, t[6], G_edx, t[0]);   /* x - x, through a copy */
    emit(b, IR_setcond, t[7], G_edi, G_edi, IR_GEU);
    emit(b, IR_add, G_cc_src, t[6], t[7]);
    emit(b, IR_exit_tb, 0);
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

    emit(b, IR_ld, t0, G_esi, IR_MO_32, 0);
    emit(b, IR_mov, G_ecx, t0);
    emit(b, IR_add, t1, G_ecx, K(1)); /* reads t0 */
    emit(b, IR_mov, G_edx, t1);
    emit(b, IR_ld, t0, G_edi, IR_MO_32, 0);
    emit(b, IR_add, t2, G_ecx, K(1)); /* t0 changed: stays ecx */
    emit(b, IR_mov, G_eax, t2);
    emit(b, IR_mov, t3, G_eax);       /* redundant load */
    emit(b, IR_mov, G_eax, t3);       /* redundant store */
    emit(b, IR_mov, G_ebx, t0);
    emit(b, IR_exit_tb, 0);
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

    emit(b, IR_mov, G_ecx, K(7));
    ir_emit_call(b, HELPER_read_eflags, t0, NULL, 0);
    emit(b, IR_add, G_edx, G_ecx, K(1));
    emit(b, IR_mov, G_eax, K(5));
    args[0] = t0;
    args[1] = K(0);
    ir_emit_call(b, HELPER_write_eflags, -1, args, 2);
    emit(b, IR_add, t1, G_eax, K(1));
    emit(b, IR_mov, G_ebx, t1);
    emit(b, IR_exit_tb, 0);
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

    emit(b, IR_mov, G_eax, K(1));
    emit(b, IR_brcond, G_ebx, K(0), IR_EQ, l0);
    emit(b, IR_mov, G_ecx, K(2));
    emit(b, IR_mov, G_eax, K(1));
    emit(b, IR_label, l0);
    emit(b, IR_add, G_edx, G_eax, K(1));
    emit(b, IR_add, G_esi, G_ecx, K(1));
    emit(b, IR_exit_tb, 0);
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

    emit(b, IR_insn_start, 0, 0x1000);
    emit(b, IR_brcond, K(1), K(2), IR_GTU, l0);  /* never */
    emit(b, IR_mov, G_eax, K(1));
    emit(b, IR_label, l0);
    emit(b, IR_brcond, G_ebx, G_ebx, IR_LEU, l1); /* always */
    emit(b, IR_mov, G_ecx, K(2));
    emit(b, IR_insn_start, 1, 0x1002);
    emit(b, IR_mov, G_edx, K(3));
    emit(b, IR_exit_tb, 0);
    emit(b, IR_label, l1);
    emit(b, IR_mov, G_esi, K(4));
    emit(b, IR_exit_tb, 1);
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

    emit(b, IR_add, t0, G_eax, G_ebx);                 /* unused */
    ir_emit_call(b, HELPER_cc_compute_all, t1, args, 4); /* unused, pure */
    emit(b, IR_ld, t1, G_esi, IR_MO_8, 0);             /* unused, kept */
    emit(b, IR_exit_tb, 0);
    check_opt(b, "ld t1, esi, u8, 0\n"
                 "exit_tb 0\n");
}
END_TEST

/* Lazy-flag writes overwritten before any exit, fault or helper that
 * sees CPU state are dead. */
START_TEST(test_dead_flags)
{
    IRBlock *b = blk_new();

    emit(b, IR_insn_start, 0, 0x1000);
    emit(b, IR_mov, G_cc_dst, G_eax);
    emit(b, IR_mov, G_cc_src, G_ebx);
    emit(b, IR_mov, G_cc_op, K(3));
    emit(b, IR_insn_start, 1, 0x1002);
    emit(b, IR_mov, G_cc_dst, G_ecx);
    emit(b, IR_mov, G_cc_src, G_edx);
    emit(b, IR_mov, G_cc_op, K(9));
    emit(b, IR_insn_start, 2, 0x1004);
    emit(b, IR_st, G_esi, G_eax, IR_MO_32, 0);
    emit(b, IR_mov, G_cc_dst, G_edi);
    emit(b, IR_mov, G_cc_op, K(13));
    emit(b, IR_exit_tb, 0);
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

    emit(b, IR_mov, G_cc_op, K(1));  /* dead: both paths overwrite */
    emit(b, IR_mov, G_cc_dst, K(1)); /* live: the fallthrough exits */
    emit(b, IR_brcond, G_ebx, K(0), IR_EQ, l0);
    emit(b, IR_mov, G_cc_op, K(2));
    emit(b, IR_exit_tb, 0);
    emit(b, IR_label, l0);
    emit(b, IR_mov, G_cc_op, K(3));
    emit(b, IR_mov, G_cc_dst, K(3));
    emit(b, IR_brcond, G_ecx, K(0), IR_EQ, l1);
    emit(b, IR_mov, G_cc_dst, K(4));
    emit(b, IR_label, l1);
    emit(b, IR_exit_tb, 1);
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

    emit(b, IR_label, l0);
    emit(b, IR_add, G_cc_dst, K(1), K(2));
    emit(b, IR_sub, G_ecx, G_ecx, K(1));
    emit(b, IR_brcond, G_ecx, K(0), IR_NE, l0);
    emit(b, IR_exit_tb, 0);
    before = blk_text(b);
    check_opt(b, before);
    free(before);
}
END_TEST

/* ---- random blocks: optimized and not, same results ------------------ */

#define RND_RAM (1u << 20)
#define RND_MEM 0x1000u      /* ld/st touch [RND_MEM, RND_MEM + 0x2003) */
#define RND_MEM_LEN 0x2004u
#define RND_NLOCALS 8
#define RND_BLOCKS 20000

typedef struct Rnd {
    uint64_t s;
} Rnd;

static uint32_t rnd(Rnd *r)
{
    /* xorshift64*: fast and good enough to pick ops. */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (uint32_t)((r->s * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t rnd_below(Rnd *r, uint32_t n)
{
    return rnd(r) % n;
}

static uint32_t rnd_value(Rnd *r)
{
    static const uint32_t interesting[] = {
        0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 0xff, 0x80, 0xffff, 0x8000,
        0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x1000,
    };
    return rnd_below(r, 3) ? interesting[rnd_below(r, 20)] : rnd(r);
}

typedef struct Gen {
    Rnd *r;
    IRBlock *b;
    uint32_t locals[RND_NLOCALS];
    int pending[IR_MAX_LABELS]; /* ops left before label placement */
    int ninsn;
} Gen;

/* Globals the ops write: the registers and the lazy flags, so that
 * stores overwrite one another often. */
static uint32_t gen_out(Gen *g)
{
    if (rnd_below(g->r, 2)) {
        return g->locals[rnd_below(g->r, RND_NLOCALS)];
    }
    return rnd_below(g->r, 4) ? rnd_below(g->r, G_df + 1)
                              : rnd_below(g->r, IR_NB_GLOBALS);
}

static uint32_t gen_in(Gen *g)
{
    switch (rnd_below(g->r, 8)) {
    case 0:
    case 1: return ir_const_temp(g->b, rnd_value(g->r));
    case 2:
    case 3:
    case 4: return g->locals[rnd_below(g->r, RND_NLOCALS)];
    default: return rnd_below(g->r, 4) ? rnd_below(g->r, G_df + 1)
                                       : rnd_below(g->r, IR_NB_GLOBALS);
    }
}

/* A linear address inside the test memory, in a local. */
static uint32_t gen_addr(Gen *g)
{
    uint32_t a = g->locals[rnd_below(g->r, RND_NLOCALS)];
    emit(g->b, IR_and, a, gen_in(g), ir_const_temp(g->b, 0x1fff));
    emit(g->b, IR_add, a, a, ir_const_temp(g->b, RND_MEM));
    return a;
}

static const IROpcode gen_alu_ops[] = {
    IR_mov, IR_movi, IR_add, IR_sub, IR_mul, IR_and, IR_or, IR_xor,
    IR_andc, IR_neg, IR_not, IR_shl, IR_shr, IR_sar, IR_rotl, IR_rotr,
    IR_ext8s, IR_ext8u, IR_ext16s, IR_ext16u, IR_extract, IR_deposit,
    IR_bswap, IR_setcond, IR_movcond, IR_mulu2, IR_muls2,
};

static void gen_alu(Gen *g)
{
    IROpcode opc = gen_alu_ops[rnd_below(
        g->r, sizeof(gen_alu_ops) / sizeof(gen_alu_ops[0]))];
    const IROpDef *d = &ir_op_defs[opc];
    uint32_t args[IR_MAX_ARGS];
    int n = 0;

    for (int i = 0; i < d->nout; i++) {
        args[n++] = gen_out(g);
    }
    for (int i = 0; i < d->nin; i++) {
        args[n++] = gen_in(g);
    }
    switch (opc) {
    case IR_movi: args[n++] = rnd_value(g->r); break;
    case IR_extract:
    case IR_deposit:
        args[n++] = rnd_below(g->r, 32);
        args[n++] = 1 + rnd_below(g->r, 32);
        break;
    case IR_setcond:
    case IR_movcond: args[n++] = rnd_below(g->r, IR_NB_CONDS); break;
    default: break;
    }
    ir_emit(g->b, opc, args);
}

static void gen_call(Gen *g)
{
    IRVal in[4];
    uint32_t k = rnd_below(g->r, 9);

    if (k < 3) {
        for (int i = 0; i < 4; i++) {
            in[i] = gen_in(g);
        }
        if (rnd_below(g->r, 2)) {
            in[0] = ir_const_temp(g->b, rnd_below(g->r, 40));
        }
        ir_emit_call(g->b, k ? HELPER_cc_compute_all : HELPER_cc_compute_c,
                     gen_out(g), in, 4);
    } else if (k < 5) {
        ir_emit_call(g->b, HELPER_read_eflags, gen_out(g), NULL, 0);
    } else if (k < 6) {
        in[0] = gen_in(g);
        in[1] = gen_in(g);
        ir_emit_call(g->b, HELPER_write_eflags, -1, in, 2);
    } else if (k < 8) {
        /* Faults when the offset is past DS's limit (random_setup): the
         * globals are compared where it stops the block. */
        in[0] = ir_const_temp(g->b, R_DS);
        in[1] = gen_in(g);
        in[2] = ir_const_temp(g->b, 4);
        in[3] = ir_const_temp(g->b, 0);
        ir_emit_call(g->b, HELPER_check_seg, -1, in, 4);
    } else if (rnd_below(g->r, 4) == 0) {
        in[0] = ir_const_temp(g->b, EXCP_UD);
        ir_emit_call(g->b, HELPER_raise, -1, in, 1);
    }
}

/* A forward branch to a label placed a few ops later (sometimes one
 * that other branches already target). */
static void gen_branch(Gen *g, bool cond)
{
    int l = -1;

    for (int i = 0; i < g->b->nlabels; i++) {
        if (g->pending[i] > 0 && rnd_below(g->r, 3) == 0) {
            l = i;
            break;
        }
    }
    if (l < 0) {
        if (g->b->nlabels >= IR_MAX_LABELS - 1) {
            return;
        }
        l = ir_new_label(g->b);
        g->pending[l] = 1 + rnd_below(g->r, 12);
    }
    if (cond) {
        emit(g->b, IR_brcond, gen_in(g), gen_in(g),
             rnd_below(g->r, IR_NB_CONDS), l);
    } else {
        emit(g->b, IR_br, l);
    }
}

static void gen_place_labels(Gen *g, bool all)
{
    for (int l = 0; l < g->b->nlabels; l++) {
        if (g->pending[l] > 0 && (all || --g->pending[l] == 0)) {
            g->pending[l] = 0;
            emit(g->b, IR_label, l);
        }
    }
}

static void gen_block(Rnd *r, IRBlock *b)
{
    Gen g = {.r = r, .b = b};
    int nops = 4 + rnd_below(r, 60);

    ir_block_init(b);
    memset(g.pending, 0, sizeof(g.pending));
    for (int i = 0; i < RND_NLOCALS; i++) {
        g.locals[i] = ir_new_local(b);
        emit(b, IR_mov, g.locals[i],
             rnd_below(r, 2) ? ir_const_temp(b, rnd_value(r))
                             : rnd_below(r, G_df + 1));
    }
    for (int i = 0; i < nops; i++) {
        uint32_t k = rnd_below(r, 100);

        gen_place_labels(&g, false);
        if (k < 10) {
            emit(b, IR_insn_start, g.ninsn, 0x1000 + g.ninsn);
            g.ninsn++;
        } else if (k < 18) {
            gen_branch(&g, true);
        } else if (k < 20) {
            gen_branch(&g, false);
        } else if (k < 22) {
            emit(b, IR_exit_tb, rnd_below(r, 2));
        } else if (k < 30) {
            uint32_t a = gen_addr(&g);
            uint32_t mo = rnd_below(r, 3) | (rnd_below(r, 2) ? IR_MO_SIGN : 0);
            emit(b, IR_ld, gen_out(&g), a, mo, MMU_IDX_SUPER);
        } else if (k < 36) {
            uint32_t a = gen_addr(&g);
            emit(b, IR_st, a, gen_in(&g), rnd_below(r, 3), MMU_IDX_SUPER);
        } else if (k < 42) {
            gen_call(&g);
        } else {
            gen_alu(&g);
        }
    }
    gen_place_labels(&g, true);
    emit(b, IR_exit_tb, IR_EXIT_NOCHAIN);
}

typedef struct RunState {
    uint32_t globals[IR_NB_GLOBALS];
    uint32_t hflags;
    uint8_t mem[RND_MEM_LEN];
    unsigned exit;    /* chain slot, or 0x100 | vector after a fault */
    int cur_insn;
} RunState;

static void state_load(Machine *m, const IRBlock *b, const RunState *s)
{
    uint8_t *ram = as_ram_base(m->as);

    for (int g = 0; g < IR_NB_GLOBALS; g++) {
        memcpy((char *)&m->cpu + b->temps[g].val, &s->globals[g], 4);
    }
    m->cpu.hflags = s->hflags;
    m->cpu.cur_insn = -1;
    memcpy(ram + RND_MEM, s->mem, RND_MEM_LEN);
}

static void state_save(Machine *m, const IRBlock *b, RunState *s)
{
    const uint8_t *ram = as_ram_base(m->as);

    for (int g = 0; g < IR_NB_GLOBALS; g++) {
        memcpy(&s->globals[g], (char *)&m->cpu + b->temps[g].val, 4);
    }
    s->hflags = m->cpu.hflags;
    s->cur_insn = m->cpu.cur_insn;
    memcpy(s->mem, ram + RND_MEM, RND_MEM_LEN);
}

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

        gen_block(&r, b);
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
        state_load(m, b, init);
        want->exit = run_block(m, b);
        state_save(m, b, want);
        state_load(m, b, init);
        got->exit = run_block(m, o);
        state_save(m, b, got);
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
