#!/usr/bin/env python3
"""End-to-end checks of --follow (like tail -F), run on the built binary.

usage: python3 tests/e2e/test_follow.py /path/to/logsift      (from the repository root)

Runs `logsift --follow ...` as a long-lived process on files in a temporary directory, appends to
them, rotates them (rename and recreate), truncates them (copytruncate) and checks that the output
lines arrive before a deadline; then sends SIGINT or SIGTERM and checks that logsift exits promptly
with grep's status for what it selected so far, having printed whole lines only. Also: -m and
--take end a follow by themselves, two files are followed at once with FILE: prefixes, and output
is flushed line by line even without --line-buffered.

Prints one line per failing check, then `follow: N passed, M failed`; exits 1 if any failed.
Only the Python standard library is used.
"""
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import harness
from harness import append, check, write

DEADLINE = 5.0  # seconds within which an expected output line must arrive
PROMPT = 2.0  # seconds within which logsift must exit after a signal or a reached limit
SETTLE = 0.3  # seconds to let logsift reach the end of its input and start waiting

LOGSIFT = None


class Follower:
    """A running logsift whose stdout lines (and stderr) are collected by threads as they come."""

    def __init__(self, args):
        self.proc = subprocess.Popen([LOGSIFT] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.lines = queue.Queue()  # raw lines, b"\n" kept (a last one without it is a partial line)
        self.stdout = b""
        self.stderr = b""
        self.out_reader = threading.Thread(target=self._read_stdout, daemon=True)
        self.err_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.out_reader.start()
        self.err_reader.start()

    def _read_stdout(self):
        for line in iter(self.proc.stdout.readline, b""):
            self.stdout += line
            self.lines.put(line)

    def _read_stderr(self):
        self.stderr = self.proc.stderr.read()

    def next_lines(self, count, deadline=DEADLINE):
        """The next `count` output lines (decoded, without '\\n'), or fewer if the deadline passed."""
        got, end = [], time.monotonic() + deadline
        while len(got) < count:
            try:
                line = self.lines.get(timeout=max(0.0, end - time.monotonic()))
            except queue.Empty:
                break
            got.append(line.decode("utf-8", "replace").rstrip("\n"))
        return got

    def pending(self):
        """Lines already printed and not yet taken."""
        rest = []
        while True:
            try:
                rest.append(self.lines.get_nowait().decode("utf-8", "replace").rstrip("\n"))
            except queue.Empty:
                return rest

    def wait(self, timeout):
        """Exit status, or None if still running after `timeout` seconds (then it is killed)."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
            self.proc.kill()
            self.proc.wait()
        self.out_reader.join(timeout=PROMPT)
        self.err_reader.join(timeout=PROMPT)
        return rc

    def stop(self, sig=signal.SIGINT):
        """Sends `sig`; returns (exit status or None, seconds it took to exit)."""
        start = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.wait(PROMPT)
        return rc, time.monotonic() - start

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


def lines_match(got, patterns):
    return len(got) == len(patterns) and all(re.fullmatch(p, g) for p, g in zip(patterns, got))


def expect_lines(name, follower, patterns):
    got = follower.next_lines(len(patterns))
    check(name, lines_match(got, patterns), "got %r, expected %r" % (got, patterns))


def expect_clean_stop(name, follower, want_rc, sig=signal.SIGINT):
    rc, took = follower.stop(sig)
    extra = follower.pending()
    problems = []
    if rc != want_rc:
        problems.append("exit %s after %.2fs, expected %d within %.1fs" % (rc, took, want_rc, PROMPT))
    if extra:
        problems.append("unexpected lines %r" % extra[:5])
    if follower.stdout and not follower.stdout.endswith(b"\n"):
        problems.append("output ends in a partial line %r" % follower.stdout[-80:])
    if follower.stderr:
        problems.append("stderr %r" % follower.stderr[:300])
    check(name, not problems, "; ".join(problems))


# ---- checks ------------------------------------------------------------------------------------

def one_file(tmp):
    path = os.path.join(tmp, "app.log")
    write(path, b"INFO start\nERROR one\n")
    f = Follower(["--follow", "--line-buffered", "-n", "ERROR", path])
    try:
        expect_lines("the file's lines before the end", f, [r"2:ERROR one"])
        time.sleep(SETTLE)
        check("still running at the end of the file", f.proc.poll() is None, "exit %s" % f.proc.poll())

        append(path, b"INFO x\nERROR two\n")
        expect_lines("an appended line", f, [r"4:ERROR two"])

        append(path, b"ERROR thr")
        time.sleep(SETTLE)
        append(path, b"ee\n")
        expect_lines("a line completed by a later append comes whole", f, [r"5:ERROR three"])

        # Rotation: the logger writes a last line to the renamed file, then a new file appears.
        os.rename(path, path + ".1")
        append(path + ".1", b"ERROR four\n")
        write(path, b"INFO new\nERROR five\n")
        expect_lines("rotation: the old file's last line, then the new file's", f,
                     [r"\d+:ERROR four", r"\d+:ERROR five"])
        append(path, b"INFO filler\n" * 20 + b"ERROR six\n")
        expect_lines("rotation: appends to the new file", f, [r"\d+:ERROR six"])

        # copytruncate: copy, truncate to 0, go on writing (shorter than before: must be noticed).
        shutil.copyfile(path, path + ".2")
        os.truncate(path, 0)
        time.sleep(SETTLE)
        append(path, b"ERROR seven\n")
        expect_lines("copytruncate: the lines written after the truncation", f, [r"\d+:ERROR seven"])

        time.sleep(SETTLE)
        expect_clean_stop("SIGINT: exit 0 at once, whole lines only", f, 0)
    finally:
        f.close()


def limits(tmp):
    """-m and --take end a follow by themselves once reached, not before."""
    for name, args, initial, more, want, waits in [
        ("-m 2", ["-m", "2", "ERROR"], b"ERROR a\nINFO b\n", b"INFO c\nERROR d\nERROR e\n", b"ERROR a\nERROR d\n",
         "waits for the second match"),
        ("--take 3", ["--take", "3", "-e", ""], b"1\n2\n", b"3\n4\n", b"1\n2\n3\n", "waits for a third line"),
    ]:
        path = write(os.path.join(tmp, f"limit{len(want)}.log"), initial)
        f = Follower(["--follow"] + args + [path])
        try:
            time.sleep(SETTLE)
            check(f"{name} {waits}", f.proc.poll() is None, "exit %s" % f.proc.poll())
            append(path, more)
            rc = f.wait(DEADLINE)
            check(f"{name} ends the follow by itself", rc == 0 and f.stdout == want and not f.stderr,
                  "exit %s, stdout %r, stderr %r" % (rc, f.stdout, f.stderr[:300]))
        finally:
            f.close()


def two_files(tmp):
    one, two = os.path.join(tmp, "one.log"), os.path.join(tmp, "two.log")
    write(one, b"ERROR a1\nINFO a\n")
    write(two, b"INFO b\nERROR b1\n")
    f = Follower(["--follow", "--line-buffered", "ERROR", one, two])
    try:
        # Both files at once: the second is read although the first never ends.
        got = sorted(f.next_lines(2))
        want = sorted([one + ":ERROR a1", two + ":ERROR b1"])
        check("two files: each one's lines, prefixed", got == want, "got %r, expected %r" % (got, want))
        append(two, b"ERROR b2\n")
        expect_lines("two files: an append to the second", f, [re.escape(two + ":ERROR b2")])
        append(one, b"ERROR a2\n")
        expect_lines("two files: an append to the first", f, [re.escape(one + ":ERROR a2")])
        os.rename(two, two + ".1")
        write(two, b"ERROR b3\n")
        expect_lines("two files: a rotation of one", f, [re.escape(two + ":ERROR b3")])
        expect_clean_stop("two files: SIGINT ends both, exit 0", f, 0)
    finally:
        f.close()


def flushing_and_status(tmp):
    path = os.path.join(tmp, "flush.log")
    write(path, b"ERROR x\n")
    f = Follower(["--follow", "ERROR", path])  # stdout is a pipe: only follow mode's flushing shows it
    try:
        expect_lines("lines are flushed without --line-buffered", f, [r"ERROR x"])
        append(path, b"ERROR y\n")
        expect_lines("appended lines are flushed without --line-buffered", f, [r"ERROR y"])
        expect_clean_stop("SIGTERM: exit 0 at once", f, 0, signal.SIGTERM)
    finally:
        f.close()

    path = os.path.join(tmp, "quiet.log")
    write(path, b"INFO nothing\n")
    f = Follower(["--follow", "--line-buffered", "ERROR", path])
    try:
        time.sleep(SETTLE)
        append(path, b"INFO still nothing\n")
        time.sleep(SETTLE)
        expect_clean_stop("SIGINT with nothing selected: exit 1", f, 1)
        check("nothing selected: no output", f.stdout == b"", repr(f.stdout[:200]))
    finally:
        f.close()


def main():
    global LOGSIFT
    LOGSIFT = harness.start()
    groups = [
        ("one_file", one_file),
        ("limits", limits),
        ("two_files", two_files),
        ("flushing_and_status", flushing_and_status),
    ]
    harness.run_groups(groups)
    return harness.summary("follow")


if __name__ == "__main__":
    sys.exit(main())
