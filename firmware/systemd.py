"""sd_notify without a dependency: one datagram to ``$NOTIFY_SOCKET``.

systemd starts the firmware as ``Type=notify`` with ``WatchdogSec=``; it
waits for ``READY=1`` and restarts the service when ``WATCHDOG=1`` stops
arriving (a hung loop, a dead print worker)::

    notify("READY=1")
    period = watchdog_seconds()      # None when systemd wants no watchdog
    notify("WATCHDOG=1")             # at least every period / 2

Outside systemd (a laptop, tests without a socket) both are harmless no-ops.
"""

import logging
import os
import socket

logger = logging.getLogger(__name__)


def notify(message, *, environ=None):
    """Send *message* (e.g. ``"READY=1"``) to systemd; False when not run by systemd."""
    environ = os.environ if environ is None else environ
    address = environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # abstract namespace
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        logger.warning("could not notify systemd (%s): %s", message, exc)
        return False
    return True


def watchdog_seconds(*, environ=None, pid=None):
    """The watchdog period systemd asked for, or None when there is none for this process."""
    environ = os.environ if environ is None else environ
    usec = environ.get("WATCHDOG_USEC")
    owner = environ.get("WATCHDOG_PID")
    if not usec or (owner and int(owner) != (pid or os.getpid())):
        return None
    return int(usec) / 1_000_000
