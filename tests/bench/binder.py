"""The team's binder: time, pages and bytes of the A4 PDF, the change list and the reminder.

Each scale runs in a fresh process (for its own peak RSS) through the same
calls as the Pärm page and ``hembas print binder``: ``BinderStore.make`` (the
binder, its snapshot written to ``binder.json``), ``mark_printed``, then a
republished plan — for the demo base the demo hub's own change
(``sync.hub.demo.publish_demo_update``, verified and imported with
``import_bundle``), for larger bases the same change made to the document —
and three visits moved at the morning meeting, then ``BinderStore.changes``
(which makes the new binder to name its pages) and ``reminder`` (what the
Status page and, once a minute, the lights pay).  fpdf2 is imported before
the clock starts, as in a running web server.

Run alone: ``PYTHONPATH=tests python -m bench.binder --scale smoke``
"""

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

from .measure import Stopwatch, peak_rss_kb, rss_kb, run_child, table

SCALES = {"full": (1, 10), "smoke": (0.5,)}  # smoke: four staff, so visits can move
MOVED = 3


def measure(data_dir, factor):
    """Child side: one base at *factor*; returns the figures."""
    from hembas_testing import NOW, TODAY, fixed_clock

    import fpdf  # noqa: F401  (imported once by a running server)
    from printer.binder_store import BinderStore
    from sync.box import open_box
    from sync.config import load_config
    from sync.day.changes import assign, audit_as
    from sync.plan.demo import demo_plan

    box = open_box(load_config(data_dir, environ={}))
    box.clock = fixed_clock(Path(data_dir))
    size = {"clients": max(2, round(40 * factor)), "staff": max(2, round(7 * factor))}
    box.mirror.import_document(demo_plan(TODAY, **size), source="bench", today=TODAY)
    store = BinderStore(box)
    before = rss_kb()
    with Stopwatch() as made:
        binder, record = store.make(by="s1")
    store.mark_printed(by="s1")
    republish(box, factor, size, now=NOW + dt.timedelta(hours=1))
    day = box.day(TODAY)
    others = {v.id: [s for s in day.crew(v.shift) if s not in v.staff_ids] for v in day.visits}
    moves = [(v.id, others[v.id][:1]) for v in day.visits
             if len(v.staff_ids) == 1 and others[v.id] and not v.note.startswith("Ändrat av")][:MOVED]
    assign(box, TODAY, moves, author="s1", audit=audit_as(box, "s1"))  # the morning meeting
    with Stopwatch() as changed:
        found = store.changes(by="s1")
    with Stopwatch() as reminded:
        reminder = store.reminder()
    return {"factor": factor, "clients": size["clients"], "visits": len(record["visits"]),
            "pages": binder.page_count, "kb": len(binder.data) / 1024, "seconds": made.seconds,
            "snapshot_kb": (Path(data_dir) / "binder.json").stat().st_size / 1024,
            "changes": found.changes.count(), "changes_kb": len(found.data) / 1024, "changes_s": changed.seconds,
            "changes_pages": len(re.findall(rb"/Type\s*/Page\b(?!s)", found.data)), "reminder_s": reminded.seconds,
            "reminder_changes": reminder["changes"], "rss_mb": before / 1024, "peak_rss_mb": peak_rss_kb() / 1024}


def republish(box, factor, size, *, now):
    """A new plan from the hub: the demo hub's own update at 1×, the same change by hand when scaled."""
    from hembas_testing import TODAY

    from sync.hub.demo import DEMO_TEAM, publish_demo_update
    from sync.hub.store import HubStore
    from sync.network.bundle import import_bundle
    from sync.plan.demo import demo_plan

    if factor == 1:
        hub = HubStore(Path(box.data_dir).parent / "hub")
        hub.keygen()
        box.config["hub"]["public_key"] = hub.public_keys()["public_key"]
        publish_demo_update(hub, DEMO_TEAM, today=TODAY, now=now)
        import_bundle(box, hub.bundle_path(DEMO_TEAM).read_bytes(), source="demohubb")
        return
    document = demo_plan(TODAY, **size)
    document["generated_at"] = now.isoformat(timespec="seconds")
    first = next(v for v in document["visits"] if v["date"] == TODAY.isoformat())
    first["note"] = f"Ändrat av kommunen kl {now:%H:%M}: ring brukaren innan besöket."
    box.mirror.import_document(document, source="bench", today=TODAY)


def run(workdir, *, scale="full"):
    rows = [run_child("bench.binder", "--child", factor, Path(workdir) / f"binder-{factor}")
            for factor in SCALES[scale]]
    columns = [("base", "factor", "{}×"), ("clients", "clients", "{}"), ("visits", "visits", "{}"),
               ("pages", "pages", "{}"), ("KB", "kb", "{:.0f}"), ("make s", "seconds", "{:.2f}"),
               ("snapshot KB", "snapshot_kb", "{:.0f}"), ("changes", "changes", "{}"),
               ("change list pages", "changes_pages", "{}"), ("KB", "changes_kb", "{:.1f}"),
               ("s", "changes_s", "{:.2f}"),
               ("reminder s", "reminder_s", "{:.3f}"), ("peak RSS MB", "peak_rss_mb", "{:.0f}")]
    return {"rows": rows, "table": table("The team's binder (A4 PDF, change list after a republished plan and "
                                         f"{MOVED} moves, reminder)", columns, rows)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--child", nargs=2, metavar=("FACTOR", "DATA_DIR"))
    args = parser.parse_args()
    if args.child:
        factor = float(args.child[0])
        print(json.dumps(measure(args.child[1], int(factor) if factor.is_integer() else factor)))
        sys.exit(0)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as folder:
        print(run(folder, scale=args.scale)["table"])
