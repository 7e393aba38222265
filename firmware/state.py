"""Gather the :class:`~firmware.signals.SystemState` from the store and the print queue.

The firmware only reads what the other parts already publish: the plan's
freshness and the clock (:meth:`sync.box.Box.freshness`), the last sync
(``sync.network.status.SyncStatus``), the printer (``PrintQueue.status()``),
whether the printed binder is out of date (``BinderStore.reminder()``,
asked at most once a minute: it compares two weeks of visits), the settings
file's problems (:mod:`sync.provisioning`) and the last USB stick
(:mod:`sync.stick`).
A store that cannot be read is itself a state to show, never a crash.
"""

import logging

from printer.binder_store import BinderStore
from sync import provisioning, stick
from sync.certificate import box_status
from sync.errors import StoreError

from .signals import SystemState

logger = logging.getLogger(__name__)

BINDER_EVERY = 60  # seconds between comparisons of the printed binder with the plan


def read_system_state(box, queue, *, sync_status, binders=None):
    """The current :class:`SystemState`; *sync_status* is a :class:`sync.network.status.SyncStatus`,
    *binders* the daemon's :class:`printer.binder_store.BinderStore` (one is made if not given)."""
    try:
        fresh = box.freshness()
        printer = queue.status()
        sync_error = sync_status.read()["last_error"] or ""
        binder = (binders or BinderStore(box)).reminder(max_age=BINDER_EVERY)
        certificate = box_status(box)
    except StoreError as exc:
        logger.warning("state: store error: %s", exc)
        return SystemState(clock_trusted=box.clock.status().trusted, store_error=str(exc))
    stick_busy, stick_error = stick.lights(box.data_dir)
    return SystemState(
        setup_errors=len((provisioning.read_errors(box.data_dir) or {}).get("errors", [])),
        stick_busy=stick_busy,
        stick_error=stick_error,
        clock_trusted=fresh["clock_trusted"],
        plan_loaded=fresh["plan"],
        plan_stale=fresh["stale"],
        sync_error=sync_error,
        printer_state=printer["state"],
        printer_reason=printer["reason"],
        printer_busy=bool(printer.get("busy") or printer.get("pending")),
        binder_stale=binder["reason"] if binder["stale"] else "",
        certificate_warning=certificate["warning"] if certificate else "",
    )

