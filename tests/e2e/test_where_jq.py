#!/usr/bin/env python3
"""Differential test of --where against jq: the lines logsift selects are the lines jq's select()
keeps for a predicate of the same meaning.

usage: python3 tests/e2e/test_where_jq.py /path/to/logsift      (from the repository root)

Two inputs: generated JSON lines (nested objects, arrays, a dotted key, escaped keys and values,
numbers as numbers and as strings, durations, sizes, nulls, missing fields; fixed seed) and the
Zeek log ../shared/data/other/zed-sample-data/syslog.json (read in place, never copied; a missing
../shared/data fails the test, harness.shared_data()). For each
input 100+ random predicates are written twice, in LogQL for logsift and as a jq expression with
LogQL's type rules spelt out (a missing field or a value of the wrong type fails the comparison).
jq (Debian package jq, installed by scripts/setup) evaluates every predicate on every line in one
run; a missing jq or a missing data file fails the test.

Reports through tests/e2e/harness.py: `where_jq: N passed, M failed`, exit 1 if any failed.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import harness
from harness import check

LOGSIFT = None


# (A bare number, "0" or "2048", is a number literal, as in LogQL: the generator's size and duration
# literals carry units. String comparisons see a JSON number as written, and jq only as it prints it,
# so numbers compared as strings are written as jq prints them; 1e3 in `lat` is compared as a number.)
# Meanings of the duration and size strings the generator writes (Go's ParseDuration, humanize's
# ParseBytes); a string not in the table is not a duration (size) and fails such a comparison.
DURATIONS = {"250ms": 0.25, "1.5s": 1.5, "1500ms": 1.5, "2m": 120, "900us": 0.0009, "1h": 3600, "0": 0,
             "1h30m": 5400, "-3s": -3}
SIZES = {"2KB": 2000, "10KB": 10000, "1MiB": 1048576, "512": 512, "2 MB": 2000000, "2048": 2048, "1KiB": 1024, "10kb": 10000}

JQ_PRELUDE = r"""
def val(p): try getpath(p) catch null;
def present(p): try (getpath(p[:-1]) | if type == "object" then ((p[-1] | type) == "string" and has(p[-1]))
                 elif type == "array" then ((p[-1] | type) == "number" and length > p[-1]) else false end)
                 catch false;
def sval(p): val(p) | if type == "string" then . elif type == "number" or type == "boolean" then tostring else null end;
def nval(p): val(p) | if type == "number" then .
                 elif type == "string" and test("^-?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$") then tonumber
                 else null end;
def dval(p): val(p) | if type == "string" or type == "number" then ($D[tostring] // null) else null end;
def bval(p): val(p) | if type == "string" or type == "number" then ($B[tostring] // null) else null end;
"""

JQ_OPS = {"=": "==", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


def go_quote(text):
    out = '"'
    for ch in text:
        if ch in '"\\':
            out += "\\" + ch
        elif ch == "\n":
            out += "\\n"
        elif ch == "\t":
            out += "\\t"
        else:
            out += ch
    return out + '"'


def jq_path(path):
    return json.dumps(path)


class Leaf:
    """One comparison: (LogQL text, jq text)."""

    def __init__(self, field, jpath, kind, op, value):
        self.field, self.jpath, self.kind, self.op, self.value = field, jpath, kind, op, value

    def logql(self):
        if self.kind == "exists":
            return f"exists({self.field})"
        if self.kind in ("regex",):
            return f"{self.field} {self.op} `{self.value}`"
        if self.kind == "string":
            return f"{self.field} {self.op} {go_quote(self.value)}"
        return f"{self.field} {self.op} {self.value}"

    def jq(self):
        p = jq_path(self.jpath)
        if self.kind == "exists":
            return f"present({p})"
        if self.kind == "regex":
            neg = self.op == "!~"
            test = f'($s | test({json.dumps("^(?:" + self.value + ")$")}))'
            return f"(sval({p}) as $s | $s != null and {'(' + test + ' | not)' if neg else test})"
        if self.kind == "string":
            return f"(sval({p}) as $s | $s != null and $s {JQ_OPS[self.op]} {json.dumps(self.value)})"
        getter = {"number": "nval", "duration": "dval", "bytes": "bval"}[self.kind]
        literal = {"number": lambda v: float(v), "duration": lambda v: DURATIONS[v], "bytes": lambda v: SIZES[v]}[self.kind]
        return f"({getter}({p}) as $n | $n != null and $n {JQ_OPS[self.op]} {json.dumps(literal(self.value))})"


class Node:
    def __init__(self, kind, children):
        self.kind, self.children = kind, children

    def logql(self):
        if self.kind == "not":
            return f"not ({self.children[0].logql()})"
        return "(" + f" {self.kind} ".join(c.logql() for c in self.children) + ")"

    def jq(self):
        if self.kind == "not":
            return f"({self.children[0].jq()} | not)"
        return "(" + f" {self.kind} ".join(c.jq() for c in self.children) + ")"


NUM_OPS = ["=", "!=", ">", ">=", "<", "<="]


def generated_leaf(rng):
    choice = rng.randrange(13)
    if choice == 0:
        return Leaf("level", ["level"], "string", rng.choice(["=", "!="]), rng.choice(["error", "warn", "info", "ERROR", ""]))
    if choice == 1:
        return Leaf("level", ["level"], "regex", rng.choice(["=~", "!~"]), rng.choice(["(error|warn)", "e.*", "[a-z]+", "err"]))
    if choice == 2:
        return Leaf("status", ["status"], "number", rng.choice(NUM_OPS), rng.choice(["500", "404", "503", "-1", "5e2", "200.0"]))
    if choice == 3:
        return Leaf("status", ["status"], "string", rng.choice(["=", "!="]), rng.choice(["503", "n/a", "200"]))
    if choice == 4:
        return Leaf("dur", ["dur"], "duration", rng.choice(NUM_OPS), rng.choice(["1.5s", "1500ms", "250ms", "2m", "1h30m", "-3s"]))
    if choice == 5:
        return Leaf("size", ["size"], "bytes", rng.choice(NUM_OPS), rng.choice(["10KB", "1KiB", "1MiB", "2KB", "10kb"]))
    if choice == 6:
        return Leaf("user.id", ["user", "id"], rng.choice(["regex", "string"]), None, None).fill(rng)
    if choice == 7:
        return Leaf("user.name", ["user", "name"], "string", rng.choice(["=", "!="]), rng.choice(['Zoë "Z"', "bob", "a\\b"]))
    if choice == 8:
        return Leaf("tags.0", ["tags", 0], "string", rng.choice(["=", "!="]), rng.choice(["a", "b", "c"]))
    if choice == 9:
        return Leaf("id.orig_h", ["id.orig_h"], "regex", rng.choice(["=~", "!~"]), rng.choice(["10\\.0\\.0\\.[0-4]", "10\\..*", "192.*"]))
    if choice == 10:
        return Leaf("lat", ["lat"], "number", rng.choice(NUM_OPS), rng.choice(["0", "-1.5", "100", "1e2", "0.25", "3.5"]))
    if choice == 11:
        return Leaf("msg", ["msg"], "string", rng.choice(["=", "!="]),
                    rng.choice(['disk "full"', "tab\there", "line\nbreak", "café", "back\\slash", "plain"]))
    field, jpath = rng.choice([("level", ["level"]), ("user.id", ["user", "id"]), ("tags.1", ["tags", 1]),
                               ("ok", ["ok"]), ("user", ["user"]), ("status", ["status"])])
    if rng.random() < 0.3:
        return Leaf("ok", ["ok"], "string", rng.choice(["=", "!="]), rng.choice(["true", "false", "null"]))
    return Leaf(field, jpath, "exists", None, None)


def _fill(self, rng):
    if self.kind == "regex":
        self.op, self.value = rng.choice(["=~", "!~"]), rng.choice(["u1.*", "u[0-9]+", "u2.", ".*3"])
    else:
        self.op, self.value = rng.choice(["=", "!="]), rng.choice(["u123", "u2", "u17"])
    return self


Leaf.fill = _fill


def syslog_leaf(rng):
    choice = rng.randrange(8)
    if choice == 0:
        return Leaf("severity", ["severity"], "string", rng.choice(["=", "!="]), rng.choice(["INFO", "ERR", "NOTICE", "WARNING"]))
    if choice == 1:
        return Leaf("id.orig_p", ["id.orig_p"], "number", rng.choice(NUM_OPS), rng.choice(["60000", "55000", "5.8e4", "62695"]))
    if choice == 2:
        return Leaf("message", ["message"], "regex", rng.choice(["=~", "!~"]), rng.choice([".*Service Control.*", ".*7036.*"]))
    if choice == 3:
        return Leaf("facility", ["facility"], "regex", rng.choice(["=~", "!~"]), rng.choice(["LOCAL[0-3]", "DAEMON|AUTH"]))
    if choice == 4:
        return Leaf("message", ["message"], "regex", rng.choice(["=~", "!~"]),
                    rng.choice([".*Multimedia.*", ".*stopped state.*", ".*\\\\\\\\.*", ".*jerry.*"]))
    if choice == 5:
        return Leaf("id.orig_h", ["id.orig_h"], rng.choice(["string", "regex"]), None, None).fill_host(rng)
    if choice == 6:
        return Leaf(rng.choice(["hostname", "uid"]), None, "exists", None, None).fix_exists()
    return Leaf("proto", ["proto"], "string", rng.choice(["=", "!="]), rng.choice(["udp", "tcp"]))


def _fill_host(self, rng):
    if self.kind == "regex":
        self.op, self.value = rng.choice(["=~", "!~"]), rng.choice(["10\\.47\\.22\\.8.", "10\\.[0-9]+\\.22\\.82"])
    else:
        self.op, self.value = rng.choice(["=", "!="]), rng.choice(["10.47.22.82", "10.47.22.25"])
    return self


def _fix_exists(self):
    self.jpath = [self.field]
    return self


Leaf.fill_host = _fill_host
Leaf.fix_exists = _fix_exists


def predicate(rng, leaf, depth=0):
    r = rng.random()
    if depth >= 3 or r < 0.35:
        return leaf(rng)
    if r < 0.5:
        return Node("not", [predicate(rng, leaf, depth + 1)])
    return Node(rng.choice(["and", "or"]), [predicate(rng, leaf, depth + 1) for _ in range(rng.randint(2, 3))])


def generated_lines(rng, count):
    lines = []
    for i in range(count):
        record = {"seq": i}
        if rng.random() < 0.9:
            record["level"] = rng.choice(["error", "warn", "info", "debug", "ERROR"])
        r = rng.random()
        if r < 0.6:
            record["status"] = rng.choice([200, 404, 500, 503])
        elif r < 0.8:
            record["status"] = rng.choice(["503", "n/a", "200", ""])
        if rng.random() < 0.8:
            record["dur"] = rng.choice(list(DURATIONS) + ["n/a", 5, 0])
        if rng.random() < 0.7:
            record["size"] = rng.choice(list(SIZES) + ["n/a", 2048, 512])
        r = rng.random()
        if r < 0.6:
            record["user"] = {"id": rng.choice(["u123", "u17", "u2", "u29", "x1"]), "name": rng.choice(['Zoë "Z"', "bob", "a\\b"])}
        elif r < 0.7:
            record["user"] = None
        elif r < 0.8:
            record["user"] = {"name": "nobody"}
        if rng.random() < 0.6:
            record["tags"] = rng.sample(["a", "b", "c"], rng.randint(0, 3))
        if rng.random() < 0.7:
            record["id.orig_h"] = f"10.0.0.{rng.randint(0, 9)}" if rng.random() < 0.7 else "192.168.1.1"
        if rng.random() < 0.7:
            record["lat"] = rng.choice([-1.5, 0.25, 3.5, 100, 1e3, "3.5", "0"])
        if rng.random() < 0.7:
            record["msg"] = rng.choice(['disk "full"', "tab\there", "line\nbreak", "café", "back\\slash", "plain"])
        if rng.random() < 0.5:
            record["ok"] = rng.choice([True, False, None])
        text = json.dumps(record, ensure_ascii=rng.random() < 0.5, separators=(",", ":") if rng.random() < 0.5 else (", ", ": "))
        # Escapes the parser must undo: a key and a value spelt with \u escapes.
        if rng.random() < 0.15:
            text = text.replace('"level"', '"l\\u0065vel"', 1)
        if rng.random() < 0.15:
            # Any one character escaped, hex digits in either case: the --where prefilter must let
            # each spelling through.
            error = rng.choice(['"\\u0065rror"', '"err\\u006Fr"', '"e\\u0072ror"', '"erro\\u0072"', '"err\\u006fr"'])
            text = text.replace('"error"', error, 1).replace('"u123"', rng.choice(['"\\u0075123"', '"u\\u0031\\u00323"']), 1)
        lines.append(text)
    return lines


def selected_by_logsift(path, expression):
    proc = subprocess.run([LOGSIFT, "--where", expression, "-n", "-e", "", path], capture_output=True, timeout=60)
    if proc.returncode not in (0, 1) or proc.stderr:
        return None, proc.stderr.decode(errors="replace")
    numbers = set()
    for line in proc.stdout.splitlines():
        numbers.add(int(line.split(b":", 1)[0]))
    return numbers, ""


def selected_by_jq(records, predicates):
    """Line numbers (from 1) each jq predicate keeps, from one jq run over every record."""
    program = JQ_PRELUDE + ".[] | [.[0], (.[1] | [" + ", ".join(p.jq() for p in predicates) + "])]"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump([[i + 1, r] for i, r in enumerate(records)], handle)
        data = handle.name
    try:
        proc = subprocess.run(["jq", "-c", "--argjson", "D", json.dumps(DURATIONS), "--argjson", "B", json.dumps(SIZES),
                               program, data], capture_output=True, timeout=600)
    finally:
        os.unlink(data)
    if proc.returncode != 0:
        raise SystemExit("where_jq: jq failed: " + proc.stderr.decode(errors="replace")[:2000])
    kept = [set() for _ in predicates]
    for line in proc.stdout.splitlines():
        number, results = json.loads(line)
        for i, ok in enumerate(results):
            if ok:
                kept[i].add(number)
    return kept


def differential(name, path, lines, predicates):
    records = [json.loads(line) for line in lines]
    expected = selected_by_jq(records, predicates)
    nonempty = 0
    for predicate_, want in zip(predicates, expected):
        expression = predicate_.logql()
        got, error = selected_by_logsift(path, expression)
        if got is None:
            check(f"{name}: {expression}", False, "logsift failed: " + error)
            continue
        nonempty += bool(want) and len(want) < len(lines)
        detail = f"only logsift: {sorted(got - want)[:5]} only jq: {sorted(want - got)[:5]}\n  jq: {predicate_.jq()}"
        check(f"{name}: {expression}", got == want, detail)
    # The predicates must tell lines apart, or the comparison proves little.
    check(f"{name}: a third of the predicates select some lines but not all", nonempty * 3 > len(predicates), f"{nonempty}")


def main():
    global LOGSIFT
    LOGSIFT = harness.start()
    syslog = harness.shared_data("other", "zed-sample-data", "syslog.json")
    if shutil.which("jq") is None:
        check("jq is installed (scripts/setup installs it)", False)
        return harness.summary("where_jq")
    check(f"{syslog} exists", os.path.exists(syslog))
    rng = random.Random(18)
    with tempfile.TemporaryDirectory() as tmp:
        lines = generated_lines(rng, 3000)
        path = os.path.join(tmp, "gen.jsonl")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        differential("generated", path, lines, [predicate(rng, generated_leaf) for _ in range(150)])

    if not os.path.exists(syslog):
        return harness.summary("where_jq")
    with open(syslog, encoding="utf-8") as handle:
        syslog_lines = handle.read().splitlines()
    differential("syslog.json", syslog, syslog_lines, [predicate(rng, syslog_leaf) for _ in range(110)])

    return harness.summary("where_jq")


if __name__ == "__main__":
    sys.exit(main())
