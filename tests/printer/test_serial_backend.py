"""The serial backend through pyserial on a real pty pair made by socat."""

import threading

import pytest
import serial

from printer.backends import OK, WAITING, PrinterUnavailable
from printer.backends.serial import SerialBackend

JOB = b"\x1b@\x1bt\x13" + "Körlista åäö\n".encode("cp858") * 50 + b"\x1dV\x00"


class SerialTestPrinter:
    """The printer's end of the pty: collects bytes, answers DLE EOT 4."""

    def __init__(self, path, *, paper_out=False):
        self.port = serial.Serial(path, 19200, timeout=0.1)
        self.paper_out = paper_out
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            chunk = self.port.read(4096)
            self.received += chunk
            if self.received.endswith(b"\x10\x04\x04"):
                del self.received[-3:]
                self.port.write(bytes([0x72 if self.paper_out else 0x12]))

    def close(self):
        self._stop.set()
        self._thread.join()
        self.port.close()


@pytest.fixture
def serial_printer(pty_pair):
    pty_pair.start()
    printer = SerialTestPrinter(pty_pair.printer_end)
    yield printer
    printer.close()


def test_job_goes_through_the_port_and_is_confirmed(pty_pair, serial_printer):
    after = SerialBackend(port=pty_pair.box_end, timeout=2).send(JOB, job_id="j1")
    assert after.state == OK
    serial_printer.close()
    assert bytes(serial_printer.received) == JOB


def test_paper_out_is_reported_and_nothing_is_sent(pty_pair, serial_printer):
    serial_printer.paper_out = True
    box_side = SerialBackend(port=pty_pair.box_end, timeout=2)
    assert box_side.status().state == WAITING
    with pytest.raises(PrinterUnavailable, match="papperet är slut"):
        box_side.send(JOB, job_id="j1")
    serial_printer.close()
    assert bytes(serial_printer.received) == b""


def test_unplugged_adapter_makes_the_job_wait(tmp_path):
    with pytest.raises(PrinterUnavailable, match="hittas inte"):
        SerialBackend(port=str(tmp_path / "ttyUSB0"), timeout=1).send(JOB, job_id="j1")


def test_flow_control_is_passed_to_pyserial(pty_pair, serial_printer):
    after = SerialBackend(port=pty_pair.box_end, flow="xonxoff", timeout=2).send(b"x", job_id="j1")
    assert after.state == OK
