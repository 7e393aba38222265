"""Gather the :class:`~firmware.signals.SystemState` from the store and the print queue.

The firmware only reads what the other parts already publish: the plan's
freshness and the clock (:meth:`sync.box.Box.freshness`), the last sync
(``sync.sync_status.SyncStatus``), and the printer (``PrintQueue.status()``).
A store that cannot be read is itself a state to show, never a crash.
"""

import logging

from sync.errors import StoreError

from .signals import SystemState

logger = logging.getLogger(__name__)


def read_system_state(box, queue, *, sync_status=None):
    """The current :class:`SystemState`; *sync_status* is a SyncStatus or None (no network sync)."""
    try:
        fresh = box.freshness()
        printer = queue.status()
        sync_error = (sync_status.read().get("last_error") or "") if sync_status is not None else ""
    except StoreError as exc:
        logger.warning("state: store error: %s", exc)
        return SystemState(clock_trusted=box.clock.status().trusted, store_error=str(exc))
    return SystemState(
        clock_trusted=fresh["clock_trusted"],
        plan_loaded=fresh["plan"],
        plan_stale=fresh["stale"],
        sync_error=str(sync_error),
        printer_state=printer.get("state", "unknown"),
        printer_reason=printer.get("reason", ""),
        printer_busy=bool(printer.get("busy")),
    )


def open_sync_status(data_dir):
    """The sync engineer's SyncStatus for *data_dir*, or None where that part is absent."""
    try:
        from sync.sync_status import SyncStatus
    except ImportError:
        return None
    return SyncStatus(data_dir)
