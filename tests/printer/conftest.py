"""Printers at their edge: a TCP receipt printer on 127.0.0.1 and a socat pty pair."""

import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

PAPER_OK, PAPER_OUT = 0x12, 0x72  # replies to DLE EOT 4
QUERY = b"\x10\x04\x04"


class NetworkTestPrinter:
    """A raw-TCP (port 9100 style) printer: records jobs, answers paper queries, can hang up mid-job."""

    def __init__(self):
        self.paper = "ok"            # ok, out, or silent (never answers)
        self.hang_up_after = None    # bytes of job data, then a connection reset
        self.stall_after = None      # bytes of job data, then it stops reading and answering (jammed)
        self.jobs = []               # the job bytes of each connection that sent any
        self.port = 0
        self.switch_on()

    def switch_on(self):
        """Listen (again, on the same port after :meth:`switch_off`)."""
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def switch_off(self):
        """Stop listening: connections are refused, like a printer that is off."""
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join()
            self._server.close()

    def printed(self):
        return b"".join(self.jobs)

    close = switch_off

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        job = bytearray()
        conn.settimeout(0.2)
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    break
                query = chunk.endswith(QUERY)
                job += chunk[:-len(QUERY)] if query else chunk
                if self.stall_after is not None and len(job) >= self.stall_after:
                    self._stop.wait()  # hung: the connection stays open, nothing is read or answered
                    break
                if self.hang_up_after is not None and len(job) >= self.hang_up_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break  # closing with linger 0 sends a reset
                if query and self.paper != "silent":
                    conn.sendall(bytes([PAPER_OUT if self.paper == "out" else PAPER_OK]))
        if job:
            self.jobs.append(bytes(job))


@pytest.fixture
def net_printer():
    printer = NetworkTestPrinter()
    yield printer
    printer.close()


@pytest.fixture
def network_box(box, net_printer):
    """The demo box, printing to the test printer on 127.0.0.1."""
    box.config["printer"].update(backend="network", host="127.0.0.1", port=net_printer.port, timeout_seconds=2)
    return box


class PtyPair:
    """Two linked pseudo-terminals from socat: the box's end and the printer's end."""

    def __init__(self, folder):
        self.box_end, self.printer_end = str(folder / "ttyBOX"), str(folder / "ttyPRINTER")
        self._folder = folder
        self._process = None

    def start(self):
        self._process = subprocess.Popen(
            ["socat", f"pty,raw,echo=0,link={self.box_end}", f"pty,raw,echo=0,link={self.printer_end}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if (self._folder / "ttyBOX").exists() and (self._folder / "ttyPRINTER").exists():
                return
            time.sleep(0.02)
        raise RuntimeError("socat did not create the pty pair")

    def stop(self):
        if self._process:
            self._process.terminate()
            self._process.wait()
            self._process = None


@pytest.fixture
def pty_pair(tmp_path):
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed")
    pair = PtyPair(tmp_path)
    yield pair
    pair.stop()
