#!/usr/bin/env python3
"""The bad-input catalogue: logsift run end to end on everything that tends to break a grep.

usage: python3 tests/e2e/test_bad_inputs.py /path/to/logsift      (from the repository root)

Each case asserts the exit status, stderr (every line starts with `logsift:` and names the
problem) and stdout: invalid and oversized regexes (RE2's memory budget), patterns that are
exponential for backtracking engines (linear time), a 256 MiB single line (peak memory measured),
NUL bytes, invalid UTF-8, CRLF, empty input, unreadable, vanished and directory operands, FIFOs,
/dev/full and a closed stdout, SIGPIPE, SIGINT during a search (whole lines, exit 130 or killed as
grep is), and files that grow or shrink while they are read. See docs/reliability.md.

Cases listed in KNOWN_BUGS are reported but do not fail the run until they are fixed; one that
starts passing says so, so that it can be taken off the list.

Prints one line per failing check, the peak memory figures, then
`bad_inputs: N passed, M failed` (plus skipped and known-bug counts); exits 1 if any failed.
Only the Python standard library is used.
"""
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time

import harness
from harness import default_signals, short, write

TIMEOUT = 30  # seconds for any single run that should finish
MiB = 1 << 20

LOGSIFT = None
SANITIZED = False  # an ASan build: memory figures mean nothing and everything is slower
skipped = []
known = []
notes = []

# name -> why it fails today. A check in here that fails is reported, not counted as a failure.
KNOWN_BUGS = {}


def check(name, ok, detail=""):
    if name in KNOWN_BUGS:
        if ok:
            harness.check(name, ok)
            notes.append(f"now passes, remove from KNOWN_BUGS: {name}")
        else:
            known.append(f"{name} ({KNOWN_BUGS[name]})" + (f": {detail}" if detail else ""))
        return
    harness.check(name, ok, detail)


def skip(name, why):
    skipped.append(f"{name}: {why}")


def run(args, stdin=b"", cwd=None, timeout=TIMEOUT, **popen):
    """Runs logsift; returns (exit status, stdout, stderr, seconds). Status -N: killed by signal N."""
    start = time.monotonic()
    proc = subprocess.run([LOGSIFT] + args, input=stdin, capture_output=True, cwd=cwd, timeout=timeout,
                          preexec_fn=default_signals, **popen)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def stderr_ok(err, words):
    """Every stderr line is a `logsift:` message, and together they contain every word."""
    if not err.endswith(b"\n"):
        return False
    lines = err.decode("utf-8", "replace").splitlines()
    return all(line.startswith("logsift: ") for line in lines) and all(w in err.decode("utf-8", "replace")
                                                                        for w in words)


def expect(name, result, status, stdout=b"", words=None):
    """Checks one run. status: an int or a tuple of allowed ones. stdout: bytes, or a predicate.
    words: None means stderr must be empty; a list means `logsift:` lines naming those words."""
    rc, out, err = result[0], result[1], result[2]
    allowed = status if isinstance(status, tuple) else (status,)
    check(f"{name}: exit status", rc in allowed, f"got {rc}, want {allowed}; stderr {short(err)}")
    if callable(stdout):
        check(f"{name}: stdout", stdout(out), short(out))
    else:
        check(f"{name}: stdout", out == stdout, f"got {short(out)}, want {short(stdout)}")
    if words is None:
        check(f"{name}: stderr", err == b"", f"want nothing, got {short(err)}")
    else:
        check(f"{name}: stderr", stderr_ok(err, words), f"want logsift: lines with {words}, got {short(err)}")


# Runs in a fresh, small Python: ru_maxrss of a child includes the memory of the process it was
# forked from up to its exec, so measuring from this (large) test process would measure the test.
MEASURE = r"""
import os, subprocess, sys
with open(sys.argv[1], "wb") as out:
    proc = subprocess.Popen(sys.argv[2:], stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
sys.stderr.buffer.write(err)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def run_measured(args, stdout_path):
    """Runs logsift with stdout into a file; returns (status, stderr, peak RSS in KiB, seconds).

    The peak is logsift's own (os.wait4 in the helper), with the helper's ~10 MiB as a floor.
    """
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", MEASURE, stdout_path, LOGSIFT] + args,
                          capture_output=True, timeout=120, preexec_fn=default_signals)
    status, peak_kib = (int(word) for word in proc.stdout.split())
    return status, proc.stderr, peak_kib, time.monotonic() - start


# ---- regexes ---------------------------------------------------------------------------------

def test_bad_regexes(tmp):
    f = write(os.path.join(tmp, "f.txt"), b"abc\n(\n")
    expect("unbalanced (", run(["(", f]), 2, b"", ["invalid pattern", "missing )"])
    expect("-G unmatched \\(", run(["-G", "\\(", f]), 2, b"", ["Unmatched ( or \\("])
    expect("back-reference", run(["-E", "(a)\\1", f]), 2, b"", ["back-references are not supported"])
    expect("repetition over RE2's 1000", run(["x{1001}", f]), 2, b"", ["invalid repetition size"])
    expect("bad --keep regex", run(["--keep", "[z-a]", "a", f]), 2, b"", ["--keep", "[z-a]"])

    # Within the repetition limit but past RE2's memory budget: a clean error, quickly.
    for pattern in ["\\pL{1000}", "(\\w+\\s*){1000}"]:
        result = run([pattern, f])
        expect(f"RE2 memory budget {pattern}", result, 2, b"", ["too large"])
        check(f"RE2 memory budget {pattern}: quick", result[3] < 10, f"{result[3]:.1f}s")

    # 100,000 -f patterns, once past RE2's budget and refused ("too large"): a list of literals is
    # searched without RE2 (the literal set), so they are taken and found.
    patterns = os.path.join(tmp, "patterns.txt")
    rng = random.Random(7)  # random words share few prefixes, so RE2 cannot factor them small
    words = [bytes(rng.choices(b"abcdefghij", k=12)) for _ in range(100000)]
    write(patterns, b"".join(w + b"\n" for w in words))
    hay = write(os.path.join(tmp, "hay.txt"), b"nothing here\nsays " + words[56789] + b" ok\n")
    rc, out, err, seconds = run(["-f", patterns, hay], timeout=60)
    expect("100k patterns", (rc, out, err), 0, b"says " + words[56789] + b" ok\n")
    notes.append(f"100k -f patterns: exit {rc} in {seconds:.1f}s")

    # 10,000 literal -f patterns must be compiled in reasonable time (GNU grep: well under 1s).
    write(patterns, b"".join(b"w%06dq\n" % (i * 7919 % 1000003) for i in range(10000)))
    write(hay, b"nothing here\nsays w%06dq ok\n" % (9999 * 7919 % 1000003))
    try:
        rc, out, err, seconds = run(["-f", patterns, hay], timeout=20)
        expect("10k -f literals", (rc, out, err), 0, b"says w%06dq ok\n" % (9999 * 7919 % 1000003))
    except subprocess.TimeoutExpired:
        seconds = 20.0
    check("10k -f literals: under 3s", seconds < 3, f"{seconds:.1f}s")
    notes.append(f"10k -f literal patterns: {seconds:.1f}s")


def test_exponential_patterns(tmp):
    # Each is exponential for a backtracking engine on this line; RE2 is linear.
    line = b"a" * 100000 + b"b\n"
    f = write(os.path.join(tmp, "aaa.txt"), line)
    limit = 6.0 if SANITIZED else 2.0
    for pattern, status, stdout in [("(a+)+$", 1, b""), ("(a|aa)*c", 1, b""), ("(a*)*b$", 0, line),
                                    ("^(a|a?)+$", 1, b""), ("(x+x+)+y", 1, b"")]:
        result = run([pattern, f])
        expect(f"exponential {pattern}", result, status, stdout)
        check(f"exponential {pattern}: under {limit:.0f}s", result[3] < limit, f"{result[3]:.2f}s")
    result = run(["-o", "(a+)+", f])
    expect("exponential -o (a+)+", result, 0, b"a" * 100000 + b"\n")
    check(f"exponential -o (a+)+: under {limit:.0f}s", result[3] < limit, f"{result[3]:.2f}s")


# ---- memory --------------------------------------------------------------------------------

def test_huge_line(tmp):
    """One 256 MiB line: memory grows with the longest line (O(line)), not more; report peaks."""
    path = os.path.join(tmp, "huge.txt")
    size = 256 * MiB
    tail = b" NEEDLE-AT-THE-END\n"
    block = b"abcdefghij" * (MiB // 10 + 1)
    with open(path, "wb") as f:  # streamed: the test itself never holds the line
        left = size - len(tail)
        while left > 0:
            piece = block[:min(left, len(block))]
            f.write(piece)
            left -= len(piece)
        f.write(tail)
    out_path = os.path.join(tmp, "huge.out")

    rc, err, peak_kib, seconds = run_measured(["-c", "NEEDLE", path], out_path)
    with open(out_path, "rb") as f:
        out = f.read()
    expect("256 MiB line -c", (rc, out, err), 0, b"1\n")
    notes.append(f"256 MiB single line, -c: peak RSS {peak_kib // 1024} MiB in {seconds:.1f}s")
    # The line is held once (the carry buffer, grown by doubling): allow 1.5x plus slack.
    if not SANITIZED:
        check("256 MiB line -c: peak memory below 1.5x the line + 64 MiB", peak_kib * 1024 < 1.5 * size + 64 * MiB,
              f"{peak_kib // 1024} MiB")

    rc, err, peak_kib, seconds = run_measured(["NEEDLE", path], out_path)
    out_size = os.path.getsize(out_path)
    with open(out_path, "rb") as f:
        f.seek(max(0, out_size - 64))
        out_tail = f.read()
    check("256 MiB line printed: exit 0", rc == 0, f"got {rc}")
    check("256 MiB line printed: whole line on stdout", out_size == size and out_tail.endswith(tail),
          f"{out_size} bytes ending {short(out_tail)}")
    check("256 MiB line printed: stderr", err == b"", short(err))
    notes.append(f"256 MiB single line, printed: peak RSS {peak_kib // 1024} MiB in {seconds:.1f}s")
    # The carry buffer only: a line as big as a flush is written from it, not copied (issue 13).
    if not SANITIZED:
        check("256 MiB line printed: peak memory below 1.5x the line + 64 MiB",
              peak_kib * 1024 < 1.5 * size + 64 * MiB, f"{peak_kib // 1024} MiB")
    os.unlink(out_path)
    os.unlink(path)


def test_constant_memory(tmp):
    """64 MiB of ordinary lines: memory is the read buffers, not the input."""
    path = os.path.join(tmp, "lines.txt")
    with open(path, "wb") as f:
        chunk = b"".join(b"2024-03-01T12:00:%02dZ INFO request id=%08d done\n" % (i % 60, i) for i in range(20000))
        while f.tell() < 64 * MiB:
            f.write(chunk)
    lines = os.path.getsize(path) // len(chunk) * 20000
    out_path = os.path.join(tmp, "lines.out")
    for args, want in [(["-c", "INFO"], b"%d\n" % lines), (["-c", "-v", "INFO"], b"0\n"),
                       (["-c", "--keep", "id=000199", "--sub", "s/done/DONE/", "DONE"], b"%d\n" % (lines // 200))]:
        rc, err, peak_kib, seconds = run_measured(args + [path], out_path)
        with open(out_path, "rb") as f:
            out = f.read()
        name = "64 MiB of lines " + " ".join(args)
        expect(name, (rc, out, err), 0 if want != b"0\n" else 1, want)
        notes.append(f"{name}: peak RSS {peak_kib // 1024} MiB in {seconds:.1f}s")
        if not SANITIZED:
            check(f"{name}: peak memory below 32 MiB", peak_kib < 32 * 1024, f"{peak_kib // 1024} MiB")
    os.unlink(out_path)
    os.unlink(path)


def test_no_thread_to_be_had(tmp):
    """Under a 10 MB address-space limit the second search thread (an 8 MiB stack) cannot start:
    the search goes on in one thread instead of failing with 'Resource temporarily unavailable'."""
    if SANITIZED:
        return  # ASan reserves terabytes of address space: no limit can be set below it
    path = os.path.join(tmp, "lines.txt")
    with open(path, "wb") as f:
        chunk = b"".join(b"2024-03-01T12:00:%02dZ INFO request id=%08d done\n" % (i % 60, i) for i in range(20000))
        while f.tell() < 40 * MiB:  # past the 16 MiB after which the worker joins
            f.write(chunk)
    lines = os.path.getsize(path) // len(chunk) * 20000

    def limit():
        default_signals()
        resource.setrlimit(resource.RLIMIT_AS, (10_000 * 1024, 10_000 * 1024))

    proc = subprocess.run([LOGSIFT, "-c", "INFO", path], capture_output=True, stdin=subprocess.DEVNULL,
                          timeout=TIMEOUT, preexec_fn=limit)
    expect("no thread to be had", (proc.returncode, proc.stdout, proc.stderr), 0, b"%d\n" % lines)
    os.unlink(path)


# ---- awkward bytes -----------------------------------------------------------------------

def test_bytes(tmp):
    nul = write(os.path.join(tmp, "nul.txt"), b"a\0b\nmatch\n")
    expect("NUL: binary file matches", run(["match", nul]), 0, b"", [f"{nul}: binary file matches"])
    expect("NUL -a: printed as text", run(["-a", "match", nul]), 0, b"match\n")
    expect("NUL -c: counted", run(["-c", "match", nul]), 0, b"1\n")
    expect("NUL no match", run(["zzz", nul]), 1, b"")
    expect("NUL on stdin", run(["b"], stdin=b"a\0b\n"), 0, b"", ["(standard input): binary file matches"])

    bad = write(os.path.join(tmp, "bad.txt"), b"caf\xff match\nok match\n")
    expect("invalid UTF-8: line suppressed", run(["match", bad]), 0, b"ok match\n", ["binary file matches"])
    expect("invalid UTF-8 -a", run(["-a", "match", bad]), 0, b"caf\xff match\nok match\n")
    expect("invalid UTF-8 -c", run(["-c", "match", bad]), 0, b"2\n")
    expect("invalid UTF-8 only in a non-matching line", run(["ok", bad]), 0, b"ok match\n")
    # '.' is a character, and a stray byte is none (as in GNU grep).
    expect("invalid UTF-8: . does not match a stray byte", run(["-c", "-a", "caf.", bad]), 1, b"0\n")
    # An invalid-UTF-8 -F literal: GNU grep matches its bytes; a clean error is acceptable too.
    rc, out, err, _ = run([b"-c", b"-a", b"-F", b"caf\xff", bad])
    if rc == 0:
        check("invalid UTF-8 -F literal: matches its bytes", out == b"1\n" and err == b"", short(out + err))
    else:
        expect("invalid UTF-8 -F literal: clean error", (rc, out, err), 2, b"", ["invalid UTF-8"])

    crlf = write(os.path.join(tmp, "crlf.txt"), b"foo\r\nbar\r\n")
    expect("CRLF: \\r kept", run(["foo", crlf]), 0, b"foo\r\n")
    expect("CRLF: -x does not see through \\r", run(["-x", "foo", crlf]), 1, b"")
    expect("CRLF: $ does not match before \\r", run(["foo$", crlf]), 1, b"")
    expect("CRLF: -c", run(["-c", "o", crlf]), 0, b"1\n")
    expect("lone CR is not a line end", run(["-c", "b"], stdin=b"a\rb\rc\n"), 0, b"1\n")
    expect("last line without newline", run(["c"], stdin=b"a\nbc"), 0, b"bc\n")

    empty = write(os.path.join(tmp, "empty.txt"), b"")
    expect("empty file", run(["x", empty]), 1, b"")
    expect("empty file -c", run(["-c", "x", empty]), 1, b"0\n")
    expect("empty file -v", run(["-v", "x", empty]), 1, b"")
    expect("empty pattern on empty file", run(["", empty]), 1, b"")
    expect("empty stdin", run(["x"]), 1, b"")
    expect("empty stdin with stages", run(["--last", "3", "--uniq", "x"]), 1, b"")
    expect("only a newline", run(["-c", ""], stdin=b"\n"), 0, b"1\n")


# ---- operands ----------------------------------------------------------------------------

def test_operands(tmp):
    good = write(os.path.join(tmp, "good.txt"), b"x marks\n")
    gone = os.path.join(tmp, "gone.txt")
    write(gone, b"x\n")
    os.unlink(gone)  # passed by name, deleted before the run
    expect("vanished file", run(["x", gone]), 2, b"", [f"{gone}: No such file or directory"])
    expect("vanished file among others", run(["x", gone, good]), 2, f"{good}:x marks\n".encode(),
           ["No such file or directory"])
    expect("vanished file -s", run(["-s", "x", gone]), 2, b"")

    d = os.path.join(tmp, "dir")
    os.mkdir(d)
    write(os.path.join(d, "inside.txt"), b"x inside\n")
    expect("directory operand", run(["x", d]), 2, b"", [f"{d}: Is a directory"])
    expect("directory operand -s", run(["-s", "x", d]), 2, b"")
    expect("directory operand -r", run(["-r", "x", d]), 0, f"{d}/inside.txt:x inside\n".encode())

    locked = write(os.path.join(tmp, "locked.txt"), b"x\n")
    os.chmod(locked, 0)
    # Root reads a mode-000 file anyway: without the capabilities that override file modes it cannot.
    as_user = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", LOGSIFT] if os.geteuid() == 0 else [LOGSIFT]
    proc = subprocess.run(as_user + ["x", locked, good], capture_output=True, stdin=subprocess.DEVNULL,
                          timeout=TIMEOUT, preexec_fn=default_signals)
    expect("unreadable file", (proc.returncode, proc.stdout, proc.stderr), 2, f"{good}:x marks\n".encode(),
           [f"{locked}: Permission denied"])
    os.chmod(locked, 0o600)


def test_fifos(tmp):
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    lines = b"".join(b"line %d %s\n" % (i, b"x" if i % 3 == 0 else b"y") for i in range(20000))

    def writer():
        with open(fifo, "wb") as f:  # blocks until logsift opens the other end
            for i in range(0, len(lines), 1000):  # many short writes: short reads on the other side
                f.write(lines[i:i + 1000])
                f.flush()

    thread = threading.Thread(target=writer)
    thread.start()
    want = b"".join(line + b"\n" for line in lines.split(b"\n") if line.endswith(b"x"))
    try:
        expect("FIFO operand", run(["x$", fifo]), 0, want)
    finally:
        thread.join(timeout=5)
        if thread.is_alive():  # logsift never opened it: unblock the writer
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
            thread.join()

    # -r skips FIFOs: opening one would wait forever for a writer.
    d = os.path.join(tmp, "withfifo")
    os.mkdir(d)
    os.mkfifo(os.path.join(d, "a_fifo"))
    write(os.path.join(d, "b.txt"), b"x\n")
    try:
        result = run(["-r", "x", d], timeout=10)
        expect("-r skips FIFOs", result, 0, f"{d}/b.txt:x\n".encode())
    except subprocess.TimeoutExpired:
        check("-r skips FIFOs", False, "hung on the FIFO")


# ---- output ------------------------------------------------------------------------------

def test_outputs(tmp):
    f = write(os.path.join(tmp, "many.txt"), b"".join(b"%d x\n" % i for i in range(200000)))
    if os.path.exists("/dev/full"):
        with open("/dev/full", "wb") as full:
            proc = subprocess.run([LOGSIFT, "x", f], stdout=full, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                  timeout=TIMEOUT)
        expect("/dev/full as stdout", (proc.returncode, b"", proc.stderr), 2, b"",
               ["write error", "No space left on device"])
    else:
        skip("/dev/full as stdout", "no /dev/full")

    # Standard output closed altogether (cmd >&-).
    proc = subprocess.run([LOGSIFT, "x", f], stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=TIMEOUT,
                          preexec_fn=lambda: os.close(1))
    expect("closed stdout", (proc.returncode, b"", proc.stderr), 2, b"", ["write error"])
    proc = subprocess.run([LOGSIFT, "-q", "x", f], stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=TIMEOUT,
                          preexec_fn=lambda: os.close(1))
    expect("closed stdout -q (nothing to write)", (proc.returncode, b"", proc.stderr), 0, b"")

    # A reader that goes away (logsift ... | head -1). With SIGPIPE at its default logsift dies of it,
    # as GNU grep does; with SIGPIPE ignored it gets EPIPE and must end quietly, exit 0.
    for name, restore in [("sigpipe default", True), ("sigpipe ignored", False)]:
        proc = subprocess.Popen([LOGSIFT, "x", f], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, restore_signals=restore)
        first, rc = harness.first_line_then_hang_up(proc, TIMEOUT)
        err = proc.stderr.read()
        proc.stderr.close()
        check(f"{name}: first line", first == b"0 x\n", short(first))
        check(f"{name}: nothing on stderr", err == b"", short(err))
        if restore:
            check(f"{name}: killed by SIGPIPE or exit 0", rc in (-signal.SIGPIPE, 0), f"got {rc}")
        else:
            check(f"{name}: exit 0 after selecting lines", rc == 0, f"got {rc}")


def write_big_input(path, lines=60000):
    """Lines of varying length (up to ~1 KB), each "NNNNNN xxx...", ~30 MB."""
    with open(path, "wb") as f:
        pad = b"x" * 1000
        for i in range(lines):
            f.write(b"%06d %s\n" % (i, pad[:1 + (i * 37) % 997]))


def read_slowly(proc, want_bytes, deadline):
    got = bytearray()
    while len(got) < want_bytes and time.monotonic() < deadline:
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        got += chunk
        time.sleep(0.0005)
    return got


def drain(proc, got, deadline):
    """Reads the rest of stdout into `got` until the deadline (then kills); returns (whether it
    finished by itself, exit status, stderr)."""
    finished = False
    while time.monotonic() < deadline:
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            finished = True
            break
        got += chunk
    if not finished:
        proc.kill()
    rc = proc.wait()
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return finished, rc, err


def test_sigint(tmp, big):
    # logsift writes to a pipe that is read slowly, so it is blocked in write(2) when SIGINT comes.
    proc = subprocess.Popen([LOGSIFT, "x", big], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, preexec_fn=default_signals)
    deadline = time.monotonic() + TIMEOUT
    got = read_slowly(proc, 512 * 1024, deadline)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    finished, rc, err = drain(proc, got, deadline)
    check("sigint: stops", finished, "still writing after SIGINT")
    check("sigint: exit 130 or killed by SIGINT", rc in (130, -signal.SIGINT), f"got {rc}")
    check("sigint: stopped early", len(got) < os.path.getsize(big) // 2, f"{len(got)} bytes")
    check("sigint: output ends with a whole line", got.endswith(b"\n"), f"ends {short(bytes(got[-20:]))}")
    check("sigint: stderr", err == b"" or stderr_ok(err, []), short(err))


def test_changing_input(tmp, big):
    """A file truncated or appended to while it is read: no crash, no hang, whole lines."""
    with open(big, "rb") as f:
        original = f.read()
    original_lines = original.split(b"\n")[:-1]

    for mode in ("shrink", "grow"):
        path = os.path.join(tmp, f"{mode}.txt")
        write(path, original)
        proc = subprocess.Popen([LOGSIFT, "x", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + TIMEOUT
        got = read_slowly(proc, 64 * 1024, deadline)
        time.sleep(0.2)  # blocked on its output, a few blocks read ahead
        appended = b""
        if mode == "shrink":
            os.truncate(path, 1000)
        else:
            appended = b"".join(b"appended %d x\n" % i for i in range(1000))
            with open(path, "ab") as f:
                f.write(appended)
        finished, rc, err = drain(proc, got, deadline)
        name = f"input that {mode}s while read"
        check(f"{name}: finishes", finished)
        check(f"{name}: exit 0", rc == 0, f"got {rc}; stderr {short(err)}")
        check(f"{name}: stderr", err == b"", short(err))
        check(f"{name}: output ends with a newline", got.endswith(b"\n"), short(bytes(got[-20:])))
        # Every line is one of the file's lines, in order; after a truncation the last one may be
        # the part of a line that was read before the file was cut.
        expected = [line for line in original_lines if b"x" in line] + appended.split(b"\n")[:-1]
        out_lines = bytes(got).split(b"\n")[:-1]
        prefix = len(out_lines) <= len(expected) and all(a == b for a, b in zip(out_lines[:-1], expected))
        last_ok = not out_lines or expected[len(out_lines) - 1].startswith(out_lines[-1]) if prefix else False
        check(f"{name}: output is the file's lines in order", prefix and last_ok,
              f"{len(out_lines)} lines, first difference near line "
              f"{next((i for i, (a, b) in enumerate(zip(out_lines, expected)) if a != b), len(out_lines))}")
        if mode == "shrink":
            check(f"{name}: stopped at the cut", len(out_lines) < len(expected), f"{len(out_lines)} lines")
        os.unlink(path)


def main():
    global LOGSIFT, SANITIZED
    LOGSIFT = harness.start(like_grep=True)
    SANITIZED = harness.SANITIZED

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="logsift-bad-inputs-") as tmp:
        big = os.path.join(tmp, "big.txt")
        write_big_input(big)
        harness.run_groups([(test.__name__, test) for test in [
            test_bad_regexes, test_exponential_patterns, test_bytes, test_operands, test_fifos, test_outputs]] +
            [("test_sigint", lambda t: test_sigint(t, big)), ("test_changing_input", lambda t: test_changing_input(t, big))] +
            [(test.__name__, test) for test in [test_constant_memory, test_huge_line, test_no_thread_to_be_had]],
            prefix="logsift-bad-inputs-")

    for line in known:
        print("KNOWN BUG", line)
    for line in skipped:
        print("SKIP", line)
    for line in notes:
        print("note:", line)
    return harness.summary("bad_inputs", f", {len(skipped)} skipped, {len(known)} known bugs "
                           f"({time.monotonic() - start:.0f}s{', sanitized build' if SANITIZED else ''})")


if __name__ == "__main__":
    sys.exit(main())
