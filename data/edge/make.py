#!/usr/bin/env python3
"""Regenerate the edge-case inputs in data/edge/ (deterministic; the files are committed too).

usage: python3 data/edge/make.py      (from anywhere; writes next to this script)

Files:
  crlf.log              CRLF line endings throughout
  no-final-newline.log  last line has no trailing newline
  empty.log             0 bytes (also used as an empty patterns file for -f)
  blank-lines.log       many empty lines, some with only spaces or tabs
  utf8.log              non-ASCII names, emoji, combining accents, mixed-case non-ASCII
  nul.log               a NUL byte inside one line: grep treats the file as binary
  invalid-utf8.log      one line with \\xff / \\xfe bytes among valid UTF-8 lines
  long-line.log         one ~300 KB line among short ones (crosses a 256 KiB read buffer)
  patterns.txt          patterns file for -f (one pattern a line)
  words-list.txt        100 words w000..w099 for -f: enough for the literal-set matcher
  tree/                 nested .log / .txt / other files for -r with --include/--exclude
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def write(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def lines(*ls, end="\n"):
    return "".join(l + end for l in ls)


def main():
    # --- CRLF -------------------------------------------------------------------------------
    write("crlf.log", lines(
        "2026-01-01T00:00:00.001Z INFO  [worker-1] api-gateway: GET /healthz status=200",
        "2026-01-01T00:00:00.002Z ERROR [worker-2] billing: Database connection failed",
        "2026-01-01T00:00:00.003Z WARN  [worker-3] search: slow query took 1200ms",
        "ERROR",
        "",
        "2026-01-01T00:00:00.004Z INFO  [worker-4] auth: user alice logged in",
        "2026-01-01T00:00:00.005Z FATAL [worker-5] orders: deadlock detected",
        "last crlf line ERROR",
        end="\r\n"))

    # --- no final newline -------------------------------------------------------------------
    write("no-final-newline.log",
          "first line INFO ok\n"
          "second line ERROR boom\n"
          "third line INFO fine\n"
          "last line ERROR without newline")

    # --- empty ------------------------------------------------------------------------------
    write("empty.log", b"")

    # --- blank lines ------------------------------------------------------------------------
    write("blank-lines.log", lines(
        "header INFO start",
        "",
        "",
        "   ",
        "\t",
        "middle ERROR one",
        "",
        " ",
        "",
        "  \t  ",
        "",
        "",
        "",
        "middle INFO two",
        "",
        "    indented ERROR",
        "",
        "",
        "footer INFO end",
        ""))

    # --- UTF-8 ------------------------------------------------------------------------------
    write("utf8.log", lines(
        "2026-01-01T00:00:00.000Z INFO user Søren logged in",
        "2026-01-01T00:00:01.000Z INFO user José logged in",
        "2026-01-01T00:00:02.000Z INFO user 李雷 logged in",
        "2026-01-01T00:00:03.000Z WARN user Zoë failed 🔥 deploy",
        "2026-01-01T00:00:04.000Z ERROR 支付失败 user=李雷 amount=12€",
        "ÉCOLE normale supérieure",
        "école primaire",
        "Ecole sans accent",
        "decomposed: Jose\u0301 and Zoe\u0308 (combining accents)",
        "emoji only: 🎉🎉 party 😀",
        "café CAFÉ Café",
        "ΑΒΓ αβγ greek",
        "ДОБРО добро cyrillic",
        "plain ascii line",
        "mixed: naïve façade Ångström",
    ))

    # --- NUL (binary) -----------------------------------------------------------------------
    write("nul.log", b"first line INFO ok\n"
                     b"second line ERROR with a \x00 NUL byte\n"
                     b"third line INFO fine\n"
                     b"fourth line ERROR plain\n")

    # --- invalid UTF-8 ----------------------------------------------------------------------
    write("invalid-utf8.log", b"good line one INFO\n"
                              b"good line ERROR before\n"
                              b"bad line ERROR \xff\xfe here x\xffy\n"
                              b"good line after ERROR\n"
                              b"caf\xc3\xa9 valid utf8 INFO\n")

    # --- long line --------------------------------------------------------------------------
    rng = random.Random(7)
    short = ["short line %d INFO ok" % i for i in range(1, 201)]
    short[49] = "short line 50 ERROR before the long line"
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 "
    body = "".join(rng.choice(alphabet) for _ in range(300_000))
    # markers: LONGSTART, NEEDLE straddling byte offset 262144 (256 KiB) of the file, LONGEND
    prefix_len = sum(len(s) + 1 for s in short)
    cut = 262144 - 3 - prefix_len - len("LONGSTART ")
    long_line = "LONGSTART " + body[:cut] + "NEEDLE" + body[cut:] + " LONGEND"
    after = ["after line %d INFO ok" % i for i in range(1, 51)]
    after[9] = "after line 10 ERROR after the long line"
    write("long-line.log", lines(*short, long_line, *after))

    # --- patterns file ----------------------------------------------------------------------
    write("patterns.txt", lines("ERROR", "FATAL"))
    write("words-list.txt", lines(*("w%03d" % i for i in range(100))))

    # --- tree for -r ------------------------------------------------------------------------
    write("tree/app.log", lines("tree app INFO ok", "tree app ERROR one", "tree app INFO two"))
    write("tree/notes.txt", lines("notes mention ERROR in text", "notes plain"))
    write("tree/.hidden.log", lines("hidden ERROR line"))
    write("tree/data.json", lines('{"level":"ERROR","msg":"json"}'))
    write("tree/sub/deep.log", lines("deep INFO a", "deep ERROR b", "deep ERROR c", "deep INFO d"))
    write("tree/sub/readme.txt", lines("readme has no matches here"))
    write("tree/sub/deeper/x.log", lines("x INFO", "x FATAL ERROR"))
    write("tree/sub/deeper/y.txt", lines("y ERROR"))


if __name__ == "__main__":
    main()
