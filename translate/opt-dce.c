/*
 * Dead code and dead global stores, one backward walk over the block.
 *
 * A temp is live at a point if some path from there reads it before
 * writing it.  Since branches only go forward, each label is met (walking
 * backwards) before the branches to it, and its live set is ready when
 * they need it: at a brcond, live = live at the fallthrough | live at the
 * target.  Every global is live at exit_tb, at the end of the block and
 * before each op that can fault or lets a helper see CPU state (rule 1);
 * no local is live at the end.  An op without side effects whose outputs
 * are all dead is removed: for a write to a global, that is the dead
 * store, the lazy-flag writes an overwriting instruction makes moot among
 * them.
 */
#include <stdlib.h>

#include "translate/opt-internal.h"

static void opt_set_globals(const IRBlock *b, OptSet *s)
{
    for (int g = 0; g < b->nglobals; g++) {
        opt_set_add(s, g);
    }
}

/* Can OP go when nothing reads its outputs? */
static bool opt_removable(const IROp *op)
{
    if (op->opc == IR_call) {
        return opt_call_kind(op) == OPT_CALL_PURE;
    }
    /* ld may fault or read a device: it stays even when unused. */
    return !(ir_op_defs[op->opc].flags &
             (IRF_SIDE | IRF_FAULT | IRF_BRANCH | IRF_LABEL | IRF_CALL));
}

/* Does OP need every global in place before it runs? */
static bool opt_sees_globals(const IROp *op)
{
    if (op->opc == IR_call) {
        return opt_call_kind(op) != OPT_CALL_PURE;
    }
    return op->opc == IR_exit_tb || (ir_op_defs[op->opc].flags & IRF_FAULT);
}

bool opt_dce(IRBlock *b)
{
    OptSet *lab_live = calloc(b->nlabels ? b->nlabels : 1, sizeof(OptSet));
    OptSet live = {{0}};
    bool changed = false;

    if (!lab_live) {
        return false;
    }
    opt_set_globals(b, &live);
    for (int i = b->nops - 1; i >= 0; i--) {
        IROp *op = &b->ops[i];
        bool used = op->nout == 0;

        switch ((IROpcode)op->opc) {
        case IR_label:
            lab_live[ir_const(op, 0)] = live;
            continue;
        case IR_br:
            live = lab_live[ir_const(op, 0)];
            continue;
        case IR_brcond:
            opt_set_union(&live, &lab_live[ir_const(op, 1)]);
            break;
        case IR_exit_tb:
            memset(&live, 0, sizeof(live));
            break;
        default:
            break;
        }
        for (int k = 0; k < op->nout; k++) {
            used |= opt_set_has(&live, op->args[k]);
        }
        if (!used && opt_removable(op)) {
            opt_delete(op);
            changed = true;
            continue;
        }
        for (int k = 0; k < op->nout; k++) {
            opt_set_del(&live, op->args[k]);
        }
        for (int k = op->nout; k < op->nout + op->nin; k++) {
            opt_set_add(&live, op->args[k]);
        }
        if (opt_sees_globals(op)) {
            opt_set_globals(b, &live);
        }
    }
    free(lab_live);
    opt_compact(b);
    return changed;
}
