#!/bin/sh
# Isolation tests of issue 4 that check-sched.sh does not cover: a guest
# making wild physical memory accesses and a guest whose code cache fills
# and flushes over and over (jit-cache=64K) run beside a worker and a
# counter on one worker thread.  Each must end its own way; the worker
# must finish with the checksum it has alone, and the counter must keep
# its fair share and its speed (iterations per CPU second as when alone).
cd "$(dirname "$0")/../.." || exit 1
SV=${SOFTVISOR:-./softvisor}
E=tests/vmm/build/counter.elf
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SECS=3
fail=0

guest() { # NAME APPEND [MORE]
    echo "-guest name=$1,kernel=$E,append=$2,serial=file:$T/$1.out$3"
}

$SV -kernel $E -append "count secs=1" -serial file:$T/base.out
$SV -kernel $E -append "work n=10000000" -serial file:$T/ref.out
# shellcheck disable=SC2046
$SV -sched-threads 1 -sched-report "$T/report.json" \
    $(guest wild wild/secs=$SECS) \
    $(guest codegen codegen/secs=$SECS ",jit-cache=64K") \
    $(guest work work/n=10000000) $(guest cnt count/secs=$SECS) 2>"$T/stderr"
rc=$?

ok() { echo "PASS $1"; }
bad() { echo "FAIL $1"; fail=1; }

[ $rc = 0 ] && ok "exit status 0" || bad "exit status $rc"
for g in wild codegen work cnt; do
    grep -q "guest $g: ended, status 1" $T/stderr &&
        ok "guest $g ended normally" || bad "guest $g: $(cat $T/stderr)"
done
grep -q "^wild .* 0 reads not all ones ok" $T/wild.out &&
    ok "wild: $(cat $T/wild.out)" || bad "wild: '$(cat $T/wild.out)'"
grep -q "^codegen [0-9]* calls ok" $T/codegen.out &&
    ok "codegen: $(cat $T/codegen.out)" || bad "codegen: '$(cat $T/codegen.out)'"
# The cache must really have overflowed: one pass over the buffer is
# 65536 distinct blocks, far more than 64K of host code holds.  (d=stats
# would count the flushes, but only the single-guest path prints it.)
CALLS=$(sed -n 's/^codegen \([0-9]*\) calls ok/\1/p' $T/codegen.out)
[ "${CALLS:-0}" -ge 65536 ] && ok "codegen: $CALLS fresh blocks through 64K" ||
    bad "codegen: only '${CALLS}' blocks"
REF=$(grep checksum $T/ref.out)
if [ -n "$REF" ] && [ "$(grep checksum $T/work.out)" = "$REF" ]; then
    ok "the worker's checksum is right ($REF)"
else
    bad "worker checksum '$(grep checksum $T/work.out)' want '$REF'"
fi

BASE=$(sed -n 's/^total \([0-9]*\).*/\1/p' $T/base.out)
python3 - "$T" "$BASE" <<'PY' || fail=1
import json, re, sys, os
t, base = sys.argv[1], int(sys.argv[2])
last = {}
for line in open(os.path.join(t, "report.json")):
    r = json.loads(line)
    last[r["name"]] = r
it = int(re.search(r"total (\d+)", open(os.path.join(t, "cnt.out")).read()).group(1))
ns = {n: last[n]["cpu-ns"] for n in ("wild", "codegen", "cnt")}
ok = True
good = 0 < last["codegen"]["tb-bytes"] <= 65536
ok &= good
print("%s codegen code cache within 64K: %d bytes" % ("PASS" if good else "FAIL", last["codegen"]["tb-bytes"]))
# Speed: iterations per CPU second, against the same guest alone.
speed = 100.0 * (it / (ns["cnt"] / 1e9)) / base
good = abs(speed - 100) <= 10
ok &= good
print("%s counter speed beside them: %.1f%% of alone (want 100 +- 10)" % ("PASS" if good else "FAIL", speed))
# Share: equal weights, so at least a quarter of the CPU (a third once
# the worker is done) among the three that run to the end.
share = 100.0 * ns["cnt"] / sum(ns.values())
good = abs(share - 100.0 / 3) <= 5
ok &= good
print("%s counter share among wild/codegen/counter: %.1f%% (want 33.3 +- 5)" % ("PASS" if good else "FAIL", share))
sys.exit(0 if ok else 1)
PY
exit $fail
