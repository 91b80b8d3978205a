#!/usr/bin/env python3
"""Runaway cases of issue 13 (items 11, 12, 18), end to end against GNU grep 3.8.

usage: python3 tests/e2e/test_walk_and_self_output.py /path/to/logsift      (from the repository root)

* An input that is also the output (`logsift x f >> f`, `logsift -r x . > out.txt`): skipped with
  grep's message and exit status, output bytes as grep's, under each output mode grep exempts
  (-c, -l, -L, -q, -m 1) or not.
* `-R` over trees with symlinked directory loops (to the parent, to itself, two levels up, from a
  start below the loop): stdout bytes and exit status as grep's, and grep's stderr (one
  "recursive directory loop" warning per loop) with `logsift:` for `grep:`.
* Stage flags: the documented limit (docs/stages.md) is accepted, one more is refused with one
  `logsift:` line and exit 2, also under a 1 MiB stack limit (4 MiB for an AddressSanitizer build).

Every run has a timeout, so a runaway shows as a failure, not a hang. Prints one line per failing
check, then `walk_and_self_output: N passed, M failed`; exits 1 if any failed.
Only the Python standard library is used.
"""
import os
import resource
import subprocess
import sys
import tempfile

import harness
from harness import check, read, write

TIMEOUT = 20
STAGE_LIMIT = 1000  # as documented in docs/stages.md ("Limits")

LOGSIFT = None
SANITIZED = False  # an ASan build: frames are larger, everything is slower


def short(data, limit=300):
    return harness.short(data, limit)


def shell(tool, command, cwd):
    """Runs `tool command` (or the command with {tool} replaced) through sh, for the redirections;
    returns (status, stderr)."""
    line = command.replace("{tool}", tool) if "{tool}" in command else "%s %s" % (tool, command)
    proc = subprocess.run(["sh", "-c", line], capture_output=True, cwd=cwd,
                          timeout=TIMEOUT)
    return proc.returncode, proc.stderr


def same_as_grep(name, tmp, setup, command, files, sort=False):
    """Builds a fresh tree with setup(dir) for each tool, runs the shell command in it (see shell())
    and compares the status, stderr (grep: -> logsift:) and the named files (their sorted lines with
    sort: for trees where directory order could differ)."""
    results = {}
    for tool, binary in (("grep", "grep -E"), ("logsift", LOGSIFT)):
        where = os.path.join(tmp, name.replace(" ", "_") + "_" + tool)
        os.makedirs(where)
        setup(where)
        rc, err = shell(binary, command, where)
        contents = [read(os.path.join(where, f)) for f in files]
        if sort:
            contents = [b"".join(sorted(c.splitlines(True))) for c in contents]
        results[tool] = (rc, err, contents)
    g, l = results["grep"], results["logsift"]
    check(name + ": status", g[0] == l[0], "grep %d, logsift %d" % (g[0], l[0]))
    want_err = g[1].replace(b"grep:", b"logsift:")
    if sort:
        want_err, l = b"".join(sorted(want_err.splitlines(True))), (l[0], b"".join(sorted(l[1].splitlines(True))), l[2])
    check(name + ": stderr", want_err == l[1], "grep %s, logsift %s" % (short(want_err), short(l[1])))
    for f, gc, lc in zip(files, g[2], l[2]):
        check(name + ": " + f, gc == lc, "grep %s, logsift %s" % (short(gc), short(lc)))


def self_output(tmp):
    def one_file(where):
        write(os.path.join(where, "f"), b"x one\ny\nx two\n")
        write(os.path.join(where, "g"), b"x g\n")

    for opts in ["", "-n", "-o", "-v", "-c", "-l", "-L", "-q", "-m 1", "-m 2", "-s", "-A 1 -m 1", "-H"]:
        same_as_grep("named file %s" % (opts or "plain"), tmp, one_file, "%s x f >> f" % opts, ["f"])
    same_as_grep("with another file first", tmp, one_file, "x g f >> f", ["f"])
    same_as_grep("with another file after", tmp, one_file, "x f g >> f", ["f"])
    same_as_grep("truncated by >", tmp, one_file, "x f > f", ["f"])
    same_as_grep("standard input", tmp, one_file, "x < f >> f", ["f"])
    same_as_grep("standard input as -", tmp, one_file, "x - g < f >> f", ["f"])
    same_as_grep("no match", tmp, one_file, "zzz f >> f", ["f"])
    same_as_grep("other output file", tmp, one_file, "x f > g", ["f", "g"])

    def tree(where):
        os.makedirs(os.path.join(where, "d", "sub"))
        write(os.path.join(where, "d", "a.log"), b"ERROR a\nok\n")
        write(os.path.join(where, "d", "sub", "b.log"), b"ERROR b\n")

    same_as_grep("-r dot into the tree", tmp, tree, "-r ERROR . > d/out.txt", ["d/out.txt"], sort=True)
    same_as_grep("-r implicit into the tree", tmp, tree, "-r ERROR > d/sub/out.txt", ["d/sub/out.txt"], sort=True)
    same_as_grep("-r appended in the tree", tmp, tree,
                 "-r ERROR d >> d/sub/b.log", ["d/sub/b.log"], sort=True)
    same_as_grep("-r -c into the tree", tmp, tree, "-r -c ERROR d > d/out.txt", ["d/out.txt"], sort=True)
    same_as_grep("-r -l into the tree", tmp, tree, "-r -l ERROR d > d/out.txt", ["d/out.txt"], sort=True)

    # logsift's own output modes: lines printed as they are read are refused, aggregates are not
    # (--json still ends with its summary record).
    for opts, refused in [("--json", True), ("--format '{line}'", True), ("--count-by 'x \\w+'", False),
                          ("--take 1", True)]:
        where = os.path.join(tmp, "own_" + str(abs(hash(opts))))
        os.makedirs(where)
        one_file(where)
        before = read(os.path.join(where, "f"))
        rc, err = shell(LOGSIFT, "%s x f >> f" % opts, where)
        after = read(os.path.join(where, "f"))
        if refused:
            check("%s: refused" % opts, rc == 2 and err == b"logsift: f: input file is also the output\n"
                  and after.startswith(before) and (after == before or b'"type":"match"' not in after),
                  "status %d, stderr %s, f %s" % (rc, short(err), short(after)))
        else:
            check("%s: searched" % opts, rc == 0 and err == b"" and len(after) > len(before),
                  "status %d, stderr %s, f %s" % (rc, short(err), short(after)))


def loops(tmp):
    def parent(where):
        os.makedirs(os.path.join(where, "t", "sub"))
        write(os.path.join(where, "t", "sub", "f"), b"x in f\n")
        os.symlink("..", os.path.join(where, "t", "sub", "up"))

    def itself(where):
        os.makedirs(os.path.join(where, "t"))
        write(os.path.join(where, "t", "f"), b"x in f\n")
        os.symlink(".", os.path.join(where, "t", "self"))

    def deeper(where):
        os.makedirs(os.path.join(where, "t", "d1", "d2"))
        write(os.path.join(where, "t", "d1", "d2", "f"), b"x in f\n")
        os.symlink("../..", os.path.join(where, "t", "d1", "d2", "back"))

    def two_loops(where):
        itself(where)
        os.makedirs(os.path.join(where, "t", "a"))
        os.symlink("..", os.path.join(where, "t", "a", "up"))

    def sibling(where):  # not a loop: the same directory twice, both walked
        os.makedirs(os.path.join(where, "t", "real"))
        write(os.path.join(where, "t", "real", "f"), b"x in f\n")
        os.symlink("real", os.path.join(where, "t", "alias"))

    # Stdout goes to a file beside the tree (not /dev/null, where grep stops at the first match).
    # Each tree but the sibling one has one matching file, so directory order cannot differ.
    for name, setup in [("to the parent", parent), ("to itself", itself), ("two levels up", deeper),
                        ("two loops", two_loops), ("sibling alias", sibling)]:
        for command in ["-R x t", "-R -n x t", "-R zzz t", "-R -s x t", "-R -c x t", "-r x t"]:
            same_as_grep("loop %s: %s" % (name, command), tmp, setup, "{tool} %s > out" % command, ["out"],
                         sort=setup in (sibling, two_loops))
    same_as_grep("loop below it", tmp, parent, "{tool} -R x t/sub > out", ["out"])
    same_as_grep("loop, implicit operand", tmp, parent, "cd t && {tool} -R x > ../out", ["out"])
    same_as_grep("loop, implicit operand below it", tmp, parent, "cd t/sub && {tool} -R x > ../../out", ["out"])


def small_stack():
    # AddressSanitizer's frames are 2-3x larger: its build gets 4 MiB for the same chains.
    size = (4 if SANITIZED else 1) << 20
    resource.setrlimit(resource.RLIMIT_STACK, (size, size))


def stage_limit(tmp):
    path = os.path.join(tmp, "in.log")
    write(path, b"x one\ny\nx two\n")
    for stack in (None, small_stack):
        label = ("4 MiB stack (ASan)" if SANITIZED else "1 MiB stack") if stack else "default stack"
        for flag in (["--keep", "x"], ["--drop", "zzz"], ["--sub", "s/x/x/g"], ["--uniq"], ["--skip", "0"]):
            args = flag * STAGE_LIMIT
            proc = subprocess.run([LOGSIFT] + args + ["x", path], capture_output=True, timeout=TIMEOUT,
                                  preexec_fn=stack)
            check("%d x %s (%s)" % (STAGE_LIMIT, flag[0], label),
                  proc.returncode == 0 and proc.stdout == b"x one\nx two\n" and proc.stderr == b"",
                  "status %d, stdout %s, stderr %s" % (proc.returncode, short(proc.stdout), short(proc.stderr)))
            # 50,000 flags do not fit in the argument space of a 1 MiB stack (a quarter of it)
            for count in (STAGE_LIMIT + 1,) + (() if stack else (50000,)):
                args = flag * count
                proc = subprocess.run([LOGSIFT] + args + ["x", path], capture_output=True, timeout=TIMEOUT,
                                      preexec_fn=stack)
                lines = proc.stderr.splitlines()
                check("%d x %s (%s)" % (count, flag[0], label),
                      proc.returncode == 2 and proc.stdout == b"" and len(lines) == 1 and
                      lines[0].startswith(b"logsift: ") and b"stages" in lines[0],
                      "status %d, stdout %s, stderr %s" % (proc.returncode, short(proc.stdout), short(proc.stderr)))


def main():
    global LOGSIFT, SANITIZED
    LOGSIFT = harness.start()
    SANITIZED = harness.SANITIZED
    harness.run_groups([("self_output", self_output), ("loops", loops), ("stage_limit", stage_limit)])
    return harness.summary("walk_and_self_output")


if __name__ == "__main__":
    sys.exit(main())
