#!/bin/sh
# Run every guest test program under softvisor and compare it with its
# native twin.
#
# For each tests/guest/progs/NAME.c, tests/guest/build/NAME.native runs on
# the host; then, for each backend in $ACCELS, softvisor runs
# tests/guest/build/NAME.elf.  The guest's stdout (its COM1 output) must be
# byte for byte the native stdout, and softvisor's exit status must be
# (N << 1) | 1 where N is the native exit code (isa-debug-exit).  All
# programs end with 0 when their own self-checks pass, so a nonzero native
# code fails too.  A missing softvisor or a missing image is a failure,
# never a skip.
#
# Environment:
#   ACCELS         backends to run, space-separated (default "jit interp")
#   SOFTVISOR      the binary (default ./softvisor)
#   GUESTS         only these program names (default: all)
#   GUEST_TIMEOUT  seconds per softvisor run (default 300)
#
# Run from anywhere; works from the repository root.

cd "$(dirname "$0")/../.." || exit 1

ACCELS=${ACCELS:-"jit interp"}
SOFTVISOR=${SOFTVISOR:-./softvisor}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-300}
PROGS=tests/guest/progs
BUILD=tests/guest/build

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-guests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
failed_names=""

pass() {
    passed=$((passed + 1))
    echo "PASS $1 [$2] $3"
}

# fail NAME ACCEL REASON [DETAIL-FILE]
fail() {
    failed=$((failed + 1))
    failed_names="$failed_names $1[$2]"
    echo "FAIL $1 [$2] $3"
    if [ -n "${4:-}" ] && [ -s "$4" ]; then
        sed -n '1,15s/^/    /p' "$4"
    fi
}

if [ -n "${GUESTS:-}" ]; then
    names=$GUESTS
else
    names=$(for f in "$PROGS"/*.c; do
        [ -f "$f" ] && basename "$f" .c
    done)
fi
if [ -z "$names" ]; then
    echo "FAIL no guest programs found in $PROGS"
    exit 1
fi

have_softvisor=yes
if [ ! -x "$SOFTVISOR" ]; then
    echo "softvisor binary $SOFTVISOR is missing or not executable" >&2
    have_softvisor=no
fi

for name in $names; do
    native=$BUILD/$name.native
    elf=$BUILD/$name.elf

    if [ ! -x "$native" ] || [ ! -f "$elf" ]; then
        for accel in $ACCELS; do
            fail "$name" "$accel" "missing $native or $elf (make guests)"
        done
        continue
    fi

    timeout -k 10 60 "$native" </dev/null >"$tmp/$name.native.out" \
        2>"$tmp/$name.native.err"
    nstatus=$?
    sum_line=$(grep '^checksum ' "$tmp/$name.native.out" | tail -n 1)
    if [ "$nstatus" -ne 0 ]; then
        for accel in $ACCELS; do
            fail "$name" "$accel" \
                "native build exits $nstatus (self-checks fail or it crashed)" \
                "$tmp/$name.native.out"
        done
        continue
    fi
    want=$(( ((nstatus << 1) | 1) & 255 ))

    for accel in $ACCELS; do
        if [ "$have_softvisor" = no ]; then
            fail "$name" "$accel" "softvisor binary $SOFTVISOR missing"
            continue
        fi
        out=$tmp/$name.$accel.out
        err=$tmp/$name.$accel.err
        timeout -k 10 "$GUEST_TIMEOUT" "$SOFTVISOR" -kernel "$elf" \
            -nographic -accel "$accel" </dev/null >"$out" 2>"$err"
        status=$?

        if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
            fail "$name" "$accel" "timed out after ${GUEST_TIMEOUT}s" "$err"
        elif ! cmp -s "$tmp/$name.native.out" "$out"; then
            diff "$tmp/$name.native.out" "$out" >"$tmp/$name.diff" 2>&1
            cat "$err" >>"$tmp/$name.diff"
            fail "$name" "$accel" \
                "stdout differs (status $status; < native, > guest)" \
                "$tmp/$name.diff"
        elif [ "$status" -ne "$want" ]; then
            fail "$name" "$accel" "exit status $status, want $want" "$err"
        else
            pass "$name" "$accel" "$sum_line"
        fi
    done
done

[ "$failed" -eq 0 ] || echo "failed:$failed_names"
echo "guests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
