#!/usr/bin/env python3
"""Issue 13, items 2, 3, 5, 6, 7 and 9: nothing lost, nothing wrong in what the printers report.

usage: python3 tests/e2e/test_output_policy.py /path/to/logsift      (from the repository root)

- --histogram never drops counts: a stray 1970 timestamp or 1s buckets over more than 100,000
  seconds still give rows whose counts add up to the selected lines (long empty runs: gap rows);
- one binary-file policy for every output mode: a NUL byte in the middle of 600,000 ERROR lines
  does not truncate --count-by, --histogram, -c, --stats or --max-matches, and every mode that
  prints lines (plain, --format, --format github) says "binary file matches" when it stops;
- --max-matches is a gate on the selected lines over all inputs, whatever the output mode;
- --format groups with -w; --stats counts lines read when reading stops early and prints with -q;
  --top 0 prints no key;
- an error before a closed pipe (SIGPIPE ignored) is still exit 2; -V, --help and --explain into
  /dev/full are a write error, exit 2.
Prints one line per failing check, then a summary; exits 1 if any failed.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

import harness
from harness import check, write

LOGSIFT = harness.start()


def run(*args, stdin=b""):
    return harness.run(*args, stdin=stdin, timeout=120)


def lines(data):
    return data.count(b"\n")


def histogram_total(stdout):
    """The sum of the count column of a text histogram, and its row count."""
    total, rows = 0, 0
    for line in stdout.decode().splitlines():
        fields = re.split(r"\s{2,}", line.strip())
        total += int(fields[1])
        rows += 1
    return total, rows


def test_histogram(tmp):
    # A stray 1970 line before a day of real data (one line a minute for an hour).
    path = os.path.join(tmp, "stray.log")
    real = [f"2026-01-01T10:{m:02d}:00Z ERROR real {m}\n" for m in range(60)]
    write(path, ("1970-01-01T00:00:01Z ERROR stray\n" + "".join(real)).encode())
    result = run("--histogram", "1m", "ERROR", path)
    total, rows = histogram_total(result.stdout)
    check("histogram: a stray 1970 line loses no count", result.returncode == 0 and total == 61,
          f"rc={result.returncode} total={total}")
    check("histogram: the real minutes are all there", all(f"2026-01-01T10:{m:02d}:00" in result.stdout.decode()
                                                            for m in range(60)), result.stdout[-300:])
    check("histogram: the empty decades are one gap row", rows == 62 and "empty buckets" in result.stdout.decode(),
          f"rows={rows}")
    result = run("--histogram", "1m", "--json", "ERROR", path)
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    check("histogram --json: counts add up", sum(r["count"] for r in rows) == 61, result.stdout[:300])
    gaps = [r for r in rows if "empty_buckets" in r]
    check("histogram --json: one gap row, sized right",
          len(gaps) == 1 and gaps[0]["start"] == 60 and gaps[0]["count"] == 0
          and gaps[0]["empty_buckets"] == (1767261600 - 60) // 60, gaps)

    # 1s buckets over 150,000 seconds: a line every 1,000 s plus bursts; short pauses stay rows.
    path = os.path.join(tmp, "long.log")
    start = 1767225600  # 2026-01-01T00:00:00Z
    stamps = [start + i * 1000 for i in range(151)] + [start + 5 + i for i in range(0, 20, 3)]
    stamps.sort()
    write(path, "".join(f"{t} ERROR x\n" for t in stamps).encode())
    result = run("--histogram", "1s", "ERROR", path)
    total, rows = histogram_total(result.stdout)
    check("histogram 1s over 150,000 s: counts add up", result.returncode == 0 and total == len(stamps),
          f"rc={result.returncode} total={total} want {len(stamps)} rows={rows}")
    text = result.stdout.decode()
    check("histogram: a 2-bucket pause is two rows of 0", "2026-01-01T00:00:06          0" in text
          and "2026-01-01T00:00:07          0" in text, text[:600])
    check("histogram: the last second is there", "2026-01-02T17:40:00          1" in text, text[-300:])


def test_binary(tmp):
    # 600,000 ERROR lines around one line with a NUL byte.
    path = os.path.join(tmp, "nul.log")
    half = b"2026-01-01T10:00:00Z ERROR x\n" * 300000
    write(path, half + b"a\0b\n" + half)
    notice = f"logsift: {path}: binary file matches\n".encode()

    result = run("--count-by", "ERROR", "ERROR", path)
    check("binary: --count-by counts every selected line", result.stdout == b" 600000 ERROR\n" and not result.stderr,
          f"{result.stdout!r} {result.stderr!r}")
    result = run("--histogram", "1h", "ERROR", path)
    check("binary: --histogram counts every selected line", histogram_total(result.stdout)[0] == 600000
          and not result.stderr, f"{result.stdout!r} {result.stderr!r}")
    result = run("--histogram", "1h", "--json", "ERROR", path)
    check("binary: --histogram --json counts every selected line",
          sum(json.loads(l)["count"] for l in result.stdout.decode().splitlines()) == 600000, result.stdout)
    grep = subprocess.run(["grep", "-c", "ERROR", path], capture_output=True)
    result = run("-c", "ERROR", path)
    check("binary: -c counts every selected line, as grep -c", result.stdout == grep.stdout == b"600000\n",
          f"{result.stdout!r} grep {grep.stdout!r}")
    result = run("--stats", "ERROR", path)
    check("binary: --stats counts every selected line", b"600000 matched lines" in result.stderr, result.stderr[-400:])
    for limit, want in [(599999, 1), (600000, 0)]:
        result = run("--max-matches", str(limit), "ERROR", path)
        check(f"binary: --max-matches {limit} sees every selected line", result.returncode == want,
              f"rc={result.returncode}")

    plain = run("ERROR", path)
    check("binary: the line printer stops and says so", plain.returncode == 0 and plain.stderr == notice
          and 0 < plain.stdout.count(b"\n") < 600000, f"{plain.stderr!r} {lines(plain.stdout)}")
    result = run("--format", "{line}", "ERROR", path)
    check("binary: --format prints what the line printer prints and says so",
          result.returncode == 0 and result.stdout == plain.stdout and result.stderr == notice,
          f"rc={result.returncode} lines={lines(result.stdout)} stderr={result.stderr!r}")
    result = run("--format", "github", "ERROR", path)
    check("binary: --format github stops there and says so",
          result.returncode == 0 and result.stdout.count(b"\n") == plain.stdout.count(b"\n")
          and result.stderr == notice, f"lines={lines(result.stdout)} stderr={result.stderr!r}")
    result = run("--json", "ERROR", path)
    check("binary: --json carries every line (as rg's bytes objects would)",
          result.stdout.count(b'"type":"match"') == 600000 and not result.stderr, result.stderr)
    result = run("-a", "--format", "{line_number}", "ERROR", path)
    check("binary: -a --format prints every line", result.stdout.count(b"\n") == 600000 and not result.stderr)


def test_max_matches_gate(tmp):
    one = os.path.join(tmp, "one.log")
    two = os.path.join(tmp, "two.log")
    write(one, b"2026-01-01T10:00:00Z ERROR a\nINFO b\n2026-01-01T10:00:05Z ERROR c\n")
    write(two, b"INFO d\n2026-01-01T10:01:00Z ERROR e\n")
    modes = [[], ["-q"], ["-l"], ["-L"], ["-c"], ["-o"], ["-n", "-H"], ["-m", "5"], ["-A", "1"], ["--json"],
             ["--format", "{line}"], ["--format", "github"], ["--count-by", "ERROR"], ["--histogram", "1m"],
             ["--stats"], ["-s"]]
    for mode in modes:
        for files, selected in [([one], 2), ([one, two], 3), ([two], 1)]:
            plain = run(*mode, "ERROR", *files)
            for limit in range(0, 5):
                result = run(*mode, "--max-matches", str(limit), "ERROR", *files)
                want = 1 if selected > limit else 0
                same_output = mode in (["--json"], ["--stats"]) or result.stdout == plain.stdout
                check(f"gate {mode} {len(files)} file(s) --max-matches {limit}",
                      result.returncode == want and same_output,
                      f"rc={result.returncode} want {want} stdout {result.stdout[:200]!r} vs {plain.stdout[:200]!r}")
        # -m caps the selected lines per file, as it caps what grep selects.
        if "-m" in mode:
            continue
        result = run(*mode, "-m", "1", "--max-matches", "1", "ERROR", one)
        check(f"gate {mode} -m 1 --max-matches 1", result.returncode == 0, f"rc={result.returncode}")
        result = run(*mode, "-m", "1", "--max-matches", "1", "ERROR", one, two)
        check(f"gate {mode} -m 1 over two files --max-matches 1", result.returncode == 1, f"rc={result.returncode}")
    for args in (["-f", "/dev/null", "--max-matches", "0", one], ["-m", "0", "--max-matches", "5", "ERROR", one],
                 ["--max-matches", "0", "NOTHING", one], ["-q", "--max-matches", "0", "NOTHING", one]):
        result = run(*args)
        check(f"gate with nothing selected: {args}", result.returncode == 0, f"rc={result.returncode}")
    # An error is exit 2 with the gate too, -q included (it no longer stops at the first match).
    result = run("-q", "--max-matches", "5", "ERROR", one, os.path.join(tmp, "missing"))
    check("gate -q with a missing file", result.returncode == 2, f"rc={result.returncode}")


def test_format_word_groups():
    result = run("--format", "{match}:{1}", "-w", "f(o+)", stdin=b"foo fooo foooo\n")
    check("--format groups with -w", result.stdout == b"foo:oo\nfooo:ooo\nfoooo:oooo\n", result.stdout)
    result = run("--format", "{column}:{1}", "-w", "-e", "a(b)", "-e", "(c)d", stdin=b"ab-ab cd xab ab\n")
    check("--format groups with -w, several patterns", result.stdout == b"1:b\n4:b\n7:\n14:b\n", result.stdout)


def test_stats_and_top(tmp):
    path = os.path.join(tmp, "stats.log")
    write(path, b"".join(b"INFO %d\n" % i if i != 10 else b"ERROR ten\n" for i in range(1, 1001)))
    for args, read in [(["-m", "1", "ERROR"], 10), (["--take", "5", ""], 5), (["--take", "5", "-v", "x"], 5),
                       (["--take", "20", "ERROR"], 20), (["ERROR"], 1000), (["-q", "ERROR"], 1000)]:
        result = run("--stats", *args, path)
        check(f"--stats lines read with {args}", f"\n{read} lines read\n".encode() in b"\n" + result.stderr,
              result.stderr)
    result = run("--stats", "-q", "ERROR", path)
    check("--stats with -q prints its summary", result.returncode == 0 and result.stdout == b""
          and b"1 matched lines\n" in result.stderr, result.stderr)
    result = run("--count-by", r"(\w+) ", "--top", "0", "", path)
    check("--top 0 prints no key", result.returncode == 0 and result.stdout == b"", result.stdout[:100])
    result = run("--count-by", r"(\w+) ", "--top", "1", "", path)
    check("--top 1 prints one key", result.stdout == b"    999 INFO\n", result.stdout[:100])


def ignore_sigpipe():
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)


def test_write_errors(tmp):
    present = os.path.join(tmp, "present.log")
    write(present, b"x\n" * 100)
    for files in ([os.path.join(tmp, "missing"), present], [present]):
        # (trap '' PIPE; logsift x missing present | head -0)
        read_end, write_end = os.pipe()
        os.close(read_end)
        proc = subprocess.run([LOGSIFT, "x", *files], stdout=write_end, stderr=subprocess.PIPE,
                              preexec_fn=ignore_sigpipe, timeout=60)
        os.close(write_end)
        want = 2 if len(files) == 2 else 0
        check(f"closed pipe, SIGPIPE ignored, {len(files)} operands: exit {want}", proc.returncode == want,
              f"rc={proc.returncode} stderr={proc.stderr!r}")
    for args in (["-V"], ["--help"], ["--explain", "x"]):
        with open("/dev/full", "wb") as full:
            proc = subprocess.run([LOGSIFT, *args], stdout=full, stderr=subprocess.PIPE, timeout=60)
        err = proc.stderr.decode()
        check(f"{args} > /dev/full", proc.returncode == 2 and err.startswith("logsift: write error")
              and err.count("\n") == 1, f"rc={proc.returncode} stderr={err!r}")
        read_end, write_end = os.pipe()
        os.close(read_end)
        proc = subprocess.run([LOGSIFT, *args], stdout=write_end, stderr=subprocess.PIPE,
                              preexec_fn=ignore_sigpipe, timeout=60)
        os.close(write_end)
        check(f"{args} into a closed pipe ends quietly", proc.returncode == 0 and proc.stderr == b"",
              f"rc={proc.returncode} stderr={proc.stderr!r}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_histogram(tmp)
        test_binary(tmp)
        test_max_matches_gate(tmp)
        test_format_word_groups()
        test_stats_and_top(tmp)
        test_write_errors(tmp)
    return harness.summary("output policy")


if __name__ == "__main__":
    sys.exit(main())
