/*
 * The x86-64 emitter (translate/x64/emit.c) against oracles nobody here
 * wrote:
 *
 *  - Capstone 4 (CS_MODE_64, Intel syntax): every emitter function, for
 *    every size, all 16 registers and base/index/scale/displacement
 *    combinations, must disassemble to exactly the instruction the test
 *    spells out, using all the bytes, and with the immediate and
 *    displacement widths the shortest-form rules call for (Capstone's
 *    encoding details).  Branch targets are Capstone's computed ones.
 *  - The SDM: a table of hand-encoded byte sequences.
 *  - The host CPU: small functions are emitted into a code buffer mapped
 *    twice (written through one view, run through the other, as the JIT
 *    does) and called; results are compared with C.
 */
#define _GNU_SOURCE
#include <check.h>
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "translate/x64/emit.h"

#define TEST_BASE 0x7f1234560000ull
#define MAX_REPORTS 30
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Capstone oracle ---------------------------------------------------- */

typedef struct Oracle {
    csh cs;
    const char *what;
    X64Emit e;
    uint8_t buf[256];
    int len, imm_size, disp_size; /* expectations; -1: any */
    char mem[128], imm[2][32];
    unsigned nimm;
    unsigned long checked, failed;
} Oracle;

static void oracle_open(Oracle *o, const char *what)
{
    memset(o, 0, sizeof(*o));
    o->what = what;
    ck_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &o->cs) == CS_ERR_OK);
    cs_option(o->cs, CS_OPT_DETAIL, CS_OPT_ON);
}

static void oracle_close(Oracle *o)
{
    printf("x64-emit: %-28s %8lu encodings checked, %lu failed\n", o->what,
           o->checked, o->failed);
    fflush(stdout); /* Check may end a failing test with _exit */
    cs_close(&o->cs);
    ck_assert_msg(o->failed == 0, "%s: %lu mismatches", o->what, o->failed);
}

/* Start an instruction: a fresh buffer at TEST_BASE (or `base`). */
static X64Emit *begin_at(Oracle *o, uintptr_t base)
{
    x64_emit_init(&o->e, o->buf, base, sizeof(o->buf));
    o->len = o->imm_size = o->disp_size = -1;
    o->nimm = 0;
    return &o->e;
}

static X64Emit *begin(Oracle *o)
{
    return begin_at(o, TEST_BASE);
}

/* Emit `call` (which names the emitter e) alone, check it reads as fmt. */
#define T(call, ...)                                                           \
    do {                                                                       \
        X64Emit *e = begin(&o);                                                \
        call;                                                                  \
        check(&o, __VA_ARGS__);                                                \
    } while (0)

/* Disassemble what was emitted; it must read exactly as `fmt` says
 * (instructions joined by "; "). */
static void check(Oracle *o, const char *fmt, ...)
{
    char want[256], got[512] = "", hex[3 * sizeof(o->buf) + 1] = "";
    cs_insn *ins = NULL;
    size_t n, used = 0;
    bool ok;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    n = cs_disasm(o->cs, o->buf, o->e.pos, o->e.base, 0, &ins);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(got);
        snprintf(got + l, sizeof(got) - l, "%s%s%s%s", i ? "; " : "",
                 ins[i].mnemonic, ins[i].op_str[0] ? " " : "", ins[i].op_str);
        used += ins[i].size;
    }
    ok = n > 0 && used == o->e.pos && !o->e.overflow && !strcmp(got, want) &&
         (o->len < 0 || (size_t)o->len == o->e.pos);
    if (ok && n == 1) {
        /* Capstone 4's disp_size follows the operand size; the offsets
         * are right */
        const cs_x86_encoding *enc = &ins[0].detail->x86.encoding;
        int disp = enc->disp_offset
                       ? (enc->imm_offset ? enc->imm_offset : ins[0].size) -
                             enc->disp_offset
                       : 0;
        ok = (o->imm_size < 0 || enc->imm_size == o->imm_size) &&
             (o->disp_size < 0 || disp == o->disp_size);
        snprintf(got + strlen(got), sizeof(got) - strlen(got),
                 " (imm %u disp %d)", enc->imm_size, disp);
    }
    if (n) {
        cs_free(ins, n);
    }
    o->checked++;
    if (!ok && o->failed++ < MAX_REPORTS) {
        for (size_t i = 0; i < o->e.pos; i++) {
            sprintf(hex + 3 * i, "%02x ", o->buf[i]);
        }
        printf("  MISMATCH %s: %s\n    want: %s (len %d imm %d disp %d)\n"
               "    got:  %s (len %zu%s)\n",
               o->what, hex, want, o->len, o->imm_size, o->disp_size, got,
               o->e.pos, o->e.overflow ? ", overflow" : "");
    }
}

/* ---- Expected text, Capstone's conventions ------------------------------ */

static const char *const reg_names[4][16] = {
    {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b",
     "r11b", "r12b", "r13b", "r14b", "r15b"},
    {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w",
     "r11w", "r12w", "r13w", "r14w", "r15w"},
    {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d",
     "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"},
    {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
     "r11", "r12", "r13", "r14", "r15"},
};
static const char *const ptr_names[4] = {"byte", "word", "dword", "qword"};
static const char *const cc_names[16] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a",
    "s", "ns", "p", "np", "l", "ge", "le", "g",
};
static const unsigned sizes[4] = {1, 2, 4, 8};

static unsigned lg(unsigned size)
{
    return (unsigned)__builtin_ctz(size);
}

static const char *R(unsigned size, int r)
{
    return reg_names[lg(size)][r];
}

static int64_t sext(int64_t v, unsigned size)
{
    unsigned sh = 64 - 8 * size;
    return (int64_t)((uint64_t)v << sh) >> sh;
}

static bool fits8(int64_t v)
{
    return v == (int8_t)v;
}

static bool fits32(int64_t v)
{
    return v == (int32_t)v;
}

/* Capstone prints numbers above 9 in hex, negative ones with a '-'. */
static void fmt_num(char *out, int64_t v, bool is_signed)
{
    if (is_signed && v < 0) {
        *out++ = '-';
        v = -v;
    }
    sprintf(out, (uint64_t)v > 9 ? "0x%" PRIx64 : "%" PRIu64, (uint64_t)v);
}

/*
 * An immediate of `size` (imm8_form: with a sign-extended imm8 form where
 * the value fits).  Capstone 4 shows a sign-extended imm8 and the imm32
 * of a 64-bit operation as signed, other immediates, and all those of
 * and/or/xor, as unsigned.  Records the expected imm width.
 */
static const char *Imm(Oracle *o, unsigned size, int64_t v, bool imm8_form,
                       bool logic)
{
    char *out = o->imm[o->nimm++ & 1];
    bool short_form = imm8_form && size != 1 && fits8(sext(v, size));

    v = sext(v, size);
    o->imm_size = short_form ? 1 : size == 8 ? 4 : (int)size;
    if ((short_form || size == 8) && !logic) {
        fmt_num(out, v, true);
    } else {
        fmt_num(out, (int64_t)((uint64_t)v & (~0ull >> (64 - 8 * size))),
                false);
    }
    return out;
}

/* "dword ptr [base + index*scale +/- disp]" (size 0: no "ptr", as lea);
 * records the expected displacement width. */
static const char *M(Oracle *o, unsigned size, X64Mem m)
{
    char *p = o->mem;
    bool any = false;

    if (size) {
        p += sprintf(p, "%s ptr ", ptr_names[lg(size)]);
    }
    *p++ = '[';
    if (m.base != X64_NOREG) {
        p += sprintf(p, "%s", R(8, m.base));
        any = true;
    }
    if (m.index != X64_NOREG) {
        p += sprintf(p, "%s%s", any ? " + " : "", R(8, m.index));
        if (m.scale != 1) {
            p += sprintf(p, "*%u", m.scale);
        }
        any = true;
    }
    if (!any) {
        fmt_num(p, (uint32_t)m.disp, false);
    } else if (m.disp) {
        p += sprintf(p, " %c ", m.disp < 0 ? '-' : '+');
        fmt_num(p, m.disp < 0 ? -(int64_t)m.disp : m.disp, false);
    }
    strcat(p, "]");
    if (m.base == X64_NOREG) {
        o->disp_size = 4;
    } else if (m.disp == 0 && (m.base & 7) != X64_RBP) {
        o->disp_size = 0;
    } else {
        o->disp_size = fits8(m.disp) ? 1 : 4;
    }
    return o->mem;
}

/* ---- Operand sets ------------------------------------------------------- */

/* Every base (and none) x every index (and none) x every scale x these
 * displacements. */
static const int32_t disps[] = {
    0, 8, -8, 0x7f, -0x80, 0x80, -0x81, 0x12345678, INT32_MIN,
};
#define NDISPS ARRAY_SIZE(disps)
#define NMEM (17 * 61 * NDISPS)

static X64Mem mem_at(unsigned i)
{
    unsigned d = i % NDISPS, si = (i / NDISPS) % 61;
    X64Reg base = (X64Reg)((int)(i / NDISPS / 61) - 1);
    X64Reg index = X64_NOREG;
    unsigned scale = 1;

    if (si) {
        index = (X64Reg)((si - 1) / 4);
        index = index >= X64_RSP ? index + 1 : index; /* no rsp index */
        scale = 1u << ((si - 1) % 4);
    }
    if (base == X64_NOREG && index == X64_NOREG) {
        /* Capstone 4 prints negative absolute addresses truncated to the
         * operand size; test_golden has one */
        return x64_mem(base, disps[d] & INT32_MAX);
    }
    return x64_mem_index(base, index, scale, disps[d]);
}

static const int32_t imms[] = {
    0,     1,      9,       10,          0x7f,       0x80,      0xff,
    0x100, 0x7fff, 0x8000,  0xffff,      0x12345678, INT32_MAX, -1,
    -0x80, -0x81,  -0x8000, -0x12345678, INT32_MIN,
};
#define NIMMS ARRAY_SIZE(imms)

/* ---- Forms checked against Capstone ------------------------------------- */

static const char *const alu_names[8] = {
    "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp",
};
static const char *const unary_names[8] = {
    "inc", "dec", "not", "neg", "mul", "imul", "div", "idiv",
};
static const char *const shift_names[8] = {
    "rol", "ror", "rcl", "rcr", "shl", "shr", NULL, "sar",
};
static const char *const bt_names[4] = {"bt", "bts", "btr", "btc"};

static bool logic(int op)
{
    return op == X64_OR || op == X64_AND || op == X64_XOR;
}

/* Forms with the same signature, by the sizes they take (bit lg(size)). */
#define SZ_ALL 0xfu
#define SZ_WIDE 0xeu

static const struct {
    void (*fn)(X64Emit *, unsigned, X64Reg, X64Reg);
    const char *fmt;
    unsigned sizes;
} rr_forms[] = {
    {x64_mov_rr, "mov %s, %s", SZ_ALL},
    {x64_test_rr, "test %s, %s", SZ_ALL},
    {x64_cmpxchg_rr, "cmpxchg %s, %s", SZ_ALL},
    {x64_imul_rr, "imul %s, %s", SZ_WIDE},
    {x64_bsf, "bsf %s, %s", SZ_WIDE},
    {x64_bsr, "bsr %s, %s", SZ_WIDE},
    {x64_shld_rcl, "shld %s, %s, cl", SZ_WIDE},
    {x64_shrd_rcl, "shrd %s, %s, cl", SZ_WIDE},
};

static const struct {
    void (*fn)(X64Emit *, unsigned, X64Reg, X64Mem);
    const char *mnemonic;
    unsigned sizes;
    bool ptr;
} rm_forms[] = {
    {x64_mov_rm, "mov", SZ_ALL, true},
    {x64_imul_rm, "imul", SZ_WIDE, true},
    {x64_lea, "lea", SZ_WIDE, false},
};

static const struct {
    void (*fn)(X64Emit *, unsigned, X64Mem, X64Reg);
    const char *mnemonic;
} mr_forms[] = {
    {x64_mov_mr, "mov"},
    {x64_xchg_mr, "xchg"},
    {x64_cmpxchg_mr, "cmpxchg"},
};

/* movzx/movsx (dsize, ssize) pairs */
static const unsigned ext_pairs[6][2] = {
    {2, 1}, {4, 1}, {8, 1}, {4, 2}, {8, 2}, {8, 4},
};

START_TEST(test_reg_forms)
{
    Oracle o;

    oracle_open(&o, "register forms");
    for (unsigned s = 0; s < 4; s++) {
        unsigned sz = sizes[s];
        for (int a = 0; a < 16; a++) {
            for (int b = 0; b < 16; b++) {
                for (unsigned k = 0; k < ARRAY_SIZE(rr_forms); k++) {
                    if (rr_forms[k].sizes >> s & 1) {
                        rr_forms[k].fn(begin(&o), sz, a, b);
                        check(&o, rr_forms[k].fmt, R(sz, a), R(sz, b));
                    }
                }
                for (int op = 0; op < 8; op++) {
                    T(x64_alu_rr(e, op, sz, a, b), "%s %s, %s", alu_names[op],
                      R(sz, a), R(sz, b));
                }
                x64_xchg_rr(begin(&o), sz, a, b);
                if (sz != 1 && a != b && (a == X64_RAX || b == X64_RAX)) {
                    o.len = 1 + (sz == 2) + (a >= 8 || b >= 8 || sz == 8);
                    check(&o, "xchg %s, %s", R(sz, 0), R(sz, a ? a : b));
                } else {
                    check(&o, "xchg %s, %s", R(sz, a), R(sz, b));
                }
                for (int cc = 0; sz != 1 && cc < 16; cc++) {
                    T(x64_cmov(e, cc, sz, a, b), "cmov%s %s, %s", cc_names[cc],
                      R(sz, a), R(sz, b));
                }
                for (int op = X64_BT; sz != 1 && op <= X64_BTC; op++) {
                    T(x64_bt_rr(e, op, sz, a, b), "%s %s, %s",
                      bt_names[op - X64_BT], R(sz, a), R(sz, b));
                }
            }
            for (int op = 0; op < 8; op++) {
                T(x64_unary_r(e, op, sz, a), "%s %s", unary_names[op],
                  R(sz, a));
                if (shift_names[op]) {
                    T(x64_shift_rcl(e, op, sz, a), "%s %s, cl", shift_names[op],
                      R(sz, a));
                }
            }
            if (sz >= 4) {
                T(x64_bswap(e, sz, a), "bswap %s", R(sz, a));
            }
        }
    }
    for (unsigned k = 0; k < 6; k++) {
        unsigned ds = ext_pairs[k][0], ss = ext_pairs[k][1];
        for (int a = 0; a < 16; a++) {
            for (int b = 0; b < 16; b++) {
                T(x64_movzx_rr(e, ds, ss, a, b), "%s %s, %s",
                  ss == 4 ? "mov" : "movzx", R(ss == 4 ? 4 : ds, a), R(ss, b));
                T(x64_movsx_rr(e, ds, ss, a, b), "%s %s, %s",
                  ss == 4 ? "movsxd" : "movsx", R(ds, a), R(ss, b));
            }
        }
    }
    for (int r = 0; r < 16; r++) {
        for (int cc = 0; cc < 16; cc++) {
            T(x64_setcc(e, cc, r), "set%s %s", cc_names[cc], R(1, r));
        }
        T(x64_push_r(e, r), "push %s", R(8, r));
        T(x64_pop_r(e, r), "pop %s", R(8, r));
        T(x64_call_r(e, r), "call %s", R(8, r));
        T(x64_jmp_r(e, r), "jmp %s", R(8, r));
    }
    oracle_close(&o);
}
END_TEST

static const uint64_t mov_imms[] = {
    0,
    1,
    0x7f,
    0x80,
    0xffff,
    0x12345678,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ull,
    0xffffffff80000000ull,
    0xffffffffffffff80ull,
    ~0ull,
    0x8000000000000000ull,
    0x123456789abcdef0ull,
    0xffff0000ffff0000ull,
};
static const uint8_t counts[] = {0, 1, 2, 7, 9, 10, 31, 63, 0xff};

START_TEST(test_imm_forms)
{
    Oracle o;
    char num[32];

    oracle_open(&o, "immediate forms");
    for (unsigned s = 0; s < 4; s++) {
        unsigned sz = sizes[s];
        for (int r = 0; r < 16; r++) {
            for (unsigned k = 0; k < NIMMS; k++) {
                for (int op = 0; op < 8; op++) {
                    T(x64_alu_ri(e, op, sz, r, imms[k]), "%s %s, %s",
                      alu_names[op], R(sz, r),
                      Imm(&o, sz, imms[k], true, logic(op)));
                }
                T(x64_test_ri(e, sz, r, imms[k]), "test %s, %s", R(sz, r),
                  Imm(&o, sz, imms[k], false, false));
                if (sz != 1) {
                    int a = (r + (int)k) % 16;
                    T(x64_imul_rri(e, sz, r, a, imms[k]), "imul %s, %s, %s",
                      R(sz, r), R(sz, a), Imm(&o, sz, imms[k], true, false));
                }
            }
            for (unsigned k = 0; k < ARRAY_SIZE(mov_imms); k++) {
                uint64_t v = mov_imms[k] & (~0ull >> (64 - 8 * sz));
                x64_mov_ri(begin(&o), sz, r, v);
                if (sz < 8 || v <= UINT32_MAX) {
                    /* B0+r / B8+r, zero-extending for size 8 */
                    unsigned rs = sz == 8 ? 4 : sz;
                    o.len = 1 + (sz == 2) + (r >= 8 || (sz == 1 && r >= 4)) +
                            (int)rs;
                    check(&o, "mov %s, %s", R(rs, r),
                          Imm(&o, rs, (int64_t)v, false, false));
                } else if ((int64_t)v == (int32_t)v) {
                    o.len = 7;
                    check(&o, "mov %s, %s", R(8, r),
                          Imm(&o, 8, (int64_t)v, false, false));
                } else {
                    o.len = 10;
                    fmt_num(num, (int64_t)v, false);
                    check(&o, "movabs %s, %s", R(8, r), num);
                }
            }
            for (unsigned k = 0; k < sizeof(counts); k++) {
                int b = (r + (int)k) % 16;
                fmt_num(num, counts[k], false);
                for (int op = 0; op < 8; op++) {
                    if (shift_names[op]) {
                        x64_shift_ri(begin(&o), op, sz, r, counts[k]);
                        o.imm_size = counts[k] == 1 ? 0 : 1;
                        check(&o, "%s %s, %s", shift_names[op], R(sz, r), num);
                    }
                }
                if (sz == 1) {
                    continue;
                }
                T(x64_shld_ri(e, sz, r, b, counts[k]), "shld %s, %s, %s",
                  R(sz, r), R(sz, b), num);
                T(x64_shrd_ri(e, sz, r, b, counts[k]), "shrd %s, %s, %s",
                  R(sz, r), R(sz, b), num);
                if (sz >= 4 && counts[k] < 0x80) {
                    /* Capstone 4 gives the immediate the operand size
                     * here, and prints 0x80-0xff as negative: check the
                     * length (VEX3, F0, ModRM, ib). */
                    x64_rorx(begin(&o), sz, b, r, counts[k]);
                    o.len = 6;
                    check(&o, "rorx %s, %s, %s", R(sz, b), R(sz, r), num);
                }
                for (int op = X64_BT; op <= X64_BTC; op++) {
                    T(x64_bt_ri(e, op, sz, r, counts[k]), "%s %s, %s",
                      bt_names[op - X64_BT], R(sz, r), num);
                }
            }
        }
    }
    for (unsigned k = 0; k < NIMMS; k++) {
        T(x64_push_i(e, imms[k]), "push %s", Imm(&o, 8, imms[k], true, false));
    }
    oracle_close(&o);
}
END_TEST

START_TEST(test_mem_forms)
{
    Oracle o;

    oracle_open(&o, "memory forms");
    for (unsigned s = 0; s < 4; s++) {
        unsigned sz = sizes[s];
        for (unsigned i = 0; i < NMEM; i++) {
            X64Mem m = mem_at(i);
            int r = (int)(i % 16), op = (int)(i / 16 % 8);
            int32_t imm = imms[i % NIMMS];
            for (unsigned k = 0; k < ARRAY_SIZE(rm_forms); k++) {
                if (rm_forms[k].sizes >> s & 1) {
                    rm_forms[k].fn(begin(&o), sz, r, m);
                    check(&o, "%s %s, %s", rm_forms[k].mnemonic, R(sz, r),
                          M(&o, rm_forms[k].ptr ? sz : 0, m));
                }
            }
            for (unsigned k = 0; k < ARRAY_SIZE(mr_forms); k++) {
                mr_forms[k].fn(begin(&o), sz, m, r);
                check(&o, "%s %s, %s", mr_forms[k].mnemonic, M(&o, sz, m),
                      R(sz, r));
            }
            T(x64_alu_rm(e, op, sz, r, m), "%s %s, %s", alu_names[op], R(sz, r),
              M(&o, sz, m));
            T(x64_alu_mr(e, op, sz, m, r), "%s %s, %s", alu_names[op],
              M(&o, sz, m), R(sz, r));
            T(x64_alu_mi(e, op, sz, m, imm), "%s %s, %s", alu_names[op],
              M(&o, sz, m), Imm(&o, sz, imm, true, logic(op)));
            T(x64_unary_m(e, op, sz, m), "%s %s", unary_names[op],
              M(&o, sz, m));
            if (i % 4 != s) {
                continue;
            }
            T(x64_mov_mi(e, sz, m, imm), "mov %s, %s", M(&o, sz, m),
              Imm(&o, sz, imm, false, false));
            T(x64_test_mi(e, sz, m, imm), "test %s, %s", M(&o, sz, m),
              Imm(&o, sz, imm, false, false));
            x64_lock(begin(&o));
            x64_cmpxchg_mr(&o.e, sz, m, r);
            check(&o, "lock cmpxchg %s, %s", M(&o, sz, m), R(sz, r));
            int lop = op == X64_CMP ? X64_SUB : op; /* cmp is not lockable */
            x64_lock(begin(&o));
            x64_alu_mr(&o.e, lop, sz, m, r);
            check(&o, "lock %s %s, %s", alu_names[lop], M(&o, sz, m), R(sz, r));
            T(x64_call_m(e, m), "call %s", M(&o, 8, m));
            T(x64_jmp_m(e, m), "jmp %s", M(&o, 8, m));
            unsigned ds = ext_pairs[i % 6][0], ss = ext_pairs[i % 6][1];
            T(x64_movzx_rm(e, ds, ss, r, m), "%s %s, %s",
              ss == 4 ? "mov" : "movzx", R(ss == 4 ? 4 : ds, r), M(&o, ss, m));
            T(x64_movsx_rm(e, ds, ss, r, m), "%s %s, %s",
              ss == 4 ? "movsxd" : "movsx", R(ds, r), M(&o, ss, m));
        }
    }
    oracle_close(&o);
}
END_TEST

/* Capstone's text for the recommended NOPs of 1..9 bytes. */
static const char *const nop_text[10] = {
    "",
    "nop",
    "nop",
    "nop dword ptr [rax]",
    "nop dword ptr [rax]",
    "nop dword ptr [rax + rax]",
    "nop word ptr [rax + rax]",
    "nop dword ptr [rax]",
    "nop dword ptr [rax + rax]",
    "nop word ptr [rax + rax]",
};

static void nop_want(char *want, size_t n)
{
    for (*want = 0; n; n -= n < 9 ? n : 9) {
        strcat(want, nop_text[n < 9 ? n : 9]);
        strcat(want, "; ");
    }
}

START_TEST(test_misc)
{
    Oracle o;
    char want[256];
    static const struct {
        void (*fn)(X64Emit *);
        const char *text;
    } plain[] = {
        {x64_pushfq, "pushfq"}, {x64_popfq, "popfq"}, {x64_lahf, "lahf"},
        {x64_sahf, "sahf"},     {x64_ret, "ret"},     {x64_ud2, "ud2"},
        {x64_int3, "int3"},
    };

    oracle_open(&o, "no-operand forms, nop");
    for (unsigned k = 0; k < ARRAY_SIZE(plain); k++) {
        plain[k].fn(begin(&o));
        check(&o, "%s", plain[k].text);
    }
    for (unsigned sz = 2; sz <= 8; sz *= 2) {
        T(x64_cwd(e, sz), "%s", sz == 2 ? "cwd" : sz == 4 ? "cdq" : "cqo");
        T(x64_cbw(e, sz), "%s", sz == 2 ? "cbw" : sz == 4 ? "cwde" : "cdqe");
    }
    for (size_t n = 1; n <= 40; n++) {
        x64_nop(begin(&o), n);
        nop_want(want, n);
        want[strlen(want) - 2] = 0;
        o.len = (int)n;
        check(&o, "%s", want);
    }
    oracle_close(&o);
}
END_TEST

START_TEST(test_branches)
{
    Oracle o;
    const uintptr_t base = TEST_BASE;
    char want[256];
    /* distances from the end of a 2-byte branch */
    static const int64_t dists[] = {
        -0x80000000ll, -0x12345678, -0x81, -0x80,      -0x7f,      -2, 0, 5,
        0x7f,          0x80,        0x81,  0x12345678, 0x7fffffff,
    };

    oracle_open(&o, "branches, labels, patching");
    for (unsigned k = 0; k < ARRAY_SIZE(dists); k++) {
        int64_t d = dists[k];
        bool short8 = d >= -128 && d <= 127;
        uintptr_t t = base + 2 + (uintptr_t)d;

        ck_assert(x64_jmp(begin(&o), t) == (short8 || fits32(d - 3)));
        if (o.e.pos) {
            o.len = short8 ? 2 : 5;
            check(&o, "jmp 0x%" PRIxPTR, t);
        }
        for (int cc = 0; cc < 16; cc++) {
            ck_assert(x64_jcc(begin(&o), cc, t) == (short8 || fits32(d - 4)));
            if (o.e.pos) {
                o.len = short8 ? 2 : 6;
                check(&o, "j%s 0x%" PRIxPTR, cc_names[cc], t);
            }
            ck_assert(x64_jcc32(begin(&o), cc, t) == fits32(d - 4));
            if (o.e.pos) {
                o.len = 6;
                check(&o, "j%s 0x%" PRIxPTR, cc_names[cc], t);
            }
        }
        ck_assert(x64_call(begin(&o), t) == fits32(d - 3));
        if (o.e.pos) {
            o.len = 5;
            check(&o, "call 0x%" PRIxPTR, t);
        }
        ck_assert(x64_jmp32(begin(&o), t) == fits32(d - 3));
        if (o.e.pos) {
            o.len = 5;
            check(&o, "jmp 0x%" PRIxPTR, t);
        }
    }
    /* out of reach: false, nothing written; call_via goes through a reg */
    ck_assert(!x64_call(begin(&o), base + 5 + 0x80000000ull));
    ck_assert(!x64_jcc(&o.e, X64_CC_E, 0x1000) && o.e.pos == 0);
    T(x64_call_via(e, 0x1000, X64_R11), "mov r11d, 0x1000; call r11");
    T(x64_call_via(e, 0x123456789abcull, X64_RAX),
      "movabs rax, 0x123456789abc; call rax");
    T(x64_call_via(e, base + 0x1000, X64_RAX), "call 0x%" PRIxPTR,
      base + 0x1000);
    /* forward labels */
    for (int cc = 0; cc < 16; cc++) {
        size_t p = x64_jcc_fwd(begin(&o), cc);
        size_t q = x64_jcc8_fwd(&o.e, x64_cond_invert(cc));
        size_t j = x64_jmp8_fwd(&o.e);
        ck_assert(x64_patch8_here(&o.e, q));
        x64_ret(&o.e);
        x64_patch_here(&o.e, p);
        ck_assert(x64_patch8_here(&o.e, j));
        check(&o,
              "j%s 0x%" PRIxPTR "; j%s 0x%" PRIxPTR "; jmp 0x%" PRIxPTR "; ret",
              cc_names[cc], base + 11, cc_names[cc ^ 1], base + 10, base + 11);
    }
    size_t p = x64_jmp_fwd(begin(&o)), q = x64_jcc8_fwd(&o.e, X64_CC_E);
    x64_nop(&o.e, 128);
    ck_assert(!x64_patch8_here(&o.e, q)); /* 128 is out of rel8 */
    x64_patch_here(&o.e, p);
    ck_assert_uint_eq(o.buf[p], 130);
    /* re-pointing a rel32 later (chaining), and its alignment */
    for (uintptr_t off = 0; off < 8; off++) {
        begin_at(&o, base + off);
        x64_align_for_patch(&o.e);
        ck_assert_uint_eq((base + off + o.e.pos + 1) % 4, 0);
        p = o.e.pos + 1;
        x64_jmp32(&o.e, base);
        ck_assert(x64_patch_rel32(o.buf + p, o.e.base + p, base + 0x5000));
        ck_assert(!x64_patch_rel32(o.buf + p, o.e.base + p,
                                   o.e.base + p + 4 + 0x80000000ull));
        nop_want(want, o.e.pos - 5);
        check(&o, "%sjmp 0x%" PRIxPTR, want, base + 0x5000);
    }
    oracle_close(&o);
}
END_TEST

/* ---- Hand-encoded bytes (SDM Vol. 2) ------------------------------------ */

static unsigned long gold_check(const X64Emit *e, size_t at, const char *hex,
                                const char *what)
{
    uint8_t want[32];
    size_t n = 0;

    for (const char *p = hex; *p; p += p[2] ? 3 : 2) {
        want[n++] = (uint8_t)strtoul((char[3]){p[0], p[1], 0}, NULL, 16);
    }
    ck_assert_msg(e->pos - at == n && !memcmp(e->buf + at, want, n),
                  "%s: want %s", what, hex);
    return 1;
}

#define GOLD(call, hex)                                                        \
    do {                                                                       \
        size_t at_ = e->pos;                                                   \
        call;                                                                  \
        checked += gold_check(e, at_, hex, #call);                             \
    } while (0)

START_TEST(test_golden)
{
    uint8_t buf[512];
    X64Emit em, *e = &em;
    unsigned long checked = 0;

    x64_emit_init(e, buf, TEST_BASE, sizeof(buf));
    GOLD(x64_mov_rr(e, 1, X64_RSI, X64_RDI), "40 88 fe");
    GOLD(x64_mov_rr(e, 2, X64_RAX, X64_R15), "66 44 89 f8");
    GOLD(x64_mov_ri(e, 8, X64_R15, 0xffffffff), "41 bf ff ff ff ff");
    GOLD(x64_mov_ri(e, 8, X64_RAX, ~0ull), "48 c7 c0 ff ff ff ff");
    GOLD(x64_mov_ri(e, 8, X64_RCX, 1ull << 32),
         "48 b9 00 00 00 00 01 00 00 00");
    GOLD(x64_mov_rm(e, 4, X64_RAX, x64_mem(X64_R12, 0)), "41 8b 04 24");
    GOLD(x64_mov_rm(e, 4, X64_RAX, x64_mem(X64_R13, 0)), "41 8b 45 00");
    GOLD(x64_mov_rm(e, 4, X64_R9, x64_mem_index(X64_R13, X64_R12, 8, 0)),
         "47 8b 4c e5 00");
    GOLD(x64_mov_mr(e, 1, x64_mem(X64_NOREG, -8), X64_RDX),
         "88 14 25 f8 ff ff ff");
    GOLD(x64_mov_rm(e, 4, X64_RAX, x64_mem_index(X64_NOREG, X64_RCX, 4, 0x80)),
         "8b 04 8d 80 00 00 00");
    GOLD(x64_movzx_rr(e, 4, 1, X64_RAX, X64_RDI), "40 0f b6 c7");
    GOLD(x64_alu_ri(e, X64_ADD, 4, X64_RAX, 0x100), "05 00 01 00 00");
    GOLD(x64_alu_ri(e, X64_XOR, 8, X64_R8, -1), "49 83 f0 ff");
    GOLD(x64_alu_ri(e, X64_ADD, 2, X64_RCX, 0xff80), "66 83 c1 80");
    GOLD(x64_xchg_rr(e, 4, X64_RAX, X64_RAX), "87 c0");
    GOLD(x64_xchg_rr(e, 8, X64_R9, X64_RAX), "49 91");
    GOLD(x64_shift_rcl(e, X64_SHR, 1, X64_RDI), "40 d2 ef");
    GOLD((x64_lock(e), x64_cmpxchg_mr(e, 4, x64_mem(X64_RDI, 0), X64_RCX)),
         "f0 0f b1 0f");
    GOLD(x64_bt_ri(e, X64_BTS, 8, X64_RAX, 63), "48 0f ba e8 3f");
    GOLD(x64_jcc32(e, X64_CC_NE, x64_here(e)), "0f 85 fa ff ff ff");
    GOLD(x64_nop(e, 9), "66 0f 1f 84 00 00 00 00 00"); /* Table 4-12 */
    printf("x64-emit: %-28s %8lu encodings checked\n", "hand-encoded bytes",
           checked);
}
END_TEST

START_TEST(test_overflow)
{
    uint8_t buf[32];
    X64Emit e;

    memset(buf, 0xaa, sizeof(buf));
    x64_emit_init(&e, buf, TEST_BASE, 20);
    x64_mov_ri(&e, 8, X64_RAX, 0x123456789abcdef0ull); /* 10 bytes */
    ck_assert(!e.overflow && e.pos == 10);
    x64_ret(&e); /* needs X64_MAX_INSN free bytes */
    ck_assert(e.overflow && e.pos == 10);
    ck_assert(x64_jcc_fwd(&e, X64_CC_E) == X64_NOPATCH);
    x64_patch_here(&e, X64_NOPATCH);
    ck_assert(x64_patch8_here(&e, X64_NOPATCH));
    x64_nop(&e, 5);
    ck_assert(e.pos == 10);
    for (unsigned i = 10; i < sizeof(buf); i++) {
        ck_assert_uint_eq(buf[i], 0xaa);
    }
    x64_emit_init(&e, buf, TEST_BASE, X64_MAX_INSN);
    x64_ret(&e);
    ck_assert(!e.overflow && e.pos == 1);
}
END_TEST

/* ---- Execution on the host ---------------------------------------------- */

typedef uint64_t (*HostFn)(uint64_t, uint64_t, uint64_t);

/* A code buffer mapped twice, as the JIT's: written through rw, run at rx. */
typedef struct CodeBuf {
    uint8_t *rw, *rx;
    size_t size;
    X64Emit e;
} CodeBuf;

static void code_open(CodeBuf *c, size_t size)
{
    int fd = memfd_create("test-x64-emit", 0);

    ck_assert(fd >= 0 && ftruncate(fd, (off_t)size) == 0);
    c->size = size;
    c->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    c->rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    ck_assert(c->rw != MAP_FAILED && c->rx != MAP_FAILED);
    close(fd);
    x64_emit_init(&c->e, c->rw, (uintptr_t)c->rx, size);
}

static HostFn fn_here(CodeBuf *c)
{
    return (HostFn)x64_here(&c->e);
}

/* Flags of cmp a, b (EFLAGS bit positions), and the tttn conditions on
 * them (SDM Vol. 2A, Table B-10). */
enum { CF = 0x01, PF = 0x04, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800 };

static unsigned cmp_flags(uint64_t a, uint64_t b)
{
    uint64_t r = a - b;

    return (a < b ? CF : 0) | (__builtin_parityll(r & 0xff) ? 0 : PF) |
           ((a ^ b ^ r) & 0x10 ? AF : 0) | (r ? 0 : ZF) | (r >> 63 ? SF : 0) |
           (((a ^ b) & (a ^ r)) >> 63 ? OF : 0);
}

static bool cond_holds(int cc, unsigned f)
{
    bool lt = !(f & SF) != !(f & OF);
    bool v[8] = {f & OF, f & CF, f & ZF, f & (CF | ZF),
                 f & SF, f & PF, lt,     (f & ZF) || lt};
    return v[cc / 2] != (cc & 1);
}

/* Edge values, then xorshift. */
static uint64_t input(unsigned i, uint64_t *s)
{
    static const uint64_t edge[] = {
        0,          1,          2,         63,
        64,         0x7f,       0x80,      0x7fffffff,
        0x80000000, 0xffffffff, INT64_MAX, (uint64_t)INT64_MIN,
        ~0ull,      ~1ull,
    };
    if (i < ARRAY_SIZE(edge)) {
        return edge[i];
    }
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Call f(a, b, c) on many inputs and compare with ref_expr over a b c. */
#define RUN(f, ref_expr)                                                       \
    do {                                                                       \
        uint64_t s_ = 0x9e3779b97f4a7c15ull, a, b, c;                          \
        for (unsigned i_ = 0; i_ < 300; i_++, runs++) {                        \
            a = input(i_, &s_), b = input(i_ * 7 % 300, &s_), c = a ^ b;       \
            uint64_t got_ = (f)(a, b, c), want_ = (ref_expr);                  \
            ck_assert_msg(got_ == want_,                                       \
                          "%s(%#" PRIx64 ", %#" PRIx64 "): %#" PRIx64          \
                          ", want %#" PRIx64,                                  \
                          #f, a, b, got_, want_);                              \
        }                                                                      \
    } while (0)

static uint64_t helper_for_call(uint64_t a, uint64_t b, uint64_t c)
{
    return a * 3 + (b ^ c);
}

START_TEST(test_exec)
{
    static const X64Reg chain[] = {
        X64_RDI, X64_RCX, X64_RDX, X64_RBX, X64_RBP, X64_RSI, X64_R8,  X64_R9,
        X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15, X64_RAX,
    };
    static const X64Reg saved[] = {X64_RBX, X64_RBP, X64_R12,
                                   X64_R13, X64_R14, X64_R15};
    CodeBuf cb;
    X64Emit *e = &cb.e;
    unsigned long runs = 0;
    HostFn sum, div, fset, fcmov, fjcc, flags, regs, call, mem, chained;

    code_open(&cb, 1 << 16);

    /* sum of 1..(a & 0xfff) by a backward loop */
    sum = fn_here(&cb);
    x64_alu_ri(e, X64_AND, 4, X64_RDI, 0xfff);
    x64_mov_ri(e, 8, X64_RAX, 0);
    size_t skip = x64_jcc8_fwd(e, X64_CC_E); /* flags of the and */
    uintptr_t loop = x64_here(e);
    x64_alu_rr(e, X64_ADD, 8, X64_RAX, X64_RDI);
    x64_unary_r(e, X64_DEC, 8, X64_RDI);
    ck_assert(x64_jcc(e, X64_CC_NE, loop));
    ck_assert(x64_patch8_here(e, skip));
    x64_ret(e);
    RUN(sum, (a & 0xfff) * ((a & 0xfff) + 1) / 2);

    /* unsigned 64-bit div, signed 32-bit idiv: sum of all four results */
    div = fn_here(&cb);
    x64_mov_rr(e, 8, X64_RAX, X64_RDI);
    x64_mov_rr(e, 8, X64_R8, X64_RSI);
    x64_alu_ri(e, X64_OR, 8, X64_R8, 1);
    x64_alu_rr(e, X64_XOR, 4, X64_RDX, X64_RDX);
    x64_unary_r(e, X64_DIV, 8, X64_R8);
    x64_lea(e, 8, X64_R9, x64_mem_index(X64_RAX, X64_RDX, 1, 0));
    x64_mov_rr(e, 4, X64_RAX, X64_RDI);
    x64_movzx_rr(e, 4, 2, X64_RCX, X64_RSI); /* divisor 1..0xffff */
    x64_alu_ri(e, X64_OR, 4, X64_RCX, 1);
    x64_cwd(e, 4);
    x64_unary_r(e, X64_IDIV, 4, X64_RCX);
    x64_shift_ri(e, X64_SHL, 8, X64_RDX, 32);
    x64_alu_rr(e, X64_OR, 8, X64_RAX, X64_RDX);
    x64_alu_rr(e, X64_ADD, 8, X64_RAX, X64_R9);
    x64_ret(e);
    RUN(div, a / (b | 1) + a % (b | 1) +
                 ((uint64_t)(uint32_t)((int32_t)a % (int32_t)((b & 0xffff) | 1))
                      << 32 |
                  (uint32_t)((int32_t)a / (int32_t)((b & 0xffff) | 1))));

    /* every condition through setcc, cmovcc and jcc after cmp a, b */
    for (int cc = 0; cc < 16; cc++) {
        fset = fn_here(&cb);
        x64_mov_ri(e, 4, X64_RAX, 0);
        x64_alu_rr(e, X64_CMP, 8, X64_RDI, X64_RSI);
        x64_setcc(e, cc, X64_RAX);
        x64_ret(e);
        fcmov = fn_here(&cb);
        x64_alu_rr(e, X64_CMP, 8, X64_RDI, X64_RSI);
        x64_mov_rr(e, 8, X64_RAX, X64_RDX);
        x64_mov_ri(e, 4, X64_RCX, 7);
        x64_cmov(e, cc, 8, X64_RAX, X64_RCX);
        x64_ret(e);
        fjcc = fn_here(&cb);
        x64_alu_rr(e, X64_CMP, 8, X64_RDI, X64_RSI);
        size_t taken = x64_jcc_fwd(e, cc);
        x64_mov_ri(e, 4, X64_RAX, 1);
        x64_ret(e);
        x64_patch_here(e, taken);
        x64_mov_ri(e, 4, X64_RAX, 2);
        x64_ret(e);
        RUN(fset, cond_holds(cc, cmp_flags(a, b)));
        RUN(fcmov, cond_holds(cc, cmp_flags(a, b)) ? 7 : c);
        RUN(fjcc, cond_holds(cc, cmp_flags(a, b)) ? 2u : 1u);
    }

    /* host flags: lahf after cmp a, b; b's CF/ZF through popfq, sahf and
     * pushfq back (bit 1 of EFLAGS reads as 1) */
    flags = fn_here(&cb);
    x64_mov_ri(e, 4, X64_RAX, 0);
    x64_alu_rr(e, X64_CMP, 8, X64_RDI, X64_RSI);
    x64_lahf(e);
    x64_movzx_rr(e, 4, 2, X64_RAX, X64_RAX);
    x64_alu_ri(e, X64_AND, 4, X64_RSI, CF | ZF);
    x64_alu_ri(e, X64_OR, 4, X64_RSI, 0x202);
    x64_push_r(e, X64_RSI);
    x64_popfq(e);
    x64_setcc(e, X64_CC_BE, X64_RAX);
    x64_sahf(e); /* AH: a's flags again */
    x64_pushfq(e);
    x64_pop_r(e, X64_RCX);
    x64_alu_ri(e, X64_AND, 4, X64_RCX, 0xff);
    x64_shift_ri(e, X64_SHL, 4, X64_RCX, 16);
    x64_alu_rr(e, X64_OR, 4, X64_RAX, X64_RCX);
    x64_ret(e);
    RUN(flags,
        ((cmp_flags(a, b) & 0xd5u) | 2u) * 0x10100u + ((b & (CF | ZF)) != 0));

    /* every register, the callee-saved ones saved, in a chain of lea
     * and add */
    regs = fn_here(&cb);
    for (unsigned k = 0; k < 6; k++) {
        x64_push_r(e, saved[k]);
    }
    for (int k = 1; k < 15; k++) {
        if (k & 1) {
            x64_lea(e, 8, chain[k], x64_mem(chain[k - 1], k));
        } else {
            x64_mov_rr(e, 8, chain[k], chain[k - 1]);
            x64_alu_ri(e, X64_ADD, 8, chain[k], k);
        }
    }
    for (unsigned k = 6; k-- > 0;) {
        x64_pop_r(e, saved[k]);
    }
    x64_ret(e);
    RUN(regs, a + 105);

    /* a call into C, the stack aligned by the push */
    call = fn_here(&cb);
    x64_push_r(e, X64_RBX);
    x64_mov_rr(e, 8, X64_RBX, X64_RSI);
    x64_call_via(e, (uintptr_t)helper_for_call, X64_R11);
    x64_alu_rr(e, X64_ADD, 8, X64_RAX, X64_RBX);
    x64_pop_r(e, X64_RBX);
    x64_ret(e);
    RUN(call, helper_for_call(a, b, c) + b);

    /* memory: mem(p, i, v) loads p[i + 1], stores v to p[i + 2], swaps
     * the load with p[0], writes into p[7], compare-exchanges p[3] */
    uint64_t p[8];
    mem = fn_here(&cb);
    x64_mov_rm(e, 8, X64_RAX, x64_mem_index(X64_RDI, X64_RSI, 8, 8));
    x64_mov_mr(e, 8, x64_mem_index(X64_RDI, X64_RSI, 8, 16), X64_RDX);
    x64_xchg_mr(e, 8, x64_mem(X64_RDI, 0), X64_RAX);
    x64_mov_mi(e, 4, x64_mem(X64_RDI, 8 * 7), -2);
    x64_alu_mi(e, X64_ADD, 2, x64_mem(X64_RDI, 8 * 7 + 2), 0x1234);
    x64_lock(e);
    x64_cmpxchg_mr(e, 8, x64_mem(X64_RDI, 8 * 3), X64_RDX);
    x64_ret(e);
    for (uint64_t i = 0; i < 3; i++, runs++) {
        for (unsigned k = 0; k < 8; k++) {
            p[k] = 0x1111111111111111ull * k;
        }
        p[0] = i == 0 ? p[3] : 0; /* cmpxchg succeeds for i = 0 */
        uint64_t loaded = p[i + 1];
        ck_assert_uint_eq(mem((uintptr_t)p, i, 0xabc),
                          i == 1 ? 0xabc : 0x3333333333333333ull);
        ck_assert_uint_eq(p[3], i == 2 ? 0x3333333333333333ull : 0xabc);
        ck_assert_uint_eq(p[0], loaded);
        ck_assert_uint_eq(p[i + 2], 0xabc);
        ck_assert_uint_eq(p[7], 0x777777771233fffeull);
    }

    /* chaining: a jmp re-pointed through the writable view */
    HostFn one = fn_here(&cb);
    x64_mov_ri(e, 4, X64_RAX, 1);
    x64_ret(e);
    HostFn two = fn_here(&cb);
    x64_mov_ri(e, 4, X64_RAX, 2);
    x64_ret(e);
    x64_int3(e);
    x64_align_for_patch(e);
    chained = fn_here(&cb);
    size_t at = e->pos + 1;
    ck_assert(x64_jmp32(e, (uintptr_t)one));
    ck_assert_uint_eq((uintptr_t)(cb.rx + at) % 4, 0);
    ck_assert_uint_eq(chained(0, 0, 0), 1);
    ck_assert(
        x64_patch_rel32(cb.rw + at, (uintptr_t)cb.rx + at, (uintptr_t)two));
    ck_assert_uint_eq(chained(0, 0, 0), 2);

    ck_assert(!e->overflow);
    munmap(cb.rw, cb.size);
    munmap(cb.rx, cb.size);
    printf("x64-emit: %-28s %8lu calls checked\n", "host execution", runs);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("x64-emit");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_reg_forms);
    tcase_add_test(tc, test_imm_forms);
    tcase_add_test(tc, test_mem_forms);
    tcase_add_test(tc, test_misc);
    tcase_add_test(tc, test_branches);
    tcase_add_test(tc, test_golden);
    tcase_add_test(tc, test_overflow);
    tcase_add_test(tc, test_exec);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
