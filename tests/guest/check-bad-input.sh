#!/bin/sh
# softvisor on kernels it must refuse, and on guests that must fault.
#
# Bad -kernel files (a missing file, an empty file, a truncated ELF, an ELF
# without a multiboot header, random bytes, a multiboot header with a bad
# checksum): softvisor must exit with status 1 and print exactly one line
# on stderr, naming the file.
#
# Host files that are not regular files (a FIFO, a directory) given to
# -kernel, -initrd, -config, -serial file:, -D or -sched-report: status
# 1, one line saying so, and no blocking on the FIFO.
#
# Guests from tests/guest/progs-fault/, for each backend in $ACCELS:
#   ud      executes ud2: status 2, its line on stdout, a report on stderr
#           with "#UD" and eip = the address of the symbol ud2_insn
#   de      divides by zero: the same with "#DE" and div_insn
#   exit42  ends through isa-debug-exit with 42: status 85
#
# Environment: ACCELS (default "jit interp"), SOFTVISOR (default ./softvisor).

cd "$(dirname "$0")/../.." || exit 1

ACCELS=${ACCELS:-"jit interp"}
SOFTVISOR=${SOFTVISOR:-./softvisor}
BUILD=tests/guest/build
FAULT=$BUILD/fault

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-bad-input.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
failed_names=""

pass() {
    passed=$((passed + 1))
    echo "PASS $1"
}

# fail NAME REASON [DETAIL-FILE...]
fail() {
    failed=$((failed + 1))
    failed_names="$failed_names $1"
    echo "FAIL $1: $2"
    shift 2
    for f in "$@"; do
        [ -s "$f" ] && sed -n '1,10s/^/    /p' "$f"
    done
}

if [ ! -x "$SOFTVISOR" ]; then
    echo "FAIL softvisor binary $SOFTVISOR is missing or not executable"
    exit 1
fi
for f in "$BUILD/hello.elf" "$BUILD/hello.native" "$FAULT/bad-checksum.elf" \
         "$FAULT/ud.elf" "$FAULT/de.elf" "$FAULT/exit42.elf"; do
    if [ ! -f "$f" ]; then
        echo "FAIL missing $f (make guests)"
        exit 1
    fi
done

# ---- kernels that must be refused ----

# Distinct names, so the error line can be matched to its file.
missing=$tmp/missing-kernel.elf
empty=$tmp/empty-kernel.elf
truncated=$tmp/truncated-kernel.elf
native=$tmp/native-kernel.elf
random=$tmp/random-kernel.bin
badsum=$tmp/badsum-kernel.elf

: >"$empty"
head -c 100 "$BUILD/hello.elf" >"$truncated"
cp "$BUILD/hello.native" "$native"
head -c 16384 /dev/urandom >"$random"
cp "$FAULT/bad-checksum.elf" "$badsum"

for kernel in "$missing" "$empty" "$truncated" "$native" "$random" "$badsum"; do
    base=$(basename "$kernel")
    name="bad-input/$base"
    timeout -k 10 60 "$SOFTVISOR" -kernel "$kernel" -nographic \
        </dev/null >"$tmp/out" 2>"$tmp/err"
    status=$?
    lines=$(wc -l <"$tmp/err" | tr -d ' ')
    if [ "$status" -ne 1 ]; then
        fail "$name" "exit status $status, want 1" "$tmp/err"
    elif [ "$lines" -ne 1 ]; then
        fail "$name" "$lines lines on stderr, want exactly 1" "$tmp/err"
    elif ! grep -qF -- "$base" "$tmp/err"; then
        fail "$name" "the stderr line does not name the file" "$tmp/err"
    else
        pass "$name: $(cat "$tmp/err")"
    fi
done

# ---- host files that are not regular files ----

# A FIFO where softvisor expects a file must not block the process at
# open() (nobody writes or reads the other end): one line naming it,
# status 1, well before the timeout.
fifo=$tmp/a-fifo
mkfifo "$fifo"
for args in "-kernel $fifo" "-kernel $BUILD/hello.elf -initrd $fifo" \
            "-config $fifo" "-serial file:$fifo" "-D $fifo" \
            "-sched-report $fifo" "-kernel $tmp"; do
    name="not-a-file/$(echo "$args" |
        sed "s|$fifo|FIFO|g; s|$tmp|DIR|g; s|$BUILD/||g; s/ /_/g")"
    # shellcheck disable=SC2086
    timeout -k 5 20 "$SOFTVISOR" $args -nographic </dev/null \
        >"$tmp/out" 2>"$tmp/err"
    status=$?
    lines=$(wc -l <"$tmp/err" | tr -d ' ')
    if [ "$status" -ne 1 ]; then
        fail "$name" "exit status $status, want 1 (124: it blocked)" "$tmp/err"
    elif [ "$lines" -ne 1 ]; then
        fail "$name" "$lines lines on stderr, want exactly 1" "$tmp/err"
    elif ! grep -q "not a regular file" "$tmp/err"; then
        fail "$name" "the line does not say what is wrong" "$tmp/err"
    else
        pass "$name: $(cat "$tmp/err")"
    fi
done

# ---- guests that fault or exit with a code ----

# The address of a symbol, without leading zeros, in lower case.
symbol_addr() {
    nm "$1" 2>/dev/null |
        awk -v s="$2" '$3 == s { sub(/^0+/, "", $1); print tolower($1) }'
}

# fault_guest NAME EXCEPTION SYMBOL EXPECTED-STDOUT-LINE
fault_guest() {
    elf=$FAULT/$1.elf
    addr=$(symbol_addr "$elf" "$3")
    for accel in $ACCELS; do
        name="fault/$1[$accel]"
        if [ -z "$addr" ]; then
            fail "$name" "no symbol $3 in $elf (is nm installed?)"
            continue
        fi
        timeout -k 10 60 "$SOFTVISOR" -kernel "$elf" -nographic \
            -accel "$accel" </dev/null >"$tmp/out" 2>"$tmp/err"
        status=$?
        if [ "$status" -ne 2 ]; then
            fail "$name" "exit status $status, want 2" "$tmp/out" "$tmp/err"
        elif ! grep -qxF -- "$4" "$tmp/out"; then
            fail "$name" "the guest's output is missing on stdout" "$tmp/out"
        elif grep -q 'still running' "$tmp/out"; then
            fail "$name" "the guest ran past the faulting instruction" \
                "$tmp/out"
        elif ! grep -qF -- "$2" "$tmp/err"; then
            fail "$name" "no \"$2\" in the report on stderr" "$tmp/err"
        elif ! grep -qiE "(^|[^0-9a-f])(0x)?0*$addr([^0-9a-f]|\$)" \
                "$tmp/err"; then
            fail "$name" "the report does not give eip = 0x$addr ($3)" \
                "$tmp/err"
        else
            pass "$name: $2 at 0x$addr"
        fi
    done
}

fault_guest ud "#UD" ud2_insn "ud: executing ud2"
fault_guest de "#DE" div_insn "de: dividing by zero"

for accel in $ACCELS; do
    name="fault/exit42[$accel]"
    timeout -k 10 60 "$SOFTVISOR" -kernel "$FAULT/exit42.elf" -nographic \
        -accel "$accel" </dev/null >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -ne 85 ]; then
        fail "$name" "exit status $status, want 85 = (42 << 1) | 1" \
            "$tmp/err"
    elif [ "$(cat "$tmp/out")" != "exit42: exiting with code 42" ]; then
        fail "$name" "unexpected stdout" "$tmp/out"
    else
        pass "$name"
    fi
done

[ "$failed" -eq 0 ] || echo "failed:$failed_names"
echo "bad input and faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
