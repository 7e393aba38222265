"""One working day as the team actually works it: the plan plus the day's local changes.

A working day is the plan date with its shifts (dag, kväll, natt; the night
runs into the next morning, see :mod:`sync.day.shifts`).

The plan says who visits whom; at the morning meeting the team moves visits
when someone is sick.  Those moves are ``reassign`` records (see
:mod:`sync.store.records`); this module applies them, so the Idag page, the team's
day and the printed run-sheets all show the same thing::

    day = team_day(plan, records, date)
    day.route("s2")                 # s2's visits in route order, moves applied
    day.route("s2", shift="natt")   # only the night
    day.unassigned()                # visits nobody has
"""

import dataclasses

from ..store.records import without_corrected


@dataclasses.dataclass(frozen=True)
class TeamDay:
    date: object
    visits: tuple  # sync.plan.model.Visit with staff_ids as they stand after moves
    moved: frozenset  # ids of visits whose staff were changed locally

    def shift(self, name):
        """The visits of one shift of this day, in route order."""
        return tuple(v for v in self.visits if v.shift == name)

    def route(self, staff_id, *, shift=None):
        """One staff member's visits (of one *shift*, or the whole day), in route order."""
        return tuple(v for v in self.visits if staff_id in v.staff_ids and (shift is None or v.shift == shift))

    def unassigned(self, *, shift=None):
        return tuple(v for v in self.visits if not v.staff_ids and (shift is None or v.shift == shift))

    def staff_ids(self, *, shift=None):
        """Everyone with at least one visit this day (or *shift*), in first-appearance order."""
        seen = {}
        for visit in self.visits:
            if shift is None or visit.shift == shift:
                for staff_id in visit.staff_ids:
                    seen.setdefault(staff_id, None)
        return list(seen)


def team_day(plan, records, date):
    """The effective :class:`TeamDay` for *date* (empty if the plan lacks it)."""
    moves = {}
    for rec in without_corrected(records.find(kind="reassign", date=date)):
        if plan.visit(rec["visit_id"]) is not None:
            moves[rec["visit_id"]] = tuple(s for s in rec["body"].get("staff_ids", ()) if s in plan.staff)
    visits = []
    for visit in plan.visits_on(date):
        if visit.id in moves:
            visit = dataclasses.replace(visit, staff_ids=moves[visit.id])
        visits.append(visit)
    visits.sort(key=lambda v: v.route_key())
    return TeamDay(date=date, visits=tuple(visits), moved=frozenset(moves))


def reassign(records, plan, visit, staff_ids, *, author, date):
    """Record that *visit* is done by *staff_ids* on *date*; returns the record."""
    unknown = [s for s in staff_ids if s not in plan.staff]
    if unknown:
        raise ValueError(f"okänd personal: {', '.join(unknown)}")
    return records.append("reassign", author=author, plan_version=plan.version, visit_id=visit.id,
                          client_id=visit.client_id, date=date,
                          body={"staff_ids": list(staff_ids), "from": list(visit.staff_ids)})
