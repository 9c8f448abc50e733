#!/usr/bin/env python3
"""Serial output speed (docs/PERFORMANCE.md, "Serial output").

A guest writes MIB MiB to COM1 byte by byte, in 64-byte lines, as a driver
does (tests/vmm/counter.c, "flood"), with COM1 on null (the guest's own
speed), on a file, and on a unix socket that a client reads
(tests/chardev/sock-read.py).  For each: softvisor's wall time and CPU time
(user + system, all threads), less those of an empty run; MiB/s by both;
the median of REPS runs.  CPU time is what a loaded host moves least.

    python3 tests/chardev/serial-speed.py [MIB]       (default 64)
    REPS=5 SOFTVISOR=other/softvisor python3 tests/chardev/serial-speed.py 4
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SV = os.environ.get("SOFTVISOR", "./softvisor")
E = "tests/vmm/build/counter.elf"
MIB = int(sys.argv[1]) if len(sys.argv) > 1 else 64
REPS = int(os.environ.get("REPS", "3"))
tmp = tempfile.mkdtemp()


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(backend, nbytes):
    """(wall s, cpu s, bytes a socket client got) of one run."""
    append = "flood bytes=%d" % nbytes
    reader = None
    if backend == "null":
        serial = "null"
    elif backend == "file":
        serial = "file:" + os.path.join(tmp, "out")
    else:
        sock = os.path.join(tmp, "s.sock")
        if os.path.exists(sock):
            os.unlink(sock)
        reader = subprocess.Popen(
            [sys.executable, "tests/chardev/sock-read.py", sock,
             os.path.join(tmp, "got")], stdout=subprocess.PIPE)
        serial = "unix:" + sock
        append += " wait"
    c0, t0 = cpu(), time.monotonic()
    sv = subprocess.Popen([SV, "-nographic", "-kernel", E, "-append", append,
                           "-serial", serial],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sv.wait()
    wall = time.monotonic() - t0
    # Before the reader is waited for: softvisor's CPU alone.
    used = cpu() - c0
    got = None
    if reader:
        got = int(reader.communicate()[0].split()[0])
    return wall, used, got


def median_run(backend, nbytes):
    runs = [run(backend, nbytes) for _ in range(REPS)]
    return (statistics.median(r[0] for r in runs),
            statistics.median(r[1] for r in runs), runs[-1][2])


ew, ec, _ = median_run("null", 0)
with open("/proc/loadavg") as f:
    load = " ".join(f.read().split()[:3])
print("softvisor %s, %d MiB, %d runs each; empty run %.3f s wall, %.3f s "
      "CPU; load %s" % (SV, MIB, REPS, ew, ec, load))
for b in ("null", "file", "unix"):
    w, c, got = median_run(b, MIB << 20)
    extra = "" if got is None else ", the client got %d bytes" % got
    print("%-4s %7.3f s wall %7.2f MiB/s   %7.3f s CPU %7.2f MiB/s%s"
          % (b, w, MIB / (w - ew), c, MIB / max(c - ec, 1e-3), extra))
