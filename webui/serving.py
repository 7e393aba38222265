"""The server behind ``hembas serve``: waitress, with idle and hostile connections bounded.

waitress serves every phone from one asyncore loop and a few worker
threads.  Its defaults let 100 idle connections take the UI down: at
``connection_limit`` it stops accepting, and an idle connection is closed
only after ``channel_timeout`` (120 s).  A phone on weak wifi is slow, but
a dozen slow phones or one hostile laptop must not keep the others out, so:

* **per address** at most ``connections_per_address`` connections (a
  browser opens up to 6); further ones are closed as soon as they are
  accepted;
* **when full**, the connection idle longest (no request being served) is
  closed to make room, instead of making the next phone wait in the
  kernel's backlog;
* **idle** connections are closed after ``idle_seconds`` (the browser opens
  a new one when it needs it), checked every few seconds;
* request headers and bodies are bounded before Flask sees them: a body up
  to twice ``max_upload_kb`` is still read, so a plan file a bit too big
  gets Flask's Swedish "Filen är för stor" page; a bigger one is cut off
  (waitress answers 413 and closes) instead of being buffered.

Behind nginx (``[tls] enabled``, see deploy/nginx.py) every connection comes
from 127.0.0.1, so the per-address cap moves into nginx (``limit_conn``), and
waitress takes the phone's address from ``X-Forwarded-For`` — only from
127.0.0.1, where nginx replaces whatever the phone sent — so the lockout and
the refusal log still count per phone, not for nginx as a whole.

With ``one_core`` (the default) the server keeps all its threads on one
CPU (:func:`keep_to_one_core`).  Only one thread runs Python at a time
anyway, but threads on different cores hand the GIL to each other through
the kernel at every system call: at 50 connections on two cores a cached
page cost 1.4 ms of CPU instead of 0.5 ms, and the server answered 690
instead of 1,840 requests a second (issue 15, docs/benchmarks.md).  The
other cores stay free for nginx, the hardware daemon and the sync loop.

::

    keep_to_one_core(config["web"]["one_core"])   # before any thread starts
    server = make_server(app, config["web"], host="0.0.0.0", port=8080)
    server.run()
"""

import logging
import os
import time

from waitress.server import TcpWSGIServer

logger = logging.getLogger(__name__)
# waitress warns "Task queue depth is N" for every request that waits for a worker thread: at the
# morning rush that is most of them, one journal line each on the SD card, and a tenth of a page's CPU.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)

MAX_HEADER_BYTES = 64 * 1024   # cookies and a form's URL fit many times over
BODY_FACTOR = 2                # bodies up to twice the upload limit are read: see make_server
WARN_EVERY = 60                # seconds between log lines about refused connections


def keep_to_one_core(enabled=True):
    """Keep this process on one of the CPUs it may use (the last); returns that CPU, or None if left alone.

    Call before starting threads: a thread inherits its creator's CPUs.
    """
    if not enabled or not hasattr(os, "sched_setaffinity"):
        return None
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2:
        return None
    cpu = max(allowed)
    os.sched_setaffinity(0, {cpu})
    logger.info("web server kept to CPU %d of %d (web.one_core)", cpu, len(allowed))
    return cpu


class GuardedServer(TcpWSGIServer):
    """A waitress TCP server that caps connections per address and sheds the longest-idle when full."""

    def __init__(self, application, *, per_address, **adjustments):
        self.per_address = per_address
        self.refused = self.shed = 0  # counted for the log and the tests
        self._warned = 0.0
        super().__init__(application, **adjustments)

    def handle_accept(self):
        try:
            accepted = self.accept()
        except OSError:
            return
        if accepted is None:
            return
        conn, addr = accepted
        host = addr[0]
        if sum(1 for ch in self.active_channels.values() if ch.addr[0] == host and not ch.will_close) >= self.per_address:
            self.refused += 1
            self._note(f"{host} has {self.per_address} connections open; closing the next")
            conn.close()
            return
        try:
            self.set_socket_options(conn)
        except OSError:
            conn.close()
            return
        self.channel_class(self, conn, self.fix_addr(addr), self.adj, map=self._map)
        if len(self._map) >= self.adj.connection_limit:
            self.shed_idle()

    def readable(self):
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            self.shed_idle()
        return super().readable()

    def shed_idle(self):
        """Close the connection idle longest (serving no request) to make room for the next phone."""
        idle = [ch for ch in self.active_channels.values() if not ch.requests and not ch.will_close]
        if not idle:
            return False
        oldest = min(idle, key=lambda ch: ch.last_activity)
        oldest.will_close = True  # waitress closes it on the loop's next turn
        self.shed += 1
        self._note(f"all {self.adj.connection_limit} connections taken; closing the one idle longest")
        return True

    def _note(self, message):
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            logger.warning("%s (so far: %d refused, %d shed)", message, self.refused, self.shed)


PROXY = "127.0.0.1"            # nginx, the only peer whose X-Forwarded-For is believed


def make_server(app, web, *, host, port, behind_proxy=False):
    """A :class:`GuardedServer` for *app* with the ``[web]`` settings *web* (*behind_proxy*: nginx in front)."""
    idle = web["idle_seconds"]
    proxy = {}
    if behind_proxy:
        # waitress's documented proxy options: the peer must be PROXY, only the last hop counts,
        # and the headers are removed from any other peer's request.
        proxy = dict(trusted_proxy=PROXY, trusted_proxy_count=1, clear_untrusted_proxy_headers=True,
                     trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"})
    return GuardedServer(
        app, per_address=web["connection_limit"] if behind_proxy else web["connections_per_address"],
        host=PROXY if behind_proxy else host, port=port, threads=web["threads"], **proxy,
        ident="hembas", connection_limit=web["connection_limit"], channel_timeout=idle,
        cleanup_interval=max(1, min(5, idle // 2)), asyncore_use_poll=True,
        max_request_header_size=MAX_HEADER_BYTES,
        max_request_body_size=BODY_FACTOR * web["max_upload_kb"] * 1024)
