#!/usr/bin/env python3
"""Issue 13, item 7: --follow numbers each generation of a file from 1 and prints one total.

usage: python3 tests/e2e/test_follow_totals.py /path/to/logsift      (from the repository root)

With test_follow.py's Follower: -n, -b and --format github count lines and offsets of each file
generation (after a rotation or a copytruncate) from the start, as a fresh search would;
--follow --json over two files prints one summary with the totals of both (as rg prints one),
and --follow --count-by one table for all files. Prints one line per failing check, then a
summary; exits 1 if any failed.
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_follow as tf  # noqa: E402  (its Follower, check and timing constants)
from test_follow import SETTLE, Follower, expect_lines  # noqa: E402
import harness  # noqa: E402
from harness import append, check, write  # noqa: E402


def generations(tmp):
    path = os.path.join(tmp, "app.log")
    write(path, b"INFO a\nERROR b\nERROR c\n")
    numbered = Follower(["--follow", "-n", "-b", "ERROR", path])
    github = Follower(["--follow", "--format", "github", "ERROR", path])
    try:
        expect_lines("-n -b: the first generation", numbered, [r"2:7:ERROR b", r"3:15:ERROR c"])
        expect_lines("github: the first generation", github,
                     [r"::error file=.*app.log,line=2,col=1::ERROR b", r"::error file=.*app.log,line=3,col=1::ERROR c"])
        time.sleep(SETTLE)
        # copytruncate: the same file starts again from its first line.
        shutil.copyfile(path, path + ".1")
        os.truncate(path, 0)
        time.sleep(SETTLE)
        append(path, b"ERROR d\n")
        expect_lines("-n -b: after a truncation, numbered from 1", numbered, [r"1:0:ERROR d"])
        expect_lines("github: after a truncation, line=1", github, [r"::error file=.*app.log,line=1,col=1::ERROR d"])
        time.sleep(SETTLE)
        # Rotation: a new file under the name, the old one's last lines read first.
        os.rename(path, path + ".2")
        append(path + ".2", b"ERROR e\n")
        write(path, b"INFO f\nERROR g\n")
        expect_lines("-n -b: the old file's last line, then the new one's from 1", numbered,
                     [r"2:8:ERROR e", r"2:7:ERROR g"])
        expect_lines("github: after a rotation", github, [r"::error file=.*app.log,line=2,col=1::ERROR e",
                                                          r"::error file=.*app.log,line=2,col=1::ERROR g"])
        for name, follower in (("-n -b", numbered), ("github", github)):
            rc, _ = follower.stop(signal.SIGINT)
            check(f"{name}: exit 0 on SIGINT", rc == 0 and not follower.stderr, f"rc={rc} {follower.stderr!r}")
    finally:
        numbered.close()
        github.close()


def one_total(tmp):
    first = os.path.join(tmp, "a.log")
    second = os.path.join(tmp, "b.log")
    write(first, b"ERROR user=ann\nERROR user=bob\n")
    write(second, b"ERROR user=ann\nINFO user=cy\n")
    js = Follower(["--follow", "--json", "ERROR", first, second])
    table = Follower(["--follow", "--count-by", r"user=(\w+)", "ERROR", first, second])
    try:
        time.sleep(SETTLE)
        append(second, b"ERROR user=ann\n")
        time.sleep(SETTLE * 2)
        for follower in (js, table):
            rc, _ = follower.stop(signal.SIGINT)
            check("exit 0 on SIGINT", rc == 0 and not follower.stderr, f"rc={rc} {follower.stderr!r}")
        messages = [json.loads(line) for line in js.stdout.decode().splitlines()]
        summaries = [m for m in messages if m["type"] == "summary"]
        check("--follow --json: one summary", len(summaries) == 1, f"{len(summaries)} summaries")
        if summaries:
            stats = summaries[0]["data"]["stats"]
            check("--follow --json: the summary counts both files",
                  stats["matched_lines"] == 4 and stats["searches"] == 2 and stats["searches_with_match"] == 2, repr(stats))
        check("--follow --json: one end per file", sum(m["type"] == "end" for m in messages) == 2, "")
        check("--follow --count-by: one table for both files", table.stdout == b"      3 ann\n      1 bob\n",
              repr(table.stdout))
    finally:
        js.close()
        table.close()


def main():
    tf.LOGSIFT = harness.start()
    harness.run_groups((("generations", generations), ("one_total", one_total)))
    return harness.summary("follow totals")


if __name__ == "__main__":
    sys.exit(main())
