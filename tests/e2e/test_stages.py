#!/usr/bin/env python3
"""End-to-end checks of the stage chain (--keep, --sub, --take, ...), run on the built binary.

usage: python3 tests/e2e/test_stages.py /path/to/logsift      (from the repository root)

Covers what the unit tests cannot see: the command line builds stages in the order given, line
numbers and byte offsets (-n, -b) stay those of the input, the sink's options (-c, -m, -o, -v,
context) apply to what the chain passes, each file gets its own chain, --take/--take-while/--slice
stop reading (checked on `yes` and on pipes that never close), --explain reads nothing, and bad
stage arguments fail with one `logsift:` line and exit 2 before any input is read.
Expected output is computed in Python from data/app.log, or written out for small inputs.

Prints one line per failing check, then `stages: N passed, M failed`; exits 1 if any failed.
Only the Python standard library is used.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import harness
from harness import ROOT, check

APP = "data/app.log"
APACHE = "data/apache_logs"
TIMEOUT = 20  # seconds for a process that should finish
PROMPT = 2.0  # seconds within which a lazy or failing run must exit

LOGSIFT = None


def run(args, stdin=b""):
    """Runs logsift with `args` from the repository root; returns (exit status, stdout, stderr)."""
    proc = subprocess.run([LOGSIFT] + args, cwd=ROOT, input=stdin, capture_output=True, timeout=TIMEOUT)
    return proc.returncode, proc.stdout, proc.stderr


def run_with_open_stdin(args, data=b""):
    """Runs logsift with a stdin pipe that gets `data` and is never closed while we wait.

    Returns (exit status or None if still running after PROMPT seconds, stdout, stderr, seconds).
    """
    start = time.monotonic()
    proc = subprocess.Popen([LOGSIFT] + args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        if data:
            proc.stdin.write(data)
            proc.stdin.flush()
        try:
            rc = proc.wait(timeout=PROMPT)
        except subprocess.TimeoutExpired:
            rc = None
            proc.kill()
            proc.wait()
        elapsed = time.monotonic() - start
        out, err = proc.stdout.read(), proc.stderr.read()
    finally:
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                stream.close()
            except BrokenPipeError:
                pass
    return rc, out, err, elapsed


def read_lines(path):
    """[(number, offset, text)] of a file, decoded with surrogateescape so bytes round-trip."""
    data = open(os.path.join(ROOT, path), "rb").read()
    raw = data.split(b"\n")
    if data.endswith(b"\n"):
        raw.pop()
    lines, offset = [], 0
    for number, line in enumerate(raw, 1):
        lines.append((number, offset, line.decode("utf-8", "surrogateescape")))
        offset += len(line) + 1
    return lines


def show(items, numbers=False, offsets=False, prefix=""):
    out = ""
    for number, offset, text in items:
        out += prefix + ("%d:" % number if numbers else "") + ("%d:" % offset if offsets else "") + text + "\n"
    return out.encode("utf-8", "surrogateescape")


def expect(name, args, want_out, want_rc=None, stdin=b""):
    rc, out, err = run(args, stdin)
    if want_rc is None:
        want_rc = 0 if want_out else 1
    problems = []
    if out != want_out:
        problems.append("stdout %r..., expected %r..." % (out[:300], want_out[:300]))
    if rc != want_rc:
        problems.append("exit %d, expected %d" % (rc, want_rc))
    if err:
        problems.append("stderr %r" % err[:300])
    check(name, not problems, "; ".join(problems))
    return out


def context_reference(items, selected, before, after):
    """grep's context output (with -n) over the lines that reach the sink, in stream order."""
    out, last_printed = [], None
    keep = set()
    for i, item in enumerate(items):
        if selected(item[2]):
            keep.update(range(max(0, i - before), min(len(items), i + after + 1)))
    for i in sorted(keep):
        if last_printed is not None and i != last_printed + 1:
            out.append("--\n")
        number, _, text = items[i]
        out.append("%d%s%s\n" % (number, ":" if selected(text) else "-", text))
        last_printed = i
    return "".join(out).encode("utf-8", "surrogateescape")


# ---- checks ------------------------------------------------------------------------------------

def ordering(app):
    first5 = app[:5]
    with_x = [l for l in app if "worker-0" in l[2]]
    a = expect("order: --take 5 --keep", ["--take", "5", "--keep", "worker-0", "-e", "", APP],
               show([l for l in first5 if "worker-0" in l[2]]))
    b = expect("order: --keep --take 5", ["--keep", "worker-0", "--take", "5", "-e", "", APP], show(with_x[:5]))
    check("order: the two orders differ", a != b and len(b.splitlines()) == 5)

    expect("order: --skip 3 --step 4", ["--skip", "3", "--step", "4", "--take", "5", "-e", "", APP],
           show(app[3::4][:5]))
    expect("order: --step 4 --skip 3", ["--step", "4", "--skip", "3", "--take", "5", "-e", "", APP],
           show(app[::4][3:8]))
    expect("order: --last 3 --take 1", ["--last", "3", "--take", "1", "-e", "", APP], show(app[-3:-2]))
    expect("order: --take 1 --last 3", ["--take", "1", "--last", "3", "-e", "", APP], show(app[:1]))

    errors = sum(1 for l in app if "ERROR" in l[2])
    infos_or_errors = sum(1 for l in app if re.search("INFO|ERROR", l[2]))
    expect("order: --keep ERROR --sub INFO->ERROR", ["-c", "--keep", "ERROR", "--sub", "s/INFO/ERROR/", "-e", "", APP],
           b"%d\n" % errors)
    expect("order: --sub INFO->ERROR --keep ERROR", ["-c", "--sub", "s/INFO/ERROR/", "--keep", "ERROR", "-e", "", APP],
           b"%d\n" % infos_or_errors)

    expect("repeat: --take 5 --skip 1 --take 2", ["--take", "5", "--skip", "1", "--take", "2", "-e", "", APP],
           show(app[1:3]))
    expect("repeat: --sub twice", ["--sub", "s/a/b/", "--sub", "s/b/c/g", "-e", ""], b"cc\nxc\n", stdin=b"ab\nxa\n")
    expect("repeat: --keep --drop --keep", ["--keep", "ERROR", "--drop", "database", "--keep", "auth", "-e", "", APP],
           show([l for l in app if "ERROR" in l[2] and "database" not in l[2] and "auth" in l[2]]))


def line_numbers(app):
    strip = lambda items: [(n, o, re.sub(r"^[^ ]+ ", "", t, count=1)) for n, o, t in items]
    expect("-n after --skip and --sub", ["-n", "--skip", "100", "--sub", "s/^[^ ]+ //", "--take", "3", "-e", "", APP],
           show(strip(app[100:103]), numbers=True))
    expect("-b after --skip and --sub", ["-b", "--skip", "100", "--take", "3", "--sub", "s/^[^ ]+ //", "-e", "", APP],
           show(strip(app[100:103]), offsets=True))
    errors = [l for l in app if "ERROR" in l[2]]
    expect("-nb after a pushed-down --keep", ["-nb", "--keep", "ERROR", "--take", "3", "-e", "", APP],
           show(errors[:3], numbers=True, offsets=True))
    expect("-b after a pushed-down --keep", ["-b", "--keep", "ERROR", "--take", "3", "-e", "", APP],
           show(errors[:3], offsets=True))
    expect("-n after --last", ["-n", "--last", "2", "-e", "", APP], show(app[-2:], numbers=True))
    users = []
    for n, o, t in app:
        m = re.search(r"user=(\w+)", t)
        if m:
            users.append((n, o, m.group(1)))
    expect("-n after --extract", ["-n", "--extract", r"user=(\w+)", "--take", "4", "-e", "", APP],
           show(users[:4], numbers=True))
    expect("-n after --fields", ["-n", "--skip", "7", "--fields", "2,4", "--take", "2", "-e", "", APP],
           show([(n, o, " ".join(t.split()[1:4:2])) for n, o, t in app[7:9]], numbers=True))
    expect("-n after --uniq", ["-n", "--uniq", "-e", ""], b"1:a\n3:b\n4:a\n", stdin=b"a\na\nb\na\na\n")


def sink_after_stages(app):
    first100 = app[:100]
    expect("-c counts what the stages pass", ["-c", "--take", "100", "INFO", APP],
           b"%d\n" % sum(1 for l in first100 if "INFO" in l[2]))
    expect("-c after --sub removed the match", ["-c", "--keep", "ERROR", "--sub", "s/ERROR/E/", "ERROR", APP],
           b"0\n", want_rc=1)
    warns = [l for l in app[1000:] if "WARN" in l[2]]
    expect("-m after --skip", ["-n", "-m", "3", "--skip", "1000", "WARN", APP], show(warns[:3], numbers=True))
    statuses = [re.search("status=([0-9]+)", t).group(1) for _, _, t in app if re.search("status=[0-9]+", t)]
    expect("-o after --extract", ["-o", "--extract", "status=[0-9]+", "--take", "5", "[0-9]+"],
           "".join(s + "\n" for s in statuses[:5]).encode(), stdin=open(os.path.join(ROOT, APP), "rb").read())
    n_errors = sum(1 for l in app if "ERROR" in l[2])
    expect("-o sees the rewritten text", ["-o", "--sub", "s/ERROR/FAILED/", "FAILED", APP], b"FAILED\n" * n_errors)
    errors10 = [l for l in app if "ERROR" in l[2]][:10]
    expect("-v applies to the sink only", ["-v", "--keep", "ERROR", "--take", "10", "database", APP],
           show([l for l in errors10 if "database" not in l[2]]))
    expect("-i does not apply to stages", ["-i", "--keep", "error", "ERROR"], b"error b\n",
           stdin=b"ERROR a\nerror b\n")
    expect("-i does not apply to stages (data)", ["-i", "-c", "--keep", "error", "-e", "", APP], b"0\n", want_rc=1)
    expect("-x does not apply to stages", ["-x", "-c", "--extract", "status=[0-9]+", "status=200", APP],
           b"%d\n" % sum(1 for s in statuses if s == "200"))
    expect("-w does not apply to stages", ["-w", "-c", "--keep", "worker-1", "-e", "worker-1", APP],
           b"%d\n" % sum(1 for l in app if re.search(r"worker-1(?![0-9])", l[2])))
    expect("-F applies to stages", ["-F", "-c", "--keep", "[worker-1]", "-e", "", APP],
           b"%d\n" % sum(1 for l in app if "[worker-1]" in l[2]))
    expect("-F applies to --sub", ["-F", "--sub", "s/./!/g", "-e", ""], b"a!b!c\n", stdin=b"a.b.c\n")
    expect("-G applies to stages", ["-G", "--keep", r"a\{2\}", "-e", ""], b"aa\n", stdin=b"a\naa\na{2}\n")

    passed_on = [l for l in app if re.search("ERROR|WARN", l[2])][:40]
    expect("-A1 context comes from what the stages pass",
           ["-n", "-A1", "--keep", "ERROR|WARN", "--take", "40", "ERROR", APP],
           context_reference(passed_on, lambda t: "ERROR" in t, 0, 1))
    expect("-B2 context comes from what the stages pass",
           ["-n", "-B2", "--keep", "ERROR|WARN", "--take", "40", "ERROR", APP],
           context_reference(passed_on, lambda t: "ERROR" in t, 2, 0))
    expect("-C0 separates by stream position", ["-n", "-C0", "--keep", "ERROR|WARN", "ERROR|WARN"],
           b"2:ERROR\n4:WARN\n", stdin=b"a\nERROR\nb\nWARN\n")


def several_files(app, apache):
    expect("--take 2 on two files", ["--take", "2", "-e", "", APP, APACHE],
           show(app[:2], prefix=APP + ":") + show(apache[:2], prefix=APACHE + ":"))
    expect("--last 2 on two files", ["--last", "2", "-e", "", APP, APACHE],
           show(app[-2:], prefix=APP + ":") + show(apache[-2:], prefix=APACHE + ":"))
    expect("-c --skip on two files", ["-c", "--skip", "9990", "-e", "", APP, APACHE],
           ("%s:0\n%s:10\n" % (APP, APACHE)).encode(), want_rc=0)
    with tempfile.TemporaryDirectory() as tmp:
        one, two = os.path.join(tmp, "one"), os.path.join(tmp, "two")
        open(one, "wb").write(b"a\na\nb\n")
        open(two, "wb").write(b"b\nc\n")
        expect("--uniq starts afresh on each file", ["-h", "--uniq", "-e", "", one, two], b"a\nb\nb\nc\n")
        expect("--take-while starts afresh on each file", ["-h", "--take-while", "a|b", "-e", "", one, two],
               b"a\na\nb\nb\n")
        expect("--drop-while starts afresh on each file", ["-h", "--drop-while", "a", "-e", "", one, two],
               b"b\nb\nc\n")


def laziness():
    if shutil.which("yes") and shutil.which("sh"):
        start = time.monotonic()
        proc = subprocess.run(["sh", "-c", 'yes "a b c" | "$0" --keep b --skip 5 --take 4 -e ""', LOGSIFT],
                              cwd=ROOT, capture_output=True, timeout=TIMEOUT)
        elapsed = time.monotonic() - start
        check("yes | --keep --skip --take", proc.stdout == b"a b c\n" * 4 and proc.returncode == 0 and elapsed < PROMPT,
              "exit %d, %d lines, %.2fs" % (proc.returncode, proc.stdout.count(b"\n"), elapsed))
        start = time.monotonic()
        proc = subprocess.run(["sh", "-c", 'yes | "$0" --slice 2:5 -e ""', LOGSIFT], cwd=ROOT, capture_output=True,
                              timeout=TIMEOUT)
        elapsed = time.monotonic() - start
        check("yes | --slice 2:5", proc.stdout == b"y\n" * 3 and proc.returncode == 0 and elapsed < PROMPT,
              "exit %d, %d lines, %.2fs" % (proc.returncode, proc.stdout.count(b"\n"), elapsed))
    else:
        check("yes and sh are available", False)

    # A pipe that stays open: logsift must exit once it has read what the chain needs.
    cases = [
        ("--take 3 on an open pipe", ["--take", "3", "-e", ""], b"1\n2\n3\n", b"1\n2\n3\n"),
        ("--take-while on an open pipe", ["--take-while", "a", "-e", ""], b"a1\na2\nb3\n", b"a1\na2\n"),
        ("--slice 2:5 on an open pipe", ["--slice", "2:5", "-e", ""], b"1\n2\n3\n4\n5\n", b"3\n4\n5\n"),
        # Index 5 may still be passed (1, 3, 5 < 6): the sixth line is needed, not a seventh.
        ("--slice 1:6:2 on an open pipe", ["--slice", "1:6:2", "-e", ""], b"1\n2\n3\n4\n5\n6\n", b"2\n4\n6\n"),
        ("--slice 1:5:2 on an open pipe", ["--slice", "1:5:2", "-e", ""], b"1\n2\n3\n4\n", b"2\n4\n"),
        ("--take 0 on an open pipe", ["--take", "0", "-e", ""], b"", b""),
        ("--keep --take 2 on an open pipe", ["--keep", "x", "--take", "2", "-e", ""], b"a\nx1\nb\nx2\n", b"x1\nx2\n"),
        ("--take 2 -n on an open pipe", ["-n", "--skip", "1", "--take", "2", "-e", ""], b"a\nb\nc\n", b"2:b\n3:c\n"),
    ]
    for name, args, data, want in cases:
        rc, out, err, elapsed = run_with_open_stdin(args, data)
        check(name, rc == (0 if want else 1) and out == want and not err,
              "exit %s, stdout %r, stderr %r, %.2fs" % (rc, out[:200], err[:200], elapsed))

    # And not one line early: these still need input the pipe has not given, so they must wait.
    for name, args, data in [
        ("--take 3 waits for a third line", ["--take", "3", "-e", ""], b"1\n2\n"),
        ("--last 1 waits for the end of input", ["--last", "1", "-e", ""], b"1\n2\n"),
    ]:
        rc, out, err, elapsed = run_with_open_stdin(args, data)
        check(name, rc is None, "exit %s after %.2fs, stdout %r" % (rc, elapsed, out[:200]))


def explain():
    def lines_of(args):
        rc, out, err, elapsed = run_with_open_stdin(["--explain"] + args)
        ok = rc == 0 and not err
        return ok, out.decode("utf-8", "replace").splitlines(), "exit %s, stderr %r, %.2fs" % (rc, err[:200], elapsed)

    ok, lines, why = lines_of(["--keep", "ERROR", "--sub", "s/a/b/g", "--take", "3", "--uniq", "x"])
    check("--explain with a leading --keep: exits 0 at once", ok, why)
    check("--explain: one line for the source, one a stage, one for the sink",
          len(lines) == 5 and lines[0].startswith("source:") and lines[-1].startswith("sink:"), repr(lines))
    check("--explain: the leading --keep is pushed down",
          bool(lines) and "pushed down" in lines[0] and "--keep ERROR" in lines[0], repr(lines[:1]))
    check("--explain: the other stages in order",
          len(lines) == 5 and lines[1].startswith("stage 1: --sub s/a/b/g") and lines[2].startswith("stage 2: --take 3")
          and "stop reading" in lines[2] and lines[3].startswith("stage 3: --uniq"), repr(lines))

    ok, lines, why = lines_of(["--drop", "DEBUG", "--keep", "ERROR", "--take-while", "2026", "x", "/nonexistent/file"])
    check("--explain with a leading --drop: exits 0 without opening files", ok, why)
    check("--explain: nothing but a --keep is pushed down",
          len(lines) == 5 and "pushed down" not in lines[0] and lines[1].startswith("stage 1: --drop DEBUG")
          and lines[2].startswith("stage 2: --keep ERROR") and lines[3].startswith("stage 3: --take-while 2026"),
          repr(lines))

    ok, lines, why = lines_of(["--keep", "ERROR", "--keep", "WARN", "x"])
    check("--explain: only the first --keep is pushed down",
          ok and len(lines) == 3 and "--keep ERROR" in lines[0] and lines[1].startswith("stage 1: --keep WARN"),
          why + " " + repr(lines))

    ok, lines, why = lines_of(["ERROR"])
    check("--explain without stages pushes PATTERN down",
          ok and len(lines) == 2 and "pushed down: PATTERN" in lines[0], why + " " + repr(lines))

    ok, lines, why = lines_of(["--slice", "5::2", "--skip", "1", "--last", "4", "--fields", "1,3-", "--extract",
                               "a(b)", "--drop-while", "^#", "-e", ""])
    check("--explain names every stage with its value",
          ok and len(lines) == 8 and all(flag in line for flag, line in zip(
              ["--slice 5::2", "--skip 1", "--last 4", "--fields 1,3-", "--extract a(b)", "--drop-while ^#"],
              lines[1:7])), why + " " + repr(lines))


def bad_arguments():
    cases = [
        (["--take", "-3"], "--take", "-3"),
        (["--take", "many"], "--take", "many"),
        (["--skip", "1.5"], "--skip", "1.5"),
        (["--step", "0"], "--step", "0"),
        (["--last", "-1"], "--last", "-1"),
        (["--slice", "1:2:3:4"], "--slice", "1:2:3:4"),
        (["--slice", "::0"], "--slice", "::0"),
        (["--slice", "7"], "--slice", "7"),
        (["--sub", "x"], "--sub", "x"),
        (["--sub", "s/a/b"], "--sub", "s/a/b"),
        (["--sub", "s/a/b/x"], "--sub", "s/a/b/x"),
        (["--sub", "s/a/\\1/"], "--sub", "s/a/\\1/"),
        (["--sub", "s/(/x/"], "--sub", "s/(/x/"),
        (["--keep", "("], "--keep", "("),
        (["--drop", "a["], "--drop", "a["),
        (["--extract", "(a"], "--extract", "(a"),
        (["--take-while", "*x"], "--take-while", "*x"),
        (["--drop-while", "x{2,1}"], "--drop-while", "x{2,1}"),
        (["--fields", "0"], "--fields", "0"),
        (["--fields", "3-1"], "--fields", "3-1"),
        (["--fields", "a,b"], "--fields", "a,b"),
        (["--take", "3", "--keep", "ok", "--slice", "1:2:3:4"], "--slice", "1:2:3:4"),
        (["-G", "--keep", "a\\{2"], "--keep", "a\\{2"),
    ]
    for args, flag, value in cases:
        # A file that does not exist and a stdin that never ends: neither may be touched.
        full = args + ["-e", "", "/nonexistent/input"]
        rc, out, err, elapsed = run_with_open_stdin(full)
        lines = err.decode("utf-8", "replace").splitlines()
        ok = (rc == 2 and not out and len(lines) == 1 and lines[0].startswith("logsift:") and flag in lines[0]
              and value in lines[0] and "nonexistent" not in lines[0])
        check("bad argument %s" % " ".join(args), ok,
              "exit %s, stdout %r, stderr %r, %.2fs" % (rc, out[:100], err[:300], elapsed))
    # The same text under -F is a literal, not a bad regex.
    expect("-F makes ( a literal", ["-F", "--keep", "(", "-e", ""], b"a(b\n", stdin=b"a(b\nc\n")


def main():
    global LOGSIFT
    LOGSIFT = harness.start()
    app, apache = read_lines(APP), read_lines(APACHE)
    groups = [
        ("ordering", lambda: ordering(app)),
        ("line_numbers", lambda: line_numbers(app)),
        ("sink_after_stages", lambda: sink_after_stages(app)),
        ("several_files", lambda: several_files(app, apache)),
        ("laziness", laziness),
        ("explain", explain),
        ("bad_arguments", bad_arguments),
    ]
    harness.run_groups([(name, lambda _tmp, group=group: group()) for name, group in groups])
    return harness.summary("stages")


if __name__ == "__main__":
    sys.exit(main())
