"""The box's state in one place: configuration, plan mirror, records, audit, clock.

Every part of Hembas (web UI, printer, firmware daemon, CLI) opens the same
data folder through :func:`open_box` and meets there; none of them reads
another's files::

    box = open_box(load_config())
    plan = box.mirror.current()
    shift = box.current_shift()     # the shift on now or about to start (ClockUntrusted if unknown)
    day = box.day(shift.date)       # that working day: the plan plus the team's local changes

There is one notion of "now" for work: :meth:`Box.current_shift`.  Its
``date`` is the working day — at 01:30 the night that began yesterday.
"""

import dataclasses
import datetime as dt

from .store.audit import AuditLog
from .clock import Clock
from .day.shifts import ShiftSchedule
from .day.team_day import team_day
from .errors import NoPlan
from .store.mirror import PlanMirror
from .store.records import Records


DAYS_KEPT = 16  # working days kept by Box.day (a page looks at one to three; Två veckor at 14)


@dataclasses.dataclass
class Box:
    config: object
    mirror: PlanMirror
    records: Records
    audit: AuditLog
    clock: Clock
    shifts: ShiftSchedule
    _days: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)  # see day()

    @property
    def data_dir(self):
        return self.config.data_dir

    def plan(self):
        """The current plan; raises NoPlan if none has been imported."""
        plan = self.mirror.current()
        if plan is None:
            raise NoPlan("ingen plan är inläst")
        return plan

    def current_shift(self, *, staff_id=None):
        """The shift on now or starting within the lead time; raises ClockUntrusted rather than guess.

        With *staff_id*, a shift around now in which that person has visits
        wins (the night carer at 06:30 is still on her night).
        """
        now = self.clock.now()
        prefer = None
        if staff_id:
            plan = self.mirror.current()
            prefer = None if plan is None else (
                lambda shift: bool(self.day(shift.date).route(staff_id, shift=shift.name)))
        return self.shifts.current(now, prefer=prefer)

    def day(self, date=None):
        """The team's effective working day (plan + local changes); default: the current shift's day.

        A page asks for the same day several times (whose shift is it, may
        this carer see the door code, the route itself): the day is kept
        until the plan or the records change.  Do not modify what it returns.
        """
        plan, date = self.plan(), date or self.current_shift().date
        key = (plan.version, date, self.records.revision())
        day = self._days.get(key)
        if day is None:
            if len(self._days) >= DAYS_KEPT:
                self._days.clear()
            day = self._days[key] = team_day(plan, self.records, date)
        return day

    def freshness(self):
        """How old the plan is and whether it is stale, for the freshness line and the lights."""
        plan = self.mirror.current()
        status = self.clock.status()
        if plan is None:
            return {"plan": False, "stale": True, "covers_today": False, "age_hours": None,
                    "generated_at": None, "clock_trusted": status.trusted}
        age = status.now - plan.generated_at
        limit = dt.timedelta(hours=self.config["plan"]["stale_after_hours"])
        covers = status.trusted and plan.covers(self.shifts.current(status.now).date)  # the working day
        return {"plan": True, "stale": age > limit or not covers, "covers_today": covers,
                "age_hours": round(age.total_seconds() / 3600, 1), "generated_at": plan.generated_at,
                "clock_trusted": status.trusted}


def open_box(config):
    """Open the data folder named by *config* (created if missing)."""
    data_dir = config.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    mirror = PlanMirror(data_dir, retention_days=config["plan"]["retention_days"])
    clock = Clock(data_dir, timezone=config["clock"]["timezone"], floor=mirror.generated_at)
    return Box(config=config, mirror=mirror, records=Records(data_dir), audit=AuditLog(data_dir), clock=clock,
               shifts=ShiftSchedule.from_config(config, clock.tz))
