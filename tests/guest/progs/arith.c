/*
 * arith: every two-operand ALU instruction, the unary ones and all shifts
 * and rotates, at 8, 16 and 32 bits, on a table of edge values plus
 * pseudo-random ones, with the carry flag both clear and set on entry.
 * Results and the flags the SDM defines for each instruction are folded
 * into a checksum; flags it leaves undefined are masked out, so a correct
 * emulator must match the host CPU exactly.  A second part mixes 8/16/32
 * bit C types so the compiler emits movsx/movzx and partial-register code.
 */
#include "rt.h"

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define ALL_FLAGS (CF | PF | AF | ZF | SF | OF)

/*
 * Each helper loads the arithmetic flags from fin, runs one instruction
 * and returns the flags after it.  Only arithmetic flags are loaded, so
 * popf never touches TF, IF, DF or IOPL.
 */
#define DEF_BINOP(fn, insn, type, dc, sc)                                   \
    static inline uint32_t fn(type *d, type s, uint32_t fin)                \
    {                                                                       \
        uint32_t fout;                                                      \
        __asm__("pushl %[fin]\n\tpopfl\n\t" insn " %[s], %[d]\n\t"          \
                "pushfl\n\tpopl %[fout]"                                    \
                : [d] dc(*d), [fout] "=&r"(fout)                            \
                : [s] sc(s), [fin] "r"(fin)                                 \
                : "cc");                                                    \
        return fout;                                                        \
    }

#define DEF_BINOPS(name)                                                    \
    DEF_BINOP(name##8, #name "b", uint8_t, "+q", "q")                       \
    DEF_BINOP(name##16, #name "w", uint16_t, "+r", "r")                     \
    DEF_BINOP(name##32, #name "l", uint32_t, "+r", "r")                     \
    DEF_BINOP(name##32m, #name "l", uint32_t, "+m", "r")

DEF_BINOPS(add)
DEF_BINOPS(adc)
DEF_BINOPS(sub)
DEF_BINOPS(sbb)
DEF_BINOPS(and)
DEF_BINOPS(or)
DEF_BINOPS(xor)
DEF_BINOPS(cmp)
DEF_BINOPS(test)

#define DEF_UNOP(fn, insn, type, dc)                                        \
    static inline uint32_t fn(type *d, uint32_t fin)                        \
    {                                                                       \
        uint32_t fout;                                                      \
        __asm__("pushl %[fin]\n\tpopfl\n\t" insn " %[d]\n\t"                \
                "pushfl\n\tpopl %[fout]"                                    \
                : [d] dc(*d), [fout] "=&r"(fout)                            \
                : [fin] "r"(fin)                                            \
                : "cc");                                                    \
        return fout;                                                        \
    }

#define DEF_UNOPS(name)                                                     \
    DEF_UNOP(name##8, #name "b", uint8_t, "+q")                             \
    DEF_UNOP(name##16, #name "w", uint16_t, "+r")                           \
    DEF_UNOP(name##32, #name "l", uint32_t, "+r")                           \
    DEF_UNOP(name##32m, #name "l", uint32_t, "+m")

DEF_UNOPS(inc)
DEF_UNOPS(dec)
DEF_UNOPS(neg)
DEF_UNOPS(not)

/* Shifts and rotates by cl: the count is masked to 5 bits by the CPU. */
#define DEF_SHIFT(fn, insn, type, dc)                                       \
    static inline uint32_t fn(type *d, uint8_t count, uint32_t fin)         \
    {                                                                       \
        uint32_t fout;                                                      \
        __asm__("pushl %[fin]\n\tpopfl\n\t" insn " %%cl, %[d]\n\t"          \
                "pushfl\n\tpopl %[fout]"                                    \
                : [d] dc(*d), [fout] "=&r"(fout)                            \
                : "c"(count), [fin] "r"(fin)                                \
                : "cc");                                                    \
        return fout;                                                        \
    }

#define DEF_SHIFTS(name)                                                    \
    DEF_SHIFT(name##8, #name "b", uint8_t, "+q")                            \
    DEF_SHIFT(name##16, #name "w", uint16_t, "+r")                          \
    DEF_SHIFT(name##32, #name "l", uint32_t, "+r")                          \
    DEF_SHIFT(name##32m, #name "l", uint32_t, "+m")

DEF_SHIFTS(shl)
DEF_SHIFTS(shr)
DEF_SHIFTS(sar)
DEF_SHIFTS(rol)
DEF_SHIFTS(ror)
DEF_SHIFTS(rcl)
DEF_SHIFTS(rcr)

/* Shift by an immediate: the D1 (by one) and C1 (by imm8) encodings. */
static inline uint32_t shifts_imm32(uint32_t *d, uint32_t fin)
{
    uint32_t fout;

    __asm__("pushl %[fin]\n\tpopfl\n\t"
            "shll $1, %[d]\n\t"
            "rorl $7, %[d]\n\t"
            "sarl $3, %[d]\n\t"
            "rcll $1, %[d]\n\t"
            "shrw $1, %w[d]\n\t"
            "rolb $1, %b[d]\n\t"
            "pushfl\n\tpopl %[fout]"
            : [d] "+q"(*d), [fout] "=&r"(fout)
            : [fin] "r"(fin)
            : "cc");
    return fout;
}

static uint32_t sum;

static inline void fold(uint32_t result, uint32_t flags, uint32_t mask)
{
    sum = mix32(sum, result);
    sum = mix32(sum, flags & mask);
}

static const uint32_t edge[] = {
    0x00000000, 0x00000001, 0x00000002, 0x0000007f, 0x00000080, 0x000000ff,
    0x00000100, 0x00007fff, 0x00008000, 0x0000ffff, 0x00010000, 0x7fffffff,
    0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678, 0xdeadbeef,
    0x0f0f0f0f, 0xf0f0f0f0, 0x55555555, 0xaaaaaaaa, 0x00ff00ff, 0x7f7f8080,
};

#define NVALUES 48
static uint32_t values[NVALUES];

/* Defined flags of a shift or rotate by count (SDM vol. 2B, SAL/SAR/SHL/SHR
 * and RCL/RCR/ROL/ROR "Flags Affected"). */
enum { SH_SHIFT, SH_SAR, SH_ROT };

static uint32_t shift_mask(int kind, unsigned count, unsigned width)
{
    unsigned c = count & 31;
    uint32_t m;

    if (c == 0) {
        return ALL_FLAGS;       /* nothing changes: all still defined */
    }
    if (kind == SH_ROT) {
        m = CF | PF | AF | ZF | SF;     /* only CF (and OF) change */
    } else {
        m = CF | PF | ZF | SF;          /* AF undefined */
        if (kind == SH_SHIFT && c >= width) {
            m &= ~CF;   /* SHL/SHR: CF undefined for count >= width */
        }
    }
    if (c == 1) {
        m |= OF;
    }
    return m;
}

static void binops(uint32_t a, uint32_t b, uint32_t fin)
{
    const uint32_t logic = CF | PF | ZF | SF | OF;     /* AF undefined */
    uint8_t a8 = (uint8_t)a, b8 = (uint8_t)b;
    uint16_t a16 = (uint16_t)a, b16 = (uint16_t)b;

#define RUN(name, mask)                                                     \
    do {                                                                    \
        uint8_t r8 = a8;                                                    \
        uint16_t r16 = a16;                                                 \
        uint32_t r32 = a, m32 = a;                                          \
        fold(r8, name##8(&r8, b8, fin), mask);                              \
        fold(r16, name##16(&r16, b16, fin), mask);                          \
        fold(r32, name##32(&r32, b, fin), mask);                            \
        uint32_t fm = name##32m(&m32, b, fin);                              \
        if (m32 != r32) {                                                   \
            rt_check_failed(__FILE__, __LINE__, #name " reg != mem");       \
        }                                                                   \
        fold(m32, fm, mask);                                                \
    } while (0)

    RUN(add, ALL_FLAGS);
    RUN(adc, ALL_FLAGS);
    RUN(sub, ALL_FLAGS);
    RUN(sbb, ALL_FLAGS);
    RUN(cmp, ALL_FLAGS);
    RUN(and, logic);
    RUN(or, logic);
    RUN(xor, logic);
    RUN(test, logic);
#undef RUN
}

static void unops(uint32_t a, uint32_t fin)
{
#define RUN(name, mask)                                                     \
    do {                                                                    \
        uint8_t r8 = (uint8_t)a;                                            \
        uint16_t r16 = (uint16_t)a;                                         \
        uint32_t r32 = a, m32 = a;                                          \
        fold(r8, name##8(&r8, fin), mask);                                  \
        fold(r16, name##16(&r16, fin), mask);                               \
        fold(r32, name##32(&r32, fin), mask);                               \
        fold(m32, name##32m(&m32, fin), mask);                              \
    } while (0)

    RUN(inc, ALL_FLAGS);        /* CF is preserved, so still defined */
    RUN(dec, ALL_FLAGS);
    RUN(neg, ALL_FLAGS);
    RUN(not, ALL_FLAGS);        /* no flag changes at all */
#undef RUN
}

static void shifts(uint32_t a, uint8_t count, uint32_t fin)
{
#define RUN(name, kind)                                                     \
    do {                                                                    \
        uint8_t r8 = (uint8_t)a;                                            \
        uint16_t r16 = (uint16_t)a;                                         \
        uint32_t r32 = a, m32 = a;                                          \
        fold(r8, name##8(&r8, count, fin), shift_mask(kind, count, 8));     \
        fold(r16, name##16(&r16, count, fin), shift_mask(kind, count, 16)); \
        fold(r32, name##32(&r32, count, fin), shift_mask(kind, count, 32)); \
        fold(m32, name##32m(&m32, count, fin), shift_mask(kind, count, 32));\
    } while (0)

    RUN(shl, SH_SHIFT);
    RUN(shr, SH_SHIFT);
    RUN(sar, SH_SAR);
    RUN(rol, SH_ROT);
    RUN(ror, SH_ROT);
    RUN(rcl, SH_ROT);
    RUN(rcr, SH_ROT);
#undef RUN
}

/* Known answers, so a wrong checksum can be told from a broken test. */
static void known_answers(void)
{
    uint8_t b = 0x7f;
    uint32_t f = add8(&b, 1, 0);
    CHECK_EQ(b, 0x80);
    CHECK_EQ(f & ALL_FLAGS, OF | SF | AF);

    uint16_t w = 0;
    f = sbb16(&w, 0, CF);
    CHECK_EQ(w, 0xffff);
    CHECK_EQ(f & ALL_FLAGS, CF | SF | AF | PF);

    uint32_t l = 0x80000000u;
    f = neg32(&l, 0);
    CHECK_EQ(l, 0x80000000u);
    CHECK_EQ(f & ALL_FLAGS, CF | OF | SF | PF);

    l = 0x81;
    f = rcr32(&l, 1, CF);
    CHECK_EQ(l, 0x80000040u);
    CHECK_EQ(f & (CF | OF), CF | OF);

    b = 0x81;
    f = rol8(&b, 9, 0);         /* 9 & 31 = 9, rotates by 9 mod 8 = 1 */
    CHECK_EQ(b, 0x03);
    CHECK_EQ(f & CF, CF);

    b = 0x80;
    f = sar8(&b, 10, 0);        /* fills with the sign, CF = sign */
    CHECK_EQ(b, 0xff);

    l = 0xffffffffu;
    f = inc32(&l, CF);
    CHECK_EQ(l, 0);
    CHECK_EQ(f & ALL_FLAGS, ZF | AF | PF | CF);
}

/*
 * Mixed-width C: integer promotions, truncations and sign extensions the
 * compiler turns into movsx/movzx, 8/16-bit partial registers, cbw/cwde.
 */
static uint32_t mixed_c(uint32_t seed, int rounds)
{
    uint32_t h = seed;
    int8_t s8 = (int8_t)seed;
    uint8_t u8 = (uint8_t)(seed >> 8);
    int16_t s16 = (int16_t)(seed >> 3);
    uint16_t u16 = (uint16_t)(seed >> 11);
    int32_t s32 = (int32_t)seed;

    for (int i = 0; i < rounds; i++) {
        s8 = (int8_t)(s8 + u8 * 3 - (s16 >> 2));
        u8 = (uint8_t)(u8 ^ (uint8_t)(s8 << 1) ^ (uint8_t)i);
        s16 = (int16_t)(s16 * 5 + s8 - (int16_t)u16);
        u16 = (uint16_t)((u16 >> 1) | (uint16_t)(u16 << 15)) ^ (uint16_t)s8;
        s32 = s32 * 33 + s16 - (s8 >> 1) + (int32_t)(u16 & 0x7ff);
        int cmp1 = s8 < (int8_t)u8;
        int cmp2 = (uint16_t)s16 > u16;
        int cmp3 = s32 >= s16;
        h = mix32(h, (uint32_t)s32 ^ ((uint32_t)u8 << 8) ^
                         ((uint32_t)(uint16_t)s16 << 16) ^
                         (uint32_t)(cmp1 | cmp2 << 1 | cmp3 << 2));
        h = mix32(h, (uint32_t)(int32_t)s8 + (uint32_t)(int32_t)s16 +
                         u8 + u16);
    }
    return h;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t rng = 0x2545f491;

    printf("arith: ALU ops at 8/16/32 bits, reg and mem operands\n");
    known_answers();
    for (int i = 0; i < NVALUES; i++) {
        values[i] = i < (int)ARRAY_SIZE(edge) ? edge[i] : xorshift32(&rng);
    }

    for (int c = 0; c < 2; c++) {
        /* Also vary the other flags on entry: they feed nothing here. */
        uint32_t fin = c ? (CF | ZF | OF) : (PF | SF | AF);
        uint32_t before = sum;
        for (int i = 0; i < NVALUES; i++) {
            for (int j = 0; j < NVALUES; j++) {
                binops(values[i], values[j], fin);
            }
        }
        printf("  binary ops, carry-in %d: %08x\n", c, sum ^ before);

        before = sum;
        for (int i = 0; i < NVALUES; i++) {
            unops(values[i], fin);
            for (unsigned count = 0; count < 40; count++) {
                shifts(values[i], (uint8_t)(count * 7 % 37), fin);
            }
            uint32_t v = values[i];
            fold(v, shifts_imm32(&v, fin), CF | PF | ZF | SF | OF);
        }
        printf("  unary ops, shifts, carry-in %d: %08x\n", c, sum ^ before);
    }

    uint32_t m = mixed_c(0x9e3779b9, 120000);
    printf("  mixed-width C: %08x\n", m);
    sum = mix32(sum, m);
    return rt_finish("arith", sum);
}
