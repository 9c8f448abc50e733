/*
 * Segmentation: segment register loads, far transfers, descriptor-table
 * registers and the segment-checking instructions, in protected mode
 * (SDM Vol. 3A, chapters 3 and 5; Vol. 2, the pseudo-code of each
 * instruction), with the real-mode forms where they are one line.
 *
 * Call gates, task gates and task switches are not implemented: they end
 * the guest through cpu_raise_unsupported.  Descriptor-table reads and the
 * accessed/busy bit updates are implicit supervisor accesses (SDM Vol. 3A,
 * 6.2), so they use the supervisor MMU index whatever the CPL.
 */
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helper.h"
#include "memory/softmmu.h"

#define SEL_RPL 0x3u
#define SEL_TI 0x4u /* table indicator: 1 = LDT */

/* System descriptor types (SDM Vol. 3A, Table 3-2). */
enum {
    SYS_TSS16_AVAIL = 1,
    SYS_LDT = 2,
    SYS_TSS16_BUSY = 3,
    SYS_CALL_GATE16 = 4,
    SYS_TASK_GATE = 5,
    SYS_TSS32_AVAIL = 9,
    SYS_TSS32_BUSY = 11,
    SYS_CALL_GATE32 = 12,
};

/* A descriptor as read from its table, and where it lives. */
typedef struct SegDesc {
    uint32_t lo, hi;
    uint32_t addr;
} SegDesc;

static inline unsigned seg_cpl(const CPUState *env)
{
    return env->hflags & HF_CPL_MASK;
}

static inline unsigned seg_dpl(uint32_t flags)
{
    return (flags >> DESC_DPL_SHIFT) & 3;
}

static inline unsigned seg_type(uint32_t flags)
{
    return (flags >> DESC_TYPE_SHIFT) & 0xf;
}

static inline bool seg_protected(const CPUState *env)
{
    return (env->cr[0] & CR0_PE) && !(env->eflags & EFLAGS_VM);
}

static inline bool seg_is_null(uint32_t selector)
{
    return (selector & 0xfffc) == 0;
}

/* A fault whose error code is the selector (SDM Vol. 3A, 6.13). */
static _Noreturn void seg_fault(CPUState *env, int vector, uint32_t selector)
{
    cpu_raise_exception_err(env, vector, selector & 0xfffc);
}

/*
 * Read the descriptor SELECTOR names.  False when its 8 bytes are not all
 * inside the GDT or LDT limit, or it names the LDT while LDTR is null;
 * the caller raises the fault that instruction calls for.
 */
static bool seg_read_desc(CPUState *env, uint32_t selector, SegDesc *d)
{
    const SegmentCache *table = selector & SEL_TI ? &env->ldt : &env->gdt;
    uint32_t offset = selector & 0xfff8;

    if (((selector & SEL_TI) && !(env->ldt.flags & DESC_P)) ||
        (uint64_t)offset + 7 > table->limit) {
        return false;
    }
    d->addr = table->base + offset;
    d->lo = mmu_load(env, d->addr, 4, MMU_IDX_SUPER);
    d->hi = mmu_load(env, d->addr + 4, 4, MMU_IDX_SUPER);
    return true;
}

/* The descriptor of a selector that must not be null: #GP(0) if it is,
 * #GP(selector) if it lies outside its table. */
static void seg_fetch(CPUState *env, uint32_t selector, SegDesc *d)
{
    if (seg_is_null(selector)) {
        cpu_raise_exception_err(env, EXCP_GP, 0);
    }
    if (!seg_read_desc(env, selector, d)) {
        seg_fault(env, EXCP_GP, selector);
    }
}

/* Descriptor -> cache: base, byte-granular limit, attribute bits in place
 * (SDM Vol. 3A, 3.4.5). */
static void seg_cache_from_desc(SegmentCache *sc, uint32_t selector,
                                const SegDesc *d)
{
    uint32_t limit = (d->lo & 0xffff) | (d->hi & 0x000f0000);

    sc->selector = selector & 0xffff;
    sc->base = (d->lo >> 16) | ((d->hi & 0xff) << 16) | (d->hi & 0xff000000);
    sc->limit = d->hi & DESC_G ? limit << 12 | 0xfff : limit;
    sc->flags = d->hi & 0x00ffff00;
}

/* Set a type bit (accessed, or TSS busy) in the descriptor in memory, as
 * the processor does on a load (SDM Vol. 3A, 3.4.5.1), and in the cache
 * SC built from it, if any. */
static void seg_set_type_bit(CPUState *env, SegDesc *d, uint32_t bit,
                             SegmentCache *sc)
{
    if (!(d->hi & bit)) {
        d->hi |= bit;
        mmu_store(env, d->addr + 5, (d->hi >> 8) & 0xff, 1, MMU_IDX_SUPER);
    }
    if (sc) {
        sc->flags |= bit;
    }
}

/* Loaded with a null selector: the register is unusable (P clear). */
static void seg_load_null(SegmentCache *sc, uint32_t selector)
{
    sc->selector = selector & 0xffff;
    sc->base = 0;
    sc->limit = 0;
    sc->flags = 0;
}

/*
 * Real mode: base = selector * 16; limit and attributes stay as they are
 * (which is what makes "unreal mode" work).  Virtual-8086 mode also
 * forces a 64 KiB writable data segment at DPL 3 (SDM Vol. 3B, 20.1.1).
 */
static void seg_load_real(CPUState *env, int seg, uint32_t selector)
{
    SegmentCache *sc = &env->seg[seg];

    sc->selector = selector & 0xffff;
    sc->base = (selector & 0xffff) << 4;
    if (env->eflags & EFLAGS_VM) {
        sc->limit = 0xffff;
        sc->flags = DESC_P | DESC_S | DESC_RW | DESC_A | 3u << DESC_DPL_SHIFT;
    }
}

/* MOV/POP to SS, DS, ES, FS, GS in protected mode (SDM Vol. 2, MOV). */
static void seg_load_protected(CPUState *env, int seg, uint32_t selector)
{
    unsigned cpl = seg_cpl(env), rpl = selector & SEL_RPL, dpl;
    SegDesc d;

    if (seg_is_null(selector)) {
        if (seg == R_SS) {
            cpu_raise_exception_err(env, EXCP_GP, 0);
        }
        seg_load_null(&env->seg[seg], selector);
        return;
    }
    if (!seg_read_desc(env, selector, &d)) {
        seg_fault(env, EXCP_GP, selector);
    }
    dpl = seg_dpl(d.hi);
    if (seg == R_SS) {
        /* A writable data segment at exactly CPL. */
        if (rpl != cpl || dpl != cpl || !(d.hi & DESC_S) ||
            (d.hi & DESC_CODE) || !(d.hi & DESC_RW)) {
            seg_fault(env, EXCP_GP, selector);
        }
        if (!(d.hi & DESC_P)) {
            seg_fault(env, EXCP_SS, selector);
        }
    } else {
        /* Data or readable code; data and non-conforming code only at or
         * above CPL and RPL in privilege number. */
        if (!(d.hi & DESC_S) || (d.hi & (DESC_CODE | DESC_RW)) == DESC_CODE) {
            seg_fault(env, EXCP_GP, selector);
        }
        if ((d.hi & (DESC_CODE | DESC_CONFORM_EXPDOWN)) !=
                (DESC_CODE | DESC_CONFORM_EXPDOWN) &&
            (rpl > dpl || cpl > dpl)) {
            seg_fault(env, EXCP_GP, selector);
        }
        if (!(d.hi & DESC_P)) {
            seg_fault(env, EXCP_NP, selector);
        }
    }
    seg_set_type_bit(env, &d, DESC_A, NULL);
    seg_cache_from_desc(&env->seg[seg], selector, &d);
}

/* seg: R_ES..R_GS but not R_CS (MOV CS is #UD); selector: 16 bits. */
void helper_load_seg(CPUState *env, uint32_t seg, uint32_t selector)
{
    if (seg >= CPU_NB_SEGS || seg == R_CS) {
        cpu_raise_exception(env, EXCP_UD);
    }
    if (seg_protected(env)) {
        seg_load_protected(env, seg, selector & 0xffff);
    } else {
        seg_load_real(env, seg, selector);
    }
    cpu_update_hflags(env);
}

/*
 * Limit and type check of an access to [offset, offset + size - 1] through
 * segment SEG (SDM Vol. 3A, 5.3 and 5.4): #SS(0) for SS, #GP(0) for the
 * others.  Real mode checks only the limit.
 */
void helper_check_seg(CPUState *env, uint32_t seg, uint32_t offset,
                      uint32_t size, uint32_t write)
{
    const SegmentCache *sc = &env->seg[seg < CPU_NB_SEGS ? seg : R_DS];
    uint32_t flags = sc->flags;
    uint64_t last = (uint64_t)offset + (size ? size : 1) - 1;
    bool bad = false;

    if (seg_protected(env)) {
        if (!(flags & DESC_P)) {
            bad = true; /* null selector loaded: unusable */
        } else if (flags & DESC_CODE) {
            bad = write || !(flags & DESC_RW); /* code: read-only at best */
        } else {
            bad = write && !(flags & DESC_RW);
        }
    }
    if ((flags & (DESC_CODE | DESC_CONFORM_EXPDOWN)) == DESC_CONFORM_EXPDOWN) {
        /* Expand-down: valid offsets run from limit + 1 to 64 KiB or
         * 4 GiB by the B flag. */
        uint32_t upper = flags & DESC_B ? 0xffffffffu : 0xffffu;

        bad |= offset <= sc->limit || last > upper;
    } else {
        bad |= last > sc->limit;
    }
    if (bad) {
        cpu_raise_exception_err(env, seg == R_SS ? EXCP_SS : EXCP_GP, 0);
    }
}

/* ---- the stack, for far calls and returns ---- */

static inline uint32_t seg_sp_mask(const CPUState *env)
{
    return env->hflags & HF_SS32 ? 0xffffffffu : 0xffffu;
}

static inline void seg_set_sp(CPUState *env, uint32_t sp)
{
    uint32_t mask = seg_sp_mask(env);

    env->regs[R_ESP] = (env->regs[R_ESP] & ~mask) | (sp & mask);
}

/*
 * Push N values of SIZE bytes below SP (vals[0] first, at the highest
 * address), checking every slot before the first write (DESIGN.md).
 * Returns the new stack pointer; ESP itself is the caller's to commit.
 */
static uint32_t seg_push(CPUState *env, uint32_t sp, const uint32_t *vals,
                         int n, unsigned size)
{
    uint32_t mask = seg_sp_mask(env), base = env->seg[R_SS].base;
    int mmu_idx = cpu_mmu_index(env), i;

    for (i = 1; i <= n; i++) {
        uint32_t off = (sp - i * size) & mask;

        helper_check_seg(env, R_SS, off, size, 1);
        mmu_probe_write(env, base + off, size, mmu_idx);
    }
    for (i = 1; i <= n; i++) {
        mmu_store(env, base + ((sp - i * size) & mask), vals[i - 1], size,
                  mmu_idx);
    }
    return (sp - n * size) & mask;
}

/* Read N values of SIZE bytes upward from SP; returns the new SP. */
static uint32_t seg_pop(CPUState *env, uint32_t sp, uint32_t *vals, int n,
                        unsigned size)
{
    uint32_t mask = seg_sp_mask(env), base = env->seg[R_SS].base;
    int i;

    for (i = 0; i < n; i++) {
        uint32_t off = (sp + i * size) & mask;

        helper_check_seg(env, R_SS, off, size, 0);
        vals[i] = mmu_load(env, base + off, size, cpu_mmu_index(env));
    }
    return (sp + n * size) & mask;
}

/* ---- far jumps and calls (SDM Vol. 2, JMP and CALL) ---- */

/*
 * Check a far JMP/CALL target in protected mode and build its CS cache.
 * Only direct transfers to code segments are implemented.
 */
static void seg_far_target(CPUState *env, uint32_t selector, uint32_t offset,
                           SegmentCache *cs)
{
    unsigned cpl = seg_cpl(env), dpl;
    SegDesc d;

    seg_fetch(env, selector, &d);
    dpl = seg_dpl(d.hi);
    if (!(d.hi & DESC_S)) {
        switch (seg_type(d.hi)) {
        case SYS_CALL_GATE16:
        case SYS_CALL_GATE32:
            cpu_raise_unsupported(env, "far call/jmp through a call gate");
        case SYS_TASK_GATE:
        case SYS_TSS16_AVAIL:
        case SYS_TSS32_AVAIL:
            cpu_raise_unsupported(env, "task switch (far call/jmp to a "
                                       "TSS or task gate)");
        default: seg_fault(env, EXCP_GP, selector);
        }
    }
    /* A conforming segment runs at the caller's CPL, so DPL <= CPL is
     * enough; a non-conforming one needs DPL == CPL and RPL <= CPL. */
    if (!(d.hi & DESC_CODE) ||
        (d.hi & DESC_CONFORM_EXPDOWN
             ? dpl > cpl
             : (selector & SEL_RPL) > cpl || dpl != cpl)) {
        seg_fault(env, EXCP_GP, selector);
    }
    if (!(d.hi & DESC_P)) {
        seg_fault(env, EXCP_NP, selector);
    }
    seg_cache_from_desc(cs, (selector & ~SEL_RPL) | cpl, &d);
    if (offset > cs->limit) {
        cpu_raise_exception_err(env, EXCP_GP, 0);
    }
    seg_set_type_bit(env, &d, DESC_A, cs);
}

/* The CS cache of a real-mode (or virtual-8086) far transfer. */
static void seg_real_target(CPUState *env, uint32_t selector, uint32_t offset,
                            SegmentCache *cs)
{
    *cs = env->seg[R_CS];
    cs->selector = selector & 0xffff;
    cs->base = (selector & 0xffff) << 4;
    if (offset > cs->limit) {
        cpu_raise_exception_err(env, EXCP_GP, 0);
    }
}

static void seg_commit_cs(CPUState *env, const SegmentCache *cs, uint32_t eip)
{
    env->seg[R_CS] = *cs;
    env->eip = eip;
    cpu_update_hflags(env);
}

/* selector, offset (already truncated to the operand size). */
void helper_ljmp(CPUState *env, uint32_t selector, uint32_t offset)
{
    SegmentCache cs;

    if (seg_protected(env)) {
        seg_far_target(env, selector & 0xffff, offset, &cs);
    } else {
        seg_real_target(env, selector, offset, &cs);
    }
    seg_commit_cs(env, &cs, offset);
}

/*
 * opsize: 2 or 4, the size of the return-address slots; ret_eip: the
 * instruction after the call.  CS is pushed zero-extended in a 4-byte slot.
 */
void helper_lcall(CPUState *env, uint32_t selector, uint32_t offset,
                  uint32_t opsize, uint32_t ret_eip)
{
    uint32_t vals[2] = {env->seg[R_CS].selector, ret_eip};
    SegmentCache cs;
    uint32_t sp;

    if (seg_protected(env)) {
        seg_far_target(env, selector & 0xffff, offset, &cs);
    } else {
        seg_real_target(env, selector, offset, &cs);
    }
    sp = seg_push(env, env->regs[R_ESP], vals, 2, opsize);
    seg_set_sp(env, sp);
    seg_commit_cs(env, &cs, offset);
}

/* ---- far returns (SDM Vol. 2, RET and IRET) ---- */

/*
 * Check the CS selector a RET or IRET pops, in protected mode.  Returns
 * its RPL, the privilege level returned to.
 */
static unsigned seg_return_cs(CPUState *env, uint32_t selector,
                              SegmentCache *cs, SegDesc *d)
{
    unsigned rpl = selector & SEL_RPL, dpl;

    seg_fetch(env, selector, d);
    dpl = seg_dpl(d->hi);
    if (!(d->hi & DESC_S) || !(d->hi & DESC_CODE) || rpl < seg_cpl(env) ||
        (d->hi & DESC_CONFORM_EXPDOWN ? dpl > rpl : dpl != rpl)) {
        seg_fault(env, EXCP_GP, selector);
    }
    if (!(d->hi & DESC_P)) {
        seg_fault(env, EXCP_NP, selector);
    }
    seg_cache_from_desc(cs, selector, d);
    return rpl;
}

/* Check the SS selector popped on a return to privilege level RPL. */
static void seg_return_ss(CPUState *env, uint32_t selector, unsigned rpl,
                          SegmentCache *ss, SegDesc *d)
{
    seg_fetch(env, selector, d);
    if ((selector & SEL_RPL) != rpl || seg_dpl(d->hi) != rpl ||
        !(d->hi & DESC_S) || (d->hi & DESC_CODE) || !(d->hi & DESC_RW)) {
        seg_fault(env, EXCP_GP, selector);
    }
    if (!(d->hi & DESC_P)) {
        seg_fault(env, EXCP_SS, selector);
    }
    seg_cache_from_desc(ss, selector, d);
}

/* After a return to an outer level: data segments the new CPL may not
 * use become null (SDM Vol. 2, RET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL"). */
static void seg_null_inaccessible(CPUState *env)
{
    static const int segs[] = {R_ES, R_FS, R_GS, R_DS};
    unsigned cpl = seg_cpl(env), i;

    for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
        SegmentCache *sc = &env->seg[segs[i]];
        bool conforming = (sc->flags & (DESC_CODE | DESC_CONFORM_EXPDOWN)) ==
                          (DESC_CODE | DESC_CONFORM_EXPDOWN);

        if ((sc->flags & DESC_P) && !conforming && seg_dpl(sc->flags) < cpl) {
            seg_load_null(sc, 0);
        }
    }
}

/*
 * The common part of a protected-mode RET/IRET once eip and cs (and for
 * IRET eflags) are popped: checks, the stack switch of a return to an
 * outer privilege level, commit.  SP points past the popped slots;
 * POP_EXTRA is added to the stack pointer(s) after the return (RET imm16).
 */
static void seg_far_return(CPUState *env, uint32_t eip, uint32_t cs_sel,
                           uint32_t sp, unsigned opsize, uint32_t pop_extra)
{
    SegmentCache cs, ss;
    SegDesc cs_desc, ss_desc = {0, 0, 0};
    unsigned rpl = seg_return_cs(env, cs_sel & 0xffff, &cs, &cs_desc);
    bool outer = rpl != seg_cpl(env);
    uint32_t new_sp[2];

    if (outer) { /* the old stack also holds the caller's ESP and SS */
        seg_pop(env, sp + pop_extra, new_sp, 2, opsize);
        seg_return_ss(env, new_sp[1] & 0xffff, rpl, &ss, &ss_desc);
    }
    if (eip > cs.limit) {
        cpu_raise_exception_err(env, EXCP_GP, 0);
    }
    seg_set_type_bit(env, &cs_desc, DESC_A, &cs);
    if (!outer) {
        seg_set_sp(env, sp + pop_extra);
        seg_commit_cs(env, &cs, eip);
        return;
    }
    seg_set_type_bit(env, &ss_desc, DESC_A, &ss);
    env->seg[R_SS] = ss;
    seg_commit_cs(env, &cs, eip); /* new CPL, SS.B in hflags */
    if (opsize == 2) {
        new_sp[0] = (env->regs[R_ESP] & ~0xffffu) | (new_sp[0] & 0xffff);
    }
    env->regs[R_ESP] = new_sp[0];
    seg_set_sp(env, new_sp[0] + pop_extra);
    seg_null_inaccessible(env);
    cpu_update_hflags(env);
}

/* opsize: 2 or 4; pop_extra: RET's imm16 (0 for RETF without one). */
void helper_lret(CPUState *env, uint32_t opsize, uint32_t pop_extra)
{
    uint32_t vals[2], sp;

    sp = seg_pop(env, env->regs[R_ESP], vals, 2, opsize);
    if (opsize == 2) {
        vals[0] &= 0xffff;
    }
    if (seg_protected(env)) {
        seg_far_return(env, vals[0], vals[1], sp, opsize, pop_extra & 0xffff);
    } else {
        SegmentCache cs;

        seg_real_target(env, vals[1], vals[0], &cs);
        seg_set_sp(env, sp + (pop_extra & 0xffff));
        seg_commit_cs(env, &cs, vals[0]);
    }
}

/*
 * IRET (SDM Vol. 2, IRET): real mode, and protected mode returns to the
 * same or an outer level.  Nested tasks and returns to virtual-8086 mode
 * are not implemented.
 */
void helper_iret(CPUState *env, uint32_t opsize)
{
    uint32_t vals[3], sp, mask;
    unsigned cpl = seg_cpl(env);

    if (env->eflags & EFLAGS_VM) {
        helper_unsupported(env, UNSUP_VM86);
    }
    if (seg_protected(env) && (env->eflags & EFLAGS_NT)) {
        helper_unsupported(env, UNSUP_TASK_SWITCH);
    }
    sp = seg_pop(env, env->regs[R_ESP], vals, 3, opsize);
    if (opsize == 2) {
        vals[0] &= 0xffff;
    }
    if (!seg_protected(env)) {
        SegmentCache cs;

        /* Real mode keeps VM, VIF and VIP; IOPL and IF are free. */
        mask = opsize == 4 ? 0x257fd5u : 0xffffu;
        seg_real_target(env, vals[1], vals[0], &cs);
        seg_set_sp(env, sp);
        seg_commit_cs(env, &cs, vals[0]);
        cpu_set_eflags(env, vals[2], mask);
        return;
    }
    if (opsize == 4 && (vals[2] & EFLAGS_VM) && cpl == 0) {
        helper_unsupported(env, UNSUP_VM86);
    }
    /* What the old CPL may change (SDM Vol. 2, IRET: IF only if CPL <=
     * IOPL, IOPL only at CPL 0); VM cannot be set from here. */
    mask = CC_ALL | EFLAGS_TF | EFLAGS_DF | EFLAGS_NT | EFLAGS_RF | EFLAGS_AC |
           EFLAGS_ID;
    if (cpl <= ((env->eflags & EFLAGS_IOPL) >> 12)) {
        mask |= EFLAGS_IF;
    }
    if (cpl == 0) {
        mask |= EFLAGS_IOPL;
    }
    if (opsize == 2) {
        mask &= 0xffff;
    }
    seg_far_return(env, vals[0], vals[1], sp, opsize, 0);
    cpu_set_eflags(env, vals[2], mask);
}

/* ---- descriptor-table registers (SDM Vol. 2, LGDT/LIDT, SGDT/SIDT) ---- */

static void seg_require_cpl0(CPUState *env)
{
    if ((env->cr[0] & CR0_PE) && seg_cpl(env) != 0) {
        cpu_raise_exception_err(env, EXCP_GP, 0);
    }
}

/* Load a 6-byte pseudo-descriptor: limit, then base (24 bits with a
 * 16-bit operand size). */
static void seg_load_dtr(CPUState *env, SegmentCache *dtr, uint32_t addr,
                         uint32_t opsize)
{
    uint32_t limit, base;

    seg_require_cpl0(env);
    limit = mmu_load(env, addr, 2, cpu_mmu_index(env));
    base = mmu_load(env, addr + 2, 4, cpu_mmu_index(env));
    dtr->limit = limit;
    dtr->base = opsize == 2 ? base & 0xffffff : base;
}

/*
 * Store one.  With a 16-bit operand size the P6-era SDM stores 24 bits of
 * base and a zero byte (the 286 stored FFh there); that is what QEMU does
 * too.  Not privileged.
 */
static void seg_store_dtr(CPUState *env, const SegmentCache *dtr, uint32_t addr,
                          uint32_t opsize)
{
    int mmu_idx = cpu_mmu_index(env);

    mmu_probe_write(env, addr, 6, mmu_idx);
    mmu_store(env, addr, dtr->limit & 0xffff, 2, mmu_idx);
    mmu_store(env, addr + 2, opsize == 2 ? dtr->base & 0xffffff : dtr->base, 4,
              mmu_idx);
}

void helper_lgdt(CPUState *env, uint32_t addr, uint32_t opsize)
{
    seg_load_dtr(env, &env->gdt, addr, opsize);
}

void helper_lidt(CPUState *env, uint32_t addr, uint32_t opsize)
{
    seg_load_dtr(env, &env->idt, addr, opsize);
}

void helper_sgdt(CPUState *env, uint32_t addr, uint32_t opsize)
{
    seg_store_dtr(env, &env->gdt, addr, opsize);
}

void helper_sidt(CPUState *env, uint32_t addr, uint32_t opsize)
{
    seg_store_dtr(env, &env->idt, addr, opsize);
}

/* LLDT (SDM Vol. 2): a null selector leaves LDTR unusable. */
void helper_lldt(CPUState *env, uint32_t selector)
{
    SegDesc d;

    selector &= 0xffff;
    seg_require_cpl0(env);
    if (seg_is_null(selector)) {
        seg_load_null(&env->ldt, selector);
        return;
    }
    if ((selector & SEL_TI) || !seg_read_desc(env, selector, &d) ||
        (d.hi & DESC_S) || seg_type(d.hi) != SYS_LDT) {
        seg_fault(env, EXCP_GP, selector);
    }
    if (!(d.hi & DESC_P)) {
        seg_fault(env, EXCP_NP, selector);
    }
    seg_cache_from_desc(&env->ldt, selector, &d);
}

/* LTR (SDM Vol. 2): an available TSS in the GDT, then marked busy. */
void helper_ltr(CPUState *env, uint32_t selector)
{
    SegDesc d;
    unsigned type;

    selector &= 0xffff;
    seg_require_cpl0(env);
    if (selector & SEL_TI) {
        seg_fault(env, EXCP_GP, selector);
    }
    seg_fetch(env, selector, &d);
    type = seg_type(d.hi);
    if ((d.hi & DESC_S) ||
        (type != SYS_TSS16_AVAIL && type != SYS_TSS32_AVAIL)) {
        seg_fault(env, EXCP_GP, selector);
    }
    if (!(d.hi & DESC_P)) {
        seg_fault(env, EXCP_NP, selector);
    }
    seg_set_type_bit(env, &d, 2u << DESC_TYPE_SHIFT, NULL); /* busy */
    seg_cache_from_desc(&env->tr, selector, &d);
}

/* ---- LAR, LSL, VERR, VERW, ARPL (SDM Vol. 2) ---- */

static void seg_set_zf(CPUState *env, bool zf)
{
    cpu_set_eflags(env, zf ? CC_Z : 0, CC_Z);
}

/*
 * The descriptor LAR/LSL/VERR/VERW examine, if it exists and the current
 * privilege may see it (a conforming code segment is visible from any
 * level).  These instructions report failure in ZF, never by a fault.
 */
static bool seg_visible_desc(CPUState *env, uint32_t selector, SegDesc *d)
{
    unsigned dpl;

    selector &= 0xffff;
    if (seg_is_null(selector) || !seg_read_desc(env, selector, d)) {
        return false;
    }
    dpl = seg_dpl(d->hi);
    if ((d->hi & (DESC_S | DESC_CODE | DESC_CONFORM_EXPDOWN)) ==
        (DESC_S | DESC_CODE | DESC_CONFORM_EXPDOWN)) {
        return true;
    }
    return seg_cpl(env) <= dpl && (selector & SEL_RPL) <= dpl;
}

/* System types LAR accepts (all but interrupt/trap gates and reserved
 * types: bits 1-5, 9, 11, 12) and LSL accepts (those with a limit: 1-3,
 * 9, 11). */
static bool seg_sys_type_ok(unsigned type, bool for_lsl)
{
    return ((for_lsl ? 0x0a0eu : 0x1a3eu) >> type) & 1;
}

/*
 * LAR and LSL: ZF, and the access rights (bits 8-23 of the descriptor's
 * high word) or the byte-granular limit; OLD when ZF is cleared.  The SDM
 * leaves LAR's bits 16-19 (limit 19:16) undefined; hardware (the host
 * here) returns them as they are.
 */
static uint32_t seg_lar_lsl(CPUState *env, uint32_t selector, uint32_t old,
                            bool lsl)
{
    SegDesc d;
    SegmentCache sc;
    bool ok = seg_visible_desc(env, selector, &d) &&
              ((d.hi & DESC_S) || seg_sys_type_ok(seg_type(d.hi), lsl));

    seg_set_zf(env, ok);
    if (!ok) {
        return old;
    }
    seg_cache_from_desc(&sc, selector, &d);
    return lsl ? sc.limit : d.hi & 0x00ffff00;
}

uint32_t helper_lar(CPUState *env, uint32_t selector, uint32_t old)
{
    return seg_lar_lsl(env, selector, old, false);
}

uint32_t helper_lsl(CPUState *env, uint32_t selector, uint32_t old)
{
    return seg_lar_lsl(env, selector, old, true);
}

/* VERR: readable (data, or readable code). */
void helper_verr(CPUState *env, uint32_t selector)
{
    SegDesc d;
    bool ok = seg_visible_desc(env, selector, &d) && (d.hi & DESC_S) &&
              (!(d.hi & DESC_CODE) || (d.hi & DESC_RW));

    seg_set_zf(env, ok);
}

/* VERW: writable data only. */
void helper_verw(CPUState *env, uint32_t selector)
{
    SegDesc d;
    bool ok = seg_visible_desc(env, selector, &d) && (d.hi & DESC_S) &&
              !(d.hi & DESC_CODE) && (d.hi & DESC_RW);

    seg_set_zf(env, ok);
}

/* ARPL: raise DST's RPL to SRC's; ZF says whether it changed. */
uint32_t helper_arpl(CPUState *env, uint32_t dst, uint32_t src)
{
    bool adjust = (dst & SEL_RPL) < (src & SEL_RPL);

    seg_set_zf(env, adjust);
    return adjust ? (dst & ~SEL_RPL) | (src & SEL_RPL) : dst;
}

/* ---- ENTER and BOUND ---- */

/*
 * ENTER (SDM Vol. 2): push (E)BP, copy LEVEL-1 frame pointers from the
 * old frame, push the new frame pointer, allocate FRAME bytes.  The
 * pushes and frame-pointer reads use the operand size; the stack and
 * frame pointers advance with the stack size.  Every slot is checked
 * before the first write, so a fault leaves nothing half done.
 */
void helper_enter(CPUState *env, uint32_t frame, uint32_t level,
                  uint32_t opsize)
{
    uint32_t mask = seg_sp_mask(env), base = env->seg[R_SS].base;
    uint32_t sp = env->regs[R_ESP], bp = env->regs[R_EBP];
    uint32_t frame_temp, val;
    int mmu_idx = cpu_mmu_index(env);
    unsigned i, nslots;

    level &= 31;
    frame &= 0xffff;
    nslots = level ? level + 1 : 1;
    for (i = 1; i <= nslots; i++) {
        uint32_t off = (sp - i * opsize) & mask;

        helper_check_seg(env, R_SS, off, opsize, 1);
        mmu_probe_write(env, base + off, opsize, mmu_idx);
    }
    for (i = 1; i < level; i++) {
        helper_check_seg(env, R_SS, (bp - i * opsize) & mask, opsize, 0);
    }

    sp = (sp & ~mask) | ((sp - opsize) & mask);
    mmu_store(env, base + (sp & mask), bp, opsize, mmu_idx);
    frame_temp = sp;
    if (level) {
        for (i = 1; i < level; i++) {
            bp = (bp & ~mask) | ((bp - opsize) & mask);
            val = mmu_load(env, base + (bp & mask), opsize, mmu_idx);
            sp = (sp & ~mask) | ((sp - opsize) & mask);
            mmu_store(env, base + (sp & mask), val, opsize, mmu_idx);
        }
        sp = (sp & ~mask) | ((sp - opsize) & mask);
        mmu_store(env, base + (sp & mask), frame_temp, opsize, mmu_idx);
    }
    if (opsize == 4) {
        env->regs[R_EBP] = frame_temp;
    } else {
        env->regs[R_EBP] =
            (env->regs[R_EBP] & ~0xffffu) | (frame_temp & 0xffff);
    }
    seg_set_sp(env, sp - frame);
}

/* BOUND (SDM Vol. 2): signed INDEX against the pair of SIZE-byte bounds
 * at linear address ADDR; #BR when outside. */
void helper_bound(CPUState *env, uint32_t index, uint32_t addr, uint32_t size)
{
    int mmu_idx = cpu_mmu_index(env);
    unsigned shift = size == 2 ? 16 : 0;
    int32_t lower =
        (int32_t)(mmu_load(env, addr, size, mmu_idx) << shift) >> shift;
    int32_t upper =
        (int32_t)(mmu_load(env, addr + size, size, mmu_idx) << shift) >> shift;
    int32_t idx = (int32_t)(index << shift) >> shift;

    if (idx < lower || idx > upper) {
        cpu_raise_exception(env, EXCP_BR);
    }
}
