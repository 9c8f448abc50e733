/*
 * x86-64 instruction emitter: one function per host instruction form,
 * writing machine code into a byte buffer.  It knows encodings and
 * nothing else (the IR lowering is lower.c's); every form is checked
 * against Capstone by tests/unit/test-x64-emit.c.
 *
 * Conventions:
 *  - `size` is the operand size in bytes (1, 2, 4, 8) wherever the
 *    hardware has several; functions without it have a fixed size.
 *  - Two-operand forms take the destination first, as Intel syntax does:
 *    x64_alu_rm(e, X64_ADD, 4, X64_RAX, m) is "add eax, dword ptr [m]".
 *  - _rr, _ri, _rm, _mr, _mi name the operand kinds (register, immediate,
 *    memory) in that order.
 *  - Emitters never touch the host flags beyond what the instruction
 *    itself does: x64_mov_ri(…, 0) is a mov, never a flag-clobbering xor,
 *    because lower.c keeps guest flags live in the host flags.
 *  - An instruction is written only if X64_MAX_INSN bytes are free;
 *    otherwise nothing is written and `overflow` is set, so the buffer
 *    always ends on an instruction boundary.  Code from an emitter that
 *    overflowed must not be run (the caller flushes and retranslates).
 */
#ifndef TRANSLATE_X64_EMIT_H
#define TRANSLATE_X64_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "translate/x64/target.h"

/* Longest x86 instruction (SDM Vol. 2A, 2.3.11). */
#define X64_MAX_INSN 15

typedef struct X64Emit {
    uint8_t *buf;    /* where bytes are written */
    uintptr_t base;  /* the address buf[0] will execute at (the code buffer
                        is mapped twice: written through one view, run
                        through another) */
    size_t pos, cap;
    bool overflow;   /* set instead of writing past cap */
} X64Emit;

/*
 * A memory operand [base + index*scale + disp].  base and index may be
 * X64_NOREG; index may not be rsp (SIB.index 100 means "no index").
 * scale is 1, 2, 4 or 8 and ignored without an index.  disp8 or disp32
 * is chosen automatically.  Without a base, disp is an absolute address
 * (sign-extended from 32 bits).
 */
typedef struct X64Mem {
    X64Reg base, index;
    uint8_t scale;
    int32_t disp;
} X64Mem;

static inline X64Mem x64_mem(X64Reg base, int32_t disp)
{
    return (X64Mem){ .base = base, .index = X64_NOREG, .scale = 1,
                     .disp = disp };
}

static inline X64Mem x64_mem_index(X64Reg base, X64Reg index,
                                   unsigned scale, int32_t disp)
{
    return (X64Mem){ .base = base, .index = index, .scale = (uint8_t)scale,
                     .disp = disp };
}

void x64_emit_init(X64Emit *e, uint8_t *buf, uintptr_t base, size_t cap);

/* The execution address of the next instruction. */
static inline uintptr_t x64_here(const X64Emit *e)
{
    return e->base + e->pos;
}

/* ---- Moves -------------------------------------------------------------- */

void x64_mov_rr(X64Emit *e, unsigned size, X64Reg dst, X64Reg src);
/* imm is truncated to size.  For size 8 the shortest of: mov r32, imm32
 * (zero-extends), mov r64, simm32, movabs r64, imm64. */
void x64_mov_ri(X64Emit *e, unsigned size, X64Reg dst, uint64_t imm);
void x64_mov_rm(X64Emit *e, unsigned size, X64Reg dst, X64Mem m);
void x64_mov_mr(X64Emit *e, unsigned size, X64Mem m, X64Reg src);
/* imm is truncated to size 1/2, sign-extended to size 8. */
void x64_mov_mi(X64Emit *e, unsigned size, X64Mem m, int32_t imm);
/* Zero/sign extension from ssize to dsize (dsize > ssize).  movzx with
 * ssize 4 is "mov r32, r/m32" (which zero-extends); movsx with ssize 4
 * is movsxd (dsize 8). */
void x64_movzx_rr(X64Emit *e, unsigned dsize, unsigned ssize,
                  X64Reg dst, X64Reg src);
void x64_movzx_rm(X64Emit *e, unsigned dsize, unsigned ssize,
                  X64Reg dst, X64Mem m);
void x64_movsx_rr(X64Emit *e, unsigned dsize, unsigned ssize,
                  X64Reg dst, X64Reg src);
void x64_movsx_rm(X64Emit *e, unsigned dsize, unsigned ssize,
                  X64Reg dst, X64Mem m);
void x64_lea(X64Emit *e, unsigned size, X64Reg dst, X64Mem m);
void x64_xchg_rr(X64Emit *e, unsigned size, X64Reg a, X64Reg b);
/* Always locked by the hardware (SDM Vol. 2B, XCHG). */
void x64_xchg_mr(X64Emit *e, unsigned size, X64Mem m, X64Reg r);
/* Compares rAX with the destination; see x64_lock for atomicity. */
void x64_cmpxchg_rr(X64Emit *e, unsigned size, X64Reg dst, X64Reg src);
void x64_cmpxchg_mr(X64Emit *e, unsigned size, X64Mem m, X64Reg src);
/* A LOCK prefix for the next (memory-destination) instruction. */
void x64_lock(X64Emit *e);

/* ---- Arithmetic and logic ----------------------------------------------- */

/* Group 1, in ModRM.reg order (SDM Vol. 2A, A.4.2, Table A-6). */
typedef enum X64Alu {
    X64_ADD, X64_OR, X64_ADC, X64_SBB, X64_AND, X64_SUB, X64_XOR, X64_CMP,
} X64Alu;

/* Immediates are truncated to size 1/2 and sign-extended to size 8; the
 * sign-extended imm8 form is used where the value fits. */
void x64_alu_rr(X64Emit *e, X64Alu op, unsigned size, X64Reg dst, X64Reg src);
void x64_alu_ri(X64Emit *e, X64Alu op, unsigned size, X64Reg dst,
                int32_t imm);
void x64_alu_rm(X64Emit *e, X64Alu op, unsigned size, X64Reg dst, X64Mem m);
void x64_alu_mr(X64Emit *e, X64Alu op, unsigned size, X64Mem m, X64Reg src);
void x64_alu_mi(X64Emit *e, X64Alu op, unsigned size, X64Mem m, int32_t imm);
void x64_test_rr(X64Emit *e, unsigned size, X64Reg a, X64Reg b);
void x64_test_ri(X64Emit *e, unsigned size, X64Reg r, int32_t imm);
void x64_test_mi(X64Emit *e, unsigned size, X64Mem m, int32_t imm);

/* One-operand groups 3, 4 and 5.  MUL, IMUL1, DIV and IDIV work on
 * rDX:rAX (AX for size 1). */
typedef enum X64Unary {
    X64_INC, X64_DEC, X64_NOT, X64_NEG, X64_MUL, X64_IMUL1, X64_DIV, X64_IDIV,
} X64Unary;

void x64_unary_r(X64Emit *e, X64Unary op, unsigned size, X64Reg r);
void x64_unary_m(X64Emit *e, X64Unary op, unsigned size, X64Mem m);
/* Two- and three-operand imul (sizes 2, 4, 8). */
void x64_imul_rr(X64Emit *e, unsigned size, X64Reg dst, X64Reg src);
void x64_imul_rm(X64Emit *e, unsigned size, X64Reg dst, X64Mem m);
void x64_imul_rri(X64Emit *e, unsigned size, X64Reg dst, X64Reg src,
                  int32_t imm);
/* cwd/cdq/cqo (sign of rAX into rDX) and cbw/cwde/cdqe (sign-extend
 * the lower half of rAX into rAX); size 2, 4 or 8. */
void x64_cwd(X64Emit *e, unsigned size);
void x64_cbw(X64Emit *e, unsigned size);

/* Group 2, in ModRM.reg order (SDM Vol. 2A, Table A-6). */
typedef enum X64Shift {
    X64_ROL, X64_ROR, X64_RCL, X64_RCR, X64_SHL, X64_SHR, X64_SAR = 7,
} X64Shift;

/* A count of 1 uses the short by-one form.  The hardware masks counts
 * to 5 bits (6 for size 8). */
void x64_shift_ri(X64Emit *e, X64Shift op, unsigned size, X64Reg r,
                  uint8_t count);
void x64_shift_rcl(X64Emit *e, X64Shift op, unsigned size, X64Reg r);
/* Double shifts dst:src (sizes 2, 4, 8). */
void x64_shld_ri(X64Emit *e, unsigned size, X64Reg dst, X64Reg src,
                 uint8_t count);
void x64_shld_rcl(X64Emit *e, unsigned size, X64Reg dst, X64Reg src);
void x64_shrd_ri(X64Emit *e, unsigned size, X64Reg dst, X64Reg src,
                 uint8_t count);
void x64_shrd_rcl(X64Emit *e, unsigned size, X64Reg dst, X64Reg src);

/* Size 4 or 8. */
void x64_bswap(X64Emit *e, unsigned size, X64Reg r);
/* RORX dst, src, count (BMI2): rotate right into another register,
 * flags untouched.  Only where the host has BMI2. */
void x64_rorx(X64Emit *e, unsigned size, X64Reg dst, X64Reg src,
              uint8_t count);

/* Group 8 bit tests, in ModRM.reg order (SDM Vol. 2A, Table A-6). */
typedef enum X64BitOp { X64_BT = 4, X64_BTS, X64_BTR, X64_BTC } X64BitOp;

/* Sizes 2, 4, 8; the bit offset selects CF. */
void x64_bt_ri(X64Emit *e, X64BitOp op, unsigned size, X64Reg r, uint8_t bit);
void x64_bt_rr(X64Emit *e, X64BitOp op, unsigned size, X64Reg r,
               X64Reg bit);
void x64_bsf(X64Emit *e, unsigned size, X64Reg dst, X64Reg src);
void x64_bsr(X64Emit *e, unsigned size, X64Reg dst, X64Reg src);

/* setcc writes the 8-bit register; cmovcc takes sizes 2, 4, 8. */
void x64_setcc(X64Emit *e, X64Cond cc, X64Reg r);
void x64_cmov(X64Emit *e, X64Cond cc, unsigned size, X64Reg dst, X64Reg src);

/* ---- Stack and flags ---------------------------------------------------- */

void x64_push_r(X64Emit *e, X64Reg r);
void x64_pop_r(X64Emit *e, X64Reg r);
/* Pushes imm sign-extended to 64 bits. */
void x64_push_i(X64Emit *e, int32_t imm);
void x64_pushfq(X64Emit *e);
void x64_popfq(X64Emit *e);
/* AH <-> SF ZF AF PF CF.  In 64-bit mode they need CPUID.80000001H:
 * ECX.LAHF-SAHF[bit 0], which every x86-64 CPU since 2005 has. */
void x64_lahf(X64Emit *e);
void x64_sahf(X64Emit *e);

/* ---- Control transfer --------------------------------------------------- */

/*
 * Direct transfers take the absolute execution address of the target.
 * They return false, writing nothing, if the target is out of reach of
 * rel32 (±2 GiB from the end of the instruction); an overflowing buffer
 * is reported through `overflow` only.
 */
bool x64_call(X64Emit *e, uintptr_t target);
/* call target, through movabs scratch + call scratch if out of reach. */
void x64_call_via(X64Emit *e, uintptr_t target, X64Reg scratch);
void x64_call_r(X64Emit *e, X64Reg r);
void x64_call_m(X64Emit *e, X64Mem m);
/* x64_jmp and x64_jcc use rel8 where it reaches; the "32" forms always
 * use rel32 (patchable). */
bool x64_jmp(X64Emit *e, uintptr_t target);
bool x64_jmp32(X64Emit *e, uintptr_t target);
bool x64_jcc(X64Emit *e, X64Cond cc, uintptr_t target);
bool x64_jcc32(X64Emit *e, X64Cond cc, uintptr_t target);
void x64_jmp_r(X64Emit *e, X64Reg r);
void x64_jmp_m(X64Emit *e, X64Mem m);
void x64_ret(X64Emit *e);

/*
 * Forward branches.  x64_jmp_fwd/x64_jcc_fwd emit a rel32 branch and
 * return the position (in buf) of its rel32, or X64_NOPATCH if the
 * buffer overflowed; x64_patch_here points it at the next instruction.
 * The 8-bit forms do the same with rel8; x64_patch8_here returns false
 * if the distance does not fit.  Patch functions ignore X64_NOPATCH.
 */
#define X64_NOPATCH SIZE_MAX
size_t x64_jmp_fwd(X64Emit *e);
size_t x64_jcc_fwd(X64Emit *e, X64Cond cc);
void x64_patch_here(X64Emit *e, size_t patch_pos);
size_t x64_jmp8_fwd(X64Emit *e);
size_t x64_jcc8_fwd(X64Emit *e, X64Cond cc);
bool x64_patch8_here(X64Emit *e, size_t patch_pos);

/*
 * Re-point the rel32 at rw_at (writable view; rx_at is its execution
 * address) to target, e.g. to chain blocks.  Returns false, writing
 * nothing, if out of reach.  A 4-byte aligned rel32 is stored with one
 * atomic store, so a thread running the code sees the old or the new
 * target, never a mix; x64_align_for_patch arranges that alignment.
 */
bool x64_patch_rel32(uint8_t *rw_at, uintptr_t rx_at, uintptr_t target);
/* Pad with NOPs so that the rel32 of a jmp (x64_jmp32, x64_jmp_fwd)
 * emitted next is 4-byte aligned.  Both views of the code buffer must
 * have the same alignment mod 4 (they do when page-aligned). */
void x64_align_for_patch(X64Emit *e);

/* ---- Miscellaneous ------------------------------------------------------ */

/* n bytes of the recommended multi-byte NOPs. */
void x64_nop(X64Emit *e, size_t n);
void x64_ud2(X64Emit *e);
void x64_int3(X64Emit *e);

#endif /* TRANSLATE_X64_EMIT_H */
