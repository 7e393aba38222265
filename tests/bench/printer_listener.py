"""A network receipt printer at its edge: a TCP listener on 127.0.0.1 that records what arrives.

It answers the real-time paper query (``DLE EOT 4``) like a printer with
paper, and timestamps the first and last byte of every job, so benchmarks
can measure press-to-paper and fault scenarios can count what printed::

    with PrinterListener() as printer:
        config printer.host = "127.0.0.1", printer.port = printer.port
        ...
        printer.jobs   # [{"first": t, "last": t, "bytes": n}, ...] (time.monotonic)
"""

import socket
import threading
import time

QUERY_PAPER = b"\x10\x04\x04"
PAPER_OK = b"\x12"


class PrinterListener:
    def __init__(self):
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.jobs = []
        self.arrived = threading.Condition()
        self._thread = threading.Thread(target=self._serve, name="printer-listener", daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._job, args=(conn,), daemon=True).start()

    def _job(self, conn):
        job = {"first": None, "last": None, "bytes": 0}
        with conn:
            conn.settimeout(10)
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                now = time.monotonic()
                queries = chunk.count(QUERY_PAPER)
                payload = len(chunk) - queries * len(QUERY_PAPER)
                if payload:
                    job["first"] = job["first"] or now
                    job["last"], job["bytes"] = now, job["bytes"] + payload
                if queries:
                    conn.sendall(PAPER_OK * queries)
        if job["bytes"]:
            with self.arrived:
                self.jobs.append(job)
                self.arrived.notify_all()

    def wait_for(self, count, timeout):
        """Block until *count* jobs have arrived; returns whether they did."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.jobs) >= count, timeout)

    def close(self):
        self._server.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
