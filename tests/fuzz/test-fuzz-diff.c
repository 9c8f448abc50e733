/*
 * Random-program differential test: random 32-bit x86 programs
 * (tests/fuzz/gen.c) run on softvisor's interpreter with and without the
 * IR optimizer, on the JIT, and natively on the host CPU in a 32-bit
 * process (tests/fuzz/native32.c); the final registers, the arithmetic
 * flags and DF (less those the SDM leaves undefined), the data area and
 * the stack area must all agree.  A program that faults (#DE, #UD or #GP,
 * by design) must fault at the same instruction with the same state.
 *
 * On a mismatch the program is minimized (whole groups removed while the
 * same runners still disagree) and printed with Capstone, with each
 * runner's state; the exit status is then 1.
 *
 * The native runner is the oracle where i386 binaries run (or under
 * $I386_RUNNER; tests/unit/i386-oracle.h chooses).  Where they cannot,
 * references recorded from it stand in (tests/refs/fuzz-SEED.txt, see
 * fuzz-refs.h): the hash of each program's reference state, which the
 * interpreter's state must match (the other runners must match the
 * interpreter).  With the native runner, the recorded references of the
 * seed, where there are some, are checked against it.  A program with no
 * reference, or one the generator no longer makes, is a failure.
 *
 * Usage: test-fuzz-diff [-n COUNT] [-s SEED] [-i FIRST] [-k MAXFAIL]
 *                       [-r RUNNERS] [-R REFS] [-c] [-d] [-t] [-v]
 *   -n  programs to run (default 5000)      -s  seed (default: from time)
 *   -i  index of the first program           -k  mismatches before stopping
 *   -r  runners, comma-separated: native,interp,interp-noopt,jit (all;
 *       all but native with recorded references)
 *   -R  the recorded references (default: tests/refs/fuzz-SEED.txt)
 *   -c  print how often each mnemonic ran    -v  progress
 *   -d  print every program and its final states
 *   -t  print each program's index before it runs (to find one that
 *       crashes the emulator)
 * Program I of seed S is the same whatever ran before it, so
 * `-s S -i I -n 1` reruns one program.  FUZZ_NATIVE names the native
 * runner (default: native32 beside this program).
 */
#include <capstone/capstone.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuzz/fuzz-refs.h"
#include "tests/fuzz/gen.h"
#include "tests/fuzz/run.h"
#include "tests/unit/i386-oracle.h"

#define MAX_RUNNERS 4

typedef struct FuzzCtx {
    uint64_t seed, first, count;
    long max_fail;
    bool verbose, coverage, dump, trace;
    FuzzRunner runners[MAX_RUNNERS];
    FuzzState *st[MAX_RUNNERS];
    int nrunners;
    int ref;               /* the runner the others are compared with */
    bool has_native;
    I386Oracle oracle;
    FuzzRefs refs;         /* refs.count 0: none for this seed */
    char *refs_path;
    long ref_checked, ref_failed;
    csh cs;
    GHashTable *mnemonics; /* -c: mnemonic -> count */
    long mismatches, faulting, groups, insns;
    long flag_seen[12];    /* programs whose final flag bit I was compared */
    double secs[MAX_RUNNERS];
} FuzzCtx;

/* What differs between two states. */
enum {
    D_STATUS = 1 << 0,
    D_FAULT = 1 << 1,
    D_REGS = 1 << 2,
    D_FLAGS = 1 << 3,
    D_DATA = 1 << 4,
    D_STACK = 1 << 5,
};
/* A mismatch signature bit: the reference runner did not do what the
 * generator meant (fault or no fault): a test bug, or a host surprise. */
#define SIG_UNEXPECTED (1u << 16)

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint32_t flag_mask(const GenCode *c, const FuzzState *s)
{
    return fuzz_flag_mask(c, s);
}

static unsigned state_diff(const GenCode *c, const FuzzState *a,
                           const FuzzState *b)
{
    unsigned d = 0;

    if (a->status != b->status || a->status == FUZZ_ERROR ||
        a->status == FUZZ_TIMEOUT) {
        return D_STATUS;
    }
    if (a->status == FUZZ_FAULT &&
        (a->vector != b->vector || a->eip != b->eip)) {
        return D_FAULT;
    }
    if (memcmp(a->regs, b->regs, sizeof(a->regs))) {
        d |= D_REGS;
    }
    if ((a->eflags ^ b->eflags) & flag_mask(c, a)) {
        d |= D_FLAGS;
    }
    if (memcmp(a->data, b->data, FUZZ_DATA_SIZE)) {
        d |= D_DATA;
    }
    if (memcmp(a->stack, b->stack, FUZZ_STACK_SIZE)) {
        d |= D_STACK;
    }
    return d;
}

/*
 * Run the subset KEEP of P on every runner; the signature of what went
 * wrong (0: all agree), or -1 if KEEP is not a valid program.
 */
static long run_all(FuzzCtx *x, const GenProg *p, const bool *keep,
                    GenCode *c)
{
    char why[256];
    bool fault_kept = p->fault_group >= 0 &&
                      (!keep || keep[p->fault_group]);
    const FuzzState *ref;
    long sig = 0;
    int native = -1;

    if (!gen_assemble(p, keep, c, why, sizeof(why))) {
        if (!keep) {
            printf("fuzz-diff: generator bug: %s\n", why);
            return SIG_UNEXPECTED;
        }
        return -1;
    }
    for (int i = 0; i < x->nrunners; i++) {
        if (x->runners[i].native) {
            native = i;
            fuzz_runner_send(&x->runners[i], p, c);
        }
    }
    for (int i = 0; i < x->nrunners; i++) {
        double t = now();

        if (i != native) {
            fuzz_machine_run(&x->runners[i], p, c, x->st[i]);
            x->secs[i] += now() - t;
        }
    }
    if (native >= 0) {
        double t = now();

        fuzz_runner_recv(&x->runners[native], x->st[native]);
        x->secs[native] += now() - t;
    }
    ref = x->st[x->ref];
    if ((ref->status == FUZZ_FAULT) != fault_kept ||
        (ref->status != FUZZ_OK && ref->status != FUZZ_FAULT) ||
        (fault_kept && ref->vector != p->fault_vector)) {
        sig |= SIG_UNEXPECTED;
    }
    for (int i = 0; i < x->nrunners; i++) {
        if (i != x->ref && state_diff(c, ref, x->st[i])) {
            sig |= 1l << i;
        }
    }
    return sig;
}

/* ---- reports ---- */

static const char *status_name(uint32_t s)
{
    switch (s) {
    case FUZZ_OK: return "ok";
    case FUZZ_FAULT: return "fault";
    case FUZZ_TIMEOUT: return "timeout";
    default: return "error";
    }
}

/* The flags in MASK: " CF=1" with their values in F, or " CF" alone. */
static void print_flags_(uint32_t f, uint32_t mask, bool values)
{
    static const struct { uint32_t bit; const char *name; } names[] = {
        { FUZZ_OF, "OF" }, { FUZZ_DF, "DF" }, { FUZZ_SF, "SF" },
        { FUZZ_ZF, "ZF" }, { FUZZ_AF, "AF" }, { FUZZ_PF, "PF" },
        { FUZZ_CF, "CF" },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((mask & names[i].bit) && values) {
            printf(" %s=%d", names[i].name, !!(f & names[i].bit));
        } else if (mask & names[i].bit) {
            printf(" %s", names[i].name);
        }
    }
    if (!mask) {
        printf(" none");
    }
}

static void print_flags(uint32_t f, uint32_t mask)
{
    print_flags_(f, mask, true);
}

static void print_flag_names(uint32_t mask)
{
    print_flags_(0, mask, false);
}

static void print_code(FuzzCtx *x, const GenCode *c)
{
    cs_insn *insn;
    size_t n;

    printf("  code, %u bytes at %#x:", c->len, c->addr);
    for (uint32_t i = 0; i < c->len; i++) {
        printf(" %02x", c->bytes[i]);
    }
    printf("\n");
    n = cs_disasm(x->cs, c->bytes, c->len, c->addr, 0, &insn);
    for (size_t i = 0; i < n; i++) {
        char hex[64] = "";

        for (int j = 0; j < insn[i].size && j < 15; j++) {
            snprintf(hex + 3 * j, sizeof(hex) - 3 * j, "%02x ",
                     insn[i].bytes[j]);
        }
        printf("    %08" PRIx64 ":  %-33s %s %s\n", insn[i].address, hex,
               insn[i].mnemonic, insn[i].op_str);
    }
    if (n) {
        cs_free(insn, n);
    }
}

static void print_mem_diff(const char *what, uint32_t base,
                           const uint8_t *init, const uint8_t *ref,
                           const uint8_t *got, uint32_t size)
{
    int shown = 0;

    for (uint32_t i = 0; i < size && shown < 16; i++) {
        if (ref[i] != got[i]) {
            printf("      %s %#x: initial %02x, reference %02x, got %02x\n",
                   what, base + i, init[i], ref[i], got[i]);
            shown++;
        }
    }
}

static void print_state(FuzzCtx *x, int i, const GenProg *p,
                        const GenCode *c)
{
    static const char *const rn[FR_NREGS] = {
        "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
    };
    const FuzzState *s = x->st[i], *ref = x->st[x->ref];
    unsigned d = i == x->ref ? 0 : state_diff(c, ref, s);

    printf("    %-12s %s", x->runners[i].name, status_name(s->status));
    if (s->status == FUZZ_FAULT) {
        printf(" vector %u at %#x", s->vector, s->eip);
    }
    if (x->runners[i].note[0]) {
        printf(" (%s)", x->runners[i].note);
    }
    printf("%s\n", i == x->ref ? "  [reference]"
                               : d ? "  [DIFFERS]" : "  [agrees]");
    printf("      ");
    for (int r = 0; r < FR_NREGS; r++) {
        bool bad = i != x->ref && s->regs[r] != ref->regs[r];

        printf("%s%s=%08x%s ", bad ? "*" : "", rn[r], s->regs[r],
               bad ? "*" : "");
    }
    printf("\n      eflags=%08x:", s->eflags);
    print_flags(s->eflags, flag_mask(c, ref));
    if (d & D_FLAGS) {
        printf("   *differs in");
        print_flag_names((s->eflags ^ ref->eflags) & flag_mask(c, ref));
        printf("*");
    }
    printf("\n");
    if (i != x->ref) {
        print_mem_diff("data", FUZZ_DATA_ADDR, p->data, ref->data, s->data,
                       FUZZ_DATA_SIZE);
        print_mem_diff("stack", FUZZ_STACK_ADDR, p->stack, ref->stack,
                       s->stack, FUZZ_STACK_SIZE);
    }
}

static void print_initial(const GenProg *p)
{
    printf("  initial: eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x "
           "ebp=%08x esi=%08x edi=%08x eflags=%08x:",
           p->regs[0], p->regs[1], p->regs[2], p->regs[3], p->regs[4],
           p->regs[5], p->regs[6], p->regs[7], p->eflags);
    print_flags(p->eflags, FUZZ_FLAGS_CMP);
    printf("\n");
}

/* Drop whole groups while the signature stays SIG: chunks of halving
 * size, until nothing more goes. */
static uint32_t minimize(FuzzCtx *x, const GenProg *p, bool *keep, long sig)
{
    bool *trial = g_new(bool, p->ngroups);
    uint32_t tries = 0;
    bool progress = true;

    while (progress) {
        progress = false;
        for (uint32_t chunk = MAX(p->ngroups / 2, 1); chunk >= 1;
             chunk /= 2) {
            for (uint32_t s = 0; s < p->ngroups; s += chunk) {
                GenCode c;
                bool any = false;

                memcpy(trial, keep, p->ngroups * sizeof(bool));
                for (uint32_t g = s; g < s + chunk && g < p->ngroups; g++) {
                    any |= trial[g];
                    trial[g] = false;
                }
                if (!any) {
                    continue;
                }
                tries++;
                if (run_all(x, p, trial, &c) == sig) {
                    memcpy(keep, trial, p->ngroups * sizeof(bool));
                    progress = true;
                }
                gen_code_free(&c);
            }
        }
    }
    g_free(trial);
    return tries;
}

static void report(FuzzCtx *x, const GenProg *p, uint64_t index, long sig)
{
    bool *keep = g_new(bool, p->ngroups);
    uint32_t tries, kept = 0;
    GenCode c;

    printf("\nfuzz-diff: MISMATCH: program %" PRIu64 " of seed %#" PRIx64
           ":", index, x->seed);
    for (int i = 0; i < x->nrunners; i++) {
        if (sig & (1l << i)) {
            printf(" %s", x->runners[i].name);
        }
    }
    printf("%s%s\n", sig & ~SIG_UNEXPECTED ? " differ(s) from the reference"
                                           : "",
           sig & SIG_UNEXPECTED ? " [reference runner did not end as the "
                                  "generator meant]" : "");
    printf("  reproduce: tests/fuzz/test-fuzz-diff -s %#" PRIx64
           " -i %" PRIu64 " -n 1\n", x->seed, index);
    for (uint32_t g = 0; g < p->ngroups; g++) {
        keep[g] = true;
    }
    tries = minimize(x, p, keep, sig);
    for (uint32_t g = 0; g < p->ngroups; g++) {
        kept += keep[g];
    }
    if (run_all(x, p, keep, &c) != sig) {
        printf("  (minimized program does not reproduce: not deterministic?)"
               "\n");
    }
    printf("  minimized from %u to %u groups (%u tries)\n", p->ngroups, kept,
           tries);
    print_initial(p);
    print_code(x, &c);
    printf("  flags that may be undefined at the end:");
    print_flag_names(c.final_undef);
    printf("\n  final state:\n");
    for (int i = 0; i < x->nrunners; i++) {
        print_state(x, i, p, &c);
    }
    fflush(stdout);
    gen_code_free(&c);
    g_free(keep);
}

static void dump(FuzzCtx *x, const GenProg *p, const GenCode *c,
                 uint64_t index)
{
    printf("\nprogram %" PRIu64 ": %u groups\n", index, p->ngroups);
    print_initial(p);
    print_code(x, c);
    printf("  flags that may be undefined at the end:");
    print_flag_names(c->final_undef);
    printf("\n");
    for (int i = 0; i < x->nrunners; i++) {
        print_state(x, i, p, c);
    }
}

/* ---- coverage ---- */

static void count_mnemonics(FuzzCtx *x, const GenCode *c)
{
    cs_insn *insn;
    size_t n = cs_disasm(x->cs, c->bytes, c->len, c->addr, 0, &insn);

    for (size_t i = 0; i < n; i++) {
        gpointer v = g_hash_table_lookup(x->mnemonics, insn[i].mnemonic);

        g_hash_table_replace(x->mnemonics, g_strdup(insn[i].mnemonic),
                             GSIZE_TO_POINTER(GPOINTER_TO_SIZE(v) + 1));
    }
    if (n) {
        cs_free(insn, n);
    }
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_coverage(FuzzCtx *x)
{
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;

    g_hash_table_iter_init(&it, x->mnemonics);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        g_ptr_array_add(keys, k);
    }
    g_ptr_array_sort(keys, by_name);
    printf("fuzz-diff: %u mnemonics:", keys->len);
    for (guint i = 0; i < keys->len; i++) {
        printf("%s %s:%zu", i % 8 ? "" : "\n ", (char *)keys->pdata[i],
               GPOINTER_TO_SIZE(g_hash_table_lookup(x->mnemonics,
                                                    keys->pdata[i])));
    }
    printf("\n");
    g_ptr_array_unref(keys);
}

/* ---- recorded references ---- */

/*
 * Load the references of the seed.  With recorded references as the
 * oracle they must exist; with the native runner they are checked where
 * there are some (another seed may have none).
 */
static bool refs_setup(FuzzCtx *x, const char *path)
{
    char name[64], err[1024];

    fuzz_refs_name(x->seed, name, sizeof(name));
    x->refs_path = path ? g_strdup(path) : i386_oracle_ref_path(name);
    if (!g_file_test(x->refs_path, G_FILE_TEST_EXISTS) && x->oracle.native) {
        return true;
    }
    if (!fuzz_refs_load(&x->refs, x->refs_path, err, sizeof(err))) {
        printf("fuzz-diff: FAIL: %s\n", err);
        return false;
    }
    if (x->refs.seed != x->seed) {
        printf("fuzz-diff: FAIL: %s holds seed %#" PRIx64 ", not %#" PRIx64
               "\n",
               x->refs_path, x->refs.seed, x->seed);
        return false;
    }
    return true;
}

/*
 * Program I (assembled into C) against its reference: the program must be
 * the one recorded, and the reference runner's state must hash to the
 * recorded one.  Returns false on a difference, printed.
 */
static bool refs_check(FuzzCtx *x, uint64_t i, const GenProg *p,
                       const GenCode *c)
{
    const FuzzState *st = x->st[x->ref];
    uint32_t ph, sh;

    if (i >= x->refs.count) {
        if (!x->has_native) {
            printf("fuzz-diff: FAIL: program %" PRIu64 " has no recorded "
                   "reference (%s holds programs 0..%u; make record-refs "
                   "RECORD=fuzz)\n",
                   i, x->refs_path, x->refs.count ? x->refs.count - 1 : 0);
            return false;
        }
        return true;
    }
    x->ref_checked++;
    ph = fuzz_prog_hash(p, c);
    sh = fuzz_state_hash(c, st);
    if (ph != x->refs.prog[i]) {
        printf("fuzz-diff: FAIL: program %" PRIu64 " is not the one recorded "
               "in %s (program hash %08x, recorded %08x): the generator "
               "changed, so the references are stale (make record-refs "
               "RECORD=fuzz)\n",
               i, x->refs_path, ph, x->refs.prog[i]);
        return false;
    }
    if (sh == x->refs.state[i]) {
        return true;
    }
    if (x->has_native) {
        printf("fuzz-diff: FAIL: program %" PRIu64 ": the recorded reference "
               "in %s is stale or wrong: the native runner's state hashes to "
               "%08x, recorded %08x (make record-refs RECORD=fuzz)\n",
               i, x->refs_path, sh, x->refs.state[i]);
    } else {
        printf("\nfuzz-diff: MISMATCH: program %" PRIu64 " of seed %#" PRIx64
               ": %s's final state hashes to %08x, the recorded native state "
               "to %08x (%s)\n  reproduce where i386 binaries run: "
               "tests/fuzz/test-fuzz-diff -s %#" PRIx64 " -i %" PRIu64
               " -n 1\n",
               i, x->seed, x->runners[x->ref].name, sh, x->refs.state[i],
               x->refs_path, x->seed, i);
        dump(x, p, c, i);
    }
    return false;
}

/* ---- main ---- */

static bool add_runner(FuzzCtx *x, const char *name, const char *native)
{
    FuzzRunner *r = &x->runners[x->nrunners];
    char err[512];
    bool ok;

    if (!strcmp(name, "native")) {
        char **argv = i386_oracle_argv(&x->oracle, native, NULL);

        ok = fuzz_native_init(r, argv, err, sizeof(err));
        x->has_native = ok;
        g_strfreev(argv);
    } else if (!strcmp(name, "interp")) {
        ok = fuzz_machine_init(r, "interp", ACCEL_INTERP, true, err,
                               sizeof(err));
    } else if (!strcmp(name, "interp-noopt")) {
        ok = fuzz_machine_init(r, "interp-noopt", ACCEL_INTERP, false, err,
                               sizeof(err));
    } else if (!strcmp(name, "jit")) {
        ok = fuzz_machine_init(r, "jit", ACCEL_JIT, true, err, sizeof(err));
    } else {
        snprintf(err, sizeof(err), "unknown runner (native, interp, "
                 "interp-noopt, jit)");
        ok = false;
    }
    if (!ok) {
        fprintf(stderr, "fuzz-diff: %s: %s\n", name, err);
        return false;
    }
    x->st[x->nrunners++] = g_new0(FuzzState, 1);
    return true;
}

static bool setup(FuzzCtx *x, const char *list, const char *argv0)
{
    char *dir = g_path_get_dirname(argv0);
    char *native = g_getenv("FUZZ_NATIVE")
                       ? g_strdup(g_getenv("FUZZ_NATIVE"))
                       : g_build_filename(dir, "native32", NULL);
    char **names = g_strsplit(list, ",", -1);
    bool ok = true;

    for (int i = 0; names[i] && ok; i++) {
        if (x->nrunners == MAX_RUNNERS) {
            fprintf(stderr, "fuzz-diff: at most %d runners\n", MAX_RUNNERS);
            ok = false;
        } else {
            ok = add_runner(x, names[i], native);
        }
    }
    x->ref = 0;
    for (int i = 0; i < x->nrunners; i++) {
        if (x->runners[i].native) {
            x->ref = i;
        }
    }
    g_strfreev(names);
    g_free(native);
    g_free(dir);
    return ok && x->nrunners > 0;
}

int main(int argc, char **argv)
{
    FuzzCtx x = { .count = 5000, .max_fail = 1 };
    uint64_t ran = 0;
    const char *runners = NULL, *refs_path = NULL;
    bool seeded = false;
    char err[512];
    double t0;
    int opt;

    while ((opt = getopt(argc, argv, "n:s:i:k:r:R:cdtvh")) != -1) {
        switch (opt) {
        case 'n': x.count = g_ascii_strtoull(optarg, NULL, 0); break;
        case 's': x.seed = g_ascii_strtoull(optarg, NULL, 0); seeded = true;
                  break;
        case 'i': x.first = g_ascii_strtoull(optarg, NULL, 0); break;
        case 'k': x.max_fail = strtol(optarg, NULL, 0); break;
        case 'r': runners = optarg; break;
        case 'R': refs_path = optarg; break;
        case 'c': x.coverage = true; break;
        case 'v': x.verbose = true; break;
        case 'd': x.dump = true; break;
        case 't': x.trace = true; break;
        default:
            fprintf(stderr, "usage: %s [-n COUNT] [-s SEED] [-i FIRST] "
                    "[-k MAXFAIL] [-r RUNNERS] [-R REFS] [-c] [-d] [-t] [-v]\n",
                    argv[0]);
            return 2;
        }
    }
    if (!seeded) {
        x.seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ getpid();
    }
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &x.cs) != CS_ERR_OK) {
        fprintf(stderr, "fuzz-diff: cs_open failed\n");
        return 2;
    }
    x.mnemonics = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        NULL);
    if (!i386_oracle_init(&x.oracle, err, sizeof(err))) {
        fprintf(stderr, "fuzz-diff: %s\n", err);
        return 2;
    }
    if (!runners) {
        runners = x.oracle.native ? "native,interp,interp-noopt,jit"
                                  : "interp,interp-noopt,jit";
    }
    if (!setup(&x, runners, argv[0])) {
        return 2;
    }
    if (!refs_setup(&x, refs_path)) {
        return 1;
    }
    if (x.has_native) {
        printf("fuzz-diff: oracle: %s; recorded references: %s\n",
               x.oracle.desc,
               x.refs.count ? x.refs_path : "none for this seed");
    } else {
        printf("fuzz-diff: oracle: recorded references (%s, recorded: %s), "
               "compared with the %s runner\n",
               x.refs_path, x.refs.recorded[0] ? x.refs.recorded : "?",
               x.runners[x.ref].name);
    }
    printf("fuzz-diff: seed %#" PRIx64 ", programs %" PRIu64 "..%" PRIu64
           ", runners %s%s\n", x.seed, x.first, x.first + x.count - 1,
           runners, x.has_native ? "" : " (no native reference)");
    fflush(stdout);
    t0 = now();
    for (uint64_t i = x.first; i < x.first + x.count; i++) {
        GenProg p;
        GenCode c;
        long sig;

        if (x.trace) {
            printf("fuzz-diff: program %" PRIu64 "\n", i);
            fflush(stdout);
        }
        gen_program(&p, fuzz_prog_seed(x.seed, i));
        sig = run_all(&x, &p, NULL, &c);
        ran++;
        x.groups += p.ngroups;
        x.insns += c.nkept;
        x.faulting += p.fault_group >= 0;
        for (int b = 0; b < 12 && c.bytes; b++) {
            x.flag_seen[b] += (flag_mask(&c, x.st[x.ref]) >> b) & 1;
        }
        if (x.coverage && c.bytes) {
            count_mnemonics(&x, &c);
        }
        if (x.dump && c.bytes) {
            dump(&x, &p, &c, i);
        }
        if (x.verbose && (i - x.first) % 10000 == 9999) {
            printf("fuzz-diff: %" PRIu64 " programs, %.1f s\n",
                   i - x.first + 1, now() - t0);
            fflush(stdout);
        }
        if (!sig && c.bytes && (x.refs.count || !x.has_native) &&
            !refs_check(&x, i, &p, &c)) {
            x.ref_failed++;
            x.mismatches++;
            sig = 1;
        } else if (sig) {
            x.mismatches++;
            report(&x, &p, i, sig);
        }
        gen_code_free(&c);
        gen_prog_free(&p);
        if (sig && x.mismatches >= x.max_fail) {
            break;
        }
    }
    printf("fuzz-diff: seed %#" PRIx64 ": %" PRIu64 " programs (%ld groups, "
           "%ld instructions, %ld ending in a fault), %ld mismatch(es), "
           "%.2f s (", x.seed, ran, x.groups, x.insns, x.faulting,
           x.mismatches, now() - t0);
    for (int i = 0; i < x.nrunners; i++) {
        printf("%s%s %.2f s", i ? ", " : "", x.runners[i].name, x.secs[i]);
    }
    printf(")\n");
    if (ran) {
        static const int bits[] = { 0, 2, 4, 6, 7, 11 };
        static const char *const names[] = { "CF", "PF", "AF", "ZF", "SF",
                                             "OF" };

        printf("fuzz-diff: final flags compared (not undefined):");
        for (int b = 0; b < 6; b++) {
            printf(" %s %.0f%%", names[b],
                   100.0 * x.flag_seen[bits[b]] / ran);
        }
        printf("\n");
    }
    if (x.refs.count || !x.has_native) {
        printf("fuzz-diff: %ld program(s) checked against the recorded "
               "references, %ld differ\n",
               x.ref_checked, x.ref_failed);
    }
    if (x.coverage) {
        print_coverage(&x);
    }
    for (int i = 0; i < x.nrunners; i++) {
        fuzz_runner_fini(&x.runners[i]);
        g_free(x.st[i]);
    }
    g_hash_table_destroy(x.mnemonics);
    fuzz_refs_free(&x.refs);
    g_free(x.refs_path);
    i386_oracle_fini(&x.oracle);
    cs_close(&x.cs);
    return x.mismatches ? 1 : 0;
}
