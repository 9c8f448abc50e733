/*
 * String instructions with their whole REP loop (SDM Vol. 2, MOVS CMPS
 * STOS LODS SCAS INS OUTS and REP/REPE/REPNE).
 *
 * The packed argument is size | addrsize << 4 | seg << 8 | rep << 12
 * (cpu/helper-list.h): operand size 1/2/4, address size 2/4, the source
 * segment (after any override; destinations are always ES:eDI), and rep
 * 0 (none), 1 (REP/REPE) or 2 (REPNE).
 *
 * Registers are updated after every iteration, so a fault in iteration k
 * leaves eCX/eSI/eDI as they were after iteration k-1, as on hardware.
 *
 * Each iteration is one instruction of the budget (DESIGN.md, "Budget"):
 * the block paid for the first when it was entered, each further one is
 * charged before it runs.  When the budget is spent, or another thread
 * posted a request, with iterations left, the helper returns 1 and the
 * instruction restarts from the registers as they stand, as after an
 * interrupt between iterations (SDM Vol. 2, REP).  The budget never goes
 * below zero, and an iteration that faults was charged but is refunded
 * with the instruction by the execution loop, so the count stays exact.
 */
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helper.h"
#include "memory/memory.h"
#include "memory/softmmu.h"

#include <string.h>

typedef enum StrKind {
    STR_MOVS,
    STR_CMPS,
    STR_STOS,
    STR_LODS,
    STR_SCAS,
    STR_INS,
    STR_OUTS,
} StrKind;

enum { STR_REP_NONE, STR_REP_E, STR_REP_NE };

typedef struct StrOp {
    StrKind kind;
    unsigned size;  /* operand size: 1, 2 or 4 */
    uint32_t amask; /* address size mask: 0xffff or 0xffffffff */
    int seg;        /* source segment */
    unsigned rep;
    int mmu_idx;
    uint16_t port; /* INS/OUTS: DX */
} StrOp;

static void str_decode(CPUState *env, StrKind kind, uint32_t packed, StrOp *op)
{
    op->kind = kind;
    op->size = packed & 0xf;
    op->amask = ((packed >> 4) & 0xf) == 2 ? 0xffffu : 0xffffffffu;
    op->seg = (packed >> 8) & 0xf;
    if (op->seg >= CPU_NB_SEGS) {
        op->seg = R_DS;
    }
    op->rep = (packed >> 12) & 0xf;
    op->mmu_idx = cpu_mmu_index(env);
    op->port = env->regs[R_EDX] & 0xffff;
}

static inline uint32_t str_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* Segment check of one element, skipped when hflags guarantee a flat
 * DS, ES or SS (HF_FLAT says nothing of FS and GS, nor of whether CS is
 * readable). */
static inline void str_check(CPUState *env, int seg, uint32_t off,
                             unsigned size, bool write)
{
    if (!(env->hflags & HF_FLAT) || seg == R_FS || seg == R_GS || seg == R_CS) {
        helper_check_seg(env, seg, off, size, write);
    }
}

static uint32_t str_load(CPUState *env, const StrOp *op, int seg, int reg)
{
    uint32_t off = env->regs[reg] & op->amask;

    str_check(env, seg, off, op->size, false);
    return mmu_load(env, env->seg[seg].base + off, op->size, op->mmu_idx);
}

static void str_store(CPUState *env, const StrOp *op, uint32_t value)
{
    uint32_t off = env->regs[R_EDI] & op->amask;

    str_check(env, R_ES, off, op->size, true);
    mmu_store(env, env->seg[R_ES].base + off, value, op->size, op->mmu_idx);
}

/* Step eSI or eDI by the operand size in the direction of DF, wrapping
 * within the address size. */
static inline void str_advance(CPUState *env, const StrOp *op, int reg)
{
    uint32_t v = env->regs[reg] + env->df * (int32_t)op->size;

    env->regs[reg] = (env->regs[reg] & ~op->amask) | (v & op->amask);
}

/* CMPS/SCAS: the flags of SRC1 - SRC2 as a lazy SUB; returns ZF. */
static bool str_compare(CPUState *env, const StrOp *op, uint32_t src1,
                        uint32_t src2)
{
    uint32_t mask = str_mask(op->size);

    env->cc_op = CC_OP_SUBB + cc_size_index(op->size);
    env->cc_dst = (src1 - src2) & mask;
    env->cc_src = src2 & mask;
    env->cc_src2 = src1 & mask;
    return ((src1 ^ src2) & mask) == 0;
}

/* One iteration.  Returns true when REPE/REPNE must stop after it. */
static bool str_step(CPUState *env, const StrOp *op)
{
    uint32_t a, b, off;
    bool zf;

    switch (op->kind) {
    case STR_MOVS:
        a = str_load(env, op, op->seg, R_ESI);
        str_store(env, op, a);
        str_advance(env, op, R_ESI);
        str_advance(env, op, R_EDI);
        return false;
    case STR_CMPS:
        /* SRC1 is seg:eSI, SRC2 is ES:eDI (SDM Vol. 2, CMPS). */
        a = str_load(env, op, op->seg, R_ESI);
        b = str_load(env, op, R_ES, R_EDI);
        str_advance(env, op, R_ESI);
        str_advance(env, op, R_EDI);
        zf = str_compare(env, op, a, b);
        break;
    case STR_STOS:
        str_store(env, op, env->regs[R_EAX]);
        str_advance(env, op, R_EDI);
        return false;
    case STR_LODS:
        a = str_load(env, op, op->seg, R_ESI);
        env->regs[R_EAX] = (env->regs[R_EAX] & ~str_mask(op->size)) | a;
        str_advance(env, op, R_ESI);
        return false;
    case STR_SCAS:
        b = str_load(env, op, R_ES, R_EDI);
        str_advance(env, op, R_EDI);
        zf = str_compare(env, op, env->regs[R_EAX], b);
        break;
    case STR_INS:
        /* Check the destination before reading the port, so that a fault
         * does not swallow a byte of device input. */
        off = env->regs[R_EDI] & op->amask;
        str_check(env, R_ES, off, op->size, true);
        mmu_probe_write(env, env->seg[R_ES].base + off, op->size, op->mmu_idx);
        a = ports_read(env->ports, op->port, op->size);
        str_store(env, op, a);
        str_advance(env, op, R_EDI);
        return false;
    default: /* STR_OUTS */
        a = str_load(env, op, op->seg, R_ESI);
        ports_write(env->ports, op->port, a, op->size);
        str_advance(env, op, R_ESI);
        return false;
    }
    return op->rep == STR_REP_E ? !zf : op->rep == STR_REP_NE ? zf : false;
}

/* Host pointer to the LEN bytes at linear LIN when they are plain RAM
 * on one page, hold no translated code, and (for WRITE) may be written;
 * NULL otherwise.  No paging yet: physical = linear & A20. */
static uint8_t *str_host(CPUState *env, uint32_t lin, uint32_t len, bool write)
{
    uint32_t phys = lin & env->a20_mask;

    if (write && as_is_code_page(env->as, phys & GUEST_PAGE_MASK)) {
        return NULL; /* the slow path invalidates code, element by element */
    }
    return as_ram_ptr(env->as, phys, len);
}

/*
 * REP MOVS and REP STOS in bulk: the elements that stay within the
 * current source and destination pages, done with host memory operations
 * when both are plain RAM, at most COUNT of them (what is left, and what
 * the budget allows).  Overlapping copies keep the element-by-element
 * result of the hardware.  Returns the number of elements done, 0 if the
 * case is not one for bulk (the caller then goes element by element).
 */
static uint32_t str_bulk(CPUState *env, const StrOp *op, uint32_t count)
{
    uint32_t size = op->size;
    bool up = env->df > 0;
    uint32_t di = env->regs[R_EDI], si = env->regs[R_ESI];
    uint32_t dlin = env->seg[R_ES].base + di, slin = 0;
    uint32_t n = count, room;
    uint8_t *d, *sp = NULL;

    /* 32-bit addressing over flat DS/ES/SS: no wrap, no limit to check. */
    if (op->amask != 0xffffffffu || !(env->hflags & HF_FLAT) ||
        (op->kind == STR_MOVS && op->seg != R_DS && op->seg != R_ES &&
         op->seg != R_SS)) {
        return 0;
    }
    /* Elements wholly inside the destination's (and source's) page. */
    room = up ? (GUEST_PAGE_SIZE - (dlin & ~GUEST_PAGE_MASK)) / size
              : ((dlin & ~GUEST_PAGE_MASK) + size) / size;
    n = n < room ? n : room;
    if (op->kind == STR_MOVS) {
        slin = env->seg[op->seg].base + si;
        room = up ? (GUEST_PAGE_SIZE - (slin & ~GUEST_PAGE_MASK)) / size
                  : ((slin & ~GUEST_PAGE_MASK) + size) / size;
        n = n < room ? n : room;
    }
    if (n < 2) {
        return 0;
    }
    uint32_t span = n * size;
    uint32_t dlow = up ? dlin : dlin - (span - size);
    d = str_host(env, dlow, span, true);
    if (!d) {
        return 0;
    }
    if (op->kind == STR_MOVS) {
        uint32_t slow_ = up ? slin : slin - (span - size);
        sp = str_host(env, slow_, span, false);
        if (!sp) {
            return 0;
        }
        if (d + span <= sp || sp + span <= d) {
            memcpy(d, sp, span);
        } else if (up) {
            /* Overlap: element by element in the hardware's order. */
            for (uint32_t i = 0; i < span; i += size) {
                memmove(d + i, sp + i, size);
            }
        } else {
            for (uint32_t i = span; i > 0; i -= size) {
                memmove(d + i - size, sp + i - size, size);
            }
        }
        env->regs[R_ESI] = si + (up ? span : -span);
    } else {
        uint32_t v = env->regs[R_EAX];
        if (size == 1) {
            memset(d, (uint8_t)v, span);
        } else {
            for (uint32_t i = 0; i < span; i += size) {
                memcpy(d + i, &v, size);
            }
        }
    }
    env->regs[R_EDI] = di + (up ? span : -span);
    return n;
}

static uint32_t str_run(CPUState *env, StrKind kind, uint32_t packed)
{
    StrOp op;
    /* Iterations paid for and not yet done: the block paid for one. */
    uint32_t paid = 1;

    str_decode(env, kind, packed, &op);
    if (op.rep && (env->regs[R_ECX] & op.amask) == 0) {
        return 0; /* nothing to do, not even the I/O permission check */
    }
    if (kind == STR_INS || kind == STR_OUTS) {
        helper_check_io(env, op.port, op.size);
    }
    for (;;) {
        uint32_t count = env->regs[R_ECX] & op.amask;
        /* Iterations this entry may still do. */
        uint32_t allowed = paid + (uint32_t)env->budget;
        uint32_t done = 0;
        bool stop = false;

        if (!paid && (env->budget == 0 || cpu_request_pending(env))) {
            return 1;
        }
        if (op.rep && (kind == STR_MOVS || kind == STR_STOS)) {
            done = str_bulk(env, &op, count < allowed ? count : allowed);
            env->budget -= done - (done ? paid : 0);
        }
        if (!done) {
            /* Charged before it runs: if it faults, the loop refunds the
             * whole instruction, which the block had charged once. */
            env->budget -= 1 - paid;
            stop = str_step(env, &op);
            done = 1;
        }
        paid = 0;
        if (!op.rep) {
            return 0;
        }
        count = (count - done) & op.amask;
        env->regs[R_ECX] = (env->regs[R_ECX] & ~op.amask) | count;
        if (count == 0 || stop) {
            return 0;
        }
    }
}

uint32_t helper_movs(CPUState *env, uint32_t packed)
{
    return str_run(env, STR_MOVS, packed);
}

uint32_t helper_cmps(CPUState *env, uint32_t packed)
{
    return str_run(env, STR_CMPS, packed);
}

uint32_t helper_stos(CPUState *env, uint32_t packed)
{
    return str_run(env, STR_STOS, packed);
}

uint32_t helper_lods(CPUState *env, uint32_t packed)
{
    return str_run(env, STR_LODS, packed);
}

uint32_t helper_scas(CPUState *env, uint32_t packed)
{
    return str_run(env, STR_SCAS, packed);
}

uint32_t helper_ins(CPUState *env, uint32_t packed)
{
    return str_run(env, STR_INS, packed);
}

uint32_t helper_outs(CPUState *env, uint32_t packed)
{
    return str_run(env, STR_OUTS, packed);
}
