/*
 * IR construction and printing.
 */
#include <stddef.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/helper.h"
#include "translate/ir.h"

const IROpDef ir_op_defs[IR_NB_OPS] = {
#define IROP(name_, nout_, nin_, nconst_, flags_, desc_)                       \
    [IR_##name_] = {.name = #name_,                                            \
                    .nout = nout_,                                             \
                    .nin = nin_,                                               \
                    .nconst = nconst_,                                         \
                    .flags = flags_,                                           \
                    .desc = desc_},
#include "translate/ir-ops.h"
#undef IROP
};

static const struct {
    const char *name;
    uint32_t offset;
} ir_globals[IR_NB_GLOBALS] = {
#define IRGLOBAL(name_, field)                                                 \
    [G_##name_] = {#name_, offsetof(CPUState, field)},
#include "translate/ir-globals.h"
#undef IRGLOBAL
};

static const char *const ir_cond_names[IR_NB_CONDS] = {
    "eq",  "ne",  "lt",  "ge",  "le",    "gt",
    "ltu", "geu", "leu", "gtu", "tsteq", "tstne",
};

const char *ir_cond_name(IRCond c)
{
    return (unsigned)c < IR_NB_CONDS ? ir_cond_names[c] : "?";
}

void ir_block_init(IRBlock *b)
{
    b->nops = 0;
    b->nlabels = 0;
    b->nlocals = 0;
    b->overflow = false;
    for (int i = 0; i < IR_NB_GLOBALS; i++) {
        b->temps[i] = (IRTemp){.kind = IR_TEMP_GLOBAL,
                               .type = IR_I32,
                               .val = ir_globals[i].offset,
                               .name = ir_globals[i].name};
    }
    b->ntemps = IR_NB_GLOBALS;
    b->nglobals = IR_NB_GLOBALS;
}

static IRVal ir_new_temp(IRBlock *b, IRTempKind kind, uint32_t val)
{
    if (b->ntemps >= IR_MAX_TEMPS) {
        /* Keep going on a scratch temp; the frontend sees overflow and
         * discards this instruction. */
        b->overflow = true;
        return IR_MAX_TEMPS - 1;
    }
    b->temps[b->ntemps] = (IRTemp){.kind = kind, .type = IR_I32, .val = val};
    return b->ntemps++;
}

IRVal ir_new_local(IRBlock *b)
{
    if (b->nlocals >= CPU_NB_IR_TEMPS) {
        b->overflow = true;
        return ir_new_temp(b, IR_TEMP_LOCAL, 0);
    }
    return ir_new_temp(b, IR_TEMP_LOCAL, b->nlocals++);
}

IRVal ir_const_temp(IRBlock *b, uint32_t value)
{
    /* Constants are few per block; a linear search keeps them unique so
     * the optimizer can compare them by index. */
    for (int i = b->ntemps - 1; i >= b->nglobals; i--) {
        if (b->temps[i].kind == IR_TEMP_CONST && b->temps[i].val == value) {
            return i;
        }
    }
    return ir_new_temp(b, IR_TEMP_CONST, value);
}

int ir_new_label(IRBlock *b)
{
    if (b->nlabels >= IR_MAX_LABELS) {
        b->overflow = true;
        return IR_MAX_LABELS - 1;
    }
    return b->nlabels++;
}

static IROp *ir_new_op(IRBlock *b, IROpcode opc)
{
    if (b->nops >= IR_MAX_OPS - 1) {
        b->overflow = true;
        return &b->ops[IR_MAX_OPS - 1];
    }
    IROp *op = &b->ops[b->nops++];
    memset(op, 0, sizeof(*op));
    op->opc = opc;
    return op;
}

IROp *ir_emit(IRBlock *b, IROpcode opc, const uint32_t *args)
{
    const IROpDef *def = &ir_op_defs[opc];
    IROp *op = ir_new_op(b, opc);
    op->nout = def->nout;
    op->nin = def->nin;
    memcpy(op->args, args,
           sizeof(uint32_t) * (def->nout + def->nin + def->nconst));
    return op;
}

IROp *ir_emit_call(IRBlock *b, int helper, int out, const IRVal *in, int nin)
{
    IROp *op = ir_new_op(b, IR_call);
    int n = 0;
    op->nout = out >= 0;
    op->nin = nin;
    if (out >= 0) {
        op->args[n++] = out;
    }
    for (int i = 0; i < nin; i++) {
        op->args[n++] = in[i];
    }
    op->args[n] = helper;
    return op;
}

static void ir_print_temp(const IRBlock *b, uint32_t t, FILE *f)
{
    const IRTemp *tp = &b->temps[t];
    switch (tp->kind) {
    case IR_TEMP_GLOBAL: fprintf(f, "%s", tp->name); break;
    case IR_TEMP_CONST: fprintf(f, "$0x%x", tp->val); break;
    default: fprintf(f, "t%u", tp->val); break;
    }
}

static const char *const ir_memop_names[] = {"u8", "u16", "u32", "?",
                                             "s8", "s16", "s32", "?"};

void ir_print(const IRBlock *b, FILE *f)
{
    for (int i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        const IROpDef *def = &ir_op_defs[op->opc];
        int nconst = op->opc == IR_call ? 1 : def->nconst;
        int n = 0;

        if (op->opc == IR_insn_start) {
            fprintf(f, " ---- insn %u eip 0x%08x\n", ir_const(op, 0),
                    ir_const(op, 1));
            continue;
        }
        if (op->opc == IR_label) {
            fprintf(f, " L%u:\n", ir_const(op, 0));
            continue;
        }
        fprintf(f, "  %-10s ", def->name);
        for (int k = 0; k < op->nout + op->nin; k++) {
            fprintf(f, n++ ? ", " : "");
            ir_print_temp(b, op->args[k], f);
        }
        for (int k = 0; k < nconst; k++) {
            uint32_t c = ir_const(op, k);
            fprintf(f, n++ ? ", " : "");
            if (op->opc == IR_call) {
                fprintf(f, "%s", c < HELPER_COUNT ? helper_table[c].name : "?");
            } else if ((op->opc == IR_setcond || op->opc == IR_movcond ||
                        op->opc == IR_brcond) &&
                       k == 0) {
                fprintf(f, "%s", ir_cond_name(c));
            } else if ((op->opc == IR_brcond && k == 1) || op->opc == IR_br) {
                fprintf(f, "L%u", c);
            } else if ((op->opc == IR_ld || op->opc == IR_st) && k == 0) {
                fprintf(f, "%s", ir_memop_names[c & 7]);
            } else {
                fprintf(f, "%u", c);
            }
        }
        fputc('\n', f);
    }
}
