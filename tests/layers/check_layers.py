#!/usr/bin/env python3
"""The layer rule, checked for every header: in the include context of a layer's library (the
include directories CMake gives it, its own and those of the layers it links), a header of the
layer itself or of a layer below must be found and preprocess cleanly, and a header of any other
layer must not be found. So a library linked upwards, a shared include root, or a lower header that
includes a higher one makes this test fail.

Usage: check_layers.py CXX SRC_DIR LAYER=DIR|DIR... (one LAYER= argument per layer library)."""
import concurrent.futures
import os
import subprocess
import sys

# Which layers each layer may use (itself included); docs/architecture.md draws the same picture.
ALLOWED = {
    "util": {"util"},
    "input": {"util", "input"},
    "regex": {"util", "regex"},
    "search": {"util", "input", "regex", "search"},
    "fields": {"util", "regex", "fields"},
    "stages": {"util", "regex", "fields", "stages"},
    "output": {"util", "input", "regex", "search", "fields", "output"},
    "app": {"util", "input", "regex", "search", "fields", "stages", "output", "app"},
}


def preprocess(cxx, include_dirs, headers):
    """Whether a file that includes `headers` preprocesses in this include context, and why not."""
    args = [cxx, "-std=c++20", "-E", "-x", "c++", "-", "-o", os.devnull]
    args += ["-I" + d for d in include_dirs]
    text = "".join(f'#include "logsift/{h}"\n' for h in headers)
    result = subprocess.run(args, input=text, capture_output=True, text=True)
    return result.returncode == 0, " ".join(result.stderr.strip().splitlines()[:1])


def visible(include_dirs, header):
    """What the preprocessor's search for "logsift/<header>" finds in these directories."""
    return any(os.path.isfile(os.path.join(d, "logsift", header)) for d in include_dirs)


def check_layer(cxx, user, dirs, headers):
    problems = []
    allowed = [h for owner, h in headers if owner in ALLOWED[user]]
    others = [(owner, h) for owner, h in headers if owner not in ALLOWED[user]]
    # Every allowed header at once: fails if one of them includes a header this layer cannot see.
    ok, why = preprocess(cxx, dirs, allowed)
    if not ok:
        problems.append(f"{user}: its own and lower layers' headers do not preprocess: {why}")
    for owner, h in others:
        if visible(dirs, h):
            problems.append(f"{user} can include {owner}/{h}, a layer it may not use")
    # And the compiler agrees: one header of each layer it may not use is not found.
    for owner in sorted({owner for owner, _ in others}):
        h = next(h for o, h in others if o == owner)
        ok, why = preprocess(cxx, dirs, [h])
        if ok or "No such file" not in why:
            problems.append(f"{user}: #include of {owner}/{h} did not fail as not found: {why or 'it compiled'}")
    return problems, len(allowed) + len(others)


def main():
    cxx, src = sys.argv[1], sys.argv[2]
    contexts = {}
    for arg in sys.argv[3:]:
        name, _, dirs = arg.partition("=")
        contexts[name] = [d for d in dirs.split("|") if d]
    folders = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d, "include", "logsift")))
    problems = []
    if set(folders) != set(ALLOWED) or set(contexts) != set(ALLOWED):
        problems.append(f"layer folders {folders} / libraries {sorted(contexts)} differ from {sorted(ALLOWED)}")
    headers = [(layer, h) for layer in folders for h in sorted(os.listdir(os.path.join(src, layer, "include", "logsift")))]
    checked = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(check_layer, cxx, user, contexts[user], headers) for user in contexts if user in ALLOWED]
        for run in runs:
            found, count = run.result()
            problems += found
            checked += count
    if checked < 100:
        problems.append(f"only {checked} (layer, header) pairs checked")
    for problem in problems:
        print(problem)
    print(f"{checked} (layer, header) pairs checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
