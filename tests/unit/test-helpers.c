/*
 * The arithmetic helpers (cpu/helper-arith.c) and EFLAGS assembly
 * (cpu/cpu.c) against the host CPU:
 *   - DIV/IDIV of 8/16/32 bits (results against the host, #DE cases
 *     caught through the CPUState's jump buffer);
 *   - ROL ROR RCL RCR over all sizes and counts 0..40, SHLD/SHRD, BSF/BSR
 *     against the same instruction run natively;
 *   - DAA DAS AAA AAS AAM AAD against the hardware through the 32-bit
 *     helper tests/unit/oracle-bcd/bcd32, or where i386 binaries cannot
 *     run, the table recorded from it (tests/refs/): every AL, CF and AF,
 *     every AAM base, AAD over AX for 14 bases; where the helper runs, the
 *     recorded table is checked against it;
 *   - cpu_get_eflags/cpu_set_eflags round trips and the reset state.
 *
 * Flags (and results) the SDM leaves undefined are not compared; each
 * test prints how often our documented choice agreed with the host.
 */
#include <check.h>
#include <glib.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/oracle-bcd/bcd.h"
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helper.h"
#include "memory/memory.h"

#if !defined(__x86_64__)
#error "test-helpers compares against the host CPU: x86-64 only"
#endif

/* Writable EFLAGS bits of this CPU (no VIF/VIP: no VME). */
#define EFLAGS_DEFINED 0x00277fd5u

/* ---- a CPU in flat 32-bit protected mode ---- */

static CPUState *test_cpu_new(void)
{
    CPUState *cpu = calloc(1, sizeof(*cpu));
    int i;

    ck_assert_ptr_nonnull(cpu);
    cpu->as = as_new(1 << 20);
    cpu->ports = ports_new();
    ck_assert_ptr_nonnull(cpu->as);
    cpu_reset(cpu);
    cpu->cr[0] |= CR0_PE;
    for (i = 0; i < CPU_NB_SEGS; i++) {
        cpu->seg[i].selector = i == R_CS ? 0x08 : 0x10;
        cpu->seg[i].base = 0;
        cpu->seg[i].limit = 0xffffffff;
        cpu->seg[i].flags = DESC_P | DESC_S | DESC_RW | DESC_A | DESC_B |
                            DESC_G | (i == R_CS ? DESC_CODE : 0);
    }
    cpu_update_hflags(cpu);
    return cpu;
}

static void test_cpu_free(CPUState *cpu)
{
    as_free(cpu->as);
    ports_free(cpu->ports);
    free(cpu);
}

/* Run STMT expecting exception VEC (an EXCP_* value). */
#define EXPECT_EXCP(cpu, vec, stmt)                                            \
    do {                                                                       \
        (cpu)->exception_index = EXCP_NONE;                                    \
        if (sigsetjmp((cpu)->jmp_env, 0) == 0) {                               \
            stmt;                                                              \
            ck_abort_msg("no exception from %s", #stmt);                       \
        }                                                                      \
        ck_assert_int_eq((cpu)->exception_index, (vec));                       \
    } while (0)

/* Arm the jump buffer so that an unexpected exception fails the test. */
#define CATCH_UNEXPECTED(cpu)                                                  \
    do {                                                                       \
        if (sigsetjmp((cpu)->jmp_env, 0) != 0) {                               \
            ck_abort_msg("unexpected exception %s (%d)",                       \
                         cpu_exception_name((cpu)->exception_index),           \
                         (cpu)->exception_index);                              \
        }                                                                      \
    } while (0)

static inline uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Agreement with the host on what the SDM leaves undefined, per flag
 * (and for the result, in slot 6). */
typedef struct UndefStats {
    unsigned long cases[7], agree[7];
} UndefStats;

static const uint32_t stat_bits[6] = {CC_C, CC_P, CC_A, CC_Z, CC_S, CC_O};
static const char *const stat_names[7] = {
    "CF", "PF", "AF", "ZF", "SF", "OF", "result",
};

static void undef_note(UndefStats *st, uint32_t mine, uint32_t host,
                       uint32_t undef_mask)
{
    int i;

    for (i = 0; i < 6; i++) {
        if (undef_mask & stat_bits[i]) {
            st->cases[i]++;
            st->agree[i] += (mine & stat_bits[i]) == (host & stat_bits[i]);
        }
    }
}

static void undef_note_result(UndefStats *st, uint32_t mine, uint32_t host)
{
    st->cases[6]++;
    st->agree[6] += mine == host;
}

static void undef_print(const char *what, const UndefStats *st)
{
    char line[256];
    int i, n = 0;

    for (i = 0; i < 7; i++) {
        if (st->cases[i]) {
            n += snprintf(line + n, sizeof(line) - n, " %s %lu/%lu",
                          stat_names[i], st->agree[i], st->cases[i]);
        }
    }
    printf("test-helpers: %s: undefined, agreeing with the host:%s\n", what,
           n ? line : " (none)");
    fflush(stdout);
}

/* ---- host instructions ---- */

#define HOST_ASM(insn, ...)                                                    \
    asm volatile(                                                              \
        "lea -128(%%rsp), %%rsp\n\tpush %[fin]\n\tpopfq\n\t" insn              \
        "\n\tpushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp" __VA_ARGS__)

/* x = x OP cl */
#define HOST_ROT(fn, insn, T)                                                  \
    static uint64_t fn(uint32_t *a, uint32_t b, uint32_t c, uint64_t fin)      \
    {                                                                          \
        T x = *a;                                                              \
        uint8_t cl = c;                                                        \
        uint64_t f;                                                            \
        (void)b;                                                               \
        HOST_ASM(insn " %%cl, %[x]",                                           \
                 : [x] "+q"(x), [f] "=&r"(f)                                   \
                 : "c"(cl), [fin] "r"(fin)                                     \
                 : "cc");                                                      \
        *a = x;                                                                \
        return f;                                                              \
    }

/* x = shld/shrd(x, y, cl) */
#define HOST_SHXD(fn, insn, T)                                                 \
    static uint64_t fn(uint32_t *a, uint32_t b, uint32_t c, uint64_t fin)      \
    {                                                                          \
        T x = *a, y = b;                                                       \
        uint8_t cl = c;                                                        \
        uint64_t f;                                                            \
        HOST_ASM(insn " %%cl, %[y], %[x]",                                     \
                 : [x] "+r"(x), [f] "=&r"(f)                                   \
                 : [y] "r"(y), "c"(cl), [fin] "r"(fin)                         \
                 : "cc");                                                      \
        *a = x;                                                                \
        return f;                                                              \
    }

/* x = bsf/bsr(y), x unchanged when y == 0 */
#define HOST_BSX(fn, insn, T)                                                  \
    static uint64_t fn(uint32_t *a, uint32_t b, uint32_t c, uint64_t fin)      \
    {                                                                          \
        T x = *a, y = b;                                                       \
        uint64_t f;                                                            \
        (void)c;                                                               \
        HOST_ASM(insn " %[y], %[x]",                                           \
                 : [x] "+r"(x), [f] "=&r"(f)                                   \
                 : [y] "r"(y), [fin] "r"(fin)                                  \
                 : "cc");                                                      \
        *a = x;                                                                \
        return f;                                                              \
    }

typedef uint64_t (*HostFn)(uint32_t *a, uint32_t b, uint32_t c, uint64_t fin);

HOST_ROT(host_rolb, "rolb", uint8_t)
HOST_ROT(host_rolw, "rolw", uint16_t)
HOST_ROT(host_roll, "roll", uint32_t)
HOST_ROT(host_rorb, "rorb", uint8_t)
HOST_ROT(host_rorw, "rorw", uint16_t)
HOST_ROT(host_rorl, "rorl", uint32_t)
HOST_ROT(host_rclb, "rclb", uint8_t)
HOST_ROT(host_rclw, "rclw", uint16_t)
HOST_ROT(host_rcll, "rcll", uint32_t)
HOST_ROT(host_rcrb, "rcrb", uint8_t)
HOST_ROT(host_rcrw, "rcrw", uint16_t)
HOST_ROT(host_rcrl, "rcrl", uint32_t)
HOST_SHXD(host_shldw, "shldw", uint16_t)
HOST_SHXD(host_shldl, "shldl", uint32_t)
HOST_SHXD(host_shrdw, "shrdw", uint16_t)
HOST_SHXD(host_shrdl, "shrdl", uint32_t)
HOST_BSX(host_bsfw, "bsfw", uint16_t)
HOST_BSX(host_bsfl, "bsfl", uint32_t)
HOST_BSX(host_bsrw, "bsrw", uint16_t)
HOST_BSX(host_bsrl, "bsrl", uint32_t)

static const HostFn host_rot[4][3] = {
    {host_rolb, host_rolw, host_roll},
    {host_rorb, host_rorw, host_rorl},
    {host_rclb, host_rclw, host_rcll},
    {host_rcrb, host_rcrw, host_rcrl},
};

/* Incoming flags: CF clear and set, the other five clear and set. */
static const uint32_t flag_inputs[] = {0x002, 0x003, 0x8d6, 0x8d7};
#define NB_FLAG_INPUTS (sizeof(flag_inputs) / sizeof(flag_inputs[0]))

static uint32_t edge_value(unsigned i, unsigned size)
{
    static const uint32_t edges[] = {
        0,          1,          2,          0x7f,       0x80,       0xff,
        0x7fff,     0x8000,     0xffff,     0x7fffffff, 0x80000000, 0xffffffff,
        0x12345678, 0xdeadbeef, 0x5555aaaa, 0x0f0f0f0f,
    };

    return edges[i % 16] & size_mask(size);
}

/* ---- rotates ---- */

static void check_rotate(CPUState *cpu, unsigned kind, unsigned size,
                         uint32_t value, uint32_t count, uint32_t fin,
                         UndefStats *st)
{
    static const char *const names[] = {"rol", "ror", "rcl", "rcr"};
    uint32_t host_res = value, res, mine, host, undef;
    unsigned masked = count & 0x1f;

    host =
        host_rot[kind][cc_size_index(size)](&host_res, 0, count, fin) & CC_ALL;
    cpu_set_eflags(cpu, fin, CC_ALL);
    res = helper_rotate(cpu, kind, value, count, size);
    mine = cpu_get_eflags(cpu) & CC_ALL;
    /* OF is defined for 1-bit rotates only (a masked count of 0 changes
     * no flag, which is compared). */
    undef = masked != 0 && masked != 1 ? CC_O : 0;
    if (res != (host_res & size_mask(size)) ||
        (mine & ~undef) != (host & ~undef)) {
        ck_abort_msg("%s%u %#x by %u, flags in %#x: result %#x flags %#x, "
                     "host %#x flags %#x",
                     names[kind], size * 8, value, count, fin, res, mine,
                     host_res, host);
    }
    undef_note(st, mine, host, undef);
}

START_TEST(test_rotate)
{
    CPUState *cpu = test_cpu_new();
    UndefStats st = {{0}, {0}};
    uint32_t rng = 12345, count, v, kind, f, i, size;

    CATCH_UNEXPECTED(cpu);
    for (kind = 0; kind < 4; kind++) {
        for (count = 0; count <= 40; count++) {
            for (f = 0; f < NB_FLAG_INPUTS; f++) {
                for (v = 0; v < 256; v++) {
                    check_rotate(cpu, kind, 1, v, count, flag_inputs[f], &st);
                }
                for (size = 2; size <= 4; size += 2) {
                    for (i = 0; i < 16; i++) {
                        check_rotate(cpu, kind, size, edge_value(i, size),
                                     count, flag_inputs[f], &st);
                    }
                    for (i = 0; i < 200; i++) {
                        check_rotate(cpu, kind, size,
                                     xorshift32(&rng) & size_mask(size), count,
                                     flag_inputs[f], &st);
                    }
                }
            }
        }
    }
    /* Count 0 leaves the lazy state as it was. */
    cpu->cc_op = CC_OP_SUBB;
    cpu->cc_dst = 0x12;
    cpu->cc_src = 0x34;
    cpu->cc_src2 = 0x46;
    ck_assert_uint_eq(helper_rotate(cpu, 2, 0x81, 32, 1), 0x81);
    ck_assert_uint_eq(cpu->cc_op, CC_OP_SUBB);
    ck_assert_uint_eq(cpu->cc_src, 0x34);
    undef_print("rotate", &st);
    test_cpu_free(cpu);
}
END_TEST

/* ---- SHLD/SHRD ---- */

static void check_shiftd(CPUState *cpu, unsigned left, unsigned size,
                         uint32_t dst, uint32_t src, uint32_t count,
                         uint32_t fin, UndefStats *st)
{
    static const HostFn fns[2][2] = {
        {host_shrdw, host_shrdl},
        {host_shldw, host_shldl},
    };
    uint32_t host_res = dst, res, mine, host, undef = 0;
    unsigned masked = count & 0x1f;
    bool res_undef = masked > size * 8;

    host = fns[left][size == 4](&host_res, src, count, fin) & CC_ALL;
    cpu_set_eflags(cpu, fin, CC_ALL);
    res = helper_shiftd(cpu, left, dst, src, count, size);
    mine = cpu_get_eflags(cpu) & CC_ALL;
    if (masked) {
        undef = CC_A | (masked > 1 ? CC_O : 0) | (res_undef ? CC_ALL : 0);
    }
    if ((!res_undef && res != host_res) || (mine & ~undef) != (host & ~undef)) {
        ck_abort_msg("sh%cd%u %#x,%#x by %u: result %#x flags %#x, host %#x "
                     "flags %#x",
                     left ? 'l' : 'r', size * 8, dst, src, count, res, mine,
                     host_res, host);
    }
    undef_note(st, mine, host, undef);
    if (res_undef) {
        undef_note_result(st, res, host_res);
    }
}

START_TEST(test_shiftd)
{
    CPUState *cpu = test_cpu_new();
    UndefStats st = {{0}, {0}};
    uint32_t rng = 777, count, left, size, i, j;

    CATCH_UNEXPECTED(cpu);
    for (left = 0; left < 2; left++) {
        for (size = 2; size <= 4; size += 2) {
            for (count = 0; count <= 40; count++) {
                for (i = 0; i < 16; i++) {
                    for (j = 0; j < 16; j += 3) {
                        check_shiftd(cpu, left, size, edge_value(i, size),
                                     edge_value(j, size), count,
                                     flag_inputs[(i + j) % NB_FLAG_INPUTS],
                                     &st);
                    }
                }
                for (i = 0; i < 500; i++) {
                    check_shiftd(cpu, left, size,
                                 xorshift32(&rng) & size_mask(size),
                                 xorshift32(&rng) & size_mask(size), count,
                                 flag_inputs[i % NB_FLAG_INPUTS], &st);
                }
            }
        }
    }
    undef_print("shld/shrd", &st);
    test_cpu_free(cpu);
}
END_TEST

/* ---- BSF/BSR ---- */

START_TEST(test_bit_scan)
{
    static const HostFn fns[2][2] = {
        {host_bsfw, host_bsfl},
        {host_bsrw, host_bsrl},
    };
    CPUState *cpu = test_cpu_new();
    UndefStats st = {{0}, {0}};
    uint32_t rng = 4242, size, rev, i;

    CATCH_UNEXPECTED(cpu);
    for (rev = 0; rev < 2; rev++) {
        for (size = 2; size <= 4; size += 2) {
            for (i = 0; i < 3000; i++) {
                uint32_t src, old = xorshift32(&rng), host_res, res, mine, host;
                uint32_t fin = flag_inputs[i % NB_FLAG_INPUTS];
                uint32_t undef = CC_C | CC_O | CC_S | CC_A | CC_P;

                src = i < 64 ? (i < 33 ? (i ? 1u << (i - 1) : 0)
                                       : (1u << (i - 33)) * 3)
                             : xorshift32(&rng) >> (i % 32);
                src &= size_mask(size);
                host_res = old;
                host = fns[rev][size == 4](&host_res, src, 0, fin) & CC_ALL;
                cpu_set_eflags(cpu, fin, CC_ALL);
                res = rev ? helper_bsr(cpu, src, old, size)
                          : helper_bsf(cpu, src, old, size);
                mine = cpu_get_eflags(cpu) & CC_ALL;
                /* The destination keeps its value for a zero source. */
                if ((res & size_mask(size)) != (host_res & size_mask(size)) ||
                    (src == 0 && res != old) ||
                    (mine & ~undef) != (host & ~undef)) {
                    ck_abort_msg("%s%u src %#x old %#x: %#x flags %#x, host "
                                 "%#x flags %#x",
                                 rev ? "bsr" : "bsf", size * 8, src, old, res,
                                 mine, host_res, host);
                }
                undef_note(&st, mine, host, undef);
            }
        }
    }
    undef_print("bsf/bsr", &st);
    test_cpu_free(cpu);
}
END_TEST

/* ---- DIV/IDIV ---- */

/* The host's DIV/IDIV on EDX:EAX (only for cases that do not fault). */
static __attribute__((noinline)) void host_divide(bool sign, unsigned size,
                                                  uint32_t *eax, uint32_t *edx,
                                                  uint32_t divisor)
{
    uint32_t a = *eax, d = *edx;
    uint16_t ax = a, dx = d, w = divisor;
    uint8_t b = divisor;

    switch (size * 2 + sign) {
    case 2: asm("divb %[b]" : "+a"(ax) : [b] "q"(b) : "cc"); break;
    case 3: asm("idivb %[b]" : "+a"(ax) : [b] "q"(b) : "cc"); break;
    case 4: asm("divw %[w]" : "+a"(ax), "+d"(dx) : [w] "r"(w) : "cc"); break;
    case 5: asm("idivw %[w]" : "+a"(ax), "+d"(dx) : [w] "r"(w) : "cc"); break;
    case 8:
        asm("divl %[l]" : "+a"(a), "+d"(d) : [l] "r"(divisor) : "cc");
        break;
    default: asm("idivl %[l]" : "+a"(a), "+d"(d) : [l] "r"(divisor) : "cc");
    }
    if (size == 1) {
        *eax = (*eax & ~0xffffu) | ax;
    } else if (size == 2) {
        *eax = (*eax & ~0xffffu) | ax;
        *edx = (*edx & ~0xffffu) | dx;
    } else {
        *eax = a;
        *edx = d;
    }
}

/* Whether DIV/IDIV faults: zero divisor or a quotient that does not fit
 * (SDM Vol. 2, DIV/IDIV), computed independently of the helper. */
static bool divide_faults(bool sign, unsigned size, uint32_t eax, uint32_t edx,
                          uint32_t divisor)
{
    unsigned bits = size * 8;
    __int128 n, d, q;

    if (size == 1) {
        n = sign ? (int16_t)eax : (uint16_t)eax;
    } else if (size == 2) {
        uint32_t v = (edx & 0xffff) << 16 | (eax & 0xffff);
        n = sign ? (int32_t)v : (__int128)v;
    } else {
        uint64_t v = (uint64_t)edx << 32 | eax;
        n = sign ? (int64_t)v : (__int128)v;
    }
    divisor &= size_mask(size);
    d = sign ? (__int128)(int32_t)(divisor << (32 - bits)) >> (32 - bits)
             : (__int128)divisor;
    if (d == 0) {
        return true;
    }
    q = n / d;
    return sign ? q < -((__int128)1 << (bits - 1)) ||
                      q >= ((__int128)1 << (bits - 1))
                : q > size_mask(size);
}

/* One DIV/IDIV case; returns true if it (rightly) faulted. */
static bool check_divide(CPUState *cpu, bool sign, unsigned size, uint32_t eax,
                         uint32_t edx, uint32_t divisor)
{
    uint32_t host[2] = {eax, edx};
    volatile uint32_t heax, hedx;

    cpu->regs[R_EAX] = eax;
    cpu->regs[R_EDX] = edx;
    cpu->cc_op = CC_OP_ADDL;
    if (divide_faults(sign, size, eax, edx, divisor)) {
        EXPECT_EXCP(cpu, EXCP_DE,
                    (sign ? helper_idiv : helper_div)(cpu, divisor, size));
        /* Nothing written on a fault. */
        ck_assert_uint_eq(cpu->regs[R_EAX], eax);
        ck_assert_uint_eq(cpu->regs[R_EDX], edx);
        return true;
    }
    host_divide(sign, size, &host[0], &host[1], divisor);
    heax = host[0];
    hedx = host[1];
    CATCH_UNEXPECTED(cpu);
    (sign ? helper_idiv : helper_div)(cpu, divisor, size);
    if (cpu->regs[R_EAX] != heax || cpu->regs[R_EDX] != hedx) {
        ck_abort_msg("%sdiv%u %#x:%#x / %#x: %#x:%#x, host %#x:%#x",
                     sign ? "i" : "", size * 8, edx, eax, divisor,
                     cpu->regs[R_EDX], cpu->regs[R_EAX], hedx, heax);
    }
    /* Flags are undefined: the lazy state is left alone. */
    ck_assert_uint_eq(cpu->cc_op, CC_OP_ADDL);
    return false;
}

START_TEST(test_divide)
{
    static const uint32_t divisors[] = {
        0,    1,      2,      3,          7,          0x7f,   0x80,
        0xff, 0xffff, 0x8000, 0xffffffff, 0x80000000, 0x10001};
    CPUState *cpu = test_cpu_new();
    uint32_t rng = 99, i, size;
    unsigned faults = 0;

    for (size = 1; size <= 4; size *= 2) {
        for (i = 0; i < 40000; i++) {
            bool sign = i & 1;
            uint32_t eax = xorshift32(&rng), edx = xorshift32(&rng);
            uint32_t divisor =
                i % 3 ? xorshift32(&rng) >> (i % 29) : divisors[(i / 3) % 13];

            if (i % 5 == 0) { /* a dividend that fits the quotient size */
                edx = (int32_t)eax < 0 && sign ? 0xffffffff : 0;
            }
            faults += check_divide(cpu, sign, size, eax, edx, divisor);
        }
    }
    ck_assert_uint_gt(faults, 1000);
    test_cpu_free(cpu);
}
END_TEST

/* ---- BCD against the 32-bit oracle ---- */

/*
 * The cases of one op are the inputs of the recorded table
 * (tests/refs/README.md), so that either oracle answers every one: every
 * AL with AH 00, 7F and FF, CF x AF, OF SF ZF PF clear and set (to see
 * which undefined flags are kept) for DAA DAS AAA AAS; every imm8 1..255
 * and AL for AAM; 14 imm8 with every AX for AAD, both with all six flags
 * clear and set.  EAX bits 31..16 are set, to see that they stay.
 */
static size_t bcd_cases(int which, BcdIn **in)
{
    size_t first, n;
    BcdIn *r;

    bcd_table_range(which, &first, &n);
    r = g_new(BcdIn, n);
    for (size_t i = 0; i < n; i++) {
        bcd_table_input(first + i, &r[i]);
        r[i].eax |= 0xabcd0000;
    }
    *in = r;
    return n;
}

/*
 * Where the oracle runs natively, the recorded table must still say what
 * the hardware says: AX and the defined flags exactly (else the table is
 * stale, or was recorded wrongly); the undefined flags may differ between
 * CPU models, so those differences are counted and printed, not failed.
 */
static void check_bcd_table(BcdOracle *o, const char *op, const BcdIn *in,
                            const BcdOut *out, size_t n, uint32_t defined)
{
    const BcdTableRec *t;
    char err[512], fl[64] = "";
    unsigned long undef_diff[6] = {0};
    uint32_t any = 0;

    t = bcd_oracle_table(o, err, sizeof(err));
    ck_assert_msg(t, "%s", err);
    for (size_t i = 0; i < n; i++) {
        BcdOut rec;

        ck_assert_msg(bcd_table_lookup(t, &in[i], &rec),
                      "%s: the table has no record of EAX %#010x flags %#x", op,
                      in[i].eax, in[i].flags);
        if (rec.eax != out[i].eax || ((rec.flags ^ out[i].flags) & defined)) {
            ck_abort_msg("%s: the recorded table %s is stale: imm %u EAX "
                         "%#010x flags %#05x: recorded EAX %#010x flags "
                         "%#05x, native EAX %#010x flags %#05x (make "
                         "record-refs RECORD=bcd)",
                         op, bcd_oracle_table_path(o), in[i].imm, in[i].eax,
                         in[i].flags & CC_ALL, rec.eax, rec.flags & CC_ALL,
                         out[i].eax, out[i].flags & CC_ALL);
        }
        for (int b = 0; b < 6; b++) {
            if ((rec.flags ^ out[i].flags) & stat_bits[b] & ~defined) {
                undef_diff[b]++;
                any |= stat_bits[b];
            }
        }
    }
    for (int b = 0; b < 6; b++) {
        if (any & stat_bits[b]) {
            size_t l = strlen(fl);

            snprintf(fl + l, sizeof(fl) - l, " %s %lu", stat_names[b],
                     undef_diff[b]);
        }
    }
    printf("test-helpers: %s: the recorded table equals the native results "
           "(%zu records, defined flags and AX); undefined flags that "
           "differ:%s\n",
           op, n, any ? fl : " none");
}

/* Compare one op with the hardware on every case.
 * DEFINED: the flags the SDM defines for it. */
static void check_bcd(const char *op, int which, uint32_t defined)
{
    UndefStats st = {{0}, {0}};
    CPUState *cpu = test_cpu_new();
    BcdIn *in;
    size_t n = bcd_cases(which, &in);
    BcdOut *out = g_new(BcdOut, n);
    char err[1024], what[32];
    BcdOracle *o = bcd_oracle_open(err, sizeof(err));

    ck_assert_msg(o, "%s", err);
    if (which == BCD_DAA || which == BCD_AAM) {
        printf("test-helpers: BCD oracle: %s\n", bcd_oracle_describe(o));
    }
    ck_assert_msg(bcd_oracle_run(o, in, n, out, err, sizeof(err)), "%s", err);
    if (bcd_oracle_is_native(o)) {
        check_bcd_table(o, op, in, out, n, defined);
    }
    CATCH_UNEXPECTED(cpu);
    for (size_t i = 0; i < n; i++) {
        uint32_t mine;

        ck_assert_msg(!out[i].fault, "%s base %u faulted on the host", op,
                      in[i].imm);
        cpu->regs[R_EAX] = in[i].eax;
        cpu_set_eflags(cpu, in[i].flags, CC_ALL);
        switch (which) {
        case BCD_DAA: helper_daa(cpu); break;
        case BCD_DAS: helper_das(cpu); break;
        case BCD_AAA: helper_aaa(cpu); break;
        case BCD_AAS: helper_aas(cpu); break;
        case BCD_AAM: helper_aam(cpu, in[i].imm); break;
        default: helper_aad(cpu, in[i].imm); break;
        }
        mine = cpu_get_eflags(cpu) & CC_ALL;
        if (cpu->regs[R_EAX] != out[i].eax ||
            (mine & defined) != (out[i].flags & defined)) {
            ck_abort_msg("%s base %u EAX %#010x flags %#05x: EAX %#010x flags "
                         "%#05x, host EAX %#010x flags %#05x",
                         op, in[i].imm, in[i].eax, in[i].flags & CC_ALL,
                         cpu->regs[R_EAX], mine, out[i].eax,
                         out[i].flags & CC_ALL);
        }
        undef_note(&st, mine, out[i].flags, CC_ALL & ~defined);
    }
    snprintf(what, sizeof(what), "%s (%zu cases)", op, n);
    undef_print(what, &st);
    bcd_oracle_close(o);
    g_free(in);
    g_free(out);
    test_cpu_free(cpu);
}

START_TEST(test_bcd_adjust)
{
    /* DAA/DAS: OF undefined.  AAA/AAS: only AF and CF defined. */
    check_bcd("daa", BCD_DAA, CC_ALL & ~CC_O);
    check_bcd("das", BCD_DAS, CC_ALL & ~CC_O);
    check_bcd("aaa", BCD_AAA, CC_A | CC_C);
    check_bcd("aas", BCD_AAS, CC_A | CC_C);
}
END_TEST

START_TEST(test_bcd_aam_aad)
{
    CPUState *cpu = test_cpu_new();

    /* AAM/AAD: OF, AF, CF undefined. */
    check_bcd("aam", BCD_AAM, CC_S | CC_Z | CC_P);
    check_bcd("aad", BCD_AAD, CC_S | CC_Z | CC_P);
    cpu->regs[R_EAX] = 0x1234;
    EXPECT_EXCP(cpu, EXCP_DE, helper_aam(cpu, 0));
    ck_assert_uint_eq(cpu->regs[R_EAX], 0x1234);
    test_cpu_free(cpu);
}
END_TEST

/* ---- EFLAGS ---- */

START_TEST(test_eflags_round_trip)
{
    CPUState *cpu = test_cpu_new();
    uint32_t rng = 5, i;

    for (i = 0; i < 100000; i++) {
        uint32_t before = cpu_get_eflags(cpu);
        uint32_t v = xorshift32(&rng), mask = xorshift32(&rng);
        uint32_t expect, got;

        if (i & 1) {
            mask = 0xffffffff;
        }
        mask &= ~EFLAGS_VM; /* keep CPL 0 for the loop */
        expect = ((before & ~mask) | (v & mask)) & EFLAGS_DEFINED;
        cpu_set_eflags(cpu, v, mask);
        got = cpu_get_eflags(cpu);
        ck_assert_uint_eq(got, expect | EFLAGS_FIXED);
        ck_assert_int_eq(cpu->df, got & EFLAGS_DF ? -1 : 1);
        ck_assert_uint_eq(cpu->cc_op, CC_OP_EFLAGS);
        ck_assert_uint_eq((cpu->hflags >> HF_IOPL_SHIFT) & 3,
                          (got & EFLAGS_IOPL) >> 12);
        ck_assert_uint_eq(!!(cpu->hflags & HF_TF), !!(got & EFLAGS_TF));
    }
    /* Lazy flags show through, and a write that masks them keeps them. */
    cpu->cc_op = CC_OP_SUBB;
    cpu->cc_src2 = 1;
    cpu->cc_src = 2; /* 1 - 2 = 0xff: CF SF AF PF */
    cpu->cc_dst = 0xff;
    ck_assert_uint_eq(cpu_get_eflags(cpu) & CC_ALL, CC_C | CC_S | CC_A | CC_P);
    cpu_set_eflags(cpu, EFLAGS_DF, EFLAGS_DF | EFLAGS_IF);
    ck_assert_uint_eq(cpu_get_eflags(cpu) & (CC_ALL | EFLAGS_DF | EFLAGS_IF),
                      CC_C | CC_S | CC_A | CC_P | EFLAGS_DF);
    ck_assert_int_eq(cpu->df, -1);
    /* VM in protected mode means CPL 3. */
    cpu_set_eflags(cpu, EFLAGS_VM, EFLAGS_VM);
    ck_assert_uint_eq(cpu->hflags & (HF_VM | HF_CPL_MASK), HF_VM | 3);
    test_cpu_free(cpu);
}
END_TEST

START_TEST(test_reset_state)
{
    CPUState *cpu = calloc(1, sizeof(*cpu));
    char buf[2048];

    cpu->as = as_new(1 << 20);
    cpu_reset(cpu);
    ck_assert_uint_eq(cpu->eip, 0xfff0);
    ck_assert_uint_eq(cpu->seg[R_CS].selector, 0xf000);
    ck_assert_uint_eq(cpu->seg[R_CS].base, 0xffff0000);
    ck_assert_uint_eq(cpu->seg[R_DS].limit, 0xffff);
    ck_assert_uint_eq(cpu->regs[R_EDX], CPU_SIGNATURE);
    ck_assert_uint_eq(cpu->cr[0], 0x60000010);
    ck_assert_uint_eq(cpu_get_eflags(cpu), 0x2);
    ck_assert_uint_eq(cpu->dr[7], 0x400);
    ck_assert_uint_eq(cpu->hflags & (HF_PE | HF_CS32 | HF_CPL_MASK | HF_FLAT),
                      0);
    ck_assert_int_eq(cpu->exception_index, EXCP_NONE);
    cpu_format_state(cpu, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "EIP=0000fff0 EFL=00000002 [-------]"));
    ck_assert_ptr_nonnull(strstr(buf, "CS =f000 ffff0000 0000ffff 00009b00"));
    ck_assert_ptr_nonnull(strstr(buf, "CR0=60000010"));
    cpu_format_state(cpu, buf, 10); /* truncates safely */
    ck_assert_uint_eq(strlen(buf), 9);
    ck_assert_str_eq(cpu_exception_name(EXCP_GP), "#GP");
    ck_assert_str_eq(cpu_exception_name(EXCP_UNSUPPORTED), "unsupported");
    as_free(cpu->as);
    free(cpu);
}
END_TEST

START_TEST(test_helper_table)
{
    int i;

    for (i = 0; i < HELPER_COUNT; i++) {
        ck_assert_ptr_nonnull(helper_table[i].name);
        ck_assert_ptr_nonnull(helper_table[i].func);
        ck_assert_uint_le(helper_table[i].nargs, 5);
        ck_assert_uint_le(helper_table[i].ret, 1);
    }
    ck_assert_str_eq(helper_table[HELPER_div].name, "div");
    ck_assert_uint_eq(helper_table[HELPER_div].nargs, 2);
    ck_assert(helper_table[HELPER_div].func == (void (*)(void))helper_div);
    ck_assert_uint_eq(helper_table[HELPER_shiftd].nargs, 5);
    ck_assert_uint_eq(helper_table[HELPER_movs].ret, 1);
    ck_assert_uint_eq(helper_table[HELPER_cc_compute_all].flags, HLP_PURE);
}
END_TEST

static Suite *helpers_suite(void)
{
    Suite *s = suite_create("helpers");
    TCase *tc = tcase_create("arith");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_rotate);
    tcase_add_test(tc, test_shiftd);
    tcase_add_test(tc, test_bit_scan);
    tcase_add_test(tc, test_divide);
    tcase_add_test(tc, test_bcd_adjust);
    tcase_add_test(tc, test_bcd_aam_aad);
    tcase_add_test(tc, test_eflags_round_trip);
    tcase_add_test(tc, test_reset_state);
    tcase_add_test(tc, test_helper_table);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(helpers_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
