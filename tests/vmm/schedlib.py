"""Run softvisor with several guests and judge its scheduler by what the
guests themselves did (tests/vmm/check-*.sh; docs/SCHEDULER.md, "How the
tests judge").

The guest is tests/vmm/build/counter.elf.  Its timed modes print "at US N"
(host time in microseconds by its rdtsc, units of work so far) at most
every 20 ms while they run, "warm US" once their first pass has touched
all their memory, and "total N" at the end.

Why the checks hold on a loaded host:

- Shares among guests that run the same program on one worker are judged
  by their relative iteration counts over one window of wall time: host
  load slows the worker, and so every guest, alike.
- A cap or a reservation is a fraction of one host CPU in wall time, so
  it is judged against wall time: the guest's part of the worker's work in
  the window (its iterations over those of all guests running the same
  program) times the worker's CPU time in the window, over the window's
  length.  Load that leaves the worker less CPU shrinks the others' part,
  not the capped guest's.  When the worker got too little CPU for the
  guest to reach its limit, only the upper bound is checked (and said).
- The window starts once every guest is warm (the host's first touch of a
  page costs ~15 us here, so a guest's first pass is far slower than the
  next) and ends before any guest ends; a run goes on until it has such a
  window of the length asked for, so a slow host makes the run longer,
  not the check wrong.
"""

import json
import os
import re
import socket
import subprocess
import time

SV = os.environ.get("SOFTVISOR", "./softvisor")
GUEST = "tests/vmm/build/counter.elf"


class Result:
    """What one softvisor run left: the guests' outputs, the report, the
    exit status, and the process's wall and CPU time."""

    def __init__(self, tmp, names):
        self.tmp = tmp
        self.names = names
        self.out = {}
        self.samples = {}
        self.warm = {}
        self.total = {}
        self.snaps = {}
        self.rc = None
        self.wall = 0.0
        self.cpu = 0.0
        self.worker_cpu = None
        self.worker_wall = None
        self.stderr = ""
        self.reload()

    def reload(self):
        outs = [f[:-4] for f in os.listdir(self.tmp) if f.endswith(".out")]
        for n in set(self.names) | set(outs):
            path = os.path.join(self.tmp, n + ".out")
            text = ""
            if os.path.exists(path):
                text = open(path, errors="replace").read()
            self.out[n] = text
            self.samples[n] = [(int(a) / 1e6, int(b)) for a, b in
                               re.findall(r"^at (\d+) (\d+)$", text, re.M)]
            m = re.search(r"^warm (\d+)$", text, re.M)
            self.warm[n] = int(m.group(1)) / 1e6 if m else None
            m = re.search(r"^total (\d+)", text, re.M)
            self.total[n] = int(m.group(1)) if m else None
        self.snaps = {}
        path = os.path.join(self.tmp, "report.json")
        if os.path.exists(path):
            for line in open(path):
                if not line.endswith("\n"):
                    break  # being written
                r = json.loads(line)
                self.snaps.setdefault(r["time"], {})[r["name"]] = r

    def last(self, name):
        """The guest's last report line (its totals at the end)."""
        for t in sorted(self.snaps, reverse=True):
            if name in self.snaps[t]:
                return self.snaps[t][name]
        return None

    def units_at(self, name, t):
        """Units of work the guest had done at time T (seconds of its
        rdtsc), interpolated between its progress lines."""
        s = [(0.0, 0)] + self.samples[name]
        if t >= s[-1][0]:
            return s[-1][1]
        for (t0, n0), (t1, n1) in zip(s, s[1:]):
            if t0 <= t < t1:
                return n0 + (n1 - n0) * (t - t0) / (t1 - t0)
        return 0

    def end_time(self, name):
        """When the guest stopped reporting: the end of its run, or of the
        process."""
        return self.samples[name][-1][0] if self.samples[name] else 0.0

    def window(self, names, start=1.0, margin=0.1, where=None):
        """The longest window between two report snapshots in which every
        guest of NAMES is warm and running (and WHERE(snapshot), if
        given, holds at both ends and between): (t0, t1), or None.  Report
        times and the guests' rdtsc both count from about the process's
        start (the guests' from their creation, a few ms later)."""
        if any(self.warm[n] is None for n in names):
            return None
        first = max([start] + [self.warm[n] + margin for n in names])
        last = min(self.end_time(n) for n in names) - margin
        best, run = None, []
        for t in sorted(self.snaps):
            snap = self.snaps[t]
            if (first <= t <= last and
                    all(n in snap and snap[n]["state"] == "running"
                        for n in names) and (not where or where(snap))):
                run.append(t)
                if len(run) >= 2 and (not best or
                                      run[-1] - run[0] > best[1] - best[0]):
                    best = (run[0], run[-1])
            else:
                run = []
        return best

    def align(self, w):
        """This run's report times nearest to those of window W of another
        run started at the same moment (within 0.2 s), or None."""
        out = []
        for t in w:
            near = [u for u in self.snaps if abs(u - t) < 0.2]
            if not near:
                return None
            out.append(min(near, key=lambda u: abs(u - t)))
        return tuple(out)

    def units(self, name, w):
        """Units of work the guest did in window W; the whole run's when
        W is None (for a run with no window to show how far off it was)."""
        if w is None:
            return self.samples[name][-1][1] if self.samples[name] else 0
        return self.units_at(name, w[1]) - self.units_at(name, w[0])

    def cpu_ns(self, name, w):
        """The scheduler's CPU time for the guest in window W."""
        return (self.snaps[w[1]][name]["cpu-ns"] -
                self.snaps[w[0]][name]["cpu-ns"])

    def worker_ns(self, w):
        """The scheduler's CPU time for all guests in window W: the
        worker's (with one worker)."""
        return sum(self.cpu_ns(n, w) for n in self.snaps[w[1]]
                   if n in self.snaps[w[0]])

    def state(self, snap, name):
        return snap[name]["state"] if name in snap else None


def guest_args(name, append, tmp, keys=""):
    """One -guest option: NAME running counter.elf with APPEND on its
    command line (spaces as '/'), COM1 to TMP/NAME.out."""
    return ["-guest", "name=%s,kernel=%s,append=%s,serial=file:%s%s" %
            (name, GUEST, append.replace(" ", "/"),
             os.path.join(tmp, name + ".out"), keys)]


def thread_cpu(pid, name):
    """CPU seconds the host kernel counted for thread NAME of process PID
    (/proc/PID/task/*/schedstat, in ns), or None."""
    base = "/proc/%d/task" % pid
    try:
        for tid in os.listdir(base):
            if open("%s/%s/comm" % (base, tid)).read().strip() == name:
                return int(open("%s/%s/schedstat" % (base, tid)).read()
                           .split()[0]) / 1e9
    except OSError:
        pass
    return None


def qmp_quit(path):
    """Ask softvisor to quit through QMP; False if it could not be asked."""
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(path)
        f = s.makefile("rw")
        f.readline()
        for cmd in ("qmp_capabilities", "quit"):
            f.write(json.dumps({"execute": cmd}) + "\n")
            f.flush()
            f.readline()
        s.close()
        return True
    except OSError:
        return False


class Run:
    """One softvisor process on one worker with GUESTS (lists of arguments
    from guest_args), its guests NAMES judged; TMP holds its files."""

    def __init__(self, tmp, guests, names, args=()):
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        self.qmp = os.path.join(tmp, "qmp.sock")
        cmd = [SV, "-sched-threads", "1", "-sched-report",
               os.path.join(tmp, "report.json"),
               "-qmp", "unix:%s,server,nowait" % self.qmp] + list(args)
        for g in guests:
            cmd += g
        self.tmp = tmp
        self.err = open(os.path.join(tmp, "stderr"), "w")
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(cmd, stderr=self.err)
        self.res = Result(tmp, names)

    def running(self):
        return self.p.poll() is None

    def quit(self):
        """End the run through QMP (as a user would), first noting the
        worker's CPU time by the kernel against the wall time since
        softvisor started: what a cap means, measured without the
        scheduler's own accounting."""
        self.res.worker_cpu = thread_cpu(self.p.pid, "worker0")
        self.res.worker_wall = time.monotonic() - self.t0
        if self.running() and not qmp_quit(self.qmp):
            self.p.terminate()

    def finish(self):
        """Wait for the end; the Result."""
        res = self.res
        _, status, ru = os.wait4(self.p.pid, 0)
        res.wall = time.monotonic() - self.t0
        res.rc = os.waitstatus_to_exitcode(status)
        res.cpu = ru.ru_utime + ru.ru_stime
        self.err.close()
        res.stderr = open(os.path.join(self.tmp, "stderr")).read()
        res.reload()
        return res


def has_window(length, fn):
    """A condition for run(): FN(result) gives a window of LENGTH s."""
    return lambda r: (lambda w: w and w[1] - w[0] >= length - 0.01)(fn(r))


def run(tmp, guests, names, window=None, start=1.0, until=None, limit=20.0,
        args=(), beside=None):
    """Run softvisor on one worker with GUESTS and judge NAMES.  With
    WINDOW (seconds) the guests are expected to run until told: the run
    is ended through QMP as soon as the report has a window of that
    length in which every guest of NAMES is warm and running (UNTIL(result)
    decides instead, if given), or after LIMIT seconds.  Without either,
    the run ends by itself.  BESIDE, a (tmp, guests, names) triple, is a
    second softvisor run at the same time, ended with the first: a
    yardstick measured on the same host under the same load.  Returns the
    Result, or the pair of Results with BESIDE."""
    if window and not until:
        until = has_window(window, lambda r: r.window(names, start))
    runs = [Run(tmp, guests, names, args)]
    if beside:
        runs.append(Run(*beside, args=args))
    main = runs[0]
    while main.running() and time.monotonic() - main.t0 < limit:
        time.sleep(0.2)
        main.res.reload()
        if until and until(main.res):
            break
    for r in runs:
        r.quit()
    out = [r.finish() for r in runs]
    return (out[0], out[1]) if beside else out[0]


class Checks:
    """PASS/FAIL lines, and whether all passed."""

    def __init__(self):
        self.ok = True

    def check(self, what, got, want, margin, unit="%"):
        good = got is not None and abs(got - want) <= margin
        self.ok &= good
        print("%s %s: %s (want %.1f +- %.1f)" %
              ("PASS" if good else "FAIL", what,
               "none" if got is None else "%.1f%s" % (got, unit), want, margin))
        return good

    def at_most(self, what, got, limit):
        good = got is not None and got <= limit
        self.ok &= good
        print("%s %s: %s (want at most %.1f)" %
              ("PASS" if good else "FAIL", what,
               "none" if got is None else "%.1f%%" % got, limit))
        return good

    def true(self, what, good, detail=""):
        """A PASS/FAIL line; DETAIL (a string, or a function giving one)
        follows a failure only."""
        self.ok &= bool(good)
        if not good and callable(detail):
            detail = detail()
        print("%s %s%s" % ("PASS" if good else "FAIL", what,
                           ": " + detail if detail and not good else ""))
        return good

    def note(self, text):
        print("NOTE " + text)


def weight_shares(c, res, w, names, weights, margin=3.0, what="weights"):
    """Each guest's share of the iterations of NAMES in window W against
    its share of the weights."""
    it = {n: res.units(n, w) for n in names}
    tot = sum(it.values())
    for n, wt in zip(names, weights):
        c.check("%s %s by iterations" % (what, n),
                100.0 * it[n] / tot if tot else None,
                100.0 * wt / sum(weights), margin)
    return it


def wall_fraction(res, w, name, same):
    """NAME's CPU as a percentage of one host CPU over window W, judged by
    iterations: its part of the iterations of SAME (guests running the
    same program on the same worker, NAME among them) times their CPU
    time in the window, over the window's length.  Also returns the
    worker's CPU over wall time (percent) for those guests."""
    it = {n: res.units(n, w) for n in same}
    if w is None:
        # No window: the process's CPU and wall time as the host measured
        # them, startup included.
        ns, span = res.cpu * 1e9, res.wall * 1e9
    else:
        ns = sum(res.cpu_ns(n, w) for n in same)
        span = (w[1] - w[0]) * 1e9
    if not sum(it.values()) or span <= 0:
        return None, 0.0
    return 100.0 * it[name] / sum(it.values()) * ns / span, 100.0 * ns / span


def limit_check(c, what, got, pct, margin, worker, need, is_cap):
    """A cap or reservation of PCT percent of one CPU: within MARGIN of it
    when the worker had at least NEED percent of a CPU (WORKER) in the
    window, enough for the guest to reach its limit by its weight or
    reservation.  With less, the host took the worker's time; the guest
    then cannot be expected to reach its limit: a cap is checked as an
    upper bound only, a reservation not at all (and a NOTE says so)."""
    if worker >= need:
        return c.check(what, got, pct, margin)
    c.note("%s: %s; the worker had %.0f%% of a CPU, less than the %d%% "
           "needed (%s)" % (what, "none" if got is None else "%.1f%%" % got,
                            worker, need, "upper bound only" if is_cap
                            else "not checked"))
    if is_cap:
        return c.at_most(what, got, pct + margin)
    return True
