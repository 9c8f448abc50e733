#!/bin/bash
# The benchmark suite: softvisor (JIT and interpreter) against
# qemu-system-i386 (TCG) on the same multiboot guests.
#
# For each workload tests/bench/build/NAME.elf (make bench-guests), the
# reference checksum is the one recorded in tests/refs/bench.txt (from the
# native twin NAME.native; make record-refs), so it is known on hosts that
# cannot run i386 binaries; where they run (./configure's I386_RUNS, or
# I386_RUNNER), the native twin runs once too and must give the recorded
# checksum, and the recorded line must be from the current sources; then,
# REPS times, every emulator runs the guest in turn (alternating, so drift
# in the host's speed hits all of them alike), each run timed from process
# start to exit.  The empty guest runs in every round too, and the median
# of its times on each emulator (start-up and exit: firmware, loader,
# process creation) is subtracted from that emulator's medians.
#
# Every run must print the recorded "checksum NAME XXXXXXXX (self-checks
# ok)" line and end with isa-debug-exit status 1 (guest code 0); anything
# else stops the suite with an error.
#
# Environment:
#   REPS           runs per workload and emulator (default 3)
#   WORKLOADS      workload names (default: every tests/bench/progs/*.c
#                  but empty)
#   EMULATORS      subset of "jit interp qemu" (default: all three); jit is
#                  skipped with a note when softvisor has no JIT backend
#   OUT            markdown results (default tests/bench/results.md)
#   SOFTVISOR      the binary (default ./softvisor)
#   QEMU           default qemu-system-i386; installed with apt-get
#                  (package qemu-system-x86) when missing and run as root
#   BENCH_TIMEOUT  seconds per run (default 600)
#
# Run from anywhere; paths are relative to the repository root.

set -u

cd "$(dirname "$0")/../.." || exit 1
. tests/oracle.sh
oracle_choose || exit 1

REPS=${REPS:-3}
EMULATORS=${EMULATORS:-jit interp qemu}
OUT=${OUT:-tests/bench/results.md}
SOFTVISOR=${SOFTVISOR:-./softvisor}
QEMU=${QEMU:-qemu-system-i386}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}
PROGS=tests/bench/progs
BUILD=tests/bench/build

die() {
    echo "run-bench: $*" >&2
    exit 1
}

note() {
    echo "run-bench: $*" >&2
}

case $REPS in
    '' | *[!0-9]* | 0) die "REPS must be a positive integer (got '$REPS')" ;;
esac

if [ -n "${WORKLOADS:-}" ]; then
    workloads=$WORKLOADS
else
    workloads=$(for f in "$PROGS"/*.c; do
        n=$(basename "$f" .c)
        [ "$n" != empty ] && echo "$n"
    done)
fi
workloads=$(echo $workloads)
[ -n "$workloads" ] || die "no workloads in $PROGS"

for n in empty $workloads; do
    [ -f "$BUILD/$n.elf" ] || die "missing $BUILD/$n.elf (make bench-guests)"
    [ "$I386_ORACLE" = recorded ] || [ -x "$BUILD/$n.native" ] ||
        die "missing $BUILD/$n.native (make bench-guests)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# ---- the emulators ----

emus=""
notes=""
for e in $EMULATORS; do
    case $e in
        jit | interp)
            [ -x "$SOFTVISOR" ] ||
                die "softvisor binary $SOFTVISOR is missing (make softvisor)"
            ;;
        qemu)
            if ! command -v "$QEMU" >/dev/null 2>&1; then
                if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
                    note "$QEMU not found; installing qemu-system-x86"
                    export DEBIAN_FRONTEND=noninteractive
                    apt-get install -y qemu-system-x86 >"$tmp/apt.log" 2>&1 ||
                        { apt-get update >>"$tmp/apt.log" 2>&1 &&
                          apt-get install -y qemu-system-x86 \
                              >>"$tmp/apt.log" 2>&1; } ||
                        { tail -n 5 "$tmp/apt.log" >&2;
                          die "could not install qemu-system-x86"; }
                fi
                command -v "$QEMU" >/dev/null 2>&1 ||
                    die "$QEMU not found: install the qemu-system-x86" \
                        "package (apt-get install qemu-system-x86, as root)" \
                        "or set QEMU, or leave qemu out of EMULATORS"
            fi
            ;;
        *)
            die "unknown emulator '$e' (EMULATORS: jit interp qemu)"
            ;;
    esac
    case " $emus " in
        *" $e "*) continue ;;
    esac
    emus="$emus $e"
done
emus=$(echo $emus)
[ -n "$emus" ] || die "EMULATORS is empty"

# The command line of one run: emu_cmd EMU ELF
emu_cmd() {
    case $1 in
        jit | interp)
            echo "$SOFTVISOR -accel $1 -kernel $2 -nographic -no-reboot -m 128M"
            ;;
        qemu)
            echo "$QEMU -accel tcg -kernel $2 -nographic" \
                "-device isa-debug-exit,iobase=0xf4,iosize=0x04" \
                "-no-reboot -m 128M"
            ;;
    esac
}

# softvisor without a JIT says so and exits 1 before it runs anything.
case " $emus " in
    *" jit "*)
        $SOFTVISOR -accel jit -kernel "$BUILD/empty.elf" -nographic \
            -no-reboot -m 128M </dev/null >"$tmp/jit.out" 2>"$tmp/jit.err"
        rc=$?
        if [ "$rc" = 1 ] && grep -q "JIT backend is not in this version" \
                "$tmp/jit.err"; then
            note "skipping jit: $(head -n 1 "$tmp/jit.err")"
            notes="softvisor has no JIT backend yet (\`-accel jit\`: the JIT backend is not in this version); its columns are empty."
            emus=$(echo " $emus " | sed 's/ jit / /')
            emus=$(echo $emus)
            [ -n "$emus" ] || die "nothing left to run without jit"
        fi
        ;;
esac

# ---- the reference checksums ----

BENCH_REFS=$REFS/bench.txt
[ -f "$BENCH_REFS" ] || die "missing $BENCH_REFS (make record-refs RECORD=bench)"
echo "run-bench: oracle: recorded checksums ($BENCH_REFS, recorded:" \
    "$(ref_recorded "$BENCH_REFS"))"
[ "$I386_ORACLE" = native ] &&
    echo "run-bench: and the native twins: $I386_ORACLE_DESC"
declare -A want
for n in empty $workloads; do
    ref=$(grep "^$n " "$BENCH_REFS" | tail -n 1)
    [ -n "$ref" ] ||
        die "no recorded checksum of $n in $BENCH_REFS (make record-refs RECORD=bench)"
    [ "$(echo "$ref" | cut -d' ' -f2)" = "$(oracle_hash $(bench_sources "$n"))" ] ||
        die "stale checksum of $n in $BENCH_REFS: recorded from other sources (make record-refs RECORD=bench)"
    want[$n]=$(echo "$ref" | cut -d' ' -f3-)
    [ "$I386_ORACLE" = native ] || continue
    # shellcheck disable=SC2086
    $I386_RUN "$BUILD/$n.native" >"$tmp/native.out" 2>&1
    rc=$?
    line=$(grep -a -o "checksum $n [0-9a-f]\{8\} (self-checks ok)" \
        "$tmp/native.out" | tail -n 1)
    if [ "$rc" != 0 ] || [ -z "$line" ]; then
        sed -n '1,15s/^/    /p' "$tmp/native.out" >&2
        die "native $n failed (status $rc)"
    fi
    [ "$line" = "${want[$n]}" ] ||
        die "stale checksum of $n in $BENCH_REFS: '${want[$n]}', native '$line' (make record-refs RECORD=bench)"
done

# ---- the runs ----

now_ns() {
    date +%s%N
}

# run_one EMU NAME REP: time one run, check it, append to $tmp/times.
run_one() {
    local emu=$1 n=$2 rep=$3 cmd t0 t1 rc got secs
    cmd=$(emu_cmd "$emu" "$BUILD/$n.elf")
    t0=$(now_ns)
    timeout "$BENCH_TIMEOUT" $cmd </dev/null >"$tmp/run.out" 2>"$tmp/run.err"
    rc=$?
    t1=$(now_ns)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    got=$(tr -d '\r' <"$tmp/run.out" |
        grep -a -o "checksum $n [0-9a-f]\{8\} ([a-z0-9 -]*)" | tail -n 1)
    if [ "$rc" != 1 ] || [ "$got" != "${want[$n]}" ]; then
        {
            echo "run-bench: FAIL $n under $emu (rep $rep, status $rc," \
                "$secs s)"
            echo "    command:  $cmd"
            echo "    expected: ${want[$n]}"
            echo "    emulator: ${got:-(no checksum line)}"
            tr -d '\r' <"$tmp/run.out" | grep -a -v '^$' | tail -n 8 |
                sed 's/^/    out: /'
            sed -n '1,8s/^/    err: /p' "$tmp/run.err"
        } >&2
        exit 1
    fi
    echo "$emu $n $secs" >>"$tmp/times"
    printf '  rep %d/%d  %-10s %-7s %8s s\n' "$rep" "$REPS" "$n" "$emu" "$secs"
}

echo "run-bench: workloads: $workloads"
echo "run-bench: emulators: $emus; $REPS rep(s); empty guest subtracted"
: >"$tmp/times"
for rep in $(seq 1 "$REPS"); do
    for n in empty $workloads; do
        for emu in $emus; do
            run_one "$emu" "$n" "$rep"
        done
    done
done

# ---- the table ----

# Medians minus the empty guest's median, per emulator: "EMU NAME SECS".
awk '
    { t[$1 " " $2, ++cnt[$1 " " $2]] = $3 }
    END {
        for (k in cnt) {
            n = cnt[k]
            for (i = 1; i <= n; i++) {
                v[i] = t[k, i]
            }
            for (i = 2; i <= n; i++) {          # insertion sort
                x = v[i]
                for (j = i - 1; j >= 1 && v[j] > x; j--) {
                    v[j + 1] = v[j]
                }
                v[j + 1] = x
            }
            med[k] = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        for (k in med) {
            split(k, p, " ")
            if (p[2] != "empty") {
                printf "%s %s %.3f\n", p[1], p[2], med[k] - med[p[1] " empty"]
            }
        }
        for (k in med) {
            split(k, p, " ")
            if (p[2] == "empty") {
                printf "%s %s %.3f\n", p[1], p[2], med[k]
            }
        }
    }' "$tmp/times" >"$tmp/medians"

# table FORMAT: "text" for the terminal, "md" for $OUT.
table() {
    awk -v fmt="$1" -v emus="$emus" -v workloads="$workloads" '
        function cell(x) { return x == "" ? "-" : sprintf("%.3f", x) }
        function ratio(a, b) {
            if (a == "" || b == "" || a <= 0 || b <= 0) {
                return "-"
            }
            return sprintf("%.2f", a / b)
        }
        function row(c, n, i, s) {
            if (fmt == "md") {
                s = "|"
                for (i = 1; i <= n; i++) {
                    s = s " " c[i] " |"
                }
            } else {
                s = sprintf("%-10s", c[1])
                for (i = 2; i <= n; i++) {
                    s = s sprintf(" %12s", c[i])
                }
            }
            print s
        }
        { sec[$1, $2] = $3 }
        END {
            split("qemu interp jit", cols, " ")
            ne = split(emus, e, " ")
            for (i = 1; i <= ne; i++) {
                have[e[i]] = 1
            }
            h[1] = "workload"; h[2] = "qemu (s)"; h[3] = "interp (s)"
            h[4] = "jit (s)"; h[5] = "jit/qemu"; h[6] = "interp/jit"
            h[7] = "interp/qemu"
            row(h, 7)
            if (fmt == "md") {
                for (i = 1; i <= 7; i++) {
                    d[i] = i == 1 ? "---" : "---:"
                }
                row(d, 7)
            }
            nw = split(workloads, w, " ")
            for (i = 1; i <= 3; i++) {
                lsum[cols[i]] = 0; lcnt[cols[i]] = 0
            }
            split("jq ij iq", rk, " ")
            for (i = 1; i <= 3; i++) {
                rsum[rk[i]] = 0; rcnt[rk[i]] = 0
            }
            for (k = 1; k <= nw; k++) {
                c[1] = w[k]
                for (i = 1; i <= 3; i++) {
                    x[cols[i]] = have[cols[i]] ? sec[cols[i], w[k]] : ""
                    c[i + 1] = cell(x[cols[i]])
                    if (x[cols[i]] != "" && x[cols[i]] > 0) {
                        lsum[cols[i]] += log(x[cols[i]]); lcnt[cols[i]]++
                    }
                }
                c[5] = ratio(x["jit"], x["qemu"])
                c[6] = ratio(x["interp"], x["jit"])
                c[7] = ratio(x["interp"], x["qemu"])
                for (i = 1; i <= 3; i++) {
                    if (c[i + 4] != "-") {
                        rsum[rk[i]] += log(c[i + 4]); rcnt[rk[i]]++
                    }
                }
                row(c, 7)
            }
            c[1] = fmt == "md" ? "**geomean**" : "geomean"
            for (i = 1; i <= 3; i++) {
                c[i + 1] = "-"
                if (lcnt[cols[i]]) {
                    c[i + 1] = sprintf("%.3f", \
                        exp(lsum[cols[i]] / lcnt[cols[i]]))
                }
                c[i + 4] = "-"
                if (rcnt[rk[i]]) {
                    c[i + 4] = sprintf("%.2f", exp(rsum[rk[i]] / rcnt[rk[i]]))
                }
            }
            row(c, 7)
            c[1] = "(empty)"
            for (i = 1; i <= 3; i++) {
                x[cols[i]] = have[cols[i]] ? sec[cols[i], "empty"] : ""
                c[i + 1] = cell(x[cols[i]])
                c[i + 4] = ""
            }
            row(c, 7)
        }' "$tmp/medians"
}

echo
echo "Median seconds over $REPS rep(s), minus the empty guest's median" \
    "(last row: that median)."
table text
[ -n "$notes" ] && echo "Note: $notes"

{
    echo "# softvisor benchmark results"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU(s):" \
        "$(grep -m 1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')."
    echo "$($SOFTVISOR --version 2>/dev/null | head -n 1);" \
        "$($QEMU --version 2>/dev/null | head -n 1)."
    echo "REPS=$REPS, emulators: $emus.  Median seconds per run, minus the"
    echo "median of the empty guest on the same emulator (last row: that"
    echo "median).  Checksums of every run matched the recorded ones"
    echo "(tests/refs/bench.txt)."
    echo
    table md
    if [ -n "$notes" ]; then
        echo
        echo "Note: $notes"
    fi
} >"$OUT" || die "cannot write $OUT"
echo "run-bench: wrote $OUT"
