#!/usr/bin/env python3
"""Differential test on an input of many mapped windows: logsift against GNU grep, byte for byte.

usage: python3 tests/e2e/test_big_input_compat.py /path/to/logsift      (from the repository root)

Files over 1 MiB are mapped in 2 MiB windows; past the first 16 MiB each window is searched in two
parts, the second on a worker thread (docs/architecture.md). The other differential tests mostly
use small files; this one builds a 25 MiB log from data/app.log (with 3 MiB lines that span
windows, and lines around window edges, before and after the worker joins) and compares stdout and the exit status with `grep -E` for queries that take
every search path: literal, several literals, case-insensitive, required-literal regex, regex
without a literal, -v, -w, -x, -n, -b, -o, -c, -m. It also runs the stage pipelines that bench/run
times (--keep with --sub, --extract and --take) against the grep | sed | head pipelines they
replace. Only the Python standard library is used.
"""
import os
import shlex
import subprocess
import sys
import tempfile

import harness
from harness import ROOT


QUERIES = [
    ["ERROR"],
    ["-c", "ERROR"],
    ["-n", "timeout|deadlock|expired"],
    ["-i", "-c", "tls HANDSHAKE"],
    ["-n", "status=5[0-9]{2}"],
    ["-b", "=[0-9]{3}[a-f]"],
    ["-c", "\\b[a-z]+-[0-9]+\\b"],
    ["-c", "-v", "INFO"],
    ["-n", "-v", "INFO|DEBUG"],
    ["-w", "-c", "user"],
    ["-o", "user=[^ ]+"],
    ["-x", "-n", "[0-9T:.Z-]+ INFO .*"],
    ["-m", "700", "-n", "WARN"],
    ["-c", ""],
    ["-n", "^z+$"],
    ["-c", "no such text anywhere"],
]

# logsift stages and the shell pipeline that does the same, {f} the input.
STAGE_PIPELINES = [
    (["--keep", "ERROR", "--sub", "s/user=[^ ]+/user=***/g", "--take", "2500", "-e", ""],
     "grep -E ERROR {f} | sed -E 's/user=[^ ]+/user=***/g' | head -n 2500"),
    (["--keep", "ERROR", "--extract", "user=([^ ]+)", "--take", "2500", "-e", ""],
     "grep ERROR {f} | sed -nE 's/.*user=([^ ]+).*/\\1/p' | head -n 2500"),
    (["--keep", "ERROR", "--extract", "user=([^ ]+)", "-e", ""],
     "grep ERROR {f} | sed -nE 's/.*user=([^ ]+).*/\\1/p'"),
]


def build_input(path):
    with open(os.path.join(ROOT, "data", "app.log"), "rb") as f:
        base = f.read()
    with open(path, "wb") as out:
        # Past 16 MiB the worker thread joins the search: edge cases on both sides of that.
        for i in range(40):
            out.write(base)
            if i in (7, 33):
                out.write(b"z" * (3 * 1024 * 1024) + b"\n")  # longer than a window
            if i in (15, 36):
                out.write(b"\n\n" + b"user=edge INFO ERROR\n" * 3)
    return os.path.getsize(path)


# How big files are brought in: as measured (reads first, windows mapped where they cost less),
# and each way forced (LOGSIFT_INPUT_PATH, docs/architecture.md).
INPUT_PATHS = [("measured", {}), ("read", {"LOGSIFT_INPUT_PATH": "read"}), ("mapped", {"LOGSIFT_INPUT_PATH": "map"})]


def report_difference(what, got, want):
    got_lines, want_lines = got.stdout.split(b"\n"), want.stdout.split(b"\n")
    first = next((i for i, (a, b) in enumerate(zip(got_lines, want_lines)) if a != b),
                 min(len(got_lines), len(want_lines)))
    print(f"FAIL {what}: status {got.returncode} (grep {want.returncode}), {len(got_lines)} lines "
          f"(grep {len(want_lines)}), first difference at line {first}: "
          f"{got_lines[first][:80] if first < len(got_lines) else b'<end>'!r} vs "
          f"{want_lines[first][:80] if first < len(want_lines) else b'<end>'!r}")


def main():
    logsift = harness.start()
    env = harness.grep_env()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="logsift-big-") as tmp:
        path = os.path.join(tmp, "big.log")
        size = build_input(path)
        assert size > 24 * 1024 * 1024, size
        def against_grep_every_way(args, label=""):
            """Differences from grep -E with `args` over each input path (read, mapped)."""
            want = subprocess.run(["grep", "-E"] + args + [path], capture_output=True, env=env, timeout=120)
            differences = 0
            for way, forced in INPUT_PATHS:
                got = subprocess.run([logsift] + args + [path], capture_output=True, env=dict(env, **forced),
                                     timeout=120)
                if got.stdout != want.stdout or got.returncode != want.returncode:
                    differences += 1
                    report_difference(f"{args} ({way}){label}", got, want)
            return differences

        for args in QUERIES:
            failed += against_grep_every_way(args)
        # --keep stages before PATTERN (both pushed down into the source, the rarer leading) against
        # the shell pipeline of greps they replace.
        for keeps, pattern in ((["ERROR"], "timeout"), (["timeout"], "ERROR"), (["user=", "ERROR"], "billing")):
            shell = f"grep -n -E {shlex.quote(keeps[0])} {shlex.quote(path)}"
            for extra in keeps[1:] + [pattern]:
                shell += f" | grep -E {shlex.quote(extra)}"
            want = subprocess.run(["sh", "-c", shell], capture_output=True, env=env, timeout=120)
            args = ["-n"] + [arg for keep in keeps for arg in ("--keep", keep)] + ["-e", pattern]
            got = subprocess.run([logsift] + args + [path], capture_output=True, env=env, timeout=120)
            if got.stdout != want.stdout or got.returncode != want.returncode or not want.stdout:
                failed += 1
                print(f"FAIL {args} vs {shell}: {len(got.stdout)} bytes ({got.returncode}) vs "
                      f"{len(want.stdout)} ({want.returncode})")
        # The stage pipelines bench/run times against the grep | sed | head pipelines they replace;
        # --take stops past 16 MiB, after the worker has joined.
        for args, shell in STAGE_PIPELINES:
            shell = shell.format(f=shlex.quote(path))
            want = subprocess.run(["sh", "-c", shell], capture_output=True, env=env, timeout=120)
            got = subprocess.run([logsift] + args + [path], capture_output=True, env=env, timeout=120)
            if got.stdout != want.stdout or got.returncode != 0 or want.stdout.count(b"\n") < 2000:
                failed += 1
                print(f"FAIL {args} vs {shell}: {len(got.stdout)} bytes ({got.returncode}) vs "
                      f"{len(want.stdout)} ({want.returncode})")
        # A NUL far into the file: counts and file lists do not depend on it (logsift skips the NUL
        # search for them), a printing query reports a binary match as grep does.
        with open(path, "r+b") as f:
            f.seek(20 * 1024 * 1024 + 12345)
            f.write(b"\0")
        # (Not -v: in a binary file GNU grep also ends lines at NULs.)
        for args in (["-c", "ERROR"], ["-c", "quota"], ["-l", "timeout"], ["-q", "deadlock"], ["-L", "deadlock"]):
            failed += against_grep_every_way(args, " on a file with a NUL")
        for way, forced in INPUT_PATHS:
            got = subprocess.run([logsift, "quota exceeded", path], capture_output=True, env=dict(env, **forced),
                                 timeout=120)
            if b"binary file matches" not in got.stderr:
                failed += 1
                print(f"FAIL printing query ({way}) on a file with a NUL: no binary-file notice: {got.stdout[-120:]!r}")
    checks = (len(QUERIES) + 6) * len(INPUT_PATHS) + len(STAGE_PIPELINES) + 3
    print(f"big_input_compat: {checks - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
