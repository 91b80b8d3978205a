"""Shared helpers of the end-to-end tests (tests/e2e/test_*.py); not a test itself.
A test calls start() first (the logsift binary is its one argument), counts its assertions with
check(), and ends with sys.exit(summary("name")): one line per failing check as it fails, then
`name: N passed, M failed`, exit status 1 if any failed. Only the Python standard library is used.
"""
import os
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The real logs beside the checkout (CI always has them); LOGSIFT_SHARED_DATA points elsewhere.
SHARED_DATA = os.environ.get("LOGSIFT_SHARED_DATA") or os.path.join(ROOT, "..", "shared", "data")

LOGSIFT = None  # absolute path of the binary under test, set by start()
SANITIZED = False  # an AddressSanitizer build: memory figures mean nothing and everything is slower
passed = 0
failed = []


def start(like_grep=False):
    """Reads the binary from the command line (or exits 2 with the usage); returns its path.
    like_grep: UTF-8 and no GREP_COLORS for every child, for tests that compare with grep."""
    global LOGSIFT, SANITIZED
    if like_grep:
        os.environ.setdefault("LC_ALL", "C.UTF-8")
        os.environ.pop("GREP_COLORS", None)
    if len(sys.argv) != 2:
        print(f"usage: python3 tests/e2e/{os.path.basename(sys.argv[0])} /path/to/logsift", file=sys.stderr)
        sys.exit(2)
    LOGSIFT = os.path.abspath(sys.argv[1])
    if not os.access(LOGSIFT, os.X_OK):
        print(f"FAIL: {LOGSIFT} is not an executable logsift")
        sys.exit(1)
    with open(LOGSIFT, "rb") as f:
        SANITIZED = b"__asan_init" in f.read()
    return LOGSIFT


def check(name, ok, detail=""):
    """Counts one assertion; a failing one is printed at once (a later hang must not hide it)."""
    global passed
    if ok:
        passed += 1
    else:
        failed.append(name + (": " + detail if detail else ""))
        print("FAIL: " + failed[-1], flush=True)


def summary(label, extra=""):
    """Prints the count line; returns the exit status for sys.exit()."""
    print(f"{label}: {passed} passed, {len(failed)} failed{extra}")
    return 1 if failed else 0


def run_groups(groups, prefix=None):
    """Runs each (name, function(tmp)) in a fresh temporary folder; one that raises is a failure
    and does not stop the others."""
    for name, group in groups:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            try:
                group(tmp)
            except Exception as error:
                check(f"{name} raised", False, f"{type(error).__name__}: {error}")


def shared_data(*parts):
    """A path below ../shared/data; a missing folder fails the test with one line, not a skip."""
    if not os.path.isdir(SHARED_DATA):
        print(f"FAIL: ../shared/data is missing ({os.path.normpath(SHARED_DATA)}): the real logs this test "
              "searches; check it out beside the repository or set LOGSIFT_SHARED_DATA")
        sys.exit(1)
    return os.path.join(SHARED_DATA, *parts)


def run(*args, stdin=None, timeout=60, **popen):
    """Runs logsift with `args`; returns the CompletedProcess (stdout and stderr as bytes)."""
    return subprocess.run([LOGSIFT, *args], input=stdin, capture_output=True, timeout=timeout, **popen)


def first_line_then_hang_up(proc, timeout):
    """Reads one line of `proc`'s stdout, closes it as `| head -1` does and waits: (line, exit
    status), the status None when the process did not end within `timeout` (it is killed)."""
    first = proc.stdout.readline()
    proc.stdout.close()
    try:
        return first, proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return first, None


def default_signals():
    """preexec_fn: ctest or a shell may start us with SIGINT ignored, which a child would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def grep_env():
    """The environment for comparing with GNU grep: UTF-8, and no GREP_* settings of the caller."""
    env = dict(os.environ)
    for k in ("GREP_COLOR", "GREP_COLORS", "GREP_OPTIONS", "POSIXLY_CORRECT"):
        env.pop(k, None)
    env["LC_ALL"] = "C.UTF-8"
    return env


def short(data, limit=200):
    text = repr(data)
    return text if len(text) <= limit else text[:limit] + f"... ({len(data)} bytes)"


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def append(path, data):
    with open(path, "ab") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def text_lines(path):
    """The lines of a file without their '\\n', bytes kept through surrogateescape."""
    return read(path).decode("utf-8", "surrogateescape").split("\n")[:-1]
