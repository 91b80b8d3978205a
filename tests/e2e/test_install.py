#!/usr/bin/env python3
"""`cmake --install` and `cpack -G DEB` ship the binary, the man page and the completions."""
import os
import shutil
import subprocess
import sys
import tempfile

import harness
from harness import check

LOGSIFT = harness.start()
BUILD = os.path.dirname(os.path.abspath(LOGSIFT))
WANTED = ["bin/logsift", "share/man/man1/logsift.1", "share/bash-completion/completions/logsift",
          "share/zsh/vendor-completions/_logsift", "share/fish/vendor_completions.d/logsift.fish"]
tmp = tempfile.mkdtemp()
try:
    prefix = os.path.join(tmp, "prefix")
    result = subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix], capture_output=True, text=True)
    check("cmake --install", result.returncode == 0, result.stderr)
    for path in WANTED:
        check(f"installed {path}", os.path.isfile(os.path.join(prefix, path)))
    installed = subprocess.run([os.path.join(prefix, "bin/logsift"), "--version"], capture_output=True, text=True)
    check("installed binary runs", installed.returncode == 0 and installed.stdout.startswith("logsift "))

    # cpack comes with cmake and dpkg-deb with dpkg (scripts/setup installs both): a missing one fails.
    check("cpack, dpkg-deb and CPackConfig.cmake are there",
          shutil.which("cpack") and shutil.which("dpkg-deb") and os.path.exists(os.path.join(BUILD, "CPackConfig.cmake")))
    packages = os.path.join(tmp, "packages")
    result = subprocess.run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"),
                             "-B", packages], capture_output=True, text=True, cwd=BUILD)
    debs = [f for f in os.listdir(packages) if f.endswith(".deb")] if os.path.isdir(packages) else []
    check("cpack -G DEB", result.returncode == 0 and len(debs) == 1, result.stdout[-500:] + result.stderr[-500:])
    if debs:
        listing = subprocess.run(["dpkg-deb", "-c", os.path.join(packages, debs[0])], capture_output=True,
                                 text=True).stdout
        for path in WANTED:
            check(f"package has {path}", f"/{path}" in listing, listing[:300])
finally:
    shutil.rmtree(tmp)

sys.exit(harness.summary("install"))
