/*
 * Register allocation for the x86-64 backend: where each IR temp's value
 * is (a host register, its memory home, or an immediate), decided op by
 * op as lower.c walks the block, as TCG's allocator does.
 *
 * Homes: a global lives in CPUState at its offset; a local in
 * cpu->ir_temps[slot]; a constant is an immediate.  RBP holds the CPUState
 * pointer for the whole block; RAX, RCX and RDX are scratch registers of
 * the lowering and never hold a temp across ops.
 */
#ifndef TRANSLATE_X64_REGALLOC_H
#define TRANSLATE_X64_REGALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "translate/ir.h"
#include "translate/x64/emit.h"

#define RA_ENV X64_RBP

/* Registers the allocator hands out. */
#define RA_ALLOCATABLE                                                         \
    (X64_REGBIT(X64_RBX) | X64_REGBIT(X64_RSI) | X64_REGBIT(X64_RDI) |         \
     X64_REGBIT(X64_R8) | X64_REGBIT(X64_R9) | X64_REGBIT(X64_R10) |           \
     X64_REGBIT(X64_R11) | X64_REGBIT(X64_R12) | X64_REGBIT(X64_R13) |         \
     X64_REGBIT(X64_R14) | X64_REGBIT(X64_R15))

typedef struct RATemp {
    int8_t reg;   /* host register holding the value, or -1 */
    bool dirty;   /* the register is newer than the home */
    bool in_mem;  /* the home holds the value (locals start without) */
    int last_use; /* index of the last op reading it (locals) */
} RATemp;

typedef struct RegAlloc {
    X64Emit *e;
    const IRBlock *b;
    RATemp t[IR_MAX_TEMPS];
    int16_t owner[X64_NREGS]; /* temp held by each register, -1 if none */
    X64RegSet locked;         /* registers the current op uses */
    int cur_op;
    unsigned cursor; /* round-robin eviction */
} RegAlloc;

void ra_init(RegAlloc *ra, X64Emit *e, const IRBlock *b);

static inline bool ra_is_const(const RegAlloc *ra, IRVal t)
{
    return ra->b->temps[t].kind == IR_TEMP_CONST;
}
static inline uint32_t ra_const(const RegAlloc *ra, IRVal t)
{
    return ra->b->temps[t].val;
}
/* The memory home of a global or local. */
X64Mem ra_home(const RegAlloc *ra, IRVal t);

/* Start an op: nothing locked. */
void ra_begin_op(RegAlloc *ra, int index);
/* T's value in a register (loaded if needed), locked for this op. */
X64Reg ra_in(RegAlloc *ra, IRVal t);
/* A register for output T, locked; T's old value is dropped.  If HINT is
 * a temp whose register may be reused (it dies at this op and is not the
 * same temp), that register is taken. */
X64Reg ra_out(RegAlloc *ra, IRVal t);
/* After the op: registers of locals read for the last time are freed. */
void ra_end_op(RegAlloc *ra, const IROp *op);
/* Does T die at the current op (a local not read later)? */
bool ra_dies(const RegAlloc *ra, IRVal t);

/* DST takes over SRC's register (SRC dies at this op and is in a
 * register); DST's old register, if any, is freed without a store. */
void ra_rename(RegAlloc *ra, IRVal dst, IRVal src);
/* T's value now lives only in its home: drop its register without
 * storing (the caller writes the home). */
void ra_forget(RegAlloc *ra, IRVal t);
/* Free the registers of OP's inputs that die at OP, without storing
 * them (the op has already copied what it needs). */
void ra_release_dying(RegAlloc *ra, const IROp *op);

/* Store every dirty global to its home (they stay in registers). */
void ra_sync_globals(RegAlloc *ra);
/* Free registers in SET, storing live dirty values first. */
void ra_spill(RegAlloc *ra, X64RegSet set);
/* Forget registers holding globals (after a helper that may write
 * CPUState); they must be clean. */
void ra_drop_globals(RegAlloc *ra);
/* Everything to memory and no register assigned (branches, labels). */
void ra_flush(RegAlloc *ra);
/* Registers holding live values, in SET. */
X64RegSet ra_live_regs(const RegAlloc *ra, X64RegSet set);

#endif
