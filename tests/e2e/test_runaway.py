#!/usr/bin/env python3
"""Runaway cases of issue 13 (items 4, 13, 14, 15): nothing swallowed, nothing stuck, nothing huge.

usage: python3 tests/e2e/test_runaway.py /path/to/logsift      (from the repository root)

- Huge context lengths work as in GNU grep, and -B N costs memory for the lines there are, not N.
- SIGTERM/SIGINT stop logsift while its output pipe is full and nobody reads it.
- Inputs with NUL bytes (binary) and no newline: -q/-m/--take return at once on /dev/zero, and
  counts over a sparse file are grep's, in bounded memory.
- A 100 MB line through --fields, -o and --color: memory a small multiple of the line, output
  byte for byte grep's (or awk's).

Peak memory is measured with os.wait4 in a small helper Python (see MEASURE). Prints one line per
failing check, then `runaway: N passed, M failed`; exits 1 if any failed. Standard library only.
"""
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time

import harness
from harness import check, default_signals, short, write

MiB = 1 << 20
TIMEOUT = 60
LOGSIFT = None
SANITIZED = False
notes = []


def run(cmd, timeout=TIMEOUT, stdin=subprocess.DEVNULL):
    """Runs a command; returns (exit status, stdout, stderr)."""
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=stdin, preexec_fn=default_signals)
    return proc.returncode, proc.stdout, proc.stderr


# Runs in a fresh, small Python: ru_maxrss of a child includes the memory of the process it was
# forked from up to its exec. Prints the exit status, the peak RSS (KiB), the seconds taken and the
# SHA-256 of stdout (which is read as it comes, never held).
MEASURE = r"""
import hashlib, os, subprocess, sys, threading, time
start = time.monotonic()
proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
threading.Timer(float(sys.argv[1]), proc.kill).start()  # killed, not left running, past the timeout
digest, size = hashlib.sha256(), 0
while True:
    chunk = os.read(proc.stdout.fileno(), 1 << 20)
    if not chunk:
        break
    digest.update(chunk)
    size += len(chunk)
_, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, round(time.monotonic() - start, 3), size, digest.hexdigest())
sys.stdout.flush()
os._exit(0)  # without waiting for the timer
"""


def run_measured(cmd, timeout=TIMEOUT):
    """Returns (exit status, peak RSS in KiB, seconds, stdout size, stdout SHA-256); a helper of
    about 10 MiB is the floor of the peak."""
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", MEASURE, str(timeout)] + cmd, capture_output=True,
                          timeout=timeout + 30, preexec_fn=default_signals)
    status, peak, seconds, size, digest = proc.stdout.split()
    return int(status), int(peak), float(seconds), int(size), digest.decode()


# ---- item 4: context lengths -------------------------------------------------------------------

def test_huge_context(tmp):
    two = write(os.path.join(tmp, "two.txt"), b"a\nb\n")
    for args in (["-B", "18446744073709551615", "b"], ["-C", "99999999999999999999", "b"],
                 ["-c", "-B", "100000000000", "b"], ["-A", "18446744073709551615", "a"],
                 ["-B", "10000000", "-n", "b"]):
        mine, grep = run([LOGSIFT] + args + [two]), run(["grep"] + args + [two])
        check(f"{' '.join(args)}: like grep", mine == grep, f"logsift {mine}, grep {grep}")
    if not SANITIZED:
        status, peak, _, _, _ = run_measured([LOGSIFT, "-B", "10000000", "b", two])
        check("-B 10000000 on two lines: exit 0", status == 0, f"got {status}")
        check("-B 10000000 on two lines: peak RSS below 24 MiB", peak < 24 * 1024, f"{peak // 1024} MiB")
        notes.append(f"-B 10000000 on two lines: peak RSS {peak // 1024} MiB")


# ---- item 13: signals while the output is stalled ----------------------------------------------

def test_signal_while_output_stalled(tmp):
    big = os.path.join(tmp, "big.txt")
    with open(big, "wb") as f:
        f.write(b"".join(b"%07d some text to fill the line up\n" % i for i in range(300000)))
    for sig in (signal.SIGTERM, signal.SIGINT):
        read_end, write_end = os.pipe()  # nobody reads: logsift fills the pipe and waits
        proc = subprocess.Popen([LOGSIFT, "", big], stdout=write_end, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, preexec_fn=default_signals)
        os.close(write_end)
        time.sleep(0.5)
        proc.send_signal(sig)
        sent = time.monotonic()
        try:
            rc = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
            rc = f"still running 5 s after the signal (then killed: {rc})"
        waited = time.monotonic() - sent
        os.close(read_end)
        name = f"{signal.Signals(sig).name} while the output pipe is full"
        check(f"{name}: killed by it", rc == -sig, f"got {rc}")
        # A hang check with a generous bound: the grace for finishing a line is 0.25 s.
        check(f"{name}: gone within 2 s", waited < 2, f"{waited:.2f} s")


# ---- item 14: binary inputs without newlines -----------------------------------------------------

def as_grep(err):
    return err.replace(b"logsift: ", b"grep: ")


def test_nul_runs(tmp):
    # /dev/zero never ends: what needs one line must return at once, in a few MiB.
    for args, grep_args in ((["-q", ""], None), (["-m", "1", ""], None), (["--take", "1", "-e", ""], ["-m", "1", ""]),
                            (["-l", ""], None), (["-c", "-m", "3", ""], None)):
        grep_args = grep_args or args
        name = f"{' '.join(args)} /dev/zero"
        try:
            mine = run([LOGSIFT] + args + ["/dev/zero"], timeout=20)
        except subprocess.TimeoutExpired:
            check(f"{name}: returns", False, "still running after 20 s")
            continue
        want = run(["grep"] + grep_args + ["/dev/zero"], timeout=20)
        check(f"{name}: like grep {' '.join(grep_args)}", (mine[0], mine[1], as_grep(mine[2])) == want,
              f"logsift {mine}, grep {want}")
    if not SANITIZED:
        status, peak, seconds, _, _ = run_measured([LOGSIFT, "-q", "", "/dev/zero"], timeout=20)
        check("-q '' /dev/zero: peak RSS below 16 MiB", status == 0 and peak < 16 * 1024, f"{status}, {peak // 1024} MiB")

    # A sparse file of 256 MiB: one run of NULs, no newline. Mapped (a regular file) and read(2)
    # (standard input) take different paths.
    sparse = os.path.join(tmp, "sparse.bin")
    with open(sparse, "wb") as f:
        f.truncate(256 * MiB)
    small = os.path.join(tmp, "sparse-small.bin")
    with open(small, "wb") as f:
        f.truncate(4 * MiB)
    for args, path in ((["-c", "x"], sparse), (["-c", "-v", "x"], small), (["-c", ""], small), (["-l", "x"], sparse),
                       (["x"], sparse), (["-m", "1", ""], sparse)):
        for how in ("file", "stdin"):
            cmd = [LOGSIFT] + args + [path] if how == "file" else ["sh", "-c", f'exec "$0" "$@" < {path}', LOGSIFT] + args
            name = f"{' '.join(args)} on {os.path.getsize(path) // MiB} MiB of NULs ({how})"
            want = run(["grep"] + args + [path])
            if how == "stdin":
                want = (want[0], want[1], want[2].replace(path.encode(), b"(standard input)"))
            mine = run(cmd, timeout=120)
            check(f"{name}: like grep", (mine[0], mine[1], as_grep(mine[2])) == want, f"logsift {mine}, grep {want}")
            if not SANITIZED and path == sparse:
                status, peak, seconds, _, _ = run_measured(cmd, timeout=120)
                check(f"{name}: peak RSS below 24 MiB", peak < 24 * 1024, f"{peak // 1024} MiB")
                notes.append(f"{name}: peak RSS {peak // 1024} MiB in {seconds:.1f}s")

    # NULs here and there: counts are grep's, which ends lines at NULs in a binary input, whether
    # the file is mapped (over 1 MiB) or read, and wherever the first NUL is.
    import random
    rng = random.Random(13)
    scattered = write(os.path.join(tmp, "scattered.bin"), bytes(rng.choice(b"ab \n\0xyz") for _ in range(3 * MiB)))
    lines = b"".join(b"line %d ERROR x\n" % i if i % 7 == 0 else b"line %d ok\n" % i for i in range(400000))
    cut = lines.index(b"ERROR", len(lines) // 2) + 2
    one_nul = write(os.path.join(tmp, "one-nul.bin"), lines[:cut] + b"\0" + lines[cut:])
    small_nul = write(os.path.join(tmp, "small.bin"), b"a\0b\0a\nxa\0\0\n\0\0\0")
    for path in (scattered, one_nul, small_nul):
        for args in (["-c", "a"], ["-c", ""], ["-c", "-v", "a"], ["-c", "-x", ""], ["-c", "-E", "^b|y$"],
                     ["-c", "-w", "-E", "a|x"], ["-c", "-v", "-E", "ok$"], ["-c", "-E", "^ROR"], ["-l", "-x", "b"]):
            name = f"{' '.join(args)} on {os.path.basename(path)}"
            want = run(["grep"] + args + [path])
            check(f"{name}: count like grep", run([LOGSIFT] + args + [path]) == want, f"grep {want}")
            mine = run(["sh", "-c", f'exec "$0" "$@" < {path}', LOGSIFT] + args)
            want = (want[0], want[1].replace(path.encode(), b"(standard input)"))
            check(f"{name} (stdin): count like grep", mine[:2] == want, f"logsift {mine}, grep {want}")


# ---- item 15: a line of millions of fields and matches ----------------------------------------

def test_long_line(tmp):
    word = b"abcdefghij "
    words = 100 * 1000 * 1000 // len(word)
    path = os.path.join(tmp, "line.txt")
    with open(path, "wb") as f:
        f.write(word * words + b"\n")
    size = os.path.getsize(path)

    def digest_of(pieces):
        d = hashlib.sha256()
        total = 0
        for piece, times in pieces:
            for _ in range(times // 100000):
                d.update(piece * 100000)
            d.update(piece * (times % 100000))
            total += len(piece) * times
        return total, d.hexdigest()

    start, end = "\33[01;31m\33[K", "\33[m\33[K"
    colored = (start + "a" + end + "bcdefghij ").encode()
    cases = [
        (["--fields", "1", "-e", ""], digest_of([(b"abcdefghij\n", 1)])),
        (["--fields", "3,1", "--field-sep", "ij", "-e", ""], digest_of([(b" abcdefghijabcdefgh\n", 1)])),
        (["--fields", "2-", "-e", ""], digest_of([(b"abcdefghij ", words - 2), (b"abcdefghij\n", 1)])),
        (["-o", "a"], digest_of([(b"a\n", words)])),
        (["--color=always", "a"], digest_of([(colored, words), (b"\n", 1)])),
    ]
    for args, (want_size, want_digest) in cases:
        status, peak, seconds, out_size, out_digest = run_measured([LOGSIFT] + args + [path], timeout=240)
        name = f"{' '.join(args)} on a {size // MiB} MiB line of {words} fields"
        check(f"{name}: exit 0", status == 0, f"got {status}")
        check(f"{name}: output", (out_size, out_digest) == (want_size, want_digest),
              f"{out_size} bytes, want {want_size}")
        notes.append(f"{name}: peak RSS {peak // 1024} MiB in {seconds:.1f}s")
        if not SANITIZED:
            # The line is held (the carry buffer, grown by doubling), and --fields 2- builds a copy.
            bound = 3 if args[1] == "2-" else 2.5
            check(f"{name}: peak RSS at most {bound}x the line", peak * 1024 < bound * size, f"{peak // 1024} MiB")
    # The same output as grep's, byte for byte, on a shorter line (grep is slow to color 100 MB).
    short_line = write(os.path.join(tmp, "short.txt"), word * 20000 + b"\n")
    for args in (["-o", "a"], ["--color=always", "a"], ["-n", "-b", "-o", "--color=always", "b"]):
        check(f"{' '.join(args)}: like grep", run([LOGSIFT] + args + [short_line]) == run(["grep"] + args + [short_line]))


def main():
    global LOGSIFT, SANITIZED
    LOGSIFT = harness.start(like_grep=True)
    SANITIZED = harness.SANITIZED
    start = time.monotonic()
    harness.run_groups([(test.__name__, test) for test in (
        test_huge_context, test_signal_while_output_stalled, test_nul_runs, test_long_line)],
        prefix="logsift-runaway-")
    for line in notes:
        print("note:", line)
    return harness.summary("runaway", f" ({time.monotonic() - start:.0f}s)")


if __name__ == "__main__":
    sys.exit(main())
