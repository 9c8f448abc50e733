#!/bin/sh
# Run every test of `make check`: each Check unit-test program in
# tests/unit/ and each test script tests/*/check-*.sh.  Each one is a test
# case here: it passes when it exits 0.  Ends with the summary line
# "N passed, N failed" and a non-zero status if anything failed.
# TESTS="name ..." runs a subset.

cd "$(dirname "$0")/.." || exit 1
# Which oracle the groups that compare with 32-bit code use (each says so
# again): tests/oracle.sh, tests/refs/README.md.
. tests/oracle.sh
if oracle_choose; then
    echo "check: i386 binaries run here: $(oracle_config I386_RUNS) (./configure);" \
        "32-bit oracle: $I386_ORACLE_DESC"
fi
passed=0
failed=0
failed_names=""

run() {
    name=$1
    shift
    echo "=== $name"
    if "$@"; then
        passed=$((passed + 1))
        echo "--- PASS $name"
    else
        failed=$((failed + 1))
        failed_names="$failed_names $name"
        echo "--- FAIL $name"
    fi
}

for t in tests/unit/test-*; do
    case "$t" in *.c | *.o | *.d) continue ;; esac
    [ -x "$t" ] || continue
    name=unit/$(basename "$t")
    if [ -n "${TESTS:-}" ] && ! echo " $TESTS " | grep -q " $(basename "$t") "; then continue; fi
    run "$name" "$t"
done
for s in tests/*/check-*.sh; do
    [ -f "$s" ] || continue
    if [ -n "${TESTS:-}" ] && ! echo " $TESTS " | grep -q " $(basename "$s" .sh) "; then continue; fi
    run "$s" sh "$s"
done

[ "$failed" = 0 ] || echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
