#!/bin/sh
# Run every guest test program under softvisor and compare it with its
# native twin, or with the native twin's recorded output.
#
# For each tests/guest/progs/NAME.c, the oracle gives the expected stdout
# and exit code N (tests/oracle.sh says which oracle):
#   native    tests/guest/build/NAME.native runs on the host (or under
#             $I386_RUNNER); its output must also equal the recorded
#             reference tests/refs/guest/NAME.out, and the reference must
#             have been recorded from the current sources (MANIFEST), so
#             that references cannot go stale unnoticed ("[ref]" lines);
#   recorded  the host cannot run i386 binaries: the reference is the
#             oracle.  A missing or stale reference is a failure.
# Then, for each backend in $ACCELS, softvisor runs
# tests/guest/build/NAME.elf.  The guest's stdout (its COM1 output) must be
# byte for byte the expected stdout, and softvisor's exit status must be
# (N << 1) | 1 (isa-debug-exit).  All programs end with 0 when their own
# self-checks pass, so a nonzero native code fails too.  A missing
# softvisor or a missing image is a failure, never a skip.
#
# With recorded references and qemu-i386 installed (config.mk QEMU_I386),
# hello's native twin also runs under qemu-i386 against its reference: the
# native plumbing, exercised where the host cannot run it.
#
# Environment:
#   ACCELS         backends to run, space-separated (default "jit interp")
#   SOFTVISOR      the binary (default ./softvisor)
#   GUESTS         only these program names (default: all)
#   GUEST_TIMEOUT  seconds per softvisor run (default 300)
#   I386_ORACLE, I386_RUNNER   see tests/oracle.sh
#
# Run from anywhere; works from the repository root.

cd "$(dirname "$0")/../.." || exit 1
. tests/oracle.sh
oracle_choose || exit 1

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

REF_DIR=$REFS/guest
MANIFEST=$REF_DIR/MANIFEST
if [ "$I386_ORACLE" = recorded ]; then
    I386_ORACLE_DESC="$I386_ORACLE_DESC ($REF_DIR, recorded: $(ref_recorded "$MANIFEST"))"
fi
echo "check-guests: oracle: $I386_ORACLE_DESC"

# ref_problem NAME: sets problem to why the recorded reference of NAME
# cannot serve (empty if it can), and ref_status to its recorded exit code.
ref_problem() {
    line=$(grep "^$1 " "$MANIFEST" 2>/dev/null | tail -n 1)
    ref_status=$(echo "$line" | cut -d' ' -f2)
    problem=
    if [ -z "$line" ] || [ ! -f "$REF_DIR/$1.out" ]; then
        problem="no recorded reference $REF_DIR/$1.out in $MANIFEST (make record-refs)"
    elif [ "$(echo "$line" | cut -d' ' -f3)" != \
           "$(oracle_hash $(guest_sources "$1"))" ]; then
        problem="stale reference: $REF_DIR/$1.out was recorded from other sources than tests/guest/progs/$1.c and tests/guest/lib/ (make record-refs on a host that runs i386 binaries, or with I386_RUNNER=qemu-i386)"
    fi
}

# native_run NAME RUNNER...: run NAME's native twin; the output in
# $tmp/NAME.native.out, the status in $nstatus.
native_run() {
    n=$1
    shift
    timeout -k 10 60 "$@" "$BUILD/$n.native" </dev/null \
        >"$tmp/$n.native.out" 2>"$tmp/$n.native.err"
    nstatus=$?
}

# ref_check NAME LABEL: the native output against the reference.
ref_check() {
    ref_problem "$1"
    if [ -n "$problem" ]; then
        fail "$1" "$2" "$problem"
    elif ! cmp -s "$REF_DIR/$1.out" "$tmp/$1.native.out"; then
        diff "$REF_DIR/$1.out" "$tmp/$1.native.out" >"$tmp/$1.ref.diff" 2>&1
        fail "$1" "$2" "stale reference: $REF_DIR/$1.out differs from the native output (< reference, > native; make record-refs)" \
            "$tmp/$1.ref.diff"
    elif [ "$ref_status" != "$nstatus" ]; then
        fail "$1" "$2" "stale reference: exit code $ref_status recorded, native $nstatus (make record-refs)"
    else
        pass "$1" "$2" "the recorded reference equals the native output"
    fi
}

for name in $names; do
    native=$BUILD/$name.native
    elf=$BUILD/$name.elf

    if { [ "$I386_ORACLE" = native ] && [ ! -x "$native" ]; } ||
        [ ! -f "$elf" ]; then
        for accel in $ACCELS; do
            fail "$name" "$accel" "missing $native or $elf (make guests)"
        done
        continue
    fi

    if [ "$I386_ORACLE" = native ]; then
        # shellcheck disable=SC2086
        native_run "$name" $I386_RUN
        if [ "$nstatus" -ne 0 ]; then
            for accel in $ACCELS; do
                fail "$name" "$accel" \
                    "native build exits $nstatus (self-checks fail or it crashed)" \
                    "$tmp/$name.native.out"
            done
            continue
        fi
        ref_check "$name" ref
        expect=$tmp/$name.native.out
    else
        ref_problem "$name"
        if [ -n "$problem" ]; then
            for accel in $ACCELS; do
                fail "$name" "$accel" "$problem"
            done
            continue
        fi
        nstatus=$ref_status
        expect=$REF_DIR/$name.out
    fi
    sum_line=$(grep '^checksum ' "$expect" | tail -n 1)
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
        elif ! cmp -s "$expect" "$out"; then
            diff "$expect" "$out" >"$tmp/$name.diff" 2>&1
            cat "$err" >>"$tmp/$name.diff"
            fail "$name" "$accel" \
                "stdout differs (status $status; < $I386_ORACLE, > guest)" \
                "$tmp/$name.diff"
        elif [ "$status" -ne "$want" ]; then
            fail "$name" "$accel" "exit status $status, want $want" "$err"
        else
            pass "$name" "$accel" "$sum_line"
        fi
    done
done

# The native plumbing where the host cannot run it: hello's twin under
# qemu-i386, against its reference.
qemu=$(oracle_config QEMU_I386)
if [ "$I386_ORACLE" = recorded ] && [ -n "$qemu" ] &&
    echo $names | tr ' ' '\n' | grep -qx hello; then
    if [ ! -x "$BUILD/hello.native" ]; then
        fail hello qemu-i386 "missing $BUILD/hello.native (make guests)"
    else
        native_run hello "$qemu"
        ref_check hello qemu-i386
    fi
fi

[ "$failed" -eq 0 ] || echo "failed:$failed_names"
echo "guests: $passed passed, $failed failed (oracle: $I386_ORACLE)"
[ "$failed" -eq 0 ]
