"""A network receipt printer at its edge: a raw TCP (port 9100 style) ESC/POS listener on 127.0.0.1.

Tests, benchmarks and the fault harness all point the box's network backend
at this one printer, so the real code path runs up to the socket.  It
answers the real-time paper query (``DLE EOT 4``), keeps every job's bytes
with the times of its first and last byte, and misbehaves on request::

    with LoopbackPrinter() as printer:          # listening on 127.0.0.1:printer.port
        printer.paper = "out"                   # "ok", "out" (roll end) or "silent" (never answers)
        printer.hang_up_after = 500             # reset the connection after 500 bytes of a job
        printer.stall_after = 200               # after 200 bytes stop reading and answering ...
        printer.stall_after = None              # ... until cleared (the stalled connection is then closed)
        printer.switch_off(); printer.switch_on()   # refused, then listening again on the same port
        printer.wait_for(6, timeout=60)         # until six jobs have arrived
        printer.jobs                            # [Job(data, first, last, cut_short), ...] in arrival order
        printer.whole_jobs()                    # the jobs that arrived up to the paper cut, undisturbed

A *job* is the job data (paper queries left out) of one connection that sent
any; it is filed when the connection ends.
"""

import logging
import socket
import struct
import threading
import time
from dataclasses import dataclass

logger = logging.getLogger(__name__)

QUERY_PAPER = b"\x10\x04\x04"           # DLE EOT 4: real-time roll paper status
PAPER_OK, PAPER_OUT = b"\x12", b"\x72"  # bits 5-6 set: roll paper end
CUT = b"\x1dV"                          # GS V: the paper cut that ends a printed job
TICK = 0.2                              # seconds between checks for switch-off and cleared stalls


@dataclass(frozen=True)
class Job:
    data: bytes        # what arrived, paper queries left out
    first: float       # time.monotonic() of the first byte
    last: float        # time.monotonic() of the last byte
    cut_short: bool    # the printer ended the connection itself (hang-up, stall or switch-off)

    @property
    def whole(self):
        """Arrived up to the paper cut on a connection the printer served normally."""
        return CUT in self.data and not self.cut_short


class LoopbackPrinter:
    """A receipt printer on 127.0.0.1 that records jobs and fails the ways real ones do."""

    def __init__(self, *, paper="ok"):
        self.paper = paper            # ok, out, or silent
        self.hang_up_after = None     # bytes of a job, then a connection reset
        self.stall_after = None       # bytes of a job, then no reading or answering until set to None
        self.jobs = []
        self.port = 0
        self._arrived = threading.Condition()
        self._off = threading.Event()
        self._off.set()
        self.switch_on()

    def switch_on(self):
        """Listen (again, on the same port after :meth:`switch_off`)."""
        if not self._off.is_set():
            return
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._server.settimeout(TICK)
        self.port = self._server.getsockname()[1]
        self._off = threading.Event()
        self._connections = []
        self._acceptor = threading.Thread(target=self._accept, args=(self._server, self._off),
                                          name="loopback-printer", daemon=True)
        self._acceptor.start()

    def switch_off(self):
        """Stop listening and drop open connections, like a printer that is off; jobs so far are filed."""
        if self._off.is_set():
            return
        self._off.set()
        self._acceptor.join()
        self._server.close()
        for connection in self._connections:
            connection.join()

    close = switch_off

    def wait_for(self, count, timeout):
        """Block until *count* jobs have arrived; returns whether they did."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.jobs) >= count, timeout)

    def whole_jobs(self):
        return [job for job in self.jobs if job.whole]

    def received(self):
        """Every byte of job data that arrived, jobs joined in arrival order."""
        return b"".join(job.data for job in self.jobs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _accept(self, server, off):
        while not off.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection = threading.Thread(target=self._serve, args=(conn, off), daemon=True)
            self._connections.append(connection)
            connection.start()

    def _serve(self, conn, off):
        data, first, last, cut_short = bytearray(), None, None, False
        conn.settimeout(TICK)
        with conn:
            while True:
                if off.is_set():
                    cut_short = True
                    break
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                queries = chunk.count(QUERY_PAPER)
                payload = chunk.replace(QUERY_PAPER, b"")
                if payload:
                    first, last = first or time.monotonic(), time.monotonic()
                    data += payload
                if self.stall_after is not None and len(data) >= self.stall_after:
                    while self.stall_after is not None and not off.wait(TICK / 4):
                        pass  # jammed: the connection stays open, nothing is read or answered
                    cut_short = True
                    break
                if self.hang_up_after is not None and len(data) >= self.hang_up_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    cut_short = True
                    break  # closing with linger 0 sends a reset
                if queries and self.paper != "silent":
                    try:
                        conn.sendall((PAPER_OUT if self.paper == "out" else PAPER_OK) * queries)
                    except OSError:
                        break
        if data:
            logger.debug("job of %d bytes%s", len(data), " (cut short)" if cut_short else "")
            with self._arrived:
                self.jobs.append(Job(bytes(data), first, last, cut_short))
                self._arrived.notify_all()
