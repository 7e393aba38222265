"""When visits happen and how long they take, as far as a task-based plan says.

Trust-based teams plan tasks, not minutes: most visits have no time window,
and none has a duration.  The morning meeting still needs two answers:

* **Do two visits collide?**  Only visits with windows can: two windows on
  one person collide when they overlap or lie closer than the travel margin
  (``[day] travel_minutes``).  A visit without a window fits anywhere.
* **How much work is a visit?**  A window of up to :data:`TIGHT_WINDOW`
  minutes is taken as the visit's length (a plan that times a visit gives it
  a tight window); a longer window says *when*, not *how long*, and counts
  like a visit without one: ``[day] visit_minutes``.

Times are minutes on the shift's own timeline (:meth:`sync.plan.model.Visit.span`),
so a night visit at 00:30 comes after one at 23:00.
"""

import dataclasses
import datetime as dt

from ..errors import ConfigError
from ..plan.model import DAY_MINUTES, minutes

TIGHT_WINDOW = 90


@dataclasses.dataclass(frozen=True)
class Timing:
    """The two settings of ``[day]`` that the rules above need."""

    travel_minutes: int = 10
    visit_minutes: int = 30

    @classmethod
    def from_config(cls, config):
        settings = config["day"]
        if not 0 <= settings["travel_minutes"] <= 120:
            raise ConfigError("day.travel_minutes: ska vara 0–120 minuter")
        if not 5 <= settings["visit_minutes"] <= 240:
            raise ConfigError("day.visit_minutes: ska vara 5–240 minuter")
        return cls(travel_minutes=settings["travel_minutes"], visit_minutes=settings["visit_minutes"])

    def minutes(self, visit):
        """The estimated length of *visit* in minutes."""
        span = visit.span()
        if span and span[1] - span[0] <= TIGHT_WINDOW:
            return span[1] - span[0]
        return self.visit_minutes

    def collide(self, a, b, *, margin=None):
        """Whether one person cannot do both *a* and *b*: windows overlapping or within the margin."""
        first, second = a.span(), b.span()
        if first is None or second is None or a.id == b.id:
            return False
        margin = self.travel_minutes if margin is None else margin
        return first[0] < second[1] + margin and second[0] < first[1] + margin


def clock(minute):
    """A minute of the shift's timeline as "08:30" (past midnight wraps to the morning)."""
    minute %= DAY_MINUTES
    return f"{minute // 60:02d}:{minute % 60:02d}"


def window_text(visit):
    """"08:00–08:45", or "" for a visit without a window."""
    span = visit.span()
    return f"{clock(span[0])}–{clock(span[1])}" if span else ""


def duration_text(total):
    """"2 t 15 min", "45 min"."""
    hours, rest = divmod(int(total), 60)
    return f"{hours} t {rest} min" if hours and rest else f"{hours} t" if hours else f"{rest} min"


def shift_span(shift):
    """A :class:`~sync.day.shifts.Shift` as (start, end) minutes from midnight of its date."""
    start = minutes(shift.start.timetz())
    length = (shift.end.replace(tzinfo=None) - shift.start.replace(tzinfo=None)) / dt.timedelta(minutes=1)
    return start, start + int(length)
