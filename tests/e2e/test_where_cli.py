#!/usr/bin/env python3
"""End-to-end checks of --where, --input-format, {.field} templates and --count-by-field.

usage: python3 tests/e2e/test_where_cli.py /path/to/logsift      (from the repository root)

Covers what the unit tests cannot see: --where is a stage like --keep (command-line order, with
PATTERN, -v, -c, -n, context, --take), JSON and logfmt lines in one input, --input-format,
--explain, bad expressions failing with one `logsift:` line and exit 2 before any input is read,
{.field} in --format and --count-by-field (with --top and --json).

Reports through tests/e2e/harness.py: `where_cli: N passed, M failed`, exit 1 if any failed.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import harness
from harness import check

LOGSIFT = None

LINES = [
    '{"ts":"2026-01-01T00:00:01Z","level":"info","status":200,"dur":"120ms","http":{"path":"/a"}}',
    '{"ts":"2026-01-01T00:00:02Z","level":"error","status":503,"dur":"1.5s","http":{"path":"/b"}}',
    'ts=2026-01-01T00:00:03Z level=error status=500 dur=2s msg="upstream \\"db\\" down"',
    'a plain line without fields',
    '{"ts":"2026-01-01T00:00:04Z","level":"warn","status":"n/a","user":{"id":"u1"}}',
    'ts=2026-01-01T00:00:05Z level=info status=200 dur=3ms',
]
TEXT = ("\n".join(LINES) + "\n").encode()


def run(args, stdin=TEXT):
    proc = subprocess.run([LOGSIFT] + args, cwd=ROOT, input=stdin, capture_output=True, timeout=30)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def lines(indices):
    return "".join(LINES[i] + "\n" for i in indices)


def expect(name, args, out, status=0):
    code, got, err = run(args)
    check(name, code == status and got == out and err == "", f"exit {code}, stdout {got!r}, stderr {err!r}")


def expect_error(name, args, needle):
    code, out, err = run(args + ["/nonexistent/input"])
    one_line = err.count("\n") == 1 and err.startswith("logsift: ")
    check(name, code == 2 and out == "" and one_line and needle in err and "nonexistent" not in err,
          f"exit {code}, stderr {err!r}")


def main():
    global LOGSIFT
    LOGSIFT = harness.start()

    expect("equality over JSON and logfmt", ["--where", 'level="error"', "-e", ""], lines([1, 2]))
    expect("numbers, strings that are numbers, logfmt values", ["--where", "status>=500", "-e", ""], lines([1, 2]))
    expect("durations", ["--where", "dur>1s", "-e", ""], lines([1, 2]))
    expect("nested field and exists", ["--where", 'http.path="/b" or exists(user.id)', "-e", ""], lines([1, 4]))
    expect("not inverts a missing field", ["--where", 'not level="error"', "-e", ""], lines([0, 3, 4, 5]))
    expect("!= is false on a missing field", ["--where", 'level!="error"', "-e", ""], lines([0, 4, 5]))
    expect("logfmt quoted value with escapes", ["--where", 'msg="upstream \\"db\\" down"', "-e", ""], lines([2]))
    expect("repeated --where is and", ["--where", "status>=200", "--where", 'level="info"', "-e", ""], lines([0, 5]))
    expect("with PATTERN and -n", ["--where", 'level="error"', "-n", "db"], "3:" + LINES[2] + "\n")
    expect("with -c", ["--where", 'level=~"e.*"', "-c", ""], "2\n")
    expect("with -v (PATTERN only)", ["--where", 'level="error"', "-v", "db"], lines([1]))
    expect("after --take", ["--take", "2", "--where", 'level="error"', "-e", ""], lines([1]))
    expect("before --take", ["--where", 'level="error"', "--take", "1", "-e", ""], lines([1]))
    expect("--input-format=json skips logfmt", ["--input-format=json", "--where", 'level="error"', "-e", ""], lines([1]))
    expect("--input-format logfmt skips JSON", ["--input-format", "logfmt", "--where", 'level="error"', "-e", ""], lines([2]))
    expect("no line selected: exit 1", ["--where", 'level="fatal"', "-e", ""], "", status=1)
    # The prefilter looks for the literal or the \u escape of one of its characters, either case.
    spellings = ['"error"', '"\\u0065rror"', '"err\\u006Fr"', '"err\\u006fr"', '"e\\u0072ror"', '"erro\\u0072"',
                 '"\\u0045RROR"']
    escaped = "".join('{"msg":"x","level":%s}\n' % s for s in spellings) + 'level="err\\u006Fr"\nlevel=e\\u0072ror\n'
    code, out, err = run(["--where", 'level="error"', "-c", ""], stdin=escaped.encode())
    check("every \\u spelling of the value passes the prefilter", (code, out, err) == (0, "7\n", ""),
          f"exit {code}, stdout {out!r}, stderr {err!r}")
    code, out, err = run(["--where", 'level="error"', "--explain", "-e", ""])
    check("--explain names the stage and its reading", code == 0 and "--where" in out and "logfmt" in out
          and '(level = "error")' not in out and 'level = "error"' in out, out + err)

    expect("{.field} in --format", ["--where", "exists(status)", "--format", "{.level:>5} {.status} {.http.path}|", ""],
           " info 200 /a|\nerror 503 /b|\nerror 500 |\n warn n/a |\n info 200 |\n")
    expect("--count-by-field", ["--count-by-field", "level", ""], "      2 error\n      2 info\n      1 warn\n")
    expect("--count-by-field --top", ["--count-by-field", "level", "--top", "1", ""], "      2 error\n")
    code, out, err = run(["--count-by-field", "status", "--json", ""])
    rows = [json.loads(line) for line in out.splitlines()] if code == 0 else []
    check("--count-by-field --json", {r["key"]["text"]: r["count"] for r in rows} == {"200": 2, "503": 1, "500": 1, "n/a": 1},
          out + err)

    expect_error("bad expression: position", ["--where", "level= and", ""], "at position 8")
    expect_error("unquoted string", ["--where", "level=error", ""], 'strings are quoted')
    expect_error("unknown operator", ["--where", "status <> 5", ""], "unknown operator '<>'")
    expect_error("bad duration", ["--where", "dur > 5parsecs", ""], "bad number, duration or size")
    expect_error("bad size", ["--where", "size > 10QB", ""], "bad number, duration or size")
    expect_error("bad regex", ["--where", 'path=~"("', ""], "bad regex")
    expect_error("ordering a string", ["--where", 'status>"5"', ""], "compares numbers")
    expect_error("unclosed parenthesis", ["--where", '(a=1', ""], "expected ')'")
    expect_error("bad --input-format", ["--input-format", "xml", ""], "expected auto, json or logfmt")
    expect_error("--count-by-field with --count-by", ["--count-by-field", "a", "--count-by", "x", ""], "cannot be used")
    expect_error("deep nesting", ["--where", "(" * 1000 + "a=1" + ")" * 1000, ""], "nests deeper")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.jsonl")
        with open(path, "w") as handle:  # over 1 MiB: the mapped input path
            for i in range(40000):
                level = "error" if i % 1000 == 7 else "info"
                handle.write(json.dumps({"i": i, "level": level, "msg": "x" * 20}) + "\n")
        code, out, err = run(["--where", 'level="error"', "-c", "", path], stdin=b"")
        check("big mapped file", (code, out, err) == (0, "40\n", ""), f"{code} {out!r} {err!r}")

    return harness.summary("where_cli")


if __name__ == "__main__":
    sys.exit(main())
