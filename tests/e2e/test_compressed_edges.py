#!/usr/bin/env python3
"""Issue 13, items 8 and 16, end to end: a plain file that begins with a compression magic number is
searched as it is (as grep does), and an xz or zstd header that declares a dictionary or window over
--decompress-memory fails at once with one logsift: line, exit 2, and decodes once the limit is
raised."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import harness
from harness import check, run

LOGSIFT = harness.start()


TEXT = b"".join(b"2026-01-01T00:%02d:%02dZ %s request %d\n" % (i // 60 % 60, i % 60, b"ERROR" if i % 7 == 0 else
                                                              b"INFO", i) for i in range(3000))
ERRORS = sum(1 for i in range(3000) if i % 7 == 0)


def tool(*command, data):
    return subprocess.run(list(command), input=data, capture_output=True, check=True).stdout


def xz_declaring_dictionary(props):
    """TEXT as xz, its block header changed to declare another dictionary size (37: 1536 MiB)."""
    b = bytearray(tool("xz", "-c", "-1", data=TEXT))
    size = (b[12] + 1) * 4
    at = 14
    for present in (0x40, 0x80):  # the compressed and uncompressed sizes, as varints
        if b[13] & present:
            while b[at] & 0x80:
                at += 1
            at += 1
    assert b[at:at + 2] == b"\x21\x01", "one LZMA2 filter"
    b[at + 2] = props
    b[12 + size - 4:12 + size] = struct.pack("<I", zlib.crc32(bytes(b[12:12 + size - 4])))
    return bytes(b)


def zstd_declaring_window(log):
    """TEXT as zstd from a pipe (with a window descriptor), declaring a window of 2^log bytes."""
    b = bytearray(tool("zstd", "-q", "-c", data=TEXT))
    assert b[4] & 0x23 == 0, "not single-segment, no dictionary id"
    b[5] = (log - 10) << 3
    return bytes(b)


tmp = tempfile.mkdtemp()
try:
    # --- item 8: text that starts with a magic number
    for name, magic in [("gzip", b"\x1f\x8b\x08"), ("bzip2", b"BZh9"), ("bzip2 BZh1", b"BZh1"),
                        ("xz", b"\xfd7zXZ\x00"), ("zstd", b"\x28\xb5\x2f\xfd")]:
        path = os.path.join(tmp, "magic.log")
        data = magic + b" is how this file starts\n" + TEXT
        with open(path, "wb") as f:
            f.write(data)
        for label, result in [("file", run("-c", "ERROR", path)), ("stdin", run("-c", "ERROR", stdin=data))]:
            check(f"{name} magic, plain text ({label})", result.returncode == 0 and result.stderr == b"" and
                  result.stdout == f"{ERRORS}\n".encode(), f"rc {result.returncode} {result.stdout!r} {result.stderr!r}")
        if magic.isascii() and b"\x00" not in magic:  # other magics are not UTF-8: a binary line to grep
            result = run("-n", "starts", path)
            check(f"{name} magic, the first line as grep prints it", result.stdout == b"1:" + data.split(b"\n")[0] + b"\n",
                  repr(result.stdout))
        result = run("--decompress", "-c", "ERROR", path)
        check(f"{name} magic with --decompress is an error", result.returncode == 2 and
              result.stderr.startswith(b"logsift: ") and result.stderr.count(b"\n") == 1, repr(result.stderr))

    # A real archive cut short still fails after the lines that decoded.
    path = os.path.join(tmp, "cut.log.bz2")
    packed = tool("bzip2", "-c", data=TEXT * 40)
    with open(path, "wb") as f:
        f.write(packed[:len(packed) * 3 // 4])
    result = run("-c", "ERROR", path)
    check("bzip2 cut short", result.returncode == 2 and result.stderr.startswith(f"logsift: {path}: bzip2: ".encode()),
          f"rc {result.returncode} {result.stderr!r}")

    # --- item 16: declared dictionary and window sizes
    huge_xz, big_xz = xz_declaring_dictionary(37), xz_declaring_dictionary(32)  # 1536 MiB, 256 MiB
    huge_zst, big_zst = zstd_declaring_window(30), zstd_declaring_window(28)   # 1 GiB, 256 MiB
    cases = [("xz", huge_xz, big_xz, "xz: needs 1537 MiB of memory, over the 128 MiB limit"),
             ("zst", huge_zst, big_zst, "zstd: a frame needs a window larger than the 128 MiB limit")]
    for ext, huge, big, message in cases:
        path = os.path.join(tmp, f"huge.log.{ext}")
        with open(path, "wb") as f:
            f.write(huge)
        result = subprocess.run(["/usr/bin/time", "-f", "%M", LOGSIFT, "-c", "ERROR", path], capture_output=True,
                                timeout=60)
        lines = result.stderr.decode().splitlines()
        want = f"logsift: {path}: {message} (--decompress-memory=SIZE raises it)"
        check(f"{ext} over the default limit", result.returncode == 2 and lines[:1] == [want],
              f"rc {result.returncode} {lines}")
        check(f"{ext} over the default limit takes no memory for it", int(lines[-1]) < 64 * 1024, lines[-1])
        result = run("-c", "ERROR", stdin=huge)
        check(f"{ext} over the limit on stdin", result.returncode == 2 and
              result.stderr.decode() == f"logsift: (standard input): {message} (--decompress-memory=SIZE raises it)\n",
              repr(result.stderr))
        result = run("--decompress-memory=2G", "-c", "ERROR", path)
        check(f"{ext} 1.5 GiB / 1 GiB with the limit raised", result.returncode == 0 and
              result.stdout == f"{ERRORS}\n".encode(), f"rc {result.returncode} {result.stderr!r}")
        with open(path, "wb") as f:
            f.write(big)
        result = run("--decompress-memory", "512M", "-c", "ERROR", path)
        check(f"{ext} 256 MiB under a 512M limit", result.returncode == 0 and result.stdout == f"{ERRORS}\n".encode(),
              f"rc {result.returncode} {result.stderr!r}")
        result = run("--decompress-memory=200M", "-c", "ERROR", path)
        check(f"{ext} 256 MiB over a 200M limit", result.returncode == 2 and b"200 MiB limit" in result.stderr,
              repr(result.stderr))
    for bad in ["", "12", "1K", "2x", "-1", "99999999999G"]:
        result = run(f"--decompress-memory={bad}", "x", os.devnull)
        check(f"--decompress-memory={bad!r} refused", result.returncode == 2 and
              result.stderr.startswith(b"logsift: --decompress-memory") and result.stderr.count(b"\n") == 1,
              repr(result.stderr))
finally:
    shutil.rmtree(tmp)

sys.exit(harness.summary("compressed_edges"))
