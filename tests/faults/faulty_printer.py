"""A network receipt printer on 127.0.0.1 that can be unplugged, run out of paper or hang.

It speaks what :class:`printer.backends.network.NetworkBackend` needs: it
answers the real-time paper query (``DLE EOT 4``) and keeps every job's
bytes.  A job counts as *printed* when its bytes arrived up to the paper cut
(``GS V``) on a connection the printer served normally::

    with FaultyPrinter() as printer:
        printer.set_fault("paper_out")   # "unplugged", "paper_out", "hang" or None
        ...
        printer.printed                  # [bytes of each whole job, in arrival order]
        printer.partial                  # [bytes of each job cut short]

``unplugged`` closes the listening socket (connections are refused) and
opens it again on the same port when cleared; ``hang`` takes a job's first
bytes, then stops reading and answering until the fault is cleared.
"""

import socket
import threading

QUERY_PAPER = b"\x10\x04\x04"
PAPER_OK, PAPER_OUT = b"\x12", b"\x72"  # bits 5-6 set: roll paper end
CUT = b"\x1dV"
HANG_AFTER = 200  # bytes of a job taken before a hanging printer stops


class FaultyPrinter:
    def __init__(self):
        self.printed, self.partial = [], []
        self.fault = None
        self._cleared = threading.Event()
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._start()

    def _start(self):
        threading.Thread(target=self._serve, args=(self._server,), name="faulty-printer", daemon=True).start()

    def set_fault(self, fault):
        """Start a fault, or clear it with None (plugging the printer back in)."""
        if fault == "unplugged" and self.fault != "unplugged":
            self._stop_listening()
        if fault is None and self.fault == "unplugged":
            self._server = socket.create_server(("127.0.0.1", self.port))
            self._start()
        self.fault = fault
        self._cleared.clear() if fault else self._cleared.set()

    def _serve(self, server):
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._job, args=(conn,), daemon=True).start()

    def _job(self, conn):
        received, hung = bytearray(), False
        with conn:
            conn.settimeout(10)
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                queries = chunk.count(QUERY_PAPER)
                received += chunk.replace(QUERY_PAPER, b"")
                if self.fault == "hang" and len(received) >= HANG_AFTER:
                    hung = True
                    self._cleared.wait(60)  # stops reading and answering; the sender times out
                    break
                if queries:
                    conn.sendall((PAPER_OUT if self.fault == "paper_out" else PAPER_OK) * queries)
        with self._lock:
            if CUT in received and not hung:
                self.printed.append(bytes(received))
            elif received:
                self.partial.append(bytes(received))

    def _stop_listening(self):
        try:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        except OSError:
            pass
        self._server.close()

    def close(self):
        self._cleared.set()
        self._stop_listening()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
