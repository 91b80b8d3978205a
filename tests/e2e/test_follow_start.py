#!/usr/bin/env python3
"""End-to-end checks of where --follow starts (issue 14, "Follow and time", items 1-2).

usage: python3 tests/e2e/test_follow_start.py /path/to/logsift      (from the repository root)

- --follow on a file that does not exist yet waits for it (tail -F), says so once on stderr, and
  reads it from its start when it appears; alone, and among several followed files.
- --follow-last N starts with the last N lines of each file (0: at the end), line numbers still
  counting from the file's start; a file that appears later is read whole.
- Several followed files print what they already hold in argument order, whole, then new lines.

Prints one line per failing check, then `follow_start: N passed, M failed`; exits 1 if any failed.
"""
import os
import queue
import signal
import subprocess
import sys
import threading
import time

DEADLINE = 5.0
SETTLE = 0.3
import harness
from harness import check

def append(path, data):
    with open(path, "ab") as f:
        f.write(data)


class Follower:
    def __init__(self, args):
        self.proc = subprocess.Popen([harness.LOGSIFT] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.stderr = b""
        threading.Thread(target=self._out, daemon=True).start()
        self.err_thread = threading.Thread(target=self._err, daemon=True)
        self.err_thread.start()

    def _out(self):
        for line in iter(self.proc.stdout.readline, b""):
            self.lines.put(line.decode("utf-8", "replace").rstrip("\n"))

    def _err(self):
        # Chunk by chunk, so that a test can wait for a message while the process runs.
        for chunk in iter(lambda: os.read(self.proc.stderr.fileno(), 4096), b""):
            self.stderr += chunk

    def wait_stderr(self, text, deadline=DEADLINE):
        """Whether `text` shows on stderr within the deadline (a machine under load is slow to start)."""
        end = time.monotonic() + deadline
        while text.encode() not in self.stderr and time.monotonic() < end:
            time.sleep(0.02)
        return text.encode() in self.stderr

    def next_lines(self, count, deadline=DEADLINE):
        got, end = [], time.monotonic() + deadline
        while len(got) < count:
            try:
                got.append(self.lines.get(timeout=max(0.0, end - time.monotonic())))
            except queue.Empty:
                break
        return got

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.err_thread.join(timeout=DEADLINE)
        return rc, self.stderr.decode("utf-8", "replace")


def missing_file(tmp):
    path = os.path.join(tmp, "later.log")
    f = Follower(["--follow", "", path])
    check("missing: says it waits", f.wait_stderr("waiting for it to appear"), repr(f.stderr))
    check("missing: still running", f.proc.poll() is None, f"exited {f.proc.poll()}")
    append(path, b"first\nsecond\n")
    check("missing: read from its start once it appears", f.next_lines(2) == ["first", "second"])
    append(path, b"third\n")
    check("missing: then followed", f.next_lines(1) == ["third"])
    rc, err = f.stop()
    check("missing: said once", err.count("waiting for it to appear") == 1 and err.startswith(f"logsift: {path}:"),
          repr(err))
    check("missing: exit 0", rc == 0, f"rc={rc}")

    # Never created: Ctrl-C ends the wait, status 1 (nothing selected), no error.
    f = Follower(["--follow", "", os.path.join(tmp, "never.log")])
    time.sleep(SETTLE)
    rc, err = f.stop()
    check("never: exit 1 on SIGINT", rc == 1, f"rc={rc} {err!r}")

    # Among several: the others are followed meanwhile; --follow-last does not skip its lines.
    present = os.path.join(tmp, "present.log")
    later = os.path.join(tmp, "later2.log")
    append(present, b"p1\np2\np3\n")
    f = Follower(["--follow-last", "1", "", present, later])
    check("several: the present file's last line", f.next_lines(1) == [f"{present}:p3"])
    check("several: says it waits", f.wait_stderr("waiting for it to appear"), repr(f.stderr))
    append(later, b"l1\nl2\n")
    check("several: the new file whole", f.next_lines(2) == [f"{later}:l1", f"{later}:l2"])
    append(present, b"p4\n")
    check("several: the present file still followed", f.next_lines(1) == [f"{present}:p4"])
    rc, err = f.stop()
    check("several: said once", err.count("waiting for it to appear") == 1 and later in err, repr(err))
    check("several: exit 0", rc == 0, f"rc={rc}")


def follow_last(tmp):
    path = os.path.join(tmp, "ten.log")
    append(path, b"".join(b"line %d\n" % i for i in range(1, 11)))
    f = Follower(["--follow-last", "3", "-n", "", path])
    check("last 3: the last three, numbered from the start", f.next_lines(3) == ["8:line 8", "9:line 9", "10:line 10"])
    check("last 3: nothing more", f.next_lines(1, deadline=SETTLE) == [])
    append(path, b"line 11\n")
    check("last 3: then new lines", f.next_lines(1) == ["11:line 11"])
    f.stop()

    f = Follower(["--follow-last", "0", "line", path])
    check("last 0: nothing old", f.next_lines(1, deadline=SETTLE * 2) == [])
    append(path, b"line 12\n")
    check("last 0: only new lines", f.next_lines(1) == ["line 12"])
    f.stop()

    f = Follower(["--follow-last", "1000", "-c", "line", path])
    time.sleep(SETTLE)
    rc, err = f.stop()
    out = f.next_lines(1)
    check("last more than the file: all of it", out == ["12"], f"{out} {err!r}")


def argument_order(tmp):
    # Files of more than 16 blocks (4 MiB): before, the group gave another file a turn mid-way.
    names = []
    for k in range(3):
        path = os.path.join(tmp, f"big{k}.log")
        with open(path, "wb") as out:
            out.write(b"".join(b"%d %07d %s\n" % (k, i, b"x" * 80) for i in range(60000)))
        names.append(path)
    f = Follower(["--follow", "-h", ""] + names)
    lines = f.next_lines(180000, deadline=30)
    files = [int(line.split(" ", 1)[0]) for line in lines if line]
    check("order: every initial line", len(files) == 180000, f"{len(files)} lines")
    check("order: initial contents whole, in argument order", files == sorted(files),
          f"first switch back at {next((i for i in range(1, len(files)) if files[i] < files[i - 1]), None)}")
    append(names[0], b"0 new\n")
    check("order: then new lines", f.next_lines(1) == ["0 new"])
    f.stop()


def main():
    harness.start()
    harness.run_groups([("missing_file", missing_file), ("follow_last", follow_last), ("argument_order", argument_order)], prefix="logsift-follow-start-")
    sys.exit(harness.summary("follow_start"))


if __name__ == "__main__":
    main()
