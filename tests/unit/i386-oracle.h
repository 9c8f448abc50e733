/*
 * Which oracle stands for the host CPU in 32-bit mode, for the C tests:
 * the same choice as tests/oracle.sh makes for the scripts.
 *
 *   native    the -m32 helpers run on this host (./configure found that
 *             i386 binaries run: CONFIG_I386_RUNS), or through the command
 *             in $I386_RUNNER (qemu-i386, standing in for the host);
 *   recorded  they cannot: the references in tests/refs/ answer.
 *
 * $I386_ORACLE=native|recorded forces one.  The references are found
 * beside the test binary (tests/refs/, two levels up from tests/unit/ or
 * tests/fuzz/); $REFS_DIR overrides.
 */
#ifndef TESTS_UNIT_I386_ORACLE_H
#define TESTS_UNIT_I386_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct I386Oracle {
    bool native;    /* else: recorded references */
    char **runner;  /* $I386_RUNNER split into words, or NULL */
    char desc[256]; /* how the oracle runs, for the log */
} I386Oracle;

/* Choose; false with ERR if the environment asks for something unknown. */
bool i386_oracle_init(I386Oracle *o, char *err, size_t errlen);
void i386_oracle_fini(I386Oracle *o);

/* The argv that runs the i386 program PROG with ARGS (NULL-terminated)
 * under the oracle's runner, if any; g_strfreev() it. */
char **i386_oracle_argv(const I386Oracle *o, const char *prog,
                        const char *const *args);

/* The path of the reference NAME in tests/refs/; g_free() it. */
char *i386_oracle_ref_path(const char *name);

/* The text after "# recorded: " in the first lines of the reference file
 * PATH (a text file, or NAME.txt beside a binary one), or a note that
 * there is none; g_free() it. */
char *i386_oracle_recorded(const char *path);

#endif
