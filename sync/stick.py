"""What the last USB stick did, for the lights and the status slip.

The box reads a stick by itself when it is plugged in (deploy/stick.py); the
person holding it sees the lights and gets a slip.  Both read this record in
the data folder::

    {"state": "working" | "done" | "failed", "at": "2026-11-27T06:12:03+00:00",
     "messages": ["Plan 2026-11-27T05:00 inläst.", "12 poster skrivna till stickan."]}
"""

import datetime as dt
import json

from .store.database import atomic_write_bytes, encode_json

FILE = "usb-stick.json"
WORKING, DONE, FAILED = "working", "done", "failed"
SHOWN_FOR = dt.timedelta(minutes=30)     # a failure stays on the lights this long; a crashed reader too


def record(data_dir, state, messages=(), *, now=None):
    now = now or dt.datetime.now(dt.timezone.utc)
    atomic_write_bytes(data_dir / FILE, encode_json(
        {"state": state, "at": now.isoformat(timespec="seconds"), "messages": list(messages)}))


def read(data_dir):
    """The last record, or None (never a stick, or an unreadable record)."""
    try:
        found = json.loads((data_dir / FILE).read_bytes())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and "state" in found else None


def lights(data_dir, *, now=None):
    """``(busy, error)`` for the lights: a stick being read, or what failed in the last half hour."""
    found = read(data_dir)
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        recent = found is not None and now - dt.datetime.fromisoformat(found["at"]) < SHOWN_FOR
    except (TypeError, ValueError):
        recent = False
    if not recent:
        return False, ""
    if found["state"] == FAILED:
        return False, "; ".join(found.get("messages") or ["läsningen misslyckades"])
    return found["state"] == WORKING, ""
