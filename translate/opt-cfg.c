/*
 * Control-flow clean-up: code that control cannot reach, branches to the
 * op right after them, labels no branch names.  Each removal can enable
 * another (a label gone makes the code after a br unreachable), so the
 * three run until none applies.
 */
#include "translate/opt-internal.h"

/* Ops after one that never falls through, up to the next label.  The
 * insn_start ops stay (rule 3): the table of instruction starts is the
 * frontend's, and keeping them costs the backends nothing. */
static bool opt_drop_unreachable(IRBlock *b)
{
    bool reachable = true, changed = false;

    for (int i = 0; i < b->nops; i++) {
        IROp *op = &b->ops[i];

        if (op->opc == IR_label) {
            reachable = true;
        } else if (!reachable && op->opc != IR_insn_start) {
            opt_delete(op);
            changed = true;
        } else if (ir_op_defs[op->opc].flags & IRF_NO_FALLTHROUGH) {
            reachable = false;
        }
    }
    return changed;
}

/* A branch whose target label follows it with only labels between goes
 * to the same place either way. */
static bool opt_drop_jump_to_next(IRBlock *b)
{
    bool changed = false;

    for (int i = 0; i < b->nops; i++) {
        IROp *op = &b->ops[i];
        uint32_t label;

        if (op->opc != IR_br && op->opc != IR_brcond) {
            continue;
        }
        label = ir_const(op, op->opc == IR_brcond ? 1 : 0);
        for (int j = i + 1; j < b->nops && b->ops[j].opc == IR_label; j++) {
            if (ir_const(&b->ops[j], 0) == label) {
                opt_delete(op);
                changed = true;
                break;
            }
        }
    }
    return changed;
}

static bool opt_drop_unused_labels(IRBlock *b)
{
    uint16_t refs[IR_MAX_LABELS] = {0};
    bool changed = false;

    for (int i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc == IR_br) {
            refs[ir_const(op, 0)]++;
        } else if (op->opc == IR_brcond) {
            refs[ir_const(op, 1)]++;
        }
    }
    for (int i = 0; i < b->nops; i++) {
        IROp *op = &b->ops[i];
        if (op->opc == IR_label && !refs[ir_const(op, 0)]) {
            opt_delete(op);
            changed = true;
        }
    }
    return changed;
}

bool opt_cfg(IRBlock *b)
{
    bool any = false, changed;

    do {
        changed = opt_drop_unreachable(b);
        opt_compact(b);
        changed |= opt_drop_jump_to_next(b);
        opt_compact(b);
        changed |= opt_drop_unused_labels(b);
        opt_compact(b);
        any |= changed;
    } while (changed);
    return any;
}
