"""Plan import at 1×, 10× and 100× the demo base: seconds and peak memory.

Each import runs in a fresh process through the same functions as
``hembas plan import FILE`` (``read_plan_file`` + ``PlanMirror.import_document``),
so the peak RSS is the import's own.  The demo base is 40 clients, 7 staff,
14 days (about 1,100 visits); a scale multiplies clients and staff (staff
capped at the plan format's 200), and the visits follow.

The 100× plan (28 MB, 112,000 visits, 4,000 clients) is above the plan
format's limits (``sync.plan.validate``: 8 MiB, 25,000 visits, 1,000 clients), so
the stock import refuses it: the benchmark records that refusal and then
measures the same file with the limits lifted in the child, to see whether
the code itself grows linearly.

A last row fills the 8 MiB file with real exports' prose (task instructions
of a few hundred characters, client notes of a few thousand): what the
per-field limits let in is bounded by the file limit.

Run alone: ``PYTHONPATH=tests python -m bench.plan_import --scale smoke``
"""

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from .measure import Stopwatch, median, peak_rss_kb, rss_kb, run_child, table

START = dt.date(2026, 11, 27)
BASE = {"clients": 40, "staff": 7}
SCALES = {"full": ((1, 3), (10, 3), (100, 1)), "smoke": ((0.1, 1), (0.2, 1))}
PROSE = {"full": (8, 3), "smoke": (0.2, 1)}  # long texts up to the file limit: (factor, repeats)


def write_plan_file(folder, factor, *, prose=False):
    """The demo plan scaled by *factor*, written as JSON; returns (path, visits).

    With *prose*, every visit gets a task instruction of a few hundred
    characters and a note, and every client a life story of a few thousand
    (what real exports hold, within the per-field limits), trimmed to stay
    under the 8 MiB file limit: the most text the stock import accepts.
    """
    from sync.plan.demo import demo_plan
    from sync.plan.validate import MAX_FILE_BYTES, MAX_STAFF

    document = demo_plan(START, clients=max(2, round(BASE["clients"] * factor)),
                         staff=min(MAX_STAFF, max(2, round(BASE["staff"] * factor))))
    if prose:
        for client in document["clients"]:
            client["notes"] = ("Levnadsberättelse: arbetade på sågverket i Karlsborg, tycker om att prata "
                               "om fiske och barnbarnen i Luleå. " * 40)[:4000]
        for visit in document["visits"]:
            visit["tasks"].append(("Förflyttning med taklyft, kontrollera selen innan lyft och dokumentera "
                                   "eventuella rodnader på huden. ") * 3)
            visit["note"] = "Ring anhörig efter besöket om brukaren är orolig eller inte vill äta. " * 2
        while len(json.dumps(document, ensure_ascii=False, indent=1).encode()) > MAX_FILE_BYTES - 64 * 1024:
            document["visits"] = document["visits"][: len(document["visits"]) * 9 // 10]
    path = Path(folder) / f"plan-{factor}x{'-prose' if prose else ''}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path, len(document["visits"])


def above_limits(path, visits, factor):
    """Whether the stock import must refuse this file (docs/plan-format.md: the format's limits)."""
    from sync.plan import validate

    clients = max(2, round(BASE["clients"] * factor))
    return (path.stat().st_size > validate.MAX_FILE_BYTES or visits > validate.MAX_VISITS
            or clients > validate.MAX_CLIENTS)


def import_once(path, data_dir, *, lift_limits=False):
    """Child side: import *path* into a fresh *data_dir*; returns the figures."""
    from sync.plan import validate
    from sync.box import open_box
    from sync.commands import read_plan_file
    from sync.config import load_config
    from sync.errors import PlanInvalid
    from sync.store.mirror import PlanMirror

    if lift_limits:
        validate.MAX_FILE_BYTES = validate.MAX_VISITS = validate.MAX_CLIENTS = 10**9
    box = open_box(load_config(data_dir, environ={}))
    baseline = rss_kb()
    try:
        with Stopwatch() as read:
            document = read_plan_file(Path(path), team={})
        with Stopwatch() as store:
            plan = box.mirror.import_document(document, source="bench", today=START)
    except PlanInvalid as exc:
        return {"refused": str(exc)}
    del document
    with Stopwatch() as reopen:  # what a second process pays to see the new plan
        PlanMirror(data_dir).current()
    return {"visits": len(plan.visits), "clients": len(plan.clients), "file_bytes": Path(path).stat().st_size,
            "read_s": read.seconds, "import_s": store.seconds, "total_s": read.seconds + store.seconds,
            "reopen_s": reopen.seconds, "baseline_rss_kb": baseline, "peak_rss_kb": peak_rss_kb(),
            "store_bytes": (Path(data_dir) / "plan.json").stat().st_size}


def run(workdir, *, scale="full"):
    """Measure every scale; returns {"rows": [...], "table": str}."""
    rows = []
    for factor, repeats, prose in [(f, r, False) for f, r in SCALES[scale]] + [(*PROSE[scale], True)]:
        path, visits = write_plan_file(workdir, factor, prose=prose)
        refused = None
        if above_limits(path, visits, factor):
            refused = run_child("bench.plan_import", "--child", path, Path(workdir) / f"refuse-{path.stem}").get("refused")
        runs = [run_child("bench.plan_import", "--child", path, Path(workdir) / f"data-{path.stem}-{i}",
                          *(["--lift-limits"] if refused else [])) for i in range(repeats)]
        row = {key: median([r[key] for r in runs]) for key in ("read_s", "import_s", "total_s", "reopen_s")}
        row.update(factor=factor, label=f"{factor}×" + (" long texts" if prose else ""), repeats=repeats,
                   visits=runs[0]["visits"], clients=runs[0]["clients"],
                   file_bytes=runs[0]["file_bytes"], store_bytes=runs[0]["store_bytes"],
                   peak_rss_mb=max(r["peak_rss_kb"] for r in runs) / 1024,
                   import_rss_mb=max(r["peak_rss_kb"] - r["baseline_rss_kb"] for r in runs) / 1024,
                   stock_limits=f"refused: {refused}" if refused else "accepted")
        rows.append(row)
    base = rows[0]
    for row in rows:
        size = row["visits"] / base["visits"]
        row["time_vs_linear"] = (row["total_s"] / base["total_s"]) / size
        row["rss_vs_linear"] = (row["import_rss_mb"] / base["import_rss_mb"]) / size if base["import_rss_mb"] else None
    columns = [("scale", "label", "{}"), ("clients", "clients", "{}"), ("visits", "visits", "{}"),
               ("file MB", "file_bytes", "{:.1f}"), ("read s", "read_s", "{:.3f}"),
               ("import s", "import_s", "{:.3f}"), ("reopen s", "reopen_s", "{:.3f}"),
               ("peak RSS MB", "peak_rss_mb", "{:.0f}"), ("import RSS MB", "import_rss_mb", "{:.0f}"),
               ("time/linear", "time_vs_linear", "{:.2f}"), ("RSS/linear", "rss_vs_linear", "{:.2f}")]
    shown = [{**r, "file_bytes": r["file_bytes"] / 1e6} for r in rows]
    notes = [f"  {r['label']}: stock limits {r['stock_limits']}" for r in rows if r["stock_limits"] != "accepted"]
    return {"rows": rows, "table": "\n".join([table("Plan import (fresh process each; median of repeats)",
                                                     columns, shown), *notes])}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("FILE", "DATA_DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--lift-limits", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(import_once(*args.child, lift_limits=args.lift_limits)))
        return
    import tempfile
    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as workdir:
        print(run(workdir, scale=args.scale)["table"])


if __name__ == "__main__":
    sys.exit(main())
