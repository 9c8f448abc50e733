/*
 * matrix: integer matrix arithmetic.  64x64 products with 32-bit wrapping
 * arithmetic checked by algebraic identities that hold exactly modulo
 * 2^32 (associativity, the identity, transpose of a product), 16-bit
 * matrices with 32-bit accumulation, a determinant modulo a prime by
 * Gaussian elimination (modular inverses through 64-bit "%"), and 2x2
 * matrix powers giving Fibonacci numbers modulo a prime.
 */
#include "rt.h"

#define DIM 64

typedef uint32_t Mat[DIM][DIM];

static Mat A, B, C, AB, BC, ABC1, ABC2, T1, T2;

static void mat_mul(Mat r, Mat x, Mat y)
{
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++) {
            uint32_t s = 0;
            for (int k = 0; k < DIM; k++) {
                s += x[i][k] * y[k][j];
            }
            r[i][j] = s;
        }
    }
}

static void transpose(Mat r, Mat x)
{
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++) {
            r[j][i] = x[i][j];
        }
    }
}

static int mat_eq(Mat x, Mat y)
{
    return memcmp(x, y, sizeof(Mat)) == 0;
}

static uint32_t mat_hash(Mat x)
{
    uint32_t h = 0;

    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j += 5) {
            h = mix32(h, x[i][j]);
        }
    }
    return h;
}

static void mat_random(Mat m, uint32_t *rng)
{
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++) {
            m[i][j] = xorshift32(rng);
        }
    }
}

/* 16-bit signed entries, 32-bit sums (no overflow for these ranges). */
static uint32_t small_product(uint32_t *rng)
{
    static int16_t x[32][32], y[32][32];
    static int32_t r[32][32];
    uint32_t h = 0;

    for (int i = 0; i < 32; i++) {
        for (int j = 0; j < 32; j++) {
            x[i][j] = (int16_t)(xorshift32(rng) % 2001 - 1000);
            y[i][j] = (int16_t)(xorshift32(rng) % 2001 - 1000);
        }
    }
    for (int i = 0; i < 32; i++) {
        for (int j = 0; j < 32; j++) {
            int32_t s = 0;
            for (int k = 0; k < 32; k++) {
                s += (int32_t)x[i][k] * y[k][j];
            }
            r[i][j] = s;
            h = mix32(h, (uint32_t)s);
        }
    }
    /* Row sums of the product equal x times the row sums of y. */
    for (int i = 0; i < 32; i++) {
        int32_t lhs = 0, rhs = 0;
        for (int j = 0; j < 32; j++) {
            lhs += r[i][j];
        }
        for (int k = 0; k < 32; k++) {
            int32_t ysum = 0;
            for (int j = 0; j < 32; j++) {
                ysum += y[k][j];
            }
            rhs += (int32_t)x[i][k] * ysum;
        }
        CHECK_EQ(lhs, rhs);
    }
    return h;
}

#define P 1000000007u

static uint32_t pow_mod(uint32_t b, uint32_t e)
{
    uint64_t r = 1, x = b;

    while (e) {
        if (e & 1) {
            r = r * x % P;
        }
        x = x * x % P;
        e >>= 1;
    }
    return (uint32_t)r;
}

/* Determinant modulo P by elimination; inverse by Fermat (b^(P-2)). */
static uint32_t det_mod(int n, uint32_t m[][16])
{
    uint64_t det = 1;

    for (int c = 0; c < n; c++) {
        int piv = c;
        while (piv < n && m[piv][c] == 0) {
            piv++;
        }
        if (piv == n) {
            return 0;
        }
        if (piv != c) {
            for (int j = 0; j < n; j++) {
                uint32_t t = m[c][j];
                m[c][j] = m[piv][j];
                m[piv][j] = t;
            }
            det = (P - det) % P;
        }
        det = det * m[c][c] % P;
        uint32_t inv = pow_mod(m[c][c], P - 2);
        for (int i = c + 1; i < n; i++) {
            uint32_t f = (uint32_t)((uint64_t)m[i][c] * inv % P);
            for (int j = c; j < n; j++) {
                uint64_t v = m[i][j] + (uint64_t)(P - f) * m[c][j];
                m[i][j] = (uint32_t)(v % P);
            }
        }
    }
    return (uint32_t)det;
}

/* [[1,1],[1,0]]^n = [[F(n+1),F(n)],[F(n),F(n-1)]] modulo P. */
static uint32_t fib_mod(uint64_t n)
{
    uint64_t r[2][2] = { { 1, 0 }, { 0, 1 } }, x[2][2] = { { 1, 1 }, { 1, 0 } };

    while (n) {
        uint64_t t[2][2];
        if (n & 1) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    t[i][j] = (r[i][0] * x[0][j] + r[i][1] * x[1][j]) % P;
                }
            }
            memcpy(r, t, sizeof(t));
        }
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                t[i][j] = (x[i][0] * x[0][j] + x[i][1] * x[1][j]) % P;
            }
        }
        memcpy(x, t, sizeof(t));
        n >>= 1;
    }
    return (uint32_t)r[0][1];
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t rng = 0x51ed270b;
    uint32_t sum = 0;

    printf("matrix: 64x64 integer products, determinant and powers mod p\n");
    mat_random(A, &rng);
    mat_random(B, &rng);
    mat_random(C, &rng);

    mat_mul(AB, A, B);
    mat_mul(BC, B, C);
    mat_mul(ABC1, AB, C);
    mat_mul(ABC2, A, BC);
    CHECK(mat_eq(ABC1, ABC2));          /* exact modulo 2^32 */
    printf("  (AB)C = A(BC): hash %08x\n", mat_hash(ABC1));
    sum = mix32(mix32(sum, mat_hash(AB)), mat_hash(ABC1));

    transpose(T1, A);
    transpose(T2, B);
    mat_mul(BC, T2, T1);                /* B^T A^T */
    transpose(T1, AB);
    CHECK(mat_eq(T1, BC));              /* (AB)^T = B^T A^T */

    memset(T2, 0, sizeof(T2));
    for (int i = 0; i < DIM; i++) {
        T2[i][i] = 1;
    }
    mat_mul(T1, A, T2);
    CHECK(mat_eq(T1, A));

    uint32_t sp = small_product(&rng);
    printf("  16-bit product: %08x\n", sp);
    sum = mix32(sum, sp);

    static uint32_t m[16][16];
    uint32_t dets = 0;
    for (int round = 0; round < 40; round++) {
        int n = 4 + round % 12;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = xorshift32(&rng) % P;
            }
        }
        if (round == 0) {
            /* A known case: upper triangular, det = product of diagonal. */
            uint64_t want = 1;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    m[i][j] = 0;
                }
                want = want * m[i][i] % P;
            }
            CHECK_EQ(det_mod(n, m), want);
            continue;
        }
        dets = mix32(dets, det_mod(n, m));
    }
    printf("  determinants mod p: %08x\n", dets);
    sum = mix32(sum, dets);

    CHECK_EQ(fib_mod(10), 55);
    CHECK_EQ(fib_mod(90), 2880067194370816120ull % P);
    uint32_t f = 0;
    for (uint64_t n = 1; n < 400; n++) {
        f = mix32(f, fib_mod(n * n * n * 1000003ull));
    }
    printf("  fibonacci mod p: %u %u, hash %08x\n", fib_mod(1000000000000ull),
           fib_mod(0xffffffffffffull), f);
    sum = mix32(sum, f);
    return rt_finish("matrix", sum);
}
