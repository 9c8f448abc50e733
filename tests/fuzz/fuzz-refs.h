/*
 * Recorded references of the differential test (tests/refs/README.md):
 * for each program of one seed, a hash of the program (its code and
 * initial state, to see that the generator still makes the same one) and
 * a hash of the final state the native runner gave, over what the test
 * compares (the flags the SDM leaves undefined taken out).  Where i386
 * binaries cannot run, they stand in for the native runner.  Plain C, no
 * GLib: fuzz-record builds from these with a bare compiler.
 */
#ifndef TESTS_FUZZ_FUZZ_REFS_H
#define TESTS_FUZZ_FUZZ_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/gen.h"

/* The flags compared for a state: the undefined ones at the end or at
 * the faulting instruction are left out. */
uint32_t fuzz_flag_mask(const GenCode *c, const FuzzState *s);

/* FNV-1a (32 bits) of the program: initial registers and flags, code
 * address and bytes, data and stack areas. */
uint32_t fuzz_prog_hash(const GenProg *p, const GenCode *c);
/* ... of a final state, over what state_diff() in test-fuzz-diff.c
 * compares: status, vector and eip of a fault, registers, the flags of
 * fuzz_flag_mask(), data and stack. */
uint32_t fuzz_state_hash(const GenCode *c, const FuzzState *s);

typedef struct FuzzRefs {
    char recorded[1024]; /* the text of its "# recorded:" line */
    uint64_t seed;
    uint32_t count; /* programs 0..count-1 */
    uint32_t *prog, *state;
} FuzzRefs;

/* The file name of the references of SEED (in tests/refs/). */
void fuzz_refs_name(uint64_t seed, char *buf, size_t len);
/* Load PATH; false with ERR if it is missing or malformed. */
bool fuzz_refs_load(FuzzRefs *r, const char *path, char *err, size_t errlen);
void fuzz_refs_free(FuzzRefs *r);

#endif
