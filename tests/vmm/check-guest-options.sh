#!/bin/sh
# -guest, -config and the VMM's admission checks: a bad option names the
# guest and the key and exits 1 before any guest runs.
cd "$(dirname "$0")/../.." || exit 1
SV=${SOFTVISOR:-./softvisor}
E=tests/vmm/build/counter.elf
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0

expect() { # WANT-STATUS WANT-STDERR-TEXT ARGS...
    want=$1 text=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" = "$want" ] && grep -qF -- "$text" "$T/err"; then
        echo "PASS $text"
    else
        echo "FAIL ($*): status $rc, stderr:"
        cat "$T/err"
        fail=1
    fi
}

expect 1 "guest 'a': weight='x'" $SV -guest name=a,kernel=$E,weight=x
expect 1 "guest 'a': unknown key 'colour'" $SV -guest name=a,kernel=$E,colour=red
expect 1 "guest 'b': cap='101'" $SV -guest name=a,kernel=$E -guest name=b,kernel=$E,cap=101
expect 1 "name=NAME is required" $SV -guest kernel=$E
expect 1 "guest 'a': name given twice" $SV -guest name=a,kernel=$E -guest name=a,kernel=$E
expect 1 "over -mem-limit" $SV -mem-limit 200M -guest name=a,kernel=$E,mem=128M -guest name=b,kernel=$E,mem=128M,append=halt
expect 1 "reservations would total 120%" $SV -sched-threads 1 -guest name=a,kernel=$E,reserve=60 -guest name=b,kernel=$E,reserve=60
expect 1 "is above its cap" $SV -guest name=a,kernel=$E,cap=10,reserve=20
expect 1 "guest 'b':" $SV -guest name=a,kernel=$E,append=halt,serial=file:$T/a -guest name=b,kernel=/nonexistent
# Nothing ran: guest a's serial file was never written.
[ ! -s "$T/a" ] && echo "PASS no guest ran" || { echo "FAIL guest a ran"; fail=1; }

cat >"$T/guests.conf" <<CONF
# two guests
[guest one]
kernel=$E
append=work n=1000
serial=file:$T/one.out
weight=2

[guest two]
kernel=$E
append=halt
no-reboot=on
mem=16M
CONF
expect 0 "guest two: halted" $SV -config "$T/guests.conf"
grep -q "checksum counter-work" "$T/one.out" && echo "PASS -config guest ran" ||
    { echo "FAIL -config guest one"; fail=1; }
expect 1 "group [vm]" sh -c "printf '[vm]\nkernel=x\n' >$T/bad.conf; $SV -config $T/bad.conf"
# GKeyFile would merge two [guest a] groups into one guest; a file
# without a guest would run nothing and exit 0.  Both are refused.
printf '[guest a]\nkernel=%s\nappend=halt\n\n  [guest a]\nappend=work n=5\n' "$E" >"$T/dup.conf"
expect 1 "-config $T/dup.conf: group [guest a] on lines 1 and 5" $SV -config "$T/dup.conf"
: >"$T/empty.conf"
expect 1 "-config $T/empty.conf: no guests" $SV -config "$T/empty.conf"
printf '# no guests here\n\n' >"$T/comment.conf"
expect 1 "-config $T/comment.conf: no guests" $SV -config "$T/comment.conf"
# append with a comma (QEMU's ",,").
expect 0 "guest c: ended, status 1" $SV -guest name=c,kernel=$E,append=work,,n=5,serial=null -guest name=d,kernel=$E,append=halt,serial=null
exit $fail
