/*
 * Lazy flags (cpu/flags.c) against the host CPU: each case runs the same
 * instruction natively (x86-64 inline asm, flags in by popf and out by
 * pushf), builds the lazy state the frontend would record for it
 * (conventions table in cpu/flags.h) and checks cc_compute_all,
 * cc_compute_c and cc_eval_cond against what the host produced.
 *
 * 8-bit operations run exhaustively over both operands and the incoming
 * flags (CF, and all the others, clear and set); 16- and 32-bit ones over
 * edge values crossed with edge values and over random operands.
 *
 * Flags the SDM leaves undefined are masked (the list is printed once at
 * start; cpu/flags.c documents the values chosen for them):
 *   AND/OR/XOR         AF
 *   SHL/SHR/SAR        AF (count != 0); OF (count > 1);
 *                      CF for SHL/SHR when count >= operand width
 *   MUL/IMUL           SF ZF AF PF
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"

#if !defined(__x86_64__)
#error "test-flags compares against the host CPU: x86-64 only"
#endif

/* Run INSN with the flags FIN loaded, and return the flags after.  The
 * red zone below rsp may hold the compiler's locals: step over it. */
#define HOST_ASM(insn, ...)                                                    \
    asm volatile(                                                              \
        "lea -128(%%rsp), %%rsp\n\tpush %[fin]\n\tpopfq\n\t" insn              \
        "\n\tpushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp" __VA_ARGS__)

#define HOST_BIN(fn, insn, T)                                                  \
    static uint64_t fn(uint32_t *a, uint32_t b, uint64_t fin)                  \
    {                                                                          \
        T x = *a, y = b;                                                       \
        uint64_t f;                                                            \
        HOST_ASM(insn " %[y], %[x]",                                           \
                 : [x] "+q"(x), [f] "=&r"(f)                                   \
                 : [y] "q"(y), [fin] "r"(fin)                                  \
                 : "cc");                                                      \
        *a = x;                                                                \
        return f;                                                              \
    }

#define HOST_SHIFT(fn, insn, T)                                                \
    static uint64_t fn(uint32_t *a, uint32_t b, uint64_t fin)                  \
    {                                                                          \
        T x = *a;                                                              \
        uint8_t c = b;                                                         \
        uint64_t f;                                                            \
        HOST_ASM(insn " %%cl, %[x]",                                           \
                 : [x] "+q"(x), [f] "=&r"(f)                                   \
                 : "c"(c), [fin] "r"(fin)                                      \
                 : "cc");                                                      \
        *a = x;                                                                \
        return f;                                                              \
    }

#define HOST_UNARY(fn, insn, T)                                                \
    static uint64_t fn(uint32_t *a, uint32_t b, uint64_t fin)                  \
    {                                                                          \
        T x = *a;                                                              \
        uint64_t f;                                                            \
        HOST_ASM(insn " %[x]",                                                 \
                 : [x] "+q"(x), [f] "=&r"(f)                                   \
                 : [fin] "r"(fin)                                              \
                 : "cc");                                                      \
        *a = x;                                                                \
        return f;                                                              \
    }

/* One-operand MUL/IMUL of 16 and 32 bits: *a = low half, *a2 = high. */
#define HOST_MUL(fn, insn, T)                                                  \
    static uint64_t fn(uint32_t *a, uint32_t b, uint32_t *a2, uint64_t fin)    \
    {                                                                          \
        T lo = *a, hi, y = b;                                                  \
        uint64_t f;                                                            \
        HOST_ASM(insn " %[y]",                                                 \
                 : "+a"(lo), "=&d"(hi), [f] "=&r"(f)                           \
                 : [y] "r"(y), [fin] "r"(fin)                                  \
                 : "cc");                                                      \
        *a = lo;                                                               \
        *a2 = hi;                                                              \
        return f;                                                              \
    }

/* 8-bit: AX = AL * r8. */
#define HOST_MUL8(fn, insn)                                                    \
    static uint64_t fn(uint32_t *a, uint32_t b, uint32_t *a2, uint64_t fin)    \
    {                                                                          \
        uint16_t ax = *a & 0xff;                                               \
        uint8_t y = b;                                                         \
        uint64_t f;                                                            \
        HOST_ASM(insn " %[y]",                                                 \
                 : "+a"(ax), [f] "=&r"(f)                                      \
                 : [y] "q"(y), [fin] "r"(fin)                                  \
                 : "cc");                                                      \
        *a = ax & 0xff;                                                        \
        *a2 = ax >> 8;                                                         \
        return f;                                                              \
    }

#define HOST_SIZED(X, name, insn)                                              \
    X(host_##name##8, insn "b", uint8_t)                                       \
    X(host_##name##16, insn "w", uint16_t)                                     \
    X(host_##name##32, insn "l", uint32_t)

HOST_SIZED(HOST_BIN, add, "add")
HOST_SIZED(HOST_BIN, adc, "adc")
HOST_SIZED(HOST_BIN, sub, "sub")
HOST_SIZED(HOST_BIN, sbb, "sbb")
HOST_SIZED(HOST_BIN, and, "and")
HOST_SIZED(HOST_BIN, or, "or")
HOST_SIZED(HOST_BIN, xor, "xor")
HOST_SIZED(HOST_UNARY, inc, "inc")
HOST_SIZED(HOST_UNARY, dec, "dec")
HOST_SIZED(HOST_SHIFT, shl, "shl")
HOST_SIZED(HOST_SHIFT, shr, "shr")
HOST_SIZED(HOST_SHIFT, sar, "sar")
HOST_MUL8(host_mul8, "mulb")
HOST_MUL(host_mul16, "mulw", uint16_t)
HOST_MUL(host_mul32, "mull", uint32_t)
HOST_MUL8(host_imul8, "imulb")
HOST_MUL(host_imul16, "imulw", uint16_t)
HOST_MUL(host_imul32, "imull", uint32_t)
/* Two-operand IMUL (truncating form). */
HOST_BIN(host_imul2_16, "imulw", uint16_t)
HOST_BIN(host_imul2_32, "imull", uint32_t)

typedef uint64_t (*HostBinFn)(uint32_t *a, uint32_t b, uint64_t fin);
typedef uint64_t (*HostMulFn)(uint32_t *a, uint32_t b, uint32_t *a2,
                              uint64_t fin);

/* Operation kinds of this test; LOGIC has three instructions. */
typedef enum TestOp {
    T_ADD,
    T_ADC,
    T_SUB,
    T_SBB,
    T_AND,
    T_OR,
    T_XOR,
    T_INC,
    T_DEC,
    T_SHL,
    T_SHR,
    T_SAR,
    T_MUL,
    T_IMUL,
    T_IMUL2,
    T_NB
} TestOp;

static const char *const test_op_names[T_NB] = {
    "add", "adc", "sub", "sbb", "and", "or",   "xor",   "inc",
    "dec", "shl", "shr", "sar", "mul", "imul", "imul2",
};

static const HostBinFn host_bin[T_NB][3] = {
    [T_ADD] = {host_add8, host_add16, host_add32},
    [T_ADC] = {host_adc8, host_adc16, host_adc32},
    [T_SUB] = {host_sub8, host_sub16, host_sub32},
    [T_SBB] = {host_sbb8, host_sbb16, host_sbb32},
    [T_AND] = {host_and8, host_and16, host_and32},
    [T_OR] = {host_or8, host_or16, host_or32},
    [T_XOR] = {host_xor8, host_xor16, host_xor32},
    [T_INC] = {host_inc8, host_inc16, host_inc32},
    [T_DEC] = {host_dec8, host_dec16, host_dec32},
    [T_SHL] = {host_shl8, host_shl16, host_shl32},
    [T_SHR] = {host_shr8, host_shr16, host_shr32},
    [T_SAR] = {host_sar8, host_sar16, host_sar32},
    [T_IMUL2] = {NULL, host_imul2_16, host_imul2_32},
};

static const HostMulFn host_mul[2][3] = {
    {host_mul8, host_mul16, host_mul32},
    {host_imul8, host_imul16, host_imul32},
};

/* Flags bits a condition code reads (SDM Vol. 1, Appendix B). */
static const uint32_t cond_deps[8] = {
    CC_O, CC_C, CC_Z, CC_C | CC_Z, CC_S, CC_P, CC_S | CC_O, CC_Z | CC_S | CC_O,
};

static inline uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static inline int32_t sext(uint32_t v, unsigned size)
{
    unsigned s = 32 - size * 8;

    return (int32_t)(v << s) >> s;
}

/* Flags the SDM leaves undefined for this case. */
static uint32_t undefined_flags(TestOp t, unsigned size, uint32_t count)
{
    switch (t) {
    case T_AND:
    case T_OR:
    case T_XOR: return CC_A;
    case T_SHL:
    case T_SHR:
    case T_SAR:
        return CC_A | (count > 1 ? CC_O : 0) |
               (t != T_SAR && count >= size * 8 ? CC_C : 0);
    case T_MUL:
    case T_IMUL:
    case T_IMUL2: return CC_S | CC_Z | CC_A | CC_P;
    default: return 0;
    }
}

static uint32_t cc_base(TestOp t)
{
    static const uint32_t base[T_NB] = {
        [T_ADD] = CC_OP_ADDB,   [T_ADC] = CC_OP_ADCB,   [T_SUB] = CC_OP_SUBB,
        [T_SBB] = CC_OP_SBBB,   [T_AND] = CC_OP_LOGICB, [T_OR] = CC_OP_LOGICB,
        [T_XOR] = CC_OP_LOGICB, [T_INC] = CC_OP_INCB,   [T_DEC] = CC_OP_DECB,
        [T_SHL] = CC_OP_SHLB,   [T_SHR] = CC_OP_SHRB,   [T_SAR] = CC_OP_SARB,
        [T_MUL] = CC_OP_MULB,   [T_IMUL] = CC_OP_IMULB, [T_IMUL2] = CC_OP_IMULB,
    };

    return base[t];
}

/*
 * Run one case on the host, build the lazy state per the conventions in
 * cpu/flags.h, and compare; a mismatch fails the test.
 */
static void check_case(TestOp t, unsigned size, uint32_t a, uint32_t b,
                       uint32_t fin)
{
    uint32_t mask = size_mask(size), res = a & mask, hi = 0;
    uint32_t op = cc_base(t) + cc_size_index(size);
    uint32_t dst, src = 0, src2 = 0, count = b & 0x1f, undef, host, mine;
    int si = cc_size_index(size);
    unsigned c;

    if (t == T_MUL || t == T_IMUL) {
        host = host_mul[t == T_IMUL][si](&res, b, &hi, fin | 2);
    } else {
        host = host_bin[t][si](&res, b, fin | 2);
    }
    host &= CC_ALL;
    dst = res;
    switch (t) {
    case T_ADD:
    case T_ADC:
    case T_SUB:
    case T_SBB:
        src = b & mask;
        src2 = a & mask;
        break;
    case T_INC:
    case T_DEC: src = fin & CC_C; break;
    case T_SHL: src = (a & mask) << (count - 1); break;
    case T_SHR: src = (a & mask) >> (count - 1); break;
    case T_SAR: src = (uint32_t)(sext(a, size) >> (count - 1)); break;
    case T_MUL: src = hi != 0; break;
    case T_IMUL:
        /* Overflow: the high half is not the sign extension of the low. */
        src = hi != ((sext(res, size) < 0) ? mask : 0);
        break;
    case T_IMUL2:
        src = (int64_t)sext(a, size) * sext(b, size) != sext(res, size);
        break;
    default: break;
    }
    undef = undefined_flags(t, size, count);
    mine = cc_compute_all(op, dst, src, src2);
    if ((mine & ~undef) != (host & ~undef)) {
        ck_abort_msg("%s%u a=%#x b=%#x fin=%#x: cc_compute_all(%s) = %#x, "
                     "host %#x (undefined %#x)",
                     test_op_names[t], size * 8, a, b, fin, cc_op_name(op),
                     mine, host, undef);
    }
    if (!(undef & CC_C) && cc_compute_c(op, dst, src, src2) != (host & CC_C)) {
        ck_abort_msg("%s%u a=%#x b=%#x: cc_compute_c = %u, host CF %u",
                     test_op_names[t], size * 8, a, b,
                     cc_compute_c(op, dst, src, src2), host & CC_C);
    }
    for (c = 0; c < 16; c++) {
        uint32_t r = cc_eval_cond(c, op, dst, src, src2);

        if (r != cc_cond_from_eflags(c, mine) ||
            (!(cond_deps[c >> 1] & undef) &&
             r != cc_cond_from_eflags(c, host))) {
            ck_abort_msg("%s%u a=%#x b=%#x: cond %u = %u, from flags %u, "
                         "host %u",
                         test_op_names[t], size * 8, a, b, c, r,
                         cc_cond_from_eflags(c, mine),
                         cc_cond_from_eflags(c, host));
        }
    }
}

/* Incoming flags: CF clear and set, with the other five clear and set. */
static const uint32_t flag_inputs[] = {0x000, 0x001, 0x8d4, 0x8d5};
#define NB_FLAG_INPUTS (sizeof(flag_inputs) / sizeof(flag_inputs[0]))

static bool op_is_shift(TestOp t)
{
    return t == T_SHL || t == T_SHR || t == T_SAR;
}

/* 8 bits: every a, every b, every incoming flag set. */
static void check_exhaustive8(TestOp t)
{
    unsigned a, b, f;

    for (a = 0; a < 256; a++) {
        for (b = 0; b < 256; b++) {
            if (op_is_shift(t) && (b & 0x1f) == 0) {
                continue; /* count 0 does not set flags */
            }
            for (f = 0; f < NB_FLAG_INPUTS; f++) {
                check_case(t, 1, a, b, flag_inputs[f]);
            }
        }
    }
}

static uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* 16/32 bits: edge values crossed, then random pairs.  Shift counts are
 * all of 1..31 for each value. */
static void check_wide(TestOp t, unsigned size)
{
    uint32_t mask = size_mask(size), sign = mask ^ (mask >> 1);
    uint32_t edges[] = {
        0,
        1,
        2,
        0xf,
        0x10,
        0x7f,
        0x80,
        0xff,
        0x100,
        sign - 1,
        sign,
        sign + 1,
        mask,
        mask - 1,
        mask >> 1,
        0x5555aaaa & mask,
        0x12345678 & mask,
        0xdeadbeef & mask,
        0x8000 & mask,
        0x7fff,
    };
    unsigned n = sizeof(edges) / sizeof(edges[0]), i, j, f;
    uint32_t rng = 0x2545f491 ^ (size << 8) ^ t;

    for (i = 0; i < n; i++) {
        for (j = 0; j < (op_is_shift(t) ? 31 : n); j++) {
            uint32_t b = op_is_shift(t) ? j + 1 : edges[j];

            for (f = 0; f < NB_FLAG_INPUTS; f++) {
                check_case(t, size, edges[i], b, flag_inputs[f]);
            }
        }
    }
    for (i = 0; i < 100000; i++) {
        uint32_t a = xorshift32(&rng), b = xorshift32(&rng);

        if (op_is_shift(t) && (b & 0x1f) == 0) {
            b |= 1;
        }
        check_case(t, size, a, b, flag_inputs[i % NB_FLAG_INPUTS]);
    }
}

static void check_op(TestOp t)
{
    if (t != T_IMUL2) {
        check_exhaustive8(t);
    }
    check_wide(t, 2);
    check_wide(t, 4);
}

START_TEST(test_add_sub)
{
    check_op(T_ADD);
    check_op(T_ADC);
    check_op(T_SUB);
    check_op(T_SBB);
}
END_TEST

START_TEST(test_logic)
{
    check_op(T_AND);
    check_op(T_OR);
    check_op(T_XOR);
}
END_TEST

START_TEST(test_inc_dec)
{
    check_op(T_INC);
    check_op(T_DEC);
}
END_TEST

START_TEST(test_shifts)
{
    check_op(T_SHL);
    check_op(T_SHR);
    check_op(T_SAR);
}
END_TEST

START_TEST(test_mul)
{
    check_op(T_MUL);
    check_op(T_IMUL);
    check_op(T_IMUL2);
}
END_TEST

/* SETcc on the host, for cc_cond_from_eflags. */
#define HOST_SETCC(cc)                                                         \
    case CC_COND_##cc:                                                         \
        HOST_ASM("set" #cc " %[r]",                                            \
                 : [r] "=q"(r), [f] "=&r"(f)                                   \
                 : [fin] "r"(fin)                                              \
                 : "cc");                                                      \
        break;

static uint32_t host_cond(unsigned cond, uint64_t fin)
{
    uint8_t r = 0;
    uint64_t f;

    switch (cond) {
        /* clang-format off */
    HOST_SETCC(O) HOST_SETCC(NO) HOST_SETCC(B) HOST_SETCC(AE)
    HOST_SETCC(E) HOST_SETCC(NE) HOST_SETCC(BE) HOST_SETCC(A)
    HOST_SETCC(S) HOST_SETCC(NS) HOST_SETCC(P) HOST_SETCC(NP)
    HOST_SETCC(L) HOST_SETCC(GE) HOST_SETCC(LE) HOST_SETCC(G)
        /* clang-format on */
    }
    (void)f;
    return r;
}

START_TEST(test_cond_from_eflags)
{
    static const uint32_t bits[6] = {CC_C, CC_P, CC_A, CC_Z, CC_S, CC_O};
    unsigned combo, i, cond;

    for (combo = 0; combo < 64; combo++) {
        uint32_t fl = 2;

        for (i = 0; i < 6; i++) {
            if (combo & (1u << i)) {
                fl |= bits[i];
            }
        }
        for (cond = 0; cond < 16; cond++) {
            ck_assert_msg(cc_cond_from_eflags(cond, fl) == host_cond(cond, fl),
                          "cond %u eflags %#x", cond, fl);
            /* The EFLAGS op must read the same. */
            ck_assert_uint_eq(cc_eval_cond(cond, CC_OP_EFLAGS, 0, fl, 0),
                              host_cond(cond, fl));
        }
    }
}
END_TEST

START_TEST(test_parity_and_names)
{
    unsigned v;

    for (v = 0; v < 512; v++) {
        ck_assert_uint_eq(cc_parity(v),
                          (__builtin_popcount(v & 0xff) & 1) ? 0 : CC_P);
    }
    ck_assert_str_eq(cc_op_name(CC_OP_EFLAGS), "EFLAGS");
    ck_assert_str_eq(cc_op_name(CC_OP_ADDB), "ADDB");
    ck_assert_str_eq(cc_op_name(CC_OP_SUBW), "SUBW");
    ck_assert_str_eq(cc_op_name(CC_OP_IMULL), "IMULL");
    ck_assert_str_eq(cc_op_name((uint32_t)CC_OP_DYNAMIC), "DYNAMIC");
    ck_assert_str_eq(cc_op_name(CC_OP_NB), "?");
    /* EFLAGS op: the arithmetic flags are cc_src, nothing else. */
    ck_assert_uint_eq(cc_compute_all(CC_OP_EFLAGS, 0, 0xffffffff, 0), CC_ALL);
    ck_assert_uint_eq(cc_compute_c(CC_OP_EFLAGS, 0, CC_C, 0), 1);
}
END_TEST

static void print_undefined_once(void)
{
    printf("test-flags: flags the SDM leaves undefined are not compared:\n"
           "  AND/OR/XOR   AF\n"
           "  SHL/SHR/SAR  AF (count != 0), OF (count > 1), "
           "CF of SHL/SHR (count >= width)\n"
           "  MUL/IMUL     SF ZF AF PF\n");
    fflush(stdout);
}

static Suite *flags_suite(void)
{
    Suite *s = suite_create("flags");
    TCase *tc = tcase_create("host");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_add_sub);
    tcase_add_test(tc, test_logic);
    tcase_add_test(tc, test_inc_dec);
    tcase_add_test(tc, test_shifts);
    tcase_add_test(tc, test_mul);
    tcase_add_test(tc, test_cond_from_eflags);
    tcase_add_test(tc, test_parity_and_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(flags_suite());
    int failed;

    print_undefined_once();
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
