/*
 * The x86-64 backend's register allocator (see regalloc.h).
 */
#include <stddef.h>
#include <string.h>

#include "cpu/cpu.h"
#include "translate/x64/regalloc.h"

static const uint8_t ra_order[] = {
    /* callee-saved first: they survive helper calls */
    X64_R12, X64_R13, X64_R14, X64_R15, X64_RBX, X64_RSI,
    X64_RDI, X64_R8,  X64_R9,  X64_R10, X64_R11,
};

void ra_init(RegAlloc *ra, X64Emit *e, const IRBlock *b)
{
    ra->e = e;
    ra->b = b;
    ra->locked = 0;
    ra->cursor = 0;
    ra->cur_op = 0;
    for (int r = 0; r < X64_NREGS; r++) {
        ra->owner[r] = -1;
    }
    for (int i = 0; i < b->ntemps; i++) {
        const IRTemp *t = &b->temps[i];
        ra->t[i] = (RATemp){.reg = -1,
                            .dirty = false,
                            .in_mem = t->kind == IR_TEMP_GLOBAL,
                            .last_use = -1};
    }
    /* Last reads, for freeing registers of dead locals. */
    for (int k = 0; k < b->nops; k++) {
        const IROp *op = &b->ops[k];
        for (int i = op->nout; i < op->nout + op->nin; i++) {
            ra->t[op->args[i]].last_use = k;
        }
    }
}

X64Mem ra_home(const RegAlloc *ra, IRVal t)
{
    const IRTemp *tp = &ra->b->temps[t];
    if (tp->kind == IR_TEMP_GLOBAL) {
        return x64_mem(RA_ENV, (int32_t)tp->val);
    }
    return x64_mem(RA_ENV,
                   (int32_t)(offsetof(CPUState, ir_temps) + 4 * tp->val));
}

void ra_begin_op(RegAlloc *ra, int index)
{
    ra->locked = 0;
    ra->cur_op = index;
}

bool ra_dies(const RegAlloc *ra, IRVal t)
{
    return ra->b->temps[t].kind == IR_TEMP_LOCAL &&
           ra->t[t].last_use <= ra->cur_op;
}

/* Still needed at or after the current op (so a value spilled while the
 * op itself reads it is stored). */
static bool ra_live(const RegAlloc *ra, int t)
{
    const IRTemp *tp = &ra->b->temps[t];
    return tp->kind == IR_TEMP_GLOBAL ||
           (tp->kind == IR_TEMP_LOCAL && ra->t[t].last_use >= ra->cur_op);
}

/* Free register R: store its value home if that is still needed. */
static void ra_free_reg(RegAlloc *ra, X64Reg r)
{
    int t = ra->owner[r];
    if (t < 0) {
        return;
    }
    if (ra->t[t].dirty && ra_live(ra, t)) {
        x64_mov_mr(ra->e, 4, ra_home(ra, t), r);
        ra->t[t].in_mem = true;
    }
    ra->t[t].dirty = false;
    ra->t[t].reg = -1;
    ra->owner[r] = -1;
}

static X64Reg ra_alloc_reg(RegAlloc *ra)
{
    const unsigned n = sizeof(ra_order);

    for (unsigned i = 0; i < n; i++) {
        X64Reg r = ra_order[i];
        if (ra->owner[r] < 0 && !(ra->locked & X64_REGBIT(r))) {
            return r;
        }
    }
    /* Evict: a clean value first (no store), else round robin. */
    for (unsigned i = 0; i < n; i++) {
        X64Reg r = ra_order[i];
        int t = ra->owner[r];
        if (!(ra->locked & X64_REGBIT(r)) && !ra->t[t].dirty) {
            ra_free_reg(ra, r);
            return r;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        X64Reg r = ra_order[(ra->cursor + i) % n];
        if (!(ra->locked & X64_REGBIT(r))) {
            ra->cursor = (ra->cursor + i + 1) % n;
            ra_free_reg(ra, r);
            return r;
        }
    }
    /* An op never locks more than a few registers. */
    return X64_NOREG;
}

X64Reg ra_in(RegAlloc *ra, IRVal t)
{
    RATemp *rt = &ra->t[t];
    X64Reg r;

    if (rt->reg >= 0) {
        ra->locked |= X64_REGBIT(rt->reg);
        return rt->reg;
    }
    r = ra_alloc_reg(ra);
    if (ra_is_const(ra, t)) {
        x64_mov_ri(ra->e, 4, r, ra_const(ra, t));
    } else if (rt->in_mem) {
        x64_mov_rm(ra->e, 4, r, ra_home(ra, t));
    } else {
        /* A local read before any write: IR from the frontend never does
         * this; zero keeps the code well-defined. */
        x64_mov_ri(ra->e, 4, r, 0);
    }
    rt->reg = r;
    rt->dirty = false;
    ra->owner[r] = t;
    ra->locked |= X64_REGBIT(r);
    return r;
}

X64Reg ra_out(RegAlloc *ra, IRVal t)
{
    RATemp *rt = &ra->t[t];
    X64Reg r = rt->reg;

    if (r < 0) {
        r = ra_alloc_reg(ra);
        rt->reg = r;
        ra->owner[r] = t;
    }
    rt->dirty = true;
    rt->in_mem = false;
    ra->locked |= X64_REGBIT(r);
    return r;
}

void ra_end_op(RegAlloc *ra, const IROp *op)
{
    for (int i = 0; i < op->nout + op->nin; i++) {
        IRVal t = op->args[i];
        if (ra_dies(ra, t) && ra->t[t].reg >= 0) {
            ra->owner[ra->t[t].reg] = -1;
            ra->t[t].reg = -1;
            ra->t[t].dirty = false;
        }
    }
    /* Constants cached in registers are cheap to reload: free them so
     * they do not crowd out temps. */
    for (int r = 0; r < X64_NREGS; r++) {
        int t = ra->owner[r];
        if (t >= 0 && ra_is_const(ra, t)) {
            ra->t[t].reg = -1;
            ra->owner[r] = -1;
        }
    }
    ra->locked = 0;
}

void ra_rename(RegAlloc *ra, IRVal dst, IRVal src)
{
    RATemp *d = &ra->t[dst], *s = &ra->t[src];
    int r = s->reg;

    if (d->reg >= 0) {
        ra->owner[d->reg] = -1;
        ra->locked &= ~X64_REGBIT(d->reg);
    }
    ra->owner[r] = dst;
    d->reg = r;
    d->dirty = true;
    d->in_mem = false;
    s->reg = -1;
    s->dirty = false;
}

void ra_forget(RegAlloc *ra, IRVal t)
{
    RATemp *rt = &ra->t[t];
    if (rt->reg >= 0) {
        ra->owner[rt->reg] = -1;
        ra->locked &= ~X64_REGBIT(rt->reg);
    }
    rt->reg = -1;
    rt->dirty = false;
    rt->in_mem = true;
}

void ra_release_dying(RegAlloc *ra, const IROp *op)
{
    for (int i = op->nout; i < op->nout + op->nin; i++) {
        IRVal t = op->args[i];
        if (ra_dies(ra, t) && ra->t[t].reg >= 0) {
            ra->owner[ra->t[t].reg] = -1;
            ra->t[t].reg = -1;
            ra->t[t].dirty = false;
        }
    }
}

void ra_sync_globals(RegAlloc *ra)
{
    for (int r = 0; r < X64_NREGS; r++) {
        int t = ra->owner[r];
        if (t >= 0 && ra->b->temps[t].kind == IR_TEMP_GLOBAL &&
            ra->t[t].dirty) {
            x64_mov_mr(ra->e, 4, ra_home(ra, t), r);
            ra->t[t].dirty = false;
            ra->t[t].in_mem = true;
        }
    }
}

void ra_spill(RegAlloc *ra, X64RegSet set)
{
    for (int r = 0; r < X64_NREGS; r++) {
        if ((set & X64_REGBIT(r)) && ra->owner[r] >= 0) {
            ra_free_reg(ra, r);
        }
    }
}

void ra_drop_globals(RegAlloc *ra)
{
    for (int r = 0; r < X64_NREGS; r++) {
        int t = ra->owner[r];
        if (t >= 0 && ra->b->temps[t].kind == IR_TEMP_GLOBAL) {
            ra->t[t].reg = -1;
            ra->t[t].in_mem = true;
            ra->owner[r] = -1;
        }
    }
}

void ra_flush(RegAlloc *ra)
{
    ra_spill(ra, X64_ALLREGS);
}

X64RegSet ra_live_regs(const RegAlloc *ra, X64RegSet set)
{
    X64RegSet live = 0;
    for (int r = 0; r < X64_NREGS; r++) {
        if ((set & X64_REGBIT(r)) && ra->owner[r] >= 0) {
            live |= X64_REGBIT(r);
        }
    }
    return live;
}
