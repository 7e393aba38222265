"""Configuration: embedded defaults, one TOML file, environment overrides.

Every setting has a default here, so a fresh checkout runs with no file at
all.  The file is ``hembas.toml`` in the data folder unless ``--config`` (or
``HEMBAS_CONFIG``) names another; ``HEMBAS_<SECTION>_<KEY>`` overrides one
value, e.g. ``HEMBAS_PRINTER_BACKEND=network``.  docs/configuration.md lists
every key; a test keeps the two in step.

The configuration is passed to whoever needs it; nothing reads a global.
"""

import copy
import os
import tomllib
from pathlib import Path

from .errors import ConfigError

DEFAULTS = {
    "team": {
        "id": "",                   # the team this box mirrors; empty = accept the first plan's team
    },
    "plan": {
        "retention_days": 7,        # visits older than this leave the mirror at the next import
        "stale_after_hours": 24,    # the freshness line turns red after this
    },
    "clock": {
        "timezone": "Europe/Stockholm",
    },
    "shifts": {                     # each shift's hours at this base; an end before the start is the next day
        "dag": "07:00-16:00",
        "kvall": "15:00-22:00",
        "natt": "21:30-07:15",      # the night shift dated D runs into the morning of D+1
        "lead_minutes": 60,         # a shift counts as "the one starting" this long before it begins
    },
    "day": {                        # the morning meeting's proposal (sync/day/proposal.py)
        "travel_minutes": 10,       # least time between two timed visits of one person
        "visit_minutes": 30,        # a visit without a tight window counts this long
    },
    "web": {
        "host": "127.0.0.1",
        "port": 8080,
        "threads": 6,               # waitress worker threads
        "one_core": True,           # keep the server's threads on one CPU: no GIL fight across cores
        "connection_limit": 200,    # open connections at most; when full, the longest idle one is shed
        "connections_per_address": 16,  # per phone (a browser opens up to 6); more are closed at once
        "idle_seconds": 30,         # an idle keep-alive connection is closed after this long
        "session_hours": 12,        # a sign-in lasts one shift
        "language": "sv",           # sv or en
        "enrollment_hours": 72,     # a one-time enrollment code works this long
        "lockout_free_attempts": 3, # wrong PINs before the waiting starts
        "lockout_base_seconds": 30, # first wait; doubles with every further wrong PIN
        "lockout_max_seconds": 900,
        "device_days": 365,         # a phone that signed in is "known" this long (its own lockout budget)
        "max_upload_kb": 8192,      # largest plan bundle accepted from the browser
    },
    "tls": {                        # HTTPS through nginx in front of the web UI (docs/deploy.md)
        "enabled": False,           # true on the box: cookies Secure, waitress trusts nginx's X-Forwarded-For
        "name": "hembas.local",     # the name phones use; the certificate must be valid for it
        "https_port": 443,
        "http_port": 80,            # plain HTTP: redirects to HTTPS, except the phones' captive-portal probes
        "warn_days": 14,            # Status page, status slip and lights warn this long before expiry
    },
    "printer": {
        "backend": "preview",       # preview, usb, serial, network, file
        "profile": "TM-T20II",
        "columns": 48,              # 32 for 58 mm paper, 42 or 48 for 80 mm
        "print_entry": False,       # door codes on paper get lost: off by default
        "print_times": False,       # trust-based teams: tasks, not minutes
        "print_tick_boxes": True,   # [ ] Utfört [ ] Ej utfört and a note line per visit: paper that documents
        "usb_vendor": 0,
        "usb_product": 0,
        "serial_port": "/dev/ttyUSB0",
        "serial_baudrate": 19200,
        "serial_flow": "none",      # none, rtscts, xonxoff
        "host": "",
        "port": 9100,
        "device": "/dev/usb/lp0",
        "timeout_seconds": 5,
        "retry_seconds": 15,        # a waiting job (paper out, printer off) is tried again this often
        "qr": "auto",               # auto (native if the profile has it), native, image
        "web_url": "http://hembas.local",  # the box's web UI as phones reach it: QR codes on paper
        "wifi_name": "",            # printed on the status slip; empty: "see the label on the box"
    },
    "binder": {                     # the team's two-week binder (pärm) on A4
        "printer": "",              # CUPS queue of the base's A4 printer; empty: download the PDF only
        "cups_server": "",          # CUPS server as host:port; empty: the box's own CUPS
        "remind_changes": 10,       # remind when more visits than this changed since the binder was printed
        "remind_days": 2,           # ... or when it lacks more than this many planned days of the two weeks
    },
    "gpio": {
        "pin_factory": "",          # "" = gpiozero's choice (lgpio on a Pi), "mock" on a laptop
        "button": 17,
        "led_green": 22,
        "led_yellow": 23,
        "led_red": 24,
        "buzzer": 0,                # 0 = no buzzer
        "long_press_seconds": 3.0,
    },
    "audit": {
        "keep_days": 90,            # acknowledged audit entries older than this leave the box (the hub keeps them)
    },
    "hub": {
        "url": "",                  # empty = no network sync
        "public_key": "",           # hub's Ed25519 signing key, base64
        "encryption_key": "",       # hub's Curve25519 key for USB exports, base64
        "poll_minutes": 10,
        "max_backoff_minutes": 60,  # longest wait between tries while the hub is unreachable
        "timeout_seconds": 10,
    },
}


class Config:
    """Settings by section: ``config["printer"]["backend"]``."""

    def __init__(self, values, *, data_dir, path=None):
        self._values = values
        self.data_dir = Path(data_dir)
        self.path = path

    def __getitem__(self, section):
        return self._values[section]

    def as_dict(self):
        return copy.deepcopy(self._values)


def load_config(data_dir=None, path=None, environ=None):
    """Build the configuration for *data_dir* (default ``$HEMBAS_DATA`` or ``./var``)."""
    environ = os.environ if environ is None else environ
    data_dir = Path(data_dir or environ.get("HEMBAS_DATA") or "var")
    path = Path(path or environ.get("HEMBAS_CONFIG") or data_dir / "hembas.toml")
    values = copy.deepcopy(DEFAULTS)
    if path.exists():
        try:
            text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
            _merge(values, tomllib.loads(text), str(path))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
    for name, raw in environ.items():
        if name.startswith("HEMBAS_") and name.count("_") >= 2:
            section, _, key = name[len("HEMBAS_"):].lower().partition("_")
            if section in values and key in values[section]:
                values[section][key] = _coerce(raw, values[section][key], name)
    return Config(values, data_dir=data_dir, path=path if path.exists() else None)


def _merge(values, loaded, where):
    for section, settings in loaded.items():
        if section not in values or not isinstance(settings, dict):
            raise ConfigError(f"{where}: okänd sektion [{section}]")
        for key, value in settings.items():
            if key not in values[section]:
                raise ConfigError(f"{where}: okänd inställning {section}.{key}")
            default = values[section][key]
            if type(value) is not type(default) and not (isinstance(default, float) and isinstance(value, int)):
                raise ConfigError(f"{where}: {section}.{key} ska vara {type(default).__name__}")
            values[section][key] = value


def _coerce(raw, default, name):
    try:
        if isinstance(default, bool):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        return type(default)(raw)
    except ValueError:
        raise ConfigError(f"{name}: ogiltigt värde {raw!r}") from None
