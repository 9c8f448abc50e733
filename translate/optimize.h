/*
 * The IR optimizer, run between the frontend and either backend.  It
 * rewrites a block in place; the rules it keeps (when guest state must
 * hold its architectural value) are at the top of optimize.c.
 */
#ifndef TRANSLATE_OPTIMIZE_H
#define TRANSLATE_OPTIMIZE_H

#include "translate/ir.h"

/* Fold constants, propagate copies, remove dead code and dead global
 * stores.  The result computes the same guest state at every exit and at
 * every point that can fault or let a helper see the CPU state.  A block
 * the optimizer does not accept (a backward branch, a malformed op) is
 * left as it is. */
void ir_optimize(IRBlock *b);

#endif
