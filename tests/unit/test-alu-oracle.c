/*
 * End-to-end oracle test of the integer instructions: every ALU, shift,
 * rotate, multiply, divide, bit, condition and BCD instruction, in its 8-,
 * 16- and 32-bit forms, run by softvisor (decoder, frontend, IR, backend)
 * and by the host CPU, must leave the same registers and flags, except
 * what the SDM leaves undefined (oracle/undef.c.inc, printed at start).
 *
 * Register, memory and immediate forms (oracle/ops.c.inc); each flag
 * producer before the 16 SETcc and each Jcc in its block, and each flag
 * reader after each kind of producer, within a block and across a block
 * boundary (the lazy flags); the cases that raise #DE, one at a time.
 *
 * Per (instruction form, width) the cases go into guest memory, one guest
 * loop runs the instruction over all of them (oracle/guest.c.inc) and the
 * host runs it over the same cases with inline asm (oracle/host.c.inc; BCD
 * through the 32-bit helper oracle-bcd/bcd32, or the table recorded from it
 * where i386 binaries cannot run: oracle/bcd.c.inc).
 *
 * Environment: ORACLE_ACCEL=interp|jit|both (default interp), ORACLE_SEED
 * (default fixed, printed), ORACLE_ONLY=substring of form names,
 * ORACLE_HOST_ONLY=1 (host side and case tables alone), ORACLE_VERBOSE=1.
 */
#include <check.h>
#include <capstone/capstone.h>
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "memory/memory.h"
#include "translate/machine.h"

#include "oracle/oracle.h"
#include "oracle-bcd/bcd.h"
#include "oracle/host.c.inc"
#include "oracle/undef.c.inc"
#include "oracle/cases.c.inc"
#include "oracle/guest.c.inc"
#include "oracle/ops.c.inc"
#include "oracle/bcd.c.inc"
#include "oracle/sanity.c.inc"

#define DEFAULT_SEED 0x0a1c0de5ull
#define MAX_REPORTED 20
/* Cases of each (producer, width, block boundary, condition) in the chain
 * tests. */
#define N_CHAIN 24

/* ---- configuration and the running test ---- */

typedef struct OracleConfig {
    bool interp, jit, host_only, verbose;
    uint64_t seed;
    const char *only;
} OracleConfig;

/* Read from the environment each time: no global state to set up. */
static void oracle_config(OracleConfig *c)
{
    const char *accel = g_getenv("ORACLE_ACCEL");
    const char *seed = g_getenv("ORACLE_SEED");

    memset(c, 0, sizeof(*c));
    if (!accel || !strcmp(accel, "interp")) {
        c->interp = true;
    } else if (!strcmp(accel, "jit")) {
        c->jit = true;
    } else if (!strcmp(accel, "both")) {
        c->interp = c->jit = true;
    } else {
        fprintf(stderr, "ORACLE_ACCEL=%s: want interp, jit or both\n", accel);
        exit(2);
    }
    c->seed = seed ? g_ascii_strtoull(seed, NULL, 0) : DEFAULT_SEED;
    c->host_only = g_getenv("ORACLE_HOST_ONLY") != NULL;
    c->verbose = g_getenv("ORACLE_VERBOSE") != NULL;
    c->only = g_getenv("ORACLE_ONLY");
}

typedef struct Oracle {
    OracleConfig cfg;
    const char *group;
    Guest guests[2];
    int nguests;
    uint8_t *bitbuf_init, *bitbuf_host, *bitbuf_guest;
    long units, cases, mismatches;
    int reported;
    double host_secs, guest_secs;
} Oracle;

static void oracle_begin(Oracle *o, const char *group)
{
    char err[256];

    memset(o, 0, sizeof(*o));
    oracle_config(&o->cfg);
    o->group = group;
    o->bitbuf_host = g_malloc0(BITBUF_SIZE);
    if (o->cfg.host_only) {
        return;
    }
    if (o->cfg.interp) {
        ck_assert_msg(guest_init(&o->guests[o->nguests++], ACCEL_INTERP,
                                 "interp", err, sizeof(err)),
                      "machine_new(interp): %s", err);
    }
    if (o->cfg.jit) {
        ck_assert_msg(guest_init(&o->guests[o->nguests++], ACCEL_JIT, "jit",
                                 err, sizeof(err)),
                      "machine_new(jit): %s", err);
    }
}

static void oracle_end(Oracle *o)
{
    printf("alu-oracle %-7s %4ld forms, %8ld cases x %d backend(s), "
           "%ld mismatches (host %.2f s, guest %.2f s)\n", o->group,
           o->units, o->cases, o->nguests, o->mismatches, o->host_secs,
           o->guest_secs);
    fflush(stdout);
    for (int i = 0; i < o->nguests; i++) {
        guest_fini(&o->guests[i]);
    }
    g_free(o->bitbuf_init);
    g_free(o->bitbuf_host);
    g_free(o->bitbuf_guest);
    ck_assert_msg(o->mismatches == 0, "%s: %ld mismatches (first %d above)",
                  o->group, o->mismatches, MAX_REPORTED);
}

/* A problem that is not one case's result: counts as a mismatch. */
static void oracle_fail(Oracle *o, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void oracle_fail(Oracle *o, const char *fmt, ...)
{
    va_list ap;

    o->mismatches++;
    if (o->reported++ < MAX_REPORTED) {
        va_start(ap, fmt);
        printf("FAIL ");
        vprintf(fmt, ap);
        printf("\n");
        va_end(ap);
    }
}

static uint64_t unit_seed(const Oracle *o, const char *name)
{
    OracleRng g = { o->cfg.seed ^ ((uint64_t)g_str_hash(name) << 17) };

    return rng_next(&g);
}

/* ---- the host side of a form ---- */

/* The immediate the instruction under test was encoded with. */
static uint32_t unit_imm(const Unit *u, const OracleCase *c)
{
    return u->sfx == SFX_CHAIN ? CHAIN_CIMM(c->imm) : c->imm;
}

static bool host_batch(Oracle *o, const Unit *u, const OracleCase *cases,
                       size_t n, OracleOut *exp)
{
    const OracleOp *op = u->op;

    if (!op->host) {
        BcdIn *in = g_new0(BcdIn, n);
        BcdOut *out = g_new0(BcdOut, n);
        char err[512];
        bool ok;

        for (size_t i = 0; i < n; i++) {
            in[i].op = op->bcd_op;
            in[i].imm = cases[i].imm;
            in[i].eax = cases[i].r[O_EAX];
            in[i].flags = cases[i].flags;
        }
        ok = bcd_run(in, n, out, err, sizeof(err));
        for (size_t i = 0; ok && i < n; i++) {
            memcpy(exp[i].r, cases[i].r, sizeof(exp[i].r));
            exp[i].r[O_EAX] = out[i].eax;
            exp[i].flags = out[i].flags;
        }
        if (!ok) {
            oracle_fail(o, "%s: %s", op->name, err);
        }
        g_free(in);
        g_free(out);
        return ok;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t r[O_NREGS];
        uint64_t fl = cases[i].flags;

        memcpy(r, cases[i].r, sizeof(r));
        if (u->sfx == SFX_CHAIN) {
            /* The producer on EDX, EBX: run it with them in the first two
             * slots, then the consumer on the flags it left. */
            uint32_t pr[O_NREGS] = { r[O_EDX], r[O_EBX], r[O_EAX], r[O_ECX] };

            CHAIN_PROD(cases[i].imm)->host(CHAIN_PWIDTH(cases[i].imm), 0, pr,
                                           &fl, NULL);
            r[O_EDX] = pr[0], r[O_EBX] = pr[1];
        }
        op->host(u->width, unit_imm(u, &cases[i]), r, &fl,
                 o->bitbuf_host + BITBUF_HALF);
        memcpy(exp[i].r, r, sizeof(r));
        exp[i].flags = (uint32_t)fl;
        if (u->sfx == SFX_SETCC) {
            host_setcc_all(fl, exp[i].cc);
        } else if (u->sfx == SFX_JCC) {
            host_jcc(cases[i].imm, fl, &exp[i].jcc_not_taken);
        }
    }
    return true;
}

/* ---- comparison ---- */

static uint32_t case_count(const Unit *u, const OracleCase *c)
{
    switch (u->op->count) {
    case CNT_CL: return c->r[O_ECX] & 0xff;
    case CNT_IMM: return unit_imm(u, c);
    case CNT_ONE: return 1;
    default: return 0;
    }
}

static void print_state(const char *what, const uint32_t *r, uint32_t flags)
{
    char fl[32];

    flag_names(flags & O_ARITH, fl, sizeof(fl));
    printf("  %-4s eax=%08x ecx=%08x edx=%08x ebx=%08x flags=%03x [%s]\n",
           what, r[0], r[1], r[2], r[3], flags & O_ARITH, fl);
}

static void report_case(Oracle *o, const Guest *gu, const Unit *u,
                        const OracleCase *c, const OracleOut *exp,
                        const OracleOut *got, unsigned undef, uint32_t rmask,
                        const char *what)
{
    char name[96], dis[256], fl[32];

    if (o->reported++ >= MAX_REPORTED) {
        return;
    }
    unit_name(u, name, sizeof(name));
    unit_disasm(u, c->imm, dis, sizeof(dis));
    flag_names(undef, fl, sizeof(fl));
    printf("MISMATCH [%s] %s imm=%#x (%s): %s differ%s\n", gu->accel_name,
           name, c->imm, dis, what, rmask != ~0u ? " (result undefined)" : "");
    print_state("in", c->r, c->flags);
    print_state("host", exp->r, exp->flags);
    print_state("got", got->r, got->flags);
    printf("       undefined, not compared: %s\n", fl);
    if (u->sfx == SFX_SETCC) {
        printf("  setcc host/got:");
        for (int k = 0; k < 16; k++) {
            printf(" %d/%d", exp->cc[k], got->cc[k]);
        }
        printf("\n");
    } else if (u->sfx == SFX_JCC) {
        printf("  jcc %#x not taken host/got: %d/%d\n", c->imm,
               exp->jcc_not_taken, got->jcc_not_taken);
    }
}

static void compare_case(Oracle *o, const Guest *gu, const Unit *u,
                         const OracleCase *c, const OracleOut *exp,
                         const OracleOut *got)
{
    uint32_t rmask;
    unsigned undef = undef_flags(u->op->undef, u->width, case_count(u, c),
                                 c->r[O_ECX], &rmask);
    char what[128] = "";
    int n = 0;
    static const char *const regname[] = { "eax", "ecx", "edx", "ebx" };

    /* A producer's undefined AF survives a consumer that does not write
     * AF; nothing here reads it. */
    if (u->sfx == SFX_CHAIN && CHAIN_PROD(c->imm)->af_undefined &&
        !(u->op->flags & OPF_AF)) {
        undef |= O_AF;
    }

    for (int i = 0; i < O_NREGS; i++) {
        if ((exp->r[i] ^ got->r[i]) & (i == O_EAX ? rmask : ~0u)) {
            n += snprintf(what + n, sizeof(what) - n, "%s ", regname[i]);
        }
    }
    if ((exp->flags ^ got->flags) & O_ARITH & ~undef) {
        char fl[32];

        flag_names((exp->flags ^ got->flags) & O_ARITH & ~undef, fl,
                   sizeof(fl));
        n += snprintf(what + n, sizeof(what) - n, "flags(%s) ", fl);
    }
    if (u->sfx == SFX_SETCC) {
        for (int k = 0; k < 16; k++) {
            if (!(cond_reads[k] & undef) && exp->cc[k] != got->cc[k]) {
                n += snprintf(what + n, sizeof(what) - n, "setcc(%x) ", k);
                break;
            }
        }
    } else if (u->sfx == SFX_JCC && !(cond_reads[c->imm] & undef) &&
               exp->jcc_not_taken != got->jcc_not_taken) {
        n += snprintf(what + n, sizeof(what) - n, "jcc ");
    }
    if (n) {
        o->mismatches++;
        report_case(o, gu, u, c, exp, got, undef, rmask, what);
    }
}

/* The bit buffer after all cases of a memory form, byte for byte. */
static void compare_bitbuf(Oracle *o, Guest *gu, const Unit *u)
{
    char name[96];
    long diffs = 0;

    as_read_buf(gu->m->as, G_BITBUF, o->bitbuf_guest, BITBUF_SIZE);
    unit_name(u, name, sizeof(name));
    for (uint32_t i = 0; i < BITBUF_SIZE; i++) {
        if (o->bitbuf_guest[i] != o->bitbuf_host[i]) {
            if (diffs++ < 4 && o->reported < MAX_REPORTED) {
                printf("MISMATCH [%s] %s: bit-string byte at offset %+d: "
                       "was %02x, host %02x, got %02x\n", gu->accel_name,
                       name, (int)i - (int)BITBUF_HALF, o->bitbuf_init[i],
                       o->bitbuf_host[i], o->bitbuf_guest[i]);
            }
        }
    }
    if (diffs) {
        o->mismatches++;
        o->reported++;
        printf("  %s: %ld bytes of the bit string differ\n", name, diffs);
    }
}

/* ---- running a form ---- */

static void run_unit(Oracle *o, const OracleOp *op, int width, Suffix sfx)
{
    Unit u = { op, width, sfx };
    char name[96], why[1400];
    GArray *cases = g_array_new(false, false, sizeof(OracleCase));
    OracleRng g;
    OracleOut *exp, *got;
    const OracleCase *cs;
    size_t n;
    gint64 t0;

    unit_name(&u, name, sizeof(name));
    if (o->cfg.only && !strstr(name, o->cfg.only)) {
        g_array_free(cases, true);
        return;
    }
    g.s = unit_seed(o, name);
    if (sfx == SFX_CHAIN) {
        for (unsigned p = 0; p < G_N_ELEMENTS(chain_producers); p++) {
            for (int pw = 8; pw <= 32; pw *= 2) {
                for (int jmp = 0; jmp < 2; jmp++) {
                    for (unsigned k = 0; k < MAX(op->nimms, 1u); k++) {
                        uint32_t cimm = op->imms ? op->imms[k] : 0;

                        gen_chain(&g, cases, width, pw,
                                  CHAIN_IMM(cimm, p, pw, jmp), N_CHAIN);
                    }
                }
            }
        }
    } else if (sfx != SFX_NONE) {
        for (uint32_t cc = 0; cc < (sfx == SFX_JCC ? 16u : 1u); cc++) {
            gen_cases(&g, GEN_LAZY, width, cc, cases);
        }
    } else if (op->imms) {
        for (unsigned i = 0; i < op->nimms; i++) {
            gen_cases(&g, op->gen, width, op->imms[i], cases);
        }
    } else {
        gen_cases(&g, op->gen, width, 0, cases);
    }
    cs = (const OracleCase *)cases->data;
    n = cases->len;
    exp = g_new0(OracleOut, n);
    got = g_new0(OracleOut, n);
    if (op->flags & OPF_BITMEM) {
        if (!o->bitbuf_init) {
            o->bitbuf_init = g_malloc(BITBUF_SIZE);
            o->bitbuf_guest = g_malloc(BITBUF_SIZE);
        }
        for (uint32_t i = 0; i < BITBUF_SIZE; i += 8) {
            uint64_t v = rng_next(&g);

            memcpy(o->bitbuf_init + i, &v, 8);
        }
        memcpy(o->bitbuf_host, o->bitbuf_init, BITBUF_SIZE);
    }

    t0 = g_get_monotonic_time();
    if (!host_batch(o, &u, cs, n, exp)) {
        goto out;
    }
    o->host_secs += (g_get_monotonic_time() - t0) / 1e6;
    o->units++;
    o->cases += n;
    for (int k = 0; k < o->nguests; k++) {
        Guest *gu = &o->guests[k];
        long before = o->mismatches;

        t0 = g_get_monotonic_time();
        if (op->flags & OPF_BITMEM) {
            as_write_buf(gu->m->as, G_BITBUF, o->bitbuf_init, BITBUF_SIZE);
        }
        if (!guest_run_cases(gu, unit_encode, &u, cs, n, got, why,
                             sizeof(why))) {
            oracle_fail(o, "%s: %s", name, why);
            continue;
        }
        o->guest_secs += (g_get_monotonic_time() - t0) / 1e6;
        for (size_t i = 0; i < n; i++) {
            compare_case(o, gu, &u, &cs[i], &exp[i], &got[i]);
        }
        if (op->flags & OPF_BITMEM) {
            compare_bitbuf(o, gu, &u);
        }
        if (o->cfg.verbose || o->mismatches != before) {
            printf("  [%s] %-26s %8zu cases, %ld mismatches\n",
                   gu->accel_name, name, n, o->mismatches - before);
        }
    }
    if (o->cfg.verbose && !o->nguests) {
        printf("  [host] %-26s %8zu cases\n", name, n);
    }
out:
    g_free(exp);
    g_free(got);
    g_array_free(cases, true);
}

static unsigned width_bit(int width)
{
    return width == 8 ? W8 : width == 16 ? W16 : W32;
}

static void run_group(OracleGroup grp, const char *name)
{
    Oracle o;

    oracle_begin(&o, name);
    for (size_t i = 0; i < G_N_ELEMENTS(oracle_ops); i++) {
        for (int w = 8; w <= 32; w *= 2) {
            if (oracle_ops[i].group == grp &&
                (oracle_ops[i].widths & width_bit(w))) {
                run_unit(&o, &oracle_ops[i], w, SFX_NONE);
            }
        }
    }
    oracle_end(&o);
}

START_TEST(test_arith)
{
    run_group(GRP_ARITH, "arith");
}
END_TEST

START_TEST(test_shift)
{
    run_group(GRP_SHIFT, "shift");
}
END_TEST

START_TEST(test_muldiv)
{
    run_group(GRP_MULDIV, "muldiv");
}
END_TEST

START_TEST(test_bit)
{
    run_group(GRP_BIT, "bit");
}
END_TEST

START_TEST(test_cond)
{
    run_group(GRP_COND, "cond");
}
END_TEST

START_TEST(test_xchg)
{
    run_group(GRP_XCHG, "xchg");
}
END_TEST

START_TEST(test_bcd)
{
    run_group(GRP_BCD, "bcd");
}
END_TEST

/* Each flag producer followed, in the same block, by the 16 SETcc and by
 * each Jcc: the lazy-flag evaluation and compare/branch fusion of every
 * condition after every kind of producer (DESIGN.md, Lazy flags). */
START_TEST(test_lazy)
{
    Oracle o;

    oracle_begin(&o, "lazy");
    for (size_t i = 0; i < G_N_ELEMENTS(oracle_ops); i++) {
        const OracleOp *op = &oracle_ops[i];

        for (int w = 8; w <= 32; w *= 2) {
            if ((op->flags & OPF_PRODUCER) && (op->widths & width_bit(w))) {
                run_unit(&o, op, w, SFX_SETCC);
                run_unit(&o, op, w, SFX_JCC);
            }
        }
    }
    oracle_end(&o);
}
END_TEST

/* Each flag consumer (ADC SBB, INC DEC NOT, shifts and rotates by CL
 * whose count may be 0, SHLD, BT, SETcc, CMOVcc) right after each kind of
 * producer, in the same block and across a block boundary: the lazy state
 * one instruction leaves is what the next one reads (DESIGN.md, Lazy
 * flags: "a block starts with it unknown"). */
START_TEST(test_chain)
{
    Oracle o;

    oracle_begin(&o, "chain");
    for (size_t i = 0; i < G_N_ELEMENTS(oracle_ops); i++) {
        const OracleOp *op = &oracle_ops[i];

        for (int w = 8; w <= 32; w *= 2) {
            if ((op->flags & OPF_CONSUMER) && (op->widths & width_bit(w))) {
                run_unit(&o, op, w, SFX_CHAIN);
            }
        }
    }
    oracle_end(&o);
}
END_TEST

/* ---- #DE ---- */

static const OracleOp *find_op(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(oracle_ops); i++) {
        if (!strcmp(oracle_ops[i].name, name)) {
            return &oracle_ops[i];
        }
    }
    g_assert_not_reached();
}

/* The fault snippets open with "test ebx, ebx" (85 db): the faulting
 * instruction then runs with lazy flags its block computed. */
#define SNIPPET_PREFIX_LEN 2

static int snippet_encode(const Unit *u, uint8_t *body)
{
    body[0] = 0x85;
    body[1] = 0xdb;
    return SNIPPET_PREFIX_LEN + unit_encode(u, 0, body + SNIPPET_PREFIX_LEN);
}

/* The flags "test ebx, ebx" leaves, by the host. */
static uint32_t snippet_flags(const OracleCase *c)
{
    uint32_t r[O_NREGS] = { c->r[O_EBX], c->r[O_EBX], 0, 0 };
    uint64_t fl = c->flags;

    host_test(32, 0, r, &fl, NULL);
    return (uint32_t)fl;
}

/*
 * One case run alone must raise #DE: the run ends MACHINE_FAILED with
 * exception_index 0 (machine.h), EIP at the instruction, and every
 * register and flag as before it (a fault: SDM Vol. 3A, 6.5, and 6.15
 * "Interrupt 0").  Or, with !MUST_FAULT, run to the hlt after it.
 */
static void check_single(Oracle *o, Guest *gu, const Unit *u, uint32_t addr,
                         const OracleCase *c, bool must_fault)
{
    GuestSingle res;
    char name[96];
    bool regs_ok = true;
    uint32_t flags_diff;

    unit_name(u, name, sizeof(name));
    guest_run_snippet(gu, addr, c, &res);
    /* AF is undefined after TEST (SDM Vol. 2B TEST). */
    flags_diff = (res.eflags ^ snippet_flags(c)) & O_ARITH & ~O_AF;
    for (int i = 0; i < CPU_NB_REGS; i++) {
        uint32_t want = i == R_EAX ? c->r[O_EAX] : i == R_ECX ? c->r[O_ECX]
                      : i == R_EDX ? c->r[O_EDX] : i == R_EBX ? c->r[O_EBX]
                      : g_marks[i];

        regs_ok &= !must_fault || res.regs[i] == want;
    }
    if (!must_fault) {
        if (res.status != MACHINE_HALTED) {
            oracle_fail(o, "[%s] %s eax=%08x ecx=%08x edx=%08x: should not "
                        "fault, got %s exception %d (%s)", gu->accel_name,
                        name, c->r[O_EAX], c->r[O_ECX], c->r[O_EDX],
                        status_name(res.status), res.vector, gu->m->reason);
        }
        return;
    }
    if (res.status != MACHINE_FAILED || res.vector != EXCP_DE ||
        res.eip != addr + SNIPPET_PREFIX_LEN || !regs_ok || flags_diff) {
        oracle_fail(o, "[%s] %s eax=%08x ecx=%08x edx=%08x: want #DE at "
                    "%#x with registers and flags (%03x) unchanged; got %s, "
                    "exception %d, eip=%#x, flags %03x, eax=%08x ecx=%08x "
                    "edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x edi=%08x",
                    gu->accel_name, name, c->r[O_EAX], c->r[O_ECX],
                    c->r[O_EDX], addr + SNIPPET_PREFIX_LEN,
                    snippet_flags(c) & O_ARITH, status_name(res.status),
                    res.vector, res.eip, res.eflags & O_ARITH,
                    res.regs[R_EAX], res.regs[R_ECX], res.regs[R_EDX],
                    res.regs[R_EBX], res.regs[R_ESP], res.regs[R_EBP],
                    res.regs[R_ESI], res.regs[R_EDI]);
    }
}

START_TEST(test_div_fault)
{
    Oracle o;
    static const char *const names[] = { "div r/m", "idiv r/m" };

    oracle_begin(&o, "#DE");
    for (int s = 0; s < 2; s++) {
        const OracleOp *op = find_op(names[s]);

        for (int w = 8; w <= 32; w *= 2) {
            Unit u = { op, w, SFX_NONE };
            OracleRng g = { unit_seed(&o, names[s]) + w };
            GArray *cases = g_array_new(false, false, sizeof(OracleCase));
            uint8_t body[128];
            int len = snippet_encode(&u, body);

            gen_div_faults(&g, cases, w, s == 1);
            /* A control: the same snippet, a division that fits. */
            push_div(&g, cases, w, 7, 2);
            for (guint i = 0; i < cases->len; i++) {
                OracleCase *c = &g_array_index(cases, OracleCase, i);
                bool fault = i + 1 < cases->len;
                uint32_t r[O_NREGS];
                uint64_t fl = c->flags;

                memcpy(r, c->r, sizeof(r));
                if (host_run_catching_de(op->host, w, 0, r, &fl, NULL) !=
                    fault) {
                    oracle_fail(&o, "host: %s w%d eax=%08x ecx=%08x "
                                "edx=%08x %s #DE; the test's predicate is "
                                "wrong", names[s], w, c->r[O_EAX],
                                c->r[O_ECX], c->r[O_EDX],
                                fault ? "did not raise" : "raised");
                }
                o.cases++;
            }
            for (int k = 0; k < o.nguests; k++) {
                uint32_t addr = guest_put_snippet(&o.guests[k], body, len);

                for (guint i = 0; i < cases->len; i++) {
                    check_single(&o, &o.guests[k], &u, addr,
                                 &g_array_index(cases, OracleCase, i),
                                 i + 1 < cases->len);
                }
            }
            o.units++;
            g_array_free(cases, true);
        }
    }

    /* AAM 0 (SDM Vol. 2A AAM: "#DE If an immediate value of 0 is used"). */
    {
        const OracleOp *op = find_op("aam imm8");
        Unit u = { op, 8, SFX_NONE };
        OracleCase c = { { 0x1234, 0x5678, 0x9abc, 0xdef0 }, 0x2 | O_CF, 0 };
        BcdIn in = { BCD_AAM, 0, 0, c.r[O_EAX], c.flags };
        BcdOut out;
        uint8_t body[16];
        int len = snippet_encode(&u, body);
        char err[512];

        if (!bcd_run(&in, 1, &out, err, sizeof(err))) {
            oracle_fail(&o, "aam 0: %s", err);
        } else if (!out.fault) {
            oracle_fail(&o, "host: aam 0 did not raise #DE");
        }
        for (int k = 0; k < o.nguests; k++) {
            check_single(&o, &o.guests[k], &u,
                         guest_put_snippet(&o.guests[k], body, len), &c,
                         true);
        }
        o.units++;
        o.cases++;
    }
    oracle_end(&o);
}
END_TEST

int main(void)
{
    OracleConfig cfg;
    Suite *s = suite_create("alu-oracle");
    SRunner *sr;
    int failed;
    const struct {
        const char *name;
        const TTest *test;
    } tests[] = {
        { "host-sanity", test_host_sanity }, { "arith", test_arith },
        { "shift", test_shift }, { "muldiv", test_muldiv },
        { "div-fault", test_div_fault }, { "bit", test_bit },
        { "cond", test_cond }, { "lazy", test_lazy },
        { "chain", test_chain },
        { "xchg", test_xchg }, { "bcd", test_bcd },
    };

    oracle_config(&cfg);
    printf("alu-oracle: seed %#" G_GINT64_MODIFIER "x (ORACLE_SEED), "
           "backends:%s%s%s\n", cfg.seed, cfg.interp ? " interp" : "",
           cfg.jit ? " jit" : "", cfg.host_only ? " (host only)" : "");
    bcd_print_oracle(stdout);
    undef_print_table(stdout);
    fflush(stdout);
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
        TCase *tc = tcase_create(tests[i].name);

        /* Seconds, not the default 4: whole instruction classes, also
         * under the sanitizers. */
        tcase_set_timeout(tc, 300);
        tcase_add_test(tc, tests[i].test);
        suite_add_tcase(s, tc);
    }
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
