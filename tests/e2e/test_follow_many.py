#!/usr/bin/env python3
"""`--follow` over many files (issue 13, item 17): one thread, bounded memory, every line.

usage: python3 tests/e2e/test_follow_many.py /path/to/logsift      (from the repository root)

Follows 1,000 files at once, with a pipe on standard input among them, and checks that:
  * every file's existing matching line is printed once, with its name;
  * lines appended to a few files (one rotated, one truncated) come out within a deadline, whole;
  * a file written faster than logsift can read it does not keep another file's line back;
  * the process has few threads (/proc/PID/task: one for the files, one for standard input) and
    a bounded resident size (generous: 64 MiB, where a thread and 256 KiB buffer per file took
    275 MB; not checked on an AddressSanitizer build);
  * SIGINT ends it promptly with status 0, and so does -m 1 on every file by itself.
Prints one line per failing check, then `follow_many: N passed, M failed`; exits 1 if any failed.
Only the Python standard library is used.
"""
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time

import harness
from harness import append, check

FILES = 1000
DEADLINE = 10.0
MAX_THREADS = 4
MAX_RSS_KIB = 64 * 1024

LOGSIFT = None
SANITIZED = False  # an ASan build: memory figures mean nothing and everything is slower


class Follower:
    def __init__(self, args):
        self.proc = subprocess.Popen([LOGSIFT] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.stderr = b""
        threading.Thread(target=self._out, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    def _out(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _err(self):
        self.stderr = self.proc.stderr.read()

    def collect(self, wanted, deadline=DEADLINE):
        """Lines until every line in the set `wanted` has come or the deadline passes."""
        got = []
        missing = set(wanted)
        end = time.monotonic() + deadline
        while missing and time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            got.append(line)
            missing.discard(line)
        return got, missing

    def status(self, name):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
        return -1

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def many(tmp):
    paths = [os.path.join(tmp, "f%04d.log" % i) for i in range(FILES)]
    for i, path in enumerate(paths):
        with open(path, "wb") as f:
            f.write(b"INFO %d\nERROR old %d\n" % (i, i))
    f = Follower(["--follow", "ERROR", "-"] + paths)
    try:
        want = {b"%s:ERROR old %d\n" % (p.encode(), i) for i, p in enumerate(paths)}
        got, missing = f.collect(want)
        check("every file's existing line", not missing, "%d missing, e.g. %r" % (len(missing), sorted(missing)[:3]))
        check("no line twice", len(got) == len(set(got)), "%d lines, %d distinct" % (len(got), len(set(got))))

        threads = len(os.listdir("/proc/%d/task" % f.proc.pid))
        check("few threads for %d files" % FILES, threads <= MAX_THREADS, "%d threads" % threads)

        # Appends to a few files, a line completed by a second append, standard input.
        append(paths[3], b"INFO x\nERROR new 3\n")
        append(paths[500], b"ERROR new 5")
        append(paths[999], b"ERROR new 999\n")
        f.proc.stdin.write(b"ERROR from stdin\n")
        f.proc.stdin.flush()
        time.sleep(0.3)
        append(paths[500], b"00\n")
        want = {paths[3].encode() + b":ERROR new 3\n", paths[500].encode() + b":ERROR new 500\n",
                paths[999].encode() + b":ERROR new 999\n", b"(standard input):ERROR from stdin\n"}
        got, missing = f.collect(want)
        check("appended lines", not missing and len(got) == len(want), "got %r, missing %r" % (got, missing))

        # Rotation of one file, copytruncate of another.
        os.rename(paths[10], paths[10] + ".1")
        append(paths[10] + ".1", b"ERROR last of old 10\n")
        with open(paths[10], "wb") as new:
            new.write(b"ERROR first of new 10\n")
        with open(paths[11], "r+b") as t:
            t.truncate(0)
        time.sleep(0.3)
        append(paths[11], b"ERROR after truncation 11\n")
        want = {paths[10].encode() + b":ERROR last of old 10\n", paths[10].encode() + b":ERROR first of new 10\n",
                paths[11].encode() + b":ERROR after truncation 11\n"}
        got, missing = f.collect(want)
        check("rotation and truncation among many", not missing and len(got) == len(want),
              "got %r, missing %r" % (got, missing))

        rss = f.status("VmRSS")
        if not SANITIZED:  # AddressSanitizer's shadow memory and quarantine make the figure meaningless
            check("resident size bounded", 0 < rss <= MAX_RSS_KIB, "%d KiB" % rss)
        threads = len(os.listdir("/proc/%d/task" % f.proc.pid))
        check("still few threads", threads <= MAX_THREADS, "%d threads" % threads)

        f.proc.stdin.close()
        f.proc.send_signal(signal.SIGINT)
        try:
            rc = f.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            rc = None
        check("SIGINT ends it with status 0", rc == 0, "status %r, stderr %r" % (rc, f.stderr[:300]))
    finally:
        f.close()


def flood(tmp):
    """A file written faster than logsift reads it (20 --sub stages slow the reading down) must not
    keep the other files from being read."""
    busy, calm = os.path.join(tmp, "busy.log"), os.path.join(tmp, "calm.log")
    for path in (busy, calm):
        with open(path, "wb") as f:
            f.write(b"INFO start\n")
    stages = []
    for _ in range(20):
        stages += ["--sub", "s/o/0/g"]
    f = Follower(["--follow"] + stages + ["ERROR", busy, calm])
    stop = threading.Event()

    def write_busy():
        with open(busy, "ab") as out:
            while not stop.is_set():
                out.write(b"INFO flood, not selected\n" * 10000)  # 250 KB, about 30 MB/s
                out.flush()
                time.sleep(0.008)

    writer = threading.Thread(target=write_busy, daemon=True)
    try:
        time.sleep(0.3)
        writer.start()
        time.sleep(0.5)
        append(calm, b"ERROR beside it\n")
        got, missing = f.collect({calm.encode() + b":ERROR beside it\n"}, DEADLINE * (3 if SANITIZED else 1))
        check("a line beside a file that is written without pause", not missing, "got %r" % got[:5])
    finally:
        stop.set()
        if writer.is_alive():
            writer.join()
        f.close()


def each_ends_by_itself(tmp):
    paths = [os.path.join(tmp, "m%03d.log" % i) for i in range(200)]
    for path in paths:
        with open(path, "wb") as f:
            f.write(b"INFO start\n")
    f = Follower(["--follow", "-m", "1", "ERROR"] + paths)
    try:
        time.sleep(0.5)
        check("-m 1: waits while no file has a match", f.proc.poll() is None, "exit %r" % f.proc.poll())
        for path in paths:
            append(path, b"ERROR one\nERROR two\n")
        want = {p.encode() + b":ERROR one\n" for p in paths}
        got, missing = f.collect(want)
        try:
            rc = f.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            rc = None
        got += [line for line in iter(f.lines.get, None)] if rc is not None else []
        check("-m 1 on 200 files: one line each, then the end", rc == 0 and not missing and len(got) == len(paths),
              "status %r, %d lines, %d missing" % (rc, len(got), len(missing)))
    finally:
        f.close()


def main():
    global LOGSIFT, SANITIZED
    LOGSIFT = harness.start()
    SANITIZED = harness.SANITIZED
    harness.run_groups([("many", many), ("flood", flood), ("each_ends_by_itself", each_ends_by_itself)])
    return harness.summary("follow_many")


if __name__ == "__main__":
    sys.exit(main())
