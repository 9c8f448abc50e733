/*
 * bcd-oracle: runs the host CPU's own DAA, DAS, AAA, AAS, AAM and AAD
 * (which exist only in 32-bit code, hence `gcc -m32`) over every input the
 * unit tests care about and writes what the hardware did, so that
 * tests/unit/test-helpers.c can compare cpu/helper-arith.c with it.
 *
 * Usage: bcd-oracle OP      OP is daa, das, aaa, aas, aam or aad
 *
 * Output (binary, host byte order): one record per case of five uint16_t:
 *   base, AX before, FLAGS before, AX after, FLAGS after
 * where FLAGS holds the low 16 bits of EFLAGS.  Inputs are every AX with
 * every combination of CF and AF, once with OF, SF, ZF and PF clear and
 * once with them set (to see which undefined flags are kept).  AAM and
 * AAD, which read neither CF nor AF, run with all six flags clear and with
 * all six set, for each base in bcd_bases[] (AAM never with 0: #DE).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { OP_DAA, OP_DAS, OP_AAA, OP_AAS, OP_AAM, OP_AAD, OP_COUNT };

static const char *const op_names[OP_COUNT] = {
    "daa", "das", "aaa", "aas", "aam", "aad",
};

/* The immediate is part of the encoding, so each base is its own asm. */
#define BCD_BASES(X) X(10) X(16) X(2) X(7) X(1) X(3) X(0x80) X(0xff) X(0)

static const unsigned bcd_bases[] = {
#define BASE_VALUE(b) b,
    BCD_BASES(BASE_VALUE)
#undef BASE_VALUE
};

#define RUN_FLAGS(insn)                                                        \
    asm volatile("push %1\n\tpopf\n\t" insn "\n\tpushf\n\tpop %1"              \
                 : "+a"(eax), "+r"(flags)                                      \
                 :                                                             \
                 : "cc")

/* Run OP on AX and FLAGS (base for aam/aad); returns 0 if OP/base is not
 * one this program can run. */
static int run(int op, unsigned base, uint32_t *ax, uint32_t *fl)
{
    uint32_t eax = *ax, flags = *fl;

    switch (op) {
    case OP_DAA: RUN_FLAGS("daa"); break;
    case OP_DAS: RUN_FLAGS("das"); break;
    case OP_AAA: RUN_FLAGS("aaa"); break;
    case OP_AAS: RUN_FLAGS("aas"); break;
    case OP_AAM:
        switch (base) {
#define AAM_CASE(b)                                                            \
    case b:                                                                    \
        if (b == 0) {                                                          \
            return 0;                                                          \
        }                                                                      \
        RUN_FLAGS("aam $" #b);                                                 \
        break;
            BCD_BASES(AAM_CASE)
#undef AAM_CASE
        default: return 0;
        }
        break;
    case OP_AAD:
        switch (base) {
#define AAD_CASE(b)                                                            \
    case b: RUN_FLAGS("aad $" #b); break;
            BCD_BASES(AAD_CASE)
#undef AAD_CASE
        default: return 0;
        }
        break;
    default: return 0;
    }
    *ax = eax & 0xffff;
    *fl = flags & 0xffff;
    return 1;
}

int main(int argc, char **argv)
{
    int op;
    unsigned nbases, nflags, b, ax, f;
    /* CF, AF, and the other four arithmetic flags as a group; the last
     * two entries are the ones AAM and AAD use. */
    static const uint16_t flag_inputs[] = {
        0x003, 0x012, 0x013, 0x8c6, 0x8c7, 0x8d6, 0x002, 0x8d7,
    };

    if (argc != 2) {
        fprintf(stderr, "usage: %s daa|das|aaa|aas|aam|aad\n", argv[0]);
        return 2;
    }
    for (op = 0; op < OP_COUNT && strcmp(argv[1], op_names[op]); op++) {
    }
    if (op == OP_COUNT) {
        fprintf(stderr, "%s: unknown op %s\n", argv[0], argv[1]);
        return 2;
    }
    nbases = 1;
    nflags = sizeof(flag_inputs) / sizeof(flag_inputs[0]);
    if (op == OP_AAM || op == OP_AAD) {
        nbases = sizeof(bcd_bases) / sizeof(bcd_bases[0]);
        nflags = 2;
    }
    for (b = 0; b < nbases; b++) {
        unsigned base = op == OP_AAM || op == OP_AAD ? bcd_bases[b] : 0;

        for (ax = 0; ax < 0x10000; ax++) {
            for (f = 0; f < nflags; f++) {
                unsigned fi =
                    sizeof(flag_inputs) / sizeof(flag_inputs[0]) - nflags + f;
                uint32_t out_ax = ax, out_fl = flag_inputs[fi];
                uint16_t rec[5];

                if (!run(op, base, &out_ax, &out_fl)) {
                    continue;
                }
                rec[0] = base;
                rec[1] = ax;
                rec[2] = flag_inputs[fi];
                rec[3] = out_ax;
                rec[4] = out_fl;
                if (fwrite(rec, sizeof(rec), 1, stdout) != 1) {
                    return 1;
                }
            }
        }
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
