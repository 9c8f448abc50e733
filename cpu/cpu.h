/*
 * The guest CPU state of an i686 (IA-32) processor.
 *
 * Everything the translated code and the helpers read or write lives here,
 * so one CPUState is one guest CPU and two of them never share anything.
 */
#ifndef CPU_CPU_H
#define CPU_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memory/tlb.h"

/* General registers, in ModRM encoding order (SDM Vol. 2, Table 2-1). */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI, CPU_NB_REGS };

/* Segment registers, in the encoding order of the Sreg field. */
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, CPU_NB_SEGS };

/* EFLAGS bits (SDM Vol. 1, 3.4.3). */
#define CC_C 0x0001u
#define CC_P 0x0004u
#define CC_A 0x0010u
#define CC_Z 0x0040u
#define CC_S 0x0080u
#define CC_O 0x0800u
#define CC_ALL (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)
#define EFLAGS_TF 0x0100u
#define EFLAGS_IF 0x0200u
#define EFLAGS_DF 0x0400u
#define EFLAGS_IOPL 0x3000u
#define EFLAGS_NT 0x4000u
#define EFLAGS_RF 0x10000u
#define EFLAGS_VM 0x20000u
#define EFLAGS_AC 0x40000u
#define EFLAGS_VIF 0x80000u
#define EFLAGS_VIP 0x100000u
#define EFLAGS_ID 0x200000u
/* Bit 1 always reads as one (SDM Vol. 1, Figure 3-8). */
#define EFLAGS_FIXED 0x0002u

/* Control register bits (SDM Vol. 3A, 2.5). */
#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u

/* Exception vectors (SDM Vol. 3A, Table 6-1). */
enum {
    EXCP_DE = 0,
    EXCP_DB = 1,
    EXCP_NMI = 2,
    EXCP_BP = 3,
    EXCP_OF = 4,
    EXCP_BR = 5,
    EXCP_UD = 6,
    EXCP_NM = 7,
    EXCP_DF = 8,
    EXCP_TS = 10,
    EXCP_NP = 11,
    EXCP_SS = 12,
    EXCP_GP = 13,
    EXCP_PF = 14,
    EXCP_MF = 16,
    EXCP_AC = 17,
    EXCP_MC = 18,
};

/*
 * Reasons the execution loop is left other than an exception.  They share
 * the number space of cpu->exception_index with the vectors above.
 */
enum {
    EXCP_NONE = -1,
    EXCP_INTERRUPT = 0x100, /* budget spent or exit requested */
    EXCP_HLT,               /* hlt with interrupts that cannot arrive */
    EXCP_HALTED,            /* the machine asked to stop (debug exit...) */
    EXCP_UNSUPPORTED,       /* guest used a feature this version lacks */
    EXCP_SOFTINT,           /* int n / int3 / into: vector in soft_vector */
    EXCP_SMC,               /* the running block wrote its own code */
};

/*
 * A segment descriptor cache (SDM Vol. 3A, 3.4.3): what the processor keeps
 * of the descriptor once the selector is loaded.
 */
typedef struct SegmentCache {
    uint32_t selector;
    uint32_t base;
    uint32_t limit; /* in bytes, granularity already applied */
    uint32_t flags; /* descriptor high dword bits 8..23 (type, S, DPL, P,
                       AVL, D/B, G), in place: DESC_* below */
} SegmentCache;

#define DESC_TYPE_SHIFT 8
#define DESC_S (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_P (1u << 15)
#define DESC_B (1u << 22) /* D/B: 32-bit segment */
#define DESC_G (1u << 23)
#define DESC_CODE (1u << 11) /* type bit 3: code segment */
#define DESC_CONFORM_EXPDOWN (1u << 10) /* type bit 2 */
#define DESC_RW (1u << 9) /* type bit 1: readable code / writable data */
#define DESC_A (1u << 8)

/*
 * Mode bits the translation depends on; they are part of every
 * translation block's key (DESIGN.md).
 */
#define HF_CPL_MASK 0x0003u
#define HF_CS32 (1u << 2) /* CS.D: default operand/address size 32 */
#define HF_SS32 (1u << 3) /* SS.B: 32-bit stack pointer */
#define HF_PE (1u << 4)
#define HF_VM (1u << 5)
#define HF_PG (1u << 6)
#define HF_FLAT (1u << 7) /* CS, DS, ES, SS: base 0, limit 4 GiB, so the
                             frontend may drop base adds and limit checks */
#define HF_TF (1u << 8)
#define HF_IOPL_SHIFT 9 /* two bits */
#define HF_INHIBIT_IRQ (1u << 11) /* interrupt shadow after mov ss / sti */
#define HF_TS (1u << 12)
#define HF_EM (1u << 13)
#define HF_MP (1u << 14)

/* CPUID.1:EAX and EDX after reset: family 6, model 1, stepping 9 (a
 * Pentium Pro, the first i686; SDM Vol. 3A, 9.1.4). */
#define CPU_SIGNATURE 0x00000619u

/*
 * The jump cache: translated code by guest pc, consulted by translated
 * code itself at indirect jumps, returns and calls, so that they need not
 * go back to the execution loop (DESIGN.md, "Chaining").  An entry is 32
 * bytes so that generated code can index it with a shift.
 */
#define JMP_CACHE_BITS 12
#define JMP_CACHE_SIZE (1u << JMP_CACHE_BITS)
typedef struct JmpCacheEntry {
    uint32_t pc;      /* linear address; 0 with code NULL when empty */
    uint32_t flags;   /* hflags of the block */
    uint32_t cs_base;
    uint32_t pad;
    uintptr_t code;   /* host code to jump to */
    const void *tb;
} JmpCacheEntry;

static inline unsigned jmp_cache_index(uint32_t pc)
{
    return pc & (JMP_CACHE_SIZE - 1);
}

/*
 * Requests to the CPU's execution loop (CPUState.request), posted by any
 * thread and taken at the next block boundary.  CPU_REQ_POSTED goes with
 * every request, so that a posted high half stays negative even after a
 * block's subtraction borrows from it.
 */
#define CPU_REQ_POSTED 0x80000000u
#define CPU_REQ_EXIT 0x00000001u  /* back to the loop (status changed) */
#define CPU_REQ_LEAVE 0x00000002u /* machine_run returns, guest runnable */
#define CPU_REQ_WORK 0x00000004u  /* run the Machine's queued work */

/* Number of 32-bit scratch slots the IR interpreter uses for block-local
 * temps; bounds the temps of one block. */
#define CPU_NB_IR_TEMPS 512

typedef struct CPUState {
    /* ---- touched by translated code: keep at the start ---- */
    uint32_t regs[CPU_NB_REGS];
    uint32_t eip;
    /*
     * Lazy flags (DESIGN.md): cc_op says which operation last set the
     * arithmetic flags; cc_dst is its result, cc_src and cc_src2 its
     * operands (see cpu/flags.h for each op's convention).  The arithmetic
     * flags in eflags are stale unless cc_op == CC_OP_EFLAGS.
     */
    uint32_t cc_op;
    uint32_t cc_dst;
    uint32_t cc_src;
    uint32_t cc_src2;
    /* EFLAGS without CF PF AF ZF SF OF and DF (kept elsewhere). */
    uint32_t eflags;
    /* Direction flag as the string stride sign: +1 or -1. */
    int32_t df;
    /*
     * The run word (DESIGN.md, "Budget"; docs/ARCHITECTURE.md).  Its low
     * half, budget, is how many more instructions this CPU may run before
     * it returns to the execution loop: never negative, and written only
     * by the thread running the CPU.  Its high half, request, holds the
     * CPU_REQ_* bits that any thread posts with an atomic OR.  Each block
     * loads the whole word, subtracts its instruction count and runs only
     * if the result is not negative, then stores the low half back: a
     * request makes the word negative, and so does a budget smaller than
     * the block (the borrow turns an empty high half into all ones).  The
     * block's store never touches the high half, so a request posted
     * meanwhile cannot be lost.
     */
    union {
        uint64_t run_word;
        struct {
            int32_t budget;
            uint32_t request;
        };
    };
    uint32_t hflags;
    SegmentCache seg[CPU_NB_SEGS];
    uint32_t cr[5];
    SegmentCache gdt, idt, ldt, tr; /* gdt/idt: base and limit only */
    uint32_t a20_mask;
    SoftTLB tlb;

    /* ---- exceptions and exits ---- */
    int exception_index; /* EXCP_* */
    uint32_t error_code;
    bool has_error_code;
    uint32_t soft_vector; /* for EXCP_SOFTINT */
    uint32_t fault_addr;  /* for #PF later; for reports */
    const char *exit_reason; /* human-readable text for EXCP_UNSUPPORTED */
    sigjmp_buf jmp_env;
    /* Where a running block stands, for restoring precise state: the
     * block and the index of the instruction that is executing. */
    const void *cur_tb;
    int32_t cur_insn;

    uint64_t icount; /* instructions retired (for statistics, rdtsc) */
    uint64_t tsc_offset;
    /* Host CLOCK_MONOTONIC time (ns) at reset: the TSC counts from it at
     * a nominal 1 GHz, plus tsc_offset. */
    uint64_t tsc_base_ns;
    /* eip after the int n / int3 / into that raised EXCP_SOFTINT: the
     * return address its delivery pushes. */
    uint32_t next_eip;
    /* Debug registers DR0-DR7 (SDM Vol. 3B, 17.2); stored only, no
     * breakpoints yet.  DR4/DR5 alias DR6/DR7. */
    uint32_t dr[8];

    /* The memory this CPU sees, and the Machine it belongs to (opaque at
     * this layer). */
    struct AddressSpace *as;
    struct PortSpace *ports;
    void *machine;

    /* Block-local temps of the IR interpreter, and the home of JIT
     * locals spilled from host registers. */
    uint32_t ir_temps[CPU_NB_IR_TEMPS];

    JmpCacheEntry jmp_cache[JMP_CACHE_SIZE];
} CPUState;

/* Reset to the state the multiboot spec and later firmware code expect to
 * modify: flat 32-bit protected mode is set by the loader, not here. */
void cpu_reset(CPUState *cpu);

/* Full EFLAGS value, computing the lazy arithmetic flags. */
uint32_t cpu_get_eflags(const CPUState *cpu);
/* Load EFLAGS; mask says which bits may change (the others are kept). */
void cpu_set_eflags(CPUState *cpu, uint32_t value, uint32_t mask);

/* Recompute cpu->hflags after a change of CR0, a segment load or EFLAGS. */
void cpu_update_hflags(CPUState *cpu);

/*
 * Raise a guest exception: unwinds to the execution loop with siglongjmp.
 * Never returns.  The loop restores the precise state of the faulting
 * instruction from the running block's table.
 */
_Noreturn void cpu_raise_exception(CPUState *cpu, int vector);
_Noreturn void cpu_raise_exception_err(CPUState *cpu, int vector,
                                       uint32_t error_code);
/* End the guest: it used something this version does not support. */
_Noreturn void cpu_raise_unsupported(CPUState *cpu, const char *what);
/* Leave the running block at once: the caller already stored the state
 * of the next instruction (eip etc.). */
_Noreturn void cpu_loop_exit(CPUState *cpu);

/* Post request BITS (CPU_REQ_*) to CPU from any thread. */
static inline void cpu_request(CPUState *cpu, uint32_t bits)
{
    __atomic_fetch_or(&cpu->request, bits | CPU_REQ_POSTED, __ATOMIC_RELEASE);
}

/* Whether a request is pending (a cheap look for long helpers). */
static inline bool cpu_request_pending(const CPUState *cpu)
{
    return __atomic_load_n(&cpu->request, __ATOMIC_RELAXED) != 0;
}

/* Take every pending request: the bits, without CPU_REQ_POSTED.  The
 * running thread only. */
static inline uint32_t cpu_request_take(CPUState *cpu)
{
    return __atomic_exchange_n(&cpu->request, 0, __ATOMIC_ACQUIRE) &
           ~CPU_REQ_POSTED;
}

/* Human-readable name of an exception vector ("#GP", "#UD" ...). */
const char *cpu_exception_name(int vector);

/* Write a register dump (QEMU's "info registers" shape) to buf. */
void cpu_format_state(const CPUState *cpu, char *buf, size_t size);

#endif
