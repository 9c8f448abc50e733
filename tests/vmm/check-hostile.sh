#!/bin/sh
# Guests written to defeat the scheduler (issue 7, point 3): each kind
# runs as five copies on one worker, four with weights 1:1:2:4 and one
# with weight 8 and cap 20, and each must keep to its share however it
# spends its slices (tests/vmm/counter.c):
#
#   rep    every block a rep stosd/rep movsd, ECX up to 16 Mi
#   chain  one-block loops that chain to themselves (1, 3, 127 insns)
#   edge   string instructions across page ends and the end of RAM
#   spin   a loop with interrupts off
#
# And phases: a guest whose code turns a hundred times slower per
# instruction after its speed was measured, beside a counter; no slice of
# either may take more than 5 slice lengths of host CPU (the preempter
# cuts overrunning slices at two), and some of its slices were cut.
#
# Judged by the guests' own iteration counts in one window of wall time
# (tests/vmm/schedlib.py; docs/SCHEDULER.md, "How the tests judge"): the
# weighted guests' shares of the iterations within 3 points of 12.5, 12.5,
# 25 and 50; the capped guest's CPU within 2 points of 20% of one CPU
# (its part of the iterations times the worker's CPU time, over the
# seconds in which the host left the worker enough for it; at most 22%
# over the whole window in any case).  A guest that escapes its slice
# takes the worker for itself and both fail.  The window is 2 s once
# every guest is warm: rep's first rep stosd over its 64 MiB costs ~0.25 s
# of host page faults, so its weight-1 guests are warm only after ~2.5 s
# (a 6 s run, longer on a loaded host); the others take ~3.3 s.
# HOSTILE_MODES="rep edge" runs some of them.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MODES=${HOSTILE_MODES:-rep chain edge spin phases}

python3 - "$T" $MODES <<'PY'
import sys
sys.path.insert(0, "tests/vmm")
import schedlib as S

tmp, modes = sys.argv[1], sys.argv[2:]
WEIGHTED = [("w1", 1), ("w1b", 1), ("w2", 2), ("w4", 4)]
CAP, CAP_WEIGHT = 20, 8
# Progress lines each guest must have printed in the window: rep prints
# one after each long instruction, five a pass, and its passes differ in
# cost per element, so the window must hold several passes of the
# guest with the least weight.
SAMPLES = 30


def hostile(c, mode):
    names = [n for n, _ in WEIGHTED] + ["capped"]
    guests = [S.guest_args(n, mode + " secs=0", tmp, ",weight=%d" % wt)
              for n, wt in WEIGHTED]
    guests.append(S.guest_args("capped", mode + " secs=0", tmp,
                               ",weight=%d,cap=%d" % (CAP_WEIGHT, CAP)))
    res = S.run(tmp, guests, names, window=2.0, samples=SAMPLES)
    w = res.window(names, samples=SAMPLES)
    print("%s: %.1f s run, window %s" % (mode, res.wall, w))
    if not c.true("%s: a window with every guest warm and running" % mode,
                  w, "none in %.0f s; over the whole run:" % res.wall):
        print(res.stderr.strip())
        S.weight_shares(c, res, None, [n for n, _ in WEIGHTED],
                        [wt for _, wt in WEIGHTED], what=mode + " weights")
        c.check("%s cap %d by iterations" % (mode, CAP),
                S.iter_fraction(res, None, "capped", names), CAP, 2)
    else:
        S.weight_shares(c, res, w, [n for n, _ in WEIGHTED],
                        [wt for _, wt in WEIGHTED], what=mode + " weights")
        # The capped guest's weight is half of all: its cap binds when
        # half of the worker's CPU is more than the cap and its margin.
        S.limit_check(c, "%s cap %d by iterations" % (mode, CAP),
                      lambda iv: S.iter_fraction(res, iv, "capped", names),
                      CAP, 2, res, w, 2 * (CAP + 2), True)
    bad = [n for n in names if "FAIL" in res.out[n]]
    c.true("%s: every guest's own checks" % mode, not bad,
           "; ".join(res.out[n] for n in bad))
    c.true("%s: softvisor quit cleanly" % mode, res.rc == 0,
           "status %d %s" % (res.rc, res.stderr))


def phases(c):
    """A guest that runs fast code for 50 ms, then 100 ms of string
    copies through nothing (a hundred times slower per instruction), over
    and over: its slice budgets, sized from its speed so far, would last
    up to ~60 slice lengths (measured: 120 ms slices of a 2 ms target).
    The preempter cuts any slice at two slice lengths, and at most one
    more for its own wake-up; host CPU time per slice (the report's
    max-slice-ns) is not stretched by host load."""
    names = ["ph", "cnt"]
    guests = [S.guest_args("ph", "phases secs=4", tmp),
              S.guest_args("cnt", "count secs=4", tmp)]
    res = S.run(tmp, guests, names, limit=60)
    for n in names:
        r = res.last(n)
        c.at_most("phases: %s's longest slice, in slice lengths" % n,
                  r and r["max-slice-ns"] / 2e6, 5, unit="")
    r = res.last("ph")
    c.true("phases: the slow phases' slices were cut",
           r and r["preemptions"] > 0, "report: %s" % r)
    c.true("phases: softvisor ended cleanly", res.rc == 0,
           "status %s %s" % (res.rc, res.stderr))


c = S.Checks()
for m in modes:
    if m == "phases":
        phases(c)
    else:
        hostile(c, m)
sys.exit(0 if c.ok else 1)
PY
