"""One working day as the team actually works it: the plan plus the day's local changes.

A working day is the plan date with its shifts (dag, kväll, natt; the night
runs into the next morning, see :mod:`sync.day.shifts`).

The plan says who visits whom; at the morning meeting the team changes that:
someone is sick, a substitute comes instead, visits are shared out, a route
is reordered, an extra visit is added.  Each change is a record (written by
:mod:`sync.day.changes`); this module applies them all, so Idag, Laget idag,
the printed run-sheets, the binder and every preview show the same day::

    day = team_day(plan, records, date)
    day.route("s2")                 # s2's visits in route order, changes applied
    day.route("s2", shift="natt")   # only the night
    day.unassigned()                # visits that lack staff (an absent carer's come here)
    day.crew("dag")                 # who works the day shift: planned, not absent, plus substitutes
    day.staff["vik-3f2a91c0"]       # plan staff and the day's substitutes alike

The records are applied in this order, whatever order they were written in:
extra visits join the plan's visits; the latest assignment of each visit
(``reassign``) replaces its staff; an absence takes the person off every
visit of that shift (or the whole day), so a later "she came in after all"
(undoing the absence) gives her visits back; the latest ``route_order`` of a
person and shift sorts their route.  A record that a later one undoes
(``corrects`` with ``{"undone": true}``) no longer counts.
"""

import dataclasses
import datetime as dt

from ..plan.model import SHIFTS, Staff, Visit, Window
from ..store.records import DAY_KINDS, without_corrected

SUBSTITUTE_ROLE = "vikarie"


@dataclasses.dataclass(frozen=True)
class TeamDay:
    date: object
    visits: tuple  # sync.plan.model.Visit with staff_ids as they stand after the changes, in plan route order
    moved: frozenset  # ids of visits a standing assignment gave to other staff than the plan did
    staff: dict = dataclasses.field(default_factory=dict)  # id -> Staff: the plan's and the day's substitutes
    substitutes: dict = dataclasses.field(default_factory=dict)  # substitute id -> the shift they work
    absent: dict = dataclasses.field(default_factory=dict)  # staff id -> frozenset of shift names
    needed: dict = dataclasses.field(default_factory=dict)  # visit id -> how many people it needs (if not 1)
    extra: frozenset = frozenset()  # ids of extra visits added at the base
    orders: dict = dataclasses.field(default_factory=dict)  # (staff id, shift) -> visit ids in the team's order
    planned_crews: dict = dataclasses.field(default_factory=dict)  # shift -> staff ids the plan has working
    changes: tuple = ()  # the standing change records of this day, oldest first

    def shift(self, name):
        """The visits of one shift of this day, in route order."""
        return tuple(v for v in self.visits if v.shift == name)

    def visit(self, visit_id):
        """One visit of this day (a plan visit or an extra one), as it stands; None if not this day's."""
        return next((v for v in self.visits if v.id == visit_id), None)

    def route(self, staff_id, *, shift=None):
        """One person's visits (of one *shift*, or the whole day), in route order."""
        out = []
        for name in SHIFTS if shift is None else (shift,):
            mine = [v for v in self.visits if v.shift == name and staff_id in v.staff_ids]
            order = self.orders.get((staff_id, name))
            if order:
                place = {visit_id: n for n, visit_id in enumerate(order)}
                mine.sort(key=lambda v: place.get(v.id, len(place)))  # stable: the rest keep the plan's order
            out.extend(mine)
        return tuple(out)

    def needs(self, visit):
        """How many people *visit* needs: two for a double-staffed visit, else one."""
        return self.needed.get(visit.id, 1)

    def unassigned(self, *, shift=None):
        """Visits with fewer people than they need (nobody, or one of a double-staffed pair)."""
        return tuple(v for v in self.visits
                     if len(v.staff_ids) < self.needs(v) and (shift is None or v.shift == shift))

    def staff_ids(self, *, shift=None):
        """Everyone with at least one visit this day (or *shift*), in first-appearance order."""
        seen = {}
        for visit in self.visits:
            if shift is None or visit.shift == shift:
                for staff_id in visit.staff_ids:
                    seen.setdefault(staff_id, None)
        return list(seen)

    def is_absent(self, staff_id, shift):
        return shift in self.absent.get(staff_id, ())

    def crew(self, shift):
        """Who works *shift*: the plan's staff of that shift and anyone given its visits, minus the
        absent, plus the shift's substitutes.  The plan has no rota, so its visits are the evidence."""
        working = dict.fromkeys(self.planned_crews.get(shift, ()))
        working.update(dict.fromkeys(self.staff_ids(shift=shift)))
        working.update(dict.fromkeys(s for s, name in self.substitutes.items() if name == shift))
        return [s for s in working if not self.is_absent(s, shift)]

    def person(self, staff_id):
        """The :class:`~sync.plan.model.Staff` for *staff_id* (plan staff or substitute), or None."""
        return self.staff.get(staff_id)


def standing_changes(records, date):
    """The day's change records that still count: not corrected, not undo markers, oldest first."""
    found = records.find(kind=DAY_KINDS, date=date)
    return [r for r in without_corrected(found) if not r["body"].get("undone")]


def team_day(plan, records, date):
    """The effective :class:`TeamDay` for *date* (no visits if the plan lacks it)."""
    changes = standing_changes(records, date)
    by_kind = {kind: [r for r in changes if r["kind"] == kind] for kind in DAY_KINDS}

    staff, substitutes = dict(plan.staff), {}
    for rec in by_kind["substitute"]:
        body = rec["body"]
        staff[body["id"]] = Staff(id=body["id"], name=body["name"], role=SUBSTITUTE_ROLE, phone=body.get("phone", ""))
        substitutes[body["id"]] = body["shift"]

    planned = plan.visits_on(date)
    added = [rec for rec in by_kind["extra_visit"] if rec["client_id"] in plan.clients]  # a newer plan may drop one
    extras = [extra_visit(rec, date) for rec in added]
    original = {v.id: v.staff_ids for v in (*planned, *extras)}
    needed = {v.id: len(v.staff_ids) for v in planned if len(v.staff_ids) > 1}
    needed.update({v.id: rec["body"]["needed"] for v, rec in zip(extras, added) if rec["body"].get("needed", 1) > 1})

    assigned = {}
    for rec in by_kind["reassign"]:  # oldest first: the latest assignment of a visit wins
        if rec["visit_id"] in original:
            assigned[rec["visit_id"]] = tuple(s for s in rec["body"].get("staff_ids", ()) if s in staff)

    absent = {}
    for rec in by_kind["absence"]:
        shifts = (rec["body"].get("shift"),) if rec["body"].get("shift") else SHIFTS
        absent[rec["body"]["staff_id"]] = absent.get(rec["body"]["staff_id"], frozenset()) | frozenset(shifts)

    visits = []
    for visit in (*planned, *extras):
        staff_ids = assigned.get(visit.id, visit.staff_ids)
        staff_ids = tuple(s for s in staff_ids if visit.shift not in absent.get(s, ()))
        visits.append(visit if staff_ids == visit.staff_ids else dataclasses.replace(visit, staff_ids=staff_ids))
    visits.sort(key=lambda v: v.route_key())

    orders = {(rec["body"]["staff_id"], rec["body"]["shift"]): tuple(rec["body"]["visit_ids"])
              for rec in by_kind["route_order"]}
    crews, rank = {}, {staff_id: n for n, staff_id in enumerate(plan.staff)}
    for visit in planned:
        crews.setdefault(visit.shift, set()).update(visit.staff_ids)
    return TeamDay(date=date, visits=tuple(visits),
                   moved=frozenset(v for v, ids in assigned.items() if ids != original[v]),
                   staff=staff, substitutes=substitutes, absent=absent, needed=needed,
                   extra=frozenset(v.id for v in extras), orders=orders,
                   planned_crews={name: tuple(sorted(ids, key=rank.get)) for name, ids in crews.items()}, changes=tuple(changes))


def extra_visit(record, date):
    """The :class:`~sync.plan.model.Visit` an ``extra_visit`` record adds."""
    body = record["body"]
    window = body.get("window")
    return Visit(id=body["id"], client_id=record["client_id"], date=date, shift=body["shift"],
                 staff_ids=tuple(body.get("staff_ids", ())), tasks=tuple(body.get("tasks", ())),
                 note=body.get("note", ""),
                 window=Window(dt.time.fromisoformat(window["start"]), dt.time.fromisoformat(window["end"]))
                 if window else None)
