/*
 * smc: self-modifying and generated code, as a JIT inside the guest does
 * it.  x86 runs the bytes memory holds when an instruction is fetched,
 * even right after a store to the next instruction (SDM Vol. 3A, 8.1.3),
 * so every result here is fixed by the program alone.
 *
 * - a routine patches the immediate of the instruction that follows its
 *   store;
 * - a loop rewrites the immediate of an add in its own body each time;
 * - a tiny compiler emits straight-line code for random expressions into
 *   a buffer, runs it, and checks the result against an evaluator; the
 *   same buffer is rewritten many times.
 */
#include "rt.h"

/* eax = 1, then the store turns the next "mov $1, %eax" into mov $N. */
static uint32_t patch_next(uint32_t n)
{
    uint32_t out;
    __asm__ volatile("movl %1, 1f+1\n\t"
                     "1: movl $1, %0\n\t"
                     : "=a"(out)
                     : "r"(n)
                     : "memory");
    return out;
}

/* Sum of K for K = 1..n, with K written into the add's immediate each
 * time round. */
static uint32_t rewrite_loop(uint32_t n)
{
    uint32_t sum = 0, k = 1;
    /* "add eax, imm32" spelled out (05 id) so the immediate is at +1. */
    __asm__ volatile("2: movl %[k], 3f+1\n\t"
                     "3: .byte 0x05\n\t"
                     ".long 0\n\t"
                     "incl %[k]\n\t"
                     "decl %[n]\n\t"
                     "jnz 2b\n\t"
                     : [sum] "+a"(sum), [k] "+r"(k), [n] "+r"(n)
                     :
                     : "memory", "cc");
    return sum;
}

/* ---- a tiny expression compiler ---- */

typedef struct Gen {
    uint8_t *p;
} Gen;

static void emit(Gen *g, const uint8_t *bytes, int n)
{
    for (int i = 0; i < n; i++) {
        *g->p++ = bytes[i];
    }
}

static void emit32(Gen *g, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        *g->p++ = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Compiles ops on eax: returns the evaluator's value of the same ops. */
static uint32_t compile(Gen *g, uint32_t x, int nops)
{
    static const uint8_t mov_eax[] = {0xb8};       /* mov eax, imm32 */
    static const uint8_t add_eax[] = {0x05};       /* add eax, imm32 */
    static const uint8_t xor_eax[] = {0x35};       /* xor eax, imm32 */
    static const uint8_t imul[] = {0x69, 0xc0};    /* imul eax, eax, imm32 */
    static const uint8_t rol[] = {0xc1, 0xc0};     /* rol eax, imm8 */
    static const uint8_t not_eax[] = {0xf7, 0xd0}; /* not eax */
    static const uint8_t ret[] = {0xc3};
    uint32_t v = x;

    emit(g, mov_eax, 1);
    emit32(g, x);
    for (int i = 0; i < nops; i++) {
        uint32_t imm = rng();
        switch (rng() % 5) {
        case 0:
            emit(g, add_eax, 1);
            emit32(g, imm);
            v += imm;
            break;
        case 1:
            emit(g, xor_eax, 1);
            emit32(g, imm);
            v ^= imm;
            break;
        case 2:
            emit(g, imul, 2);
            emit32(g, imm | 1);
            v *= imm | 1;
            break;
        case 3: {
            uint8_t n = (uint8_t)(imm % 31 + 1);
            emit(g, rol, 2);
            *g->p++ = n;
            v = (v << n) | (v >> (32 - n));
            break;
        }
        default:
            emit(g, not_eax, 2);
            v = ~v;
            break;
        }
    }
    emit(g, ret, 1);
    return v;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint8_t *buf = platform_code_buffer();
    uint32_t check = 0;

    (void)mb_magic;
    (void)mb_info;
    platform_text_writable();
    for (uint32_t n = 2; n < 2000; n++) {
        uint32_t got = patch_next(n);
        CHECK_EQ(got, n);
        check = check * 31 + got;
    }
    for (uint32_t n = 1; n < 300; n++) {
        uint32_t got = rewrite_loop(n);
        CHECK_EQ(got, n * (n + 1) / 2);
        check = check * 31 + got;
    }
    rng_state = 2026;
    for (int round = 0; round < 3000; round++) {
        Gen g = {buf + (round % 4) * 4096};
        uint32_t (*fn)(void) = (uint32_t (*)(void))(void *)g.p;
        uint32_t want = compile(&g, rng(), 1 + round % 40);
        uint32_t got = fn();
        CHECK_EQ(got, want);
        check = check * 31 + got;
    }
    printf("patch, loop rewrite and generated code agree\n");
    return rt_finish("smc", check);
}
