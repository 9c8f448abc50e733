/*
 * flags: condition codes.  For pairs of 8, 16 and 32-bit values, cmp/sub
 * /test followed by all sixteen setcc, cmovcc and jcc conditions; each
 * result is checked against the condition computed in plain C from the
 * operands (SDM vol. 1, B.1 "Condition codes"), so a mismatch names the
 * failing case.  Then branch-free C (min/max/abs/clamp, which gcc turns
 * into cmov and setcc), comparisons of signed and unsigned chars, shorts
 * and ints, and the flag instructions clc/stc/cmc/lahf/sahf/pushf/popf.
 */
#include "rt.h"

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u

/* The condition codes in encoding order (the low nibble of 0F 9x). */
enum { CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
       CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G };

/* Condition cc from a flags word, the SDM's table as C. */
static int cond_from_flags(int cc, uint32_t f)
{
    int cf = !!(f & CF), zf = !!(f & ZF), sf = !!(f & SF), of = !!(f & OF);
    int pf = !!(f & PF);
    int r;

    switch (cc >> 1) {
    case 0: r = of; break;
    case 1: r = cf; break;
    case 2: r = zf; break;
    case 3: r = cf | zf; break;
    case 4: r = sf; break;
    case 5: r = pf; break;
    case 6: r = sf != of; break;
    default: r = zf | (sf != of); break;
    }
    return (cc & 1) ? !r : r;
}

static int parity8(uint32_t v)
{
    int n = 0;

    for (int i = 0; i < 8; i++) {
        n += (v >> i) & 1;
    }
    return !(n & 1);
}

/* The flags "cmp a, b" must produce at a width of bits, in plain C. */
static uint32_t cmp_flags_c(uint32_t a, uint32_t b, int bits)
{
    uint32_t mask = bits == 32 ? 0xffffffffu : (1u << bits) - 1;
    uint32_t sign = 1u << (bits - 1);
    uint32_t r;
    uint32_t f = 0;

    a &= mask;
    b &= mask;
    r = (a - b) & mask;
    if (a < b) {
        f |= CF;
    }
    if (r == 0) {
        f |= ZF;
    }
    if (r & sign) {
        f |= SF;
    }
    if ((a ^ b) & (a ^ r) & sign) {
        f |= OF;
    }
    if (parity8(r)) {
        f |= PF;
    }
    if ((a ^ b ^ r) & 0x10) {
        f |= AF;
    }
    return f;
}

/* All sixteen setcc after one cmp, as a 16-bit mask (bit cc). */
#define SETCC_ALL(sfx, cons, a, b, out)                                     \
    __asm__("cmp" sfx " %[y], %[x]\n\t"                                     \
            "seto %%al\n\t"  "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setno %%al\n\t" "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setb %%al\n\t"  "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setae %%al\n\t" "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "sete %%al\n\t"  "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setne %%al\n\t" "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setbe %%al\n\t" "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "seta %%al\n\t"  "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "sets %%al\n\t"  "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setns %%al\n\t" "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setp %%al\n\t"  "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setnp %%al\n\t" "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setl %%al\n\t"  "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setge %%al\n\t" "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setle %%al\n\t" "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            "cmp" sfx " %[y], %[x]\n\t"                                     \
            "setg %%al\n\t"  "shll $1, %%edx\n\t" "orb %%al, %%dl\n\t"      \
            : "=&d"(out)                                                    \
            : [x] cons(a), [y] cons(b), "0"(0)                              \
            : "eax", "cc")

/* setcc leaves bit 0 of the mask for the last condition (g): reverse. */
static uint32_t reverse16(uint32_t m)
{
    uint32_t r = 0;

    for (int i = 0; i < 16; i++) {
        r |= ((m >> i) & 1) << (15 - i);
    }
    return r;
}

static uint32_t setcc_mask(uint32_t a, uint32_t b, int bits)
{
    uint32_t m;

    if (bits == 8) {
        uint8_t x = (uint8_t)a, y = (uint8_t)b;
        SETCC_ALL("b", "q", x, y, m);
    } else if (bits == 16) {
        uint16_t x = (uint16_t)a, y = (uint16_t)b;
        SETCC_ALL("w", "r", x, y, m);
    } else {
        SETCC_ALL("l", "r", a, b, m);
    }
    return reverse16(m);
}

/* cmovcc for each condition after "cmp b, a" (32-bit): bit cc set if taken. */
#define CMOV1(cc)                                                           \
    do {                                                                    \
        uint32_t r = 0;                                                     \
        __asm__("cmpl %[y], %[x]\n\tcmov" #cc " %[one], %[r]"               \
                : [r] "+r"(r)                                               \
                : [x] "r"(a), [y] "rm"(b), [one] "rm"(1u)                   \
                : "cc");                                                    \
        m = (m << 1) | r;                                                   \
    } while (0)

static uint32_t cmov_mask(uint32_t a, uint32_t b)
{
    uint32_t m = 0;

    CMOV1(o); CMOV1(no); CMOV1(b); CMOV1(ae);
    CMOV1(e); CMOV1(ne); CMOV1(be); CMOV1(a);
    CMOV1(s); CMOV1(ns); CMOV1(p); CMOV1(np);
    CMOV1(l); CMOV1(ge); CMOV1(le); CMOV1(g);
    return reverse16(m);
}

/* jcc for each condition after "cmp b, a" (16-bit operands this time). */
#define JCC1(cc)                                                            \
    do {                                                                    \
        __asm__ goto("cmpw %w1, %w0\n\tj" #cc " %l[taken_" #cc "]"          \
                     : : "r"(a), "r"(b) : "cc" : taken_##cc);               \
        m <<= 1;                                                            \
        break;                                                              \
    taken_##cc:                                                             \
        m = (m << 1) | 1;                                                   \
    } while (0)

static uint32_t jcc_mask(uint32_t a, uint32_t b)
{
    uint32_t m = 0;

    JCC1(o); JCC1(no); JCC1(b); JCC1(ae);
    JCC1(e); JCC1(ne); JCC1(be); JCC1(a);
    JCC1(s); JCC1(ns); JCC1(p); JCC1(np);
    JCC1(l); JCC1(ge); JCC1(le); JCC1(g);
    return reverse16(m);
}

static uint32_t expected_mask(uint32_t a, uint32_t b, int bits)
{
    uint32_t f = cmp_flags_c(a, b, bits);
    uint32_t m = 0;

    for (int cc = 0; cc < 16; cc++) {
        m |= (uint32_t)cond_from_flags(cc, f) << cc;
    }
    return m;
}

/* The flags of sub and of test, read with pushf. */
static uint32_t sub_flags(uint32_t a, uint32_t b)
{
    uint32_t f;

    __asm__("subl %2, %1\n\tpushfl\n\tpopl %0"
            : "=r"(f), "+r"(a) : "rm"(b) : "cc");
    return f;
}

/* ---- comparisons written in C ---- */

static int min_i(int a, int b) { return a < b ? a : b; }
static unsigned max_u(unsigned a, unsigned b) { return a > b ? a : b; }
static int abs_i(int a) { return a < 0 ? -a : a; }
static int clamp_i(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static uint32_t c_compares(uint32_t a, uint32_t b)
{
    int8_t sc = (int8_t)a, sd = (int8_t)b;
    uint8_t uc = (uint8_t)a, ud = (uint8_t)b;
    int16_t ss = (int16_t)a, st = (int16_t)b;
    uint16_t us = (uint16_t)a, ut = (uint16_t)b;
    int32_t si = (int32_t)a, sj = (int32_t)b;
    uint32_t r = 0;

    r = (r << 1) | (sc < sd);
    r = (r << 1) | (uc < ud);
    r = (r << 1) | (sc <= (int8_t)ud);
    r = (r << 1) | (uc > (uint8_t)sd);
    r = (r << 1) | (ss < st);
    r = (r << 1) | (us < ut);
    r = (r << 1) | (ss >= (int16_t)ut);
    r = (r << 1) | (us != ut);
    r = (r << 1) | (si < sj);
    r = (r << 1) | (a < b);
    r = (r << 1) | (si > 0);
    r = (r << 1) | (sc == ss);        /* promoted: compares as int */
    r = (r << 1) | (uc < ss);
    r = (r << 1) | (us > si);
    r = (r << 1) | ((uint32_t)sc < b);    /* sign-extended, then unsigned */
    r = (r << 1) | ((a & 0xff) == (b >> 24));
    r = mix32(r, (uint32_t)min_i(si, sj));
    r = mix32(r, max_u(a, b));
    r = mix32(r, (uint32_t)abs_i(sc * 1000 + ss));
    r = mix32(r, (uint32_t)clamp_i(si >> 8, -1000, 1000));
    return r;
}

/* ---- the flag instructions themselves ---- */

static uint32_t flag_insns(uint32_t seed)
{
    uint32_t h = 0;
    uint32_t f;
    uint32_t ah;

    __asm__("clc\n\tpushfl\n\tpopl %0" : "=r"(f) : : "cc");
    CHECK_EQ(f & CF, 0);
    __asm__("stc\n\tpushfl\n\tpopl %0" : "=r"(f) : : "cc");
    CHECK_EQ(f & CF, CF);
    __asm__("stc\n\tcmc\n\tpushfl\n\tpopl %0" : "=r"(f) : : "cc");
    CHECK_EQ(f & CF, 0);

    for (uint32_t i = 0; i < 256; i++) {
        /* sahf loads SF ZF AF PF CF from ah; lahf reads them back. */
        uint32_t in = (i & 0xd5) | 0x02, out;
        __asm__("movb %b1, %%ah\n\tsahf\n\tmovb $0, %%ah\n\tlahf\n\t"
                "movzbl %%ah, %0"
                : "=r"(out) : "q"(in) : "eax", "cc");
        CHECK_EQ(out, in);
        h = mix32(h, out);

        /* popf/pushf round trip of the arithmetic flags. */
        uint32_t want = ((seed ^ (i * 0x01010101u)) & 0x8d5u);
        __asm__("pushl %1\n\tpopfl\n\tpushfl\n\tpopl %0"
                : "=r"(f) : "r"(want | 2u) : "cc");
        CHECK_EQ(f & 0x8d5u, want);

        /* lahf after an add: only its five flags, OF stays out. */
        __asm__("addb %b2, %b1\n\tlahf\n\tmovzbl %%ah, %0"
                : "=r"(ah), "+q"(in) : "q"(i) : "eax", "cc");
        h = mix32(h, ah & 0xd5);
    }
    return h;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    static const uint32_t edge[] = {
        0, 1, 2, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x7fff, 0x8000, 0x8001,
        0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe,
        0xffffffff, 0x12345678, 0x87654321, 0x00ff00ff, 0xff00ff00,
    };
    enum { N = 40 };
    uint32_t vals[N];
    uint32_t rng = 0x1234567;
    uint32_t sum = 0;
    unsigned bad = 0;

    printf("flags: setcc/cmovcc/jcc against C, C comparisons, flag insns\n");
    for (int i = 0; i < N; i++) {
        vals[i] = i < (int)ARRAY_SIZE(edge) ? edge[i] : xorshift32(&rng);
    }

    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                /* Rounds after the first perturb the values a little. */
                uint32_t a = vals[i] + (uint32_t)round * 0x01010101u;
                uint32_t b = vals[j] - (uint32_t)round;
                for (int bits = 8; bits <= 32; bits *= 2) {
                    uint32_t got = setcc_mask(a, b, bits);
                    uint32_t want = expected_mask(a, b, bits);
                    if (got != want && bad++ < 10) {
                        printf("  setcc%d cmp %08x, %08x: %04x want %04x\n",
                               bits, b, a, got, want);
                    }
                    sum = mix32(sum, got);
                }
                uint32_t c = cmov_mask(a, b);
                if (c != expected_mask(a, b, 32) && bad++ < 10) {
                    printf("  cmov %08x, %08x: %04x\n", a, b, c);
                }
                uint32_t jm = jcc_mask(a, b);
                if (jm != expected_mask(a, b, 16) && bad++ < 10) {
                    printf("  jcc %04x, %04x: %04x\n", a & 0xffff,
                           b & 0xffff, jm);
                }
                uint32_t f = sub_flags(a, b) & (CF | PF | AF | ZF | SF | OF);
                if (f != cmp_flags_c(a, b, 32) && bad++ < 10) {
                    printf("  sub %08x - %08x: flags %03x\n", a, b, f);
                }
                sum = mix32(sum, c ^ (jm << 16));
                sum = mix32(sum, c_compares(a, b));
            }
        }
    }
    CHECK(bad == 0);
    printf("  condition codes: %08x\n", sum);

    uint32_t h = flag_insns(0xa5a5a5a5);
    printf("  flag instructions: %08x\n", h);
    sum = mix32(sum, h);
    return rt_finish("flags", sum);
}
