#!/usr/bin/env python3
"""Runs every README example that reads data/ (each `logsift ...` line of a ```sh block), and every
example of the man page's EXAMPLES section.

A README example must exit 0 (or 1 for --max-matches, whose 1 means "over the limit"), print
something on stdout and no `logsift:` error. Examples on paths outside the repository (/var/log,
journalctl) or that wait for input forever (--follow) are listed as skipped.

A man page example runs in a scratch folder where app.log and build.log are data/app.log, eu.log
has day-first dates,
app.log.1.gz is it gzipped and src/ holds a file with a TODO; `journalctl |` becomes app.log on
standard input and a `| jq ...` tail is dropped. It must exit 0 or 1 without a `logsift:` error
(its times and files are made up, so it may find nothing); --follow examples are skipped.
"""
import gzip
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import harness
from harness import check

LOGSIFT = harness.start()
skipped = 0

with open("README.md", encoding="utf-8") as f:
    readme = f.read()
blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
examples = [line for block in blocks for line in block.splitlines() if line.startswith("logsift ")]
if len(examples) < 10:
    check("README.md examples", False, f"only {len(examples)} examples found in README.md")
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
    check(command, result.returncode in allowed and result.stdout and not errors,
          f"exit {result.returncode}, stderr {result.stderr[:200]!r}")


def man_examples():
    with open("docs/logsift.1", encoding="utf-8") as f:
        page = f.read()
    section = page[page.index(".SH EXAMPLES"):]
    commands = []
    for block in re.findall(r"\.EX\n(.*?)\.EE", section, flags=re.S):
        text = block.replace("\\-", "-").replace("\\(aq", "'").replace("\\e", "\\")
        text = re.sub(r"\\\n\s*", " ", text)  # continued lines
        commands += [line.strip() for line in text.splitlines() if line.strip()]
    return commands


manual = man_examples()
check("docs/logsift.1 examples", len(manual) >= 10, f"only {len(manual)} examples found in docs/logsift.1")
scratch = tempfile.mkdtemp()
try:
    shutil.copy("data/app.log", os.path.join(scratch, "app.log"))
    shutil.copy("data/app.log", os.path.join(scratch, "build.log"))
    with open("data/app.log", "rb") as src, gzip.open(os.path.join(scratch, "app.log.1.gz"), "wb") as dst:
        dst.write(src.read())
    with open(os.path.join(scratch, "eu.log"), "w") as f:  # day-first dates, for --time-format
        f.write("".join(f"01.01.2026 {h:02}:30:00 INFO tick {h}\n" for h in range(24)))
    os.mkdir(os.path.join(scratch, "src"))
    with open(os.path.join(scratch, "src", "main.c"), "w") as f:
        f.write("int main(void) { return 0; }  // TODO: parse flags\n")
    for command in manual:
        if "--follow" in command:
            skipped += 1
            print(f"skip: {command}")
            continue
        stdin = subprocess.DEVNULL
        if command.startswith("journalctl | "):
            command = command[len("journalctl | "):]
            stdin = open(os.path.join(scratch, "app.log"), "rb")
        command = command.split(" | ")[0]
        words = shlex.split(command)
        result = subprocess.run([LOGSIFT, *words[1:]], capture_output=True, timeout=60, stdin=stdin, cwd=scratch)
        errors = [l for l in result.stderr.decode(errors="replace").splitlines() if l.startswith("logsift:")]
        check(f"man page: {command}", result.returncode in (0, 1) and not errors,
              f"exit {result.returncode}, stderr {result.stderr[:200]!r}")
finally:
    shutil.rmtree(scratch)

sys.exit(harness.summary("readme_examples", f", {skipped} skipped"))
