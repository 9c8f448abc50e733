/*
 * The x86-64 host as the JIT backend sees it: registers, the SysV ABI,
 * condition codes and operand sizes.  Encodings live in emit.c; this
 * header holds only facts about the target (STYLE.md, LuaJIT's split).
 */
#ifndef TRANSLATE_X64_TARGET_H
#define TRANSLATE_X64_TARGET_H

#include <stdbool.h>
#include <stdint.h>

/*
 * General-purpose registers in encoding order: the low three bits go into
 * ModRM.reg / ModRM.rm / SIB / opcode+r, bit 3 into REX.R / REX.B / REX.X
 * (SDM Vol. 2A, 2.2.1.2, Table 2-4 and 3.1.1.1, Table 3-1).  As an 8-bit
 * operand, 4..7 name spl bpl sil dil (a REX prefix is always emitted for
 * them), never ah ch dh bh.
 */
typedef enum X64Reg {
    X64_RAX, X64_RCX, X64_RDX, X64_RBX,
    X64_RSP, X64_RBP, X64_RSI, X64_RDI,
    X64_R8,  X64_R9,  X64_R10, X64_R11,
    X64_R12, X64_R13, X64_R14, X64_R15,
    X64_NREGS,
    X64_NOREG = -1,     /* no base / no index in a memory operand */
} X64Reg;

/* A set of registers, bit n for X64Reg n. */
typedef uint32_t X64RegSet;
#define X64_REGBIT(r) ((X64RegSet)1 << (r))
#define X64_ALLREGS ((X64RegSet)0xffff)

/*
 * System V AMD64 ABI, 3.2.1-3.2.3: integer arguments in rdi rsi rdx rcx r8
 * r9, result in rax (rdx:rax for 128 bits); rbx rbp rsp r12-r15 belong to
 * the caller; rsp is 16-byte aligned at the call instruction, so 8 mod 16
 * at a function's first instruction; 128 bytes below rsp are a red zone.
 */
#define X64_NARGREGS 6
#define X64_RETREG X64_RAX
#define X64_STACK_ALIGN 16
#define X64_RED_ZONE 128

#define X64_CALLEE_SAVED                                                   \
    (X64_REGBIT(X64_RBX) | X64_REGBIT(X64_RBP) | X64_REGBIT(X64_R12) |     \
     X64_REGBIT(X64_R13) | X64_REGBIT(X64_R14) | X64_REGBIT(X64_R15))
#define X64_CALLER_SAVED                                                   \
    (X64_REGBIT(X64_RAX) | X64_REGBIT(X64_RCX) | X64_REGBIT(X64_RDX) |     \
     X64_REGBIT(X64_RSI) | X64_REGBIT(X64_RDI) | X64_REGBIT(X64_R8) |      \
     X64_REGBIT(X64_R9) | X64_REGBIT(X64_R10) | X64_REGBIT(X64_R11))

/* The n-th integer argument register, 0 <= n < X64_NARGREGS. */
static inline X64Reg x64_arg_reg(unsigned n)
{
    static const uint8_t regs[X64_NARGREGS] = {
        X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9,
    };
    return (X64Reg)regs[n];
}

/*
 * Condition codes in the order of the tttn field of Jcc/SETcc/CMOVcc
 * (SDM Vol. 2A, B.1.4.7, Table B-10): 0x70+cc, 0x0f 0x80+cc, 0x0f 0x90+cc,
 * 0x0f 0x40+cc.  Flipping bit 0 negates a condition.
 */
typedef enum X64Cond {
    X64_CC_O,  X64_CC_NO, X64_CC_B,  X64_CC_AE,
    X64_CC_E,  X64_CC_NE, X64_CC_BE, X64_CC_A,
    X64_CC_S,  X64_CC_NS, X64_CC_P,  X64_CC_NP,
    X64_CC_L,  X64_CC_GE, X64_CC_LE, X64_CC_G,
    X64_NCONDS,
    /* Aliases. */
    X64_CC_C = X64_CC_B,   X64_CC_NC = X64_CC_AE,
    X64_CC_Z = X64_CC_E,   X64_CC_NZ = X64_CC_NE,
} X64Cond;

static inline X64Cond x64_cond_invert(X64Cond cc)
{
    return (X64Cond)(cc ^ 1);
}

/*
 * Operand sizes, in bytes: 1, 2, 4 or 8.  A 32-bit result written to a
 * register zero-extends into the whole 64-bit register; 8- and 16-bit
 * results leave the upper bits alone (SDM Vol. 1, 3.4.1.1).
 */
#define X64_SZ8 1u
#define X64_SZ16 2u
#define X64_SZ32 4u
#define X64_SZ64 8u

static inline bool x64_size_valid(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

#endif /* TRANSLATE_X64_TARGET_H */
