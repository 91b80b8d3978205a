#!/usr/bin/env python3
"""Issue 14's grep flags beyond the per-case differential test (test_grep_compat.py):

usage: python3 tests/e2e/test_grep_flags.py /path/to/logsift      (from the repository root)

- --crlf: on a CRLF copy of data/app.log, stdout and exit status equal `rg --crlf` byte for byte,
  and equal GNU grep's on the same file with its '\\r's stripped once logsift's '\\r\\n' become '\\n';
  `terminating$`-style queries find lines in CRLF files; --json shows the line as read, as rg;
- -P: a catastrophic pattern ends with one `logsift:` line and exit 2 instead of running on, and
  the other files are still searched; -P over a file big enough to be mapped and searched by two
  threads counts what grep -P counts; --explain says -P is not linear-time;
- -z over a file of several read blocks, -I on a big file whose NUL comes after the first 16 MiB:
  the same counts as grep.
Prints one line per failing check, then a summary; exits 1 if any failed.
"""
import json
import os
import subprocess
import sys

import harness
from harness import ROOT, check, short, write

LOGSIFT = harness.start(like_grep=True)
ENV = harness.grep_env()


def run(argv, stdin=b""):
    """Runs argv (logsift or the tool it is compared with) from the repository root."""
    return subprocess.run(argv, input=stdin, capture_output=True, timeout=120, env=ENV, cwd=ROOT)


def crlf_checks(tmp):
    with open(os.path.join(ROOT, "data/app.log"), "rb") as f:
        text = f.read()
    crlf = os.path.join(tmp, "app-crlf.log")
    plain = os.path.join(tmp, "app-lf.log")
    write(crlf, text.replace(b"\n", b"\r\n"))
    write(plain, text)
    queries = [
        ["ip=10\\.[0-9.]+$"],
        ["-n", "[0-9]s$"],
        ["-o", "[a-z_]+=[0-9.]+$"],
        ["-x", ".*user=carol"],
        ["-v", "[0-9]$"],
        ["-w", "threshold$"],
        ["-i", "USER=ALICE$"],
        ["-n", "-m", "3", "FATAL"],
        ["-o", "items\":[0-9]+}$"],
        ["NO_SUCH_THING$"],
    ]
    for q in queries:
        mine = run([LOGSIFT, "--crlf", *q, crlf])
        rg = run(["rg", "--crlf", "--no-heading", "--color=never", *q, crlf])
        check(f"--crlf {q}: rg --crlf's bytes", mine.stdout == rg.stdout and mine.returncode == rg.returncode,
              f"logsift {mine.returncode} {short(mine.stdout)} rg {rg.returncode} {short(rg.stdout)}")
        grep = run(["grep", "-E", *q, plain])
        check(f"--crlf {q}: grep on the stripped file", mine.stdout.replace(b"\r\n", b"\n") == grep.stdout
              and mine.returncode == grep.returncode, f"logsift {short(mine.stdout)} grep {short(grep.stdout)}")
        check(f"--crlf {q}: found something", q[-1].startswith("NO_SUCH") or mine.stdout != b"")
    # rg -c ends its counts in "\r\n" under --crlf and prints none for 0: the numbers are compared.
    for q in [["-c", "user=carol$"], ["-c", "-v", "0$"], ["-c", "ERROR"], ["-c", "-i", "EUR\",\"items\":[0-9]+}$"]]:
        mine = run([LOGSIFT, "--crlf", *q, crlf])
        rg = run(["rg", "--crlf", *q, crlf])
        grep = run(["grep", "-E", *q, plain])
        check(f"--crlf {q}: the count of rg --crlf and grep", int(mine.stdout) == int(rg.stdout) == int(grep.stdout)
              and int(mine.stdout) > 0, f"{mine.stdout} {rg.stdout} {grep.stdout}")
    # Without --crlf, `$` does not match before '\r' (as grep); with it, it does.
    without = run([LOGSIFT, "-c", "status=200$", "data/edge/crlf.log"])
    with_crlf = run([LOGSIFT, "--crlf", "-c", "status=200$", "data/edge/crlf.log"])
    check("--crlf makes $ match before \\r\\n", without.stdout == b"0\n" and int(with_crlf.stdout) > 0,
          f"{without.stdout} {with_crlf.stdout}")
    mine = run([LOGSIFT, "--crlf", "--json", "-m", "1", "status=200$", crlf])
    rg = run(["rg", "--crlf", "--json", "-m", "1", "status=200$", crlf])
    mine_match = [m for m in map(json.loads, mine.stdout.splitlines()) if m["type"] == "match"]
    rg_match = [m for m in map(json.loads, rg.stdout.splitlines()) if m["type"] == "match"]
    check("--crlf --json: the match message is rg's", mine_match == rg_match, f"{mine_match} {rg_match}")


def perl_checks(tmp):
    catastrophic = os.path.join(tmp, "catastrophic.log")
    write(catastrophic, b"a" * 60 + b"!\n")
    r = run([LOGSIFT, "-P", "(a*)*$", catastrophic, "data/edge/crlf.log"])
    err = r.stderr.decode().splitlines()
    check("-P past the backtracking limit: exit 2", r.returncode == 2, f"{r.returncode}")
    check("-P past the backtracking limit: one logsift: line naming the file",
          err == [f"logsift: {catastrophic}: exceeded PCRE's backtracking limit"], f"{err}")
    check("-P past the backtracking limit: the next file is searched", r.stdout.count(b"data/edge/crlf.log:") > 0,
          short(r.stdout))
    # Big enough to be mapped and searched by the worker thread as well (past 16 MiB).
    big = os.path.join(tmp, "big.log")
    with open(os.path.join(ROOT, "data/app.log"), "rb") as f:
        text = f.read()
    write(big, text * (24 * 1024 * 1024 // len(text) + 1))
    for q in [["-c", "user=(?:alice|bob)(?=\\s|$)"], ["-c", "-v", "INFO"], ["-c", "-w", "ERROR"], ["-c", "(?i)deadlock"]]:
        mine = run([LOGSIFT, "-P", *q, big])
        grep = run(["grep", "-P", *q, big])
        check(f"-P {q} on 24 MiB: grep -P's count", mine.stdout == grep.stdout and mine.returncode == grep.returncode,
              f"{mine.stdout} {grep.stdout}")
    explained = run([LOGSIFT, "--explain", "-P", "x+"]).stdout.decode()
    check("--explain -P: not linear-time", "PCRE2" in explained and "not linear-time" in explained, explained)


def binary_checks(tmp):
    # Records over several 256 KiB read blocks, some with newlines inside.
    records = b"".join(b"record %d\nsecond half %s\0" % (i, b"odd" if i % 2 else b"even") for i in range(60000))
    zfile = os.path.join(tmp, "records.bin")
    write(zfile, records)
    for q in [["-c", "odd"], ["-c", "record 1.*odd"], ["-c", "-x", "record 5\nsecond half odd"], ["-c", "-v", "7"]]:
        mine = run([LOGSIFT, "-z", *q, zfile])
        grep = run(["grep", "-z", *q, zfile])
        check(f"-z {q} over several blocks: grep's count", mine.stdout == grep.stdout, f"{mine.stdout} {grep.stdout}")
    mine = run([LOGSIFT, "-z", "record 59999\n", zfile])
    grep = run(["grep", "-z", "record 59999\n", zfile])
    check("-z: a record across blocks is printed whole, NUL-terminated", mine.stdout == grep.stdout,
          f"{short(mine.stdout)} {short(grep.stdout)}")
    # A NUL after the first 16 MiB of a mapped file (-c reads it all, as grep -c does).
    late = os.path.join(tmp, "late-nul.log")
    with open(os.path.join(ROOT, "data/app.log"), "rb") as f:
        text = f.read()
    body = text * (20 * 1024 * 1024 // len(text) + 1)
    write(late, body + b"\0 ERROR after the NUL\n")
    for q in [["-I", "-c", "ERROR"], ["-I", "-L", "ERROR"], ["--binary-files=without-match", "-c", "INFO"]]:
        mine = run([LOGSIFT, *q, late])
        grep = run(["grep", *q, late])
        check(f"{q} with a late NUL: grep's answer", mine.stdout == grep.stdout and mine.returncode == grep.returncode,
              f"{mine.returncode} {mine.stdout} grep {grep.returncode} {grep.stdout}")


def make_deep_tree(top, levels, name_length):
    """top/d.../d.../.../deep.log and a short file beside each level, without ever naming a path
    longer than PATH_MAX (os.mkdir relative to the parent's descriptor). Returns the deepest path."""
    os.mkdir(top)
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    path = top
    for level in range(levels):
        name = ("%03d" % level) + "d" * (name_length - 3)
        with open(os.open("level.log", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as f:
            f.write(b"needle at level %d\n" % level)
        os.mkdir(name, dir_fd=fd)
        child = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = child
        path += "/" + name
    with open(os.open("deep.log", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as f:
        f.write(b"first line\nneedle at the bottom\n")
    os.close(fd)
    return path + "/deep.log"


def walk_checks(tmp):
    deepest = make_deep_tree(os.path.join(tmp, "deep"), 24, 250)
    check("the deep tree's path is longer than PATH_MAX (4096)", len(deepest) > 4096, f"{len(deepest)}")
    for q in [["-r", "needle"], ["-r", "-c", "needle"], ["-r", "-l", "bottom"], ["-r", "-n", "bottom"]]:
        mine = run([LOGSIFT, *q, os.path.join(tmp, "deep")])
        grep = run(["grep", *q, os.path.join(tmp, "deep")])
        check(f"{q} on a tree deeper than PATH_MAX: grep's lines", sorted(mine.stdout.splitlines()) ==
              sorted(grep.stdout.splitlines()) and mine.returncode == grep.returncode == 0,
              f"{mine.returncode} {short(mine.stderr)} grep {grep.returncode} {short(grep.stderr)}")
        check(f"{q} on a tree deeper than PATH_MAX: the bottom is reached", b"bottom" in mine.stdout or
              b"deep.log" in mine.stdout, short(mine.stdout))
    # grep -R (fts, following links) fails there with "File name too long"; logsift does not.
    mine = run([LOGSIFT, "-R", "-c", "bottom", os.path.join(tmp, "deep")])
    check("-R on a tree deeper than PATH_MAX", mine.returncode == 0 and mine.stderr == b"" and
          b"/deep.log:1\n" in mine.stdout, f"{mine.returncode} {short(mine.stderr)}")
    # --exclude-dir applies to a directory named on the command line, as in grep 3.8.
    for q in [["--exclude-dir=deep", "-r", "needle", os.path.join(tmp, "deep")],
              ["--exclude-dir=deep", "-r", "needle", os.path.join(tmp, "deep") + "/"],
              ["--exclude-dir=000*", "-r", "-c", "needle", os.path.join(tmp, "deep")],
              ["--exclude-dir=deep", "-c", "needle", os.path.join(tmp, "deep")]]:
        mine = run([LOGSIFT, *q])
        grep = run(["grep", *q])
        check(f"{q}: grep's answer", sorted(mine.stdout.splitlines()) == sorted(grep.stdout.splitlines()) and
              mine.returncode == grep.returncode and mine.stderr.replace(b"logsift:", b"grep:") == grep.stderr,
              f"{mine.returncode} {short(mine.stdout)} {short(mine.stderr)} grep {grep.returncode} {short(grep.stdout)}")


def json_checks(tmp):
    """--json lists empty matches as rg does (one per position, none right after a match)."""
    sample = os.path.join(tmp, "empty-matches.txt")
    write(sample, "abc\n\né-ab\nabcb\nbb b\n".encode())
    for args in [[""], ["x*"], ["b*"], ["-v", "zz"], ["-m", "3", "[0-9]*", "data/app.log"]]:
        target = [] if args[-1] == "data/app.log" else [sample]
        mine = run([LOGSIFT, "--json", *args, *target])
        rg = run(["rg", "--json", *args, *target])
        pick = lambda out: [m["data"] for m in map(json.loads, out.splitlines()) if m["type"] == "match"]
        check(f"--json {args}: rg's submatches", pick(mine.stdout) == pick(rg.stdout) and pick(mine.stdout),
              f"{pick(mine.stdout)[:2]} {pick(rg.stdout)[:2]}")


def main():
    harness.run_groups([("walk", walk_checks), ("json", json_checks), ("crlf", crlf_checks), ("perl", perl_checks),
                        ("binary", binary_checks)])
    return harness.summary("grep_flags")


if __name__ == "__main__":
    sys.exit(main())
