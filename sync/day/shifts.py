"""Shifts: the base's day is a sequence of shifts, not a calendar date.

Home care runs day, evening and night, and the night patrol works across
midnight.  Each shift has hours set per base (``[shifts]`` in the
configuration); a shift belongs to the plan date it starts on, so the night
shift dated Tuesday runs into Wednesday morning::

    schedule = ShiftSchedule.from_config(config)
    schedule.current(now)            # the shift on now, or the next one about to start
    schedule.shifts_on(date)         # dag, kväll and natt of one working day, in order
    schedule.previous(shift)         # whose handover this shift reads

"The shift that is on or starts next" at *now*: of the shifts that have
begun, or begin within the lead time, and have not ended, the one that
starts last; when there is none (a gap between shifts) the next one to
start.  So at 06:30 the day shift (07:00, within an hour), at 14:30 the
evening, at 21:00 the night, at 01:30 the night that began the evening
before.  :meth:`ShiftSchedule.current` takes an optional *prefer* test, so a
carer whose night shift is still on at 06:30 (or ended less than the lead
time ago) sees her night, not the day shift she does not work.

Everything that needs "now" asks :meth:`sync.box.Box.current_shift`, which
refuses like :meth:`sync.clock.Clock.today` when the clock is untrusted.
"""

import dataclasses
import datetime as dt
import re

from ..errors import ConfigError
from ..plan.model import DAY_MINUTES, SHIFTS
from .swedish import SHORT_WEEKDAYS

HOURS_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])\s*[-–]\s*([01][0-9]|2[0-3]):([0-5][0-9])$")
CONFIG_KEYS = {"dag": "dag", "kväll": "kvall", "natt": "natt"}  # shift name -> key in [shifts]


@dataclasses.dataclass(frozen=True, slots=True)
class Shift:
    """One shift of one working day, with its real start and end (aware local times)."""

    date: dt.date  # the working day; a night shift ends on the next calendar date
    name: str      # "dag", "kväll" or "natt"
    start: dt.datetime
    end: dt.datetime

    @property
    def key(self):
        """``2026-11-27/natt``: how a shift is named in URLs, print sets and records."""
        return f"{self.date.isoformat()}/{self.name}"

    def __contains__(self, moment):
        return self.start <= moment < self.end

    @property
    def hours(self):
        """``21:30–lör 07:15``: the shift's hours as pages and sheets show them."""
        return f"{self.start:%H:%M}–{time_label(self.end, self.date)}"


def time_label(moment, working_day):
    """``22:30``, or ``lör 00:30`` when *moment* falls on a later date than *working_day*.

    A night shift's morning visits are dated the evening before; the
    weekday in front says "this is the next morning" without a second date.
    """
    if moment.date() == working_day:
        return f"{moment:%H:%M}"
    return f"{SHORT_WEEKDAYS[moment.weekday()]} {moment:%H:%M}"


def window_label(visit, tz=None, *, dash="–"):
    """A visit's window on its shift's timeline: ``22:30–lör 06:30``, ``lör 05:45–06:15``; "" without one.

    *tz* only makes the times behind it aware; the label is the same wall-clock text.
    """
    start, end = visit.starts_at(tz), visit.ends_at(tz)
    if start is None:
        return ""
    return f"{time_label(start, visit.date)}{dash}{time_label(end, start.date())}"


def parse_hours(text, where):
    """``"21:30-07:15"`` as (start, end) times; an end before the start is the next morning."""
    match = HOURS_RE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ConfigError(f'{where}: ska vara "TT:MM-TT:MM", till exempel "07:00-16:00"')
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    start, end = dt.time(h1, m1), dt.time(h2, m2)
    if start == end:
        raise ConfigError(f"{where}: passet måste sluta vid en annan tid än det börjar")
    return start, end


class ShiftSchedule:
    """The base's shift hours in its time zone, and the answers built on them."""

    def __init__(self, hours, *, lead_minutes, tz):
        self.hours = {name: hours[name] for name in SHIFTS}
        self.lead = dt.timedelta(minutes=lead_minutes)
        self.tz = tz

    @classmethod
    def from_config(cls, config, tz):
        settings = config["shifts"]
        hours = {name: parse_hours(settings[key], f"shifts.{key}") for name, key in CONFIG_KEYS.items()}
        if not 0 <= settings["lead_minutes"] <= 240:
            raise ConfigError("shifts.lead_minutes: ska vara 0–240 minuter")
        return cls(hours, lead_minutes=settings["lead_minutes"], tz=tz)

    def shift(self, date, name):
        """The shift *name* of working day *date*."""
        if name not in self.hours:
            raise ValueError(f"okänt pass {name!r}")
        start_time, end_time = self.hours[name]
        start = dt.datetime.combine(date, start_time, self.tz)
        end_date = date + dt.timedelta(days=1) if end_time <= start_time else date
        return Shift(date=date, name=name, start=start, end=dt.datetime.combine(end_date, end_time, self.tz))

    def span(self, name):
        """Shift *name*'s hours as (start, end) minutes from midnight of its date, like :meth:`Window.span`."""
        start, end = (t.hour * 60 + t.minute for t in self.hours[name])
        return start, start + (end - start) % DAY_MINUTES

    def shifts_on(self, date):
        """Every shift of working day *date*, in the order they start."""
        return [self.shift(date, name) for name in SHIFTS]

    def from_key(self, key):
        """The shift named by :attr:`Shift.key`; ValueError when *key* names none."""
        date_text, _, name = str(key).partition("/")
        return self.shift(dt.date.fromisoformat(date_text), name)

    def around(self, now):
        """The shifts that are on at *now* or start within the lead time, latest start first."""
        date = now.astimezone(self.tz).date()
        nearby = [s for n in (-1, 0, 1) for s in self.shifts_on(date + dt.timedelta(days=n))]
        return sorted((s for s in nearby if s.start - self.lead <= now < s.end), key=lambda s: s.start, reverse=True)

    def current(self, now, *, prefer=None):
        """The shift on at *now*, or the one about to start (see the module docstring).

        *prefer*, a test on a shift (say "this carer has visits in it"), picks
        the latest of :meth:`around` that passes it before falling back; a
        shift that ended less than the lead time ago counts for *prefer* too,
        so the night carer writing up her night at 07:20 is still on it.
        """
        around = self.around(now)
        if prefer is not None:
            date = now.astimezone(self.tz).date()
            ended = sorted((s for n in (-1, 0) for s in self.shifts_on(date + dt.timedelta(days=n))
                            if s.end <= now < s.end + self.lead), key=lambda s: s.start, reverse=True)
            for shift in around + ended:
                if prefer(shift):
                    return shift
        if around:
            return around[0]
        date = now.astimezone(self.tz).date()
        upcoming = [s for d in (date, date + dt.timedelta(days=1)) for s in self.shifts_on(d) if s.start > now]
        return min(upcoming, key=lambda s: s.start)

    def has_begun(self, shift, now):
        """Whether work for *shift* may have started at *now*: it is on, over, or within the lead time.

        What is recorded as done (an outcome) belongs to a shift that has
        begun; a visit a week ahead cannot be "Utfört" yet.
        """
        return now >= shift.start - self.lead

    def previous(self, shift):
        """The shift before *shift* in the base's rota: its handover is the one *shift* reads."""
        index = SHIFTS.index(shift.name)
        if index == 0:
            return self.shift(shift.date - dt.timedelta(days=1), SHIFTS[-1])
        return self.shift(shift.date, SHIFTS[index - 1])

    def next(self, shift):
        """The shift after *shift* in the base's rota."""
        index = SHIFTS.index(shift.name)
        if index == len(SHIFTS) - 1:
            return self.shift(shift.date + dt.timedelta(days=1), SHIFTS[0])
        return self.shift(shift.date, SHIFTS[index + 1])
