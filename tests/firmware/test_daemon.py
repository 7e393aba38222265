"""The daemon in-process on mock pins: the button prints, requests press it, the printer comes back."""

import threading

import pytest

from firmware import control
from firmware.daemon import Daemon
from printer.backends.file import FileBackend
from printer.queue import PrintQueue


@pytest.fixture
def start_daemon(box, pin_factory):
    box.config["gpio"]["long_press_seconds"] = 0.2
    box.config["printer"]["retry_seconds"] = 1
    running = []

    def start(queue):
        daemon = Daemon(box, queue, pin_factory=pin_factory, environ={})
        stop = threading.Event()
        thread = threading.Thread(target=daemon.run, args=(stop,), name="test-daemon")
        thread.start()
        running.append((daemon, stop, thread))
        return daemon

    yield start
    for daemon, stop, thread in running:
        stop.set()
        thread.join()
        daemon.close()


def states(queue):
    return sorted(job["state"] for job in queue.jobs(limit=100))


def test_a_press_of_the_button_prints_the_shifts_sheets(box, start_daemon, wait_for):
    queue = PrintQueue(box)
    daemon = start_daemon(queue)
    daemon.button.pin.drive_low()
    daemon.button.pin.drive_high()
    working = len(box.day().staff_ids(shift=box.current_shift().name))
    assert wait_for(lambda: states(queue) == ["done"] * working)


def test_a_press_request_presses_the_mock_button(box, start_daemon, wait_for):
    queue = PrintQueue(box)
    start_daemon(queue)
    assert wait_for(lambda: control.daemon_status(box.data_dir))
    control.request_press(box.data_dir, long=True)
    assert wait_for(lambda: sorted(job["kind"] for job in queue.jobs()) == ["contacts", "status"])


def test_the_lights_are_published_and_cleared_on_stop(box, start_daemon, wait_for):
    start_daemon(PrintQueue(box))
    assert wait_for(lambda: control.daemon_status(box.data_dir))["pattern"] == "ok"
    assert control.daemon_status(box.data_dir)["mock"] is True


def test_an_unplugged_printer_turns_red_and_prints_when_plugged_back(box, data_dir, start_daemon, wait_for):
    device = data_dir / "lp0"
    queue = PrintQueue(box, backend=FileBackend(device=str(device), timeout=1))
    daemon = start_daemon(queue)
    daemon.button.pin.drive_low()
    daemon.button.pin.drive_high()
    assert wait_for(lambda: daemon.lights.pattern == "error")
    device.touch()  # plugged back in
    assert wait_for(lambda: set(states(queue)) == {"done"}, timeout=15)
    assert device.stat().st_size > 0
    assert wait_for(lambda: daemon.lights.pattern != "error")


def test_a_crashing_print_worker_is_restarted(box, start_daemon, wait_for, monkeypatch, caplog):
    monkeypatch.setattr("firmware.daemon.WORKER_RESTART_SECONDS", 0.1)
    queue = PrintQueue(box)
    real_work, calls = queue.work, []

    def work_that_crashes_once(stop):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("bug in the worker")
        real_work(stop)

    queue.work = work_that_crashes_once
    daemon = start_daemon(queue)
    daemon.button.pin.drive_low()
    daemon.button.pin.drive_high()
    assert wait_for(lambda: states(queue) and set(states(queue)) == {"done"})
    assert "print worker crashed" in caplog.text
