"""Slowing down PIN guessing: a growing wait per key (an account, a phone, an address).

A four-digit PIN falls to 10,000 guesses, so every wrong try past the first
few doubles the wait before the next try counts.  The counters live in the
data folder, so restarting the server does not reset them::

    lockout = Lockout(data_dir, free_attempts=3, base_seconds=30, max_seconds=900)
    keys = [f"untrusted:{user_id}", f"addr:{remote_addr}"]
    wait = lockout.begin(keys)      # 0: go ahead (the try is already counted), else seconds to wait
    if not wait and pin_is_right:
        lockout.succeeded(keys)     # forget the failures

:meth:`Lockout.begin` checks and counts in one transaction (the database's
lock is shared by threads and processes), *before* the PIN is checked: forty
guesses sent at once cannot all slip past a check that the others have not
counted yet, and no lock is held during the slow argon2 check, so one flood
cannot make every phone queue behind its hashes.  Which keys a try counts
against (a known phone's own key, or the untrusted path) is the sign-in
page's decision (see :mod:`webui.devices`).
"""

import datetime as dt
import logging
import math

from sync.store.database import Database

logger = logging.getLogger(__name__)

FORGET_AFTER = dt.timedelta(hours=24)  # a key with no failure for a day starts afresh


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
            if row and now - dt.datetime.fromisoformat(row["last"]) < FORGET_AFTER:
                until = dt.datetime.fromisoformat(row["last"]) + dt.timedelta(
                    seconds=delay_after(row["count"], **self._policy))
                wait = max(wait, (until - now).total_seconds())
        return math.ceil(wait)

    def begin(self, keys, *, now=None):
        """Check *keys* and, when none must wait, count this try against each: one atomic step.

        Returns the seconds still to wait (nothing was counted) or 0 (the try
        counts as a failure until :meth:`succeeded` says otherwise).
        """
        now = now or _utcnow()
        with self._db.transaction():
            wait = self.wait_seconds(keys, now=now)
            if not wait:
                self.failed(keys, now=now)
        return wait

    def failed(self, keys, *, now=None):
        """Count one wrong try against every key (and forget keys quiet for a day)."""
        now = now or _utcnow()
        stamp = now.isoformat(timespec="seconds")
        with self._db.transaction() as db:
            rows, table = self._rows(), db.table("failures")
            stale = [k for k, r in rows.items() if k not in keys
                     and now - dt.datetime.fromisoformat(r["last"]) >= FORGET_AFTER]
            if stale:
                table.remove(lambda r: r["key"] in stale)
            for key in keys:
                row = rows.get(key)
                if row and now - dt.datetime.fromisoformat(row["last"]) < FORGET_AFTER:
                    table.update({"count": row["count"] + 1, "last": stamp}, lambda r, k=key: r["key"] == k)
                elif row:
                    table.update({"count": 1, "last": stamp}, lambda r, k=key: r["key"] == k)
                else:
                    table.insert({"key": key, "count": 1, "last": stamp})

    def succeeded(self, keys):
        """Forget the failures of *keys* after a correct PIN."""
        with self._db.transaction() as db:
            db.table("failures").remove(lambda r: r["key"] in keys)
