/*
 * Records the references of the differential test (fuzz-refs.h) from the
 * native runner: make record-refs RECORD=fuzz.  Never from softvisor.
 * Plain C with no library beyond libc, so that it builds wherever there
 * is silicon to record on.
 *
 * Usage: fuzz-record SEED COUNT RECORDED-TEXT RUNNER [ARGS...]
 *   runs programs 0..COUNT-1 of SEED through RUNNER (tests/fuzz/native32,
 *   or e.g. qemu-i386 tests/fuzz/native32) and prints the file on stdout,
 *   its first line "# recorded: RECORDED-TEXT".  Fails if a program does
 *   not end as the generator meant (a fault where none was meant, or
 *   none where one was), as test-fuzz-diff does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz-refs.h"
#include "tests/fuzz/gen.h"
#include "tests/fuzz/run-native.h"

int main(int argc, char **argv)
{
    FuzzNative nat;
    FuzzState *st = calloc(1, sizeof(*st));
    uint64_t seed;
    unsigned long count;
    char err[512];

    if (argc < 5 || !st) {
        fprintf(stderr, "usage: fuzz-record SEED COUNT RECORDED-TEXT RUNNER "
                        "[ARGS...]\n");
        return 2;
    }
    seed = strtoull(argv[1], NULL, 0);
    count = strtoul(argv[2], NULL, 0);
    if (!fuzz_native_start(&nat, argv + 4, err, sizeof(err))) {
        fprintf(stderr, "fuzz-record: %s\n", err);
        return 2;
    }
    printf("# recorded: %s\n", argv[3]);
    printf("# Programs 0..%lu of the seed: INDEX PROGRAM-HASH STATE-HASH "
           "(tests/fuzz/fuzz-refs.h)\n",
           count - 1);
    printf("seed %#" PRIx64 " count %lu\n", seed, count);
    for (unsigned long i = 0; i < count; i++) {
        GenProg p;
        GenCode c;
        char why[256];
        bool meant_fault;

        gen_program(&p, fuzz_prog_seed(seed, i));
        if (!gen_assemble(&p, NULL, &c, why, sizeof(why))) {
            fprintf(stderr, "fuzz-record: program %lu: generator bug: %s\n", i,
                    why);
            return 2;
        }
        if (!fuzz_native_send(&nat, &p, &c) || !fuzz_native_recv(&nat, st)) {
            fprintf(stderr, "fuzz-record: program %lu: the runner died\n", i);
            return 2;
        }
        meant_fault = p.fault_group >= 0;
        if ((st->status != FUZZ_OK && st->status != FUZZ_FAULT) ||
            (st->status == FUZZ_FAULT) != meant_fault ||
            (meant_fault && st->vector != p.fault_vector)) {
            fprintf(stderr,
                    "fuzz-record: program %lu (test-fuzz-diff -s %#" PRIx64
                    " -i %lu -n 1): status %u vector %u at %#x, but "
                    "the generator meant %s %u\n",
                    i, seed, i, st->status, st->vector, st->eip,
                    meant_fault ? "a fault with vector" : "no fault",
                    meant_fault ? p.fault_vector : 0);
            return 1;
        }
        printf("%lu %08x %08x\n", i, fuzz_prog_hash(&p, &c),
               fuzz_state_hash(&c, st));
        gen_code_free(&c);
        gen_prog_free(&p);
    }
    fuzz_native_stop(&nat);
    free(st);
    return fflush(stdout) == 0 ? 0 : 2;
}
