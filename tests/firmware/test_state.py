"""The lights' input read from a real box, print queue and sync status."""

import datetime as dt

import pytest
from hembas_testing import NOW, TODAY, binder_on_the_shelf, fixed_clock, move_visit
from tls_testing import box_with_certificate

from firmware.signals import signal_for
from firmware.state import read_system_state
from printer.backends.file import FileBackend
from printer.queue import PrintQueue
from sync.network.status import SyncStatus


def pattern(box, queue):
    return signal_for(read_system_state(box, queue, sync_status=SyncStatus(box.data_dir))).pattern


@pytest.fixture
def queue(box):
    return PrintQueue(box)


def test_a_fresh_plan_and_a_ready_printer_show_green(box, queue):
    queue.check_printer()
    assert queue.status()["state"] == "ok"
    assert pattern(box, queue) == "ok"


def test_no_plan_shows_yellow(empty_box):
    assert pattern(empty_box, PrintQueue(empty_box)) == "warning"


def test_a_stale_plan_shows_yellow(box, queue):
    box.clock = fixed_clock(box.data_dir, now=NOW + dt.timedelta(days=2))
    assert pattern(box, queue) == "warning"


def test_a_failed_sync_shows_yellow(box, queue):
    SyncStatus(box.data_dir).attempt_failed("hubben svarar inte")
    assert pattern(box, queue) == "warning"


def test_queued_sheets_show_busy(box, queue):
    queue.print_shift_sheets(ordered_by="knappen")
    assert pattern(box, queue) == "busy"


def test_an_unplugged_printer_shows_red(box, data_dir):
    queue = PrintQueue(box, backend=FileBackend(device=str(data_dir / "lp0"), timeout=1))
    queue.print_slip("status", ordered_by="knappen")
    queue.process_once()
    assert queue.status()["state"] == "waiting"
    assert pattern(box, queue) == "error"


def test_an_untrusted_clock_shows_red(box, queue, demo_document):
    generated = dt.datetime.fromisoformat(demo_document["generated_at"])
    box.clock = fixed_clock(box.data_dir, now=generated - dt.timedelta(days=3),
                            floor=lambda: box.mirror.current().generated_at)
    assert pattern(box, queue) == "clock"


def test_an_unreadable_store_shows_red(box, queue, data_dir):
    (data_dir / "plan.json").write_text("{ not json")
    assert pattern(box, queue) == "error"


def test_an_out_of_date_printed_binder_blinks_yellow(box, queue):
    queue.check_printer()
    binder_on_the_shelf(box)
    box.config["binder"]["remind_changes"] = 0
    assert pattern(box, queue) == "ok"
    move_visit(box, box.day(TODAY).route("s3")[0], ["s2"])
    state = read_system_state(box, queue, sync_status=SyncStatus(box.data_dir))
    assert signal_for(state).pattern == "binder" and "1 ändring" in signal_for(state).reason


def test_a_refused_settings_file_shows_the_setup_pattern(box, queue):
    from sync.provisioning import write_errors
    write_errors(box.data_dir, [{"key": "team.id", "message": "team.id: saknas"}], source="hembas.toml",
                 checked_at=NOW.isoformat())
    assert pattern(box, queue) == "setup"


def test_a_stick_being_read_and_a_failed_stick_show_on_the_lights(box, queue):
    from sync import stick
    stick.record(box.data_dir, stick.WORKING)
    assert pattern(box, queue) == "busy"
    stick.record(box.data_dir, stick.FAILED, ["ingen plan för teamet på stickan"])
    assert pattern(box, queue) == "warning"
    stick.record(box.data_dir, stick.FAILED, ["gammalt fel"],
                 now=dt.datetime.now(dt.timezone.utc) - stick.SHOWN_FOR - dt.timedelta(minutes=1))
    assert pattern(box, queue) == "ok"


def test_a_certificate_about_to_expire_reaches_the_lights(box, queue, tmp_path):
    assert read_system_state(box, queue, sync_status=SyncStatus(box.data_dir)).certificate_warning == ""
    box_with_certificate(box, tmp_path, days=30, after_days=20)
    state = read_system_state(box, queue, sync_status=SyncStatus(box.data_dir))
    assert "certifikatet går ut om 9 dagar" in state.certificate_warning
    box_with_certificate(box, tmp_path / "again", days=30, after_days=10)
    assert read_system_state(box, queue, sync_status=SyncStatus(box.data_dir)).certificate_warning == ""
