#!/usr/bin/env python3
"""Runs every README example that reads data/: each `logsift ...` line of a ```sh block.

An example must exit 0 (or 1 for --max-matches, whose 1 means "over the limit"), print something
on stdout and no `logsift:` error. Examples on paths outside the repository (/var/log, journalctl)
or that wait for input forever (--follow) are listed as skipped.
"""
import re
import shlex
import subprocess
import sys

LOGSIFT = sys.argv[1]
passed = failed = skipped = 0

with open("README.md", encoding="utf-8") as f:
    readme = f.read()
blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
examples = [line for block in blocks for line in block.splitlines() if line.startswith("logsift ")]
if len(examples) < 10:
    print(f"FAIL: only {len(examples)} examples found in README.md")
    sys.exit(1)

for example in examples:
    command = example.split("  #")[0].strip()
    if ("data/" not in command and "--explain" not in command) or "--follow" in command:
        skipped += 1
        print(f"skip: {command}")
        continue
    words = shlex.split(command)
    result = subprocess.run([LOGSIFT, *words[1:]], capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    allowed = (0, 1) if "--max-matches" in words else (0,)
    errors = [l for l in result.stderr.decode(errors="replace").splitlines() if l.startswith("logsift:")]
    if result.returncode in allowed and result.stdout and not errors:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {command}: exit {result.returncode}, stderr {result.stderr[:200]!r}")

print(f"readme_examples: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
