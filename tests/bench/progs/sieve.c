/*
 * sieve: the sieve of Eratosthenes over a 2 MB byte array (one byte per
 * number), then a pass that counts and hashes the primes.  Byte stores
 * with a stride, a dense byte scan, short inner loops.
 */
#include "bench.h"

#ifndef SIEVE_ITERS
#define SIEVE_ITERS 200
#endif
#define SIEVE_N     2000000
#define SIEVE_COUNT 148933          /* pi(2000000) */

static uint8_t composite[SIEVE_N];

static __attribute__((noinline)) uint32_t sieve(uint32_t n, uint32_t *hash)
{
    uint32_t count = 0, h = 0;

    memset(composite, 0, n);
    for (uint32_t i = 2; i * i < n; i++) {
        if (!composite[i]) {
            for (uint32_t j = i * i; j < n; j += i) {
                composite[j] = 1;
            }
        }
    }
    for (uint32_t i = 2; i < n; i++) {
        if (!composite[i]) {
            count++;
            h = h * 31 + i;
        }
    }
    *hash = h;
    return count;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0;

    printf("sieve: %u passes to %u\n", SIEVE_ITERS, SIEVE_N);
    for (uint32_t it = 0; it < SIEVE_ITERS; it++) {
        /* A slightly different limit each pass: nothing to hoist. */
        uint32_t n = SIEVE_N - (it & 7) * 1000, h, count;

        count = sieve(n, &h);
        if (it == 0) {
            CHECK_EQ(count, SIEVE_COUNT);
        }
        sum = mix32(sum, count);
        sum = mix32(sum, h);
    }
    return rt_finish("sieve", sum);
}
