"""The reference hub is the municipality's server: bounded, and cheap to refuse for anyone unknown (finding 12)."""

import socket
import threading

import nacl.signing
import pytest

from sync.hub import server as hub_server
from sync.network.push import KIND
from sync.network.signing import sign

TEAM = "kalix-centrum"


@pytest.fixture
def serve(hub_store, monkeypatch):
    """serve(max_handlers=8, timeout=30): the hub's HTTP server in a thread on 127.0.0.1; returns its port."""
    started = []

    def start(max_handlers=8, timeout=30):
        monkeypatch.setattr(hub_server, "SOCKET_TIMEOUT", timeout)
        server = hub_server.make_server(hub_store.folder, port=0, max_handlers=max_handlers)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append((server, thread))
        return server.server_port

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def request(port, head, body=b"", *, timeout=10):
    """Send *head* (request line and headers) and *body*; returns the status line (b"" if closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(head + b"\r\n\r\n" + body)
        return conn.makefile("rb").readline().strip()


def post(length, extra=b""):
    return f"POST /teams/{TEAM}/journal HTTP/1.1\r\nHost: hub\r\nContent-Length: {length}".encode() + extra


def test_an_unknown_box_is_refused_after_its_header_line_without_reading_the_body(serve):
    port = serve()
    stranger = sign(b"{}", nacl.signing.SigningKey.generate(), kind=KIND, team=TEAM)
    header_line = stranger.split(b"\n", 1)[0] + b"\n"
    # 15 MB announced, only the header line sent: the answer comes without the rest.
    assert request(port, post(15 * 1024 * 1024), header_line).startswith(b"HTTP/1.1 403")


def test_too_long_is_refused_before_reading(serve):
    port = serve()
    assert request(port, post(hub_server.MAX_UPLOAD_BYTES + 1)).startswith(b"HTTP/1.1 413")
    assert request(port, b"POST /teams/x/journal HTTP/1.1\r\nHost: hub").startswith(b"HTTP/1.1 411")


def test_a_crafted_header_is_a_400_not_a_crash(serve):
    port = serve()
    crafted = b'{"format":"hembas.envelope/1","x":' + b"[" * 4000 + b"\n"
    assert request(port, post(len(crafted) + 10), crafted + b"x" * 10).startswith(b"HTTP/1.1 400")


def test_requests_beyond_the_limit_get_503_at_once_and_a_silent_client_is_dropped(serve):
    port = serve(max_handlers=2, timeout=2)
    holders = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(2)]
    try:
        for conn in holders:
            conn.sendall(b"GET /teams/")  # half a request line: each holds a handler thread
        assert _eventually(lambda: request(port, b"GET /teams/x/plan.bundle HTTP/1.1\r\nHost: hub")
                           .startswith(b"HTTP/1.1 503"))
        for conn in holders:  # the hub drops them after SOCKET_TIMEOUT (2 s) of silence ...
            assert conn.recv(100) == b""
        # ... which frees their threads for others
        assert _eventually(lambda: request(port, b"GET /teams/x/plan.bundle HTTP/1.1\r\nHost: hub")
                           .startswith(b"HTTP/1.1 404"))
    finally:
        for conn in holders:
            conn.close()


def _eventually(check, tries=50):
    import time
    for _ in range(tries):
        if check():
            return True
        time.sleep(0.1)
    return False
