/*
 * The native runner of the differential test (native32.c) behind a pipe,
 * started through an optional command prefix (qemu-i386 standing in for
 * the host).  Plain C, no GLib: fuzz-record uses it too.
 */
#ifndef TESTS_FUZZ_RUN_NATIVE_H
#define TESTS_FUZZ_RUN_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/gen.h"

typedef struct FuzzNative {
    pid_t pid;
    int to_fd, from_fd;
} FuzzNative;

/* Start ARGV (the runner, or a prefix and the runner; ARGV[0] searched
 * in PATH) with pipes to and from it. */
bool fuzz_native_start(FuzzNative *n, char *const *argv, char *err,
                       size_t errlen);
/* Send a program; the runner works on it while the caller goes on. */
bool fuzz_native_send(FuzzNative *n, const GenProg *p, const GenCode *c);
/* Its answer to the last program sent; false if the runner died. */
bool fuzz_native_recv(FuzzNative *n, FuzzState *out);
void fuzz_native_stop(FuzzNative *n);

#endif
