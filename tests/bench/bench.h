/*
 * Shared by the benchmark guests (tests/bench/progs/).  They are built
 * against the tests/guest runtime (rt.h): the same source runs as a
 * multiboot guest and as a native Linux -m32 program, and both print the
 * same "checksum NAME XXXXXXXX" line, which run-bench.sh compares.
 *
 * Each workload repeats a kernel of integer work enough times to run for
 * a few seconds under qemu-system-i386 TCG; the repeat counts are the
 * *_ITERS macros at the top of each program.
 */
#ifndef BENCH_H
#define BENCH_H

#include "rt.h"

/*
 * Makes x opaque to the optimizer: the value must be materialized in a
 * register here and may have changed afterwards, so gcc can neither hoist
 * work out of a repeat loop nor fold the whole loop away.
 */
#define OPAQUE(x) __asm__ volatile("" : "+r"(x))

/* A memory clobber: stores before it must happen, loads after it reload. */
#define BARRIER() __asm__ volatile("" : : : "memory")

#endif /* BENCH_H */
