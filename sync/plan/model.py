"""The team plan as Python objects, with the indexes every page reads from.

A :class:`Plan` is immutable: it is built once from a validated document (see
:mod:`sync.plan.validate`) and shared by every request thread.  The lookups
(by staff and date, by client, by date) are dictionaries built at load time,
so a page never scans the whole plan.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from ..store.database import encode_json

FORMAT = "hembas.plan/1"
SHIFTS = ("dag", "kväll", "natt")
NIGHT = "natt"
NIGHT_MORNING_BEFORE = dt.time(12, 0)  # a night visit's time before noon is on the morning after its date
DAY_MINUTES = 24 * 60
MAX_WINDOW_MINUTES = 12 * 60


def minutes(time):
    return time.hour * 60 + time.minute


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    base: str = ""


@dataclass(frozen=True, slots=True)
class Staff:
    id: str
    name: str
    role: str
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """A phone number: a client's relative, or a team-wide number (nurse, on-call)."""

    name: str
    phone: str
    relation: str = ""


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    name: str
    address: str
    area: str = ""
    entry: str = ""
    phone: str = ""
    contacts: tuple = ()
    alerts: tuple = ()
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Window:
    """An optional time window; trust-based teams plan tasks, not minutes.

    Times are clock times on the shift's own timeline: an end before the
    start is the next morning (22:30–06:30), and on a night shift a time
    before noon is the morning after the visit's date (00:30, 05:45).
    """

    start: dt.time
    end: dt.time

    def span(self, shift):
        """(start, end) in minutes from midnight of the visit's date, for a visit on *shift*."""
        start = minutes(self.start)
        if shift == NIGHT and self.start < NIGHT_MORNING_BEFORE:
            start += DAY_MINUTES
        return start, start + (minutes(self.end) - minutes(self.start)) % DAY_MINUTES


@dataclass(frozen=True, slots=True)
class Visit:
    id: str
    client_id: str
    date: dt.date
    shift: str
    staff_ids: tuple = ()
    tasks: tuple = ()
    note: str = ""
    window: Window | None = None
    order: int | None = None

    def span(self):
        """The window as (start, end) minutes from midnight of :attr:`date`, or None without one."""
        return self.window.span(self.shift) if self.window else None

    def starts_at(self, tz):
        """When the window opens, as an aware local time (None without a window)."""
        span = self.span()
        return None if span is None else dt.datetime.combine(self.date, dt.time(0), tz) + dt.timedelta(minutes=span[0])

    def ends_at(self, tz):
        """When the window closes, as an aware local time (None without a window)."""
        span = self.span()
        return None if span is None else dt.datetime.combine(self.date, dt.time(0), tz) + dt.timedelta(minutes=span[1])

    def route_key(self):
        """Sort key for a route: shift, planned order, then time on the shift's timeline, then id."""
        span = self.span()
        return (SHIFTS.index(self.shift), self.order if self.order is not None else 10**6,
                span[0] if span else 10**6, self.id)


@dataclass(frozen=True)
class Plan:
    """One team's plan snapshot.  Build it with :func:`sync.plan.validate.parse_plan`."""

    team: Team
    generated_at: dt.datetime
    valid_from: dt.date
    valid_to: dt.date
    staff: dict
    clients: dict
    visits: tuple
    contacts: tuple
    document: dict = field(repr=False, compare=False)
    version: str = ""

    def __post_init__(self):
        by_date, by_client, by_staff_date, by_id = defaultdict(list), defaultdict(list), defaultdict(list), {}
        for visit in self.visits:
            by_id[visit.id] = visit
            by_date[visit.date].append(visit)
            by_client[visit.client_id].append(visit)
            for staff_id in visit.staff_ids:
                by_staff_date[(staff_id, visit.date)].append(visit)
        for index in (by_date, by_client, by_staff_date):
            for visits in index.values():
                visits.sort(key=lambda v: (v.date, v.route_key()))
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_date", {k: tuple(v) for k, v in by_date.items()})
        object.__setattr__(self, "_by_client", {k: tuple(v) for k, v in by_client.items()})
        object.__setattr__(self, "_by_staff_date", {k: tuple(v) for k, v in by_staff_date.items()})
        if not self.version:
            object.__setattr__(self, "version", document_version(self.document))

    def visit(self, visit_id):
        """The visit with *visit_id*, or None."""
        return self._by_id.get(visit_id)

    def visits_on(self, date):
        """Every visit on *date*, sorted by shift and route order."""
        return self._by_date.get(date, ())

    def visits_for(self, staff_id, date):
        """One staff member's planned route on *date* (before local reassignments)."""
        return self._by_staff_date.get((staff_id, date), ())

    def visits_for_client(self, client_id):
        """Every visit to one client, in date order."""
        return self._by_client.get(client_id, ())

    def covers(self, date):
        """Whether *date* lies inside the plan's window."""
        return self.valid_from <= date <= self.valid_to

    def dates(self):
        """Every date of the plan window, in order."""
        days = (self.valid_to - self.valid_from).days + 1
        return [self.valid_from + dt.timedelta(days=n) for n in range(max(days, 0))]


def document_version(document):
    """A short content hash: the same plan always has the same version."""
    return hashlib.sha256(encode_json(document)).hexdigest()[:12]
