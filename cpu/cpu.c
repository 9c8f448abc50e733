/*
 * CPU state: reset, EFLAGS assembly, the mode bits (hflags) the
 * translation depends on, unwinding to the execution loop, and the
 * register dump.
 */
#include "cpu/cpu.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cpu/flags.h"
#include "memory/softmmu.h"

/* EFLAGS bits software can ever set on this CPU.  VIF/VIP need VME, which
 * CPUID does not advertise; the others are reserved (SDM Vol. 1, 3.4.3). */
#define EFLAGS_WRITABLE                                                        \
    (CC_ALL | EFLAGS_TF | EFLAGS_IF | EFLAGS_DF | EFLAGS_IOPL | EFLAGS_NT |    \
     EFLAGS_RF | EFLAGS_VM | EFLAGS_AC | EFLAGS_ID)

static uint64_t cpu_host_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cpu_reset_seg(SegmentCache *sc, uint32_t selector, uint32_t base,
                          uint32_t flags)
{
    sc->selector = selector;
    sc->base = base;
    sc->limit = 0xffff;
    sc->flags = flags;
}

void cpu_reset(CPUState *cpu)
{
    /* What the reset does not touch: the wiring to the Machine, the
     * statistics, and the run word (the budget, and the requests other
     * threads post). */
    struct AddressSpace *as = cpu->as;
    struct PortSpace *ports = cpu->ports;
    void *machine = cpu->machine;
    uint64_t icount = cpu->icount;
    const size_t run_word = offsetof(CPUState, run_word);
    const size_t after = run_word + sizeof(cpu->run_word);
    int seg;

    /* Everything but the run word, which other threads may be writing
     * at this moment. */
    memset(cpu, 0, run_word);
    memset((char *)cpu + after, 0, sizeof(*cpu) - after);
    cpu->as = as;
    cpu->ports = ports;
    cpu->machine = machine;
    cpu->icount = icount;
    /* An empty jump-cache entry must match no block: no block has all
     * hflags bits set. */
    for (unsigned i = 0; i < JMP_CACHE_SIZE; i++) {
        cpu->jmp_cache[i].flags = UINT32_MAX;
    }

    /* Power-up state, SDM Vol. 3A, 9.1.1 and Table 9-1. */
    cpu->regs[R_EDX] = CPU_SIGNATURE;
    cpu->eip = 0xfff0;
    cpu->eflags = EFLAGS_FIXED;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->df = 1;
    for (seg = 0; seg < CPU_NB_SEGS; seg++) {
        /* Present, read/write, accessed data segments. */
        cpu_reset_seg(&cpu->seg[seg], 0, 0, DESC_P | DESC_S | DESC_RW | DESC_A);
    }
    /* CS = F000, base FFFF0000: the first fetch is at FFFFFFF0. */
    cpu_reset_seg(&cpu->seg[R_CS], 0xf000, 0xffff0000,
                  DESC_P | DESC_S | DESC_CODE | DESC_RW | DESC_A);
    cpu_reset_seg(&cpu->gdt, 0, 0, 0);
    cpu_reset_seg(&cpu->idt, 0, 0, 0);
    /* LDTR and TR: present, type LDT and busy 32-bit TSS. */
    cpu_reset_seg(&cpu->ldt, 0, 0, DESC_P | 2u << DESC_TYPE_SHIFT);
    cpu_reset_seg(&cpu->tr, 0, 0, DESC_P | 11u << DESC_TYPE_SHIFT);
    /* CD and NW set, ET hardwired to 1 on P6 (SDM Vol. 3A, 2.5). */
    cpu->cr[0] = CR0_CD | CR0_NW | CR0_ET;
    /* DR6 and DR7 reserved bits read as ones (SDM Vol. 3B, 17.2.3-4). */
    cpu->dr[6] = 0xffff0ff0;
    cpu->dr[7] = 0x00000400;
    /* The A20 gate is the board's (port 92h, keyboard controller): the
     * CPU itself passes every address line. */
    cpu->a20_mask = 0xffffffff;
    cpu->exception_index = EXCP_NONE;
    cpu->tsc_base_ns = cpu_host_ns();
    cpu_update_hflags(cpu);
    tlb_flush(cpu);
}

uint32_t cpu_get_eflags(const CPUState *cpu)
{
    return cpu->eflags | EFLAGS_FIXED |
           cc_compute_all(cpu->cc_op, cpu->cc_dst, cpu->cc_src, cpu->cc_src2) |
           (cpu->df < 0 ? EFLAGS_DF : 0);
}

void cpu_set_eflags(CPUState *cpu, uint32_t value, uint32_t mask)
{
    uint32_t eflags;

    mask &= EFLAGS_WRITABLE;
    eflags = (cpu_get_eflags(cpu) & ~mask) | (value & mask);
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->cc_src = eflags & CC_ALL;
    cpu->cc_dst = 0;
    cpu->cc_src2 = 0;
    cpu->df = eflags & EFLAGS_DF ? -1 : 1;
    cpu->eflags = (eflags & ~(CC_ALL | EFLAGS_DF)) | EFLAGS_FIXED;
    cpu_update_hflags(cpu);
}

/* Base 0, limit 4 GiB, present and expand-up: offsets need neither a base
 * add nor a limit check.  Data segments must also be writable and code
 * readable, since the frontend drops those checks too (it still checks
 * writes through a CS override, which always fault). */
static bool cpu_seg_is_flat(const SegmentCache *sc, bool code)
{
    uint32_t type_need = code ? DESC_CODE | DESC_RW : DESC_RW;
    uint32_t type_mask = code ? DESC_CODE | DESC_RW
                              : DESC_CODE | DESC_RW | DESC_CONFORM_EXPDOWN;

    return sc->base == 0 && sc->limit == 0xffffffff && (sc->flags & DESC_P) &&
           (sc->flags & type_mask) == type_need;
}

void cpu_update_hflags(CPUState *cpu)
{
    uint32_t cr0 = cpu->cr[0];
    uint32_t hf = cpu->hflags & HF_INHIBIT_IRQ; /* not derived: kept */

    if (cr0 & CR0_PE) {
        hf |= HF_PE;
        if (cpu->eflags & EFLAGS_VM) {
            /* Virtual-8086 code always runs at CPL 3 (SDM Vol. 3B,
             * 20.2.1). */
            hf |= HF_VM | 3;
        } else {
            /* CPL is the RPL of CS: every CS load sets it so (SDM Vol. 3A,
             * 5.5).  Until the first far jump after setting PE, CS still
             * holds the real-mode selector, whose RPL bits are normally
             * zero. */
            hf |= cpu->seg[R_CS].selector & HF_CPL_MASK;
        }
    }
    if (cr0 & CR0_PG) {
        hf |= HF_PG;
    }
    if (cr0 & CR0_TS) {
        hf |= HF_TS;
    }
    if (cr0 & CR0_EM) {
        hf |= HF_EM;
    }
    if (cr0 & CR0_MP) {
        hf |= HF_MP;
    }
    if (cpu->seg[R_CS].flags & DESC_B) {
        hf |= HF_CS32;
    }
    if (cpu->seg[R_SS].flags & DESC_B) {
        hf |= HF_SS32;
    }
    if (cpu->eflags & EFLAGS_TF) {
        hf |= HF_TF;
    }
    hf |= ((cpu->eflags & EFLAGS_IOPL) >> 12) << HF_IOPL_SHIFT;
    if (cpu_seg_is_flat(&cpu->seg[R_CS], true) &&
        cpu_seg_is_flat(&cpu->seg[R_SS], false) &&
        cpu_seg_is_flat(&cpu->seg[R_DS], false) &&
        cpu_seg_is_flat(&cpu->seg[R_ES], false)) {
        hf |= HF_FLAT;
    }
    cpu->hflags = hf;
}

_Noreturn void cpu_raise_exception(CPUState *cpu, int vector)
{
    cpu->exception_index = vector;
    cpu->error_code = 0;
    cpu->has_error_code = false;
    siglongjmp(cpu->jmp_env, 1);
}

_Noreturn void cpu_raise_exception_err(CPUState *cpu, int vector,
                                       uint32_t error_code)
{
    cpu->exception_index = vector;
    cpu->error_code = error_code;
    cpu->has_error_code = true;
    siglongjmp(cpu->jmp_env, 1);
}

_Noreturn void cpu_raise_unsupported(CPUState *cpu, const char *what)
{
    cpu->exit_reason = what;
    cpu->exception_index = EXCP_UNSUPPORTED;
    cpu->has_error_code = false;
    siglongjmp(cpu->jmp_env, 1);
}

_Noreturn void cpu_loop_exit(CPUState *cpu)
{
    if (cpu->exception_index == EXCP_NONE) {
        cpu->exception_index = EXCP_INTERRUPT;
    }
    siglongjmp(cpu->jmp_env, 1);
}

const char *cpu_exception_name(int vector)
{
    static const char *const names[32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
        "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", NULL,
        "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    };

    switch (vector) {
    case EXCP_NONE: return "none";
    case EXCP_INTERRUPT: return "interrupt";
    case EXCP_HLT: return "hlt";
    case EXCP_HALTED: return "halted";
    case EXCP_UNSUPPORTED: return "unsupported";
    case EXCP_SOFTINT: return "int";
    }
    if (vector >= 0 && vector < 32 && names[vector]) {
        return names[vector];
    }
    return vector >= 0 && vector < 256 ? "vector" : "?";
}

/* ---- register dump ---- */

typedef struct StateBuf {
    char *p;
    size_t left;
} StateBuf;

static void __attribute__((format(printf, 2, 3)))
cpu_fmt(StateBuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (sb->left == 0) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(sb->p, sb->left, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n >= sb->left) {
        n = sb->left - 1;
    }
    sb->p += n;
    sb->left -= n;
}

static void cpu_fmt_seg(StateBuf *sb, const char *name, const SegmentCache *sc)
{
    cpu_fmt(sb, "%-3s=%04x %08x %08x %08x\n", name, sc->selector & 0xffff,
            sc->base, sc->limit, sc->flags & 0x00ffff00);
}

void cpu_format_state(const CPUState *cpu, char *buf, size_t size)
{
    static const char *const seg_names[CPU_NB_SEGS] = {
        "ES", "CS", "SS", "DS", "FS", "GS",
    };
    StateBuf sb = {buf, size};
    uint32_t efl = cpu_get_eflags(cpu);
    int i;

    if (size) {
        buf[0] = '\0';
    }
    cpu_fmt(&sb, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", cpu->regs[R_EAX],
            cpu->regs[R_EBX], cpu->regs[R_ECX], cpu->regs[R_EDX]);
    cpu_fmt(&sb, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", cpu->regs[R_ESI],
            cpu->regs[R_EDI], cpu->regs[R_EBP], cpu->regs[R_ESP]);
    cpu_fmt(&sb, "EIP=%08x EFL=%08x [%c%c%c%c%c%c%c] CPL=%u II=%u A20=%u\n",
            cpu->eip, efl, efl & EFLAGS_DF ? 'D' : '-', efl & CC_O ? 'O' : '-',
            efl & CC_S ? 'S' : '-', efl & CC_Z ? 'Z' : '-',
            efl & CC_A ? 'A' : '-', efl & CC_P ? 'P' : '-',
            efl & CC_C ? 'C' : '-', cpu->hflags & HF_CPL_MASK,
            !!(cpu->hflags & HF_INHIBIT_IRQ), (cpu->a20_mask >> 20) & 1);
    for (i = 0; i < CPU_NB_SEGS; i++) {
        cpu_fmt_seg(&sb, seg_names[i], &cpu->seg[i]);
    }
    cpu_fmt_seg(&sb, "LDT", &cpu->ldt);
    cpu_fmt_seg(&sb, "TR", &cpu->tr);
    cpu_fmt(&sb, "GDT=     %08x %08x\n", cpu->gdt.base, cpu->gdt.limit);
    cpu_fmt(&sb, "IDT=     %08x %08x\n", cpu->idt.base, cpu->idt.limit);
    cpu_fmt(&sb, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", cpu->cr[0],
            cpu->cr[2], cpu->cr[3], cpu->cr[4]);
    cpu_fmt(&sb, "DR0=%08x DR1=%08x DR2=%08x DR3=%08x\n", cpu->dr[0],
            cpu->dr[1], cpu->dr[2], cpu->dr[3]);
    cpu_fmt(&sb, "DR6=%08x DR7=%08x\n", cpu->dr[6], cpu->dr[7]);
    cpu_fmt(&sb, "CCS=%08x CCD=%08x CCO=%s\n", cpu->cc_src, cpu->cc_dst,
            cc_op_name(cpu->cc_op));
}
