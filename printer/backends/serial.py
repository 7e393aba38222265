"""A printer on a serial port (RS-232 or a USB serial adapter), via pyserial.

Reads *and* writes have a timeout: pyserial's default write blocks forever
when the printer holds the flow control (paper out, cover open, off), which
would freeze the worker.  Like the network backend, a status query after the
job proves the printer took all of it.
"""

import logging

from .base import QUERY_PAPER, UNKNOWN, WAITING, Backend, PrinterMisconfigured, PrinterStatus, \
    PrinterUnavailable, paper_status, status_after_job

logger = logging.getLogger(__name__)

FLOW_CONTROLS = ("none", "rtscts", "xonxoff")


class SerialBackend(Backend):
    name = "seriell"

    def __init__(self, *, port, baudrate=19200, flow="none", timeout=5):
        super().__init__(timeout=timeout)
        if flow not in FLOW_CONTROLS:
            raise PrinterMisconfigured(f"okänd flödeskontroll {flow!r} (printer.serial_flow)")
        self.port, self.baudrate, self.flow = port, baudrate, flow

    def describe(self):
        return f"seriell skrivare {self.port} ({self.baudrate} baud)"

    def status(self):
        try:
            with self._open() as device:
                return paper_status(self._query(device, QUERY_PAPER))
        except PrinterUnavailable as exc:
            return PrinterStatus(WAITING, exc.reason)

    def send(self, data, *, job_id, title=""):
        import serial

        with self._open() as device:
            try:
                before = paper_status(self._query(device, QUERY_PAPER))
                if before.state == WAITING:
                    raise PrinterUnavailable(before.reason)
            except serial.SerialException as exc:
                raise PrinterUnavailable(f"{self.port}: {exc}") from exc
            try:
                device.write(data)
                device.flush()
                reply = self._query(device, QUERY_PAPER, note_silence=before.state == UNKNOWN)
            except serial.SerialTimeoutException as exc:
                raise PrinterUnavailable("skrivaren tar inte emot (avstängd, luckan öppen eller papperet slut?)",
                                         maybe_printed=True) from exc
            except serial.SerialException as exc:
                raise PrinterUnavailable(f"{self.port} försvann mitt i utskriften", maybe_printed=True) from exc
        after = status_after_job(before, reply)
        logger.info("job %s: %d bytes to %s (%s)", job_id, len(data), self.describe(),
                    "unconfirmed" if after.state == UNKNOWN else "confirmed")
        return after

    def _open(self):
        import serial

        try:
            return serial.Serial(self.port, self.baudrate, timeout=self.timeout, write_timeout=self.timeout,
                                 rtscts=self.flow == "rtscts", xonxoff=self.flow == "xonxoff")
        except (serial.SerialException, ValueError) as exc:
            raise PrinterUnavailable(f"skrivaren hittas inte på {self.port}") from exc

    def _query(self, device, query, *, note_silence=True):
        if not self.may_query():
            return b""
        device.reset_input_buffer()
        device.write(query)
        reply = device.read(1)
        if not reply and note_silence:
            self.note_silence()
        return reply
