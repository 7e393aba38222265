"""The box's state in one place: configuration, plan mirror, records, audit, clock.

Every part of Hembas (web UI, printer, firmware daemon, CLI) opens the same
data folder through :func:`open_box` and meets there; none of them reads
another's files::

    box = open_box(load_config())
    plan = box.mirror.current()
    today = box.clock.today()
"""

import dataclasses
import datetime as dt

from .store.audit import AuditLog
from .clock import Clock
from .day.team_day import team_day
from .errors import NoPlan
from .store.mirror import PlanMirror
from .store.records import Records


@dataclasses.dataclass
class Box:
    config: object
    mirror: PlanMirror
    records: Records
    audit: AuditLog
    clock: Clock

    @property
    def data_dir(self):
        return self.config.data_dir

    def plan(self):
        """The current plan; raises NoPlan if none has been imported."""
        plan = self.mirror.current()
        if plan is None:
            raise NoPlan("ingen plan är inläst")
        return plan

    def day(self, date=None):
        """The team's effective day (plan + local moves); *date* defaults to trusted today."""
        return team_day(self.plan(), self.records, date or self.clock.today())

    def freshness(self):
        """How old the plan is and whether it is stale, for the freshness line and the lights."""
        plan = self.mirror.current()
        status = self.clock.status()
        if plan is None:
            return {"plan": False, "stale": True, "covers_today": False, "age_hours": None,
                    "generated_at": None, "clock_trusted": status.trusted}
        age = status.now - plan.generated_at
        limit = dt.timedelta(hours=self.config["plan"]["stale_after_hours"])
        covers = status.trusted and plan.covers(status.now.date())
        return {"plan": True, "stale": age > limit or not covers, "covers_today": covers,
                "age_hours": round(age.total_seconds() / 3600, 1), "generated_at": plan.generated_at,
                "clock_trusted": status.trusted}


def open_box(config):
    """Open the data folder named by *config* (created if missing)."""
    data_dir = config.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    mirror = PlanMirror(data_dir, retention_days=config["plan"]["retention_days"])
    clock = Clock(data_dir, timezone=config["clock"]["timezone"], floor=mirror.generated_at)
    return Box(config=config, mirror=mirror, records=Records(data_dir), audit=AuditLog(data_dir), clock=clock)
