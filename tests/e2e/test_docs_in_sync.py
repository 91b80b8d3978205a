#!/usr/bin/env python3
"""Checks that the documentation and the shell completions agree with `logsift --help`.

usage: python3 tests/e2e/test_docs_in_sync.py /path/to/logsift      (from the repository root)

Parses the option entries of `logsift --help` (lines like `  -i,-y,--ignore-case   Ignore ...`) and
checks, for every entry:
  - man page: each of its long and short names appears in an option heading (the tag line after
    `.TP`) of docs/logsift.1;
  - completions: each of its long and short names is offered by completions/logsift.bash,
    completions/_logsift and completions/logsift.fish;
  - prose: README.md or docs/*.md names it: one of its long names, or one of its short names
    (README.md documents the grep flags by their short names and says "Long forms are grep's");
and in the other direction, that every option named in docs/logsift.1 and every option a
completion file offers exists in --help (nothing stale or misspelt).

Flags announced for the coming features (ANNOUNCED below) may be documented before they exist:
while such a flag is absent from --help, its appearing in the man page or a completion file is not
an error (it is reported as a note). Once it appears in --help it is an ordinary option and every
check above applies to it, with nothing to change here.

Also, when the tools are installed: `groff -man -ww` renders docs/logsift.1 without warnings, and
`bash -n`, `zsh -n`, `fish -n` accept the completion files.

Prints one line per failing check, then `docs_in_sync: N passed, M failed`; exits 1 if any failed.
Only the Python standard library is used.
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys

import harness
from harness import ROOT, check

MAN_PAGE = "docs/logsift.1"
BASH = "completions/logsift.bash"
ZSH = "completions/_logsift"
FISH = "completions/logsift.fish"
TIMEOUT = 60

# Flags being added, documented ahead of the code. Exempt only while --help does not list them.
ANNOUNCED = {
    "--json",
    "--format",
    "--decompress",
    "--no-decompress",
    "--follow",
    "--since",
    "--until",
    "--time-format",
    "--histogram",
}

LONG_RE = re.compile(r"(?<![\w-])--[A-Za-z][\w-]*")
SHORT_RE = re.compile(r"(?<![\w-])-[A-Za-z0-9](?![\w-])")

notes = []
early = {}  # announced flag -> files that document it before --help lists it


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


# --- --help ---------------------------------------------------------------------------------------

def help_entries(logsift):
    """The option entries of --help: a list of lists of names, e.g. ['-i', '-y', '--ignore-case']."""
    result = subprocess.run([logsift, "--help"], capture_output=True, timeout=TIMEOUT, cwd=ROOT)
    text = result.stdout.decode("utf-8", "replace")
    check("--help exits 0", result.returncode == 0, "exit status %d" % result.returncode)
    entries = []
    for line in text.splitlines():
        # An entry: indented, starts with a dash; its names are the comma-separated first word.
        m = re.match(r"^ {1,8}(-[^\s]*)", line)
        if not m:
            continue
        # CLI11 writes a negated flag with its value: --decompress,--no-decompress{false}.
        names = [re.sub(r"\{[^}]*\}$", "", n) for n in m.group(1).split(",") if n]
        if all(re.fullmatch(r"--?[A-Za-z0-9][\w-]*", n) for n in names):
            entries.append(names)
        else:
            check("--help entry is parsable", False, repr(line.strip()))
    return entries


# --- docs/logsift.1 -------------------------------------------------------------------------------

def roff_to_text(source):
    """Enough of roff to find option names: escapes for fonts and dashes removed."""
    text = source.replace("\\-", "-").replace("\\(hy", "-").replace("\\(en", "-")
    text = re.sub(r"\\f(\[[^\]]*\]|\([A-Za-z0-9]{2}|[A-Za-z0-9])", "", text)  # \fB \f(CW \f[CR]
    text = text.replace("\\&", "").replace("\\c", "").replace("\\e", "\\")
    return text


def man_page_options(source):
    """(options in option headings, every option named anywhere), each a set of names."""
    lines = source.splitlines()
    headings = set()
    anywhere = set()
    for i, line in enumerate(lines):
        if line.startswith('.\\"'):
            continue  # a comment
        plain = roff_to_text(line)
        anywhere.update(LONG_RE.findall(plain))
        if i > 0 and re.match(r"^\.TP\b", lines[i - 1]):
            headings.update(LONG_RE.findall(plain))
            headings.update(SHORT_RE.findall(plain))
    return headings, anywhere


# --- completion files -----------------------------------------------------------------------------

def strip_shell_comments(source):
    out = []
    for line in source.splitlines():
        if line.lstrip().startswith("#"):
            continue
        out.append(re.sub(r"\s#.*$", "", line))
    return "\n".join(out)


def bash_options(source):
    code = strip_shell_comments(source)
    options = set(LONG_RE.findall(code))
    m = re.search(r"_logsift_short_options=\(([^)]*)\)", code)
    if m:
        options.update(w for w in m.group(1).split() if re.fullmatch(r"-[A-Za-z0-9]", w))
    return options, bool(m)


def zsh_options(source):
    """Names in the _arguments specs of the args=( ... ) array, descriptions and actions left out."""
    m = re.search(r"\bargs=\(\n(.*?)\n\s*\)\n", source, re.S)
    if not m:
        return set(), False
    options = set()
    for line in m.group(1).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        spec = re.sub(r"\[(?:\\.|[^\]\\])*\]", "", line)  # [description]
        spec = re.sub(r"(?<!\\):.*$", "", spec)  # :message:action
        options.update(LONG_RE.findall(spec))
        options.update(re.findall(r"(?<![\w-])-[A-Za-z0-9](?=[+=,}\s)']|$)", spec))
    return options, True


def fish_options(source):
    options = set()
    seen = False
    for line in source.splitlines():
        line = line.strip()
        if not line.startswith("complete "):
            continue
        words = shlex.split(line, comments=True)
        if "-c" not in words or words[words.index("-c") + 1] != "logsift":
            continue
        seen = True
        for i, word in enumerate(words[:-1]):
            value = words[i + 1]
            if word in ("-l", "--long-option"):
                options.add("--" + value)
            elif word in ("-s", "--short-option"):
                options.add("-" + value)
            elif word in ("-o", "--old-option"):
                options.add("-" + value)
            elif word in ("-a", "--arguments") and not value.startswith("("):
                # Candidates offered as whole words, like --color=always.
                for candidate in value.split():
                    options.update(LONG_RE.findall(candidate.split("=")[0]))
    return options, seen


# --- syntax checks --------------------------------------------------------------------------------

def tool_check(name, argv):
    if shutil.which(argv[0]) is None:
        check(name, False, "%s is not installed (scripts/setup installs it)" % argv[0])
        return
    result = subprocess.run(argv, capture_output=True, timeout=TIMEOUT, cwd=ROOT)
    messages = (result.stdout + result.stderr).decode("utf-8", "replace").strip()
    check(name, result.returncode == 0 and not messages, messages[:500] or "exit status %d" % result.returncode)


def main():
    logsift = harness.start()

    entries = help_entries(logsift)
    help_names = {n for names in entries for n in names}
    help_long = sorted(n for n in help_names if n.startswith("--"))
    # A broken parse must not pass as "nothing to check".
    check("--help lists options", len(help_long) >= 40 and "--keep" in help_names and "-e" in help_names,
          "parsed %d long options" % len(help_long))
    if harness.failed:  # every other check would fail for the same reason
        sys.exit(harness.summary("docs_in_sync"))

    def exempt(name):
        return name in ANNOUNCED and name not in help_names

    def stale_check(where, names):
        for name in sorted(names):
            if name in help_names:
                continue
            if exempt(name):
                early.setdefault(name, []).append(where)
                continue
            check("%s: %s exists in --help" % (where, name), False, "not an option of logsift --help")

    # Man page.
    man_source = read(MAN_PAGE)
    headings, named = man_page_options(man_source)
    for names in entries:
        for name in names:
            check("%s documents %s" % (MAN_PAGE, name), name in headings,
                  "no option heading (.TP tag) names it")
    stale_check(MAN_PAGE, headings | named)

    # Completions.
    for path, parse in ((BASH, bash_options), (ZSH, zsh_options), (FISH, fish_options)):
        offered, understood = parse(read(path))
        check("%s parsed" % path, understood and len(offered) >= 40,
              "could not find its option list (%d options)" % len(offered))
        for names in entries:
            for name in names:
                check("%s completes %s" % (path, name), name in offered)
        stale_check(path, offered)

    # Prose: README.md or docs/*.md.
    prose = read("README.md") + "\n" + "\n".join(
        read(os.path.relpath(p, ROOT)) for p in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))))
    prose_names = set(LONG_RE.findall(prose)) | set(SHORT_RE.findall(prose))
    for names in entries:
        longs = [n for n in names if n.startswith("--")]
        if not longs:
            continue
        check("README.md or docs/*.md documents %s" % "/".join(names), any(n in prose_names for n in names),
              "none of %s is mentioned" % ", ".join(names))

    # Syntax.
    tool_check("groff renders %s without warnings" % MAN_PAGE, ["groff", "-man", "-Tutf8", "-ww", "-z", MAN_PAGE])
    tool_check("bash -n %s" % BASH, ["bash", "-n", BASH])
    tool_check("zsh -n %s" % ZSH, ["zsh", "-n", ZSH])
    tool_check("fish -n %s" % FISH, ["fish", "-n", FISH])

    for name in sorted(early):
        notes.append("%s is announced but not yet in --help: documented early in %s"
                     % (name, ", ".join(sorted(set(early[name])))))
    for note in notes:
        print("note: " + note)
    sys.exit(harness.summary("docs_in_sync"))


if __name__ == "__main__":
    main()
