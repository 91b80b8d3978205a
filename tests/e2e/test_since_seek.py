#!/usr/bin/env python3
"""--since on a regular file (which seeks) against the same search on standard input (which
scans), on random logs with clock jumps back and forward, lines out of place, stack traces and
several timestamp formats: the two must print the same lines with the same byte offsets. strace
shows that the file was in fact read from past its start (lseek), so the test cannot pass by
never seeking."""
import datetime
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import harness
from harness import check

LOGSIFT = harness.start()

UTC = datetime.timezone.utc


def run(*args, stdin=None):
    return harness.run(*args, stdin=stdin, timeout=120)


def run_traced(trace, *args):
    """Runs logsift under strace; returns the result and the largest offset it seeked its input to."""
    # LeakSanitizer cannot run under ptrace and would fail a sanitized build's exit status.
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    result = subprocess.run(["strace", "-e", "trace=lseek", "-o", trace, LOGSIFT, *args], capture_output=True,
                            timeout=120, env=env)
    with open(trace) as f:
        sought = [int(m.group(1)) for m in re.finditer(r"lseek\(\d+, (\d+), SEEK_SET\)", f.read())]
    return result, max(sought, default=0)


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def stamp(fmt, t):
    if fmt == "iso":
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    if fmt == "iso-space":  # no zone: read as UTC on both sides
        return t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"
    if fmt == "iso-zone":
        return (t + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    if fmt == "syslog":
        return f"{MONTHS[t.month - 1]} {t.day:2d} {t:%H:%M:%S}"
    if fmt == "apache":
        return f"10.1.2.3 - - [{t.day:02d}/{MONTHS[t.month - 1]}/{t.year}:{t:%H:%M:%S} +0000]"
    return f"{int(t.timestamp())}.{t.microsecond // 1000:03d}"  # epoch


FORMATS = ["iso", "iso-space", "iso-zone", "syslog", "apache", "epoch"]


def random_log(rng, fmt, path, eol="\n"):
    """Writes a log of 0.5-1.5 MB; returns the timestamps written (for choosing since/until)."""
    t = datetime.datetime(2026, 3, 1, tzinfo=UTC) + datetime.timedelta(seconds=rng.randrange(86400))
    out, times = [], []
    for i in range(rng.randrange(6000, 18000)):
        r = rng.randrange(1000)
        if r < 60:
            out.append(f"    at com.example.Step.run(Step.java:{rng.randrange(900)}){eol}")
            continue
        t += datetime.timedelta(milliseconds=rng.randrange(2500))
        shown = t
        if r < 62:
            t -= datetime.timedelta(minutes=20)  # the clock steps back (NTP)
        elif r < 64:
            t += datetime.timedelta(hours=3)  # ... or forward
        elif r < 67:
            shown = t + datetime.timedelta(hours=9)  # one line from the future
        elif r < 70:
            shown = t - datetime.timedelta(hours=5)  # one line from the past
        line_fmt = rng.choice(FORMATS) if r < 75 else fmt
        times.append(shown)
        out.append(f"{stamp(line_fmt, shown)} INFO [worker-{rng.randrange(16)}] request {i} done{eol}")
    with open(path, "w") as f:
        f.write("".join(out))
    return times


def when(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


tmp = tempfile.mkdtemp()
try:
    trace = os.path.join(tmp, "trace")
    rng = random.Random(1313)
    runs = sought_runs = 0
    for n in range(12):
        fmt = FORMATS[n % len(FORMATS)]
        path = os.path.join(tmp, f"random-{n}.log")
        times = random_log(rng, fmt, path, "\r\n" if n == 7 else "\n")
        with open(path, "rb") as f:
            data = f.read()
        lowest, highest = min(times), max(times)
        for k in range(8):
            pick = rng.choice(times)
            since = pick + datetime.timedelta(milliseconds=rng.choice([-1, 0, 0, 1]))
            if k == 0:
                since = lowest - datetime.timedelta(hours=1)
            elif k == 1:
                since = highest + datetime.timedelta(seconds=1)
            args = ["--since", when(since)]
            if k % 3 == 2:
                args += ["--until", when(rng.choice(times))]
            seek, offset = run_traced(trace, *args, "-b", "", path)
            scan = run(*args, "-b", "", stdin=data)
            runs += 1
            if offset > 0:
                sought_runs += 1
            check(f"{fmt} file {n} {' '.join(args)}", seek.stdout == scan.stdout and seek.returncode ==
                  scan.returncode, f"seek {len(seek.stdout)} bytes rc {seek.returncode}, "
                                   f"scan {len(scan.stdout)} bytes rc {scan.returncode}")
    print(f"{sought_runs} of {runs} runs seeked")
    check("the seek was used", sought_runs >= runs // 2, f"{sought_runs} of {runs} runs seeked")

    # Issue 13's example: one line from 09:00 early in a file that runs from midnight.
    path = os.path.join(tmp, "anomaly.log")
    start = datetime.datetime(2026, 1, 1)
    with open(path, "w") as f:
        for i in range(360000):
            if i == 36000:
                f.write("2026-01-01T09:00:00.000Z ANOMALY\n")
            f.write((start + datetime.timedelta(milliseconds=100 * i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ") +
                    " INFO msg\n")
    result, offset = run_traced(trace, "--since", "2026-01-01T08:00", "ANOMALY", path)
    check("the anomaly is found", result.returncode == 0 and result.stdout == b"2026-01-01T09:00:00.000Z ANOMALY\n",
          repr(result.stdout))
    check("... and the lines before it skipped", offset > 0, f"lseek to {offset}")

    # A NUL in the part a seek would skip: the file is binary for the scan, so for the seek too.
    path = os.path.join(tmp, "nul.log")
    with open(path, "wb") as f:
        for i in range(40000):
            f.write(f"2026-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z INFO {i}\n".encode())
            if i == 1000:
                f.write(b"2026-01-01T00:16:40Z binary \0 payload\n")
    with open(path, "rb") as f:
        data = f.read()
    seek = run("--since", "2026-01-01T10:00", "INFO", path)
    scan = run("--since", "2026-01-01T10:00", "INFO", stdin=data)
    check("NUL before the window", seek.stdout == scan.stdout == b"" and seek.returncode == scan.returncode == 0 and
          b"binary file matches" in seek.stderr, f"{seek.stdout[:80]!r} {seek.stderr!r} rc {seek.returncode}")
finally:
    shutil.rmtree(tmp)

sys.exit(harness.summary("since_seek"))
