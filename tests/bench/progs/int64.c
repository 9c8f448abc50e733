/*
 * int64: 64-bit arithmetic on a 32-bit CPU.  Deterministic Miller-Rabin
 * (bases 2, 7, 61, exact below 2^32) with (uint64_t)a * b % m, Euclid's
 * gcd on 64-bit values, a 64-bit LCG with variable shifts and rotates,
 * and signed 64-bit division.  Multiplies and shifts are inline (mul,
 * imul, shld, shrd); every "/" and "%" goes through the runtime's
 * __udivdi3/__umoddi3/__divdi3/__moddi3.
 */
#include "bench.h"

#ifndef INT64_ITERS
#define INT64_ITERS 560
#endif
#define MR_RANGE    4000            /* numbers tested per pass */
#define GCD_PAIRS   1500
#define LCG_STEPS   20000

static uint32_t powmod(uint32_t b, uint32_t e, uint32_t m)
{
    uint64_t r = 1, x = b % m;

    while (e) {
        if (e & 1) {
            r = r * x % m;
        }
        x = x * x % m;
        e >>= 1;
    }
    return (uint32_t)r;
}

static int mr_witness(uint32_t a, uint32_t n, uint32_t d, int s)
{
    uint64_t x = powmod(a, d, n);

    if (x == 1 || x == n - 1) {
        return 0;
    }
    for (int r = 1; r < s; r++) {
        x = x * x % n;
        if (x == n - 1) {
            return 0;
        }
    }
    return 1;
}

static __attribute__((noinline)) int is_prime(uint32_t n)
{
    static const uint32_t bases[3] = { 2, 7, 61 };
    uint32_t d = n - 1;
    int s = 0;

    if (n < 2) {
        return 0;
    }
    if (n < 4) {
        return 1;
    }
    if (!(n & 1)) {
        return 0;
    }
    while (!(d & 1)) {
        d >>= 1;
        s++;
    }
    for (int i = 0; i < 3; i++) {
        if (bases[i] % n && mr_witness(bases[i], n, d, s)) {
            return 0;
        }
    }
    return 1;
}

static __attribute__((noinline)) uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static inline uint64_t rotl64(uint64_t x, unsigned k)
{
    k &= 63;
    return k ? (x << k) | (x >> (64 - k)) : x;
}

static __attribute__((noinline)) uint64_t lcg_mix(uint64_t *state, int steps)
{
    uint64_t x = *state, acc = 0;

    for (int i = 0; i < steps; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        acc ^= rotl64(x, (unsigned)(x >> 58));
        acc += (x >> 29) * (acc | 1);
        /* Signed division by a small odd divisor of either sign. */
        int64_t sx = (int64_t)(x ^ acc);
        int64_t dv = (int64_t)((x >> 40) & 0xff) - 127;
        dv |= 1;
        acc += (uint64_t)(sx / dv) ^ (uint64_t)(sx % dv);
    }
    *state = x;
    return acc;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0, count = 0, seed = 0x7f4a7c15u;
    uint64_t lcg = 0x853c49e6748fea9bull;

    printf("int64: %u passes of Miller-Rabin, gcd64, LCG and signed "
           "division\n", INT64_ITERS);
    for (uint32_t n = 0; n < 10000; n++) {
        count += is_prime(n);
    }
    CHECK_EQ(count, 1229);              /* pi(10000) */
    CHECK_EQ(is_prime(4294967291u), 1); /* the largest 32-bit prime */
    CHECK_EQ(is_prime(3215031751u), 0); /* strong pseudoprime to 2,3,5,7 */

    for (uint32_t it = 0; it < INT64_ITERS; it++) {
        uint32_t base = 0xf0000001u + it * MR_RANGE;
        uint64_t g = 0;

        count = 0;
        for (uint32_t n = base; n < base + MR_RANGE; n += 2) {
            count += is_prime(n);
        }
        sum = mix32(sum, count);

        for (int i = 0; i < GCD_PAIRS; i++) {
            uint64_t common = xorshift32(&seed) & 0xffff;
            uint64_t a = ((uint64_t)xorshift32(&seed) << 16) * common + common;
            uint64_t b = ((uint64_t)xorshift32(&seed) << 12) * common;
            g += gcd64(a, b);
        }
        sum = mix32(sum, (uint32_t)g);
        sum = mix32(sum, (uint32_t)(g >> 32));

        uint64_t acc = lcg_mix(&lcg, LCG_STEPS);
        sum = mix32(sum, (uint32_t)acc);
        sum = mix32(sum, (uint32_t)(acc >> 32));
    }
    return rt_finish("int64", sum);
}
