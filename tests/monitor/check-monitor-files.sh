#!/bin/sh
# The host files a monitor client names: a guest added from the monitor
# owns its log file (d=, D=) for as long as it lives; with
# -monitor-allow-dir, every path a client names must resolve under it.
# SOFTVISOR=path overrides ./softvisor.
cd "$(dirname "$0")/../.." || exit 1
SV=${SOFTVISOR:-./softvisor}
CLIENT=tests/monitor/monitor-client
GUEST=tests/vmm/build/counter.elf
tmp=$(mktemp -d) || exit 1
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "check-monitor-files: FAIL: $*"
    exit 1
}
for f in "$SV" "$CLIENT" "$GUEST"; do
    [ -x "$f" ] || [ -f "$f" ] || fail "$f missing (make check builds it)"
done

# start_sv DIR ARGS...: softvisor with a guest that counts until it quits
# (secs=0: one that ended on its own while no client was attached would
# end softvisor too, the race check-monitor.sh had) and both monitors on
# sockets in DIR; waits for the QMP socket.
start_sv() {
    d=$1
    shift
    "$SV" -nographic "$@" \
        -guest "name=idle,kernel=$GUEST,append=count secs=0,cap=5,serial=null" \
        -monitor "unix:$d/mon,server,nowait" -qmp "unix:$d/qmp,server,nowait" \
        >"$d/sv.out" 2>&1 &
    pid=$!
    i=0
    while [ ! -S "$d/qmp" ]; do
        kill -0 "$pid" 2>/dev/null || { cat "$d/sv.out"; fail "softvisor exited"; }
        i=$((i + 1))
        [ $i -lt 100 ] || fail "no monitor socket after 10 s"
        sleep 0.1
    done
}

# stop_sv DIR: quit over QMP and wait for the process to end with 0.
stop_sv() {
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"
        rc=$?
        pid=
        cat "$1/sv.out"
        fail "softvisor died (status $rc)"
    fi
    # The client may see the socket close before it has sent its last
    # newline; the process's exit status is what counts.
    echo '{"execute": "qmp_capabilities"}
{"execute": "quit"}' | "$CLIENT" --qmp "$1/qmp" >/dev/null 2>&1
    wait "$pid"
    rc=$?
    pid=
    [ "$rc" = 0 ] || { cat "$1/sv.out"; fail "softvisor exited $rc"; }
}

hmp_any() { # DIR: the commands on stdin, the transcript in DIR/hmp.out
    "$CLIENT" "$1/mon" >"$1/hmp.out" ||
        { cat "$1/hmp.out" "$1/sv.out"; fail "HMP session broke off"; }
}

hmp() { # DIR: the same, where every command must succeed
    hmp_any "$1"
    ! grep -q '^Error: ' "$1/hmp.out" || { cat "$1/hmp.out"; fail "HMP error"; }
}

# ---- a guest's log lives as long as the guest ---------------------------
# The guest writes fresh code for a second, so it translates (and logs)
# long after the command that added it has returned, and again after a
# reset rebuilds its board.  Several times, over HMP and QMP: a log
# stream the monitor freed would go to a closed descriptor (or to
# whatever reuses it) and crash the process sooner or later.
L=$tmp/logs
mkdir "$L"
start_sv "$L"
# A loader's error reaches the client as one line, without the program's
# "softvisor: " prefix (that belongs on stderr only).
printf 'guest add name=bad,kernel=%s/none.elf\nguest add name=bad,kernel=%s,m=1M\n' \
    "$L" "$GUEST" | hmp_any "$L"
grep -qx "Error: guest 'bad': $L/none.elf: No such file or directory" "$L/hmp.out" &&
    grep -qx "Error: guest 'bad': $GUEST: segment 0 at .* is outside RAM (0x100000 bytes)" "$L/hmp.out" ||
    { cat "$L/hmp.out"; fail "loader errors on the monitor"; }
# wait_log FILE BYTES: until FILE holds more than BYTES (at most 10 s).
# One stdio buffer is 4 KiB; a second of in_asm is megabytes.
wait_log() {
    i=0
    while [ "$(wc -c <"$1")" -le "$2" ]; do
        i=$((i + 1))
        [ $i -lt 100 ] || return 1
        sleep 0.1
    done
}
for n in 1 2 3; do
    echo "guest add name=log$n,kernel=$GUEST,append=codegen secs=1,serial=null,d=in_asm,D=$L/log$n.txt" |
        hmp "$L"
    wait_log "$L/log$n.txt" 16384 ||
        fail "log$n.txt has $(wc -c <"$L/log$n.txt") bytes: the guest lost its log"
    printf 'guest select log%s\nx /4xw 0x100000\nx /2i $eip\nstop\n' "$n" | hmp "$L"
    before=$(wc -c <"$L/log$n.txt")
    printf 'reset log%s\ncont log%s\n' "$n" "$n" | hmp "$L"
    wait_log "$L/log$n.txt" $((before + 16384)) ||
        fail "log$n.txt grew by $(($(wc -c <"$L/log$n.txt") - before)) bytes after reset: the guest lost its log"
    printf 'info jit log%s\nx /2i $eip\nguest del log%s\n' "$n" "$n" | hmp "$L"
done
cat >"$L/qmp.in" <<EOF
{"execute": "qmp_capabilities"}
{"execute": "guest-add", "arguments": {"name": "log4", "kernel": "$GUEST", "append": "codegen secs=1", "serial": "null", "d": "in_asm", "D": "$L/log4.txt"}}
EOF
"$CLIENT" --qmp "$L/qmp" <"$L/qmp.in" >"$L/qmp.out" ||
    { cat "$L/qmp.out"; fail "QMP session broke off"; }
grep -q '^<- {"return": {}}' "$L/qmp.out" || { cat "$L/qmp.out"; fail "QMP guest-add"; }
wait_log "$L/log4.txt" 16384 ||
    fail "log4.txt has $(wc -c <"$L/log4.txt") bytes: the guest lost its log"
echo "guest del log4" | hmp "$L"
stop_sv "$L"
for n in 1 2 3 4; do
    grep -q '^IN: ' "$L/log$n.txt" || fail "log$n.txt has no IN: blocks"
done
echo "check-monitor-files: logs: ok"

# ---- -monitor-allow-dir -------------------------------------------------
# Paths inside the directory pass; paths outside it, through "..", or
# through a symbolic link that leads out are refused with one error line,
# and nothing outside is opened, created or truncated.  The command line
# itself is not restricted (the slow guest's kernel is outside).
A=$tmp/allow
O=$tmp/outside
mkdir -p "$A/sub" "$O"
cp "$GUEST" "$A/k.elf"
cp "$GUEST" "$O/k.elf"
cp "$GUEST" "$tmp/k.elf"
echo "keep me" >"$O/victim"
ln -s ../outside/k.elf "$A/link-k"
ln -s ../outside/victim "$A/link-victim"
ln -s ../outside/created "$A/dangling"
ln -s ../outside "$A/link-dir"
start_sv "$A" -monitor-allow-dir "$A"
GOOD="guest add name=in1,kernel=$A/k.elf,append=halt,initrd=$A/k.elf arg,,,,x,,$A/sub/../k.elf,serial=file:$A/in1.out,debugcon=file:$A/sub/in1.con,d=in_asm,D=$A/in1.log
guest add name=in2,kernel=$A/sub/../k.elf,append=halt,serial=unix:$A/in2.sock,,server,,nowait
guest add name=in3,kernel=$A/k.elf,append=halt,serial=mon:stdio,debugcon=null
info guests"
BAD="guest add name=x1,kernel=$O/k.elf
guest add name=x2,kernel=$A/../outside/k.elf
guest add name=x3,kernel=$A/link-k
guest add name=x4,kernel=$A/link-dir/k.elf
guest add name=x5,kernel=$A/k.elf,initrd=$A/k.elf,,$O/k.elf
guest add name=x6,kernel=$A/k.elf,D=$O/victim
guest add name=x7,kernel=$A/k.elf,D=$A/link-victim
guest add name=x8,kernel=$A/k.elf,D=$A/dangling
guest add name=x9,kernel=$A/k.elf,serial=file:$O/victim
guest add name=x10,kernel=$A/k.elf,serial=file:$A/link-dir/new
guest add name=x11,kernel=$A/k.elf,debugcon=file:$A/../outside/new
guest add name=x12,kernel=$A/k.elf,serial=unix:$O/sock,,server,,nowait
guest add name=x13,kernel=$A/k.elf,serial=unix:$A/link-dir/sock
guest add name=x14,kernel=$tmp/k.elf
guest add name=x15,kernel=$GUEST"
printf '%s\n%s\n' "$GOOD" "$BAD" | hmp_any "$A"
h=$A/hmp.out
grep -q '^  in1  *\(running\|halted\)' "$h" || { cat "$h"; fail "guest in1 (paths inside) was not added"; }
grep -q '^  in2  *\(running\|halted\)' "$h" || { cat "$h"; fail "guest in2 (paths inside) was not added"; }
grep -q '^  in3  *\(running\|halted\)' "$h" || { cat "$h"; fail "guest in3 (no paths) was not added"; }
echo "$BAD" | while IFS= read -r cmd; do
    out=$(awk -v c="(softvisor) $cmd" '$0 == c {on = 1; next} /^\(softvisor\) / {on = 0} on' "$h")
    case "$out" in
    "Error: "*"is outside -monitor-allow-dir" | "Error: "*"a symbolic link to nothing") ;;
    *) echo "$out"; fail "'$cmd' was not refused with one line" ;;
    esac
done || exit 1
n=$(grep -c '^Error: ' "$h")
[ "$n" = "$(echo "$BAD" | grep -c '')" ] || { cat "$h"; fail "$n error lines"; }
cat >"$A/qmp.in" <<EOQ
{"execute": "qmp_capabilities"}
{"execute": "guest-add", "arguments": {"name": "q1", "kernel": "$A/k.elf", "append": "halt", "serial": "file:$A/q1.out"}}
{"execute": "guest-add", "arguments": {"name": "q2", "kernel": "$A/link-k"}}
{"execute": "guest-add", "arguments": {"name": "q3", "kernel": "$A/k.elf", "D": "$O/victim"}}
{"execute": "human-monitor-command", "arguments": {"command-line": "guest add name=q4,kernel=$O/k.elf"}}
EOQ
"$CLIENT" --qmp "$A/qmp" <"$A/qmp.in" >"$A/qmp.out" ||
    { cat "$A/qmp.out"; fail "QMP session broke off"; }
[ "$(grep -c '^<- {"return": {}}' "$A/qmp.out")" = 2 ] ||
    { cat "$A/qmp.out"; fail "QMP: q1 inside the directory was refused"; }
[ "$(grep -c '^<- {"error": .*is outside -monitor-allow-dir' "$A/qmp.out")" = 2 ] ||
    { cat "$A/qmp.out"; fail "QMP guest-add outside the directory"; }
grep -q '^<- {"return": "Error: guest .q4.: key .kernel.: .*is outside -monitor-allow-dir' "$A/qmp.out" ||
    { cat "$A/qmp.out"; fail "human-monitor-command guest add outside"; }
# Long paths come out whole, on both protocols: 2000 bytes of
# directories (and a link in the allowed directory that resolves there).
deep=$O/deep
i=0
while [ $i -lt 200 ]; do
    deep=$deep/abcdefghi
    i=$((i + 1))
done
mkdir -p "$deep"
cp "$GUEST" "$deep/k.elf"
ln -s "$deep/k.elf" "$A/deep-link"
printf 'guest add name=long1,kernel=%s/missing/k.elf\n' "$deep" | hmp_any "$A"
grep -qxF "Error: guest 'long1': key 'kernel': $deep/missing/k.elf: No such file or directory" "$A/hmp.out" ||
    { cat "$A/hmp.out"; fail "long path: HMP message cut"; }
cat >"$A/qmp.in" <<EOQ
{"execute": "qmp_capabilities"}
{"execute": "guest-add", "arguments": {"name": "long2", "kernel": "$A/deep-link"}}
EOQ
"$CLIENT" --qmp "$A/qmp" <"$A/qmp.in" >"$A/qmp.out" ||
    { cat "$A/qmp.out"; fail "QMP session broke off"; }
grep -qF "\"desc\": \"guest 'long2': key 'kernel': $A/deep-link ($deep/k.elf) is outside -monitor-allow-dir\"" "$A/qmp.out" ||
    { cat "$A/qmp.out"; fail "long path: QMP message cut"; }
stop_sv "$A"
[ "$(cat "$O/victim")" = "keep me" ] || fail "a file outside the directory was truncated"
for f in created new sock; do
    [ ! -e "$O/$f" ] || fail "$O/$f was created outside the directory"
done
[ -f "$A/in1.out" ] && [ -f "$A/sub/in1.con" ] && [ -s "$A/in1.log" ] &&
    [ -f "$A/q1.out" ] || fail "files inside the directory were not made"

# A directory that is not one is a usage error.
for d in "$tmp/nonexistent" "$O/victim"; do
    "$SV" -monitor-allow-dir "$d" -nographic >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
        grep -q "^softvisor: -monitor-allow-dir $d" "$tmp/err" ||
        { cat "$tmp/err"; fail "-monitor-allow-dir $d: status $rc"; }
done
echo "check-monitor-files: -monitor-allow-dir: ok"
