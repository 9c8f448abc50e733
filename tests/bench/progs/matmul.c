/*
 * matmul: 128x128 products of 32-bit integer matrices (mod 2^32), two
 * ways: i-k-j (a row of A scales rows of B into a row of C) and dot
 * products against the transpose of B.  Both must agree.  Loads, imul,
 * adds and address arithmetic in tight nested loops.
 */
#include "bench.h"

#ifndef MATMUL_ITERS
#define MATMUL_ITERS 300
#endif
#define MN 128

static uint32_t ma[MN][MN], mb[MN][MN], mbt[MN][MN], mc1[MN][MN], mc2[MN][MN];

static void fill(uint32_t *seed)
{
    for (int i = 0; i < MN; i++) {
        for (int j = 0; j < MN; j++) {
            ma[i][j] = xorshift32(seed) & 0xffff;
            mb[i][j] = xorshift32(seed);
        }
    }
}

static __attribute__((noinline)) void mul_ikj(void)
{
    for (int i = 0; i < MN; i++) {
        for (int j = 0; j < MN; j++) {
            mc1[i][j] = 0;
        }
        for (int k = 0; k < MN; k++) {
            uint32_t aik = ma[i][k];
            for (int j = 0; j < MN; j++) {
                mc1[i][j] += aik * mb[k][j];
            }
        }
    }
}

static __attribute__((noinline)) void mul_dot(void)
{
    for (int i = 0; i < MN; i++) {
        for (int j = 0; j < MN; j++) {
            mbt[j][i] = mb[i][j];
        }
    }
    for (int i = 0; i < MN; i++) {
        for (int j = 0; j < MN; j++) {
            uint32_t s = 0;
            for (int k = 0; k < MN; k++) {
                s += ma[i][k] * mbt[j][k];
            }
            mc2[i][j] = s;
        }
    }
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0, seed = 0x2545f491u;

    printf("matmul: %u passes of two %ux%u products\n", MATMUL_ITERS, MN, MN);
    for (uint32_t it = 0; it < MATMUL_ITERS; it++) {
        uint32_t bad = 0;

        fill(&seed);
        mul_ikj();
        mul_dot();
        for (int i = 0; i < MN; i++) {
            for (int j = 0; j < MN; j++) {
                bad += mc1[i][j] != mc2[i][j];
            }
            sum = mix32(sum, mc1[i][(i * 7 + it) % MN]);
        }
        CHECK_EQ(bad, 0);
    }
    return rt_finish("matmul", sum);
}
