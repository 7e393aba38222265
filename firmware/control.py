"""Talk to a running firmware daemon through files in the data folder.

In the demo there is no real button, so the web UI's Status page (or
``hembas firmware press``) drops a request file that a daemon with mock pins
turns into a real press on its mock pin; the whole button code path runs::

    request_press(config.data_dir)              # a short press
    request_press(config.data_dir, long=True)   # held for the long-press time
    daemon_status(config.data_dir)              # {"pid", "mock", "pattern", "reason", ...} or None

The daemon publishes what its lights show in ``firmware/daemon.json`` (only
when that changes: the SD card wears out) and removes it when it stops.
"""

import json
import os
import time
import uuid
from pathlib import Path

from sync.errors import HembasError
from sync.store.database import atomic_write_bytes, encode_json


class FirmwareUnavailable(HembasError, RuntimeError):
    """No firmware daemon with mock pins runs for this data folder."""


def _folder(data_dir):
    return Path(data_dir) / "firmware"


def daemon_status(data_dir):
    """What the running daemon last published, or None when none runs."""
    path = _folder(data_dir) / "daemon.json"
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return status if _alive(status.get("pid")) else None


def request_press(data_dir, *, long=False):
    """Ask the running mock-pin daemon to press its button; returns the request file."""
    status = daemon_status(data_dir)
    if status is None:
        raise FirmwareUnavailable("knappen kan inte tryckas: firmware-tjänsten körs inte")
    if not status.get("mock"):
        raise FirmwareUnavailable("knappen kan bara tryckas härifrån i demoläget (låtsasstift)")
    folder = _folder(data_dir) / "presses"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.json"
    atomic_write_bytes(path, encode_json({"long": bool(long)}))
    return path


# -- the daemon's side ------------------------------------------------------------------

def publish_status(data_dir, **status):
    """Record what the daemon shows (called on start and when the pattern changes)."""
    folder = _folder(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / "daemon.json", encode_json({"pid": os.getpid(), **status}))


def clear_status(data_dir):
    """The daemon stopped: no one is there to press the button."""
    (_folder(data_dir) / "daemon.json").unlink(missing_ok=True)


def take_press_requests(data_dir):
    """Pending requests, oldest first, as a list of ``long`` flags; each is removed."""
    requests = []
    for path in sorted((_folder(data_dir) / "presses").glob("*.json")):
        try:
            requests.append(bool(json.loads(path.read_text(encoding="utf-8")).get("long")))
        except (OSError, ValueError):
            pass
        path.unlink(missing_ok=True)
    return requests


def _alive(pid):
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
