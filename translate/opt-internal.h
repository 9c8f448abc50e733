/*
 * What the optimizer's passes share (optimize.c, opt-*.c).  Not part of
 * the optimizer's API: that is translate/optimize.h.
 */
#ifndef TRANSLATE_OPT_INTERNAL_H
#define TRANSLATE_OPT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/helper.h"
#include "translate/ir.h"

/* An op a pass has removed; opt_compact() drops it before the pass
 * returns, so no other code ever sees one. */
#define OPT_DELETED IR_NB_OPS

static inline void opt_delete(IROp *op)
{
    op->opc = OPT_DELETED;
}

/* Remove the deleted ops. */
void opt_compact(IRBlock *b);

/* A constant temp holding VALUE, without ever taking ir_const_temp's
 * overflow path (which would hand out a scratch temp).  False if the
 * block has no room for a new constant. */
bool opt_const_temp(IRBlock *b, uint32_t value, uint32_t *temp);

static inline bool opt_is_const(const IRBlock *b, uint32_t t)
{
    return b->temps[t].kind == IR_TEMP_CONST;
}

/* Number of constant args of OP (a call has one: the helper). */
static inline int opt_nconst(const IROp *op)
{
    return op->opc == IR_call ? 1 : ir_op_defs[op->opc].nconst;
}

/* What a call may do to the globals (cpu/helper.h flags).  Anything that
 * is not plainly pure sees the globals; anything that is not plainly a
 * reader (or a pure raiser) may also write them. */
typedef enum OptCallKind {
    OPT_CALL_PURE,   /* an ordinary op: arguments in, value out */
    OPT_CALL_READS,  /* globals must be in place; it changes none */
    OPT_CALL_WRITES, /* globals must be in place; afterwards, unknown */
} OptCallKind;

static inline OptCallKind opt_call_kind(const IROp *op)
{
    unsigned f = helper_table[ir_const(op, 0)].flags;

    if ((f & HLP_PURE) && !(f & (HLP_RW | HLP_RAISE))) {
        return OPT_CALL_PURE;
    }
    if ((f & (HLP_READS | HLP_RAISE)) && !(f & HLP_RW & ~HLP_READS)) {
        return OPT_CALL_READS;
    }
    return OPT_CALL_WRITES;
}

/* Sets of temps. */
#define OPT_SET_WORDS (IR_MAX_TEMPS / 32)

typedef struct OptSet {
    uint32_t w[OPT_SET_WORDS];
} OptSet;

static inline void opt_set_add(OptSet *s, uint32_t t)
{
    s->w[t / 32] |= 1u << (t % 32);
}

static inline void opt_set_del(OptSet *s, uint32_t t)
{
    s->w[t / 32] &= ~(1u << (t % 32));
}

static inline bool opt_set_has(const OptSet *s, uint32_t t)
{
    return s->w[t / 32] & (1u << (t % 32));
}

static inline void opt_set_union(OptSet *s, const OptSet *o)
{
    for (int i = 0; i < OPT_SET_WORDS; i++) {
        s->w[i] |= o->w[i];
    }
}

/* The passes.  Each returns whether it changed the block, and leaves it
 * valid (compacted, labels consistent). */
bool opt_fold(IRBlock *b); /* constants and copies (opt-fold.c) */
bool opt_cfg(IRBlock *b);  /* unreachable code, branches (opt-cfg.c) */
bool opt_dce(IRBlock *b);  /* dead ops and global stores (opt-dce.c) */

#endif
