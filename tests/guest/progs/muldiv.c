/*
 * muldiv: multiplication and division edge cases.  mul and one-operand
 * imul at 8, 16 and 32 bits (the high half in ah/dx/edx, CF = OF = "high
 * half significant"), two- and three-operand imul with 8-bit and 32-bit
 * immediates, div and idiv with every sign combination (quotients
 * truncate toward zero, remainders take the dividend's sign; SDM vol. 2A,
 * IDIV), cbw/cwd/cdq, and gcc's division by constants (multiply by a
 * magic number, keep the high half) against the div instruction.  Only
 * divisions that cannot raise #DE are executed; each result is checked
 * against 64-bit C arithmetic.
 */
#include "rt.h"

#define CF 0x001u
#define OF 0x800u

static unsigned bad;

#define EXPECT(cond, a, b)                                                  \
    do {                                                                    \
        if (!(cond) && bad++ < 12) {                                        \
            printf("  line %d: %s fails for %08x, %08x\n", __LINE__, #cond, \
                   (uint32_t)(a), (uint32_t)(b));                           \
        }                                                                   \
    } while (0)

/* ---- multiplication ---- */

static uint32_t mul8(uint8_t a, uint8_t b, uint32_t *ax)
{
    uint32_t f, r = a;

    __asm__("mulb %2\n\tpushfl\n\tpopl %1"
            : "+a"(r), "=r"(f) : "qm"(b) : "cc");
    *ax = r & 0xffff;
    return f & (CF | OF);
}

static uint32_t imul8(int8_t a, int8_t b, uint32_t *ax)
{
    uint32_t f, r = (uint8_t)a;

    __asm__("imulb %2\n\tpushfl\n\tpopl %1"
            : "+a"(r), "=r"(f) : "qm"(b) : "cc");
    *ax = r & 0xffff;
    return f & (CF | OF);
}

static uint32_t mul16(uint16_t a, uint16_t b, uint32_t *dxax)
{
    uint32_t f, lo = a, hi;

    __asm__("mulw %3\n\tpushfl\n\tpopl %2"
            : "+a"(lo), "=d"(hi), "=r"(f) : "rm"(b) : "cc");
    *dxax = (hi & 0xffff) << 16 | (lo & 0xffff);
    return f & (CF | OF);
}

static uint32_t imul16(int16_t a, int16_t b, uint32_t *dxax)
{
    uint32_t f, lo = (uint16_t)a, hi;

    __asm__("imulw %3\n\tpushfl\n\tpopl %2"
            : "+a"(lo), "=d"(hi), "=r"(f) : "rm"(b) : "cc");
    *dxax = (hi & 0xffff) << 16 | (lo & 0xffff);
    return f & (CF | OF);
}

static uint32_t mul32(uint32_t a, uint32_t b, uint64_t *r)
{
    uint32_t f, lo = a, hi;

    __asm__("mull %3\n\tpushfl\n\tpopl %2"
            : "+a"(lo), "=d"(hi), "=r"(f) : "rm"(b) : "cc");
    *r = (uint64_t)hi << 32 | lo;
    return f & (CF | OF);
}

static uint32_t imul32(int32_t a, int32_t b, int64_t *r)
{
    uint32_t f, lo = (uint32_t)a, hi;

    __asm__("imull %3\n\tpushfl\n\tpopl %2"
            : "+a"(lo), "=d"(hi), "=r"(f) : "rm"(b) : "cc");
    *r = (int64_t)((uint64_t)hi << 32 | lo);
    return f & (CF | OF);
}

/* Two-operand (0F AF) and three-operand with imm8 (6B) and imm32 (69). */
static uint32_t imul_forms(int32_t a, int32_t b, uint32_t *flags)
{
    uint32_t r2 = (uint32_t)a, r3, r4, f2, f3, f4;

    /* Separate statements: a may share a register with r2's input. */
    __asm__("imull %2, %0\n\tpushfl\n\tpopl %1"
            : "+r"(r2), "=r"(f2) : "rm"(b) : "cc");
    __asm__("imull $-77, %2, %0\n\tpushfl\n\tpopl %1"
            : "=&r"(r3), "=&r"(f3) : "rm"(a) : "cc");
    __asm__("imull $0x12345, %2, %0\n\tpushfl\n\tpopl %1"
            : "=&r"(r4), "=&r"(f4) : "rm"(b) : "cc");
    *flags = (f2 & (CF | OF)) | (f3 & (CF | OF)) << 1 | (f4 & (CF | OF)) << 2;
    return r2 ^ r3 * 3 ^ r4 * 5;
}

static void test_mul(uint32_t a, uint32_t b, uint32_t *h)
{
    uint32_t r, f;
    uint64_t r64;
    int64_t s64;

    f = mul8((uint8_t)a, (uint8_t)b, &r);
    EXPECT(r == (uint32_t)(uint8_t)a * (uint8_t)b && !!f == (r > 0xff),
           a, b);
    *h = mix32(*h, r ^ f << 16);

    f = imul8((int8_t)a, (int8_t)b, &r);
    int32_t p8 = (int32_t)(int8_t)a * (int8_t)b;
    EXPECT((uint16_t)r == (uint16_t)p8 && !!f == (p8 != (int8_t)p8), a, b);
    *h = mix32(*h, r ^ f << 16);

    f = mul16((uint16_t)a, (uint16_t)b, &r);
    EXPECT(r == (uint32_t)(uint16_t)a * (uint16_t)b && !!f == (r > 0xffff),
           a, b);
    *h = mix32(*h, r ^ f);

    f = imul16((int16_t)a, (int16_t)b, &r);
    int32_t p16 = (int32_t)(int16_t)a * (int16_t)b;
    EXPECT(r == (uint32_t)p16 && !!f == (p16 != (int16_t)p16), a, b);
    *h = mix32(*h, r ^ f);

    f = mul32(a, b, &r64);
    EXPECT(r64 == (uint64_t)a * b && !!f == (r64 >> 32 != 0), a, b);
    *h = mix32(*h, (uint32_t)(r64 >> 32) ^ f);

    f = imul32((int32_t)a, (int32_t)b, &s64);
    EXPECT(s64 == (int64_t)(int32_t)a * (int32_t)b &&
           !!f == (s64 != (int32_t)s64), a, b);
    *h = mix32(*h, (uint32_t)((uint64_t)s64 >> 32) ^ f);

    uint32_t ff;
    r = imul_forms((int32_t)a, (int32_t)b, &ff);
    int64_t w2 = (int64_t)(int32_t)a * (int32_t)b;
    int64_t w3 = (int64_t)(int32_t)a * -77;
    int64_t w4 = (int64_t)(int32_t)b * 0x12345;
    uint32_t want = (uint32_t)w2 ^ (uint32_t)w3 * 3 ^ (uint32_t)w4 * 5;
    uint32_t wantf = (w2 != (int32_t)w2 ? CF | OF : 0) |
                     (w3 != (int32_t)w3 ? CF | OF : 0) << 1 |
                     (w4 != (int32_t)w4 ? CF | OF : 0) << 2;
    EXPECT(r == want && ff == wantf, a, b);
    *h = mix32(*h, r ^ ff);
}

/* ---- division ---- */

static void div8(uint16_t n, uint8_t d, uint8_t *q, uint8_t *r)
{
    uint32_t ax = n;

    __asm__("divb %1" : "+a"(ax) : "qm"(d) : "cc");
    *q = (uint8_t)ax;
    *r = (uint8_t)(ax >> 8);
}

static void idiv8(int16_t n, int8_t d, int8_t *q, int8_t *r)
{
    uint32_t ax = (uint16_t)n;

    __asm__("idivb %1" : "+a"(ax) : "qm"(d) : "cc");
    *q = (int8_t)ax;
    *r = (int8_t)(ax >> 8);
}

static void div16(uint32_t n, uint16_t d, uint16_t *q, uint16_t *r)
{
    uint32_t ax = n & 0xffff, dx = n >> 16;

    __asm__("divw %2" : "+a"(ax), "+d"(dx) : "rm"(d) : "cc");
    *q = (uint16_t)ax;
    *r = (uint16_t)dx;
}

static void idiv16(int32_t n, int16_t d, int16_t *q, int16_t *r)
{
    uint32_t ax = (uint32_t)n & 0xffff, dx = (uint32_t)n >> 16;

    __asm__("idivw %2" : "+a"(ax), "+d"(dx) : "rm"(d) : "cc");
    *q = (int16_t)ax;
    *r = (int16_t)dx;
}

static void div32(uint64_t n, uint32_t d, uint32_t *q, uint32_t *r)
{
    uint32_t lo = (uint32_t)n, hi = (uint32_t)(n >> 32);

    __asm__("divl %2" : "+a"(lo), "+d"(hi) : "rm"(d) : "cc");
    *q = lo;
    *r = hi;
}

static void idiv32(int64_t n, int32_t d, int32_t *q, int32_t *r)
{
    uint32_t lo = (uint32_t)n, hi = (uint32_t)((uint64_t)n >> 32);

    __asm__("idivl %2" : "+a"(lo), "+d"(hi) : "rm"(d) : "cc");
    *q = (int32_t)lo;
    *r = (int32_t)hi;
}

/* cdq and idiv, the sequence gcc uses for int / int. */
static int32_t cdq_idiv(int32_t a, int32_t b, int32_t *rem)
{
    int32_t q, r;

    __asm__("cltd\n\tidivl %3" : "=a"(q), "=&d"(r) : "0"(a), "rm"(b) : "cc");
    *rem = r;
    return q;
}

/* C99 truncating division on magnitudes, the reference for idiv. */
static void ref_sdiv(int64_t n, int64_t d, int64_t *q, int64_t *r)
{
    uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
    uint64_t uq = un / ud, ur = un % ud;

    *q = (n < 0) != (d < 0) ? -(int64_t)uq : (int64_t)uq;
    *r = n < 0 ? -(int64_t)ur : (int64_t)ur;
}

static void test_div(uint32_t a, uint32_t b, uint32_t c, uint32_t *h)
{
    /* Unsigned: make the high part smaller than the divisor. */
    uint8_t d8 = (uint8_t)b ? (uint8_t)b : 1;
    uint16_t n16 = (uint16_t)((a & 0xffff) % ((uint32_t)d8 << 8));
    uint8_t q8, r8;
    div8(n16, d8, &q8, &r8);
    EXPECT(q8 == n16 / d8 && r8 == n16 % d8, n16, d8);
    *h = mix32(*h, (uint32_t)q8 << 8 | r8);

    uint16_t d16 = (uint16_t)b ? (uint16_t)b : 7;
    uint32_t n32 = a % ((uint32_t)d16 << 16);
    uint16_t q16, r16;
    div16(n32, d16, &q16, &r16);
    EXPECT(q16 == n32 / d16 && r16 == n32 % d16, n32, d16);
    *h = mix32(*h, (uint32_t)q16 << 16 | r16);

    uint32_t d32 = b ? b : 3;
    uint64_t n64 = ((uint64_t)c << 32 | a) % ((uint64_t)d32 << 32);
    uint32_t q32, r32;
    div32(n64, d32, &q32, &r32);
    EXPECT(q32 == n64 / d32 && r32 == n64 % d32, a, d32);
    *h = mix32(*h, q32 ^ r32 * 7);

    /* Signed: execute only when the quotient fits (else #DE). */
    int64_t q, r;
    int8_t sd8 = (int8_t)b ? (int8_t)b : -3;
    int16_t sn16 = (int16_t)a;
    ref_sdiv(sn16, sd8, &q, &r);
    if (q >= -128 && q <= 127) {
        int8_t sq8, sr8;
        idiv8(sn16, sd8, &sq8, &sr8);
        EXPECT(sq8 == q && sr8 == r, sn16, sd8);
        *h = mix32(*h, (uint32_t)(uint8_t)sq8 << 8 | (uint8_t)sr8);
    }

    int16_t sd16 = (int16_t)b ? (int16_t)b : -5;
    int32_t sn32 = (int32_t)a >> (c & 15);
    ref_sdiv(sn32, sd16, &q, &r);
    if (q >= -32768 && q <= 32767) {
        int16_t sq16, sr16;
        idiv16(sn32, sd16, &sq16, &sr16);
        EXPECT(sq16 == q && sr16 == r, sn32, sd16);
        *h = mix32(*h, (uint32_t)(uint16_t)sq16 << 16 | (uint16_t)sr16);
    }

    int32_t sd32 = (int32_t)b ? (int32_t)b : -1;
    int64_t sn64 = (int64_t)((uint64_t)c << 32 | a) >> (32 + (c & 31));
    ref_sdiv(sn64, sd32, &q, &r);
    if (q >= INT32_MIN && q <= INT32_MAX) {
        int32_t sq32, sr32;
        idiv32(sn64, sd32, &sq32, &sr32);
        EXPECT(sq32 == q && sr32 == r, (uint32_t)sn64, sd32);
        *h = mix32(*h, (uint32_t)sq32 ^ (uint32_t)sr32 * 3);
    }

    if (!((int32_t)a == INT32_MIN && sd32 == -1)) {
        int32_t rem, quo = cdq_idiv((int32_t)a, sd32, &rem);
        EXPECT(quo == (int32_t)a / sd32 && rem == (int32_t)a % sd32, a, sd32);
        *h = mix32(*h, (uint32_t)quo + (uint32_t)rem);
    }
}

/* gcc turns these into multiply-high sequences; compare with div. */
static uint32_t by_constants(uint32_t x)
{
    int32_t s = (int32_t)x;
    uint32_t q, r;

    div32(x, 7, &q, &r);
    EXPECT(x / 7 == q && x % 7 == r, x, 7);
    div32(x, 10, &q, &r);
    EXPECT(x / 10 == q && x % 10 == r, x, 10);
    div32(x, 1000000007u, &q, &r);
    EXPECT(x / 1000000007u == q && x % 1000000007u == r, x, 1000000007u);
    div32(x, 0x80000001u, &q, &r);
    EXPECT(x / 0x80000001u == q, x, 0x80000001u);
    int32_t sq, sr;
    idiv32(s, -3, &sq, &sr);
    EXPECT(s / -3 == sq && s % -3 == sr, x, -3);
    idiv32(s, 641, &sq, &sr);
    EXPECT(s / 641 == sq && s % 641 == sr, x, 641);
    idiv32(s, 16, &sq, &sr);
    EXPECT(s / 16 == sq && s % 16 == sr, x, 16);
    return x / 7 + x % 10 + (uint32_t)(s / -3) + (uint32_t)(s % 641) +
           (uint32_t)(s / 16);
}

int main(uint32_t mb_magic, const void *mb_info)
{
    static const uint32_t edge[] = {
        0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000,
        0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
        0xffffff80, 0xffff8000, 0x12345678, 0xcccccccd, 0xaaaaaaab,
    };
    enum { NEDGE = sizeof(edge) / sizeof(edge[0]) };
    uint32_t rng = 0x13579bdf;
    uint32_t sum = 0;

    printf("muldiv: mul/imul/div/idiv at 8/16/32 bits, constant division\n");

    /* Known answers from the SDM's descriptions. */
    int8_t q8, r8;
    idiv8(-7, 2, &q8, &r8);
    CHECK(q8 == -3 && r8 == -1);
    idiv8(7, -2, &q8, &r8);
    CHECK(q8 == -3 && r8 == 1);
    idiv8(-128, 1, &q8, &r8);
    CHECK(q8 == -128 && r8 == 0);
    int32_t q32, r32;
    idiv32(INT32_MIN, 1, &q32, &r32);
    CHECK(q32 == INT32_MIN && r32 == 0);
    idiv32(-1, INT32_MAX, &q32, &r32);
    CHECK(q32 == 0 && r32 == -1);
    uint64_t p;
    CHECK(mul32(0xffffffffu, 0xffffffffu, &p) == (CF | OF));
    CHECK_EQ(p, 0xfffffffe00000001ull);

    for (int i = 0; i < NEDGE; i++) {
        for (int j = 0; j < NEDGE; j++) {
            test_mul(edge[i], edge[j], &sum);
            test_div(edge[i], edge[j], edge[(i + j) % NEDGE], &sum);
        }
    }
    printf("  edge values: %08x\n", sum);

    for (int i = 0; i < 18000; i++) {
        uint32_t a = xorshift32(&rng), b = xorshift32(&rng);
        uint32_t c = xorshift32(&rng);
        /* Small magnitudes are where sign handling goes wrong. */
        if (i & 1) {
            b = (uint32_t)((int32_t)b >> (c & 31));
        }
        test_mul(a, b, &sum);
        test_div(a, b, c, &sum);
        sum = mix32(sum, by_constants(a ^ c));
    }
    printf("  random values: %08x\n", sum);
    CHECK(bad == 0);
    return rt_finish("muldiv", sum);
}
