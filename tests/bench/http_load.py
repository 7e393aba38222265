"""HTTP on 127.0.0.1 for benchmarks and the fault harness: servers, sign-in, a load generator.

The load generator is plain threads + ``http.client`` keep-alive
connections: no extra dependency, and the same code measures ``hembas
serve`` and the static ceiling, so their ratio is fair even though the
generator shares the machine with the server (:func:`off_core` keeps it
off a server pinned to one core).
"""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

from .measure import REPO_DIR, child_env, percentile

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hembas(data_dir, *args):
    """The ``hembas`` command line for *data_dir*, run from this checkout."""
    return [sys.executable, "-m", "sync.cli", "--data", str(data_dir), *map(str, args)]


def start_server(cmd, port, log_path, *, env=None, probe="/logga-in", cwd=REPO_DIR):
    """Start *cmd* in *cwd*; returns (process, seconds until the first answer to GET *probe* on *port*)."""
    started = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env or child_env(), cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd[2:]} stopped: {Path(log_path).read_text()[-800:]}")
        try:
            with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=2)) as conn:
                conn.request("GET", probe)
                conn.getresponse().read()
            return proc, time.monotonic() - started
        except OSError:
            time.sleep(0.01)


def stop(proc, *, timeout=10):
    """SIGTERM a child (hembas serve, the firmware daemon), killing it if it does not exit in time."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def csrf_token(html):
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    return found.group(1) if found else ""


def sign_in(port, code, pin, *, address=None):
    """Enroll an account through the real /aktivera form (from source *address*); returns (Cookie header, CSRF token)."""
    source = (address, 0) if address else None
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=source)) as conn:
        return _enroll(conn, code, pin)


def _enroll(conn, code, pin):
    conn.request("GET", f"/aktivera?kod={code}")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = cookies_of(response)
    body = f"csrf={csrf_token(html)}&kod={code}&pin={pin}&pin2={pin}"
    conn.request("POST", "/aktivera", body=body, headers={**FORM, "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"enrollment answered {response.status}")
    cookie = cookies_of(response, cookie)  # the new session and the phone's device cookie (webui.devices)
    conn.request("GET", "/status", headers={"Cookie": cookie})  # any page: the session's CSRF token
    response = conn.getresponse()
    html = response.read().decode()
    # That page showed the welcome message: keep the session without it, as a browser does (a client
    # that sent the old cookie would see "Välkommen" on every page, and no page would come from the cache).
    return cookies_of(response, cookie), csrf_token(html)


def cookies_of(response, cookie=""):
    """*cookie* (a Cookie header) updated with every Set-Cookie of *response*."""
    jar = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    for header in response.headers.get_all("Set-Cookie") or ():
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def phone_address(n):
    """The source address of the *n*-th phone: 127.0.1.1, 127.0.1.2, … (Linux routes 127.0.0.0/8 to loopback).

    ``hembas serve`` lets one address open only ``web.connections_per_address``
    connections (webui.serving), so load from a single address would measure that cap, not the page.
    """
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


class NamedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 that checks the certificate for *server_name* (the box's name, not its address)."""

    def __init__(self, *args, server_name, **kwargs):
        super().__init__(*args, **kwargs)
        self.server_name = server_name

    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_name)


def connection(port, *, tls=None, source=None, timeout=30):
    """A keep-alive connection to 127.0.0.1:*port* from *source*; *tls*: (ssl context, server name) for HTTPS."""
    source_address = (source, 0) if source else None
    if tls is None:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=source_address)
    context, name = tls
    return NamedHTTPSConnection("127.0.0.1", port, timeout=timeout, source_address=source_address,
                                context=context, server_name=name)


def load(port, path, connections, seconds, headers, *, tls=None):
    """*connections* keep-alive clients, each from its own address, fetch *path* for *seconds*.

    *tls*: (ssl context, server name) to load an HTTPS server.  Returns requests/s and latencies.
    """
    latencies, errors, stop_at = [], [], time.monotonic() + seconds
    lock = threading.Lock()

    def client(n):
        connect = lambda: connection(port, tls=tls, source=phone_address(n))
        conn = connect()
        mine, failed = [], []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except OSError as exc:
                failed.append(type(exc).__name__)
                conn.close()
                conn = connect()
                continue
            if response.status != 200:
                failed.append(response.status)
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": 1000 * percentile(latencies, 50),
            "p99_ms": 1000 * percentile(latencies, 99), "errors": len(errors)}


@contextlib.contextmanager
def off_core(core):
    """Keep this thread, and the load generators it starts meanwhile, off *core* (where a one-core server runs).

    On a Pi the phones are not on the Pi: a server given one core must not
    share it with the program that plays the phones, or a row measures the
    scheduler (the pinned ceiling swung 5,200–9,800 req/s between rows when
    it did).  On a one-core machine there is nowhere else to go.
    """
    before = os.sched_getaffinity(0)
    if before - {core}:
        os.sched_setaffinity(0, before - {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def side_by_side(page, ceiling, rounds):
    """Run the loads *page* and *ceiling* (no arguments) in turn, *rounds* times; the pair with the median ratio.

    A shared machine's speed drifts within minutes (the same ceiling
    measured 2,200 and 6,600 req/s minutes apart): a ratio from pairs taken
    back to back, and the median of them, is not decided by one slow or
    fast moment.
    """
    pairs = sorted(((page(), ceiling()) for _ in range(rounds)), key=lambda pair: pair[0]["rps"] / pair[1]["rps"])
    return pairs[len(pairs) // 2]


CEILING = r"""
import sys, waitress
body, ctype, threads, port = open(sys.argv[1], "rb").read(), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]
waitress.serve(app, host="127.0.0.1", port=port, threads=threads, ident="ceiling", _quiet=True)
"""


def start_ceiling(body_path, content_type, threads, log_path, *, prefix=()):
    """A plain waitress app answering the bytes in *body_path* from memory; returns (process, port).

    *prefix* goes before the command (``("taskset", "-c", "0")``: one core, as on a Pi).
    """
    port = free_port()
    proc, _ = start_server([*prefix, sys.executable, "-c", CEILING, str(body_path), content_type, str(threads),
                            str(port)], port, log_path, probe="/")
    return proc, port
