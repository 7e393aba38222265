"""The print queue: persisted, in order, retried, resumed, never a second set."""

import os
import signal
import subprocess
import sys
import time

import pytest
from hembas_testing import NOW, TODAY, fixed_clock

from printer.escpos_reader import TextLine, read
from printer.preview import preview_jobs
from printer.queue import PrintQueue
from sync.errors import ClockUntrusted, NoPlan


def names_printed(data):
    """Staff names in the order their sheets came out (the line after "Körlista")."""
    lines = [e.text for e in read(data) if isinstance(e, TextLine)]
    return [lines[i + 1] for i, text in enumerate(lines) if text == "Körlista"]


DAY_SHIFT = 4  # carers on the demo's day shift; the fixed clock says 07:30


def test_the_shifts_sheets_one_job_per_staff_member_working_it(box):
    queue = PrintQueue(box)
    jobs = queue.print_shift_sheets(ordered_by="knappen")
    assert len(jobs) == len(box.day(TODAY).staff_ids(shift="dag")) == DAY_SHIFT
    assert all(j["state"] == "pending" and j["ordered_by"] == "knappen" for j in jobs)
    assert all(j["title"].endswith(f"{TODAY} dag") for j in jobs)
    assert queue.process_once() == DAY_SHIFT
    assert [j["title"] for j in preview_jobs(box.data_dir, limit=10)]  # the preview printer got them
    assert {j["state"] for j in queue.jobs()} == {"done"}


def test_pressing_again_while_printing_queues_nothing(box):
    queue = PrintQueue(box)
    assert queue.print_shift_sheets(ordered_by="knappen")
    assert queue.print_shift_sheets(ordered_by="s1") == []
    assert len(queue.jobs(limit=50)) == DAY_SHIFT
    queue.process_once()
    assert len(queue.print_shift_sheets(ordered_by="s1")) == DAY_SHIFT  # finished: a new set is a real request


def test_another_shifts_set_is_not_held_up_by_this_one(box):
    queue = PrintQueue(box)
    assert queue.print_shift_sheets(ordered_by="knappen")
    night = box.shifts.shift(TODAY, "natt")
    assert len(queue.print_shift_sheets(ordered_by="s1", shift=night)) == len(box.day(TODAY).staff_ids(shift="natt"))


def test_a_whole_days_set_has_every_shifts_staff(box):
    jobs = PrintQueue(box).print_day_sheets(TODAY, ordered_by="cli")
    assert len(jobs) == len(box.day(TODAY).staff_ids()) == 6
    assert all(j["title"].endswith(f"{TODAY} hela dagen") for j in jobs)


def test_every_order_is_in_the_audit_log(box):
    queue = PrintQueue(box)
    queue.print_shift_sheets(ordered_by="knappen")
    queue.print_slip("contacts", ordered_by="s1")
    queue.print_slip("enrollment", ordered_by="s1", name="Ny Person", code="K7Q2-9F", url="http://hembas.local/e")
    actions = [(e["action"], e["actor"]) for e in box.audit.entries()]
    assert actions[:3] == [("print.slip", "s1"), ("print.slip", "s1"), ("print.sheets", "knappen")]
    assert "K7Q2-9F" not in str(box.audit.entries())


def test_printed_sheets_name_their_clients_in_the_audit_log(box):
    queue = PrintQueue(box)
    queue.print_shift_sheets(ordered_by="knappen")
    queue.print_sheet("s7", TODAY, shift="natt", ordered_by="s7")
    day = box.day(TODAY)
    sheets, sheet = box.audit.entries(action="print.sheets")[0], box.audit.entries(action="print.sheet")[0]
    assert sheets["detail"]["clients"] == sorted({v.client_id for s in day.staff_ids(shift="dag")
                                                  for v in day.route(s, shift="dag")})
    assert sheet["detail"]["clients"] == sorted({v.client_id for v in day.route("s7", shift="natt")})
    assert sheets["detail"]["clients"] and sheet["detail"]["clients"]


def test_no_plan_refuses_the_shifts_sheets(empty_box):
    with pytest.raises(NoPlan):
        PrintQueue(empty_box).print_shift_sheets(ordered_by="knappen")


def test_untrusted_clock_refuses_the_shifts_sheets(box):
    box.clock = fixed_clock(box.data_dir, now=NOW.replace(year=2001), floor=lambda: box.plan().generated_at)
    with pytest.raises(ClockUntrusted):
        PrintQueue(box).print_shift_sheets(ordered_by="knappen")


def holding(data_dir, secret):
    return sorted(p.name for p in data_dir.rglob("*") if p.is_file() and secret in p.read_bytes())


def test_enrollment_code_is_gone_from_the_store_once_printed(box):
    queue = PrintQueue(box)
    queue.print_slip("enrollment", ordered_by="s1", name="Ny Person", code="K7Q2-9FXY",
                     url="http://hembas.local/aktivera?kod=K7Q29FXY")
    assert holding(box.data_dir, b"K7Q2-9FXY") == ["printqueue.json"]
    queue.process_once()
    assert holding(box.data_dir, b"K7Q2-9FXY") == [] and holding(box.data_dir, b"K7Q29FXY") == []
    assert queue.printed(queue.jobs()[0]["id"]) == {"kind": "enrollment", "ordered_by": "s1", "secret": True,
                                                    "clients": []}


def test_an_enrollment_slip_that_arrived_before_a_crash_is_forgotten_on_recovery(box):
    from printer.preview import save_preview
    queue = PrintQueue(box)
    job = queue.print_slip("enrollment", ordered_by="s1", name="Ny Person", code="K7Q2-9FXY", url="http://x/e")
    save_preview(box.data_dir, job["id"], b"Engangskod: K7Q2-9FXY")  # sent, then the power went
    with queue._store.transaction() as db:
        db.table("jobs").update({"state": "printing"})
    assert PrintQueue(box).process_once() == 0
    assert queue.jobs()[0]["state"] == "done" and holding(box.data_dir, b"K7Q2-9FXY") == []


def test_paper_out_waits_with_the_reason_then_prints_everything_in_order(network_box, net_printer):
    queue = PrintQueue(network_box)
    net_printer.paper = "out"
    jobs = queue.print_shift_sheets(ordered_by="knappen")
    assert queue.process_once() == 0
    status = queue.status()
    assert status == {"state": "waiting", "reason": "papperet är slut", "pending": DAY_SHIFT, "busy": False}
    assert queue.jobs()[-1]["last_error"] == "papperet är slut"

    net_printer.paper = "ok"
    assert queue.process_once() == DAY_SHIFT
    assert queue.status()["state"] == "ok" and queue.status()["pending"] == 0
    net_printer.close()
    expected = [j["title"].removeprefix("Körlista ").removesuffix(f" {TODAY} dag") for j in jobs]
    assert names_printed(net_printer.received()) == expected


def test_printer_off_then_restart_resumes_unfinished_jobs(network_box, net_printer):
    net_printer.switch_off()
    PrintQueue(network_box).print_shift_sheets(ordered_by="knappen")
    assert PrintQueue(network_box).process_once() == 0
    assert PrintQueue(network_box).status()["state"] == "waiting"

    net_printer.switch_on()
    restarted = PrintQueue(network_box)  # what a new process builds after a reboot
    assert restarted.status()["pending"] == DAY_SHIFT
    assert restarted.process_once() == DAY_SHIFT
    net_printer.close()
    assert len(names_printed(net_printer.received())) == DAY_SHIFT


def test_hang_up_mid_job_is_retried_and_says_it_may_be_double(network_box, net_printer):
    queue = PrintQueue(network_box)
    queue.print_sheet("s2", TODAY, ordered_by="s1")
    net_printer.hang_up_after = 500
    assert queue.process_once() == 0
    assert "en del kan redan ha skrivits ut" in queue.jobs()[0]["last_error"]
    net_printer.hang_up_after = None
    assert queue.process_once() == 1
    assert queue.jobs()[0]["state"] == "done"


def test_worker_killed_mid_send_reprints_and_says_so_when_the_printer_cannot_tell(network_box, net_printer):
    queue = PrintQueue(network_box)
    queue.print_sheet("s2", TODAY, ordered_by="s1")
    net_printer.paper = "silent"  # the worker hangs waiting for an answer ...
    network_box.config["printer"]["timeout_seconds"] = 30
    child = subprocess.Popen([sys.executable, "-c", WORKER, str(network_box.data_dir), str(net_printer.port)],
                             env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    while queue.jobs()[0]["state"] != "printing":
        assert child.poll() is None
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)  # ... and dies there (power cut, OOM)
    child.wait()

    net_printer.paper = "ok"
    network_box.config["printer"]["timeout_seconds"] = 2
    assert PrintQueue(network_box).process_once() == 1
    job = queue.jobs()[0]
    assert job["state"] == "done" and job["attempts"] == 2


def test_preview_job_that_arrived_before_a_crash_is_not_printed_again(box):
    queue = PrintQueue(box)
    queue.print_slip("contacts", ordered_by="s1")
    queue.process_once()
    with queue._store.transaction() as db:  # what a crash between "sent" and "marked done" leaves behind
        db.table("jobs").update({"state": "printing"})
    assert PrintQueue(box).process_once() == 0
    assert len(preview_jobs(box.data_dir)) == 1 and queue.jobs()[0]["state"] == "done"


def test_only_one_worker_sends_at_a_time(box):
    queue = PrintQueue(box)
    queue.print_slip("contacts", ordered_by="s1")
    with queue._worker.lock() as mine:
        assert mine
        assert PrintQueue(box).process_once() == 0  # the other "process" finds the lock taken
    assert queue.process_once() == 1


WORKER = """
import sys
sys.path.insert(0, "tests")
from hembas_testing import fixed_clock
from sync.box import open_box
from sync.config import load_config
from printer.queue import PrintQueue
import pathlib
data = pathlib.Path(sys.argv[1])
config = load_config(data, environ={})
config["printer"].update(backend="network", host="127.0.0.1", port=int(sys.argv[2]), timeout_seconds=60)
box = open_box(config)
box.clock = fixed_clock(data)
PrintQueue(box).process_once()
"""


def test_worker_loop_prints_what_is_queued_and_stops_when_told(box):
    import threading

    queue = PrintQueue(box)
    stop = threading.Event()
    worker = threading.Thread(target=queue.work, args=(stop,), kwargs={"poll_seconds": 0.05})
    worker.start()
    try:
        queue.print_slip("contacts", ordered_by="s1")
        while queue.status()["pending"]:
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join()
    assert queue.jobs()[0]["state"] == "done"


def test_a_printed_sheet_keeps_the_fingerprint_of_what_it_showed(box, who):
    from sync.day.changes import mark_absent
    from sync.day.fingerprint import route_fingerprints

    queue = PrintQueue(box)
    shift = box.shifts.shift(TODAY, "dag")
    assert queue.printed_sheets(TODAY, "dag") == {}  # queued is not printed
    queue.print_shift_sheets(ordered_by="knappen")
    queue.process_once()
    assert queue.printed_sheets(TODAY, "dag") == route_fingerprints(box.plan(), box.day(TODAY), shift="dag")
    mark_absent(box, "s3", shift, **who)
    assert queue.printed_sheets(TODAY, "dag")["s3"] not in route_fingerprints(box.plan(), box.day(TODAY), shift="dag").values()


def test_only_prints_just_the_named_sheets_of_the_set(box):
    queue = PrintQueue(box)
    jobs = queue.print_shift_sheets(ordered_by="s2", only=["s4", "s9"])
    assert [j["title"] for j in jobs] == [f"Körlista Mohammed Ali {TODAY} dag"]
    assert queue.print_shift_sheets(ordered_by="s2", only=["s5"]) == []  # the shift's set is still printing
