#!/bin/sh
# The command line as a user meets it: help and version, the built-in demo
# guest, -append, -serial backends, -d logging with -D, -device, and
# one-line errors with exit status 1 for bad options.
# Run from the top of the tree: sh tests/cli/check-cli.sh

SV=${SOFTVISOR:-./softvisor}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() {
    pass=$((pass + 1))
    echo "PASS: $1"
}

bad() {
    fail=$((fail + 1))
    echo "FAIL: $1"
    [ -f "$tmp/err" ] && sed 's/^/    stderr: /' "$tmp/err" | head -5
}

# expect NAME STATUS COMMAND...: run, check the exit status.
expect() {
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    if [ "$got" = "$want" ]; then ok "$name (status $got)"; else bad "$name: status $got, wanted $want"; fi
}

contains() { # NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1: '$3' not in $(basename "$2")"; fi
}

one_line_err() { # NAME
    n=$(wc -l <"$tmp/err")
    if [ "$n" = 1 ]; then ok "$1: one line on stderr"; else bad "$1: $n lines on stderr"; fi
}

[ -x "$SV" ] || { echo "FAIL: $SV is missing (run make)"; echo "0 passed, 1 failed"; exit 1; }

expect "--version" 0 "$SV" --version
contains "--version prints the version" "$tmp/out" "softvisor version"
expect "--help" 0 "$SV" --help
contains "--help lists -kernel" "$tmp/out" "--kernel"
expect "-d help" 0 "$SV" -d help
contains "-d help lists in_asm" "$tmp/out" "in_asm"

expect "demo guest" 0 "$SV" -nographic
contains "demo guest greets" "$tmp/out" "Hello from the softvisor demo guest!"
contains "demo guest computes" "$tmp/out" "primes below 65536: 6542 (expected 6542)"
contains "demo guest sees the loader" "$tmp/out" "boot loader: softvisor"
contains "halt notice" "$tmp/err" "guest halted"

expect "-append" 0 "$SV" -nographic -append "console=ttyS0 quiet" -m 64M
contains "-append reaches the guest" "$tmp/out" "command line: demo console=ttyS0 quiet"
contains "-m 64M reaches the guest" "$tmp/out" "64512 KiB high"

expect "-serial file:" 0 "$SV" -display none -serial "file:$tmp/serial.txt"
contains "-serial file: gets the output" "$tmp/serial.txt" "Hello from the softvisor demo guest!"
if [ -s "$tmp/out" ]; then bad "-serial file: stdout should be empty"; else ok "-serial file: stdout empty"; fi
expect "-serial null" 0 "$SV" -nographic -serial null
if [ -s "$tmp/out" ]; then bad "-serial null: stdout should be empty"; else ok "-serial null: stdout empty"; fi

expect "-d in_asm" 0 "$SV" -nographic -d in_asm
contains "-d in_asm shows blocks" "$tmp/err" "IN: "
contains "-d in_asm disassembles (Capstone)" "$tmp/err" "mov      esp, 0x"
expect "-d exec,op -D" 0 "$SV" -nographic -d exec,op -D "$tmp/log.txt"
contains "-D gets the exec trace" "$tmp/log.txt" "Trace: ["
contains "-D gets the IR" "$tmp/log.txt" "---- insn 0 eip"

expect "-device isa-debug-exit accepted" 0 "$SV" -nographic -device isa-debug-exit,iobase=0xf4,iosize=0x04
expect "-accel interp" 0 "$SV" -nographic -accel interp -no-reboot

for args in "-bogus" "-m lots" "-accel warp" "-device e1000" "-serial tcp:1" \
    "-d nothing" "-display gtk" "extra-arg" "-kernel"; do
    # shellcheck disable=SC2086
    expect "bad option '$args'" 1 "$SV" $args
    one_line_err "bad option '$args'"
done

# -sched-threads takes 1-256 and -sched-slice-us 100-1000000; 0 is out of
# range like any other value (leaving the flag out gives the default).
for args in "-sched-threads 1" "-sched-threads 256" "-sched-slice-us 100" \
    "-sched-slice-us 1000000"; do
    # shellcheck disable=SC2086
    expect "accepted '$args'" 0 "$SV" -nographic -serial null $args
done
for args in "-sched-threads 0" "-sched-threads 257" "-sched-slice-us 0" \
    "-sched-slice-us 99" "-sched-slice-us 1000001"; do
    # shellcheck disable=SC2086
    expect "refused '$args'" 1 "$SV" -nographic -serial null $args
    one_line_err "refused '$args'"
    contains "refused '$args' gives the range" "$tmp/err" ": give 1"
done

# Every user error is one line on stderr with exactly one "softvisor: "
# prefix, whichever layer found it (options, -guest keys, the VMM, the
# board, the loader) and however many guests there are.
E=tests/vmm/build/counter.elf
if [ -f "$E" ]; then
    while IFS= read -r args; do
        # shellcheck disable=SC2086
        expect "user error '$args'" 1 "$SV" -nographic $args
        one_line_err "user error '$args'"
        if grep -q '^softvisor: ' "$tmp/err" &&
            [ "$(grep -o 'softvisor:' "$tmp/err" | wc -l)" = 1 ]; then
            ok "user error '$args': one prefix"
        else
            bad "user error '$args': not exactly one 'softvisor: ' prefix"
        fi
    done <<EOF2
-bogus
-m lots
-accel warp
-serial tcp:1
extra-arg
-kernel /nonexistent/k.elf
-kernel $E -m 1M
-kernel $E -initrd /nonexistent/m
-kernel $E -serial file:/nonexistent/s
-kernel $E -serial unix:/nonexistent/s
-kernel $E -D /nonexistent/log
-kernel $E -device isa-debug-exit,iobase=0x80,iosize=4
-mem-limit 1M -kernel $E
-guest name=a,kernel=/nonexistent/k.elf
-guest name=a,kernel=$E,m=1M
-guest name=a,kernel=$E,append=halt -guest name=b,kernel=/nonexistent/k.elf
-guest name=a,kernel=$E,append=halt -guest name=b,kernel=$E,serial=file:/nonexistent/s
-guest name=a,kernel=$E,append=halt -guest name=b,kernel=$E,m=1M
-mem-limit 1M -guest name=a,kernel=$E
-guest name=a,kernel=$E,d=nothing
-config /nonexistent/guests.conf
-sched-report /nonexistent/report -kernel $E
-monitor unix:/nonexistent/mon -kernel $E
-qmp stdio -kernel $E
-monitor-allow-dir /nonexistent -kernel $E
EOF2
else
    bad "$E missing (make check builds it)"
fi

# Messages with long paths come out whole: a 3000-byte path (short
# components under a directory that does not exist) wherever a path goes,
# alone or beside other guests.  A path too long to name any file is
# shortened, and the message still ends with its reason.
i=0
long=/nonexistent
while [ $i -lt 300 ]; do
    long=$long/abcdefghi
    i=$((i + 1))
done
vlong=$long$long
if [ -f "$E" ]; then
    while IFS= read -r args; do
        # shellcheck disable=SC2086
        expect "long path '$(echo "$args" | cut -c1-40)...'" 1 "$SV" -nographic $args
        one_line_err "long path '$(echo "$args" | cut -c1-40)...'"
        if grep -qF "$long: No such file or directory" "$tmp/err" &&
            grep -q 'No such file or directory$' "$tmp/err"; then
            ok "long path: the whole message"
        else
            bad "long path '$(echo "$args" | cut -c1-40)...': message cut ($(wc -c <"$tmp/err") bytes)"
        fi
    done <<EOF2
-kernel $long
-kernel $E -initrd $long
-kernel $E -D $long
-kernel $E -serial file:$long
-kernel $E -debugcon file:$long
-config $long
-kernel $E -sched-report $long
-guest name=a,kernel=$long
-guest name=a,kernel=$E,D=$long
-guest name=a,kernel=$E,append=halt -guest name=b,kernel=$E,initrd=$long
-monitor-allow-dir $long -kernel $E
EOF2
    for args in "-kernel $vlong" "-kernel $E -D $vlong"; do
        # shellcheck disable=SC2086
        expect "too long a path" 1 "$SV" -nographic $args
        one_line_err "too long a path"
        contains "too long a path: shortened, with its reason" "$tmp/err" \
            ".../abcdefghi/abcdefghi/abcdefghi/abcdefghi: File name too long ($(printf %s "$vlong" | wc -c) bytes)"
    done
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
