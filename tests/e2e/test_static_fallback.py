#!/usr/bin/env python3
"""LOGSIFT_STATIC=ON without the .a archives (here: LOGSIFT_ARCHIVE_DIRS pointed at an empty
folder) configures with a warning and links logsift against the shared libraries; with the
archives where they are found it links them, with -static when simdjson has one too. Configure only: nothing is built."""
import glob
import os
import subprocess
import sys
import tempfile

import harness
from harness import ROOT, check

harness.start()


def configure(build, *options):
    result = subprocess.run(["cmake", "-S", ROOT, "-B", build, "-G", "Unix Makefiles", "-DLOGSIFT_BUILD_TESTS=OFF",
                             "-DLOGSIFT_STATIC=ON", *options], capture_output=True, text=True)
    link = ""
    for path in glob.glob(os.path.join(build, "CMakeFiles", "logsift.dir", "link.txt")):
        with open(path) as f:
            link = f.read()
    return result, link


with tempfile.TemporaryDirectory() as tmp:
    empty = os.path.join(tmp, "no-archives")
    os.mkdir(empty)
    result, link = configure(os.path.join(tmp, "fallback"), f"-DLOGSIFT_ARCHIVE_DIRS={empty}")
    check("configure without archives succeeds", result.returncode == 0, result.stderr[-800:])
    said = " ".join(result.stderr.split())  # CMake wraps its warnings wherever the list of archives ends
    check("it says it falls back", "libre2.a" in said and "shared libraries instead" in said,
          result.stderr[-800:])
    check("logsift is linked dynamically", link != "" and " -static" not in link and "re2" in link, link)

    result, link = configure(os.path.join(tmp, "static"))
    check("configure with the system's archives succeeds", result.returncode == 0, result.stderr[-800:])
    check("no fallback message", "shared libraries instead" not in result.stderr, result.stderr[-800:])
    # Debian ships simdjson (--where) without an archive: then the other archives are linked and
    # libsimdjson.so, without -static (CMakeLists.txt).
    simdjson_archive = any(os.path.exists(os.path.join(d, "libsimdjson.a"))
                           for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib", "/usr/local/lib"))
    check("logsift is linked from the archives, -static unless simdjson has none",
          "libre2.a" in link and (" -static" in link) == simdjson_archive, link)

sys.exit(harness.summary("static_fallback"))
