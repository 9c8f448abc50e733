/*
 * math64: 64-bit integer arithmetic on a 32-bit CPU.  Division and
 * remainder go through the runtime's __udivdi3/__umoddi3/__divdi3/__moddi3
 * (divl-based), multiplication and shifts are inline code gcc emits (mul,
 * imul, shld, shrd, adc, sbb, cmov).  Every result is checked against a
 * slow reference built from 32-bit operations only (shift-and-subtract
 * division, 16-bit limb multiplication, one-bit-at-a-time shifts), and
 * against the identities C guarantees.
 */
#include "rt.h"

#define NOINLINE __attribute__((noinline))

/* ---- references: no 64-bit helper calls, one bit at a time ---- */

typedef struct U64 {
    uint32_t lo, hi;
} U64;

static U64 u64(uint64_t v)
{
    U64 r = { (uint32_t)v, (uint32_t)(v >> 32) };
    return r;
}

static uint64_t val(U64 v)
{
    return (uint64_t)v.hi << 32 | v.lo;
}

static int ref_ge(U64 a, U64 b)
{
    return a.hi != b.hi ? a.hi > b.hi : a.lo >= b.lo;
}

static U64 ref_sub(U64 a, U64 b)
{
    U64 r;

    r.lo = a.lo - b.lo;
    r.hi = a.hi - b.hi - (a.lo < b.lo);
    return r;
}

static U64 ref_shl1(U64 a, uint32_t in)
{
    U64 r = { a.lo << 1 | in, a.hi << 1 | a.lo >> 31 };
    return r;
}

/* Restoring division, 64 steps. */
static NOINLINE void ref_divmod(U64 n, U64 d, U64 *q, U64 *r)
{
    U64 quo = { 0, 0 }, rem = { 0, 0 };

    for (int i = 63; i >= 0; i--) {
        uint32_t bit = i >= 32 ? n.hi >> (i - 32) & 1 : n.lo >> i & 1;
        rem = ref_shl1(rem, bit);
        quo = ref_shl1(quo, 0);
        if (ref_ge(rem, d)) {
            rem = ref_sub(rem, d);
            quo.lo |= 1;
        }
    }
    *q = quo;
    *r = rem;
}

/* Low 64 bits of a * b from 16-bit limbs (products fit in 32 bits). */
static NOINLINE U64 ref_mul(U64 a, U64 b)
{
    uint32_t x[4] = { a.lo & 0xffff, a.lo >> 16, a.hi & 0xffff, a.hi >> 16 };
    uint32_t y[4] = { b.lo & 0xffff, b.lo >> 16, b.hi & 0xffff, b.hi >> 16 };
    uint32_t acc[5] = { 0, 0, 0, 0, 0 };

    for (int i = 0; i < 4; i++) {
        for (int j = 0; i + j < 4; j++) {
            uint32_t p = x[i] * y[j];
            int k = i + j;
            /* Add p at limb k, carrying 16 bits at a time. */
            uint32_t carry = p;
            while (carry && k < 5) {
                uint32_t s = acc[k] + (carry & 0xffff);
                acc[k] = s & 0xffff;
                carry = (carry >> 16) + (s >> 16);
                k++;
            }
        }
    }
    U64 r = { acc[0] | acc[1] << 16, acc[2] | acc[3] << 16 };
    return r;
}

static NOINLINE U64 ref_shift(U64 a, int count, int kind)
{
    for (int i = 0; i < count; i++) {
        if (kind == 0) {                        /* << */
            a = ref_shl1(a, 0);
        } else {                                /* >> logical or arithmetic */
            uint32_t top = kind == 2 ? a.hi & 0x80000000u : 0;
            a.lo = a.lo >> 1 | a.hi << 31;
            a.hi = a.hi >> 1 | top;
        }
    }
    return a;
}

static int u64_eq(U64 a, uint64_t b)
{
    return a.lo == (uint32_t)b && a.hi == (uint32_t)(b >> 32);
}

/* ---- the code under test ---- */

static NOINLINE uint64_t udiv(uint64_t a, uint64_t b) { return a / b; }
static NOINLINE uint64_t umod(uint64_t a, uint64_t b) { return a % b; }
static NOINLINE int64_t sdiv(int64_t a, int64_t b) { return a / b; }
static NOINLINE int64_t smod(int64_t a, int64_t b) { return a % b; }
static NOINLINE uint64_t mul(uint64_t a, uint64_t b) { return a * b; }
static NOINLINE uint64_t shl(uint64_t a, int n) { return a << n; }
static NOINLINE uint64_t shr(uint64_t a, int n) { return a >> n; }
static NOINLINE int64_t sar(int64_t a, int n) { return a >> n; }
static NOINLINE uint64_t widen_mul(uint32_t a, uint32_t b)
{
    return (uint64_t)a * b;
}
static NOINLINE int64_t widen_imul(int32_t a, int32_t b)
{
    return (int64_t)a * b;
}

static unsigned bad;

static void report(const char *what, uint64_t a, uint64_t b, uint64_t got)
{
    if (bad++ < 10) {
        printf("  %s(%llx, %llx) = %llx wrong\n", what, a, b, got);
    }
}

static uint64_t rand64(uint32_t *rng)
{
    uint64_t v = (uint64_t)xorshift32(rng) << 32 | xorshift32(rng);
    /* Random bit length, so small and large magnitudes both occur. */
    int len = (int)(xorshift32(rng) % 65);
    return len == 64 ? v : v & ((1ull << len) - 1);
}

static uint32_t test_pair(uint64_t a, uint64_t b)
{
    uint32_t h = 0;

    if (b != 0) {
        U64 q, r;
        ref_divmod(u64(a), u64(b), &q, &r);
        uint64_t gq = udiv(a, b), gr = umod(a, b);
        if (!u64_eq(q, gq)) {
            report("udiv", a, b, gq);
        }
        if (!u64_eq(r, gr)) {
            report("umod", a, b, gr);
        }
        h = mix32(mix32(h, (uint32_t)gq), (uint32_t)(gr >> 7));

        int64_t sa = (int64_t)a, sb = (int64_t)b;
        if (!(sa == INT64_MIN && sb == -1)) {
            int64_t sq = sdiv(sa, sb), sr = smod(sa, sb);
            /* C11 6.5.5p6 and truncation toward zero. */
            uint64_t ma = sa < 0 ? 0 - a : a, mb = sb < 0 ? 0 - b : b;
            ref_divmod(u64(ma), u64(mb), &q, &r);
            uint64_t wq = (sa < 0) != (sb < 0) ? 0 - val(q) : val(q);
            uint64_t wr = sa < 0 ? 0 - val(r) : val(r);
            if ((uint64_t)sq != wq || (uint64_t)(sq * sb + sr) != a) {
                report("sdiv", a, b, (uint64_t)sq);
            }
            if ((uint64_t)sr != wr) {
                report("smod", a, b, (uint64_t)sr);
            }
            h = mix32(mix32(h, (uint32_t)(sq >> 3)), (uint32_t)sr);
        }
    }

    uint64_t p = mul(a, b);
    if (!u64_eq(ref_mul(u64(a), u64(b)), p)) {
        report("mul", a, b, p);
    }
    h = mix32(h, (uint32_t)(p >> 32) ^ (uint32_t)p);

    int n = (int)(b & 63);
    uint64_t s1 = shl(a, n), s2 = shr(a, n);
    int64_t s3 = sar((int64_t)a, n);
    if (!u64_eq(ref_shift(u64(a), n, 0), s1)) {
        report("shl", a, (uint64_t)n, s1);
    }
    if (!u64_eq(ref_shift(u64(a), n, 1), s2)) {
        report("shr", a, (uint64_t)n, s2);
    }
    if (!u64_eq(ref_shift(u64(a), n, 2), (uint64_t)s3)) {
        report("sar", a, (uint64_t)n, (uint64_t)s3);
    }
    h = mix32(h, (uint32_t)(s1 ^ s2 ^ (uint64_t)s3));

    uint32_t a32 = (uint32_t)a, b32 = (uint32_t)(b >> 16);
    uint64_t w = widen_mul(a32, b32);
    if (!u64_eq(ref_mul(u64(a32), u64(b32)), w)) {
        report("mul32x32", a32, b32, w);
    }
    int64_t sw = widen_imul((int32_t)a32, (int32_t)b32);
    uint64_t ea = (uint64_t)(int64_t)(int32_t)a32;
    uint64_t eb = (uint64_t)(int64_t)(int32_t)b32;
    if (!u64_eq(ref_mul(u64(ea), u64(eb)), (uint64_t)sw)) {
        report("imul32x32", a32, b32, (uint64_t)sw);
    }
    h = mix32(h, (uint32_t)(w >> 32) + (uint32_t)((uint64_t)sw >> 32));

    /* Comparisons, add/sub with carry across the halves. */
    h = mix32(h, (uint32_t)(a < b) |
                     (uint32_t)((int64_t)a < (int64_t)b) << 1 |
                     (uint32_t)(a + b < a) << 2 | (uint32_t)(a - b > a) << 3);
    h = mix32(h, (uint32_t)((a + b) >> 32) ^ (uint32_t)(a - b));
    return h;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    static const uint64_t edge[] = {
        0, 1, 2, 3, 7, 10, 0xffffffffull, 0x100000000ull, 0x100000001ull,
        0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
        0xfffffffffffffffeull, 0x123456789abcdef0ull, 0x00000000fffffffeull,
        0x80000000ull, 0xffffffff00000000ull, 1000000007ull,
        0xfedcba9876543210ull, 0x0000000100000000ull - 3,
    };
    uint32_t rng = 0x3c6ef372;
    uint32_t sum = 0;

    printf("math64: 64-bit mul/div/mod/shifts against bit-serial references\n");

    /* Known answers first. */
    CHECK_EQ(udiv(0xffffffffffffffffull, 10), 0x1999999999999999ull);
    CHECK_EQ(umod(0xffffffffffffffffull, 10), 5);
    CHECK_EQ(sdiv(-7, 2), -3);
    CHECK_EQ(smod(-7, 2), -1);
    CHECK_EQ(sdiv(7, -2), -3);
    CHECK_EQ(smod(7, -2), 1);
    CHECK_EQ(sdiv(INT64_MIN, 1), INT64_MIN);
    CHECK_EQ(sdiv(INT64_MIN, 2), -0x4000000000000000ll);
    CHECK_EQ(udiv(0x123456789abcdef0ull, 0x100000001ull), 0x12345678ull);
    CHECK_EQ(mul(0xffffffffull, 0xffffffffull), 0xfffffffe00000001ull);
    CHECK_EQ(sar(INT64_MIN, 63), -1);
    CHECK_EQ(shr(0x8000000000000000ull, 63), 1);
    CHECK_EQ(shl(1, 32), 0x100000000ull);

    for (size_t i = 0; i < ARRAY_SIZE(edge); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(edge); j++) {
            sum = mix32(sum, test_pair(edge[i], edge[j]));
        }
    }
    printf("  edge values: %08x\n", sum);

    for (int i = 0; i < 2500; i++) {
        uint64_t a = rand64(&rng), b = rand64(&rng);
        sum = mix32(sum, test_pair(a, b));
    }
    printf("  random values: %08x\n", sum);

    /* Decimal conversion of a 64-bit value digit by digit. */
    uint64_t v = 0xfedcba9876543210ull;
    char digits[24];
    int nd = 0;
    while (v) {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    }
    char buf[24];
    for (int i = 0; i < nd; i++) {
        buf[i] = digits[nd - 1 - i];
    }
    buf[nd] = '\0';
    printf("  0xfedcba9876543210 = %s\n", buf);
    CHECK(strcmp(buf, "18364758544493064720") == 0);

    CHECK(bad == 0);
    return rt_finish("math64", sum);
}
