#!/bin/sh
# make check: 5,000 random programs on every backend and natively
# (tests/fuzz/test-fuzz-diff.c).  FUZZ_SEED picks the seed (default fixed,
# so that check is repeatable; FUZZ_SEED=random for a new one each run);
# FUZZ_N the number of programs.  The seed is printed either way.
cd "$(dirname "$0")/../.." || exit 1
seed=${FUZZ_SEED:-0x5eed0f022}
if [ "$seed" = random ]; then
    seed=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
fi
echo "check-fuzz-diff: seed $seed"
exec tests/fuzz/test-fuzz-diff -n "${FUZZ_N:-5000}" -s "$seed"
