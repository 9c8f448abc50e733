/*
 * System instructions: control and debug registers, CPUID, the TSC and
 * MSRs, HLT, software interrupts and exceptions raised by the frontend,
 * CMPXCHG8B, and the "not supported yet" exit.
 */
#include <time.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helper.h"
#include "memory/softmmu.h"

/* CR0 bits that exist on a P6 (SDM Vol. 3A, 2.5); the rest read as 0. */
#define CR0_DEFINED                                                            \
    (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM |   \
     CR0_NW | CR0_CD | CR0_PG)

/* CR4 bits of the features CPUID advertises: only TSD, which comes with
 * the TSC (SDM Vol. 3A, 2.5).  Setting any other is #GP(0). */
#define CR4_TSD 0x00000004u
#define CR4_WRITABLE CR4_TSD

/* CPUID.1:EDX feature bits (SDM Vol. 2, CPUID, Table 3-11). */
#define CPUID_TSC (1u << 4)
#define CPUID_MSR (1u << 5)
#define CPUID_CX8 (1u << 8)
#define CPUID_CMOV (1u << 15)

/* MSRs (SDM Vol. 4, Table 2-2). */
#define MSR_IA32_TSC 0x10
#define MSR_IA32_BIOS_SIGN_ID 0x8b

static const char *const unsup_messages[UNSUP_COUNT] = {
    [UNSUP_PAGING] = "paging (CR0.PG)",
    [UNSUP_REAL_MODE] = "return to real mode (clearing CR0.PE)",
    [UNSUP_VM86] = "virtual-8086 mode",
    [UNSUP_TASK_SWITCH] = "hardware task switch",
};

/* Privileged instructions: #GP(0) outside ring 0 in protected mode
 * (virtual-8086 code runs at CPL 3, so it is caught too). */
static void sys_require_cpl0(CPUState *env)
{
    if ((env->cr[0] & CR0_PE) && (env->hflags & HF_CPL_MASK) != 0) {
        cpu_raise_exception_err(env, EXCP_GP, 0);
    }
}

/*
 * MOV to CR0 and LMSW (SDM Vol. 2, MOV—Move to/from Control Registers).
 * Invalid combinations are #GP(0); writes to reserved bits are ignored
 * (only CR4's reserved bits fault in 32-bit mode), ET is hardwired to 1.
 */
static void sys_write_cr0(CPUState *env, uint32_t value)
{
    uint32_t old = env->cr[0];

    value = (value & CR0_DEFINED) | CR0_ET;
    if (((value & CR0_PG) && !(value & CR0_PE)) ||
        ((value & CR0_NW) && !(value & CR0_CD))) {
        cpu_raise_exception_err(env, EXCP_GP, 0);
    }
    if (value & CR0_PG) {
        helper_unsupported(env, UNSUP_PAGING);
    }
    if ((old & CR0_PE) && !(value & CR0_PE)) {
        helper_unsupported(env, UNSUP_REAL_MODE);
    }
    env->cr[0] = value;
    if ((old ^ value) & (CR0_PE | CR0_WP | CR0_PG)) {
        tlb_flush(env);
    }
    cpu_update_hflags(env);
}

/* n: 0, 2, 3 or 4 (CR1 and CR5-7 are #UD). */
void helper_write_cr(CPUState *env, uint32_t n, uint32_t value)
{
    sys_require_cpl0(env);
    switch (n) {
    case 0: sys_write_cr0(env, value); break;
    case 2: env->cr[2] = value; break;
    case 3:
        env->cr[3] = value;
        tlb_flush(env);
        break;
    case 4:
        if (value & ~CR4_WRITABLE) {
            cpu_raise_exception_err(env, EXCP_GP, 0);
        }
        env->cr[4] = value;
        cpu_update_hflags(env);
        break;
    default: cpu_raise_exception(env, EXCP_UD);
    }
}

uint32_t helper_read_cr(CPUState *env, uint32_t n)
{
    sys_require_cpl0(env);
    if (n == 1 || n > 4) {
        cpu_raise_exception(env, EXCP_UD);
    }
    return env->cr[n];
}

/*
 * Debug registers (SDM Vol. 3B, 17.2): stored, no breakpoints yet.  With
 * CR4.DE clear (it cannot be set here), DR4/DR5 are DR6/DR7.  DR6 and DR7
 * keep their fixed bits: DR6 bits 4-11 and 16-31 read 1 (bit 12 reads 0
 * on P6), DR7 bit 10 reads 1 and bits 11, 12, 14, 15 read 0.
 */
static unsigned sys_dr_index(CPUState *env, uint32_t n)
{
    sys_require_cpl0(env);
    if (n > 7) {
        cpu_raise_exception(env, EXCP_UD);
    }
    return n == 4 || n == 5 ? n + 2 : n;
}

void helper_write_dr(CPUState *env, uint32_t n, uint32_t value)
{
    unsigned i = sys_dr_index(env, n);

    if (i == 6) {
        value = (value & 0x0000e00fu) | 0xffff0ff0u;
    } else if (i == 7) {
        value = (value & 0xffff23ffu) | 0x00000400u;
    }
    env->dr[i] = value;
}

uint32_t helper_read_dr(CPUState *env, uint32_t n)
{
    return env->dr[sys_dr_index(env, n)];
}

/* LMSW: loads PE MP EM TS from the low 4 bits; can set PE, never clear
 * it (SDM Vol. 2, LMSW). */
void helper_lmsw(CPUState *env, uint32_t value)
{
    sys_require_cpl0(env);
    sys_write_cr0(env,
                  (env->cr[0] & ~0xfu) | (value & 0xf) | (env->cr[0] & CR0_PE));
}

void helper_clts(CPUState *env)
{
    sys_require_cpl0(env);
    env->cr[0] &= ~CR0_TS;
    cpu_update_hflags(env);
}

void helper_invlpg(CPUState *env, uint32_t addr)
{
    sys_require_cpl0(env);
    tlb_flush_page(env, addr);
}

/*
 * CPUID (SDM Vol. 2): a GenuineIntel family 6 part advertising only what
 * is implemented — TSC, MSR (for the TSC MSR), CX8 and CMOV; no FPU, MMX,
 * SSE, PSE, PAE, APIC or SYSENTER.  Leaves above the maximum (1),
 * including the extended 8000_0000h range, return the highest basic
 * leaf, as Intel processors do.
 */
void helper_cpuid(CPUState *env)
{
    uint32_t leaf = env->regs[R_EAX];

    if (leaf > 1) {
        leaf = 1;
    }
    if (leaf == 0) {
        env->regs[R_EAX] = 1;
        env->regs[R_EBX] = 0x756e6547; /* "Genu" */
        env->regs[R_EDX] = 0x49656e69; /* "ineI" */
        env->regs[R_ECX] = 0x6c65746e; /* "ntel" */
    } else {
        env->regs[R_EAX] = CPU_SIGNATURE;
        env->regs[R_EBX] = 0; /* no brand index, CLFLUSH size, APIC ID */
        env->regs[R_ECX] = 0;
        env->regs[R_EDX] = CPUID_TSC | CPUID_MSR | CPUID_CX8 | CPUID_CMOV;
    }
}

/* The TSC: host monotonic time since reset at a nominal 1 GHz, plus the
 * offset WRMSR sets.  (It moves to the Machine's virtual clock when that
 * exists, so -icount runs stay reproducible.) */
static uint64_t sys_read_tsc(const CPUState *env)
{
    struct timespec ts;
    uint64_t now;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return now - env->tsc_base_ns + env->tsc_offset;
}

/* RDTSC: #GP(0) when CR4.TSD restricts it to ring 0 (SDM Vol. 2). */
void helper_rdtsc(CPUState *env)
{
    uint64_t tsc;

    if ((env->cr[4] & CR4_TSD) && (env->cr[0] & CR0_PE) &&
        (env->hflags & HF_CPL_MASK) != 0) {
        cpu_raise_exception_err(env, EXCP_GP, 0);
    }
    tsc = sys_read_tsc(env);
    env->regs[R_EAX] = (uint32_t)tsc;
    env->regs[R_EDX] = (uint32_t)(tsc >> 32);
}

/*
 * RDMSR/WRMSR (SDM Vol. 2): ECX selects the MSR, EDX:EAX is the value.
 * Implemented: the TSC, and the microcode signature register, which
 * Linux reads on every family 6 Intel part (it reads 0: no update loaded;
 * writing it only asks the processor to refresh it).  Others: #GP(0).
 */
void helper_rdmsr(CPUState *env)
{
    uint64_t value;

    sys_require_cpl0(env);
    switch (env->regs[R_ECX]) {
    case MSR_IA32_TSC: value = sys_read_tsc(env); break;
    case MSR_IA32_BIOS_SIGN_ID: value = 0; break;
    default: cpu_raise_exception_err(env, EXCP_GP, 0);
    }
    env->regs[R_EAX] = (uint32_t)value;
    env->regs[R_EDX] = (uint32_t)(value >> 32);
}

void helper_wrmsr(CPUState *env)
{
    sys_require_cpl0(env);
    switch (env->regs[R_ECX]) {
    case MSR_IA32_TSC:
        /* P6: only the low 32 bits can be written; the high 32 bits are
         * cleared (SDM Vol. 3B, 17.17). */
        env->tsc_offset += (uint64_t)env->regs[R_EAX] - sys_read_tsc(env);
        break;
    case MSR_IA32_BIOS_SIGN_ID: break;
    default: cpu_raise_exception_err(env, EXCP_GP, 0);
    }
}

/* HLT: privileged; the loop resumes after it once an interrupt can
 * arrive. */
void helper_hlt(CPUState *env, uint32_t next_eip)
{
    sys_require_cpl0(env);
    env->eip = next_eip;
    env->exception_index = EXCP_HLT;
    cpu_loop_exit(env);
}

/* An exception the frontend detected at the current instruction (#UD,
 * #NM ...). */
void helper_raise(CPUState *env, uint32_t vector)
{
    cpu_raise_exception(env, vector);
}

void helper_raise_err(CPUState *env, uint32_t vector, uint32_t error_code)
{
    cpu_raise_exception_err(env, vector, error_code);
}

/* INT n, INT3, INTO: a trap, delivered later by the loop, returning to
 * next_eip. */
void helper_softint(CPUState *env, uint32_t vector, uint32_t next_eip)
{
    env->soft_vector = vector & 0xff;
    env->next_eip = next_eip;
    env->has_error_code = false;
    env->exception_index = EXCP_SOFTINT;
    cpu_loop_exit(env);
}

/*
 * CMPXCHG8B m64 (SDM Vol. 2): compare EDX:EAX with the operand; equal:
 * store ECX:EBX; else load it into EDX:EAX and write it back unchanged
 * (the destination is always written).  Only ZF changes.
 */
void helper_cmpxchg8b(CPUState *env, uint32_t addr)
{
    int mmu_idx = cpu_mmu_index(env);
    uint32_t lo, hi;
    bool equal;

    mmu_probe_write(env, addr, 8, mmu_idx);
    lo = mmu_load(env, addr, 4, mmu_idx);
    hi = mmu_load(env, addr + 4, 4, mmu_idx);
    equal = lo == env->regs[R_EAX] && hi == env->regs[R_EDX];
    if (equal) {
        mmu_store(env, addr, env->regs[R_EBX], 4, mmu_idx);
        mmu_store(env, addr + 4, env->regs[R_ECX], 4, mmu_idx);
    } else {
        mmu_store(env, addr, lo, 4, mmu_idx);
        mmu_store(env, addr + 4, hi, 4, mmu_idx);
        env->regs[R_EAX] = lo;
        env->regs[R_EDX] = hi;
    }
    cpu_set_eflags(env, equal ? CC_Z : 0, CC_Z);
}

/* which: UNSUP_*; ends the guest with that feature's name. */
void helper_unsupported(CPUState *env, uint32_t which)
{
    cpu_raise_unsupported(env, which < UNSUP_COUNT ? unsup_messages[which]
                                                   : "unknown feature");
}
