#!/usr/bin/env python3
"""Time windows against a Python datetime reference, and compressed input through the CLI."""
import datetime
import os
import shutil
import subprocess
import sys
import tempfile

import harness
from harness import check, run

harness.start()
LOGHUB = harness.shared_data("loghub")  # ../shared/data: a clear failure where it is missing


def lines(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")[:-1]


# --- time windows on the ISO log: the first 23 bytes are the timestamp
def iso(line):
    return datetime.datetime.strptime(line[:23].decode(), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)


app = lines("data/app.log")
for since, until in [("2026-01-01T00:00:30", None), (None, "2026-01-01T00:00:10"),
                     ("2026-01-01T00:01:00", "2026-01-01T00:01:01"), ("2026-01-01 00:00:05.5Z", "2026-01-01T00:00:06Z")]:
    parse = lambda t: datetime.datetime.fromisoformat(t.replace("Z", "")).replace(tzinfo=datetime.timezone.utc)
    want = [l for l in app if (since is None or iso(l) >= parse(since)) and (until is None or iso(l) < parse(until))]
    args = (["--since", since] if since else []) + (["--until", until] if until else []) + ["-e", "", "data/app.log"]
    result = run(*args)
    check(f"window {args}", result.returncode == (0 if want else 1) and result.stdout == b"".join(l + b"\n" for l in want),
          f"rc={result.returncode} got {len(result.stdout.splitlines())} lines, want {len(want)}")

# --- Apache access log: [17/May/2015:10:05:03 +0000]
apache = lines("data/apache_logs")
def apache_time(line):
    stamp = line.split(b"[", 1)[1].split(b"]", 1)[0].decode()
    return datetime.datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z")
limit = datetime.datetime(2015, 5, 20, 21, 0, tzinfo=datetime.timezone.utc)
want = sum(1 for l in apache if apache_time(l) >= limit)
result = run("--since", "2015-05-20T21:00", "-c", "", "data/apache_logs")
check("apache --since", result.stdout == f"{want}\n".encode(), f"{result.stdout!r} want {want}")

# --- an explicit --time-format on an unusual layout, and continuation lines
custom = b"".join(f"{d:02d}.01.2026 10:00 entry {d}\n  at trace line {d}\n".encode() for d in range(1, 11))
result = run("--time-format", "%d.%m.%Y %H:%M", "--since", "2026-01-05T00:00", "--until", "2026-01-08T00:00", "-e", "",
             stdin=custom)
want = b"".join(f"{d:02d}.01.2026 10:00 entry {d}\n  at trace line {d}\n".encode() for d in range(5, 8))
check("time-format with continuation lines", result.stdout == want, repr(result.stdout[:200]))

# year-less syslog stamps take the year of the file's modification time
with tempfile.TemporaryDirectory() as d:
    syslog = os.path.join(d, "syslog")
    with open(syslog, "w") as f:
        f.write("Jun 14 15:16:01 host app: early\nJun 14 15:20:00 host app: late\n  continued\n")
    stamp = datetime.datetime(2019, 7, 1, tzinfo=datetime.timezone.utc).timestamp()
    os.utime(syslog, (stamp, stamp))
    result = run("--since", "2019-06-14T15:18", "-e", "", syslog)
    check("syslog year from mtime", result.stdout == b"Jun 14 15:20:00 host app: late\n  continued\n", repr(result.stdout))
    result = run("--until", "2019-06-14T15:18", "-e", "", syslog)
    check("syslog --until", result.stdout == b"Jun 14 15:16:01 host app: early\n", repr(result.stdout))

for args in (["--since", "soon"], ["--until", "25:99"], ["--time-format", "%Q", "--since", "1h"]):
    result = run(*args, "x", stdin=b"")
    err = result.stderr.decode()
    check(f"bad {args}", result.returncode == 2 and err.startswith("logsift:") and args[0] in err and err.count("\n") == 1,
          repr(err))

# --- the --since seek on a sorted file (no -n) must give what a full scan (with -n) gives
tmp = tempfile.mkdtemp()
try:
    sorted_log = os.path.join(tmp, "sorted.log")
    start = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
    offsets, offset = [], 0
    with open(sorted_log, "wb") as f:
        for i in range(120000):
            stamp = (start + datetime.timedelta(seconds=i * 3)).strftime("%Y-%m-%dT%H:%M:%SZ")
            line = f"{stamp} INFO request {i} done\n" + ("  at frame\n" if i % 50 == 0 else "")
            offsets.append(offset)
            offset += len(line.encode())
            f.write(line.encode())
    for seconds in (0, 1, 150000, 359997, 400000):
        when = (start + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
        seek = run("--since", when, "-b", "", sorted_log)
        scan = run("--since", when, "-n", "", sorted_log)
        want = sum(1 for i in range(120000) if i * 3 >= seconds) + sum(1 for i in range(0, 120000, 50) if i * 3 >= seconds)
        check(f"seek {when}", len(seek.stdout.splitlines()) == want == len(scan.stdout.splitlines()),
              f"seek {len(seek.stdout.splitlines())} scan {len(scan.stdout.splitlines())} want {want}")
        first = next((i for i in range(120000) if i * 3 >= seconds), None)
        if first is not None:
            check(f"seek -b offset {when}", seek.stdout.startswith(f"{offsets[first]}:".encode()), seek.stdout[:40])
finally:
    shutil.rmtree(tmp)

# --- every line of the loghub samples starts with a timestamp the detector knows (16 formats:
# ISO, syslog, Apache, nginx-like, Android, klog-like, HealthApp, Proxifier, compact, epoch...)
samples = sorted(f for f in os.listdir(LOGHUB) if f.endswith("_2k.log"))
check("loghub samples present", len(samples) == 16, repr(samples))
for name in samples:
    with open(os.path.join(LOGHUB, name), "rb") as f:
        total = len(f.read().splitlines())
    result = run("--since", "1970-01-02", "-c", "", os.path.join(LOGHUB, name))
    check(f"timestamps detected in {name}", result.stdout == f"{total}\n".encode(), f"{result.stdout!r} of {total}")

# --- compressed input, made by the real tools
tmp = tempfile.mkdtemp()
try:
    plain = os.path.join(tmp, "app.log")
    shutil.copy("data/app.log", plain)
    errors = sum(1 for l in app if b"ERROR" in l)
    tools = {"gz": ["gzip", "-c"], "bz2": ["bzip2", "-c"], "xz": ["xz", "-c", "-1"], "zst": ["zstd", "-q", "-c"]}
    for ext, tool in tools.items():
        check(f"{tool[0]} installed (scripts/setup installs it)", shutil.which(tool[0]) is not None)
        packed = os.path.join(tmp, f"app.log.{ext}")
        with open(packed, "wb") as f:
            subprocess.run(tool + [plain], stdout=f, check=True)
            subprocess.run(tool + [plain], stdout=f, check=True)  # two members / frames / streams
        result = run("-c", "ERROR", packed)
        check(f"{ext} concatenated", result.stdout == f"{2 * errors}\n".encode(), repr(result.stdout))
        with open(packed, "rb") as f:
            result = run("-c", "ERROR", stdin=f.read())
        check(f"{ext} on stdin", result.stdout == f"{2 * errors}\n".encode(), repr(result.stdout))
        result = run("-c", "--no-decompress", "ERROR", packed)
        check(f"{ext} --no-decompress", result.stdout != f"{2 * errors}\n".encode())
        size = os.path.getsize(packed)
        cut = os.path.join(tmp, f"cut.{ext}")
        with open(packed, "rb") as src, open(cut, "wb") as dst:
            dst.write(src.read()[: size * 3 // 4])
        result = run("ERROR", cut, "data/app.log")
        err = result.stderr.decode()
        check(f"{ext} truncated", result.returncode == 2 and err.startswith(f"logsift: {cut}:") and
              result.stdout.count(b"\n") > errors and err.count("\n") == 1, f"rc={result.returncode} {err!r}")
    result = run("--decompress", "ERROR", "data/app.log")
    check("--decompress on plain text", result.returncode == 2 and b"not a compressed file" in result.stderr,
          repr(result.stderr))
finally:
    shutil.rmtree(tmp)

sys.exit(harness.summary("log_inputs"))
