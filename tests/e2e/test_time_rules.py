#!/usr/bin/env python3
"""End-to-end checks of the time rules of issue 14 ("Follow and time", items 3-6).

usage: python3 tests/e2e/test_time_rules.py /path/to/logsift      (from the repository root)

- JSON lines whose "time"/"ts" key lies past the line's head are placed by --since and --histogram
  (also when the --since seek skips the file's start).
- An input without any recognised timestamp is reported once on stderr under --since, --until and
  --histogram, and the exit status is 2; an input with timestamps is not reported.
- --since/--until accept TIME in the log's own --time-format.
- Year-less syslog stamps get one year rule for --since and --histogram: the year of the file's
  mtime (standard input: now), or the year before if that puts them more than a day after it.

Prints one line per failing check, then `time_rules: N passed, M failed`; exits 1 if any failed.
"""
import datetime
import os
import subprocess
import sys

import harness
from harness import check

def run(args, stdin=b""):
    proc = subprocess.run([harness.LOGSIFT] + args, input=stdin, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def write(path, text, mtime=None):
    with open(path, "w") as f:
        f.write(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def epoch(*fields):
    return int(datetime.datetime(*fields, tzinfo=datetime.timezone.utc).timestamp())


def json_keys_past_the_head(tmp):
    pad = "x" * 300
    lines = [f'{{"msg":"{pad}","level":"info","ts":"2026-12-02T0{h}:00:00Z"}}' for h in range(6)]
    path = os.path.join(tmp, "late.json")
    write(path, "\n".join(lines) + "\n")
    rc, out, err = run(["--since", "2026-12-02T04:00", "", path])
    check("json: --since finds the late ts key", rc == 0 and out.splitlines() == lines[4:], f"rc={rc} {out!r} {err!r}")
    rc, out, err = run(["--histogram", "1h", "", path])
    check("json: --histogram places every line", rc == 0 and "(no timestamp)" not in out and len(out.splitlines()) == 6,
          f"rc={rc} {out!r} {err!r}")
    # A file big enough for the seek to skip its start: still exact.
    big = os.path.join(tmp, "big.json")
    rows = [f'{{"msg":"{pad}","time":{epoch(2026, 12, 2) + i}}}' for i in range(20000)]
    write(big, "\n".join(rows) + "\n")
    rc, out, err = run(["-c", "--since", f"@{epoch(2026, 12, 2) + 15000}", "", big])
    check("json: the --since seek agrees", rc == 0 and out.strip() == "5000", f"rc={rc} {out!r} {err!r}")


def untimed_inputs_are_reported(tmp):
    plain = os.path.join(tmp, "plain.log")
    stamped = os.path.join(tmp, "stamped.log")
    write(plain, "no time here\nnor here\n")
    write(stamped, "2026-12-02T09:00:00Z a\n2026-12-02T10:00:00Z b\n")
    message = f"logsift: {plain}: no recognised timestamp"
    for flags in (["--since", "2026-01-01"], ["--until", "2030-01-01"], ["--histogram", "1h"]):
        rc, out, err = run(flags + ["", plain, stamped])
        name = " ".join(flags)
        check(f"untimed {name}: said once", err.count(message) == 1 and err.count("logsift:") == 1,
              f"stderr {err!r}")
        check(f"untimed {name}: exit status 2", rc == 2, f"rc={rc}")
        check(f"untimed {name}: the stamped file is still searched", "stamped.log" in out or "2026-12-02" in out,
              f"{out!r}")
    # Also found when the --since seek skips the whole file (it has no timestamp to stop at).
    big = os.path.join(tmp, "big-plain.log")
    write(big, "just words\n" * 200000)
    rc, out, err = run(["--since", "2026-01-01", "", big])
    check("untimed: the seek still tells", rc == 2 and f"logsift: {big}: no recognised timestamp" in err,
          f"rc={rc} {err!r}")
    # From standard input, with -s: no message, still status 2 (as grep -s for an unreadable file).
    rc, out, err = run(["-s", "--until", "2030-01-01", ""], stdin=b"a\nb\n")
    check("untimed: -s keeps the status", rc == 2 and err == "" and out == "a\nb\n", f"rc={rc} {out!r} {err!r}")
    rc, out, err = run(["--since", "2026-01-01", "", stamped])
    check("stamped: no message", rc == 0 and err == "", f"rc={rc} {err!r}")
    # -m 1 ends the reading early: the lines not read might have had timestamps, so nothing is said.
    mixed = os.path.join(tmp, "mixed.log")
    write(mixed, "header\n2026-12-02T09:00:00Z a\n")
    rc, out, err = run(["-m", "1", "--until", "2030-01-01", "", mixed])
    check("untimed: a cut-short read says nothing", rc == 0 and err == "" and out == "header\n", f"rc={rc} {out!r} {err!r}")


def time_in_the_logs_own_format(tmp):
    path = os.path.join(tmp, "access.log")
    lines = [f'1.2.3.4 - - [02/Dec/2026:0{h}:00:00 +0000] "GET /{h}" 200 1' for h in range(6)]
    write(path, "\n".join(lines) + "\n")
    fmt = "%d/%b/%Y:%H:%M:%S %z"
    rc, out, err = run(["--time-format", fmt, "--since", "02/Dec/2026:04:00:00 +0000", "", path])
    check("own format: --since", rc == 0 and out.splitlines() == lines[4:], f"rc={rc} {out!r} {err!r}")
    rc, out, err = run(["--time-format", "%d/%b/%Y:%H:%M:%S", "--until", "02/Dec/2026:02:00:00", "", path])
    check("own format: --until, without the zone (UTC)", rc == 0 and out.splitlines() == lines[:2],
          f"rc={rc} {out!r} {err!r}")
    rc, out, err = run(["--time-format", fmt, "--since", "2026-12-02T05:00Z", "", path])
    check("own format: the usual forms still work", rc == 0 and out.splitlines() == lines[5:], f"rc={rc} {out!r}")
    rc, out, err = run(["--time-format", fmt, "--since", "02/Dec/2026:04:00", "", path])
    check("own format: a partial match is an error", rc == 2 and err.startswith("logsift: --since") and
          err.count("\n") == 1 and out == "", f"rc={rc} {err!r}")
    rc, out, err = run(["--since", "02/Dec/2026:04:00:00 +0000", "", path])
    check("own format: only with --time-format", rc == 2 and "invalid time" in err, f"rc={rc} {err!r}")


def one_year_rule(tmp):
    path = os.path.join(tmp, "syslog")
    write(path, "Dec  2 09:00:00 host a\nDec  2 10:00:00 host b\n", mtime=epoch(2020, 12, 3))
    rc, out, err = run(["--histogram", "1h", "", path])
    check("year: --histogram takes the mtime's year", rc == 0 and out.startswith("2020-12-02T09:00:00"),
          f"rc={rc} {out!r} {err!r}")
    rc, out, err = run(["-c", "--since", "2020-12-02T09:30", "", path])
    check("year: --since takes the mtime's year", rc == 0 and out.strip() == "1", f"rc={rc} {out!r}")
    # Written on January 2nd: December's lines are last year's, for both.
    rolled = os.path.join(tmp, "syslog.1")
    write(rolled, "Dec 31 23:00:00 host a\nJan  1 01:00:00 host b\n", mtime=epoch(2021, 1, 2))
    rc, out, err = run(["--histogram", "1d", "", rolled])
    rows = [line.split()[0] for line in out.splitlines()]
    check("year: --histogram rolls back", rows == ["2020-12-31T00:00:00", "2021-01-01T00:00:00"], f"{out!r}")
    rc, out, err = run(["--until", "2021-01-01", "", rolled])
    check("year: --since/--until roll back", out == "Dec 31 23:00:00 host a\n", f"{out!r}")
    # Standard input: now, for both.
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = (now - datetime.timedelta(hours=2)).strftime("%b %e %H:00:00 host x")
    rc, out, err = run(["--histogram", "1h", "--json", ""], stdin=(stamp + "\n").encode())
    expected_year = (now - datetime.timedelta(hours=2)).year
    check("year: standard input, --histogram", f'"bucket":"{expected_year}-' in out, f"{out!r}")
    rc, out, err = run(["-c", "--since", "3h", ""], stdin=(stamp + "\n").encode())
    check("year: standard input, --since", out.strip() == "1", f"{out!r} {err!r}")


def main():
    harness.start()
    harness.run_groups([("json_keys_past_the_head", json_keys_past_the_head), ("untimed_inputs_are_reported", untimed_inputs_are_reported), ("time_in_the_logs_own_format", time_in_the_logs_own_format), ("one_year_rule", one_year_rule)], prefix="logsift-time-rules-")
    sys.exit(harness.summary("time_rules"))


if __name__ == "__main__":
    main()
