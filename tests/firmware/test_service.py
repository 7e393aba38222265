"""`hembas firmware run` as systemd runs it: ready, watchdog, a press, a clean stop on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import uuid

import pytest

from firmware import control
from printer.queue import PrintQueue
from sync.box import open_box
from sync.config import load_config


@pytest.fixture
def notify_socket():
    """An abstract datagram socket standing in for systemd's NOTIFY_SOCKET."""
    name = f"hembas-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(20)
        yield sock, "@" + name


def messages_until(sock, wanted):
    seen = []
    while wanted not in seen:
        seen.append(sock.recv(4096).decode())
    return seen


def test_the_service_reports_ready_feeds_the_watchdog_and_stops_on_sigterm(data_dir, notify_socket, wait_for):
    sock, address = notify_socket
    env = {**os.environ, "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000",
           "HEMBAS_GPIO_PIN_FACTORY": "mock", "HEMBAS_GPIO_LONG_PRESS_SECONDS": "0.2"}
    env.pop("HEMBAS_CONFIG", None)
    service = subprocess.Popen([sys.executable, "-m", "sync.cli", "--data", str(data_dir), "firmware", "run"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "READY=1" in messages_until(sock, "READY=1")
        assert "WATCHDOG=1" in messages_until(sock, "WATCHDOG=1")

        control.request_press(data_dir, long=True)
        queue = PrintQueue(open_box(load_config(data_dir, environ={})))
        assert wait_for(lambda: "status" in {job["kind"] for job in queue.jobs()}, timeout=15)

        service.send_signal(signal.SIGTERM)
        assert "STOPPING=1" in messages_until(sock, "STOPPING=1")
        output, _ = service.communicate(timeout=20)
    finally:
        if service.poll() is None:
            service.kill()
            service.communicate()
    assert service.returncode == 0, output
    assert "firmware stopped" in output
    assert control.daemon_status(data_dir) is None
