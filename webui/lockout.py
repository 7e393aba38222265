"""Slowing down PIN guessing: a growing wait per account and per client address.

A four-digit PIN falls to 10,000 guesses, so every wrong PIN past the first
few doubles the wait before the next try counts, both for the account tried
and for the phone (address) trying.  The counters live in the data folder, so
restarting the server does not reset them::

    lockout = Lockout(data_dir, free_attempts=3, base_seconds=30, max_seconds=900)
    keys = [f"user:{user_id}", f"addr:{remote_addr}"]
    if lockout.wait_seconds(keys): ...   # refuse without checking the PIN
    lockout.failed(keys)                 # after a wrong PIN
    lockout.succeeded(keys)              # after a right one
"""

import datetime as dt
import logging
import math

from sync.store.database import Database

logger = logging.getLogger(__name__)


def delay_after(failures, *, free_attempts, base_seconds, max_seconds):
    """Seconds to wait after *failures* wrong tries in a row: 0, …, 0, base, 2×base, 4×base … max."""
    if failures < free_attempts:
        return 0
    return min(max_seconds, base_seconds * 2 ** (failures - free_attempts))


def _utcnow():
    return dt.datetime.now(dt.timezone.utc)


class Lockout:
    """Failure counters in ``lockout.json``."""

    def __init__(self, data_dir, *, free_attempts=3, base_seconds=30, max_seconds=900):
        self._db = Database(data_dir / "lockout.json")
        self._policy = {"free_attempts": free_attempts, "base_seconds": base_seconds, "max_seconds": max_seconds}

    def _rows(self):
        return {r["key"]: r for r in self._db.read_all().get("failures", {}).values()}

    def wait_seconds(self, keys, *, now=None):
        """How long any of *keys* must still wait (whole seconds, 0 = may try now)."""
        now, rows, wait = now or _utcnow(), self._rows(), 0.0
        for key in keys:
            row = rows.get(key)
            if row:
                until = dt.datetime.fromisoformat(row["last"]) + dt.timedelta(
                    seconds=delay_after(row["count"], **self._policy))
                wait = max(wait, (until - now).total_seconds())
        return math.ceil(wait)

    def failed(self, keys, *, now=None):
        """Count one wrong try against every key."""
        stamp = (now or _utcnow()).isoformat(timespec="seconds")
        with self._db.transaction() as db:
            rows, table = self._rows(), db.table("failures")
            for key in keys:
                if key in rows:
                    table.update({"count": rows[key]["count"] + 1, "last": stamp}, lambda r, k=key: r["key"] == k)
                else:
                    table.insert({"key": key, "count": 1, "last": stamp})
        logger.warning("wrong PIN or code for %s", ", ".join(keys))

    def succeeded(self, keys):
        """Forget the failures of *keys* after a correct PIN."""
        with self._db.transaction() as db:
            db.table("failures").remove(lambda r: r["key"] in keys)
