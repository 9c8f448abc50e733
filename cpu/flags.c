/*
 * Lazy arithmetic flags: computing CF PF AF ZF SF OF from the recorded
 * operation (conventions in cpu/flags.h), and the condition codes of
 * Jcc/SETcc/CMOVcc.
 *
 * Defined flags follow SDM Vol. 2 (each instruction's "Flags Affected").
 * Where the SDM leaves a flag undefined, the value chosen is the one the
 * lazy state can express and that the common Intel model (as QEMU and
 * Bochs compute it) gives; each choice is listed at its op below.
 * tests/unit/test-flags.c checks every defined flag against the host CPU.
 */
#include "cpu/flags.h"

#include "cpu/cpu.h"
#include "cpu/helper.h"

/* The operation kinds of CC_OPS, without size. */
enum {
#define CC_KIND(name) CC_KIND_##name,
    CC_OPS(CC_KIND)
#undef CC_KIND
};

/* clang-format off */
static const char *const cc_op_names[CC_OP_NB] = {
    [CC_OP_EFLAGS] = "EFLAGS",
#define CC_OP_NAMES(name)                                                      \
    [CC_OP_##name##B] = #name "B", [CC_OP_##name##W] = #name "W",              \
    [CC_OP_##name##L] = #name "L",
    CC_OPS(CC_OP_NAMES)
#undef CC_OP_NAMES
};
/* clang-format on */

/* Kind and operand width in bits of a sized op (op != CC_OP_EFLAGS). */
static inline unsigned cc_kind(uint32_t op)
{
    return (op - 1) / 3;
}

static inline unsigned cc_bits(uint32_t op)
{
    return 8u << ((op - 1) % 3);
}

static inline uint32_t cc_mask(unsigned bits)
{
    return bits == 32 ? 0xffffffffu : (1u << bits) - 1;
}

static inline int32_t cc_sext(uint32_t value, unsigned bits)
{
    return (int32_t)(value << (32 - bits)) >> (32 - bits);
}

uint32_t cc_parity(uint32_t value)
{
    /* PF: set when the low byte has an even number of ones
     * (SDM Vol. 1, 3.4.3.1). */
    return __builtin_parity(value & 0xff) ? 0 : CC_P;
}

/* CF for a sized op; operands masked to the op's width. */
static uint32_t cc_carry(unsigned kind, unsigned bits, uint32_t dst,
                         uint32_t src, uint32_t src2)
{
    uint32_t mask = cc_mask(bits);
    uint32_t carry_in;

    switch (kind) {
    case CC_KIND_ADD: return dst < src2;
    case CC_KIND_ADC:
        /* With a carry in, dst == src2 means the sum wrapped exactly. */
        carry_in = (dst - src2 - src) & mask;
        return carry_in ? dst <= src2 : dst < src2;
    case CC_KIND_SUB: return src2 < src;
    case CC_KIND_SBB:
        carry_in = (src2 - src - dst) & mask;
        return carry_in ? src2 <= src : src2 < src;
    case CC_KIND_INC:
    case CC_KIND_DEC: return src & 1;
    case CC_KIND_SHL:
        /* Last bit shifted out.  For count >= width the SDM leaves CF
         * undefined; this gives 0, the bit that went out last. */
        return (src >> (bits - 1)) & 1;
    case CC_KIND_SHR:
    case CC_KIND_SAR: return src & 1;
    case CC_KIND_MUL:
    case CC_KIND_IMUL: return src != 0;
    default: /* LOGIC */ return 0;
    }
}

uint32_t cc_compute_all(uint32_t op, uint32_t dst, uint32_t src, uint32_t src2)
{
    unsigned kind, bits;
    uint32_t mask, sign, flags, of = 0, af = 0;

    if (op == CC_OP_EFLAGS) {
        return src & CC_ALL;
    }
    if (op >= CC_OP_NB) {
        return 0; /* CC_OP_DYNAMIC never reaches run time */
    }
    kind = cc_kind(op);
    bits = cc_bits(op);
    mask = cc_mask(bits);
    sign = 1u << (bits - 1);
    dst &= mask;
    if (kind <= CC_KIND_SBB) {
        src &= mask;
        src2 &= mask;
    }

    flags = cc_carry(kind, bits, dst, src, src2) | cc_parity(dst) |
            (dst == 0 ? CC_Z : 0) | (dst & sign ? CC_S : 0);

    switch (kind) {
    case CC_KIND_ADD:
    case CC_KIND_ADC:
        /* Overflow: both operands of one sign, the result of the other. */
        of = ~(src2 ^ src) & (src2 ^ dst) & sign;
        af = (src2 ^ src ^ dst) & CC_A;
        break;
    case CC_KIND_SUB:
    case CC_KIND_SBB:
        of = (src2 ^ src) & (src2 ^ dst) & sign;
        af = (src2 ^ src ^ dst) & CC_A;
        break;
    case CC_KIND_INC:
        of = dst == sign;
        af = (dst & 0xf) == 0 ? CC_A : 0;
        break;
    case CC_KIND_DEC:
        of = dst == sign - 1;
        af = (dst & 0xf) == 0xf ? CC_A : 0;
        break;
    case CC_KIND_SHL:
        /* OF = MSB(result) XOR CF, defined for count 1 (SDM SAL/SAR/SHL/
         * SHR); larger counts get the same formula, which is what the
         * AMD Zen host gives and what Bochs models for Intel.  AF is
         * undefined for any nonzero count: 0 here, as QEMU and Bochs
         * have it (AMD Zen sets it to 1). */
        of = ((dst >> (bits - 1)) ^ (src >> (bits - 1))) & 1;
        break;
    case CC_KIND_SHR:
        /* OF = MSB of the original operand for count 1; for larger counts
         * bit N-1 of dst >> (count-1), which is MSB(result) XOR the bit
         * below it, as hardware computes.  AF: 0 as for SHL. */
        of = (src >> (bits - 1)) & 1;
        break;
    case CC_KIND_MUL:
    case CC_KIND_IMUL:
        /* CF = OF: the upper half is significant.  SF, ZF, PF (and AF)
         * are undefined: SF ZF PF from the low half and AF = 0, as on
         * Intel P6 and later (AMD Zen keeps their old values). */
        of = src != 0;
        break;
    default:
        /* LOGIC: OF = CF = 0; AF undefined, 0 as on Intel and AMD.
         * SAR: OF = 0 for count 1 and in practice for all counts; AF 0. */
        break;
    }
    return flags | (of ? CC_O : 0) | af;
}

uint32_t cc_compute_c(uint32_t op, uint32_t dst, uint32_t src, uint32_t src2)
{
    unsigned kind, bits;
    uint32_t mask;

    if (op == CC_OP_EFLAGS) {
        return src & CC_C;
    }
    if (op >= CC_OP_NB) {
        return 0;
    }
    kind = cc_kind(op);
    bits = cc_bits(op);
    mask = cc_mask(bits);
    if (kind <= CC_KIND_SBB) {
        return cc_carry(kind, bits, dst & mask, src & mask, src2 & mask);
    }
    return cc_carry(kind, bits, dst & mask, src, src2);
}

uint32_t cc_cond_from_eflags(uint32_t cond, uint32_t eflags)
{
    bool cf = eflags & CC_C, zf = eflags & CC_Z, sf = eflags & CC_S;
    bool of = eflags & CC_O, pf = eflags & CC_P;
    bool r;

    /* Conditions come in pairs: odd codes negate (SDM Vol. 1, B.1). */
    switch ((cond >> 1) & 7) {
    case 0: r = of; break;
    case 1: r = cf; break;
    case 2: r = zf; break;
    case 3: r = cf || zf; break;
    case 4: r = sf; break;
    case 5: r = pf; break;
    case 6: r = sf != of; break;
    default: r = zf || sf != of; break;
    }
    return r ^ (cond & 1);
}

uint32_t cc_eval_cond(uint32_t cond, uint32_t op, uint32_t dst, uint32_t src,
                      uint32_t src2)
{
    unsigned kind, bits;
    uint32_t mask;
    bool r;

    if (op == CC_OP_EFLAGS || op >= CC_OP_NB) {
        return cc_cond_from_eflags(cond, cc_compute_all(op, dst, src, src2));
    }
    cond &= 15;
    kind = cc_kind(op);
    bits = cc_bits(op);
    mask = cc_mask(bits);
    /* The frequent reader after CMP/SUB and after TEST/AND/OR: answer
     * from the operands without building EFLAGS. */
    switch ((cond >> 1) & 7) {
    case 1: /* B */ r = cc_compute_c(op, dst, src, src2); break;
    case 2: /* E */ r = (dst & mask) == 0; break;
    case 4: /* S */ r = (dst >> (bits - 1)) & 1; break;
    case 3: /* BE */
        if (kind == CC_KIND_SUB) {
            r = (src2 & mask) <= (src & mask);
            break;
        }
        /* fall through */
    default:
        if (kind == CC_KIND_SUB && cond >= CC_COND_L) {
            int32_t a = cc_sext(src2, bits), b = cc_sext(src, bits);

            r = cond < CC_COND_LE ? a < b : a <= b;
            break;
        }
        return cc_cond_from_eflags(cond, cc_compute_all(op, dst, src, src2));
    }
    return r ^ (cond & 1);
}

const char *cc_op_name(uint32_t op)
{
    if (op == (uint32_t)CC_OP_DYNAMIC) {
        return "DYNAMIC";
    }
    return op < CC_OP_NB ? cc_op_names[op] : "?";
}

/* ---- helpers (cpu/helper-list.h) ---- */

uint32_t helper_cc_compute_all(CPUState *env, uint32_t op, uint32_t dst,
                               uint32_t src, uint32_t src2)
{
    return cc_compute_all(op, dst, src, src2);
}

uint32_t helper_cc_compute_c(CPUState *env, uint32_t op, uint32_t dst,
                             uint32_t src, uint32_t src2)
{
    return cc_compute_c(op, dst, src, src2);
}

uint32_t helper_read_eflags(CPUState *env)
{
    return cpu_get_eflags(env);
}

/* value, mask: the frontend decides which bits popf/iret may change at
 * the current CPL and IOPL (SDM Vol. 2, POPF). */
void helper_write_eflags(CPUState *env, uint32_t value, uint32_t mask)
{
    cpu_set_eflags(env, value, mask);
}
