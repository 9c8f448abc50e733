/*
 * Random IR blocks and run states shared by test-optimize and
 * test-jit-edge (ir-random.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/helper.h"
#include "memory/memory.h"
#include "memory/tlb.h"
#include "tests/unit/ir-random.h"

void ir_test_emit(IRBlock *b, IROpcode opc, ...)
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


uint32_t rnd(Rnd *r)
{
    /* xorshift64*: fast and good enough to pick ops. */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (uint32_t)((r->s * 0x2545f4914f6cdd1dull) >> 32);
}

uint32_t rnd_below(Rnd *r, uint32_t n)
{
    return rnd(r) % n;
}

uint32_t rnd_value(Rnd *r)
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
    uint32_t locals[RND_MAX_LOCALS];
    int nlocals;
    int pending[IR_MAX_LABELS]; /* ops left before label placement */
    int ninsn;
} Gen;

/* Globals the ops write: the registers and the lazy flags, so that
 * stores overwrite one another often. */
static uint32_t gen_out(Gen *g)
{
    if (rnd_below(g->r, 2)) {
        return g->locals[rnd_below(g->r, g->nlocals)];
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
    case 4: return g->locals[rnd_below(g->r, g->nlocals)];
    default: return rnd_below(g->r, 4) ? rnd_below(g->r, G_df + 1)
                                       : rnd_below(g->r, IR_NB_GLOBALS);
    }
}

/* A linear address inside the test memory, in a local. */
static uint32_t gen_addr(Gen *g)
{
    uint32_t a = g->locals[rnd_below(g->r, g->nlocals)];
    ir_test_emit(g->b, IR_and, a, gen_in(g), ir_const_temp(g->b, 0x1fff));
    ir_test_emit(g->b, IR_add, a, a, ir_const_temp(g->b, RND_MEM));
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
        ir_test_emit(g->b, IR_brcond, gen_in(g), gen_in(g),
             rnd_below(g->r, IR_NB_CONDS), l);
    } else {
        ir_test_emit(g->b, IR_br, l);
    }
}

static void gen_place_labels(Gen *g, bool all)
{
    for (int l = 0; l < g->b->nlabels; l++) {
        if (g->pending[l] > 0 && (all || --g->pending[l] == 0)) {
            g->pending[l] = 0;
            ir_test_emit(g->b, IR_label, l);
        }
    }
}

void ir_random_block(Rnd *r, IRBlock *b, int nlocals)
{
    Gen g = {.r = r, .b = b, .nlocals = nlocals};
    int nops = 4 + rnd_below(r, 60);

    ir_block_init(b);
    memset(g.pending, 0, sizeof(g.pending));
    for (int i = 0; i < g.nlocals; i++) {
        g.locals[i] = ir_new_local(b);
        ir_test_emit(b, IR_mov, g.locals[i],
             rnd_below(r, 2) ? ir_const_temp(b, rnd_value(r))
                             : rnd_below(r, G_df + 1));
    }
    for (int i = 0; i < nops; i++) {
        uint32_t k = rnd_below(r, 100);

        gen_place_labels(&g, false);
        if (k < 10) {
            ir_test_emit(b, IR_insn_start, g.ninsn, 0x1000 + g.ninsn);
            g.ninsn++;
        } else if (k < 18) {
            gen_branch(&g, true);
        } else if (k < 20) {
            gen_branch(&g, false);
        } else if (k < 22) {
            ir_test_emit(b, IR_exit_tb, rnd_below(r, 2));
        } else if (k < 30) {
            uint32_t a = gen_addr(&g);
            uint32_t mo = rnd_below(r, 3) | (rnd_below(r, 2) ? IR_MO_SIGN : 0);
            ir_test_emit(b, IR_ld, gen_out(&g), a, mo, MMU_IDX_SUPER);
        } else if (k < 36) {
            uint32_t a = gen_addr(&g);
            ir_test_emit(b, IR_st, a, gen_in(&g), rnd_below(r, 3), MMU_IDX_SUPER);
        } else if (k < 42) {
            gen_call(&g);
        } else {
            gen_alu(&g);
        }
    }
    gen_place_labels(&g, true);
    ir_test_emit(b, IR_exit_tb, IR_EXIT_NOCHAIN);
}

void ir_state_load(Machine *m, const IRBlock *b, const RunState *s)
{
    uint8_t *ram = as_ram_base(m->as);

    for (int g = 0; g < IR_NB_GLOBALS; g++) {
        memcpy((char *)&m->cpu + b->temps[g].val, &s->globals[g], 4);
    }
    m->cpu.hflags = s->hflags;
    m->cpu.cur_insn = -1;
    memcpy(ram + RND_MEM, s->mem, RND_MEM_LEN);
}

void ir_state_save(Machine *m, const IRBlock *b, RunState *s)
{
    const uint8_t *ram = as_ram_base(m->as);

    for (int g = 0; g < IR_NB_GLOBALS; g++) {
        memcpy(&s->globals[g], (char *)&m->cpu + b->temps[g].val, 4);
    }
    s->hflags = m->cpu.hflags;
    s->cur_insn = m->cpu.cur_insn;
    memcpy(s->mem, ram + RND_MEM, RND_MEM_LEN);
}

