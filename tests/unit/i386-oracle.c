/*
 * The oracle for 32-bit code in the C tests (i386-oracle.h).
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "tests/unit/i386-oracle.h"

bool i386_oracle_init(I386Oracle *o, char *err, size_t errlen)
{
    const char *force = g_getenv("I386_ORACLE");
    const char *runner = g_getenv("I386_RUNNER");
#ifdef CONFIG_I386_RUNS
    bool runs = true;
#else
    bool runs = false;
#endif

    memset(o, 0, sizeof(*o));
    if (runner && *runner) {
        o->runner = g_strsplit_set(runner, " \t", -1);
    }
    if (!force || !*force) {
        o->native = runs || o->runner;
    } else if (!strcmp(force, "native")) {
        o->native = true;
    } else if (!strcmp(force, "recorded")) {
        o->native = false;
    } else {
        snprintf(err, errlen, "I386_ORACLE=%s: want native or recorded", force);
        return false;
    }
    if (!o->native) {
        snprintf(o->desc, sizeof(o->desc), "recorded references");
    } else if (o->runner) {
        snprintf(o->desc, sizeof(o->desc),
                 "native -m32 under '%s' "
                 "(I386_RUNNER, standing in for the host)",
                 runner);
    } else if (runs) {
        snprintf(o->desc, sizeof(o->desc),
                 "native -m32 (this host runs i386 binaries)");
    } else {
        snprintf(o->desc, sizeof(o->desc),
                 "native -m32 (I386_ORACLE=native, "
                 "although ./configure found that this host does not run "
                 "i386 binaries)");
    }
    return true;
}

void i386_oracle_fini(I386Oracle *o)
{
    g_strfreev(o->runner);
    o->runner = NULL;
}

char **i386_oracle_argv(const I386Oracle *o, const char *prog,
                        const char *const *args)
{
    GPtrArray *a = g_ptr_array_new();

    for (int i = 0; o->runner && o->runner[i]; i++) {
        if (*o->runner[i]) {
            g_ptr_array_add(a, g_strdup(o->runner[i]));
        }
    }
    g_ptr_array_add(a, g_strdup(prog));
    for (int i = 0; args && args[i]; i++) {
        g_ptr_array_add(a, g_strdup(args[i]));
    }
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, false);
}

char *i386_oracle_ref_path(const char *name)
{
    const char *env = g_getenv("REFS_DIR");
    char *exe, *dir, *path;

    if (env) {
        return g_build_filename(env, name, NULL);
    }
    /* tests/unit/test-x or tests/fuzz/test-x: tests/refs/ is ../refs. */
    exe = g_file_read_link("/proc/self/exe", NULL);
    dir = g_path_get_dirname(exe ? exe : "tests/unit/x");
    path = g_build_filename(dir, "..", "refs", name, NULL);
    /* Without the "..", for the log. */
    g_free(dir);
    dir = path;
    path = g_canonicalize_filename(dir, NULL);
    g_free(dir);
    g_free(exe);
    return path;
}

char *i386_oracle_recorded(const char *path)
{
    char *text = NULL, *res = NULL;

    if (g_file_get_contents(path, &text, NULL, NULL)) {
        char **lines = g_strsplit(text, "\n", 16);

        for (int i = 0; lines[i] && !res; i++) {
            if (g_str_has_prefix(lines[i], "# recorded: ")) {
                res = g_strdup(lines[i] + strlen("# recorded: "));
            }
        }
        g_strfreev(lines);
    }
    g_free(text);
    return res ? res : g_strdup_printf("no '# recorded:' line in %s", path);
}
