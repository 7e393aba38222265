"""Refused sign-ins in the audit log: every source is logged, a flood is not written line by line.

Anyone on the base's wifi can send wrong PINs without signing in.  Writing
(and fsyncing) an audit entry for each one let a laptop write 2,789 entries in
20 s, push real accesses out of the coordinator's view and, over days, fill
the SD card.  So per source address and action the first refusal of a minute
is written at once, and the rest of that minute become one entry with the
count, the accounts tried and the first and last time::

    refusals = RefusalLog(box.audit)
    refusals.record("signin.failed", actor="okänd (10.0.0.9)", address="10.0.0.9", target="u-1f…")
    refusals.flush()        # every request: minutes that have ended are written

Only refusals go through here; every access to client data and every
successful sign-in is written at once by :func:`webui.auth.audit`.  A crash
can lose the count of the current minute, never the first refusal of it.
"""

import datetime as dt
import logging
import threading
import time

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
MAX_SOURCES = 256  # open minutes kept in memory; beyond that the oldest is written early
MAX_TARGETS = 20


class RefusalLog:
    def __init__(self, audit_log, *, window=WINDOW_SECONDS, clock=time.monotonic):
        self._audit = audit_log
        self._window = window
        self._clock = clock
        self._open = {}  # (action, address) -> the minute being counted
        self._lock = threading.Lock()

    def record(self, action, *, actor, address, target="", detail=None):
        """Log one refusal from *address* (at once when it is the first of its minute)."""
        now = self._clock()
        with self._lock:
            self._flush(now)
            key = (action, address)
            minute = self._open.get(key)
            if minute is None:
                self._open[key] = {"opened": now, "actor": actor, "count": 0, "targets": set(), "first": "",
                                   "last": ""}
                write = True
            else:
                stamp = _stamp()
                minute["count"] += 1
                minute["first"] = minute["first"] or stamp
                minute["last"] = stamp
                if target and len(minute["targets"]) < MAX_TARGETS:
                    minute["targets"].add(target)
                write = False
            if len(self._open) > MAX_SOURCES:
                oldest = min(self._open, key=lambda k: self._open[k]["opened"])
                self._write(oldest, self._open.pop(oldest))
        if write:
            self._audit.record(action, actor=actor, target=target, detail={"address": address, **(detail or {})})

    def flush(self, *, everything=False):
        """Write the counts of minutes that have ended (all of them with *everything*)."""
        if not self._open:
            return
        with self._lock:
            self._flush(None if everything else self._clock())

    def _flush(self, now):
        ended = [k for k, m in self._open.items() if now is None or now - m["opened"] >= self._window]
        for key in ended:
            self._write(key, self._open.pop(key))

    def _write(self, key, minute):
        if not minute["count"]:
            return
        action, address = key
        targets = sorted(minute["targets"])
        self._audit.record(action, actor=minute["actor"], target=targets[0] if len(targets) == 1 else "",
                           detail={"address": address, "repeated": minute["count"], "first": minute["first"],
                                   "last": minute["last"], "targets": targets})
        logger.warning("%d more %s from %s in a minute", minute["count"], action, address)


def _stamp():
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
