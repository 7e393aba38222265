"""What a binder shows, as data, and what changed between two binders.

A binder's snapshot is a compact record of the effective visits it showed —
the plan plus the team's local changes, exactly what :meth:`sync.box.Box.day`
returns — and of the client details and contacts on its pages.  The box
keeps the snapshot of the printed binder (:mod:`printer.binder_store`);
:func:`diff` compares two snapshots and never needs to know why a visit
changed (a new plan from the hub, a move at the morning meeting)::

    period = binder_period(box)                      # 14 working days from the current shift's
    printed = snapshot(period, box.config["printer"])
    ...
    changes = diff(printed, snapshot(binder_period(box), box.config["printer"]))
    changes.added, changes.removed, changes.changed, changes.sections()

Snapshots are plain JSON data, so this module is pure and tested as data.
"""

import dataclasses
import datetime as dt
import hashlib

from sync.store.database import encode_json

from .pdf import DAYS

FIELD_NAMES = {"staff_ids": "vem", "date": "dag", "shift": "pass", "window": "tid", "tasks": "insatser",
               "note": "notering", "client_id": "brukare"}


@dataclasses.dataclass(frozen=True)
class Period:
    """The binder's days: the plan, each working day as the team works it, and the day's shifts."""

    plan: object
    days: tuple    # sync.day.team_day.TeamDay, one per date, in order
    shifts: dict   # date -> [sync.day.shifts.Shift]

    @property
    def start(self):
        return self.days[0].date

    @property
    def end(self):
        return self.days[-1].date


def binder_period(box, start=None):
    """The two weeks from *start* (default: the working day of the current shift)."""
    start = start or box.current_shift().date
    dates = [start + dt.timedelta(days=n) for n in range(DAYS)]
    return Period(plan=box.plan(), days=tuple(box.day(d) for d in dates),
                  shifts={d: box.shifts.shifts_on(d) for d in dates})


@dataclasses.dataclass(frozen=True)
class VisitRow:
    """One visit as the binder showed it."""

    id: str
    date: str
    shift: str
    client_id: str
    staff_ids: tuple
    tasks: tuple
    note: str
    window: str  # "08:00-08:45", or "" (none, or times not printed)

    @classmethod
    def from_data(cls, row):
        id_, date, shift, client_id, staff_ids, tasks, note, window = row
        return cls(id_, date, shift, client_id, tuple(staff_ids), tuple(tasks), note, window)


def snapshot(period, settings):
    """The JSON-able record of what a binder of *period* shows (settings: ``[printer]``)."""
    plan = period.plan
    visits, routes, people = [], {}, {s.id: s.name for s in plan.staff.values()}
    for day in period.days:
        people.update((s.id, s.name) for s in day.staff.values())
        for v in day.visits:
            window = f"{v.window.start:%H:%M}-{v.window.end:%H:%M}" if v.window and settings["print_times"] else ""
            visits.append([v.id, day.date.isoformat(), v.shift, v.client_id, list(v.staff_ids), list(v.tasks),
                           v.note, window])
        for shift in dict.fromkeys(v.shift for v in day.visits):
            for staff_id in day.staff_ids(shift=shift):  # each route in the order the binder prints it
                routes[f"{day.date}/{shift}/{staff_id}"] = [v.id for v in day.route(staff_id, shift=shift)]
    clients = {c.id: [c.name, _digest([c.address, list(c.alerts), c.phone,
                                       [[k.name, k.phone, k.relation] for k in c.contacts],
                                       c.entry if settings["print_entry"] else ""])]
               for c in plan.clients.values()}
    return {
        "version": plan.version, "generated_at": plan.generated_at.isoformat(), "team": plan.team.name,
        "days": [d.date.isoformat() for d in period.days],
        "covered": [d.date.isoformat() for d in period.days if plan.covers(d.date)],
        "visits": visits, "routes": routes, "clients": clients, "staff": people,
        "contacts": _digest([[c.name, c.phone] for c in plan.contacts]
                            + [[s.name, s.phone] for s in plan.staff.values()]),
    }


def _digest(value):
    return hashlib.sha256(encode_json(value)).hexdigest()[:12]


@dataclasses.dataclass(frozen=True)
class Changes:
    """What differs between the printed binder and a new one, and the sections that must be swapped."""

    added: tuple = ()        # VisitRow
    removed: tuple = ()      # VisitRow
    changed: tuple = ()      # (old VisitRow, new VisitRow, changed field names)
    reordered: tuple = ()    # (date, shift, staff_id): a route in a new order
    new_days: tuple = ()     # days the new binder has planned and the printed one did not
    passed_days: tuple = ()  # days of the printed binder before the new one starts
    clients: tuple = ()      # client ids whose address, alerts or contacts changed
    client_days: tuple = ()  # days whose pages show one of those clients (name, address and alerts per visit)
    contacts: bool = False   # the team's or the staff's numbers changed

    def count(self):
        """How many things changed, for the reminder (passed days are not changes)."""
        return (len(self.added) + len(self.removed) + len(self.changed) + len(self.reordered)
                + len(self.clients) + int(self.contacts))

    def __bool__(self):
        return bool(self.count() or self.new_days or self.passed_days)

    def sections(self):
        """The binder sections to reprint and swap (see :mod:`printer.binder`): cover, contacts, days, clients."""
        if not self:
            return []
        keys = {"cover"} | ({"contacts"} if self.contacts else set())
        for row in (*self.added, *self.removed, *(r for pair in self.changed for r in pair[:2])):
            keys |= {f"day/{row.date}", f"client/{row.client_id}"}
        keys |= {f"day/{date}" for date, _shift, _staff in self.reordered}
        keys |= {f"day/{date}" for date in self.new_days}
        keys |= {f"client/{client_id}" for client_id in self.clients}
        keys |= {f"day/{date}" for date in self.client_days}
        return sorted(keys, key=section_order)


def section_order(key):
    """Cover, contacts, the days in date order, then the clients (their order is the binder's)."""
    kind, _, rest = key.partition("/")
    return ({"cover": 0, "contacts": 1, "day": 2, "client": 3}.get(kind, 4), rest)


def diff(old, new):
    """The :class:`Changes` from snapshot *old* (the printed binder) to snapshot *new*.

    Visits are compared on the days both binders have planned; a day only
    the new one has planned is a new day (its pages are added whole, its
    visits not listed one by one).
    """
    old_covered, new_covered = set(old["covered"]), set(new["covered"])
    both = old_covered & new_covered & set(new["days"])
    olds = {r[0]: VisitRow.from_data(r) for r in old["visits"] if r[1] in both}
    news = {r[0]: VisitRow.from_data(r) for r in new["visits"] if r[1] in both}
    changed = []
    for visit_id in olds.keys() & news.keys():
        a, b = olds[visit_id], news[visit_id]
        fields = tuple(f for f in FIELD_NAMES if getattr(a, f) != getattr(b, f))
        if fields:
            changed.append((a, b, fields))
    start = min(new["days"])
    clients = tuple(sorted(c for c in new["clients"].keys() & old["clients"].keys()
                           if new["clients"][c][1] != old["clients"][c][1]))
    return Changes(
        added=tuple(sorted((news[i] for i in news.keys() - olds.keys()), key=_row_order)),
        removed=tuple(sorted((olds[i] for i in olds.keys() - news.keys()), key=_row_order)),
        changed=tuple(sorted(changed, key=lambda c: _row_order(c[1]))),
        reordered=_reordered(old["routes"], new["routes"], both),
        new_days=tuple(d for d in new["days"] if d in new_covered and d not in (old_covered & set(old["days"]))),
        passed_days=tuple(d for d in old["days"] if d < start),
        clients=clients,
        client_days=tuple(sorted({r[1] for r in new["visits"] if r[3] in clients})),
        contacts=old["contacts"] != new["contacts"],
    )


def _row_order(row):
    return (row.date, row.shift, row.client_id, row.id)


def _reordered(old_routes, new_routes, dates):
    """Routes (date, shift, staff id) on *dates* whose visits in both binders come in another order."""
    moved = []
    for key in old_routes.keys() & new_routes.keys():
        common = set(old_routes[key]) & set(new_routes[key])
        if key.split("/")[0] in dates and ([i for i in old_routes[key] if i in common]
                                           != [i for i in new_routes[key] if i in common]):
            moved.append(tuple(key.split("/")))
    return tuple(sorted(moved))
