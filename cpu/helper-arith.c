/*
 * Arithmetic helpers: divide, rotates, double shifts, decimal adjust and
 * bit scans — the ALU instructions too long for inline IR.
 *
 * Each one that changes flags leaves the lazy state as CC_OP_EFLAGS (or
 * as a plain ADD/SUB where that is exactly what the hardware computes).
 * Flags the SDM leaves undefined take the values the host CPU these tests
 * run on (AMD Zen) produces, where the lazy ops do not already fix them;
 * tests/unit/test-helpers.c compares everything with the host.
 */
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helper.h"

static inline uint32_t arith_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* Write the low SIZE bytes of a general register (AL..BL for size 1). */
static inline void arith_set_reg(CPUState *env, int reg, uint32_t value,
                                 unsigned size)
{
    uint32_t mask = arith_mask(size);

    env->regs[reg] = (env->regs[reg] & ~mask) | (value & mask);
}

static inline uint32_t arith_get_flags(const CPUState *env)
{
    return cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}

static inline void arith_set_flags(CPUState *env, uint32_t flags)
{
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = flags & CC_ALL;
}

/* SF, ZF and PF of a SIZE-byte result. */
static inline uint32_t arith_szp(uint32_t result, unsigned size)
{
    uint32_t mask = arith_mask(size);

    result &= mask;
    return cc_parity(result) | (result == 0 ? CC_Z : 0) |
           (result & (mask ^ (mask >> 1)) ? CC_S : 0);
}

/* ---- divide (SDM Vol. 2, DIV and IDIV) ---- */

/* The dividend: AX, DX:AX or EDX:EAX. */
static uint64_t arith_dividend(const CPUState *env, unsigned size)
{
    switch (size) {
    case 1: return env->regs[R_EAX] & 0xffff;
    case 2:
        return (env->regs[R_EDX] & 0xffff) << 16 | (env->regs[R_EAX] & 0xffff);
    default: return (uint64_t)env->regs[R_EDX] << 32 | env->regs[R_EAX];
    }
}

/* Quotient to AL/AX/EAX, remainder to AH/DX/EDX. */
static void arith_div_result(CPUState *env, uint32_t quot, uint32_t rem,
                             unsigned size)
{
    if (size == 1) {
        arith_set_reg(env, R_EAX, (rem & 0xff) << 8 | (quot & 0xff), 2);
    } else {
        arith_set_reg(env, R_EAX, quot, size);
        arith_set_reg(env, R_EDX, rem, size);
    }
}

/*
 * Flags after DIV and IDIV are undefined; the lazy state is left as it
 * was, so they read as before the instruction.
 */
void helper_div(CPUState *env, uint32_t divisor, uint32_t size)
{
    uint64_t dividend = arith_dividend(env, size), quot;

    divisor &= arith_mask(size);
    if (divisor == 0) {
        cpu_raise_exception(env, EXCP_DE);
    }
    quot = dividend / divisor;
    if (quot > arith_mask(size)) {
        cpu_raise_exception(env, EXCP_DE);
    }
    arith_div_result(env, quot, dividend % divisor, size);
}

void helper_idiv(CPUState *env, uint32_t divisor, uint32_t size)
{
    unsigned bits = size * 8;
    uint64_t raw = arith_dividend(env, size);
    /* Sign-extend the 2N-bit dividend and the N-bit divisor. */
    int64_t dividend = (int64_t)(raw << (64 - 2 * bits)) >> (64 - 2 * bits);
    int64_t div = (int64_t)((uint64_t)divisor << (64 - bits)) >> (64 - bits);
    int64_t quot, limit = (int64_t)1 << (bits - 1);

    if (div == 0) {
        cpu_raise_exception(env, EXCP_DE);
    }
    /* INT64_MIN / -1 would trap on the host; its quotient does not fit
     * in 32 bits anyway. */
    if (div == -1 && dividend == INT64_MIN) {
        cpu_raise_exception(env, EXCP_DE);
    }
    quot = dividend / div;
    if (quot < -limit || quot >= limit) {
        cpu_raise_exception(env, EXCP_DE);
    }
    /* C truncates toward zero and gives the remainder the dividend's
     * sign, as IDIV does. */
    arith_div_result(env, quot, dividend % div, size);
}

/* ---- rotates (SDM Vol. 2, RCL/RCR/ROL/ROR) ---- */

enum { ROT_ROL, ROT_ROR, ROT_RCL, ROT_RCR };

/*
 * kind: 0 rol, 1 ror, 2 rcl, 3 rcr; count as in the instruction (masked
 * here).  Only CF and OF change; SF ZF AF PF keep their values.
 *
 * OF is defined for 1-bit rotates only.  For every other nonzero masked
 * count this uses the 1-bit formula on the result (ROL/RCL: MSB XOR CF;
 * ROR/RCR: MSB XOR MSB-1), which is what the host does, also for RCL/RCR
 * whose count is a multiple of 9 or 17: the value and CF stay, OF is
 * recomputed.
 */
uint32_t helper_rotate(CPUState *env, uint32_t kind, uint32_t value,
                       uint32_t count, uint32_t size)
{
    unsigned bits = size * 8;
    uint32_t mask = arith_mask(size), flags, cf, of, result;
    unsigned c;

    value &= mask;
    count &= 0x1f;
    if (count == 0) {
        return value; /* flags unaffected */
    }
    flags = arith_get_flags(env);
    cf = flags & CC_C;

    switch (kind & 3) {
    case ROT_ROL:
        c = count & (bits - 1);
        result = c ? ((value << c) | (value >> (bits - c))) & mask : value;
        cf = result & 1;
        break;
    case ROT_ROR:
        c = count & (bits - 1);
        result = c ? ((value >> c) | (value << (bits - c))) & mask : value;
        cf = result >> (bits - 1);
        break;
    default: {
        /* Through CF: an (N+1)-bit rotate of CF:value.  The masked count
         * is taken modulo 9 or 17 for 8- and 16-bit operands. */
        unsigned width = bits + 1;
        uint64_t wmask = ((uint64_t)1 << width) - 1;
        uint64_t v = (uint64_t)cf << bits | value;

        c = bits < 32 ? count % width : count;
        if (c) {
            if ((kind & 3) == ROT_RCL) {
                v = ((v << c) | (v >> (width - c))) & wmask;
            } else {
                v = ((v >> c) | (v << (width - c))) & wmask;
            }
        }
        result = v & mask;
        cf = (v >> bits) & 1;
        break;
    }
    }
    if ((kind & 3) == ROT_ROL || (kind & 3) == ROT_RCL) {
        of = (result >> (bits - 1)) ^ cf;
    } else {
        of = ((result >> (bits - 1)) ^ (result >> (bits - 2))) & 1;
    }
    flags = (flags & ~(CC_C | CC_O)) | cf | (of ? CC_O : 0);
    arith_set_flags(env, flags);
    return result;
}

/* ---- double shifts (SDM Vol. 2, SHLD and SHRD) ---- */

/*
 * left: 1 for SHLD; dst, src: the operands; count masked to 5 bits; size
 * 2 or 4.  OF is defined for count 1 (sign change); for larger counts it
 * takes the host's formula (SHLD: MSB XOR CF, SHRD: MSB XOR MSB-1 of the
 * result).  AF is undefined: 0, as after SHL/SHR (the host sets it).
 *
 * The SDM leaves result and flags undefined for a 16-bit operand and a
 * count above 16.  This does what the host (AMD Zen) does: it shifts
 * dst:src:src (SHLD) or src:src:dst (SHRD) as one 48-bit value, clears CF,
 * and for SHLD clears OF too; at a count of exactly 16 SHLD's OF is CF.
 */
uint32_t helper_shiftd(CPUState *env, uint32_t left, uint32_t dst, uint32_t src,
                       uint32_t count, uint32_t size)
{
    unsigned bits = size * 8;
    uint32_t mask = arith_mask(size), result, cf, of;
    unsigned width = bits == 16 ? 48 : 64;
    uint64_t v;

    dst &= mask;
    src &= mask;
    count &= 0x1f;
    if (count == 0) {
        return dst;
    }
    if (left) {
        v = (uint64_t)dst << (width - bits) |
            (uint64_t)src << (width - 2 * bits) | (width == 48 ? src : 0);
        result = (v >> (width - bits - count)) & mask;
        cf = (v >> (width - count)) & 1;
        of = (result >> (bits - 1)) ^ cf;
    } else {
        v = (uint64_t)src << bits | dst |
            (width == 48 ? (uint64_t)src << 32 : 0);
        result = (v >> count) & mask;
        cf = (v >> (count - 1)) & 1;
        of = ((result >> (bits - 1)) ^ (result >> (bits - 2))) & 1;
    }
    if (bits == 16 && count > 16) {
        cf = 0;
        of = left ? 0 : of;
    } else if (bits == 16 && count == 16 && left) {
        of = cf;
    }
    arith_set_flags(env, arith_szp(result, size) | cf | (of ? CC_O : 0));
    return result;
}

/* ---- decimal adjust (SDM Vol. 2, DAA DAS AAA AAS AAM AAD) ---- */

/*
 * DAA and DAS: exactly the SDM pseudo-code.  OF is undefined; the host
 * sets it as the signed overflow of the whole adjustment, old AL to new AL
 * (DAA: positive to negative; DAS: negative to positive), and so do we.
 */
static void arith_decimal_adjust(CPUState *env, bool sub)
{
    uint32_t flags = arith_get_flags(env);
    uint32_t old_al = env->regs[R_EAX] & 0xff, al = old_al;
    uint32_t old_cf = flags & CC_C, cf = 0, af = 0, of;

    if ((al & 0xf) > 9 || (flags & CC_A)) {
        cf = old_cf || (sub ? al < 6 : al > 0xff - 6);
        al = (sub ? al - 6 : al + 6) & 0xff;
        af = CC_A;
    }
    if (old_al > 0x99 || old_cf) {
        al = (sub ? al - 0x60 : al + 0x60) & 0xff;
        cf = 1;
    } else if (!sub) {
        cf = 0; /* DAS keeps the borrow of the low-digit step */
    }
    of = sub ? old_al & ~al & 0x80 : ~old_al & al & 0x80;
    arith_set_reg(env, R_EAX, al, 1);
    arith_set_flags(env,
                    arith_szp(al, 1) | af | (cf ? CC_C : 0) | (of ? CC_O : 0));
}

void helper_daa(CPUState *env)
{
    arith_decimal_adjust(env, false);
}

void helper_das(CPUState *env)
{
    arith_decimal_adjust(env, true);
}

/*
 * AAA and AAS: AX +/- 106h when the low digit overflowed, then AL's high
 * nibble cleared (SDM pseudo-code, P6 and later form).  CF = AF = whether
 * it adjusted.  SF ZF PF OF are undefined: the host computes them from
 * the 16-bit add or subtract of AX and 106h (or 0) before the nibble is
 * cleared, and so do we, as lazy ADDW/SUBW flags.
 */
static void arith_ascii_adjust(CPUState *env, bool sub)
{
    uint32_t flags = arith_get_flags(env);
    uint32_t ax = env->regs[R_EAX] & 0xffff;
    bool adjust = (ax & 0xf) > 9 || (flags & CC_A);
    uint32_t delta = adjust ? 0x106 : 0;
    uint32_t res = (sub ? ax - delta : ax + delta) & 0xffff;
    uint32_t op = sub ? CC_OP_SUBW : CC_OP_ADDW;

    flags = cc_compute_all(op, res, delta, ax) & (CC_S | CC_Z | CC_P | CC_O);
    arith_set_reg(env, R_EAX, res & 0xff0f, 2);
    arith_set_flags(env, flags | (adjust ? CC_A | CC_C : 0));
}

void helper_aaa(CPUState *env)
{
    arith_ascii_adjust(env, false);
}

void helper_aas(CPUState *env)
{
    arith_ascii_adjust(env, true);
}

/* AAM: AH = AL / base, AL = AL mod base; SF ZF PF from AL.  OF AF CF are
 * undefined: 0, as the host gives. */
void helper_aam(CPUState *env, uint32_t base)
{
    uint32_t al = env->regs[R_EAX] & 0xff;

    base &= 0xff;
    if (base == 0) {
        cpu_raise_exception(env, EXCP_DE);
    }
    arith_set_reg(env, R_EAX, (al / base) << 8 | (al % base), 2);
    arith_set_flags(env, arith_szp(al % base, 1));
}

/* AAD: AL = AL + AH * base, AH = 0.  OF AF CF are undefined: the host
 * gives those of the 8-bit add AL + (AH * base), so the lazy state is
 * just that ADDB. */
void helper_aad(CPUState *env, uint32_t base)
{
    uint32_t al = env->regs[R_EAX] & 0xff;
    uint32_t prod = (((env->regs[R_EAX] >> 8) & 0xff) * (base & 0xff)) & 0xff;
    uint32_t res = (al + prod) & 0xff;

    arith_set_reg(env, R_EAX, res, 2);
    env->cc_op = CC_OP_ADDB;
    env->cc_dst = res;
    env->cc_src = prod;
    env->cc_src2 = al;
}

/* ---- bit scans (SDM Vol. 2, BSF and BSR) ---- */

/*
 * ZF = (source == 0), and then the destination keeps its old value (as
 * Intel and AMD parts do, though the SDM leaves it undefined).  CF OF SF
 * AF PF are undefined: as on the host, they are those of a logic op on the
 * result (CF OF SF AF clear, PF from the bit index; a zero source gives
 * PF = 1).
 */
static uint32_t arith_bit_scan(CPUState *env, bool reverse, uint32_t src,
                               uint32_t old, uint32_t size)
{
    uint32_t index;

    src &= arith_mask(size);
    if (src == 0) {
        arith_set_flags(env, CC_Z | CC_P);
        return old;
    }
    index = reverse ? 31 - __builtin_clz(src) : __builtin_ctz(src);
    arith_set_flags(env, cc_parity(index));
    return (old & ~arith_mask(size)) | index;
}

uint32_t helper_bsf(CPUState *env, uint32_t src, uint32_t old, uint32_t size)
{
    return arith_bit_scan(env, false, src, old, size);
}

uint32_t helper_bsr(CPUState *env, uint32_t src, uint32_t old, uint32_t size)
{
    return arith_bit_scan(env, true, src, old, size);
}
