#!/usr/bin/env python3
"""Check `conflictwatch parse` against the shared third-party access-log corpus.

Run by `make corpus`; python3 standard library only.  Nothing from the corpus is copied: every
file is read where it lies.

Environment:
  CORPUS_DIR         corpus root holding logs/ (default: ../shared/corpus next to the repo root)
  CONFLICTWATCH_BIN  the binary (default: <repo>/.build/debug/conflictwatch)
  REQUIRE_CORPUS=1   a missing corpus is a failure (CI) instead of a skip
  CORPUS_TIMEOUT     seconds allowed per `parse` run (default 60)

What is checked (each item is one check in the final `corpus: N passed, M failed` line):
  * one check per file of logs/stats/ground_truth.json: `parse --log-format auto --keep-query FILE`
    exits 0 within the timeout, prints only well-formed records (section 3 fields, one per line,
    1-based `source` line numbers, no record for a blank line, no line twice), and prints NO record
    for any line the reference patterns leave unparsed (`unparsed_lines`);
  * coverage: lines parsed / lines accepted by the reference patterns >= 99.5 % over all files;
  * one check per peer (CrowdSec, Filebeat, Datadog, plaso, lnav): field comparison; only a
    client/method/path/status mismatch on a line that the reference accepts and we parsed fails;
    time, bytes and user agent mismatches are reported for information;
  * Vector VRL unit-test vectors: each input line alone in a temp file, parsed with the matching
    --log-format; accept/reject and fields are compared (see check_vrl for what fails);
  * --strict exit codes (3 when a line was malformed, 0 when none was) and that the query string is
    dropped without --keep-query.
"""

from __future__ import annotations

import argparse
import calendar
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
COVERAGE_TARGET = 99.5  # percent
TIME_TOLERANCE = 0.001  # seconds: peers log milliseconds at best, we print microseconds
MAX_LISTED = 20  # violations listed per file

FIELDS = {
    "time", "client", "method", "host", "path", "query", "route", "status", "bytes",
    "latency_ms", "user_agent", "request_id", "source",
}
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")

# --- the reference patterns (logs/MANIFEST.md, "Reference patterns used for the ground truth") --
_CLF_TIME = r"\[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]"
_QS = r'"(?:[^"\\]|\\.)*"'
_CLF_HEAD = r"\S+ \S+ \S+ " + _CLF_TIME + " " + _QS + r" \d{3} (?:\d+|-)"
REF_STRICT_COMBINED = re.compile("^" + _CLF_HEAD + " " + _QS + " " + _QS + "$")
REF_STRICT_COMMON = re.compile("^" + _CLF_HEAD + "$")
REF_COMBINED_EXTRA = re.compile("^" + _CLF_HEAD + " " + _QS + " " + _QS + " .*$")

# An HTTP request line as the contract reads it: METHOD TARGET [PROTO], METHOD an RFC 9110 token.
REQUEST_LINE_RE = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+)(?: (\S+))?$")

MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}

# nginx log_format strings for VRL's non-combined nginx formats (nginx's stock `main`, and the
# ingress-nginx `upstreaminfo` format as documented by ingress-nginx).
NGINX_MAIN = ('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
              '"$http_referer" "$http_user_agent" "$http_x_forwarded_for"')
NGINX_INGRESS_UPSTREAMINFO = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] '
    '[$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length '
    '$upstream_response_time $upstream_status $req_id')
VRL_FORMATS = {
    "combined": "combined",
    "common": "common",
    "main": NGINX_MAIN,
    "ingress_upstreaminfo": NGINX_INGRESS_UPSTREAMINFO,
}

NOT_GIVEN = object()  # the peer does not state this field


# ----------------------------------------------------------------------------------------------
# small helpers

def to_epoch(value):
    """A peer's or our time as UTC epoch seconds (float), or None when it cannot be read."""
    if value is None or value is NOT_GIVEN:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    s = str(value).strip()
    m = re.fullmatch(r"(\d{2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})", s)
    if m and m.group(2) in MONTHS:
        base = calendar.timegm((int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)),
                                int(m.group(4)), int(m.group(5)), int(m.group(6))))
        off = int(m.group(8)) * 3600 + int(m.group(9)) * 60
        return float(base - off if m.group(7) == "+" else base + off)
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
                     r"(Z|z|[+-]\d{2}:?\d{2})?", s)
    if m:
        base = calendar.timegm((int(m.group(1)), int(m.group(2)), int(m.group(3)),
                                int(m.group(4)), int(m.group(5)), int(m.group(6))))
        frac = float("0." + m.group(7)) if m.group(7) else 0.0
        tz = m.group(8)
        off = 0
        if tz and tz not in ("Z", "z"):
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            off = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
        return base + frac - off
    return None


def as_int(value):
    """Peer number written as int or string; '-' is None; anything else unreadable -> NOT_GIVEN."""
    if value is NOT_GIVEN or value is None:
        return NOT_GIVEN
    if isinstance(value, bool):
        return NOT_GIVEN
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = str(value).strip()
    if s == "-":
        return None
    if re.fullmatch(r"\d+", s):
        return int(s)
    return NOT_GIVEN


def given(value):
    """A peer's field: absent or null means the peer did not say."""
    return NOT_GIVEN if value is None else value


def dash_none(value):
    if value is NOT_GIVEN:
        return NOT_GIVEN
    return None if value in (None, "-") else value


def split_request(request):
    """(method, target) the way the contract reads a logged request line."""
    if request is None:
        return NOT_GIVEN, NOT_GIVEN
    m = REQUEST_LINE_RE.match(request)
    if m:
        return m.group(1), m.group(2)
    return "", request


def short(value, n=90):
    r = repr(value) if not isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return r if len(r) <= n else r[: n - 3] + "..."


def read_lines(path: Path):
    """The file's lines as text (1-based list index = line number - 1), like the ground truth."""
    data = path.read_bytes()
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return [p.rstrip(b"\r").decode("utf-8", "replace") for p in parts]


def is_blank(line: str) -> bool:
    return line.strip(" \t\r") == ""


# ----------------------------------------------------------------------------------------------
# running the binary

@dataclass
class RunResult:
    ok: bool                      # ran and exited as expected (0 unless told otherwise)
    error: str | None             # why not
    returncode: int | None
    records: list = field(default_factory=list)   # (line_no or None, record dict)
    schema_errors: list = field(default_factory=list)
    stderr_tail: str = ""


def run_parse(binary: str, args: list[str], path: str, timeout: float, keep_query: bool,
              expect_exit: int = 0) -> RunResult:
    cmd = [binary, "parse", *args, path]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return RunResult(False, f"timeout after {timeout:.0f}s: {' '.join(cmd)}", None)
    except OSError as exc:
        return RunResult(False, f"cannot run {binary}: {exc}", None)
    err_text = proc.stderr.decode("utf-8", "replace").strip()
    tail = "\n".join(err_text.splitlines()[-5:])
    res = RunResult(True, None, proc.returncode, stderr_tail=tail)
    if proc.returncode < 0:
        res.ok = False
        res.error = f"crashed with signal {-proc.returncode}"
    elif proc.returncode != expect_exit:
        res.ok = False
        res.error = f"exit status {proc.returncode}, expected {expect_exit}"
    try:
        out = proc.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        res.schema_errors.append(f"stdout is not valid UTF-8 ({exc})")
        out = proc.stdout.decode("utf-8", "replace")
    for n, raw in enumerate(out.splitlines(), 1):
        if not raw.strip():
            res.schema_errors.append(f"stdout line {n}: empty line")
            continue
        try:
            rec = json.loads(raw)
        except ValueError as exc:
            res.schema_errors.append(f"stdout line {n}: not JSON ({exc}): {short(raw)}")
            continue
        problems, line_no = validate_record(rec, path, keep_query)
        for p in problems:
            res.schema_errors.append(f"stdout line {n}: {p}")
        res.records.append((line_no, rec))
    return res


def validate_record(rec, path: str, keep_query: bool):
    """Type-check one output record against the section 3 contract; returns (problems, line)."""
    problems = []
    if not isinstance(rec, dict):
        return ["not a JSON object"], None
    missing = FIELDS - rec.keys()
    if missing:
        problems.append(f"missing keys {sorted(missing)}")

    def check(key, ok_types, nullable):
        if key not in rec:
            return
        v = rec[key]
        if v is None:
            if not nullable:
                problems.append(f"{key} is null")
            return
        if isinstance(v, bool) or not isinstance(v, ok_types):
            problems.append(f"{key} has type {type(v).__name__}: {short(v)}")

    check("time", str, False)
    check("client", str, False)
    check("method", str, False)
    check("host", str, True)
    check("path", str, False)
    check("query", str, True)
    check("route", str, False)
    check("status", int, True)
    check("bytes", int, True)
    check("latency_ms", (int, float), True)
    check("user_agent", str, True)
    check("request_id", str, True)
    check("source", str, False)
    t = rec.get("time")
    if isinstance(t, str) and not TIME_RE.match(t):
        problems.append(f"time not RFC 3339 UTC with 6 fractional digits: {short(t)}")
    if not keep_query and rec.get("query") is not None:
        problems.append(f"query kept without --keep-query: {short(rec.get('query'))}")
    line_no = None
    src = rec.get("source")
    if isinstance(src, str):
        m = re.match(r"^(.*):(\d+)$", src)
        if not m:
            problems.append(f"source is not FILE:LINENO: {short(src)}")
        else:
            line_no = int(m.group(2))
            if m.group(1) != path:
                problems.append(f"source names {short(m.group(1))}, expected {short(path)}")
    return problems, line_no


# ----------------------------------------------------------------------------------------------
# bookkeeping

class Checks:
    def __init__(self):
        self.results: list[tuple[str, bool, str]] = []

    def add(self, name: str, passed: bool, detail: str = ""):
        self.results.append((name, passed, detail))

    @property
    def passed(self):
        return sum(1 for _, ok, _ in self.results if ok)

    @property
    def failed(self):
        return sum(1 for _, ok, _ in self.results if not ok)


@dataclass
class FileOutcome:
    rel: str                       # path relative to logs/
    path: Path
    lines: list
    accepted: set
    unparsed: set
    blank: set
    run: RunResult | None = None
    by_line: dict = field(default_factory=dict)   # line -> record (first one)


@dataclass
class Expectation:
    peer: str
    rel: str          # data file relative to logs/
    line: int
    fields: dict      # client, method, target, status, bytes, time, user_agent -> value|NOT_GIVEN
    raw: str | None = None


# ----------------------------------------------------------------------------------------------
# peer expectation loaders (each returns a list of Expectation; notes collects warnings)

def load_crowdsec(logs: Path, notes: list) -> list:
    out = []
    base = logs / "expected" / "crowdsec-hub"
    if not base.is_dir():
        return out
    for exp_file in sorted(base.glob("*/expected.jsonl")):
        test = exp_file.parent.name
        cfg = exp_file.parent / "config.yaml"
        log_name = None
        if cfg.is_file():
            m = re.search(r"^log_file:\s*(\S+)\s*$", cfg.read_text(errors="replace"), re.M)
            if m:
                log_name = m.group(1).strip("'\"")
        candidates = [logs / "data" / "crowdsec-hub" / test / log_name] if log_name else []
        candidates += sorted((logs / "data" / "crowdsec-hub" / test).glob("*"))
        data_path = next((c for c in candidates if c.is_file()), None)
        if data_path is None:
            notes.append(f"crowdsec-hub/{test}: no data file found, expectations skipped")
            continue
        rel = data_path.relative_to(logs).as_posix()
        lines = read_lines(data_path)
        for raw_json in exp_file.read_text(encoding="utf-8").splitlines():
            if not raw_json.strip():
                continue
            ev = json.loads(raw_json)
            norm = ev.get("normalized") or {}
            if not norm.get("accepted") or norm.get("record_kind") != "access":
                continue
            line = locate_line(ev.get("line"), ev.get("raw"), lines)
            if line is None:
                notes.append(f"{rel}: CrowdSec event {ev.get('event_index')} (line {ev.get('line')}) "
                             f"does not match the data file, skipped")
                continue
            status = norm.get("status")
            if status is None:
                status = NOT_GIVEN
            elif status in ("0", 0, "-"):
                status = None        # CrowdSec writes 0 / '-' where no status was logged
            else:
                status = as_int(status)
            method = norm.get("method", NOT_GIVEN)
            out.append(Expectation("crowdsec-hub", rel, line, {
                "client": given(norm.get("client")),
                "method": "" if method is None else method,
                "target": given(norm.get("path")),
                "status": status,
                "bytes": as_int(norm.get("bytes", NOT_GIVEN)),
                "time": given(norm.get("time")),
                "user_agent": dash_none(norm.get("user_agent", NOT_GIVEN)),
            }, raw=ev.get("raw")))
    return out


def same_line(text: str, raw: str) -> bool:
    """The peer's raw copy is the line, or its tail: CrowdSec strips a CRI/compose prefix
    (`2025-...Z stdout F `, `name | `) before it stores `raw`."""
    raw = raw.rstrip("\r\n")
    return text == raw or (len(raw) > 20 and text.endswith(raw))


def locate_line(line, raw, lines):
    """Map an expectation to a 1-based line, checking the peer's copy of the raw text if given."""
    if isinstance(line, int) and 1 <= line <= len(lines):
        if raw is None or same_line(lines[line - 1], raw):
            return line
    if raw is not None:
        hits = [i for i, text in enumerate(lines, 1) if same_line(text, raw)]
        if len(hits) == 1:
            return hits[0]
        if hits and isinstance(line, int):
            return min(hits, key=lambda h: abs(h - line))
    return None


def data_file_for(expected: Path, peer_dir: str, logs: Path, suffix: str):
    stem = expected.name[: -len(suffix)] if expected.name.endswith(suffix) else expected.stem
    for cand in (stem, stem + ".log"):
        p = logs / "data" / peer_dir / cand
        if p.is_file():
            return p
    return None


def expected_events(logs: Path, peer_dir: str, notes: list):
    """(data file relative to the corpus, event) for every event of a peer's *.expected.jsonl
    files whose data file is in the corpus; the others are noted and skipped."""
    for exp in sorted((logs / "expected" / peer_dir).glob("*.expected.jsonl")):
        data = data_file_for(exp, peer_dir, logs, ".expected.jsonl")
        if data is None:
            notes.append(f"{exp.name}: no data file, skipped")
            continue
        rel = data.relative_to(logs).as_posix()
        for raw_json in exp.read_text(encoding="utf-8").splitlines():
            if raw_json.strip():
                yield rel, json.loads(raw_json)


def load_elastic(logs: Path, notes: list) -> list:
    out = []
    for rel, ev in expected_events(logs, "elastic-beats", notes):
        if not isinstance(ev.get("line"), int):
            continue
        out.append(Expectation("elastic-beats", rel, ev["line"], {
            "client": given(ev.get("source_address")),
            "method": "" if ev.get("method") is None else ev["method"],
            "target": given(ev.get("url_original")),
            "status": as_int(ev.get("status", NOT_GIVEN)),
            "bytes": as_int(ev.get("bytes", NOT_GIVEN)),
            "time": given(ev.get("timestamp")),
            "user_agent": dash_none(ev.get("user_agent", NOT_GIVEN)),
        }))
    return out


def load_datadog(logs: Path, notes: list) -> list:
    out = []
    for rel, ev in expected_events(logs, "datadog-integrations-core", notes):
        if ev.get("kind") != "access" or not isinstance(ev.get("line"), int):
            continue
        ts = ev.get("timestamp_ms")
        out.append(Expectation("datadog", rel, ev["line"], {
            "client": given(ev.get("client")),
            "method": "" if ev.get("method") is None else ev["method"],
            "target": given(ev.get("url")),
            "status": as_int(ev.get("status", NOT_GIVEN)),
            "bytes": as_int(ev.get("bytes", NOT_GIVEN)),
            "time": ts / 1000.0 if isinstance(ts, (int, float)) else NOT_GIVEN,
            "user_agent": dash_none(ev.get("user_agent", NOT_GIVEN)),
        }))
    return out


def load_plaso(logs: Path, notes: list) -> tuple[list, list]:
    out, summaries = [], []
    for rel, ev in expected_events(logs, "plaso", notes):
        if ev.get("summary"):
            summaries.append((rel, ev))
            continue
        if "event_index" not in ev or not isinstance(ev.get("line"), int):
            continue
        method, target = split_request(ev.get("http_request"))
        out.append(Expectation("plaso", rel, ev["line"], {
            "client": given(ev.get("ip_address")),
            "method": method,
            "target": target,
            "status": as_int(ev.get("http_response_code", NOT_GIVEN)),
            "bytes": as_int(ev.get("http_response_bytes", NOT_GIVEN)),
            "time": given(ev.get("recorded_time")),
            "user_agent": dash_none(ev.get("http_request_user_agent", NOT_GIVEN)),
        }))
    return out, summaries


def load_lnav(logs: Path, notes: list) -> list:
    """lnav's test outputs are the rows of data/lnav/logfile_access_log.0 (MANIFEST)."""
    import csv
    out = []
    rel = "data/lnav/logfile_access_log.0"
    if not (logs / rel).is_file():
        return out
    for exp in sorted((logs / "expected" / "lnav").glob("*.out")):
        text = exp.read_text(encoding="utf-8", errors="replace")
        if text.lstrip().startswith("["):
            rows = json.loads(text)
        else:
            rows = []
            for row in csv.DictReader(text.splitlines()):
                rows.append({k: (None if v == "<NULL>" else v) for k, v in row.items()})
        for row in rows:
            try:
                line = int(row["log_line"]) + 1        # lnav counts lines from 0
            except (KeyError, TypeError, ValueError):
                continue
            stem, query = row.get("cs_uri_stem"), row.get("cs_uri_query")
            target = NOT_GIVEN if stem is None else stem + ("?" + query if query is not None else "")
            out.append(Expectation("lnav", rel, line, {
                "client": given(row.get("c_ip")),
                "method": "" if row.get("cs_method") is None else row["cs_method"],
                "target": target,
                "status": as_int(row.get("sc_status", NOT_GIVEN)),
                "bytes": as_int(row.get("sc_bytes", NOT_GIVEN)),
                "time": given(row.get("log_time")),
                "user_agent": dash_none(row.get("cs_user_agent", NOT_GIVEN)),
            }))
    return out


# ----------------------------------------------------------------------------------------------
# field comparison

FAIL_FIELDS = ("client", "method", "target", "status")
ALL_FIELDS = ("client", "method", "target", "status", "bytes", "time", "user_agent")
FIELD_LABEL = {"target": "path+query"}


def ours_value(rec: dict, key: str):
    if key == "target":
        path = rec.get("path")
        q = rec.get("query")
        if path is None:
            return None
        return path + ("?" + q if q is not None else "")
    return rec.get(key)


def values_match(key: str, ours, theirs) -> bool:
    if key == "time":
        a, b = to_epoch(ours), to_epoch(theirs)
        return a is not None and b is not None and math.isclose(a, b, abs_tol=TIME_TOLERANCE)
    if key in ("status", "bytes"):
        if isinstance(ours, bool):
            return False
        return ours == theirs
    return ours == theirs


def client_from_list(raw: str | None, peer_client) -> bool:
    """True when the peer's client is one hop of a comma-separated address list in the raw line:
    peers differ on which hop (first, last, first public) they report, so that is no failure."""
    if not raw or not isinstance(peer_client, str):
        return False
    quoted = [q for q in re.findall(r'"((?:[^"\\]|\\.)*)"', raw) if "," in q]
    # `a, b, c - - [time] …` (nginx with a forwarded-for list as client), optionally after a vhost
    leading = re.findall(r"^(?:\S+ )?((?:[^\s,]+, ?)+[^\s,]+) ", raw)
    for chunk in quoted + leading:
        hops = [re.sub(r"^\[(.*)\](?::\d+)?$", r"\1", h.strip()) for h in chunk.split(",")]
        if peer_client in hops:
            return True
    return False


@dataclass
class FieldStat:
    compared: int = 0
    matched: int = 0
    failing: int = 0
    examples: list = field(default_factory=list)


def compare_peer(peer: str, exps: list, outcomes: dict, stats: dict):
    """Compare one peer's expectations with our records; returns (failing count, unparsed notes)."""
    failing = 0
    no_output = []
    for e in exps:
        fo = outcomes.get(e.rel)
        if fo is None or fo.run is None:
            continue
        rec = fo.by_line.get(e.line)
        if rec is None:
            no_output.append((e, e.line in fo.accepted))
            continue
        ref_accepted = e.line in fo.accepted
        raw = e.raw if e.raw is not None else (fo.lines[e.line - 1] if e.line <= len(fo.lines) else None)
        for key in ALL_FIELDS:
            theirs = e.fields.get(key, NOT_GIVEN)
            if theirs is NOT_GIVEN:
                continue
            st = stats.setdefault((peer, key), FieldStat())
            st.compared += 1
            ours = ours_value(rec, key)
            if values_match(key, ours, theirs):
                st.matched += 1
                continue
            fails = key in FAIL_FIELDS and ref_accepted
            why = ""
            if fails and key == "client" and client_from_list(raw, theirs):
                fails, why = False, " (forwarded-for list: peers pick different hops)"
            if not ref_accepted:
                why = " (line not reference-accepted)"
            if fails:
                st.failing += 1
                failing += 1
            if len(st.examples) < 3:
                st.examples.append(f"{e.rel}:{e.line} ours={short(ours)} peer={short(theirs)}"
                                   f"{' [FAIL]' if fails else ''}{why}")
    return failing, no_output


# ----------------------------------------------------------------------------------------------
# VRL vectors

def check_vrl(logs: Path, binary: str, timeout: float, checks: Checks, verbose: bool):
    path = logs / "expected" / "vrl" / "vrl_unit_test_vectors.jsonl"
    if not path.is_file():
        print("VRL vectors: not found, skipped")
        return
    print("\n== Vector VRL unit-test vectors (each input alone, matching --log-format) ==")
    print("   fail: crash; VRL ok + reference accepts + we reject; VRL error + reference rejects +\n"
          "   we accept; client/method/path/status mismatch on a line the reference accepts.")
    stats: dict = {}
    failures, infos, skipped = [], [], []
    agree = total = 0
    with tempfile.TemporaryDirectory(prefix="cw-vrl-") as tmp:
        for n, raw_json in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw_json.strip():
                continue
            case = json.loads(raw_json)
            name = f"{Path(case.get('source_file', '')).stem}:{case.get('case')}"
            fmt = VRL_FORMATS.get(case.get("format"))
            if fmt is None:
                skipped.append(f"{name} (format {case.get('format')}: not an access-log format)")
                continue
            if case.get("timestamp_format"):
                skipped.append(f"{name} (VRL-specific timestamp_format {case['timestamp_format']})")
                continue
            total += 1
            line = case["input"]
            f = Path(tmp) / f"case{n}.log"
            f.write_text(line + "\n", encoding="utf-8")
            res = run_parse(binary, ["--log-format", fmt, "--keep-query"], str(f), timeout, True)
            if not res.ok:
                failures.append(f"{name}: {res.error}" + (f" | stderr: {res.stderr_tail}" if res.stderr_tail else ""))
                continue
            if res.schema_errors:
                failures.append(f"{name}: malformed output: {res.schema_errors[0]}")
            ours_ok = len(res.records) == 1
            if len(res.records) > 1:
                failures.append(f"{name}: {len(res.records)} records for one line")
            if case["format"] == "common":
                ref_ok = bool(REF_STRICT_COMMON.match(line))
            else:
                ref_ok = bool(REF_STRICT_COMBINED.match(line) or REF_COMBINED_EXTRA.match(line))
            vrl_ok = case.get("expect") == "ok"
            verdict = f"VRL {'ok' if vrl_ok else 'error'}, reference {'accepts' if ref_ok else 'rejects'}, " \
                      f"we {'accept' if ours_ok else 'reject'}"
            if vrl_ok == ours_ok:
                agree += 1
            if vrl_ok and ref_ok and not ours_ok:
                failures.append(f"{name}: {verdict}: {short(line, 120)}")
            elif not vrl_ok and not ref_ok and ours_ok:
                failures.append(f"{name}: {verdict}: {short(line, 120)}")
            elif vrl_ok != ours_ok:
                infos.append(f"{name}: {verdict}: {short(line, 120)}")
            if not (vrl_ok and ours_ok):
                continue
            rec = res.records[0][1]
            flds = case.get("fields") or {}
            method, target = split_request(flds.get("request", flds.get("message")))
            if "method" in flds:
                method = flds["method"]
            if "path" in flds:
                target = flds["path"]
            expect = {
                "client": next((flds[k] for k in ("client", "remote_addr", "host") if k in flds), NOT_GIVEN),
                "method": method,
                "target": target,
                "status": as_int(flds.get("status", NOT_GIVEN)),
                "bytes": as_int(next((flds[k] for k in ("size", "body_bytes_size") if k in flds), NOT_GIVEN)),
                "time": flds.get("timestamp", NOT_GIVEN),
                "user_agent": dash_none(next((flds[k] for k in ("agent", "http_user_agent") if k in flds),
                                             NOT_GIVEN)),
            }
            for key in ALL_FIELDS:
                theirs = expect[key]
                if theirs is NOT_GIVEN:
                    continue
                st = stats.setdefault(("vrl", key), FieldStat())
                st.compared += 1
                ours = ours_value(rec, key)
                if values_match(key, ours, theirs):
                    st.matched += 1
                    continue
                fails = key in FAIL_FIELDS and ref_ok
                if fails:
                    st.failing += 1
                    failures.append(f"{name}: {FIELD_LABEL.get(key, key)} ours={short(ours)} vrl={short(theirs)}")
                if len(st.examples) < 3:
                    st.examples.append(f"{name} ours={short(ours)} vrl={short(theirs)}{' [FAIL]' if fails else ''}")
    print(f"   cases run: {total}, accept/reject agrees with VRL: {agree}, skipped: {len(skipped)}")
    print_field_table(stats)
    for s in infos:
        print(f"   info: {s}")
    if verbose:
        for s in skipped:
            print(f"   skipped: {s}")
    for s in failures:
        print(f"   FAIL: {s}")
    checks.add("peer vrl (accept/reject + fields)", not failures,
               f"{len(failures)} failing" if failures else f"{total} cases")


def print_field_table(stats: dict):
    if not stats:
        print("   (nothing compared)")
        return
    print(f"   {'peer':<14} {'field':<11} {'compared':>8} {'matched':>8} {'mismatch':>8} {'failing':>8}")
    for (peer, key), st in sorted(stats.items(), key=lambda kv: (kv[0][0], ALL_FIELDS.index(kv[0][1]))):
        print(f"   {peer:<14} {FIELD_LABEL.get(key, key):<11} {st.compared:>8} {st.matched:>8} "
              f"{st.compared - st.matched:>8} {st.failing:>8}")
        for ex in st.examples:
            print(f"       e.g. {ex}")


# ----------------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", metavar="SUBSTR", help="only ground-truth files whose path contains SUBSTR")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every missed line and skipped case")
    opts = ap.parse_args()

    corpus = Path(os.environ.get("CORPUS_DIR") or (REPO_ROOT.parent / "shared" / "corpus")).resolve()
    logs = corpus / "logs"
    require = os.environ.get("REQUIRE_CORPUS") == "1"
    if not logs.is_dir():
        print(f"corpus: no corpus found: looked for {logs}", file=sys.stderr)
        print("corpus: set CORPUS_DIR to the directory that holds logs/ "
              "(e.g. `make corpus CORPUS_DIR=/path/to/shared/corpus`)", file=sys.stderr)
        if require:
            print("corpus: REQUIRE_CORPUS=1, so this is a failure", file=sys.stderr)
            print("corpus: 0 passed, 1 failed")
            return 1
        print("corpus: skipped (set REQUIRE_CORPUS=1 to make a missing corpus fail)")
        return 0

    binary = os.environ.get("CONFLICTWATCH_BIN") or str(REPO_ROOT / ".build" / "debug" / "conflictwatch")
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"corpus: binary not found or not executable: {binary}", file=sys.stderr)
        print("corpus: build it first (`swift build`) or set CONFLICTWATCH_BIN", file=sys.stderr)
        print("corpus: 0 passed, 1 failed")
        return 1
    timeout = float(os.environ.get("CORPUS_TIMEOUT", "60"))
    gt_path = logs / "stats" / "ground_truth.json"
    if not gt_path.is_file():
        print(f"corpus: {gt_path} missing", file=sys.stderr)
        print("corpus: 0 passed, 1 failed")
        return 1
    ground_truth = json.loads(gt_path.read_text(encoding="utf-8"))
    checks = Checks()
    notes: list[str] = []

    print(f"corpus: {logs}")
    print(f"binary: {binary}")
    print(f"\n== parse --log-format auto --keep-query, per file (acc = lines the reference accepts) ==")
    width = max([len(g["file"]) for g in ground_truth] + [4])
    hdr = f"{'file':<{width}} {'lines':>6} {'acc':>6} {'parsed':>6} {'ok':>6} {'missed':>6} {'viol':>5}"
    print(hdr)
    print("-" * len(hdr))

    outcomes: dict[str, FileOutcome] = {}
    tot_acc = tot_hit = 0
    details: list[str] = []
    for gt in ground_truth:
        rel = gt["file"]
        if opts.only and opts.only not in rel:
            continue
        path = logs / rel
        if not path.is_file():
            checks.add(f"parse {rel}", False, "data file missing")
            print(f"{rel:<{width}} MISSING")
            continue
        lines = read_lines(path)
        blank = {i for i, t in enumerate(lines, 1) if is_blank(t)}
        if len(lines) != gt.get("lines", len(lines)) or len(blank) != gt.get("empty_lines", len(blank)):
            notes.append(f"{rel}: we count {len(lines)} lines / {len(blank)} blank, ground truth says "
                         f"{gt.get('lines')} / {gt.get('empty_lines')}")
        unparsed = set(gt.get("unparsed_lines", []))
        accepted = set(range(1, len(lines) + 1)) - blank - unparsed
        fo = FileOutcome(rel, path, lines, accepted, unparsed, blank)
        outcomes[rel] = fo
        res = run_parse(binary, ["--log-format", "auto", "--keep-query"], str(path), timeout, True)
        fo.run = res
        problems = []
        if not res.ok:
            problems.append(res.error)
            if res.stderr_tail:
                problems.append("stderr: " + res.stderr_tail.replace("\n", " | "))
        problems += res.schema_errors[:5]
        if len(res.schema_errors) > 5:
            problems.append(f"... {len(res.schema_errors) - 5} more malformed records")
        seen = {}
        dupes, out_of_range, on_blank = [], [], []
        for line_no, rec in res.records:
            if line_no is None:
                continue
            if line_no in seen:
                dupes.append(line_no)
            else:
                seen[line_no] = rec
            if not 1 <= line_no <= len(lines):
                out_of_range.append(line_no)
            elif line_no in blank:
                on_blank.append(line_no)
        fo.by_line = seen
        parsed = set(seen)
        hit = parsed & accepted
        missed = sorted(accepted - parsed)
        violations = sorted(parsed & unparsed)
        if dupes:
            problems.append(f"{len(dupes)} line(s) printed more than once: {sorted(set(dupes))[:10]}")
        if out_of_range:
            problems.append(f"source line numbers outside 1..{len(lines)}: {out_of_range[:10]}")
        if on_blank:
            problems.append(f"records for blank lines: {on_blank[:10]}")
        if violations:
            problems.append(f"{len(violations)} reference-unparsed line(s) produced a record: "
                            f"{violations[:MAX_LISTED]}{' ...' if len(violations) > MAX_LISTED else ''}")
            for v in violations[:5]:
                problems.append(f"  line {v}: {short(lines[v - 1], 140)}")
        tot_acc += len(accepted)
        tot_hit += len(hit)
        mark = "" if not problems else "  FAIL"
        print(f"{rel:<{width}} {len(lines):>6} {len(accepted):>6} {len(parsed):>6} {len(hit):>6} "
              f"{len(missed):>6} {len(violations):>5}{mark}")
        if missed:
            shown = missed if opts.verbose else missed[:5]
            details.append(f"{rel}: accepted but not parsed: {shown}{' ...' if len(shown) < len(missed) else ''}")
            for m in missed[:1 if not opts.verbose else len(missed)]:
                details.append(f"    line {m}: {short(lines[m - 1], 140)}")
        for p in problems:
            details.append(f"{rel}: {p}")
        checks.add(f"parse {rel}", not problems, "; ".join(p for p in problems if not p.startswith("  "))[:300])

    if details:
        print()
        for d in details:
            print(d)
    pct = 100.0 * tot_hit / tot_acc if tot_acc else 100.0
    print(f"\ncoverage: {tot_hit}/{tot_acc} reference-accepted lines parsed = {pct:.3f}% "
          f"(target >= {COVERAGE_TARGET}%)")
    checks.add(f"coverage >= {COVERAGE_TARGET}%", pct >= COVERAGE_TARGET, f"{pct:.3f}%")

    # ---- peers -----------------------------------------------------------------------------
    print("\n== peer field comparison (path+query = our path + '?' + query; times as UTC instants) ==")
    print("   fail: client/method/path+query/status mismatch on a line the reference accepts and we\n"
          "   parsed; time, bytes, user agent and not-reference-accepted lines are information.")
    plaso_exps, plaso_summaries = load_plaso(logs, notes)
    peers = [
        ("crowdsec-hub", load_crowdsec(logs, notes)),
        ("elastic-beats", load_elastic(logs, notes)),
        ("datadog", load_datadog(logs, notes)),
        ("plaso", plaso_exps),
        ("lnav", load_lnav(logs, notes)),
    ]
    stats: dict = {}
    for peer, exps in peers:
        exps = [e for e in exps if e.rel in outcomes]
        if not exps:
            continue
        failing, no_output = compare_peer(peer, exps, outcomes, stats)
        grouped: dict = {}
        for e, acc in no_output:
            grouped.setdefault((e.rel, acc), []).append(e.line)
        for (rel, acc), nums in sorted(grouped.items()):
            notes.append(f"{peer}: {rel}: access record(s) for the peer, none from us: lines {nums} "
                         f"({'reference accepts them: counted in coverage' if acc else 'reference rejects them too'})")
        checks.add(f"peer {peer} (client/method/path/status)", failing == 0,
                   f"{failing} failing mismatches" if failing else f"{len(exps)} records")
    print_field_table(stats)
    for rel, summ in plaso_summaries:
        fo = outcomes.get(rel)
        if fo and fo.run:
            ours_bad = sorted(set(range(1, len(fo.lines) + 1)) - fo.blank - set(fo.by_line))
            print(f"   plaso: rejects lines {summ.get('malformed_lines')} of {rel}; we print no record "
                  f"for {ours_bad}; the reference rejects {sorted(fo.unparsed)}")

    check_vrl(logs, binary, timeout, checks, opts.verbose)

    # ---- --strict and the default query handling ------------------------------------------------
    print("\n== --strict exit codes and query dropped without --keep-query ==")
    strict_problems = []
    bad = [fo for fo in outcomes.values() if fo.unparsed and fo.run and fo.run.ok]
    clean = [fo for fo in outcomes.values()
             if fo.run and fo.run.ok and not fo.unparsed and set(fo.by_line) >= fo.accepted]
    tried = 0
    if bad:
        fo = max(bad, key=lambda f: len(f.lines))
        res = run_parse(binary, ["--log-format", "auto", "--strict"], str(fo.path), timeout, False, expect_exit=3)
        tried += 1
        print(f"   {fo.rel}: --strict (has malformed lines) -> exit {res.returncode}, expected 3")
        if not res.ok or res.schema_errors:
            strict_problems.append(f"{fo.rel} with --strict: {res.error or res.schema_errors[0]}")
    if clean:
        fo = max(clean, key=lambda f: len(f.lines))
        res = run_parse(binary, ["--log-format", "auto", "--strict"], str(fo.path), timeout, False, expect_exit=0)
        tried += 1
        print(f"   {fo.rel}: --strict (all lines parse) -> exit {res.returncode}, expected 0")
        if not res.ok or res.schema_errors:
            strict_problems.append(f"{fo.rel} with --strict: {res.error or res.schema_errors[0]}")
    for p in strict_problems:
        print(f"   FAIL: {p}")
    if tried:
        checks.add("--strict exit codes / query dropped by default", not strict_problems, "; ".join(strict_problems))

    if notes:
        print("\n== notes ==")
        for n in notes:
            print(f"   {n}")

    print("\n== summary ==")
    for name, ok, detail in checks.results:
        if not ok:
            print(f"   FAIL  {name}: {detail}")
    print(f"   {checks.passed} of {len(checks.results)} checks passed; coverage {pct:.3f}%")
    print(f"corpus: {checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
