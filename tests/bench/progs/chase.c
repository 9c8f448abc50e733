/*
 * chase: pointer chasing.  An array of 2 Mi 32-bit indices (8 MiB) holds
 * one random cycle through every element (Sattolo's shuffle); each pass
 * follows it for a fixed number of dependent loads.  Every load misses
 * the TLB of an emulator as it would a real cache.
 */
#include "bench.h"

#ifndef CHASE_ITERS
#define CHASE_ITERS 5
#endif
#define CHASE_N     (2u * 1024 * 1024)
#define CHASE_STEPS (6u * 1024 * 1024)

static uint32_t chase_next[CHASE_N];

static void build_cycle(uint32_t seed)
{
    for (uint32_t i = 0; i < CHASE_N; i++) {
        chase_next[i] = i;
    }
    /* Sattolo: j < i strictly, so the permutation is a single cycle. */
    for (uint32_t i = CHASE_N - 1; i > 0; i--) {
        uint32_t j = xorshift32(&seed) % i, t = chase_next[i];
        chase_next[i] = chase_next[j];
        chase_next[j] = t;
    }
}

static __attribute__((noinline)) uint32_t chase(uint32_t *pos, uint32_t steps)
{
    uint32_t p = *pos, h = 0;

    for (uint32_t s = 0; s < steps; s++) {
        p = chase_next[p];
        h += p ^ s;
    }
    *pos = p;
    return h;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0, pos = 0, len = 0;

    printf("chase: %u passes of %u dependent loads over %u KiB\n",
           CHASE_ITERS, CHASE_STEPS, CHASE_N * 4 / 1024);
    build_cycle(0x31415926u);
    /* The cycle goes through all elements before it comes back. */
    do {
        pos = chase_next[pos];
        len++;
    } while (pos != 0 && len <= CHASE_N);
    CHECK_EQ(len, CHASE_N);
    for (uint32_t it = 0; it < CHASE_ITERS; it++) {
        sum = mix32(sum, chase(&pos, CHASE_STEPS));
        sum = mix32(sum, pos);
    }
    return rt_finish("chase", sum);
}
