import socket

import pytest

from firmware.systemd import notify, watchdog_seconds


@pytest.fixture
def listener(tmp_path):
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5)
        yield sock, str(path)


def test_notify_sends_one_datagram_to_the_socket(listener):
    sock, path = listener
    assert notify("READY=1", environ={"NOTIFY_SOCKET": path})
    assert sock.recv(100) == b"READY=1"


def test_notify_reaches_an_abstract_socket():
    name = f"hembas-test-{id(object())}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert notify("WATCHDOG=1", environ={"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(100) == b"WATCHDOG=1"


def test_notify_outside_systemd_does_nothing():
    assert notify("READY=1", environ={}) is False


def test_notify_to_a_missing_socket_is_logged_not_raised(tmp_path, caplog):
    assert notify("READY=1", environ={"NOTIFY_SOCKET": str(tmp_path / "gone")}) is False
    assert "could not notify systemd" in caplog.text


@pytest.mark.parametrize("environ, pid, seconds", [
    ({}, 10, None),
    ({"WATCHDOG_USEC": "30000000"}, 10, 30.0),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "10"}, 10, 30.0),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "11"}, 10, None),
])
def test_watchdog_period_is_only_for_the_process_systemd_meant(environ, pid, seconds):
    assert watchdog_seconds(environ=environ, pid=pid) == seconds
