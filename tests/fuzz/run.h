/*
 * Runners of the differential test: an in-process Machine per backend
 * configuration, and the 32-bit native runner (native32.c) behind a pipe
 * (run-native.h).
 * Each takes a program (its initial state from GenProg, its code from
 * GenCode) and gives back a FuzzState.
 */
#ifndef TESTS_FUZZ_RUN_H
#define TESTS_FUZZ_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/gen.h"
#include "tests/fuzz/run-native.h"
#include "translate/machine.h"

typedef struct FuzzRunner {
    const char *name;
    bool native;
    Machine *m;          /* in-process runners */
    FuzzNative nat;      /* native runner */
    char note[256];      /* what went wrong, for FUZZ_FAULT/TIMEOUT/ERROR */
} FuzzRunner;

bool fuzz_machine_init(FuzzRunner *r, const char *name, MachineAccel accel,
                       bool optimize, char *err, size_t errlen);
void fuzz_machine_run(FuzzRunner *r, const GenProg *p, const GenCode *c,
                      FuzzState *out);

/* Start ARGV (the native runner, after an optional command that runs
 * it, such as qemu-i386) with pipes to and from it. */
bool fuzz_native_init(FuzzRunner *r, char *const *argv, char *err,
                      size_t errlen);
/* Send a program; the native runner works on it while the Machines run. */
bool fuzz_runner_send(FuzzRunner *r, const GenProg *p, const GenCode *c);
/* Its answer to the last program sent. */
void fuzz_runner_recv(FuzzRunner *r, FuzzState *out);

void fuzz_runner_fini(FuzzRunner *r);

#endif
