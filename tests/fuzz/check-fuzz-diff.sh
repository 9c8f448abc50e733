#!/bin/sh
# make check: 5,000 random programs on every backend and natively
# (tests/fuzz/test-fuzz-diff.c).  FUZZ_SEED picks the seed (default fixed,
# so that check is repeatable; FUZZ_SEED=random for a new one each run);
# FUZZ_N the number of programs.  The seed is printed either way.
#
# The native runner is the oracle where i386 binaries run (tests/oracle.sh);
# it is also checked against the references recorded for the default seed
# (tests/refs/fuzz-SEED.txt).  Where they cannot run, those references are
# the oracle: only the recorded seed and programs can run then, and
# anything else fails.  There, with qemu-i386 installed (config.mk
# QEMU_I386), the first 100 programs also run through the native runner
# under qemu-i386 against the references: the native plumbing, exercised
# (only 100: QEMU deviates from silicon on some rarer forms, such as LOCK
# BT, which raises #UD, and the flags CMPXCHG8B keeps).
cd "$(dirname "$0")/../.." || exit 1
. tests/oracle.sh
oracle_choose || exit 1
# The seed and count whose references make record-refs records.
CHECK_SEED=0x5eed0f022
CHECK_N=5000
seed=${FUZZ_SEED:-$CHECK_SEED}
if [ "$seed" = random ]; then
    seed=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
fi
echo "check-fuzz-diff: seed $seed"
tests/fuzz/test-fuzz-diff -n "${FUZZ_N:-$CHECK_N}" -s "$seed" || exit 1
qemu=$(oracle_config QEMU_I386)
if [ "$I386_ORACLE" = recorded ] && [ -n "$qemu" ] && [ "$seed" = "$CHECK_SEED" ]; then
    echo "check-fuzz-diff: the native plumbing under $qemu (100 programs)"
    I386_RUNNER=$qemu tests/fuzz/test-fuzz-diff -n 100 -s "$seed" \
        -r native,interp || exit 1
fi
