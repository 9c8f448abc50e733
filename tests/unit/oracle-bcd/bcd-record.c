/*
 * Records the BCD table of tests/refs/ (make record-refs RECORD=bcd), or
 * checks a table against this host: every input of the table's layout
 * (bcd.h) runs through the -m32 helper bcd32, on this host or under
 * $I386_RUNNER, never through softvisor.
 *
 * Usage: bcd-record OUT.bin.gz     write the table
 *        bcd-record -c IN.bin.gz   compare IN with the helper's results:
 *                                  AX and the defined flags exactly; the
 *                                  undefined flags that differ are counted
 *                                  (CPU models differ there).  Exit 1 on a
 *                                  difference in a defined result.
 */
#include <gio/gio.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/oracle-bcd/bcd.h"

#define OF 0x800u
#define SZP 0x0c4u
#define AF 0x010u
#define CF 0x001u

/* The flags the SDM defines for each instruction. */
static uint32_t defined_flags(int op)
{
    switch (op) {
    case BCD_DAA:
    case BCD_DAS: return SZP | AF | CF; /* OF undefined */
    case BCD_AAA:
    case BCD_AAS: return AF | CF; /* OF SF ZF PF undefined */
    default: return SZP;          /* AAM AAD: OF AF CF undefined */
    }
}

static bool write_table(const char *path, const BcdOut *out)
{
    GZlibCompressor *z =
        g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
    uint8_t *raw = g_malloc(BCD_TABLE_RECORDS * 4u);
    uint8_t *gz = g_malloc(BCD_TABLE_RECORDS * 4u + 65536);
    gsize rd, wr;
    GError *ge = NULL;
    bool ok;

    for (size_t i = 0; i < BCD_TABLE_RECORDS; i++) {
        raw[4 * i] = out[i].eax & 0xff;
        raw[4 * i + 1] = (out[i].eax >> 8) & 0xff;
        raw[4 * i + 2] = out[i].flags & 0xff;
        raw[4 * i + 3] = (out[i].flags >> 8) & 0xff;
    }
    /* No name or time in the gzip header: the same results give the same
     * file. */
    ok = g_converter_convert(G_CONVERTER(z), raw, BCD_TABLE_RECORDS * 4u, gz,
                             BCD_TABLE_RECORDS * 4u + 65536,
                             G_CONVERTER_INPUT_AT_END, &rd, &wr,
                             &ge) == G_CONVERTER_FINISHED &&
         g_file_set_contents(path, (const char *)gz, wr, &ge);
    if (!ok) {
        fprintf(stderr, "bcd-record: %s: %s\n", path,
                ge ? ge->message : "compression did not finish");
        g_clear_error(&ge);
    }
    g_object_unref(z);
    g_free(raw);
    g_free(gz);
    return ok;
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"daa", "das", "aaa",
                                        "aas", "aam", "aad"};
    bool check = argc == 3 && !strcmp(argv[1], "-c");
    BcdIn *in;
    BcdOut *out;
    BcdOracle *o;
    char err[1024];
    long bad = 0;

    if (argc != 2 && !check) {
        fprintf(stderr, "usage: bcd-record OUT.bin.gz | bcd-record -c "
                        "IN.bin.gz\n");
        return 2;
    }
    /* bcd_oracle_run() looks for bcd32 in oracle-bcd/ beside the test
     * binaries; this tool sits beside bcd32 itself. */
    if (!g_getenv("ORACLE_BCD32")) {
        char *exe = g_file_read_link("/proc/self/exe", NULL);
        char *dir = g_path_get_dirname(exe ? exe : ".");
        char *helper = g_build_filename(dir, "bcd32", NULL);

        g_setenv("ORACLE_BCD32", helper, false);
        g_free(helper);
        g_free(dir);
        g_free(exe);
    }
    o = bcd_oracle_open(err, sizeof(err));
    if (!o || !bcd_oracle_is_native(o)) {
        fprintf(stderr, "bcd-record: %s\n",
                o ? "the oracle is not native: this host cannot run i386 "
                    "binaries (set I386_RUNNER=qemu-i386)"
                  : err);
        return 2;
    }
    in = g_new(BcdIn, BCD_TABLE_RECORDS);
    out = g_new(BcdOut, BCD_TABLE_RECORDS);
    for (size_t i = 0; i < BCD_TABLE_RECORDS; i++) {
        bcd_table_input(i, &in[i]);
    }
    if (!bcd_oracle_run(o, in, BCD_TABLE_RECORDS, out, err, sizeof(err))) {
        fprintf(stderr, "bcd-record: %s\n", err);
        return 2;
    }
    for (size_t i = 0; i < BCD_TABLE_RECORDS; i++) {
        if (out[i].fault) {
            fprintf(stderr, "bcd-record: %s imm %u EAX %#x faulted\n",
                    names[in[i].op], in[i].imm, in[i].eax);
            return 2;
        }
    }
    printf("bcd-record: %u records through %s\n", BCD_TABLE_RECORDS,
           bcd_oracle_describe(o));
    if (!check) {
        return write_table(argv[1], out) ? 0 : 2;
    }

    /* -c: the table at argv[2] against these results. */
    {
        BcdTableRec *t = g_new(BcdTableRec, BCD_TABLE_RECORDS);
        char *data = NULL;
        gsize len = 0;
        GError *ge = NULL;
        GZlibDecompressor *z =
            g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
        uint8_t *raw = g_malloc(BCD_TABLE_RECORDS * 4u);
        gsize rd, wr;
        long undef[6][6] = {{0}};
        static const uint32_t bits[6] = {CF, 0x4, AF, 0x40, 0x80, OF};
        static const char *const bn[6] = {"CF", "PF", "AF", "ZF", "SF", "OF"};

        if (!g_file_get_contents(argv[2], &data, &len, &ge) ||
            g_converter_convert(G_CONVERTER(z), data, len, raw,
                                BCD_TABLE_RECORDS * 4u,
                                G_CONVERTER_INPUT_AT_END, &rd, &wr,
                                &ge) != G_CONVERTER_FINISHED ||
            wr != BCD_TABLE_RECORDS * 4u) {
            fprintf(stderr, "bcd-record: %s: %s\n", argv[2],
                    ge ? ge->message : "not a table of the right size");
            return 2;
        }
        for (size_t i = 0; i < BCD_TABLE_RECORDS; i++) {
            uint32_t def = defined_flags(in[i].op);

            t[i].ax = (uint16_t)(raw[4 * i] | raw[4 * i + 1] << 8);
            t[i].flags = (uint16_t)(raw[4 * i + 2] | raw[4 * i + 3] << 8);
            if (t[i].ax != (out[i].eax & 0xffff) ||
                ((t[i].flags ^ out[i].flags) & def)) {
                if (bad++ < 10) {
                    printf("bcd-record: DIFFERS: %s imm %u AX %#06x flags "
                           "%#05x: table AX %#06x flags %#05x, here AX "
                           "%#06x flags %#05x\n",
                           names[in[i].op], in[i].imm, in[i].eax & 0xffff,
                           in[i].flags, t[i].ax, t[i].flags,
                           out[i].eax & 0xffff, out[i].flags & 0xffff);
                }
            }
            for (int b = 0; b < 6; b++) {
                if ((t[i].flags ^ out[i].flags) & bits[b] & ~def) {
                    undef[in[i].op][b]++;
                }
            }
        }
        printf("bcd-record: %s: %ld records differ in AX or a defined "
               "flag\n",
               argv[2], bad);
        for (int op = 0; op < BCD_NOPS; op++) {
            printf("bcd-record: %s: undefined flags that differ:", names[op]);
            for (int b = 0; b < 6; b++) {
                if (undef[op][b]) {
                    printf(" %s %ld", bn[b], undef[op][b]);
                }
            }
            printf("\n");
        }
        g_free(t);
        g_free(raw);
        g_free(data);
        g_object_unref(z);
    }
    bcd_oracle_close(o);
    g_free(in);
    g_free(out);
    return bad ? 1 : 0;
}
