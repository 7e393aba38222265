"""A printer as a device file: ``/dev/usb/lp0`` from the kernel's usblp driver.

This is the plain way to drive most USB receipt printers on a Pi, with no
USB library.  The file is opened per job, non-blocking, and each write waits
for the device with ``select`` up to the timeout, so a printer that stops
taking data cannot hang the worker.  usblp answers the ``LPGETSTATUS`` ioctl
(paper out, offline); a plain file cannot, and its status stays unknown.
A missing file means the printer is unplugged or off: the job waits.
"""

import errno
import fcntl
import logging
import os
import select
import struct

from .base import OK, UNKNOWN, WAITING, Backend, PrinterStatus, PrinterUnavailable

logger = logging.getLogger(__name__)

LPGETSTATUS = 0x060B
LP_POUTPA = 0x20    # paper out
LP_PSELECD = 0x10   # selected (online)


class FileBackend(Backend):
    name = "fil"

    def __init__(self, *, device="/dev/usb/lp0", timeout=5):
        super().__init__(timeout=timeout)
        self.device = device

    def describe(self):
        return f"skrivare på {self.device}"

    def status(self):
        try:
            fd = self._open()
        except PrinterUnavailable as exc:
            return PrinterStatus(WAITING, exc.reason)
        try:
            return self._port_status(fd)
        finally:
            os.close(fd)

    def send(self, data, *, job_id, title=""):
        fd = self._open()
        try:
            before = self._port_status(fd)
            if before.state == WAITING:
                raise PrinterUnavailable(before.reason)
            view, sent = memoryview(data), 0
            while sent < len(data):
                _, writable, _ = select.select([], [fd], [], self.timeout)
                if not writable:
                    raise PrinterUnavailable("skrivaren tar inte emot data", maybe_printed=sent > 0)
                try:
                    sent += os.write(fd, view[sent:])
                except BlockingIOError:
                    continue
                except OSError as exc:
                    raise PrinterUnavailable(f"{self.device}: {exc.strerror}", maybe_printed=sent > 0) from exc
            after = self._port_status(fd)
        finally:
            os.close(fd)
        logger.info("job %s: %d bytes to %s", job_id, len(data), self.device)
        return PrinterStatus(UNKNOWN, "skickat, men skrivaren kan inte bekräfta") if after.state == UNKNOWN else after

    def _open(self):
        try:
            return os.open(self.device, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK)
        except FileNotFoundError as exc:
            raise PrinterUnavailable(f"skrivaren hittas inte ({self.device} saknas – urkopplad eller avstängd?)") \
                from exc
        except OSError as exc:
            raise PrinterUnavailable(f"kan inte öppna {self.device}: {exc.strerror}") from exc

    def _port_status(self, fd):
        try:
            raw = fcntl.ioctl(fd, LPGETSTATUS, struct.pack("i", 0))
        except OSError as exc:
            if exc.errno not in (errno.ENOTTY, errno.EINVAL):
                logger.warning("LPGETSTATUS on %s failed: %s", self.device, exc)
            return PrinterStatus(UNKNOWN, "skrivaren kan inte svara på statusfrågor")
        (status,) = struct.unpack("i", raw)
        if status & LP_POUTPA:
            return PrinterStatus(WAITING, "papperet är slut")
        if not status & LP_PSELECD:
            return PrinterStatus(WAITING, "skrivaren är inte redo (offline)")
        return PrinterStatus(OK, "skrivaren är redo")
