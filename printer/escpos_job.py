"""Turn a :class:`~printer.layout.Receipt` into the bytes of one ESC/POS job.

The job is built in python-escpos's ``Dummy`` printer and sent to the real
backend in one write, so a job is either handed over whole or not at all.
Three traps of the library are handled here:

* the code page is forced to CP858 (``ESC t 19`` on Epson profiles) right
  after ``ESC @`` — the library does not resend it after an init, and a
  printer that was reset in between would print åäö from its default page;
* text is mapped by :func:`sync.text.printable` first, so "—" prints as
  "-" instead of "?";
* ``import escpos.printer`` is slow and calls ``logging.basicConfig()``; it
  is imported on first use, with the capabilities pickled to a cache folder,
  and the handler it adds to the root logger is removed again.
"""

import dataclasses
import logging
import os
import tempfile

from sync.text import printable

from .layout import QR, Feed, Line

logger = logging.getLogger(__name__)

CODE_PAGE = "CP858"
QR_MODES = ("auto", "native", "image")
_dummy_class = None


def dummy_class():
    """python-escpos's ``Dummy`` printer, imported once and quietly."""
    global _dummy_class
    if _dummy_class is None:
        cache = os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR",
                                      os.path.join(tempfile.gettempdir(), f"hembas-escpos-{os.getuid()}"))
        os.makedirs(cache, mode=0o700, exist_ok=True)
        root = logging.getLogger()
        handlers = list(root.handlers)
        from escpos.printer import Dummy
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        _dummy_class = Dummy
    return _dummy_class


def new_job(profile):
    """A Dummy printer for *profile*, initialised with the forced code page."""
    printer = dummy_class()(profile=profile)
    init(printer)
    return printer


def init(printer):
    """``ESC @`` and the code page, always together."""
    printer.hw("INIT")
    printer.magic.encoding = None  # the printer forgot it: make the library send ESC t again
    printer.charcode(CODE_PAGE)


def warm_up(*, profile, qr_mode, columns):
    """Import python-escpos and build one small job with a QR code, then throw it away.

    The print worker calls this when it starts, so the first press of the
    button does not wait for the library's import and first QR (about a
    third of a second here, more on a Pi).
    """
    from .layout import Receipt

    receipt = Receipt(columns=columns)
    receipt.title("Hembas")
    receipt.qr("https://hembas.local/")
    encode(receipt, profile=profile, qr_mode=qr_mode)


def uses_native_qr(printer, qr_mode):
    if qr_mode not in QR_MODES:
        raise ValueError(f"qr must be one of {', '.join(QR_MODES)}")
    return qr_mode == "native" or (qr_mode == "auto" and printer.profile.supports("qrCode"))


def encode(receipt, *, profile="TM-T20II", qr_mode="auto", cut=True):
    """The ESC/POS bytes that print *receipt* and cut it off."""
    printer = new_job(profile)
    native_qr = uses_native_qr(printer, qr_mode)
    style = None
    for block in receipt.blocks:
        if isinstance(block, Line):
            if block.indent and block.invert:
                printer.set(invert=False)
                printer.text(" " * block.indent)
                style = None
            elif block.indent:
                block = dataclasses.replace(block, text=" " * block.indent + block.text)
            wanted = (block.bold, block.big, block.invert, block.center)
            if wanted != style:
                printer.set(align="center" if block.center else "left", bold=block.bold,
                            double_width=block.big, double_height=block.big, invert=block.invert,
                            normal_textsize=not block.big)
                style = wanted
            printer.textln(printable(block.text))
        elif isinstance(block, Feed):
            printer.ln(block.lines)
        elif isinstance(block, QR):
            printer.set(align="center", bold=False, invert=False, normal_textsize=True)
            style = None
            if native_qr:
                printer.qr(block.data, native=True, size=6)
                printer.ln()
            else:
                printer.qr(block.data, native=False, size=4)  # ESC a 1 centres it; padding would cost bytes
        else:
            raise TypeError(f"unknown block {block!r}")
    printer.set(align="left", bold=False, invert=False, normal_textsize=True)
    if cut:
        printer.cut()
    return printer.output
