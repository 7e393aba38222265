"""Printers at their edge: a TCP receipt printer on 127.0.0.1 and a socat pty pair."""

import shutil
import subprocess
import time

import pytest
from loopback_printer import LoopbackPrinter


@pytest.fixture
def net_printer():
    with LoopbackPrinter() as printer:
        yield printer


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
