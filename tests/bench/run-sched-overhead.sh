#!/bin/sh
# Scheduling overhead (issue 4 acceptance): 8 guests running the same
# benchmark guest on -sched-threads 1, against 8 runs of it one after
# another.  Prints both wall times and the ratio; within 1.10 passes.
#   WORKLOAD  a tests/bench/build/NAME.elf (default sieve; make bench-guests)
#   N         guests (default 8)
cd "$(dirname "$0")/../.." || exit 1
SV=${SOFTVISOR:-./softvisor}
W=${WORKLOAD:-sieve}
N=${N:-8}
E=tests/bench/build/$W.elf
[ -f "$E" ] || { echo "no $E: run make bench-guests" >&2; exit 1; }
now() { date +%s.%N; }

t0=$(now)
i=0
while [ $i -lt $N ]; do
    $SV -kernel "$E" -serial null || [ $? = 1 ] || exit 1
    i=$((i + 1))
done
t1=$(now)
args=""
i=0
while [ $i -lt $N ]; do
    args="$args -guest name=g$i,kernel=$E,serial=null"
    i=$((i + 1))
done
# shellcheck disable=SC2086
$SV -sched-threads 1 $args 2>/dev/null || exit 1
t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$N" -v w="$W" 'BEGIN {
    seq = b - a; par = c - b; r = par / seq;
    printf "%s: %d sequential runs %.2f s, %d guests on one worker %.2f s, ratio %.3f %s\n",
        w, n, seq, n, par, r, (r <= 1.10 ? "(within 10%)" : "(OVER 10%)");
    exit (r <= 1.10 ? 0 : 1) }'
