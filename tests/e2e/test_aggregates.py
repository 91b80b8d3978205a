#!/usr/bin/env python3
"""--count-by/--top against a Python Counter, --max-matches exit codes, --stats figures."""
import collections
import re
import subprocess
import sys

import harness
from harness import check, run, text_lines as lines_of

LOGSIFT = harness.start()


def reference_count_by(path, select, key, top=0):
    counts = collections.Counter()
    for line in lines_of(path):
        if not re.search(select, line):
            continue
        m = re.search(key, line)
        if m:
            counts[m.group(1) if m.re.groups else m.group(0)] += 1
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].encode("utf-8", "surrogateescape")))
    if top:
        rows = rows[:top]
    return "".join(f"{n:>7} {k}\n" for k, n in rows).encode("utf-8", "surrogateescape")


for path, select, key, top in [
    ("data/app.log", "ERROR", r"user=(\S+)", 0),
    ("data/app.log", "ERROR", r"user=(\S+)", 3),
    ("data/app.log", "", r"\[(worker-[0-9]+)\]", 5),
    ("data/app.log", "status=", r"status=[0-9]+", 0),
    ("data/apache_logs", "", r'"(GET|POST|HEAD|OPTIONS) ', 0),
    ("data/apache_logs", "Googlebot", r"^(\S+)", 10),
]:
    args = ["--count-by", key] + (["--top", str(top)] if top else []) + ["-e", select, path]
    result = run(*args)
    expected = reference_count_by(path, select, key, top)
    check(f"count-by {args}", result.returncode == 0 and result.stdout == expected,
          f"rc={result.returncode} got {result.stdout[:200]!r} want {expected[:200]!r}")

fatal = sum(1 for line in lines_of("data/app.log") if "FATAL" in line)
for limit, want in [(0, 1), (fatal - 1, 1), (fatal, 0), (fatal + 10, 0)]:
    result = run("--max-matches", str(limit), "FATAL", "data/app.log")
    check(f"max-matches {limit}", result.returncode == want and result.stdout.count(b"\n") == fatal,
          f"rc={result.returncode} want {want}")
check("max-matches with no match", run("--max-matches", "0", "zzzz-none", "data/app.log").returncode == 0)
check("max-matches with an error is 2", run("--max-matches", "5", "FATAL", "data/app.log", "missing").returncode == 2)

result = run("--stats", "-c", "ERROR", "data/app.log", "data/apache_logs")
errors = sum(1 for line in lines_of("data/app.log") if "ERROR" in line)
total_lines = len(lines_of("data/app.log")) + len(lines_of("data/apache_logs"))
stderr = result.stderr.decode()
check("stats matched lines", f"{errors} matched lines" in stderr, stderr)
check("stats files", "2 files searched" in stderr and "1 files contained matches" in stderr, stderr)
check("stats lines read", f"{total_lines} lines read" in stderr, stderr)
check("stats keeps stdout", result.stdout == f"data/app.log:{errors}\ndata/apache_logs:0\n".encode())

for args in (["--top", "3", "x"], ["--count-by", "a(", "x"], ["--max-matches", "-1", "x"], ["--max-matches", "many", "x"]):
    result = run(*args, stdin=b"")
    err = result.stderr.decode()
    check(f"bad {args}", result.returncode == 2 and err.startswith("logsift:") and err.count("\n") == 1
          and result.stdout == b"", f"rc={result.returncode} stderr={err!r}")

# --histogram: per-bucket counts against a reference (ISO stamps in data/app.log, Apache in apache_logs)
import datetime
def histogram_reference(path, select, bucket, stamp_of):
    counts = collections.Counter()
    for line in lines_of(path):
        if re.search(select, line):
            counts[int(stamp_of(line).timestamp()) // bucket * bucket] += 1
    first, last = min(counts), max(counts)
    return [(start, counts.get(start, 0)) for start in range(first, last + 1, bucket)]

iso = lambda l: datetime.datetime.strptime(l[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
apache = lambda l: datetime.datetime.strptime(l.split("[", 1)[1].split("]", 1)[0], "%d/%b/%Y:%H:%M:%S %z")
for path, select, bucket_text, bucket, stamp_of in [("data/app.log", "ERROR", "10s", 10, iso),
                                                    ("data/app.log", "", "1m", 60, iso),
                                                    ("data/apache_logs", "GET", "1h", 3600, apache)]:
    import json as json_module
    result = run("--histogram", bucket_text, "--json", "-e", select, path)
    got = [(row["start"], row["count"]) for row in map(json_module.loads, result.stdout.splitlines())]
    check(f"histogram --json {path} {bucket_text}", got == histogram_reference(path, select, bucket, stamp_of),
          f"{got[:3]} vs {histogram_reference(path, select, bucket, stamp_of)[:3]}")
    text = run("--histogram", bucket_text, "-e", select, path).stdout.decode().splitlines()
    check(f"histogram text {path} {bucket_text}",
          [int(row.split()[1]) for row in text] == [count for _, count in got] and
          max(len(row) for row in text) <= 80, text[:2])

# --histogram 1w: ISO weeks, starting on Mondays, over dates that span several weeks and a new year
days = [datetime.datetime(2025, 12, 20, tzinfo=datetime.timezone.utc) + datetime.timedelta(days=d, hours=d % 24)
        for d in range(0, 40, 3)]
week_input = "".join(f"{d:%Y-%m-%dT%H:%M:%S}Z event\n" for d in days).encode()
result = run("--histogram", "1w", "--json", "", stdin=week_input)
got = [(row["bucket"], row["count"]) for row in map(json_module.loads, result.stdout.splitlines())]
mondays = collections.Counter((d - datetime.timedelta(days=d.weekday())).strftime("%Y-%m-%dT00:00:00") for d in days)
check("histogram 1w starts on Mondays", got == sorted(mondays.items()), f"{got} vs {sorted(mondays.items())}")

# Output modes, pair by pair: each pair either works (and prints what its row in README's table says)
# or is one `logsift:` error naming both, exit 2, before any input is read (a missing file shows it).
MODES = {"-c": ["-c"], "-l": ["-l"], "-L": ["-L"], "--json": ["--json"], "--format": ["--format", "{line}"],
         "--count-by": ["--count-by", "user=(\\S+)"], "--histogram": ["--histogram", "1m"]}
COMBINE = {("-c", "-l"), ("-c", "-L"), ("-l", "-L"), ("--json", "--count-by"), ("--json", "--histogram")}
names = list(MODES)
for i, a in enumerate(names):
    for b in names[i + 1:]:
        result = run(*MODES[a], *MODES[b], "ERROR", "data/app.log", "/nonexistent/input")
        err = result.stderr.decode()
        if (a, b) in COMBINE:
            check(f"modes {a} {b} combine", result.returncode == 2 and "No such file" in err and
                  "cannot be used" not in err, f"rc={result.returncode} {err!r}")
        else:
            check(f"modes {a} {b} conflict", result.returncode == 2 and result.stdout == b"" and
                  err == f"logsift: {a} cannot be used with {b}\n", f"rc={result.returncode} {err!r}")
result = run("--count-by", "", "ERROR", "data/app.log")
check("--count-by ''", result.returncode == 2 and result.stderr.startswith(b"logsift: --count-by ''"), repr(result.stderr))
result = run("--count-by", "user=(\\S+)", "--top", "2", "--json", "ERROR", "data/app.log")
rows = [json_module.loads(l) for l in result.stdout.splitlines()]
want = collections.Counter(m.group(1) for l in lines_of("data/app.log") if "ERROR" in l
                           for m in [re.search(r"user=(\S+)", l)] if m)
check("--count-by --json", [(r["key"]["text"], r["count"]) for r in rows] ==
      sorted(want.items(), key=lambda kv: (-kv[1], kv[0].encode()))[:2], repr(rows))

# --progress draws on a terminal only: with stderr a pipe, nothing but the results.
result = run("--progress", "-c", "ERROR", "data/app.log")
check("progress silent off a terminal", result.stderr == b"" and result.returncode == 0, repr(result.stderr))
import os, pty, select, time
master, slave = pty.openpty()
big = "/tmp/logsift-progress-test.log"
with open(big, "w") as f:
    line = "2026-01-01T00:00:00Z INFO [worker-1] api: GET /x status=200 latency_ms=12\n" * 8192
    for _ in range(64):
        f.write(line)
# Every line is printed and stdout is not read until the bar has been seen: logsift blocks on the
# full pipe, so the run outlasts the first 250 ms frame however fast the search is.
proc = subprocess.Popen([LOGSIFT, "--progress", "INFO", big], stdout=subprocess.PIPE, stderr=slave)
os.close(slave)
seen = b""
draining = False
deadline = time.time() + 30
while time.time() < deadline:
    watched = [master] + ([proc.stdout] if draining else [])
    ready, _, _ = select.select(watched, [], [], 0.5)
    if proc.stdout in ready:
        if not os.read(proc.stdout.fileno(), 1 << 20):
            draining = False
    if master in ready:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if b"ETA" in seen:
            draining = True
    elif not ready and proc.poll() is not None:
        break
    if not draining and b"ETA" not in seen and time.time() > deadline - 25:
        draining = True  # no bar after 5 s: let it finish and report what was seen
if proc.poll() is None:
    proc.stdout.read()
proc.wait()
proc.stdout.close()
os.close(master)
os.unlink(big)
check("progress draws a bar on a terminal", b"%" in seen and b"logsift: [" in seen and b"ETA" in seen, repr(seen[:200]))
check("progress erases itself", seen.endswith(b"\r\x1b[K"), repr(seen[-40:]))

sys.exit(harness.summary("aggregates"))
