#!/bin/sh
# Isolation tests of issue 4 that check-sched.sh does not cover: a guest
# making wild physical memory accesses and a guest whose code cache fills
# and flushes over and over (jit-cache=64K) run for 3 s beside a worker
# and a counter on one worker thread.  Each must end its own way; the
# worker must finish with the checksum it has alone, and the counter must
# keep its fair share and its speed.
#
# That its translations are its own is counted: its code cache is never
# flushed and keeps its few hundred blocks while codegen's is flushed
# many times a second.  Its speed is its iterations per second of its
# own CPU time beside them, against the same of a counter alone in a
# second softvisor run at the same time (on the other CPU), within 10%.
# Against a single-guest run timed before, as this test did, host load
# moved the figure by 20-45%; and so does a comparison with the counter
# alone a few seconds later in the same run: on a shared host a guest's
# speed per CPU second drifts by 20% from one second to the next.  Two
# runs at the same moment drift together within 3% unless the host is
# overloaded (schedlib.host_trouble: a worker waits for a CPU over a
# quarter of the time, or over 1.5 ms a time); such seconds are left
# out, and with none left the speed is reported, not checked.
cd "$(dirname "$0")/../.." || exit 1
SV=${SOFTVISOR:-./softvisor}
E=tests/vmm/build/counter.elf
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

mkdir "$T/ref" "$T/run" "$T/alone"
$SV -kernel $E -append "work n=10000000" -serial file:$T/ref/ref.out
REF=$(grep checksum $T/ref/ref.out)

python3 - "$T/run" "$T/alone" "$REF" <<'PY'
import re
import sys
sys.path.insert(0, "tests/vmm")
import schedlib as S

tmp, tmp_alone, ref = sys.argv[1:]
c = S.Checks()
NOISY = ("wild", "codegen")


def g(name, append, keys=""):
    return S.guest_args(name, append, tmp, keys)


def beside(r):
    return r.window(["cnt"], where=lambda snap: all(
        r.state(snap, n) == "running" for n in NOISY))


def noisy_done(r):
    snap = r.snaps[max(r.snaps)] if r.snaps else {}
    return all(r.state(snap, n) not in ("running", None) for n in NOISY)


res, ref_res = S.run(
    tmp, [g("wild", "wild secs=3"),
          g("codegen", "codegen secs=3", ",jit-cache=64K"),
          g("work", "work n=10000000"), g("cnt", "count secs=0")],
    ["cnt"], until=noisy_done, hmp=("info jit cnt", "info jit codegen"),
    beside=(tmp_alone, [S.guest_args("cnt", "count secs=0", tmp_alone)],
            ["cnt"]))
err = res.stderr
c.true("exit status 0", res.rc == 0, "status %d" % res.rc)
for n in ("wild", "codegen", "work"):
    c.true("guest %s ended normally" % n,
           "guest %s: ended, status 1" % n in err, err)
c.true("guest cnt ran to the end", "guest cnt: running at quit" in err, err)
out = {n: res.out[n].strip() for n in ("wild", "codegen", "work")}
c.true("wild: " + out["wild"], " 0 reads not all ones ok" in out["wild"])
c.true("codegen: " + out["codegen"],
       out["codegen"].startswith("codegen ") and
       out["codegen"].endswith(" calls ok"))
# The cache must really have overflowed: one pass over the buffer is
# 65536 distinct blocks, far more than 64K of host code holds.  (d=stats
# would count the flushes, but only the single-guest path prints it.)
calls = int(out["codegen"].split()[1]) if out["codegen"].endswith(
    " calls ok") else 0
c.true("codegen: %d fresh blocks through 64K" % calls, calls >= 65536)
got = [l for l in out["work"].splitlines() if "checksum" in l]
c.true("the worker's checksum is right (%s)" % ref,
       ref and got == [ref], "got %s" % got)
tb = res.last("codegen")["tb-bytes"] if res.last("codegen") else 0
c.true("codegen code cache within 64K: %d bytes" % tb, 0 < tb <= 65536)

# The counter's code cache is its own: codegen's flushes it many times a
# second, the counter's keeps its ~200 blocks, never flushed nor
# translated again.  (Counted, not timed: host load cannot move it.)
def jit(name):
    m = re.search(r"(\d+) translated.*?(\d+) flushes", res.hmp.get(
        "info jit " + name, ""), re.S)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


(cnt_tbs, cnt_flushes), (_, cg_flushes) = jit("cnt"), jit("codegen")
c.true("codegen's code cache flushed: %s times" % cg_flushes,
       cg_flushes and cg_flushes >= 10)
c.true("the counter's code cache beside it: %s blocks translated, %s "
       "flushes" % (cnt_tbs, cnt_flushes),
       cnt_tbs is not None and cnt_tbs < 1000 and cnt_flushes == 0)

w1 = beside(res)
w2 = ref_res.align(w1) if w1 else None
print("counter beside wild and codegen %s; alone, at the same time, %s" %
      (w1, w2))
if c.true("windows with the counter beside them and alone", w1 and w2):
    # Over the seconds in which the host kept neither worker waiting long
    # for a CPU (schedlib.host_trouble): in the others a guest's speed
    # per CPU second drifts too much for a 10% margin.
    good = [iv for iv in res.seconds(w1) if ref_res.align(iv) and
            not S.host_trouble(res, iv) and
            not S.host_trouble(ref_res, ref_res.align(iv))]

    def speed(r, ivs):
        return (sum(r.units("cnt", iv) for iv in ivs) /
                sum(r.cpu_ns("cnt", iv) for iv in ivs))
    if good:
        c.check("counter speed beside them, of its speed alone (%d s)" %
                len(good), 100.0 * speed(res, good) /
                speed(ref_res, [ref_res.align(iv) for iv in good]), 100, 10)
    else:
        c.note("counter speed beside them, of its speed alone: %.1f%%; the "
               "host kept a worker waiting long for a CPU in every second "
               "(not checked)" % (100.0 * speed(res, [w1]) /
                                  speed(ref_res, [w2])))
    # Equal weights: a third each among the three that run throughout.
    ns = {n: res.cpu_ns(n, w1) for n in NOISY + ("cnt",)}
    c.check("counter share among wild/codegen/counter by cpu-ns",
            100.0 * ns["cnt"] / sum(ns.values()), 100.0 / 3, 5)
sys.exit(0 if c.ok else 1)
PY
