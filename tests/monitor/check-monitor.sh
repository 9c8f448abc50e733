#!/bin/sh
# Scripted HMP and QMP sessions over unix sockets against a running
# softvisor with two guests (one counting, one halted): every command,
# bad commands included.  SOFTVISOR=path overrides ./softvisor.
cd "$(dirname "$0")/../.." || exit 1
SV=${SOFTVISOR:-./softvisor}
CLIENT=tests/monitor/monitor-client
GUEST=tests/vmm/build/counter.elf
SHORT=tests/guest/build/hello.elf
tmp=$(mktemp -d) || exit 1
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "check-monitor: FAIL: $*"
    exit 1
}
for f in "$SV" "$CLIENT" "$GUEST" "$SHORT"; do
    [ -x "$f" ] || [ -f "$f" ] || fail "$f missing (make check builds it)"
done

# Guest a counts until softvisor quits (secs=0): softvisor ends by design
# once every guest is done and no monitor client is attached, which a
# guest counting for a fixed time made happen whenever the script was
# slow between two sessions (the QMP "session broke off" flake).  The
# session ends it with "quit"; the trap kills it if the script fails.
"$SV" -nographic \
    -guest "name=a,kernel=$GUEST,append=count secs=0,serial=null" \
    -guest "name=b,kernel=$GUEST,append=halt,serial=null" \
    -monitor "unix:$tmp/mon,server,nowait" -qmp "unix:$tmp/qmp,server,nowait" \
    >"$tmp/sv.out" 2>&1 &
pid=$!
i=0
while [ ! -S "$tmp/qmp" ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/sv.out"; fail "softvisor exited"; }
    i=$((i + 1))
    [ $i -lt 100 ] || fail "no monitor socket after 10 s"
    sleep 0.1
done

# ---- HMP ----------------------------------------------------------------
# Commands that must fail, each with exactly one line.
BAD="bogus
info foo
info registers nosuch
x
x /4zw 0x100000
x /4xw nowhere
x /99999999xw 0
xp /2xb \$nosuch
disas
disas 0x100000 0
guest select nosuch
guest add name=c
guest add name=a,kernel=$SHORT,serial=null
guest add name=d,kernel=/nonexistent,serial=null
guest del nosuch
stop nosuch
cont nosuch
reset nosuch
weight a
weight a 0
weight nosuch 2
cap a 101
cap a x
reserve a 200
reserve nosuch 10
help nosuch
quit now"
cat >"$tmp/hmp.in" <<EOF
help
info
help x
help info
info guests
info sched
info registers
info registers b
info jit
info jit a
info mem
x /4xw 0x100000
x/4xw 0x100000
x 0x100000
xp /2xb 0x100000
x /3cb 0x100000
x /2dh 0x100000
x /2ug 0x100000
x /2ow 0x100000
x /2i \$eip
x /1s 0x100000
disas \$eip 3
disas 0x100000
guest select b
info guests
guest select a
stop
info guests
cont
stop all
info guests
cont all
stop b
cont b
reset a
weight a 2
cap a 50
reserve a 10
info sched
cap a 0
reserve a 0
weight a 1
guest add name=c,kernel=$GUEST,append=halt,serial=null,mem=16M
info guests
guest del c
info guests
$BAD
EOF
"$CLIENT" "$tmp/mon" <"$tmp/hmp.in" >"$tmp/hmp.out" ||
    { cat "$tmp/hmp.out"; fail "HMP session broke off"; }

expect() { # FILE TEXT: TEXT must be in FILE
    grep -qF -- "$2" "$1" || { cat "$1"; fail "missing in $(basename "$1"): $2"; }
}
h=$tmp/hmp.out
expect "$h" "monitor - type 'help' for more information"
expect "$h" "info registers [GUEST] -- "
expect "$h" "reserve NAME PCT -- "
expect "$h" "x /FMT ADDR -- dump memory"
expect "$h" "* a "
expect "$h" "* b "
expect "$h" "instructions"
expect "$h" "EIP=00100"
expect "$h" "CR0="
expect "$h" "translation blocks:"
expect "$h" "RAM: 128 MiB"
expect "$h" "00100000-07ffffff ram"
expect "$h" "00100000: 0x1badb002 0x00000003 0xe4524ffb 0x00000000"
expect "$h" "00100000: 0x1badb002
"
expect "$h" "00100000: 0x02 0xb0"
expect "$h" "00100000: \\x02 \\xb0 \\xad"
expect "$h" "00100000: -20478 7085"
expect "$h" "00100000: 13349269506 3830599675"
expect "$h" "00100000: 03353330002 03"
expect "$h" "00100000: \"\\x02\\xb0\\xad\\x1b\\x03\""
expect "$h" "0x00100000:  "
expect "$h" "paused"
grep -q "^  c  *running\|^  c  *halted" "$h" || { cat "$h"; fail "guest add c"; }
grep -q " 2  50%     10%" "$h" || { cat "$h"; fail "weight/cap/reserve not shown"; }
expect "$h" "unknown command: 'bogus'"
# The dump of /2i: two instruction lines right after the command.
n=$(awk '/^\(softvisor\) x \/2i/ {on = 1; next} /^\(softvisor\) / {on = 0} on' "$h" | grep -c '^0x')
[ "$n" = 2 ] || { cat "$h"; fail "x /2i gave $n instructions"; }
n=$(awk '/^\(softvisor\) disas 0x100000$/ {on = 1; next} /^\(softvisor\) / {on = 0} on' "$h" | grep -c '^0x')
[ "$n" = 10 ] || { cat "$h"; fail "disas gave $n instructions, want 10"; }
# Every good command is silent or prints no "Error"; every bad one gives
# exactly one line.
echo "$BAD" | while IFS= read -r cmd; do
    out=$(awk -v c="(softvisor) $cmd" '$0 == c {on = 1; next} /^\(softvisor\) / {on = 0} on' "$h")
    n=$(printf '%s' "$out" | grep -c '')
    [ "$n" = 1 ] || { echo "$out"; fail "'$cmd' gave $n lines, want one error line"; }
done || exit 1
errs=$(grep -c '^Error: \|^unknown command' "$h")
nbad=$(echo "$BAD" | grep -c '')
[ "$errs" = "$nbad" ] || { cat "$h"; fail "$errs error lines for $nbad bad commands"; }

# ---- QMP ----------------------------------------------------------------
cat >"$tmp/qmp.in" <<EOF
{"execute": "query-guests"}
{"execute": "qmp_capabilities", "id": 1}
{"execute": "qmp_capabilities"}
{"execute": "query-version"}
{"execute": "query-status"}
{"execute": "query-commands"}
{"execute": "query-guests", "id": "g"}
{"execute": "query-sched"}
{"execute": "stop", "arguments": {"guest": "a"}}
wait STOP
{"execute": "query-status"}
{"execute": "cont", "arguments": {"guest": "a"}}
wait RESUME
{"execute": "stop"}
{"execute": "cont"}
{"execute": "system_reset", "arguments": {"guest": "a"}}
{"execute": "set-weight", "arguments": {"guest": "a", "weight": 3}}
{"execute": "set-cap", "arguments": {"guest": "a", "cap": 40}}
{"execute": "set-reserve", "arguments": {"guest": "a", "reserve": 5}}
{"execute": "query-sched", "id": 7}
{"execute": "guest-add", "arguments": {"name": "s", "kernel": "$SHORT", "serial": "null", "weight": 2}}
wait GUEST_END
{"execute": "guest-del", "arguments": {"guest": "s"}}
{"execute": "human-monitor-command", "arguments": {"command-line": "info guests"}}
{"execute": "human-monitor-command", "arguments": {"command-line": "bogus"}}
{"execute": "nosuch", "id": [1, 2]}
{"execute": "stop", "arguments": {"guest": "nosuch"}}
{"execute": "stop", "arguments": {"guest": 5}}
{"execute": "stop", "arguments": {"bad": 1}}
{"execute": "set-weight", "arguments": {"guest": "a"}}
{"execute": "set-weight", "arguments": {"guest": "a", "weight": 1.5}}
{"execute": "set-cap", "arguments": {"guest": "a", "cap": 1000}}
{"execute": "set-reserve", "arguments": {"guest": "nosuch", "reserve": 1}}
{"execute": "guest-add", "arguments": {"name": "a", "kernel": "$SHORT"}}
{"execute": "guest-add", "arguments": {"kernel": "$SHORT"}}
{"execute": "guest-add", "arguments": {"name": "x", "kernel": "$SHORT", "bogus-key": "1"}}
{"execute": "guest-del", "arguments": {"guest": "nosuch"}}
{"execute": "human-monitor-command", "arguments": {}}
{"execute": 1}
{"arguments": {}}
{"execute": "stop", "arguments": []}
{"execute": "stop", "extra": 1}
[1, 2]
{"execute": "query-status",}
{"execute": "x\\q"}
{"execute": "quit", "id": "bye"}
EOF
"$CLIENT" --qmp "$tmp/qmp" <"$tmp/qmp.in" >"$tmp/qmp.out" ||
    { cat "$tmp/qmp.out"; fail "QMP session broke off"; }
q=$tmp/qmp.out
expect "$q" '<- {"QMP": {"version": {"qemu": {"micro": 0, "minor": 1, "major": 0}, "package": "softvisor"}, "capabilities": []}}'
expect "$q" '<- {"error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with '"'qmp_capabilities'"'"}}'
expect "$q" '<- {"return": {}, "id": 1}'
expect "$q" '"desc": "Capabilities negotiation is already complete, command ignored"'
expect "$q" '<- {"return": {"qemu": {"micro": 0, "minor": 1, "major": 0}, "package": "softvisor"}}'
expect "$q" '<- {"return": {"status": "running", "singlestep": false, "running": true}}'
expect "$q" '{"name": "human-monitor-command"}'
expect "$q" '{"name": "a", "state": "running", "weight": 1, "cap": 0, "reserve": 0, "accel": "jit"'
expect "$q" '{"name": "b", "state": "halted"'
expect "$q" '"id": "g"}'
expect "$q" '"instructions": '
expect "$q" '"cpu-ns": '
expect "$q" '"share": '
expect "$q" '<- {"event": "STOP", "data": {"guest": "a", "state": "paused"}, "timestamp": {"seconds": '
expect "$q" '<- {"event": "RESUME", "data": {"guest": "a"'
expect "$q" '{"name": "a", "state": "running", "weight": 3, "cap": 40, "reserve": 5,'
expect "$q" '<- {"event": "GUEST_END", "data": {"guest": "s", "state": "ended", "exit-status": 1'
expect "$q" '<- {"return": "  name '
expect "$q" '<- {"return": "unknown command: '"'bogus'"'\n"}'
expect "$q" '<- {"error": {"class": "CommandNotFound", "desc": "The command nosuch has not been found"}, "id": [1, 2]}'
expect "$q" '"desc": "Invalid parameter type for '"'guest'"', expected: string"'
expect "$q" '"desc": "Parameter '"'bad'"' is unexpected"'
expect "$q" '"desc": "Parameter '"'weight'"' is missing"'
expect "$q" '"desc": "Parameter '"'weight'"' expects an integer in 1-10000"'
expect "$q" '"desc": "Parameter '"'cap'"' expects an integer in 0-100"'
expect "$q" '"desc": "Parameter '"'name'"' is missing"'
expect "$q" '"desc": "Parameter '"'command-line'"' is missing"'
expect "$q" '"desc": "QMP input member '"'execute'"' must be a string"'
expect "$q" '"desc": "QMP input lacks member '"'execute'"'"'
expect "$q" '"desc": "QMP input member '"'arguments'"' must be an object"'
expect "$q" '"desc": "QMP input member '"'extra'"' is unexpected"'
expect "$q" '"desc": "QMP input must be a JSON object"'
expect "$q" '"desc": "JSON parse error, '
expect "$q" '"desc": "JSON parse error, bad escape '"'\\\\q'"' in string"'
expect "$q" '<- {"return": {}, "id": "bye"}'
# Each command got exactly one reply (events aside).
nreq=$(grep -c '^-> ' "$q")
nrep=$(grep -c '^<- {"\(return\|error\)"' "$q")
[ "$nreq" = "$nrep" ] || { cat "$q"; fail "$nreq requests, $nrep replies"; }
nerr=$(grep -c '^<- {"error"' "$q")
[ "$nerr" = 22 ] || { cat "$q"; fail "$nerr errors, want 22"; }

# quit ends the process.
i=0
while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "softvisor still running 10 s after quit"
    sleep 0.1
done
pid=
echo "check-monitor: HMP $(grep -c '^(softvisor) ' "$h") commands, QMP $nreq commands: ok"
