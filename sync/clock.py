"""The one clock that decides what "now" and "today" are for the whole box.

A Raspberry Pi has no battery-backed clock: after a power cut without network
it may wake up in 1970 or in last week.  Printing yesterday's route as
today's would send staff to the wrong doors, so :meth:`Clock.today` refuses
(:class:`~sync.errors.ClockUntrusted`) when the clock is neither synchronised
nor plausible::

    clock = Clock(data_dir, timezone="Europe/Stockholm", floor=lambda: plan.generated_at)
    clock.today()      # a date, or raises ClockUntrusted
    clock.status()     # ClockStatus(trusted=..., reason=..., ...)

The clock is trusted when any of these holds:

* systemd-timesyncd (or chrony via the same marker) synchronised it since boot,
* a hardware RTC is present and was read at boot (``/sys/class/rtc/rtc0``),
* a coordinator confirmed the time from their phone during this boot,
* it is *plausible*: not before the newest plan's ``generated_at`` and not
  before the last time this box saw a trusted clock.
"""

import datetime as dt
import functools
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from .errors import ClockUntrusted, StoreError
from .store.database import atomic_write_bytes, encode_json

logger = logging.getLogger(__name__)

SYNC_MARKER = "/run/systemd/timesync/synchronized"
RTC_PATH = "/sys/class/rtc/rtc0/since_epoch"
BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id"
TOLERANCE = dt.timedelta(minutes=5)
LAST_SEEN_EVERY = dt.timedelta(minutes=10)

# The last seen time changes every ten minutes and is compared on every status(): parse it once.
_parse_time = functools.lru_cache(maxsize=4)(dt.datetime.fromisoformat)


@dataclass(frozen=True)
class ClockStatus:
    trusted: bool
    reason: str  # Swedish, shown on the Status page and the status slip
    now: dt.datetime
    source: str  # "ntp", "rtc", "bekräftad", "rimlig" or "" when untrusted


class Clock:
    """Local time for the team's time zone, with a verdict on whether to believe it."""

    def __init__(self, data_dir, *, timezone="Europe/Stockholm", floor=None, system_now=None,
                 sync_marker=SYNC_MARKER, rtc_path=RTC_PATH, boot_id_path=BOOT_ID_PATH):
        self.tz = ZoneInfo(timezone)
        self.state_path = Path(data_dir) / "clock.json"
        self.floor = floor or (lambda: None)
        self._system_now = system_now or (lambda: dt.datetime.now(dt.timezone.utc))
        self._sync_marker = str(sync_marker)
        self._rtc_path = str(rtc_path)
        self._boot = self._read_boot_id(Path(boot_id_path))  # a reboot always starts a new process
        self._state, self._state_mtime = {}, None
        self._load_state()

    # -- the answers everyone uses -------------------------------------------------

    def now(self):
        """Trusted local time; raises ClockUntrusted rather than guess."""
        status = self.status()
        if not status.trusted:
            raise ClockUntrusted(status.reason)
        return status.now

    def today(self):
        """Trusted local date; raises ClockUntrusted rather than guess."""
        return self.now().date()

    def status(self):
        """Evaluate the clock now; never raises."""
        self._load_state()
        now = self._raw_now()
        source = self._trusted_source(now)
        if source:
            self._remember(now)
            return ClockStatus(True, "klockan är tillförlitlig", now, source)
        return ClockStatus(False, self._distrust_reason(now), now, "")

    def confirm(self, phone_time, *, by):
        """A coordinator's phone says it is *phone_time*: trust that until reboot.

        The box keeps the difference to its own clock rather than setting the
        system clock, which needs no privileges.  Returns the offset applied.
        """
        if phone_time.tzinfo is None:
            raise ValueError("phone_time must carry a time zone")
        offset = phone_time - self._system_now()
        self._load_state()
        self._state.update(offset_seconds=offset.total_seconds(), confirmed_boot=self._boot,
                           confirmed_by=by)
        self._save_state()
        self._remember(self._raw_now(), force=True)
        logger.warning("clock confirmed by %s, offset %.0f s", by, offset.total_seconds())
        return offset

    # -- internals -------------------------------------------------------------------

    def _raw_now(self):
        offset = 0.0
        if self._state.get("confirmed_boot") == self._boot:
            offset = self._state.get("offset_seconds", 0.0)
        return (self._system_now() + dt.timedelta(seconds=offset)).astimezone(self.tz)

    def _trusted_source(self, now):
        if os.access(self._sync_marker, os.F_OK):  # not Path.exists(): a missing file costs it an exception
            return "ntp"
        if self._state.get("confirmed_boot") == self._boot:
            return "bekräftad"
        if os.access(self._rtc_path, os.F_OK):
            return "rtc"
        if self._implausible(now) is None:
            return "rimlig"
        return ""

    def _implausible(self, now):
        floor = self.floor()
        if floor is not None and now < floor - TOLERANCE:
            return f"klockan visar {now:%Y-%m-%d %H:%M}, före planens skapandetid {floor:%Y-%m-%d %H:%M}"
        last_seen = self._state.get("last_seen")
        if last_seen and now < _parse_time(last_seen) - TOLERANCE:
            return f"klockan visar {now:%Y-%m-%d %H:%M}, före senast kända tid {last_seen[:16].replace('T', ' ')}"
        return None

    def _distrust_reason(self, now):
        return (self._implausible(now) or "klockan är inte synkroniserad") + \
            " – bekräfta datum och tid på statussidan"

    def _remember(self, now, force=False):
        last = self._state.get("last_seen")
        if force or not last or now - _parse_time(last) >= LAST_SEEN_EVERY:
            self._state["last_seen"] = now.isoformat(timespec="seconds")
            try:
                self._save_state()
            except StoreError:
                logger.exception("could not record last seen time")

    @staticmethod
    def _read_boot_id(path):
        try:
            return path.read_text().strip()
        except OSError:
            return "unknown-boot"

    def _load_state(self):
        """Re-read the shared state if another process (web, firmware) changed it."""
        try:
            mtime = self.state_path.stat().st_mtime_ns
            if mtime != self._state_mtime:
                self._state, self._state_mtime = json.loads(self.state_path.read_text()), mtime
        except (OSError, ValueError):
            pass

    def _save_state(self):
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.state_path, encode_json(self._state))
        self._state_mtime = self.state_path.stat().st_mtime_ns
