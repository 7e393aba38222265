"""Measure a whole day's run-sheets for the demo base: bytes and render time.

    python -m printer.bench            # demo base: 7 staff, 40 clients
    python -m printer.bench --clients 120 --staff 20

Renders in a temporary data folder (layout + ESC/POS encoding + preview
HTML), the way the worker does it, and prints one line per paper setting.
"""

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from sync.box import open_box
from sync.clock import Clock
from sync.config import load_config
from sync.demo import demo_plan

from . import jobs as job_kinds
from .preview import render_html

SETTINGS = [("80 mm, 48 col, native QR", "TM-T20II", 48, "native"),
            ("80 mm, 48 col, image QR", "TM-T20II", 48, "image"),
            ("58 mm, 32 col, image QR", "POS-5890", 32, "auto")]


def measure(box, date):
    staff_ids = box.day(date).staff_ids()
    rows = []
    for label, profile, columns, qr in SETTINGS:
        box.config["printer"].update(profile=profile, columns=columns, qr=qr)
        job_kinds.render(box, "sheet", {"staff_id": staff_ids[0], "date": date.isoformat()})  # warm the import
        started = time.perf_counter()
        data = [job_kinds.render(box, "sheet", {"staff_id": s, "date": date.isoformat()}) for s in staff_ids]
        rendered = time.perf_counter() - started
        started = time.perf_counter()
        html = "".join(render_html(d) for d in data)
        previewed = time.perf_counter() - started
        rows.append((label, len(staff_ids), sum(map(len, data)), max(map(len, data)), rendered, len(html), previewed))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--staff", type=int, default=7)
    args = parser.parse_args(argv)
    date = dt.date(2026, 11, 27)
    now = dt.datetime(2026, 11, 27, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        box = open_box(load_config(data_dir, environ={}))
        box.clock = Clock(data_dir, system_now=lambda: now, sync_marker=data_dir / "x", rtc_path=data_dir / "x",
                          boot_id_path=data_dir / "x")
        plan = box.mirror.import_document(demo_plan(date, clients=args.clients, staff=args.staff),
                                          source="bench", today=date)
        print(f"{plan.team.name}: {len(box.day(date).visits)} visits on {date}")
        for label, sheets, total, largest, seconds, html, html_seconds in measure(box, date):
            print(f"{label:<26} {sheets} sheets  {total:>7,} bytes (largest {largest:,})  render {seconds * 1000:6.1f} ms"
                  f"  | preview HTML {html:,} chars in {html_seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
