import os
import subprocess
import sys

import pytest

from firmware.control import (FirmwareUnavailable, clear_status, daemon_status, publish_status,
                              request_press, take_press_requests)


def test_press_is_refused_when_no_daemon_runs(data_dir):
    with pytest.raises(FirmwareUnavailable, match="körs inte"):
        request_press(data_dir)


def test_press_is_refused_for_a_daemon_with_real_pins(data_dir):
    publish_status(data_dir, mock=False, pattern="ok", reason="allt fungerar")
    with pytest.raises(FirmwareUnavailable, match="demoläget"):
        request_press(data_dir)


def test_a_dead_daemons_status_is_ignored(data_dir):
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    publish_status(data_dir, mock=True, pattern="ok", reason="allt fungerar")
    status_file = data_dir / "firmware" / "daemon.json"
    status_file.write_text(status_file.read_text().replace(str(os.getpid()), done.stdout.strip()))
    assert daemon_status(data_dir) is None


def test_requests_reach_the_daemon_in_order_once(data_dir):
    publish_status(data_dir, mock=True, pattern="ok", reason="allt fungerar")
    request_press(data_dir)
    request_press(data_dir, long=True)
    request_press(data_dir)
    assert take_press_requests(data_dir) == [False, True, False]
    assert take_press_requests(data_dir) == []


def test_a_stopped_daemon_clears_its_status(data_dir):
    publish_status(data_dir, mock=True, pattern="warning", reason="ingen plan är inläst")
    assert daemon_status(data_dir)["pattern"] == "warning"
    clear_status(data_dir)
    assert daemon_status(data_dir) is None
