"""The binder on the base's A4 printer, through the test's own CUPS server (a file-backed queue)."""

import time

import pytest
from hembas_testing import TODAY, binder_on_the_shelf, move_visit, pdftotext

from printer.binder_store import BinderStore
from printer.cups import A4Printer, A4Unavailable


def settle(printer, job_id, timeout=30):
    """Refresh until CUPS has finished the job; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        printer.refresh()
        job = printer.job(job_id)
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {printer.job(job_id)}")


@pytest.fixture
def store(a4_box):
    return BinderStore(a4_box)


def test_the_binder_prints_on_a4_and_then_counts_as_printed(store, a4_box, cups_server):
    job = store.print_a4(by="s1")
    assert job["state"] == "printing" and job["title"].startswith("Hembas pärm")
    printed = cups_server.wait_for_output()
    job = settle(store.printer, job["id"])
    assert job["state"] == "done" and job["last_error"] == ""
    pages = pdftotext(printed).split("\f")
    made = store.made()
    assert len([p for p in pages if p.strip()]) == made["page_count"]
    assert "Pärm: Hemtjänst Kalix centrum" in pages[0]
    assert store.printed()["made_at"] == made["made_at"]  # CUPS said done: the binder is on the shelf
    actions = [e["action"] for e in a4_box.audit.entries()]
    assert actions[:3] == ["binder.printed", "print.a4.done", "print.a4"]
    ordered = a4_box.audit.entries(action="print.a4")[0]
    assert ordered["actor"] == "s1" and ordered["detail"]["clients"] == sorted(a4_box.plan().clients)


def test_only_the_changed_pages_are_printed(store, a4_box, cups_server):
    binder_on_the_shelf(store.box)
    visit = a4_box.day(TODAY).route("s3")[0]
    move_visit(a4_box, visit, ["s2"])
    job = store.print_a4(by="s1", what="pages")
    text = pdftotext(cups_server.wait_for_output())
    settle(store.printer, job["id"])
    record = store.made()
    expected = sum(record["pages"][k][1] - record["pages"][k][0] + 1
                   for k in ("cover", f"day/{TODAY}", f"client/{visit.client_id}"))
    assert len([p for p in text.split("\f") if p.strip()]) == expected
    assert "Pärm: Hemtjänst Kalix centrum" in text and "Fredag 27 november 2026" in text
    assert a4_box.plan().clients[visit.client_id].address in text
    assert store.reminder()["changes"] == 0  # the swapped pages put the binder in step


def test_the_change_list_prints_too(store, a4_box, cups_server):
    binder_on_the_shelf(store.box)
    job = store.print_a4(by="s1", what="changes")
    assert "Inga ändringar" in pdftotext(cups_server.wait_for_output())
    assert settle(store.printer, job["id"])["state"] == "done"


def test_a_stopped_printer_keeps_the_job_waiting_and_says_why(store, a4_box, cups_server):
    cups_server.lp("cupsdisable", "-r", "papperet är slut", cups_server.queue)
    try:
        assert A4Printer(a4_box).status() == {"state": "waiting", "reason": "skrivaren är pausad i CUPS; papperet är slut"}
        job = store.print_a4(by="s1", what="binder")
        time.sleep(0.5)
        store.printer.refresh()
        waiting = store.printer.job(job["id"])
        assert waiting["state"] == "printing" and waiting["last_error"].startswith("väntar")
        assert store.printed() is None
    finally:
        cups_server.lp("cupsenable", cups_server.queue)
    cups_server.wait_for_output()
    assert settle(store.printer, job["id"])["state"] == "done"
    assert A4Printer(a4_box).status()["state"] == "ok"


def test_a_cancelled_job_fails_and_the_binder_is_not_counted(store, a4_box, cups_server):
    cups_server.lp("cupsdisable", cups_server.queue)
    try:
        job = store.print_a4(by="s1")
        cups_server.lp("cancel", "-a", cups_server.queue)
        job = settle(store.printer, job["id"])
    finally:
        cups_server.lp("cupsenable", cups_server.queue)
    assert job["state"] == "failed" and "avbröts" in job["last_error"]
    assert store.printed() is None
    assert a4_box.audit.entries(action="print.a4.failed")[0]["detail"]["job"] == job["id"]


def test_an_unknown_queue_is_refused_in_swedish_and_listed(a4_box, cups_server):
    a4_box.config["binder"]["printer"] = "finns-inte"
    printer = A4Printer(a4_box)
    with pytest.raises(A4Unavailable, match="skrivaren finns-inte finns inte i CUPS"):
        printer.submit(b"%PDF-1.4", title="t", kind="binder", ordered_by="s1")
    job, = printer.jobs()
    assert job["state"] == "failed" and "finns inte i CUPS" in job["last_error"]
    assert printer.status()["state"] == "error"


def test_no_a4_printer_set_up(box):
    printer = A4Printer(box)
    assert not printer.configured and printer.status()["state"] == "unknown"
    with pytest.raises(A4Unavailable, match="ingen A4-skrivare"):
        printer.submit(b"%PDF-1.4", title="t", kind="binder", ordered_by="s1")
