"""What the last contacts with the hub achieved, for the Status page and ``sync status``.

Two small JSON files, so that a poll which changes nothing never writes to
the SD card:

* ``sync-status.json`` in the data folder: what must survive a reboot (the
  plan version and ETag last taken from the hub, when the plan last changed,
  when journal records were last acknowledged);
* ``run/sync-heartbeat.json``: when the box last tried and last succeeded,
  the last error, and the backoff state.  On the box ``run/`` is a tmpfs
  (see deploy), so the every-ten-minutes heartbeat costs no flash writes;
  after a reboot it simply starts empty.

::

    status = SyncStatus(data_dir)
    status.read()   # {"last_attempt", "last_success", "last_change", "last_error", "plan_version", …}
"""

import contextlib
import datetime as dt
import fcntl
import json
from pathlib import Path

from ..store.database import atomic_write_bytes, encode_json

DURABLE_FILE = "sync-status.json"
VOLATILE_DIR = "run"
HEARTBEAT_FILE = "sync-heartbeat.json"

DURABLE_FIELDS = {"last_change": "", "plan_version": "", "etag": "", "last_push": "", "box_id": ""}
VOLATILE_FIELDS = {"last_attempt": "", "last_success": "", "last_error": None, "failures": 0,
                   "next_attempt": ""}


def now_iso(now=None):
    return (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")


class SyncStatus:
    """Read and update the sync state of one data folder."""

    def __init__(self, data_dir):
        self.data_dir = Path(data_dir)
        self.durable_path = self.data_dir / DURABLE_FILE
        self.volatile_path = self.data_dir / VOLATILE_DIR / HEARTBEAT_FILE

    def read(self):
        """Every field, with "" (times) or None (no error) when unknown."""
        return {**DURABLE_FIELDS, **VOLATILE_FIELDS,
                **_load(self.durable_path, DURABLE_FIELDS), **_load(self.volatile_path, VOLATILE_FIELDS)}

    def update(self, **fields):
        """Change some fields; each file is rewritten only if one of its fields changed."""
        for path, known in ((self.durable_path, DURABLE_FIELDS), (self.volatile_path, VOLATILE_FIELDS)):
            mine = {k: v for k, v in fields.items() if k in known}
            unknown = set(fields) - set(DURABLE_FIELDS) - set(VOLATILE_FIELDS)
            if unknown:
                raise KeyError(f"unknown sync status field(s): {sorted(unknown)}")
            if not mine:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            with _locked(path):
                stored = _load(path, known)
                if any(stored.get(k, known[k]) != v for k, v in mine.items()):
                    atomic_write_bytes(path, encode_json({**stored, **mine}))

    def attempt_failed(self, reason, *, now=None, next_attempt=None):
        """Record a failed or refused attempt; returns the number of failures in a row."""
        failures = self.read()["failures"] + 1
        self.update(last_attempt=now_iso(now), last_error=reason, failures=failures,
                    next_attempt=next_attempt or "")
        return failures

    def attempt_succeeded(self, *, now=None, next_attempt=None):
        stamp = now_iso(now)
        self.update(last_attempt=stamp, last_success=stamp, last_error=None, failures=0,
                    next_attempt=next_attempt or "")


@contextlib.contextmanager
def _locked(path):
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load(path, known):
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if k in known} if isinstance(data, dict) else {}
