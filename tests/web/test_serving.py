"""Idle and hostile connections cannot take the web UI down (review finding 4).

The real app on the real ``hembas serve`` server (webui.serving) in a thread
on 127.0.0.1.  Linux routes all of 127.0.0.0/8 to loopback, so a client can
connect *from* 127.0.0.2, 127.0.0.3 …: that is how one test plays many
phones and a laptop with many addresses.
"""

import http.client
import logging
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from hembas_testing import idle_sockets

from webui.serving import make_server
from waitress import wasyncore

PAGE_TIMEOUT = 15  # seconds a phone waits for the sign-in page before the test calls it down


@pytest.fixture
def serve(app, box):
    """serve(**web overrides): the app on the guarded server in a thread; returns the server."""
    running = []

    def start(**overrides):
        web = {**box.config["web"], **overrides}
        server = make_server(app, web, host="127.0.0.1", port=0)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        running.append((server, thread))
        return server

    yield start
    for server, thread in running:
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)
        thread.join(timeout=10)


def page_from(address, port):
    """A phone at *address* asks for the sign-in page; returns the status (or the error)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PAGE_TIMEOUT, source_address=(address, 0))
    try:
        conn.request("GET", "/logga-in")
        return conn.getresponse().status
    except OSError as exc:
        return type(exc).__name__
    finally:
        conn.close()


def test_hundreds_of_idle_connections_from_many_addresses_do_not_keep_a_phone_out(serve):
    server = serve()
    port = int(server.effective_port)
    hostile = idle_sockets(port, [f"127.0.0.{i}" for i in range(10, 30)], 15)  # 300 idle: limit is 200
    try:
        started = time.monotonic()
        assert page_from("127.0.0.2", port) == 200
        print(f"page after 300 idle connections: {time.monotonic() - started:.2f} s, shed {server.shed}")
        assert server.shed > 0
    finally:
        for conn in hostile:
            conn.close()


def test_one_address_cannot_take_more_than_its_share(serve):
    server = serve(connections_per_address=8)
    port = int(server.effective_port)
    laptop = idle_sockets(port, ["127.0.0.10"], 60)
    try:
        assert page_from("127.0.0.2", port) == 200
        closed = sum(1 for conn in laptop if _closed_by_server(conn))
        assert closed >= 60 - 8 and server.refused >= 60 - 8
    finally:
        for conn in laptop:
            conn.close()


def test_an_idle_connection_is_closed_after_idle_seconds(serve):
    server = serve(idle_seconds=2)
    [conn] = idle_sockets(int(server.effective_port), ["127.0.0.10"], 1)
    try:
        assert _closed_by_server(conn)  # within the socket timeout of 10 s
    finally:
        conn.close()


def test_a_phone_that_is_reading_a_page_is_not_shed(serve):
    """When full, the connection idle longest goes, not one that just asked for a page."""
    server = serve(connection_limit=12)
    port = int(server.effective_port)
    phone = http.client.HTTPConnection("127.0.0.1", port, timeout=PAGE_TIMEOUT, source_address=("127.0.0.2", 0))
    phone.request("GET", "/logga-in")
    assert phone.getresponse().read()
    hostile = idle_sockets(port, [f"127.0.0.{i}" for i in range(10, 14)], 5)
    try:
        phone.request("GET", "/logga-in")  # the same keep-alive connection, now the most recently used
        response = phone.getresponse()
        assert response.status == 200 and response.read()
    except (OSError, http.client.HTTPException):
        # shed before the second request: the phone's browser opens a new connection, which must work
        assert page_from("127.0.0.2", port) == 200
    finally:
        phone.close()
        for conn in hostile:
            conn.close()


def _closed_by_server(conn):
    try:
        return conn.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_phones_waiting_for_a_worker_write_no_log_line_each(serve, caplog):
    """At the morning rush most requests wait in waitress's queue; each used to log a warning."""
    server = serve(threads=1)
    port = server.effective_port
    caplog.set_level(logging.INFO)
    results = []
    phones = [threading.Thread(target=lambda n=n: results.append(page_from(f"127.0.3.{n}", port)))
              for n in range(1, 13)]
    for phone in phones:
        phone.start()
    for phone in phones:
        phone.join()
    assert results == [200] * 12
    assert not [r for r in caplog.records if r.name.startswith("waitress")]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one CPU: nothing to keep the server to")
@pytest.mark.parametrize("one_core", ["true", "false"])
def test_hembas_serve_keeps_every_thread_on_one_cpu_unless_told_not_to(tmp_path, one_core):
    allowed = os.sched_getaffinity(0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HEMBAS_WEB_ONE_CORE": one_core}
    proc = subprocess.Popen([sys.executable, "-m", "sync.cli", "--data", str(tmp_path / "data"), "serve",
                             "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:  # serving: waitress's worker threads have started
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "hembas serve did not start"
                time.sleep(0.1)
        threads = [int(t) for t in os.listdir(f"/proc/{proc.pid}/task")]
        assert len(threads) > 1
        cpus = {frozenset(os.sched_getaffinity(t)) for t in threads}
        assert cpus == ({frozenset({max(allowed)})} if one_core == "true" else {frozenset(allowed)})
    finally:
        proc.terminate()
        proc.wait(timeout=10)
