#!/bin/sh
# make record-refs: record the references in tests/refs/ (README.md there)
# from an oracle that is not softvisor: this host's CPU running the -m32
# programs, or the command in $I386_RUNNER (qemu-i386) standing in for it.
# Each reference file starts with "# recorded: HOW" (its MANIFEST, for the
# guest outputs), which the tests print as their oracle.
#
# Usage: sh tests/refs/record.sh [guests] [bcd] [fuzz] [bench]  (default:
#        all four); make record-refs [REFS="guests fuzz"] builds first.
#
# Environment:
#   I386_RUNNER    run the -m32 programs through this command (qemu-i386)
#   IMPORT         a directory of references recorded on silicon elsewhere
#                  (../shared/testdata/native-refs: guest-programs/NAME.out,
#                  bcd-table.bin.gz): guests and bcd take them from there
#                  instead of running them, and check them against this
#                  host's oracle where there is one (defined results only)
#   IMPORT_WHAT    how IMPORT was recorded (its README), for the
#                  "# recorded:" lines
#
# Nothing here is edited by hand: rerun this after a change to a guest
# program, the BCD table's layout, the fuzz generator or a benchmark.

set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/oracle.sh

die() {
    echo "record-refs: $*" >&2
    exit 1
}

IMPORT=${IMPORT:-}
IMPORT_WHAT=${IMPORT_WHAT:-}
parts=${*:-guests bcd fuzz bench}

I386_RUN=${I386_RUNNER:-}
if [ -n "$I386_RUN" ]; then
    runner_desc="$(${I386_RUN%% *} --version 2>/dev/null | head -n 1 | cut -d' ' -f1,3) (user-mode emulation, I386_RUNNER)"
elif [ "$(oracle_config I386_RUNS)" = yes ]; then
    runner_desc="native -m32"
else
    runner_desc=
fi
if [ -z "$runner_desc" ] && [ -z "$IMPORT" ]; then
    die "this host cannot run i386 binaries (./configure: I386_RUNS = no):" \
        "record on a host that can, or set I386_RUNNER=qemu-i386"
fi
if [ -n "$IMPORT" ]; then
    [ -d "$IMPORT" ] || die "IMPORT=$IMPORT is not a directory"
    [ -n "$IMPORT_WHAT" ] ||
        die "IMPORT needs IMPORT_WHAT: how those references were recorded"
fi

cpu=$(grep -m 1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')
host="$cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d')"

# "sources of commit X" for the files under PATHS, which the part's
# references depend on.
sources_of() {
    c=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [ -n "$(git status --porcelain -- "$@" 2>/dev/null)" ]; then
        c="$c with local changes"
    fi
    echo "sources of commit $c"
}

# how PATHS...: the "# recorded:" text of a part recorded here.
how() {
    echo "$runner_desc on $host, $(sources_of "$@")"
}

# imported PATHS...: the same for a part taken from $IMPORT.
imported() {
    d="$IMPORT_WHAT; imported from $IMPORT on $host, $(sources_of "$@")"
    if [ -n "$runner_desc" ]; then
        d="$d, and checked there against $runner_desc"
    fi
    echo "$d"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/record-refs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# ---- guest programs: the stdout and exit code of each native twin ----

record_guests() {
    dir=$REFS/guest
    mkdir -p "$dir"
    names=$(for f in tests/guest/progs/*.c; do basename "$f" .c; done)
    if [ -n "$IMPORT" ]; then
        desc=$(imported tests/guest/progs tests/guest/lib)
    else
        desc=$(how tests/guest/progs tests/guest/lib)
    fi
    {
        echo "# recorded: $desc"
        echo "# The stdout of tests/guest/build/NAME.native is NAME.out; each line:"
        echo "# NAME EXIT-CODE HASH-OF-SOURCES (tests/oracle.sh guest_sources)"
    } >"$tmp/MANIFEST"
    for n in $names; do
        status=0
        if [ -n "$runner_desc" ]; then
            [ -x "tests/guest/build/$n.native" ] ||
                die "missing tests/guest/build/$n.native (make guests)"
            # shellcheck disable=SC2086
            timeout -k 10 300 $I386_RUN "tests/guest/build/$n.native" \
                </dev/null >"$tmp/$n.out" 2>"$tmp/$n.err"
            status=$?
            [ "$status" = 0 ] ||
                die "$n.native exits $status: $(head -n 3 "$tmp/$n.err")"
        fi
        if [ -n "$IMPORT" ]; then
            src=$IMPORT/guest-programs/$n.out
            [ -f "$src" ] || die "no $src to import"
            if [ -n "$runner_desc" ] && ! cmp -s "$src" "$tmp/$n.out"; then
                diff "$src" "$tmp/$n.out" | head -n 10 >&2
                die "$src differs from $runner_desc (< import, > here)"
            fi
            cp "$src" "$tmp/$n.out"
        fi
        echo "$n $status $(oracle_hash $(guest_sources "$n"))" >>"$tmp/MANIFEST"
    done
    rm -f "$dir"/*.out
    for n in $names; do
        cp "$tmp/$n.out" "$dir/$n.out"
    done
    cp "$tmp/MANIFEST" "$dir/MANIFEST"
    echo "record-refs: guests: $(echo $names | wc -w) programs into $dir/"
    echo "    recorded: $desc"
}

# ---- the BCD table: bcd32 over every input of its layout ----

record_bcd() {
    out=$REFS/bcd-table.bin.gz
    tool=tests/unit/oracle-bcd/bcd-record
    [ -x "$tool" ] || die "missing $tool (make $tool)"
    if [ -n "$IMPORT" ]; then
        src=$IMPORT/bcd-table.bin.gz
        [ -f "$src" ] || die "no $src to import"
        if [ -n "$runner_desc" ]; then
            # shellcheck disable=SC2086
            I386_RUNNER=$I386_RUN "$tool" -c "$src" >"$tmp/bcd.log" ||
                { cat "$tmp/bcd.log" >&2; die "$src differs from $runner_desc"; }
            sed 's/^/    /' "$tmp/bcd.log"
        fi
        desc=$(imported tests/unit/oracle-bcd)
        cp "$src" "$tmp/bcd-table.bin.gz"
    else
        # shellcheck disable=SC2086
        I386_RUNNER=$I386_RUN "$tool" "$tmp/bcd-table.bin.gz" ||
            die "$tool failed"
        desc=$(how tests/unit/oracle-bcd)
    fi
    cp "$tmp/bcd-table.bin.gz" "$out"
    {
        echo "# recorded: $desc"
        echo "# $out: AX and EFLAGS after DAA DAS AAA AAS AAM AAD; layout in"
        echo "# tests/refs/README.md and tests/unit/oracle-bcd/bcd.h."
        echo "# sha256 $(gzip -dc "$out" | sha256sum | cut -d' ' -f1) (uncompressed)"
    } >"$REFS/bcd-table.txt"
    echo "record-refs: bcd: $out"
    echo "    recorded: $desc"
}

# ---- fuzz: the native state of each program make check runs ----

record_fuzz() {
    seed=$(sed -n 's/^CHECK_SEED=//p' tests/fuzz/check-fuzz-diff.sh)
    count=$(sed -n 's/^CHECK_N=//p' tests/fuzz/check-fuzz-diff.sh)
    [ -n "$seed" ] && [ -n "$count" ] ||
        die "no CHECK_SEED/CHECK_N in tests/fuzz/check-fuzz-diff.sh"
    name=fuzz-$seed.txt
    if [ -n "$IMPORT" ] && [ -f "$IMPORT/$name" ]; then
        # Its own "# recorded:" line (fuzz-record wrote it where it ran)
        # says how; the program hashes say whether it still fits.
        cp "$IMPORT/$name" "$tmp/$name"
        tests/fuzz/test-fuzz-diff -s "$seed" -n "$count" -r interp \
            -R "$tmp/$name" >"$tmp/fuzz.log" ||
            { tail -n 20 "$tmp/fuzz.log" >&2;
              die "$IMPORT/$name does not fit these sources"; }
        desc="$(ref_recorded "$tmp/$name"); imported from $IMPORT on $host"
        sed -i "1s|^# recorded: .*|# recorded: $desc|" "$tmp/$name"
    else
        [ -n "$runner_desc" ] || die "fuzz: nothing to record with"
        desc=$(how tests/fuzz)
        # shellcheck disable=SC2086
        tests/fuzz/fuzz-record "$seed" "$count" "$desc" $I386_RUN \
            tests/fuzz/native32 >"$tmp/$name" || die "fuzz-record failed"
    fi
    cp "$tmp/$name" "$REFS/$name"
    echo "record-refs: fuzz: $REFS/$name ($count programs of seed $seed)"
    echo "    recorded: $desc"
}

# ---- bench: the checksum line of each benchmark's native twin ----

record_bench() {
    out=$REFS/bench.txt
    names=$(for f in tests/bench/progs/*.c; do basename "$f" .c; done)
    if [ -n "$IMPORT" ] && [ -f "$IMPORT/bench.txt" ]; then
        desc=$(imported tests/bench tests/guest/lib)
    else
        [ -n "$runner_desc" ] || die "bench: nothing to record with"
        desc=$(how tests/bench tests/guest/lib)
    fi
    {
        echo "# recorded: $desc"
        echo "# NAME HASH-OF-SOURCES (tests/oracle.sh bench_sources) and the"
        echo "# checksum line of tests/bench/build/NAME.native"
    } >"$tmp/bench.txt"
    for n in $names; do
        line=
        if [ -n "$runner_desc" ]; then
            [ -x "tests/bench/build/$n.native" ] ||
                die "missing tests/bench/build/$n.native (make bench-guests)"
            # shellcheck disable=SC2086
            $I386_RUN "tests/bench/build/$n.native" >"$tmp/$n.out" 2>&1 ||
                die "$n.native failed: $(tail -n 3 "$tmp/$n.out")"
            line=$(grep -a -o "checksum $n [0-9a-f]\{8\} (self-checks ok)" \
                "$tmp/$n.out" | tail -n 1)
            [ -n "$line" ] || die "$n.native printed no checksum line"
        fi
        if [ -n "$IMPORT" ] && [ -f "$IMPORT/bench.txt" ]; then
            imp=$(grep -a -o "checksum $n [0-9a-f]\{8\} (self-checks ok)" \
                "$IMPORT/bench.txt" | tail -n 1)
            [ -n "$imp" ] || die "no checksum of $n in $IMPORT/bench.txt"
            [ -z "$line" ] || [ "$line" = "$imp" ] ||
                die "$n: '$imp' in $IMPORT/bench.txt, '$line' from $runner_desc"
            line=$imp
        fi
        echo "$n $(oracle_hash $(bench_sources "$n")) $line" >>"$tmp/bench.txt"
    done
    cp "$tmp/bench.txt" "$out"
    echo "record-refs: bench: $out"
    echo "    recorded: $desc"
}

for part in $parts; do
    case $part in
    guests) record_guests ;;
    bcd) record_bcd ;;
    fuzz) record_fuzz ;;
    bench) record_bench ;;
    *) die "unknown part '$part' (guests bcd fuzz bench)" ;;
    esac
done
