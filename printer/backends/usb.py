"""A USB printer addressed by vendor and product id, through python-escpos and pyusb.

Use this only when the kernel's usblp driver is not available; the ``file``
backend on ``/dev/usb/lp0`` needs no extra library and is the recommended
way.  pyusb is not a Hembas dependency: without it this backend refuses
with a clear reason instead of failing at import.
"""

import logging

from .base import WAITING, Backend, PrinterMisconfigured, PrinterStatus, PrinterUnavailable, \
    QUERY_PAPER, paper_status

logger = logging.getLogger(__name__)


class UsbBackend(Backend):
    name = "usb"

    def __init__(self, *, vendor, product, timeout=5):
        super().__init__(timeout=timeout)
        if not vendor or not product:
            raise PrinterMisconfigured("USB-skrivarens id saknas (printer.usb_vendor och printer.usb_product)")
        self.vendor, self.product = vendor, product

    def describe(self):
        return f"USB-skrivare {self.vendor:04x}:{self.product:04x}"

    def status(self):
        try:
            printer = self._open()
        except PrinterUnavailable as exc:
            return PrinterStatus(WAITING, exc.reason)
        try:
            return paper_status(self._query(printer))
        finally:
            printer.close()

    def send(self, data, *, job_id, title=""):
        printer = self._open()
        try:
            before = paper_status(self._query(printer))
            if before.state == WAITING:
                raise PrinterUnavailable(before.reason)
            try:
                printer._raw(data)
            except Exception as exc:  # pyusb raises its own USBError (an OSError) or USBTimeoutError
                raise PrinterUnavailable(f"{self.describe()}: {exc}", maybe_printed=True) from exc
            return paper_status(self._query(printer))
        finally:
            printer.close()

    def _open(self):
        from ..escpos_job import dummy_class

        dummy_class()  # the quiet, cached import of escpos.printer
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise PrinterMisconfigured("pyusb saknas – använd backend \"file\" med /dev/usb/lp0")
        printer = Usb(self.vendor, self.product, timeout=int(self.timeout * 1000))
        try:
            printer.open(raise_not_found=True)
        except Exception as exc:  # USBNotFoundError, DeviceNotFoundError
            raise PrinterUnavailable(f"{self.describe()} hittas inte ({exc})") from exc
        return printer

    def _query(self, printer):
        if not self.may_query():
            return b""
        try:
            printer._raw(QUERY_PAPER)
            reply = printer._read()
        except Exception:  # a timeout from pyusb: the printer is silent
            reply = b""
        if not reply:
            self.note_silence()
        return bytes(reply[:1])
