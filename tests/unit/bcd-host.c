/*
 * The oracle for DAA DAS AAA AAS AAM AAD (bcd.h), which 64-bit mode does
 * not have: the -m32 helper oracle-bcd/bcd32 where i386 binaries run (or
 * under $I386_RUNNER), else the table recorded from it on silicon
 * (tests/refs/bcd-table.bin.gz).  The unit tests that compare these
 * instructions with hardware (test-alu-oracle, test-helpers) go through
 * this.  The helper sits in oracle-bcd/ beside the test binaries
 * ($ORACLE_BCD32 overrides); records go through temporary files.
 */
#include <gio/gio.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/i386-oracle.h"
#include "tests/unit/oracle-bcd/bcd.h"

struct BcdOracle {
    I386Oracle i386;
    char *table_path;
    BcdTableRec *table; /* loaded on first use */
    char desc[1024];
};

/* ---- the table's layout ---- */

void bcd_table_input(size_t i, BcdIn *in)
{
    memset(in, 0, sizeof(*in));
    if (i < BCD_TABLE_AAM_FIRST) {
        size_t k = i % BCD_TABLE_NFLAGS, al = i / BCD_TABLE_NFLAGS % 256;
        size_t h = i / (BCD_TABLE_NFLAGS * 256) % BCD_TABLE_NAH;

        in->op = (uint8_t)(i / BCD_TABLE_ADJ_RECORDS);
        in->eax = (uint32_t)BCD_TABLE_AH[h] << 8 | (uint32_t)al;
        in->flags = BCD_TABLE_FLAGS[k] | 0x2;
    } else if (i < BCD_TABLE_AAD_FIRST) {
        size_t j = i - BCD_TABLE_AAM_FIRST;

        in->op = BCD_AAM;
        in->flags = BCD_TABLE_MUL_FLAGS[j % BCD_TABLE_NMUL_FLAGS] | 0x2;
        in->eax =
            BCD_TABLE_AAM_AH << 8 | (uint32_t)(j / BCD_TABLE_NMUL_FLAGS % 256);
        in->imm = (uint8_t)(1 + j / (BCD_TABLE_NMUL_FLAGS * 256));
    } else {
        size_t j = i - BCD_TABLE_AAD_FIRST;

        in->op = BCD_AAD;
        in->flags = BCD_TABLE_MUL_FLAGS[j % BCD_TABLE_NMUL_FLAGS] | 0x2;
        in->eax = (uint32_t)(j / BCD_TABLE_NMUL_FLAGS % 65536);
        in->imm = BCD_TABLE_AAD_IMMS[j / (BCD_TABLE_NMUL_FLAGS * 65536)];
    }
}

void bcd_table_range(int op, size_t *first, size_t *count)
{
    if (op < BCD_AAM) {
        *first = (size_t)op * BCD_TABLE_ADJ_RECORDS;
        *count = BCD_TABLE_ADJ_RECORDS;
    } else if (op == BCD_AAM) {
        *first = BCD_TABLE_AAM_FIRST;
        *count = BCD_TABLE_AAD_FIRST - BCD_TABLE_AAM_FIRST;
    } else {
        *first = BCD_TABLE_AAD_FIRST;
        *count = BCD_TABLE_RECORDS - BCD_TABLE_AAD_FIRST;
    }
}

/* The index of V in the N values of LIST (compared under MASK), or -1. */
static int find_value(const uint16_t *list, int n, uint32_t v, uint32_t mask)
{
    for (int i = 0; i < n; i++) {
        if (((list[i] ^ v) & mask) == 0) {
            return i;
        }
    }
    return -1;
}

bool bcd_table_lookup(const BcdTableRec *table, const BcdIn *in, BcdOut *out)
{
    uint32_t al = in->eax & 0xff, ah = (in->eax >> 8) & 0xff;
    size_t i;
    int k, h = -1;

    /* Beyond bit 1 and the six keyed flags, the records saw nothing set. */
    if (in->flags & ~(BCD_TABLE_KEY_FLAGS | 0x22u)) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    switch (in->op) {
    case BCD_DAA:
    case BCD_DAS:
    case BCD_AAA:
    case BCD_AAS:
        for (int j = 0; j < BCD_TABLE_NAH; j++) {
            h = BCD_TABLE_AH[j] == ah ? j : h;
        }
        k = find_value(BCD_TABLE_FLAGS, BCD_TABLE_NFLAGS, in->flags,
                       BCD_TABLE_KEY_FLAGS);
        if (h < 0 || k < 0) {
            return false;
        }
        i = (((size_t)in->op * BCD_TABLE_NAH + h) * 256 + al) *
                BCD_TABLE_NFLAGS +
            k;
        break;
    case BCD_AAM:
        if (in->imm == 0) {
            /* SDM Vol. 2A AAM: "#DE If an immediate value of 0 is used";
             * a fault changes nothing (the table's README says it was
             * seen so). */
            out->eax = in->eax;
            out->flags = in->flags;
            out->fault = 1;
            return true;
        }
        k = find_value(BCD_TABLE_MUL_FLAGS, BCD_TABLE_NMUL_FLAGS, in->flags,
                       BCD_TABLE_KEY_FLAGS);
        if (k < 0 || ah != BCD_TABLE_AAM_AH) {
            return false;
        }
        i = BCD_TABLE_AAM_FIRST +
            ((size_t)(in->imm - 1) * 256 + al) * BCD_TABLE_NMUL_FLAGS + k;
        break;
    case BCD_AAD:
        for (int j = 0; j < BCD_TABLE_NAAD; j++) {
            h = BCD_TABLE_AAD_IMMS[j] == in->imm ? j : h;
        }
        k = find_value(BCD_TABLE_MUL_FLAGS, BCD_TABLE_NMUL_FLAGS, in->flags,
                       BCD_TABLE_KEY_FLAGS);
        if (h < 0 || k < 0) {
            return false;
        }
        i = BCD_TABLE_AAD_FIRST +
            ((size_t)h * 65536 + (in->eax & 0xffff)) * BCD_TABLE_NMUL_FLAGS + k;
        break;
    default: return false;
    }
    /* The table holds AX; the instructions write AL and AH only (SDM Vol.
     * 2A, each instruction's Operation). */
    out->eax = (in->eax & 0xffff0000u) | table[i].ax;
    out->flags = table[i].flags;
    return true;
}

/* ---- the oracle ---- */

static char *bcd_helper_path(void)
{
    const char *env = g_getenv("ORACLE_BCD32");
    char *exe, *dir, *path;

    if (env) {
        return g_strdup(env);
    }
    exe = g_file_read_link("/proc/self/exe", NULL);
    dir = g_path_get_dirname(exe ? exe : ".");
    path = g_build_filename(dir, "oracle-bcd", "bcd32", NULL);
    g_free(dir);
    g_free(exe);
    return path;
}

BcdOracle *bcd_oracle_open(char *err, size_t errlen)
{
    BcdOracle *o = g_new0(BcdOracle, 1);

    if (!i386_oracle_init(&o->i386, err, errlen)) {
        g_free(o);
        return NULL;
    }
    o->table_path = i386_oracle_ref_path("bcd-table.bin.gz");
    if (o->i386.native) {
        snprintf(o->desc, sizeof(o->desc), "%s", o->i386.desc);
    } else {
        char *rec = bcd_oracle_table_recorded(o);

        snprintf(o->desc, sizeof(o->desc), "%s (%s, recorded: %s)",
                 o->i386.desc, o->table_path, rec);
        g_free(rec);
    }
    return o;
}

void bcd_oracle_close(BcdOracle *o)
{
    if (o) {
        i386_oracle_fini(&o->i386);
        g_free(o->table_path);
        g_free(o->table);
        g_free(o);
    }
}

const char *bcd_oracle_describe(const BcdOracle *o)
{
    return o->desc;
}

bool bcd_oracle_is_native(const BcdOracle *o)
{
    return o->i386.native;
}

const char *bcd_oracle_table_path(const BcdOracle *o)
{
    return o->table_path;
}

char *bcd_oracle_table_recorded(const BcdOracle *o)
{
    /* bcd-table.bin.gz: the text is in bcd-table.txt beside it. */
    char *txt =
        g_strndup(o->table_path, strlen(o->table_path) - strlen(".bin.gz"));
    char *path = g_strconcat(txt, ".txt", NULL);
    char *rec = i386_oracle_recorded(path);

    g_free(path);
    g_free(txt);
    return rec;
}

/* Read the whole gzip file PATH through GIO's decompressor. */
static GBytes *read_gzip(const char *path, GError **ge)
{
    GFile *f = g_file_new_for_path(path);
    GFileInputStream *raw = g_file_read(f, NULL, ge);
    GZlibDecompressor *dec;
    GInputStream *in;
    GOutputStream *mem;
    GBytes *res = NULL;

    g_object_unref(f);
    if (!raw) {
        return NULL;
    }
    dec = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
    in = g_converter_input_stream_new(G_INPUT_STREAM(raw), G_CONVERTER(dec));
    mem = g_memory_output_stream_new_resizable();
    if (g_output_stream_splice(mem, in,
                               G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                   G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                               NULL, ge) >= 0) {
        res =
            g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(mem));
    }
    g_object_unref(mem);
    g_object_unref(in);
    g_object_unref(dec);
    g_object_unref(raw);
    return res;
}

const BcdTableRec *bcd_oracle_table(BcdOracle *o, char *err, size_t errlen)
{
    GError *ge = NULL;
    GBytes *b;
    const uint8_t *p;
    gsize len;

    if (o->table) {
        return o->table;
    }
    b = read_gzip(o->table_path, &ge);
    if (!b) {
        snprintf(err, errlen,
                 "the recorded BCD table %s: %s (make "
                 "record-refs RECORD=bcd)",
                 o->table_path, ge->message);
        g_error_free(ge);
        return NULL;
    }
    p = g_bytes_get_data(b, &len);
    if (len != BCD_TABLE_RECORDS * 4u) {
        snprintf(err, errlen,
                 "the recorded BCD table %s: %zu bytes, want "
                 "%u (tests/refs/README.md)",
                 o->table_path, (size_t)len, BCD_TABLE_RECORDS * 4u);
        g_bytes_unref(b);
        return NULL;
    }
    /* Little-endian on disk, whatever the host. */
    o->table = g_new(BcdTableRec, BCD_TABLE_RECORDS);
    for (size_t i = 0; i < BCD_TABLE_RECORDS; i++) {
        o->table[i].ax = (uint16_t)(p[4 * i] | p[4 * i + 1] << 8);
        o->table[i].flags = (uint16_t)(p[4 * i + 2] | p[4 * i + 3] << 8);
    }
    g_bytes_unref(b);
    return o->table;
}

/* Run N records through bcd32; false with ERR if it could not. */
static bool run_native(const BcdOracle *o, const BcdIn *in, size_t n,
                       BcdOut *out, char *err, size_t errlen)
{
    char *helper = bcd_helper_path(), *in_path = NULL, *out_path = NULL;
    char *data = NULL, **argv = NULL;
    gsize len = 0;
    GError *ge = NULL;
    int fd, status = -1;
    bool ok = false;

    fd = g_file_open_tmp("oracle-bcd-in-XXXXXX", &in_path, &ge);
    if (fd < 0) {
        snprintf(err, errlen, "temp file: %s", ge->message);
        goto out;
    }
    close(fd);
    fd = g_file_open_tmp("oracle-bcd-out-XXXXXX", &out_path, &ge);
    if (fd < 0) {
        snprintf(err, errlen, "temp file: %s", ge->message);
        goto out;
    }
    close(fd);
    if (!g_file_set_contents(in_path, (const char *)in, n * sizeof(*in), &ge)) {
        snprintf(err, errlen, "%s: %s", in_path, ge->message);
        goto out;
    }
    argv = i386_oracle_argv(&o->i386, helper,
                            (const char *const[]){in_path, out_path, NULL});
    /* G_SPAWN_SEARCH_PATH for a runner named without its directory.  (On
     * "Exec format error" GLib retries the file as a shell script, which
     * then fails too.) */
    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                      NULL, &status, &ge) ||
        !g_spawn_check_wait_status(status, &ge)) {
        snprintf(err, errlen,
                 "%s (the -m32 helper; make builds it by "
                 "tests/unit/oracle.mk; oracle: %s): %s",
                 helper, o->i386.desc, ge->message);
        goto out;
    }
    if (!g_file_get_contents(out_path, &data, &len, &ge) ||
        len != n * sizeof(*out)) {
        snprintf(err, errlen, "%s: %s", out_path,
                 ge ? ge->message : "short output");
        goto out;
    }
    memcpy(out, data, len);
    ok = true;
out:
    if (in_path) {
        unlink(in_path);
    }
    if (out_path) {
        unlink(out_path);
    }
    g_clear_error(&ge);
    g_strfreev(argv);
    g_free(data);
    g_free(in_path);
    g_free(out_path);
    g_free(helper);
    return ok;
}

bool bcd_oracle_run(BcdOracle *o, const BcdIn *in, size_t n, BcdOut *out,
                    char *err, size_t errlen)
{
    static const char *const names[] = {"daa", "das", "aaa",
                                        "aas", "aam", "aad"};
    const BcdTableRec *t;

    if (o->i386.native) {
        return run_native(o, in, n, out, err, errlen);
    }
    t = bcd_oracle_table(o, err, errlen);
    if (!t) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!bcd_table_lookup(t, &in[i], &out[i])) {
            snprintf(err, errlen,
                     "the recorded BCD table %s has no record "
                     "of %s imm %u, EAX %#010x, EFLAGS %#x (a test must ask "
                     "only what it holds: tests/refs/README.md)",
                     o->table_path, in[i].op < BCD_NOPS ? names[in[i].op] : "?",
                     in[i].imm, in[i].eax, in[i].flags);
            return false;
        }
    }
    return true;
}
