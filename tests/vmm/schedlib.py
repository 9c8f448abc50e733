"""Run softvisor with several guests and judge its scheduler by what the
guests themselves did (tests/vmm/check-*.sh; docs/SCHEDULER.md, "How the
tests judge").

The guest is tests/vmm/build/counter.elf.  Its timed modes print "at US N"
(host time in microseconds by its rdtsc, units of work so far) at most
every 20 ms while they run, "warm US" once they run at their steady
speed, and "total N" at the end.

Why the checks hold on a loaded host:

- Shares among guests that run the same program on one worker are judged
  by their relative iteration counts over one window of wall time: host
  load slows the worker, and so every guest, alike.
- A cap or a reservation is a fraction of one host CPU in wall time, so
  it is judged against wall time: the guest's part of the worker's work
  (its iterations over those of all guests running the same program)
  times the worker's CPU time, over the time, second by second, in the
  seconds in which the host left the worker what the limit needs.  Load
  that leaves the worker less CPU shrinks the others' part, not the
  capped guest's.
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
        self.snaps = {}
        self.rc = None
        self.wall = 0.0
        self.cpu = 0.0
        self.worker_stat = []  # (seconds since start, run, wait ns, runs)
        self.hmp = {}
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

    def window(self, names, start=1.0, margin=0.1, where=None,
               samples=20):
        """The longest window between two report snapshots in which every
        guest of NAMES is warm and running (and WHERE(snapshot), if
        given, holds at both ends and between), and has printed at least
        SAMPLES progress lines: (t0, t1), or None.  A guest's progress
        between two lines is interpolated, so the error at each end is
        at most the work between two lines: with SAMPLES of them in the
        window, a few percent of the guest's work in it at worst (rep's
        instructions take up to 50 ms of CPU each).  Report times and the
        guests' rdtsc both count from about the process's start (the
        guests' from their creation, a few ms later)."""
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
        if best and any(sum(1 for t, _ in self.samples[n]
                            if best[0] <= t <= best[1]) < samples
                        for n in names):
            return None
        return best

    def seconds(self, w):
        """The intervals between consecutive report snapshots in window
        W: load on a shared host changes from one second to the next, so
        what the host left the worker is judged second by second."""
        ts = [t for t in sorted(self.snaps) if w[0] <= t <= w[1]]
        return list(zip(ts, ts[1:]))

    def align(self, w):
        """This run's report times nearest to those of window W of another
        run started at about the same moment (within 0.5 s: on a loaded
        host one may start that much later), or None."""
        out = []
        for t in w:
            near = [u for u in self.snaps if abs(u - t) < 0.5]
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


def thread_stat(pid, name):
    """The host kernel's schedstat for thread NAME of process PID: ns on a
    CPU, ns waiting for one while runnable, times run; or None."""
    base = "/proc/%d/task" % pid
    try:
        for tid in os.listdir(base):
            if open("%s/%s/comm" % (base, tid)).read().strip() == name:
                return [int(x) for x in
                        open("%s/%s/schedstat" % (base, tid)).read().split()]
    except OSError:
        pass
    return None


def qmp(path, commands):
    """A QMP session: each of COMMANDS (name, arguments) in turn; their
    replies, or None if the session could not be had."""
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(path)
        f = s.makefile("rw")
        f.readline()
        replies = []
        for cmd, args in [("qmp_capabilities", {})] + list(commands):
            f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
            f.flush()
            while True:
                r = json.loads(f.readline())
                if "event" not in r:
                    break
            replies.append(r)
        s.close()
        return replies[1:]
    except (OSError, ValueError):
        return None


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

    def sample(self):
        """Note the worker thread's schedstat now."""
        st = thread_stat(self.p.pid, "worker0")
        if st:
            self.res.worker_stat.append((time.monotonic() - self.t0, *st))

    def quit(self, hmp=()):
        """End the run through QMP (as a user would), after the HMP
        commands HMP (their output in res.hmp)."""
        self.sample()
        if not self.running():
            return
        cmds = [("human-monitor-command", {"command-line": h}) for h in hmp]
        replies = qmp(self.qmp, cmds + [("quit", {})])
        if replies is None:
            self.p.terminate()
            return
        for h, r in zip(hmp, replies):
            self.res.hmp[h] = r.get("return", "")

    def finish(self):
        """Wait for the end; the Result."""
        res = self.res
        if self.p.returncode is not None:
            # Reaped by running(): it ended by itself; no CPU figure.
            res.wall = time.monotonic() - self.t0
            res.rc = self.p.returncode
        else:
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


def run(tmp, guests, names, window=None, start=1.0, until=None, limit=30.0,
        args=(), beside=None, hmp=(), samples=20):
    """Run softvisor on one worker with GUESTS and judge NAMES.  With
    WINDOW (seconds) the guests are expected to run until told: the run
    is ended through QMP as soon as the report has a window of that
    length in which every guest of NAMES is warm and running and has
    printed SAMPLES progress lines (UNTIL(result) decides instead, if
    given), or after LIMIT seconds.  Without either, the run ends by
    itself.  The HMP commands HMP run just before the end.  BESIDE, a
    (tmp, guests, names) triple, is a second softvisor run at the same
    time, ended with the first: a yardstick measured on the same host.
    Returns the Result, or the pair of Results with BESIDE."""
    if window and not until:
        until = has_window(window, lambda r: r.window(names, start,
                                                      samples=samples))
    runs = [Run(tmp, guests, names, args)]
    if beside:
        runs.append(Run(*beside, args=args))
    main = runs[0]
    while main.running() and time.monotonic() - main.t0 < limit:
        time.sleep(0.2)
        for r in runs:
            r.sample()
        main.res.reload()
        if until and until(main.res):
            break
    for r in runs:
        r.quit(hmp if r is main else ())
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

    def at_most(self, what, got, limit, unit="%"):
        good = got is not None and got <= limit
        self.ok &= good
        print("%s %s: %s (want at most %.1f)" %
              ("PASS" if good else "FAIL", what,
               "none" if got is None else "%.1f%s" % (got, unit), limit))
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


def iter_fraction(res, w, name, same):
    """NAME's CPU as a percentage of one host CPU over window W, judged by
    iterations: its part of the iterations of SAME (guests running the
    same program on the same worker, NAME among them) times their CPU
    time in the window (the report's), over the window's length; or
    None.  With W None (a run that had no window, to show how far off it
    was): over the whole run, with the process's CPU and wall time as
    the host kernel measured them."""
    it = {n: res.units(n, w) for n in same}
    if w is None:
        ns, span = res.cpu * 1e9, res.wall * 1e9
    else:
        ns = sum(res.cpu_ns(n, w) for n in same)
        span = (w[1] - w[0]) * 1e9
    if not sum(it.values()) or span <= 0:
        return None
    return 100.0 * it[name] / sum(it.values()) * ns / span


def report_fraction(res, w, name):
    """NAME's CPU in window W by the report, in percent of one CPU."""
    return 100.0 * res.cpu_ns(name, w) / ((w[1] - w[0]) * 1e9)


def host_fraction(res, w):
    """The worker thread's CPU time in window W as the host kernel counts
    it (schedstat, sampled by run() every 0.2 s), in percent of one CPU;
    or None."""
    s = [x for x in res.worker_stat if w[0] - 0.1 <= x[0] <= w[1] + 0.1]
    if len(s) < 2:
        return None
    return 100.0 * (s[-1][1] - s[0][1]) / ((s[-1][0] - s[0][0]) * 1e9)


# The host is too busy for a guest to be held to a lower bound in a
# second in which it kept the worker waiting for a CPU, while the worker
# had work, more than a quarter of the time, or more than 1.5 ms a time
# on average.  The cap and reservation clocks forgive at most 10 slices
# (20 ms) of lag, so long or frequent waits cost a guest time it cannot
# catch up, and a guest's speed per CPU second then drifts by 20% from
# one second to the next, and between two runs at the same moment.  Two
# "nice yes" (nice 10) on the two CPUs take about a tenth of the time
# from the worker (nice 0) in waits well under 1 ms; a load average of
# 5-10 on this 2-CPU machine takes half of it or more, 4-9 ms a wait.
# Measured: reserve=40 beside three weight-4 guests got 40.0-40.2% in
# seconds with waits of 0.2-0.9 ms, 29-31% with waits of 4-9 ms.
WAIT_FRACTION = 0.25
WAIT_MS = 1.5


def host_trouble(res, iv, need=0):
    """Why the host left the worker too little in interval IV (one second
    of a window) for a guest to reach a limit that needs NEED percent of
    a CPU from the worker, or None."""
    ss = [x for x in res.worker_stat if iv[0] - 0.1 <= x[0] <= iv[1] + 0.1]
    if len(ss) >= 2 and ss[-1][0] > ss[0][0]:
        wait = ss[-1][2] - ss[0][2]
        frac = wait / ((ss[-1][0] - ss[0][0]) * 1e9)
        if frac > WAIT_FRACTION:
            return "waited %.0f%% of the time for a CPU" % (100 * frac)
        if ss[-1][3] > ss[0][3] and wait / (ss[-1][3] - ss[0][3]) > \
                WAIT_MS * 1e6:
            return "waited %.1f ms a time for a CPU" % (
                wait / (ss[-1][3] - ss[0][3]) / 1e6)
    worker = 100.0 * res.worker_ns(iv) / ((iv[1] - iv[0]) * 1e9)
    if worker < need:
        return "had %.0f%% of a CPU, under the %d%% needed" % (worker, need)
    return None


def limit_check(c, what, frac, pct, margin, res, w, need, is_cap):
    """A cap or reservation of PCT percent of one CPU, FRAC(interval) the
    guest's CPU in it (percent of one CPU).  Judged over the seconds of
    window W of RES in which the host left the worker what the limit
    needs (at least NEED percent of a CPU, by the guest's weight or
    reservation, and no long waits for a CPU): there, within MARGIN of
    PCT.  In other seconds the guest cannot be expected to reach its
    limit, and a NOTE says which and why.  A cap is also an upper bound
    over the whole window, whatever the host did."""
    good, bad = [], []
    for iv in res.seconds(w):
        why = host_trouble(res, iv, need)
        if why:
            bad.append("%.0f-%.0f s: the worker %s" % (iv[0], iv[1], why))
        else:
            good.append(iv)
    ok = True
    if bad:
        c.note("%s: seconds left out: %s" % (what, "; ".join(bad)))
    if good:
        vals = [frac(iv) for iv in good]
        got = None if None in vals else sum(
            v * (iv[1] - iv[0]) for v, iv in zip(vals, good)) / sum(
            iv[1] - iv[0] for iv in good)
        ok = c.check("%s (%d s)" % (what, len(good)), got, pct, margin)
    else:
        c.note("%s: no second to judge the limit in" % what)
    if is_cap:
        ok &= c.at_most(what + ", whole window", frac(w), pct + margin)
    return ok
