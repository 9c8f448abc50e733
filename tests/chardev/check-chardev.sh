#!/bin/sh
# Character devices end to end (devices/chardev*.c, docs/USAGE.md):
# - serial output is written in batches: 64 MiB that a guest writes to
#   COM1 byte by byte, in 64-byte lines, arrives intact in at most
#   64 MiB / 4 KiB write(2) calls, counted by strace (not timed); the same
#   through a unix socket, and 16 MiB through the debug console;
# - a unix socket path in use (the monitor's own socket, another guest's
#   serial port, another program's listener, a file that is no socket) is
#   refused with one line and left alone; a stale socket is replaced;
# - sockets are created mode 0600 whatever the umask;
# - a guest's last output comes before what is said about its end.
# SOFTVISOR=path overrides ./softvisor.
cd "$(dirname "$0")/../.." || exit 1
SV=${SOFTVISOR:-./softvisor}
E=tests/vmm/build/counter.elf
CLIENT=tests/monitor/monitor-client
READER=tests/chardev/sock-read.py
T=$(mktemp -d) || exit 1
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
fail=0
ok() { echo "PASS $*"; }
bad() {
    echo "FAIL $*"
    fail=1
}
for f in "$SV" "$E" "$CLIENT"; do
    [ -e "$f" ] || { echo "check-chardev: $f missing (make check builds it)"; exit 1; }
done
command -v python3 >/dev/null || { echo "check-chardev: python3 missing (./configure --install-deps)"; exit 1; }
command -v strace >/dev/null || { echo "check-chardev: strace missing (./configure --install-deps installs it)"; exit 1; }
strace -f -qq -o /dev/null true 2>"$T/err" ||
    { echo "check-chardev: strace cannot trace here: $(cat "$T/err")"; exit 1; }

MIB=1048576
# What "flood bytes=N" writes; "intact" compares with it.
python3 - "$T/expected" $((64 * MIB)) <<'PY'
import sys
out, n = sys.argv[1], int(sys.argv[2])
letters = "abcdefghijklmnopqrstuvwxyz"
with open(out, "wb") as f:
    for line in range(n // 64):
        f.write(("%08x " % line).encode()
                + "".join(letters[(line * 7 + j) % 26] for j in range(54)).encode()
                + b"\n")
PY

# write(2)-family calls of a whole run (every thread), from strace -c.
count_writes() { # STRACE-OUTPUT
    awk '$NF ~ /^(write|writev|pwrite64|pwritev|send|sendto|sendmsg)$/ { n += $4 } END { print n + 0 }' "$1"
}
TRACE="strace -f -qq -c -e trace=write,writev,pwrite64,pwritev,sendto,sendmsg"

# ---- batches: 64 MiB to COM1, to a file ---------------------------------
bytes=$((64 * MIB))
limit=$((bytes / 4096))
$TRACE -o "$T/trace" $SV -nographic -kernel $E -append "flood bytes=$bytes" \
    -serial "file:$T/com1" >"$T/out" 2>&1
n=$(count_writes "$T/trace")
if cmp -s "$T/com1" "$T/expected"; then
    ok "64 MiB to COM1 (file) arrived intact"
else
    bad "64 MiB to COM1 (file): output differs ($(wc -c <"$T/com1") bytes)"
fi
if [ "$n" -gt 0 ] && [ "$n" -le "$limit" ]; then
    ok "64 MiB to COM1 (file) in $n write calls (at most $limit)"
else
    bad "64 MiB to COM1 (file) in $n write calls, want 1..$limit"
fi

# ---- the same through the debug console, 16 MiB ---------------------------
bytes=$((16 * MIB))
limit=$((bytes / 4096))
$TRACE -o "$T/trace" $SV -nographic -kernel $E \
    -append "flood bytes=$bytes debugcon" -serial null \
    -debugcon "file:$T/e9" >"$T/out" 2>&1
n=$(count_writes "$T/trace")
head -c $bytes "$T/expected" | cmp -s - "$T/e9" &&
    ok "16 MiB to port 0xe9 arrived intact" ||
    bad "16 MiB to port 0xe9: output differs"
[ "$n" -gt 0 ] && [ "$n" -le "$limit" ] &&
    ok "16 MiB to port 0xe9 in $n write calls (at most $limit)" ||
    bad "16 MiB to port 0xe9 in $n write calls, want 1..$limit"

# ---- 64 MiB to COM1 through a unix socket ---------------------------------
# The guest starts once the client sent it a byte.  What a client cannot
# take is dropped by design (a guest never waits for one), so a reader
# the host descheduled may lose some: then every line that came must be
# whole and in order, and the loss is reported.
bytes=$((64 * MIB))
limit=$((bytes / 4096))
python3 $READER "$T/s.sock" "$T/got" >"$T/reader" 2>&1 &
rpid=$!
pids="$pids $rpid"
$TRACE -o "$T/trace" $SV -nographic -kernel $E \
    -append "flood bytes=$bytes wait" \
    -serial "unix:$T/s.sock,server,nowait" >"$T/out" 2>&1
wait $rpid
n=$(count_writes "$T/trace")
if cmp -s "$T/got" "$T/expected"; then
    ok "64 MiB to COM1 (unix socket) arrived intact"
else
    python3 - "$T/got" <<'PY' && ok "64 MiB to COM1 (unix socket): what came is whole lines in order" || bad "64 MiB to COM1 (unix socket): lines damaged or out of order"
import re, sys
data = open(sys.argv[1], "rb").read()
letters = "abcdefghijklmnopqrstuvwxyz"
good, last, pieces = 0, -1, 0
for piece in data.split(b"\n"):
    m = re.fullmatch(rb"([0-9a-f]{8}) ([a-z]{54})", piece)
    k = int(m.group(1), 16) if m else -1
    if m and k > last and m.group(2).decode() == "".join(
            letters[(k * 7 + j) % 26] for j in range(54)):
        good += 1
        last = k
    else:
        pieces += 1  # a line cut where output was dropped
print("unix socket: %d of %d lines came whole (%d bytes lost)"
      % (good, 1 << 20, (64 << 20) - len(data)))
sys.exit(0 if good > 0 and pieces <= 2 * (1 + (1 << 20) - good) else 1)
PY
fi
[ "$n" -gt 0 ] && [ "$n" -le "$limit" ] &&
    ok "64 MiB to COM1 (unix socket) in $n write calls (at most $limit)" ||
    bad "64 MiB to COM1 (unix socket) in $n write calls, want 1..$limit"

# ---- paths in use are refused, never replaced ------------------------------
expect_refused() { # WHAT TEXT ARGS...
    what=$1 text=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ $rc = 1 ] && grep -qF -- "$text" "$T/err" && [ "$(wc -l <"$T/err")" = 1 ]; then
        ok "$what: $(cat "$T/err")"
    else
        bad "$what: status $rc, stderr: $(cat "$T/err")"
    fi
}
expect_refused "two guests on one serial socket" "$T/two.sock is in use" \
    $SV -nographic -guest "name=a,kernel=$E,append=halt,serial=unix:$T/two.sock" \
    -guest "name=b,kernel=$E,append=halt,serial=unix:$T/two.sock"
expect_refused "the monitor on a guest's serial socket" "$T/m.sock is in use" \
    $SV -nographic -kernel $E -append halt -serial "unix:$T/m.sock" \
    -monitor "unix:$T/m.sock,server,nowait"
touch "$T/file"
expect_refused "a file that is no socket" "$T/file exists and is not a socket (not replaced)" \
    $SV -nographic -kernel $E -append halt -serial "unix:$T/file,server,nowait"
[ -f "$T/file" ] && ok "the file is still there" || bad "the file was removed"

# Another program's listener, then the stale socket it leaves.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
open(sys.argv[2], "w").close()
time.sleep(30)
' "$T/foreign.sock" "$T/foreign.ready" &
fpid=$!
pids="$pids $fpid"
i=0
while [ ! -e "$T/foreign.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_refused "another program's listener" "$T/foreign.sock is in use" \
    $SV -nographic -kernel $E -append halt -serial "unix:$T/foreign.sock"
kill $fpid 2>/dev/null
wait $fpid 2>/dev/null
[ -S "$T/foreign.sock" ] && ok "its socket file is still there" || bad "its socket file was removed"
if $SV -nographic -kernel $E -append halt -serial "unix:$T/foreign.sock" >"$T/out" 2>"$T/err"; then
    ok "a stale socket is replaced"
else
    bad "a stale socket: $(cat "$T/err")"
fi

# At run time, through the monitor: a guest may not take the monitor's
# socket, and the monitor goes on; sockets are 0600 under umask 000.
(umask 000 && exec $SV -nographic -sched-threads 1 \
    -guest "name=a,kernel=$E,append=count secs=60,serial=unix:$T/a.sock" \
    -monitor "unix:$T/mon,server,nowait" -qmp "tcp:127.0.0.1:0,server,nowait" \
    >"$T/sv.out" 2>&1) &
svpid=$!
pids="$pids $svpid"
i=0
while [ ! -S "$T/mon" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$T/mon" ] || bad "no monitor socket"
for s in "$T/mon" "$T/a.sock"; do
    m=$(stat -c %a "$s")
    [ "$m" = 600 ] && ok "$(basename "$s") is mode 600 under umask 000" ||
        bad "$(basename "$s") is mode $m"
done
cat >"$T/hmp.in" <<EOF
guest add name=b,kernel=$E,append=halt,serial=unix:$T/mon
guest add name=c,kernel=$E,append=halt,serial=unix:$T/a.sock
guest add name=d,kernel=$E,append=halt,serial=unix:$T/d.sock
guest del d
info guests
EOF
$CLIENT "$T/mon" <"$T/hmp.in" >"$T/hmp.out" 2>&1 || bad "monitor session broke off"
grep -q "^Error: guest 'b': .*$T/mon is in use" "$T/hmp.out" &&
    ok "guest add on the monitor's socket refused" ||
    { cat "$T/hmp.out"; bad "guest add on the monitor's socket"; }
grep -q "^Error: guest 'c': .*$T/a.sock is in use" "$T/hmp.out" &&
    ok "guest add on another guest's socket refused" ||
    { cat "$T/hmp.out"; bad "guest add on another guest's socket"; }
[ -S "$T/mon" ] && [ -S "$T/a.sock" ] && [ ! -e "$T/d.sock" ] &&
    ok "the monitor's and guest a's sockets stay; d's went with d" ||
    bad "socket files after guest del: $(ls "$T")"
echo "info guests" | $CLIENT "$T/mon" >"$T/hmp2.out" 2>&1 &&
    grep -q "^\* a " "$T/hmp2.out" && ok "the monitor still answers" ||
    bad "the monitor stopped answering"
echo quit | $CLIENT "$T/mon" >/dev/null 2>&1
wait $svpid 2>/dev/null
[ ! -e "$T/mon" ] && [ ! -e "$T/a.sock" ] && ok "sockets removed at exit" ||
    bad "sockets left at exit: $(ls "$T")"

# ---- the last output comes before the end ---------------------------------
# A flood leaves its last lines in the buffer (streaming output waits for
# a full batch or the timer); they must be out before softvisor says the
# guest ended, on the same terminal.
$SV -nographic -guest "name=a,kernel=$E,append=flood bytes=$MIB" \
    -guest "name=b,kernel=$E,append=halt,serial=null" >"$T/both" 2>&1
end=$(grep -n "^softvisor: guest a: ended" "$T/both" | cut -d: -f1)
last=$(grep -n "^00003fff " "$T/both" | cut -d: -f1)
if [ -n "$end" ] && [ -n "$last" ] && [ "$last" -lt "$end" ] &&
    [ "$(head -n $((end - 1)) "$T/both" | cmp -s - "$T/expected" -n $MIB; echo $?)" = 0 ]; then
    ok "a guest's last output comes before the line about its end"
else
    bad "guest output after the line about its end (line $end, last line at $last)"
fi

[ $fail = 0 ] && echo "check-chardev: ok"
exit $fail
