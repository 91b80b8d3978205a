#!/usr/bin/env python3
"""End-to-end checks of --progress on a terminal (issue 14, "Terminal" item 7), with a pty.

usage: python3 tests/e2e/test_progress_terminal.py /path/to/logsift      (from the repository root)

- When stdout and stderr are the same terminal, the bar is erased before each output line: no
  result line is glued to the bar ("...ETA 0sapache40.log:0").
- On compressed input the bar compares the compressed bytes read with the compressed size (never
  more than 100%, never "3.7 GiB / 12.9 MiB").

Prints one line per failing check, then `progress_terminal: N passed, M failed`; exits 1 if any failed.
"""
import gzip
import os
import pty
import re
import subprocess
import sys
import threading
import time

import harness
from harness import check

def run_on_pty(args, stdin=subprocess.DEVNULL, stdout_too=True, feed=None):
    """Runs logsift with stderr (and stdout, if stdout_too) on a new pty; returns what the pty got."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([harness.LOGSIFT] + args, stdin=stdin, stdout=slave if stdout_too else subprocess.DEVNULL,
                            stderr=slave, env=dict(os.environ, TERM="xterm"))
    os.close(slave)
    if feed is not None:
        threading.Thread(target=feed, args=(proc,), daemon=True).start()
    got = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the last holder of the slave side is gone
            break
        if not chunk:
            break
        got += chunk
    proc.wait(timeout=60)
    os.close(master)
    return proc.returncode, got.decode("utf-8", "replace").replace("\r\n", "\n")


def bar_is_cleared_before_output():
    def feed(proc):
        # Matches now and then over ~2 s, so that bar frames (every 250 ms) fall between them.
        for i in range(20):
            proc.stdin.write(b"noise %d\n" % i * 50 + b"MATCH line %d\n" % i)
            proc.stdin.flush()
            time.sleep(0.1)
        proc.stdin.close()

    rc, text = run_on_pty(["--progress", "MATCH"], stdin=subprocess.PIPE, feed=feed)
    lines = text.split("\n")
    results = [line for line in lines if "MATCH line" in line]
    check("pty: every result line printed", len(results) == 20, f"{len(results)} of 20: {text[-400:]!r}")
    check("pty: the bar was drawn", "read," in text, repr(text[-400:]))
    # What the terminal shows: each result line, once the erase sequences have done their work.
    shown = [re.sub(r".*\r\x1b\[K", "", line) for line in results]
    glued = [line for line in shown if "logsift:" in line]
    check("pty: no result glued to the bar", not glued, repr(glued[:3]))
    check("pty: results read clean", shown == [f"MATCH line {i}" for i in range(20)], repr(shown[:3]))
    check("pty: exit 0", rc == 0, f"rc={rc}")


def compressed_bytes_against_compressed_size(tmp):
    path = os.path.join(tmp, "big.log.gz")
    line = b"2026-12-02T09:00:00Z INFO the same line again and again, compressed very well\n"
    with gzip.open(path, "wb", compresslevel=1) as out:
        block = line * 100000
        for _ in range(40):  # 300 MiB decoded, about 2 MiB compressed
            out.write(block)
    size = os.path.getsize(path)
    # Decoding alone takes about 0.1 s here, less than the bar's first 250 ms frame; two --sub stages
    # over the 4 million lines make the run last a few frames on any machine this suite runs on.
    rc, text = run_on_pty(["--progress", "--sub", "s/again/AGAIN/", "--sub", "s/very/VERY/", "-c", "NOT THERE", path],
                          stdout_too=False)
    frames = re.findall(r"(\d+)% ([\d.]+ \S+) / ([\d.]+ \S+)", text)
    check("gz: the bar was drawn", bool(frames), repr(text[-300:]))
    units = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}
    beyond = [f for f in frames
              if float(f[1].split()[0]) * units[f[1].split()[1]] > 1.05 * float(f[2].split()[0]) * units[f[2].split()[1]]]
    check("gz: compressed bytes read never pass the compressed size", not beyond,
          f"size {size}: {frames[-3:]!r}")
    check("gz: exit 1 (no match)", rc == 1, f"rc={rc}")


def main():
    harness.start()
    bar_is_cleared_before_output()
    harness.run_groups([("compressed_bytes_against_compressed_size", compressed_bytes_against_compressed_size)],
                       prefix="logsift-progress-")
    sys.exit(harness.summary("progress_terminal"))


if __name__ == "__main__":
    main()
