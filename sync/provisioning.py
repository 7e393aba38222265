"""What first-boot provisioning found wrong in the technician's settings file.

The provisioning (deploy/firstboot.py) runs before anything else and has no
screen; it leaves its findings here, in the data folder, and the web UI's
Status page and the printed status slip show them in Swedish::

    {"file": "/boot/firmware/hembas.toml", "checked_at": "…",
     "errors": [{"key": "wifi.passphrase", "message": "wifi.passphrase: ska vara 8–63 tecken …"}]}
"""

import json

from .store.database import atomic_write_bytes, encode_json

ERRORS_FILE = "provision-errors.json"


def write_errors(data_dir, problems, *, source, checked_at):
    """Record the problems (a list of {"key", "message"}) of the settings file *source*."""
    atomic_write_bytes(data_dir / ERRORS_FILE, encode_json(
        {"file": str(source), "checked_at": checked_at, "errors": list(problems)}))


def clear_errors(data_dir):
    """The settings file was applied: nothing to report any more."""
    (data_dir / ERRORS_FILE).unlink(missing_ok=True)


def read_errors(data_dir):
    """The last settings-file problems, or None when there are none (or the record is unreadable)."""
    try:
        return json.loads((data_dir / ERRORS_FILE).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"file": "", "checked_at": "", "errors": [
            {"key": "", "message": "provisioneringens felrapport kan inte läsas"}]}
