"""Hostile plan files: the import must refuse them clearly and leave the mirror alone.

Hypothesis feeds the real import path (``read_plan_file`` + ``PlanMirror.import_document``,
as ``hembas plan import FILE`` does) with JSON and CSV that is malformed, huge,
deeply nested, wrongly encoded or script-carrying, and with small mutations of
the demo plan — among them windows redrawn across midnight, on any shift, in
JSON and CSV.  Every answer must be a :class:`~sync.errors.HembasError` (a
clear Swedish refusal) or an accepted plan whose warnings
(:func:`sync.plan.warnings.plan_warnings`) can be computed; any other
exception is a finding, and so is a refused file that changed ``plan.json``.

Failures are collected rather than raised, so one run reports every distinct
kind of failure (exception type and the line that raised it), each with the
shortest input that caused it.

Run alone: ``PYTHONPATH=tests python -m faults --only fuzz_import --scale smoke``
"""

import copy
import csv
import io
import json
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bench.measure import table

START_ISO = "2026-11-27"
EXAMPLES = {"full": 300, "smoke": 8}
HOSTILE_TEXT = ["<script>alert('x')</script>", "\"><img src=x onerror=alert(1)>", "\x00", "\x1b[2J",
                "\u202egnissaP", "Anna \ud800", "19121212-1212", "x" * 5000, "Å" * 300, "../../etc/passwd",
                "{{7*7}}", "%s%s%n", "\r\n", "", " ", "\ufeff", "NaN", "-1", "1e999", "🦆" * 50]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(), st.text(max_size=30), st.sampled_from(HOSTILE_TEXT))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=25)


def demo_document():
    import datetime as dt

    from sync.plan.demo import demo_plan
    return demo_plan(dt.date.fromisoformat(START_ISO))


def demo_csv_rows(document):
    """The demo plan as the rows of a CSV export (docs/plan-format.md)."""
    clients = {c["id"]: c for c in document["clients"]}
    staff = {s["id"]: s for s in document["staff"]}
    rows = [["Datum", "Pass", "Starttid", "Sluttid", "Brukar-id", "Brukare", "Adress", "Område",
             "Personal-id", "Personal", "Insatser", "Anteckning", "Ordning", "Besöks-id"]]
    first_day = [v for v in document["visits"] if v["date"] == document["valid_from"]]
    nights = [v for v in first_day if v["shift"] == "natt"]  # windows across midnight (22:30-06:30, 00:20-00:50)
    for v in [v for v in first_day if v["shift"] != "natt"][:45] + nights:
        c, window = clients[v["client_id"]], v.get("window", {})
        rows.append([v["date"], v["shift"], window.get("start", ""), window.get("end", ""), c["id"], c["name"],
                     c["address"], c.get("area", ""), ",".join(v["staff_ids"]),
                     ",".join(staff[s]["name"] for s in v["staff_ids"]), ",".join(v["tasks"]),
                     v.get("note", ""), str(v.get("order", "")), v["id"]])
    return rows


@st.composite
def mutated_documents(draw, base):
    """The demo plan with one to three hostile changes somewhere inside."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        parent, key = None, None
        node = doc
        for _ in range(draw(st.integers(0, 4))):
            if isinstance(node, dict) and node:
                key = draw(st.sampled_from(sorted(node)))
            elif isinstance(node, list) and node:
                key = draw(st.integers(0, len(node) - 1))
            else:
                break
            parent, node = node, node[key]
        if parent is None:
            doc = draw(json_values) if draw(st.integers(0, 9)) == 0 else doc
            continue
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "nest", "grow"]))
        if action == "replace":
            parent[key] = draw(json_values)
        elif action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["personnummer", "extra", "__proto__", "Id"]))] = draw(json_values)
        elif action == "nest":
            parent[key] = [[[[[[[[[[node]]]]]]]]]]
        elif action == "grow" and isinstance(parent, list):
            parent.extend([parent[key]] * draw(st.integers(1, 50)))
    return doc


clock_texts = st.one_of(st.builds("{:02d}:{:02d}".format, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59])),
                        st.sampled_from(["24:00", "7:30", "07.30", "-1:00", "23:60", "", "12:00 ", "00:00"]))


@st.composite
def window_documents(draw, base):
    """The demo plan with some visits' windows and shifts redrawn: across midnight, long, empty, broken."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 5))):
        visit = doc["visits"][draw(st.integers(0, len(doc["visits"]) - 1))]
        visit["window"] = {"start": draw(clock_texts), "end": draw(clock_texts)}
        visit["shift"] = draw(st.sampled_from(["dag", "kväll", "natt", "natt", "Natt"]))
    return doc


@st.composite
def json_files(draw, base):
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.binary(max_size=300))
    value = (draw(json_values) if choice == 1 else draw(window_documents(base)) if choice in (2, 3)
             else draw(mutated_documents(base)))
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), allow_nan=True)
    encoding = draw(st.sampled_from(ENCODINGS))
    raw = text.encode(encoding, errors="replace") if encoding != "utf-8" else text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:  # truncated in transfer
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


@st.composite
def csv_files(draw, rows):
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.binary(max_size=300))
    rows = copy.deepcopy(rows)
    for _ in range(draw(st.integers(1, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop", "add", "huge", "window"]))
        if action == "window":  # Pass, Starttid, Sluttid of a row: a night across midnight, or not
            rows[max(r, 1)][1:4] = [draw(st.sampled_from(["natt", "Natt", "dag", "kväll"])), draw(clock_texts),
                                    draw(clock_texts)]
        elif action == "cell":
            rows[r][c] = draw(st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE_TEXT)))
        elif action == "drop":
            del rows[r][c]
        elif action == "add":
            rows[r].insert(c, draw(st.text(max_size=10)))
        else:
            rows[r][c] = "x" * draw(st.sampled_from([1000, 140_000]))
    out = io.StringIO()
    csv.writer(out, delimiter=draw(st.sampled_from([";", ";", ";", ",", "\t"])), lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


FIXED = {  # hand-picked hostile files, always tried
    "json: 100,000 nested lists": ("json", b"[" * 100_000),
    "json: 50,000 nested objects": ("json", b'{"a":' * 50_000),
    "json: 17 MB of spaces": ("json", b" " * (17 * 1024 * 1024)),
    "json: a 5,000-digit number": ("json", b'{"format": ' + b"9" * 5000 + b"}"),
    "json: NaN and Infinity": ("json", b'{"format": NaN, "team": Infinity}'),
    "json: UTF-16 without BOM": ("json", '{"format": "hembas.plan/1"}'.encode("utf-16-le")),
    "json: lone surrogate in a name": ("json", None),  # built from the demo plan below
    "csv: a 200,000-character field": ("csv", b"Datum;Pass;Brukar-id;Brukare;Adress;Insatser\r\n"
                                              b"2026-11-27;dag;c1;A;B;" + b"x" * 200_000 + b"\r\n"),
    "csv: NUL bytes": ("csv", b"Datum;Pass;Brukar-id;Brukare;Adress;Insatser\r\n2026-11-27;dag;c1;A\x00;B;x\r\n"),
    "csv: only a BOM": ("csv", b"\xef\xbb\xbf"),
}


class ImportFuzzer:
    """Feeds files to the import of one box and collects failures by kind."""

    def __init__(self, workdir):
        from sync.box import open_box
        from sync.config import load_config

        self.workdir = Path(workdir)
        self.box = open_box(load_config(self.workdir / "data", environ={}))
        self.base = demo_document()
        self.box.mirror.import_document(self.base, source="fuzz", today=None)
        self.store = self.box.data_dir / "plan.json"
        self.stored = self.store.read_bytes()
        self.tried = self.refused = self.accepted = 0
        self.failures = {}  # (kind, where) -> shortest input

    def attempt(self, kind, raw):
        from sync.commands import read_plan_file
        from sync.errors import HembasError
        from sync.plan.warnings import plan_warnings
        from sync.store.database import atomic_write_bytes

        path = self.workdir / f"input.{kind}"
        path.write_bytes(raw)
        self.tried += 1
        try:
            document = read_plan_file(path, team={"id": "kalix-centrum", "name": "Hemtjänst Kalix centrum"})
            plan = self.box.mirror.import_document(document, source="fuzz", today=None, allow_older=True)
            plan_warnings(plan, self.box.shifts)
        except HembasError:
            self.refused += 1
            if self.store.read_bytes() != self.stored:
                self._fail("refused file changed plan.json", raw)
                atomic_write_bytes(self.store, self.stored)
        except Exception as exc:  # the finding this harness looks for
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            self._fail(f"{kind}: {type(exc).__name__} from {Path(frame.filename).name}:{frame.lineno} "
                       f"{frame.name}(): {str(exc)[:80]}", raw)
        else:
            self.accepted += 1
            atomic_write_bytes(self.store, self.stored)  # back to the demo plan for the next try

    def _fail(self, what, raw):
        best = self.failures.get(what)
        if best is None or len(raw) < len(best):
            self.failures[what] = raw

    def run(self, examples, rng_seed):
        for name, (kind, raw) in FIXED.items():
            if raw is None:
                doc = copy.deepcopy(self.base)
                doc["clients"][0]["name"] = "Anna \ud800"
                raw = json.dumps(doc).encode()
            self.attempt(kind, raw)
        opts = settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                        suppress_health_check=list(HealthCheck))
        rows = demo_csv_rows(self.base)

        @seed(rng_seed)
        @opts
        @given(json_files(self.base))
        def fuzz_json(raw):
            self.attempt("json", raw)

        @seed(rng_seed)
        @opts
        @given(csv_files(rows))
        def fuzz_csv(raw):
            self.attempt("csv", raw)

        fuzz_json()
        fuzz_csv()


def run(workdir, *, scale="full", rng=None):
    import random
    rng = rng or random.Random()
    fuzzer = ImportFuzzer(workdir)
    fuzzer.run(EXAMPLES[scale], rng.randrange(2**32))
    problems = [f"{what}; shortest input ({len(raw)} bytes): {raw[:120]!r}"
                for what, raw in sorted(fuzzer.failures.items())]
    row = {"tried": fuzzer.tried, "refused": fuzzer.refused, "accepted": fuzzer.accepted,
           "failure_kinds": len(fuzzer.failures), "survived": "yes" if not problems else "NO"}
    columns = [("files tried", "tried", "{}"), ("refused clearly", "refused", "{}"),
               ("accepted", "accepted", "{}"), ("other failures (kinds)", "failure_kinds", "{}"),
               ("survived", "survived", "{}")]
    return {"tried": f"{fuzzer.tried} hostile plan files (JSON and CSV)", "rows": [row], "problems": problems,
            "table": table("Hostile plan import (hypothesis)", columns, [row])}
