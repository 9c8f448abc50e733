# Which oracle stands for the host CPU in 32-bit mode.  Sourced (POSIX sh)
# by the check scripts from the repository root; the C tests make the same
# choice in tests/unit/i386-oracle.c.
#
# native    the -m32 programs (native twins, native runners) run on this
#           host, or through $I386_RUNNER; their output is the oracle, and
#           the recorded references in tests/refs/ are checked against it,
#           so that they cannot go stale unnoticed.
# recorded  this host cannot run i386 binaries: the references recorded
#           in tests/refs/ (see its README.md) are the oracle.  A missing
#           reference is a failure, never a skip.
#
# Environment:
#   I386_ORACLE=native|recorded   force one (default: native where
#                                 ./configure found that i386 binaries run)
#   I386_RUNNER="qemu-i386"       run the -m32 programs through this
#                                 command (a stand-in for the host, to
#                                 exercise the native plumbing); implies
#                                 native unless I386_ORACLE says otherwise
#
# oracle_choose sets I386_ORACLE, I386_RUN (the prefix to run an i386
# program with: empty or $I386_RUNNER) and I386_ORACLE_DESC (for the log);
# it returns nonzero with a message when the choice cannot be made.

REFS=tests/refs

# The value of KEY in config.mk ("KEY = value").
oracle_config() {
    [ -f config.mk ] && sed -n "s/^$1 = *//p" config.mk | tail -n 1
}

# The "# recorded: ..." line of a reference file, without the prefix.
ref_recorded() {
    sed -n 's/^# recorded: //p' "$1" 2>/dev/null | head -n 1
}

# A hash of FILES (16 hex digits), in the order given.
oracle_hash() {
    cat "$@" | sha256sum | cut -c1-16
}

# The sources a guest program's native twin is built from
# (tests/guest/guest.mk): its own file and the runtime.  A reference
# records their hash; a change to any of them makes it stale.
guest_sources() {
    echo "tests/guest/progs/$1.c"
    LC_ALL=C ls tests/guest/lib/*.c tests/guest/lib/*.h tests/guest/lib/*.S
}

# The sources of a benchmark's native twin (tests/bench/bench.mk).
bench_sources() {
    echo "tests/bench/progs/$1.c"
    echo tests/bench/bench.h
    LC_ALL=C ls tests/guest/lib/*.c tests/guest/lib/*.h tests/guest/lib/*.S
}

oracle_choose() {
    i386_runs=$(oracle_config I386_RUNS)
    I386_RUN=${I386_RUNNER:-}
    if [ -z "${I386_ORACLE:-}" ]; then
        if [ -n "$I386_RUN" ] || [ "$i386_runs" = yes ]; then
            I386_ORACLE=native
        elif [ "$i386_runs" = no ]; then
            I386_ORACLE=recorded
        else
            echo "oracle: config.mk has no I386_RUNS: run ./configure" >&2
            return 1
        fi
    fi
    case $I386_ORACLE in
    native)
        if [ -n "$I386_RUN" ]; then
            I386_ORACLE_DESC="native -m32 under '$I386_RUN' (I386_RUNNER, standing in for the host)"
        elif [ "$i386_runs" = yes ]; then
            I386_ORACLE_DESC="native -m32 (this host runs i386 binaries)"
        else
            I386_ORACLE_DESC="native -m32 (I386_ORACLE=native, although ./configure found that this host does not run i386 binaries)"
        fi
        ;;
    recorded)
        I386_ORACLE_DESC="recorded references"
        ;;
    *)
        echo "oracle: I386_ORACLE=$I386_ORACLE: want native or recorded" >&2
        return 1
        ;;
    esac
    return 0
}
