/*
 * Running records through the -m32 BCD helper (oracle-bcd/bcd32): DAA
 * DAS AAA AAS AAM AAD are invalid in 64-bit mode, so the unit tests that
 * compare them with hardware (test-alu-oracle, test-helpers) go through
 * this.  The helper sits in oracle-bcd/ beside the test binaries
 * ($ORACLE_BCD32 overrides); records go through temporary files.
 */
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/oracle-bcd/bcd.h"

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

/* Run N records through bcd32; false with ERR if it could not. */
bool bcd_run(const BcdIn *in, size_t n, BcdOut *out, char *err,
                    size_t errlen)
{
    char *helper = bcd_helper_path(), *in_path = NULL, *out_path = NULL;
    char *data = NULL;
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
    if (!g_file_set_contents(in_path, (const char *)in, n * sizeof(*in),
                             &ge)) {
        snprintf(err, errlen, "%s: %s", in_path, ge->message);
        goto out;
    }
    char *argv[] = { helper, in_path, out_path, NULL };
    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                      NULL, &status, &ge) ||
        !g_spawn_check_wait_status(status, &ge)) {
        snprintf(err, errlen, "%s (the -m32 helper; make builds it by "
                 "tests/unit/oracle.mk): %s", helper, ge->message);
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
    g_free(data);
    g_free(in_path);
    g_free(out_path);
    g_free(helper);
    return ok;
}
