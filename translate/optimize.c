/*
 * The IR optimizer: the driver, the check that a block is one the passes
 * understand, and what they share.  The passes are opt-fold.c (constant
 * folding, copy propagation, decided branches), opt-cfg.c (unreachable
 * code, trivial branches, unused labels) and opt-dce.c (dead ops, dead
 * global stores: the lazy-flag writes nobody reads among them).
 *
 * THE RULES every pass keeps.
 *
 * 1. Globals are guest state.  Each must hold its architectural value --
 *    the value the unoptimized block would give it at that point --
 *    (a) at every exit_tb and at the end of the block (a block may end in
 *        a call that never returns, and falls off the end);
 *    (b) before every op that may raise a guest exception: ld and st
 *        (IRF_FAULT), and calls of helpers with HLP_RAISE;
 *    (c) before every call of a helper with HLP_READS or HLP_RW, which
 *        read CPUState.
 *    So a write to a global is dead only if the same global is written
 *    again, on every path, before any of (a), (b), (c) and before any
 *    read of it.  opt-dce.c computes exactly that, backwards over the
 *    block's control flow: at a brcond a global is live if it is live at
 *    either successor.
 * 2. A call of a helper with HLP_RW may write any global: after it nothing
 *    is known about any global's value.  HLP_PURE helpers neither read nor
 *    write globals and cannot raise: they are ordinary ops, removable when
 *    their value is unused.  Helper flags that say neither are taken as
 *    HLP_RW.  ld and st do not change globals.  A ld is never removed,
 *    even unused: it may fault or read a device.
 * 3. insn_start ops are kept, even in unreachable code, and no op is ever
 *    moved: the passes only rewrite an op in place or delete it, so every
 *    op that can fault stays inside its guest instruction.
 * 4. Control flow: branches go forward only (ir_optimize checks it and
 *    leaves a block with a backward branch, or anything else it does not
 *    understand, as it is).  Facts flow forward along branches: a label
 *    knows only what all its predecessors agree on.
 * 5. Locals (IR_TEMP_LOCAL) die at the end of the block.  A local may be
 *    written more than once; no pass assumes otherwise.  The optimizer
 *    never creates a local (the interpreter has CPU_NB_IR_TEMPS slots);
 *    it only adds constants, through opt_const_temp().
 * 6. Constant temps never change; no op may write one.
 * 7. No rewrite changes the value of any op for any input.  Folding
 *    follows interp.c exactly (shift counts mod 32, extract and deposit
 *    with len 32, ir_eval_cond for conditions); an identity is used only
 *    where it is exact; a deposit at a position >= 32, which the backends
 *    do not define, is never folded.
 */
#include <stdlib.h>

#include "cpu/cpu.h"
#include "translate/opt-internal.h"
#include "translate/optimize.h"

/* Each round can expose more work for the next (a branch decided, a label
 * gone); real blocks settle in two. */
#define OPT_MAX_ROUNDS 3

void opt_compact(IRBlock *b)
{
    int n = 0;

    for (int i = 0; i < b->nops; i++) {
        if (b->ops[i].opc != OPT_DELETED) {
            if (n != i) {
                b->ops[n] = b->ops[i];
            }
            n++;
        }
    }
    b->nops = n;
}

bool opt_const_temp(IRBlock *b, uint32_t value, uint32_t *temp)
{
    if (b->ntemps < IR_MAX_TEMPS) {
        *temp = ir_const_temp(b, value);
        return true;
    }
    for (int t = b->nglobals; t < b->ntemps; t++) {
        if (b->temps[t].kind == IR_TEMP_CONST && b->temps[t].val == value) {
            *temp = t;
            return true;
        }
    }
    return false;
}

/* The temps: globals exactly [0, nglobals), each a distinct CPUState
 * field; every local its own interpreter slot.  Copy propagation would be
 * wrong if two temps named one place. */
static bool opt_temps_ok(const IRBlock *b)
{
    uint32_t slots[CPU_NB_IR_TEMPS / 32] = {0};

    if (b->nglobals < 0 || b->ntemps < b->nglobals ||
        b->ntemps > IR_MAX_TEMPS) {
        return false;
    }
    for (int t = 0; t < b->ntemps; t++) {
        const IRTemp *tp = &b->temps[t];

        if ((tp->kind == IR_TEMP_GLOBAL) != (t < b->nglobals)) {
            return false;
        }
        if (tp->kind == IR_TEMP_GLOBAL) {
            for (int u = 0; u < t; u++) {
                if (b->temps[u].val == tp->val) {
                    return false;
                }
            }
        } else if (tp->kind == IR_TEMP_LOCAL) {
            if (tp->val >= CPU_NB_IR_TEMPS ||
                (slots[tp->val / 32] & (1u << (tp->val % 32)))) {
                return false;
            }
            slots[tp->val / 32] |= 1u << (tp->val % 32);
        } else if (tp->kind != IR_TEMP_CONST) {
            return false;
        }
    }
    return true;
}

/* One op: a known opcode, the argument counts of its definition (or of
 * its helper), temps that exist, and no constant written. */
static bool opt_op_ok(const IRBlock *b, const IROp *op)
{
    const IROpDef *def;

    if (op->opc >= IR_NB_OPS) {
        return false;
    }
    def = &ir_op_defs[op->opc];
    if (op->opc == IR_call) {
        uint32_t h = op->args[op->nout + op->nin];
        if (op->nout > 1 || op->nout + op->nin + 1 > IR_MAX_ARGS ||
            h >= HELPER_COUNT || op->nin != helper_table[h].nargs ||
            op->nout > helper_table[h].ret) {
            return false;
        }
    } else if (op->nout != def->nout || op->nin != def->nin ||
               def->nout + def->nin + def->nconst > IR_MAX_ARGS) {
        return false;
    }
    for (int k = 0; k < op->nout + op->nin; k++) {
        if (op->args[k] >= (uint32_t)b->ntemps ||
            (k < op->nout && opt_is_const(b, op->args[k]))) {
            return false;
        }
    }
    return true;
}

/* The target label of a branch. */
static uint32_t opt_branch_label(const IROp *op)
{
    return ir_const(op, op->opc == IR_brcond ? 1 : 0);
}

/* Is B a block the passes understand: well-formed ops, each label placed
 * once, every branch to a label placed after it? */
static bool opt_block_ok(const IRBlock *b)
{
    int label_pos[IR_MAX_LABELS];

    if (b->overflow || b->nops < 0 || b->nops > IR_MAX_OPS ||
        b->nlabels < 0 || b->nlabels > IR_MAX_LABELS || !opt_temps_ok(b)) {
        return false;
    }
    for (int l = 0; l < b->nlabels; l++) {
        label_pos[l] = -1;
    }
    for (int i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (!opt_op_ok(b, op)) {
            return false;
        }
        if (op->opc == IR_label) {
            uint32_t l = ir_const(op, 0);
            if (l >= (uint32_t)b->nlabels || label_pos[l] >= 0) {
                return false;
            }
            label_pos[l] = i;
        }
    }
    for (int i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (ir_op_defs[op->opc].flags & IRF_BRANCH) {
            uint32_t l = opt_branch_label(op);
            if (l >= (uint32_t)b->nlabels || label_pos[l] <= i) {
                return false;
            }
        }
    }
    return true;
}

void ir_optimize(IRBlock *b)
{
    if (!opt_block_ok(b)) {
        return;
    }
    for (int round = 0; round < OPT_MAX_ROUNDS; round++) {
        bool changed = opt_fold(b);
        changed |= opt_cfg(b);
        changed |= opt_dce(b);
        changed |= opt_cfg(b);
        if (!changed) {
            break;
        }
    }
}
