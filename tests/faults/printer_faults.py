"""Printer faults: unplugged, paper out, hung mid-job; every job prints once the fault clears.

The real print queue (:class:`printer.queue.PrintQueue`, its worker loop in
a thread, as the firmware daemon runs it) sends to a network printer on
127.0.0.1 that misbehaves on request (:mod:`loopback_printer`).  Each
round prints a status slip normally, then the fault begins and the day's
run-sheets and a second status slip are ordered; after a while the fault clears.
Then every job must be printed whole, none twice unless the queue said it
might be (a printer that hung mid-job), the queue must have reported the
fault while it lasted, and the plan mirror must be unchanged.

Run alone: ``PYTHONPATH=tests python -m faults --only printer_faults --scale smoke``
"""

import random
import threading
import time
from pathlib import Path

from bench.measure import table
from loopback_printer import LoopbackPrinter

FAULTS = ("unplugged", "paper_out", "hang")
HANG_AFTER = 200  # bytes of a job taken before a hanging printer stops
ROUNDS = {"full": 3, "smoke": 1}
HOLD = {"full": (1.0, 4.0), "smoke": (1.5, 1.5)}  # seconds the fault lasts (uniform range)
SETTLE = 60  # seconds allowed for the queue to empty after the fault clears


def open_test_box(data_dir, port):
    """A box with the demo plan and a fixed, trusted clock, printing to 127.0.0.1:*port*."""
    from hembas_testing import TODAY, fixed_clock

    from sync.box import open_box
    from sync.config import load_config
    from sync.plan.demo import demo_plan

    box = open_box(load_config(data_dir, environ={
        "HEMBAS_PRINTER_BACKEND": "network", "HEMBAS_PRINTER_HOST": "127.0.0.1", "HEMBAS_PRINTER_PORT": str(port),
        "HEMBAS_PRINTER_TIMEOUT_SECONDS": "1", "HEMBAS_PRINTER_RETRY_SECONDS": "1"}))
    box.clock = fixed_clock(data_dir)
    box.mirror.import_document(demo_plan(TODAY), source="faults", today=TODAY)
    return box


def start_fault(printer, fault):
    """Unplug the printer, empty its paper roll or make it hang after a job's first bytes."""
    if fault == "unplugged":
        printer.switch_off()
    elif fault == "paper_out":
        printer.paper = "out"
    elif fault == "hang":
        printer.stall_after = HANG_AFTER


def clear_faults(printer):
    """Plug it back in with paper and nothing jammed."""
    printer.paper, printer.stall_after = "ok", None
    printer.switch_on()


def sheet_owners(printed, names):
    """The staff name each whole run-sheet is for: the first name after the title "Körlista"."""
    owners = []
    for job in printed:
        start = job.find("Körlista".encode("cp858"))
        if start >= 0:
            found = [(job.find(name, start), name) for name in names if job.find(name, start) >= 0]
            owners.append(min(found)[1] if found else None)
    return owners


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def one_round(workdir, fault, hold):
    """One fault from start to clearing; returns (row, problems)."""
    from printer.queue import PrintQueue

    with LoopbackPrinter() as printer:
        box = open_test_box(Path(workdir) / "data", printer.port)
        plan_before = (box.data_dir / "plan.json").read_bytes()
        queue, stop = PrintQueue(box), threading.Event()
        worker = threading.Thread(target=queue.work, args=(stop,), kwargs={"poll_seconds": 0.1}, daemon=True)
        worker.start()
        problems = []
        try:
            queue.print_slip("status", ordered_by="faults")
            if not wait_until(lambda: len(printer.whole_jobs()) == 1, 20):
                problems.append("the status slip did not print before the fault")
            start_fault(printer, fault)
            sheets = queue.print_shift_sheets(ordered_by="knappen")
            queue.print_slip("status", ordered_by="faults")  # not contacts: it lists every name
            time.sleep(hold)
            during = queue.status()
            printed_during = len(printer.whole_jobs())
            clear_faults(printer)
            settled = wait_until(lambda: queue.status()["pending"] == 0, SETTLE)
        finally:
            stop.set()
            worker.join(timeout=30)
        plan = box.plan()
        shift = box.current_shift()
        markers = [plan.staff[s].name.encode("cp858") for s in box.day(shift.date).staff_ids(shift=shift.name)]
        jobs = queue.jobs(limit=100)
        states = [j["state"] for j in jobs]
        if not settled:
            problems.append(f"{fault}: {states.count('pending') + states.count('printing')} job(s) still "
                            f"waiting {SETTLE} s after the fault cleared")
        owners = sheet_owners([job.data for job in printer.whole_jobs()], markers)
        missing = [name.decode("cp858") for name in markers if owners.count(name) == 0]
        if missing:
            problems.append(f"{fault}: run-sheet(s) of {', '.join(missing)} never printed "
                            f"(queue says: {sorted(set(states))})")
        twice = [name.decode("cp858") for name in markers if owners.count(name) > 1]
        if twice and fault != "hang":
            problems.append(f"{fault}: run-sheet(s) of {', '.join(twice)} printed twice")
        if printed_during > 1 and fault in ("unplugged", "paper_out"):
            problems.append(f"{fault}: {printed_during - 1} job(s) counted as printed while the printer could not")
        if fault in ("unplugged", "paper_out") and during["state"] != "waiting":
            problems.append(f"{fault}: status during the fault was {during['state']!r} ({during['reason']})")
        if (box.data_dir / "plan.json").read_bytes() != plan_before:
            problems.append(f"{fault}: plan.json changed")
    whole = len(printer.whole_jobs())
    row = {"fault": fault, "hold_s": hold, "jobs": len(sheets) + 2, "printed": whole,
           "partial": len(printer.jobs) - whole, "duplicates": len(twice), "status_during": during["state"],
           "reason_during": during["reason"][:40], "all_printed": "yes" if settled and not missing else "NO"}
    return row, problems


def run(workdir, *, scale="full", rng=None):
    rng = rng or random.Random()
    rows, problems = [], []
    for n in range(ROUNDS[scale]):
        for fault in FAULTS:
            row, found = one_round(Path(workdir) / f"{fault}-{n}", fault, round(rng.uniform(*HOLD[scale]), 1))
            rows.append(row)
            problems += found
    columns = [("fault", "fault", "{}"), ("lasted s", "hold_s", "{}"), ("jobs", "jobs", "{}"),
               ("printed whole", "printed", "{}"), ("cut short", "partial", "{}"),
               ("sheets twice", "duplicates", "{}"), ("status during", "status_during", "{}"),
               ("reason shown", "reason_during", "{}"), ("all printed after", "all_printed", "{}")]
    return {"tried": f"{len(rows)} printer faults (unplugged, paper out, hung mid-job)", "rows": rows,
            "problems": sorted(set(problems)),
            "table": table("Printer faults on a network printer at 127.0.0.1 (real queue and worker)", columns, rows)}
