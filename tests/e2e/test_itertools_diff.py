#!/usr/bin/env python3
"""Differential test: logsift's stages against a reference built from Python's itertools and re.

usage: python3 tests/e2e/test_itertools_diff.py /path/to/logsift      (from the repository root)

Generates CHAINS random chains of 1-4 stages (fixed seed, so every run is the same), runs each one
as `logsift [-n] [-b] [-F] [--field-sep SEP] STAGES... -e '' FILE` over data/app.log or
data/apache_logs, and compares stdout byte for byte with the same chain run in Python:

  --keep RE        filter(R.search)            --drop RE        filterfalse(R.search)
  --sub s/R/T/[g]  R.sub(T', line, count)      --extract RE     R.search(line).group(1 or 0)
  --skip N         islice(it, N, None)         --take N         islice(it, N)
  --step N         islice(it, 0, None, N)      --slice A:B:C    islice(it, A, B, C)
  --take-while RE  takewhile(R.search)         --drop-while RE  dropwhile(R.search)
  --uniq           first of each groupby run   --fields LIST    split, pick, join
  --last N         deque(it, maxlen=N)

where T' is T with `\\0`-`\\9` written as `\\g<0>`-`\\g<9>`. Regexes are chosen to mean the same in
logsift and in Python's re on str: \\w is Unicode in both (logsift follows grep: [\\pL\\pN_]), but
\\d and \\b are ASCII-only in RE2 and Unicode in Python, so the lists use [0-9] and no \\b.
Lines are decoded as UTF-8 with surrogateescape, so any byte round-trips. With -n / -b the
reference prints the original line number / byte offset that each line carries through the chain.

Prints one block per failing chain (the command and the first differing line), then
`itertools_diff: N passed, M failed`; exits 1 if any failed. Only the standard library is used.
"""
import collections
import concurrent.futures
import itertools
import os
import random
import re
import shlex
import subprocess
import sys

import harness
from harness import ROOT

FILES = ["data/app.log", "data/apache_logs"]
CHAINS = 300
SEED = 20260101
TIMEOUT = 120  # generous: a sanitizer build is ~15x slower on --sub with empty matches

# Regexes that mean the same in RE2 (logsift's default syntax) and in Python's re.
REGEXES = [
    "ERROR", "WARN", "INFO", "DEBUG", "ERROR|WARN", "FATAL|ERROR", "[0-9]+", "[0-9]{3,}",
    r"user=(\w+)", r"status=([0-9]+)", r"status=(2|5)[0-9]{2}", "GET", "POST", "^2026",
    "worker-1[0-9]?", r"\[worker-([0-9]+)\]", r'"GET [^ ]*', r"HTTP/1\.1", r"([0-9]+)\.([0-9]+)",
    r"latency_ms=[0-9]{4}", " 404 ", " 200 ", "Mozilla", r"\.png", r"(\w+)@", "^[0-9.]+ ",
    r"bytes=([0-9])([0-9])", "o", "e", " in ", "(a)|(b)", r"(?:x|y)z?", "[A-Z]{4,}", "search",
    "Søren|José", "李雷", r"user=\w", r"\w+$", r"[^\w ]+",
]
# For --take-while / --drop-while: regexes that match runs of lines of either file.
RUN_REGEXES = ["[a-z]", "^[0-9]", "INFO|DEBUG|WARN", "INFO|DEBUG", "e", "GET", "^2026-01-01T00:00:0",
               "^83[.]", "Mozilla", "[0-9]{3}"]
RUN_LITERALS = ["-", "INFO", "GET", "2026-01-01T00:00:0", "HTTP/1.1"]
# Only for --sub: patterns with empty matches, where Python 3.7+ re.sub semantics matter.
EMPTY_REGEXES = ["x*", "[0-9]*", r"\w*", "^", "$", "q?"]
# -F makes every stage regex a literal: these would mean something else as regexes.
LITERALS = ["1.1", "GET /", "[worker-1", "(KHTML", "status=5", "user=", "a.b", "Z", "ms=1", "?", "."]
REPLACEMENTS = ["X", "", "<\\0>", "[\\1]", "\\1:\\0", "-", "|", "/", "\\2\\1"]
FIELD_LISTS = ["1", "2", "3", "1,3", "2-4", "4-", "-2", "1,3-5,7-", "5,1", "9", "1-1", "2,2", "-"]
FIELD_SEPS = [" ", '"', "=", " - ", "/", ":"]
DELIMITERS = ["/", "|", ",", "#", "@", ":"]


class Chain:
    """A chain of stages with the options around it, as logsift arguments and as a Python function."""

    def __init__(self, path, stages, fixed, field_sep, numbers, offsets):
        self.path = path
        self.stages = stages  # [(flag, value or None)]
        self.fixed = fixed
        self.field_sep = field_sep
        self.numbers = numbers
        self.offsets = offsets
        self.expected = None  # the reference's output, once computed

    def argv(self, logsift):
        args = [logsift]
        if self.numbers:
            args.append("-n")
        if self.offsets:
            args.append("-b")
        if self.fixed:
            args.append("-F")
        if self.field_sep is not None:
            args += ["--field-sep", self.field_sep]
        for flag, value in self.stages:
            args += [flag] if value is None else [flag, value]
        return args + ["-e", "", self.path]


# ---- the reference ---------------------------------------------------------------------------

def compile_re(text, fixed):
    return re.compile(re.escape(text) if fixed else text)


def split_substitution(value):
    """s/RE/REPL/[g] with any delimiter; a backslash before the delimiter makes it plain."""
    delim = value[1]
    parts, cur, i = [], "", 2
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            cur += value[i + 1] if value[i + 1] == delim else value[i:i + 2]
            i += 2
            continue
        if c == delim:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    regex, repl, flags = parts
    return regex, repl, flags == "g"


def python_template(repl):
    """logsift's REPL as a re.sub template: \\N is a group, other escapes stand for themselves."""
    out, i = "", 0
    while i < len(repl):
        c = repl[i]
        if c == "\\" and i + 1 < len(repl):
            n = repl[i + 1]
            out += "\\g<%s>" % n if n.isdigit() else "\\" + n
            i += 2
        else:
            out += c
            i += 1
    return out


def awk_fields(text):
    return [f for f in re.split(r"[ \t]+", text) if f]


def pick_fields(fields, spec):
    picked = []
    for item in spec.split(","):
        if "-" in item:
            a, b = item.split("-")
            first = int(a) if a else 1
            last = int(b) if b else len(fields)
        else:
            first = last = int(item)
        picked += fields[first - 1:min(last, len(fields))]
    return picked


def reference(chain, lines):
    """Runs the chain over [(number, offset, text)] with itertools; returns the output bytes."""
    it = iter(lines)
    text = lambda item: item[2]
    with_text = lambda item, new: (item[0], item[1], new)
    for flag, value in chain.stages:
        if flag in ("--keep", "--drop", "--take-while", "--drop-while", "--extract"):
            r = compile_re(value, chain.fixed)
            search = lambda item, r=r: r.search(text(item)) is not None
            if flag == "--keep":
                it = filter(search, it)
            elif flag == "--drop":
                it = itertools.filterfalse(search, it)
            elif flag == "--take-while":
                it = itertools.takewhile(search, it)
            elif flag == "--drop-while":
                it = itertools.dropwhile(search, it)
            else:
                group = 1 if r.groups else 0

                def extract(it, r=r, group=group):
                    for item in it:
                        m = r.search(text(item))
                        if m:
                            yield with_text(item, m.group(group) or "")
                it = extract(it)
        elif flag == "--sub":
            regex, repl, everywhere = split_substitution(value)
            r = compile_re(regex, chain.fixed)
            template = python_template(repl)
            count = 0 if everywhere else 1
            it = map(lambda item, r=r, t=template, n=count: with_text(item, r.sub(t, text(item), count=n)), it)
        elif flag == "--skip":
            it = itertools.islice(it, int(value), None)
        elif flag == "--take":
            it = itertools.islice(it, int(value))
        elif flag == "--step":
            it = itertools.islice(it, 0, None, int(value))
        elif flag == "--slice":
            a, b, *c = value.split(":")
            step = int(c[0]) if c and c[0] else None
            it = itertools.islice(it, int(a) if a else None, int(b) if b else None, step)
        elif flag == "--uniq":
            it = (next(run) for _, run in itertools.groupby(it, key=text))
        elif flag == "--fields":
            sep = chain.field_sep or None

            def fields(it, spec=value, sep=sep):
                for item in it:
                    parts = text(item).split(sep) if sep else awk_fields(text(item))
                    yield with_text(item, (sep or " ").join(pick_fields(parts, spec)))
            it = fields(it)
        elif flag == "--last":
            it = iter(collections.deque(it, maxlen=int(value)))
        else:
            raise ValueError(flag)
    out = []
    for number, offset, line in it:
        prefix = ("%d:" % number if chain.numbers else "") + ("%d:" % offset if chain.offsets else "")
        out.append(prefix + line + "\n")
    return "".join(out).encode("utf-8", "surrogateescape")


def read_lines(path):
    data = open(os.path.join(ROOT, path), "rb").read()
    lines, offset = [], 0
    raw = data.split(b"\n")
    if data.endswith(b"\n"):
        raw.pop()
    for number, line in enumerate(raw, 1):
        lines.append((number, offset, line.decode("utf-8", "surrogateescape")))
        offset += len(line) + 1
    return lines


# ---- chain generation ------------------------------------------------------------------------

def count(rng):
    """Small counts mostly, with 0 and more than any input now and then."""
    roll = rng.random()
    if roll < 0.08:
        return 0
    if roll < 0.14:
        return rng.choice([20000, 10 ** 9])
    if roll < 0.3:
        return rng.randint(100, 5000)
    return rng.randint(1, 30)


def slice_value(rng):
    part = lambda: "" if rng.random() < 0.3 else str(count(rng))
    start, stop = part(), part()
    # A stop before the start passes nothing: keep a few of those, but mostly slice something.
    if start and stop and int(stop) < int(start) and rng.random() < 0.8:
        start, stop = stop, start
    value = start + ":" + stop
    if rng.random() < 0.5:
        value += ":" + ("" if rng.random() < 0.2 else str(rng.randint(1, 7)))
    return value


def substitution(rng, fixed):
    if fixed:
        regex = rng.choice(LITERALS)
    else:
        regex = rng.choice(EMPTY_REGEXES if rng.random() < 0.3 else REGEXES)
    repl = rng.choice(REPLACEMENTS)
    groups = 0 if fixed else re.compile(regex).groups
    # A reference to a group the regex lacks is a usage error: keep those out of this test.
    while any(int(d) > groups for d in re.findall(r"\\(\d)", repl)):
        repl = rng.choice(REPLACEMENTS)
    # A delimiter that the regex or replacement uses after a backslash could not be escaped.
    delim = rng.choice([d for d in DELIMITERS if "\\" + d not in regex + repl])
    escape = lambda s: s.replace(delim, "\\" + delim)
    return "s%s%s%s%s%s%s" % (delim, escape(regex), delim, escape(repl), delim, rng.choice(["", "g"]))


def make_chain(rng):
    fixed = rng.random() < 0.12
    regex = lambda: rng.choice(LITERALS) if fixed else rng.choice(REGEXES)
    stages = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["keep", "drop", "sub", "extract", "skip", "take", "step", "slice",
                           "take-while", "drop-while", "uniq", "fields", "last"])
        flag = "--" + kind
        if kind in ("keep", "drop", "extract", "take-while", "drop-while"):
            value = regex()
            # Mostly regexes that match long runs of lines, or the chain would often end empty.
            if kind in ("take-while", "drop-while") and rng.random() < 0.7:
                value = rng.choice(RUN_LITERALS if fixed else RUN_REGEXES)
        elif kind == "sub":
            value = substitution(rng, fixed)
        elif kind in ("skip", "take", "last"):
            value = str(count(rng))
        elif kind == "step":
            value = str(max(1, count(rng)) if rng.random() < 0.8 else rng.randint(1, 4))
        elif kind == "slice":
            value = slice_value(rng)
        elif kind == "uniq":
            value = None
        else:
            value = rng.choice(FIELD_LISTS)
        stages.append((flag, value))
    uses_fields = any(flag == "--fields" for flag, _ in stages)
    field_sep = rng.choice(FIELD_SEPS) if uses_fields and rng.random() < 0.4 else None
    return Chain(rng.choice(FILES), stages, fixed, field_sep, rng.random() < 0.25, rng.random() < 0.15)


# ---- running -----------------------------------------------------------------------------------

def first_difference(expected, actual):
    exp, act = expected.split(b"\n"), actual.split(b"\n")
    for i, (e, a) in enumerate(zip(exp, act)):
        if e != a:
            return "line %d: expected %r, got %r" % (i + 1, e[:200], a[:200])
    return "expected %d lines, got %d" % (len(exp) - 1, len(act) - 1)


def check(logsift, chain):
    argv = chain.argv(logsift)
    shown = " ".join(shlex.quote(a) for a in argv[1:])
    expected = chain.expected
    try:
        proc = subprocess.run(argv, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "timeout: logsift %s" % shown
    problems = []
    if proc.stdout != expected:
        problems.append(first_difference(expected, proc.stdout))
    if proc.stderr:
        problems.append("stderr: %r" % proc.stderr[:300])
    want_rc = 0 if expected else 1
    if proc.returncode != want_rc:
        problems.append("exit %d, expected %d" % (proc.returncode, want_rc))
    return "logsift %s\n    %s" % (shown, "\n    ".join(problems)) if problems else None


def main():
    logsift = harness.start()
    missing = [f for f in FILES if not os.path.exists(os.path.join(ROOT, f))]
    if missing:
        print("itertools_diff: missing input files: %s" % ", ".join(missing))
        print("itertools_diff: 0 passed, 1 failed")
        return 1
    inputs = {path: read_lines(path) for path in FILES}
    rng = random.Random(SEED)
    chains = []
    while len(chains) < CHAINS:
        chain = make_chain(rng)
        chain.expected = reference(chain, inputs[chain.path])
        # Chains that pass nothing check little: keep about one in four of them.
        if chain.expected or rng.random() < 0.25:
            chains.append(chain)

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda c: check(logsift, c), chains))
    failures = [r for r in results if r]
    for failure in failures:
        print("FAIL " + failure)
    print("itertools_diff: %d passed, %d failed" % (len(chains) - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
