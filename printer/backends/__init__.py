"""Printer backends, one module each, chosen by ``printer.backend`` in the configuration."""

from .base import ERROR, OK, UNKNOWN, WAITING, Backend, PrinterMisconfigured, PrinterStatus, PrinterUnavailable

BACKENDS = ("preview", "usb", "serial", "network", "file")


def open_backend(config):
    """The backend the configuration names (no device is opened yet)."""
    settings = config["printer"]
    timeout = settings["timeout_seconds"]
    kind = settings["backend"]
    if kind == "preview":
        from .preview import PreviewBackend
        return PreviewBackend(data_dir=config.data_dir, timeout=timeout)
    if kind == "network":
        from .network import NetworkBackend
        return NetworkBackend(host=settings["host"], port=settings["port"], timeout=timeout)
    if kind == "serial":
        from .serial import SerialBackend
        return SerialBackend(port=settings["serial_port"], baudrate=settings["serial_baudrate"],
                             flow=settings["serial_flow"], timeout=timeout)
    if kind == "file":
        from .file import FileBackend
        return FileBackend(device=settings["device"], timeout=timeout)
    if kind == "usb":
        from .usb import UsbBackend
        return UsbBackend(vendor=settings["usb_vendor"], product=settings["usb_product"], timeout=timeout)
    raise PrinterMisconfigured(f"okänd skrivare {kind!r} (printer.backend: {', '.join(BACKENDS)})")


__all__ = ["BACKENDS", "ERROR", "OK", "UNKNOWN", "WAITING", "Backend", "PrinterMisconfigured", "PrinterStatus",
           "PrinterUnavailable", "open_backend"]
