#!/bin/sh
# The host files a monitor client names: a guest added from the monitor
# owns its log file (d=, D=) for as long as it lives.
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

# start_sv DIR ARGS...: softvisor with a slow guest (it keeps the process
# up) and both monitors on sockets in DIR; waits for the QMP socket.
start_sv() {
    d=$1
    shift
    "$SV" -nographic "$@" \
        -guest "name=idle,kernel=$GUEST,append=count secs=60,cap=5,serial=null" \
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

hmp() { # DIR: the commands on stdin, the transcript in DIR/hmp.out
    "$CLIENT" "$1/mon" >"$1/hmp.out" ||
        { cat "$1/hmp.out" "$1/sv.out"; fail "HMP session broke off"; }
    ! grep -q '^Error: ' "$1/hmp.out" || { cat "$1/hmp.out"; fail "HMP error"; }
}


# ---- a guest's log lives as long as the guest ---------------------------
# The guest writes fresh code for a second, so it translates (and logs)
# long after the command that added it has returned.  Several times, over
# HMP and QMP: a log stream the monitor freed would go to a closed
# descriptor (or to whatever reuses it) and crash the process sooner or
# later.
L=$tmp/logs
mkdir "$L"
start_sv "$L"
for n in 1 2 3; do
    echo "guest add name=log$n,kernel=$GUEST,append=codegen secs=1,serial=null,d=in_asm,D=$L/log$n.txt" |
        hmp "$L"
    sleep 0.5
    printf 'guest select log%s\nx /4xw 0x100000\nx /2i $eip\ninfo jit\nguest del log%s\n' \
        "$n" "$n" | hmp "$L"
done
cat >"$L/qmp.in" <<EOF
{"execute": "qmp_capabilities"}
{"execute": "guest-add", "arguments": {"name": "log4", "kernel": "$GUEST", "append": "codegen secs=1", "serial": "null", "d": "in_asm", "D": "$L/log4.txt"}}
EOF
"$CLIENT" --qmp "$L/qmp" <"$L/qmp.in" >"$L/qmp.out" ||
    { cat "$L/qmp.out"; fail "QMP session broke off"; }
grep -q '^<- {"return": {}}' "$L/qmp.out" || { cat "$L/qmp.out"; fail "QMP guest-add"; }
sleep 0.5
echo "guest del log4" | hmp "$L"
stop_sv "$L"
for n in 1 2 3 4; do
    size=$(wc -c <"$L/log$n.txt")
    # Half a second of in_asm is megabytes; one stdio buffer is 4 KiB.
    [ "$size" -gt 65536 ] || fail "log$n.txt has $size bytes: the guest lost its log"
    grep -q '^IN: ' "$L/log$n.txt" || fail "log$n.txt has no IN: blocks"
done
echo "check-monitor-files: logs: ok"
