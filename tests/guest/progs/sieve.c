/*
 * sieve: the sieve of Eratosthenes two ways.  A byte array up to one
 * million, checked against the prime-counting function pi(10^k) and the
 * known sum of the primes below 10^6; and an odd-only bitmap over the
 * same range driven by bts/bt with a memory operand and a register bit
 * offset far beyond 32 (the bit-string addressing of SDM vol. 2A, BT),
 * which must agree with the byte sieve.
 */
#include "rt.h"

#define LIMIT 1000000
#define BIG_LIMIT LIMIT

static uint8_t composite[LIMIT];
static uint32_t bitmap[BIG_LIMIT / 2 / 32 + 1];

static void byte_sieve(void)
{
    composite[0] = composite[1] = 1;
    for (uint32_t i = 2; i * i < LIMIT; i++) {
        if (!composite[i]) {
            for (uint32_t j = i * i; j < LIMIT; j += i) {
                composite[j] = 1;
            }
        }
    }
}

/* Bit k of the bitmap stands for the odd number 2k + 1. */
static inline int bit_test(const uint32_t *base, uint32_t k)
{
    uint8_t r;

    __asm__("btl %2, %1\n\tsetc %0" : "=q"(r) : "m"(*base), "r"(k) : "cc");
    return r;
}

static inline void bit_set(uint32_t *base, uint32_t k)
{
    __asm__ volatile("btsl %1, %0" : "+m"(*base) : "r"(k) : "cc", "memory");
}

static void bit_sieve(void)
{
    bit_set(bitmap, 0);                         /* 1 is not prime */
    for (uint32_t i = 3; i * i < BIG_LIMIT; i += 2) {
        if (!bit_test(bitmap, i / 2)) {
            for (uint32_t j = i * i; j < BIG_LIMIT; j += 2 * i) {
                bit_set(bitmap, j / 2);
            }
        }
    }
}

int main(uint32_t mb_magic, const void *mb_info)
{
    static const uint32_t pi[] = { 4, 25, 168, 1229, 9592, 78498 };
    uint32_t sum = 0;

    printf("sieve: byte sieve to 10^6, bts/bt bitmap sieve\n");
    byte_sieve();

    uint32_t count = 0, next = 10;
    uint64_t total = 0;
    int k = 0;
    for (uint32_t n = 0; n < LIMIT; n++) {
        if (!composite[n]) {
            count++;
            total += n;
            sum = mix32(sum, n);
        }
        if (n + 1 == next) {
            printf("  pi(%u) = %u\n", next, count);
            CHECK_EQ(count, pi[k]);
            k++;
            next *= 10;
        }
    }
    printf("  sum of primes below 10^6 = %llu\n", (unsigned long long)total);
    CHECK_EQ(total, 37550402023ull);

    bit_sieve();
    uint32_t bcount = 1;                        /* the prime 2 */
    uint32_t twins = 0;
    int prev_prime = 0;
    for (uint32_t kk = 0; kk < BIG_LIMIT / 2; kk++) {
        int prime = !bit_test(bitmap, kk);
        bcount += (uint32_t)prime;
        twins += (uint32_t)(prime & prev_prime);
        prev_prime = prime;
        if (prime != !composite[2 * kk + 1]) {
            CHECK(0);
        }
    }
    printf("  bitmap: %u primes, %u twin prime pairs\n", bcount, twins);
    CHECK_EQ(bcount, 78498);
    CHECK_EQ(twins, 8169);
    sum = mix32(mix32(sum, bcount), twins);
    return rt_finish("sieve", sum);
}
