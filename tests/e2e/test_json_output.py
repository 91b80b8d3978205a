#!/usr/bin/env python3
"""End-to-end check of --json against ripgrep's own --json, message by message.

usage: python3 tests/e2e/test_json_output.py /path/to/logsift      (from the repository root)

Runs `logsift --json ARGS` and `rg --json -j1 ARGS` (one thread, so inputs come in command-line
order) on data/app.log and data/edge/*, parses every line of both with the json module, keeping
key order, and compares all messages: begin, match/context (lines, line_number, absolute_offset,
submatches), end (binary_offset and stats) and the summary. Also compares exit statuses.

Left out of the comparison, by design:
  - elapsed times (end's stats.elapsed; summary's elapsed_total and stats.elapsed): clocks differ;
  - inputs rg and logsift treat differently on purpose, so none of the cases uses them: -m (after
    the last match rg reports matching context lines as matches), binary inputs without -a (logsift
    follows grep: "binary file matches"; rg prints the lines of a file named on the command line),
    patterns whose matches differ between leftmost-longest (POSIX, logsift) and leftmost-first
    (rg), empty matches (rg lists each empty submatch, logsift only non-empty ones), and standard
    input's name (rg's "<stdin>"; logsift's is --label's, so the stdin case passes --label '<stdin>').

Fails when rg is not installed (scripts/setup installs ripgrep).
Prints one line per failing check, then `json_output: N passed, M failed`; exits 1 if any failed.
Only the Python standard library is used.
"""
import json
import os
import shutil
import subprocess
import sys

import harness
from harness import ROOT, check

TIMEOUT = 60
EDGE = [
    "data/edge/crlf.log",
    "data/edge/no-final-newline.log",
    "data/edge/empty.log",
    "data/edge/blank-lines.log",
    "data/edge/utf8.log",
    "data/edge/invalid-utf8.log",
    "data/edge/long-line.log",
]

# (name, arguments for both tools, standard input or None)
CASES = [
    ("app ERROR", ["ERROR", "data/app.log"], None),
    ("app context", ["-B1", "-A2", "FATAL", "data/app.log"], None),
    ("app overlapping context", ["-C3", "-e", "ERROR", "-e", "FATAL", "data/app.log"], None),
    ("app several matches a line", ["worker", "data/app.log"], None),
    ("app groups and classes", ["-i", r"latency_ms=[0-9]{4}\b", "data/app.log"], None),
    ("app fixed string", ["-F", '"type":"order.created"', "data/app.log"], None),
    ("app no match", ["NO SUCH TEXT ANYWHERE", "data/app.log"], None),
    ("app inverted", ["-v", "INFO", "data/app.log"], None),
    ("edge ERROR", ["ERROR"] + EDGE, None),
    ("edge context", ["-C2", "ERROR"] + EDGE, None),
    ("edge inverted with context", ["-v", "-C1", "ERROR"] + EDGE, None),
    ("edge non-ASCII", ["-i", "école|李雷|🎉", "data/edge/utf8.log"], None),
    ("edge invalid UTF-8 with context", ["-C1", "line", "data/edge/invalid-utf8.log"], None),
    ("edge long line", ["NEEDLE", "data/edge/long-line.log", "data/app.log"], None),
    ("edge NUL as text", ["-a", "ERROR|NUL", "data/edge/nul.log"], None),
    ("mixed inputs, some without match", ["FATAL", "data/edge/empty.log", "data/app.log", "data/edge/crlf.log",
                                          "data/edge/utf8.log"], None),
    ("standard input", ["ERROR", "-"], "data/edge/crlf.log"),
]

LOGSIFT = None


class Pairs(list):
    """A JSON object as its (key, value) pairs, so that comparing two also compares key order."""


def without_elapsed(message):
    """The message with its elapsed times replaced by a placeholder."""
    def blank(pairs, keys):
        return Pairs((key, "<elapsed>" if key in keys else value) for key, value in pairs)

    def walk(value, path):
        if isinstance(value, Pairs):
            keys = set()
            if path in (("data", "stats"), ("data",)):
                keys = {"elapsed", "elapsed_total"}
            return blank(Pairs((k, walk(v, path + (k,))) for k, v in value), keys)
        if isinstance(value, list):
            return [walk(v, path) for v in value]
        return value

    return walk(message, ())


def parse(output):
    messages = []
    for line in output.decode("utf-8").splitlines():
        messages.append(without_elapsed(json.loads(line, object_pairs_hook=Pairs)))
    return messages


def run(command, stdin_path):
    stdin = open(os.path.join(ROOT, stdin_path), "rb") if stdin_path else subprocess.DEVNULL
    try:
        proc = subprocess.run(command, cwd=ROOT, stdin=stdin, capture_output=True, timeout=TIMEOUT)
    finally:
        if stdin_path:
            stdin.close()
    return proc.returncode, proc.stdout, proc.stderr


def show(message):
    return json.dumps(message, ensure_ascii=False)[:400]


def compare(name, args, stdin_path):
    logsift_args = ["--label", "<stdin>"] + args if stdin_path else args
    rc, out, err = run([LOGSIFT, "--json"] + logsift_args, stdin_path)
    rg_rc, rg_out, rg_err = run(["rg", "--json", "--no-config", "-j1"] + args, stdin_path)
    if rg_rc not in (0, 1):
        check(name, False, f"rg failed ({rg_rc}): {rg_err.decode(errors='replace').strip()}")
        return
    check(name + ": exit status", rc == rg_rc, f"logsift {rc}, rg {rg_rc}; stderr: {err.decode(errors='replace').strip()}")
    try:
        ours = parse(out)
    except (ValueError, UnicodeDecodeError) as error:
        check(name + ": logsift output is JSON lines", False, str(error))
        return
    theirs = parse(rg_out)
    check(name + ": message count", len(ours) == len(theirs), f"logsift {len(ours)}, rg {len(theirs)}")
    for i, (mine, expected) in enumerate(zip(ours, theirs)):
        if mine != expected:
            check(f"{name}: message {i + 1}", False, f"\n  logsift: {show(mine)}\n  rg:      {show(expected)}")
            return  # later messages usually differ for the same reason
    check(name + ": messages", True)


def main():
    global LOGSIFT
    LOGSIFT = harness.start()
    if shutil.which("rg") is None:
        sys.exit("json_output: rg (ripgrep) is not installed; scripts/setup installs it")
    for name, args, stdin_path in CASES:
        compare(name, args, stdin_path)
    sys.exit(harness.summary("json_output"))


if __name__ == "__main__":
    main()
