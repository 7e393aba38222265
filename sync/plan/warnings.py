"""Odd but usable: what a plan is warned about without being refused.

A plan is refused only for what makes it unsafe or ambiguous (see
:mod:`sync.plan.validate`).  What a coordinator should look at, but the team
can work with, is a warning: ``hembas plan import``, ``hembas plan status``
and the Status page show them, and the plan is in the box all the same::

    found = plan_warnings(plan, box.shifts)
    summary(found)      # per kind: Swedish label, count and the first examples
    summary_lines(summary(found))   # the same as lines for the command line

Messages name visits by id, date and shift and staff by name, never a
client: technicians read them too.
"""

import dataclasses
from collections import defaultdict

from .model import DAY_MINUTES

KINDS = {  # kind -> label, in the order they are shown
    "window_outside_shift": "Tidsfönster utanför passets tider",
    "overlap": "Samma person i två besök samtidigt",
    "double_one_name": "Dubbelbemanning med bara ett namn",
    "no_staff": "Besök utan personal",
}
EXAMPLES = 5
FLEXIBLE_MINUTES = 4 * 60  # a longer window ("some time during the night") is no time slot: never overlaps


@dataclasses.dataclass(frozen=True, slots=True)
class PlanWarning:
    kind: str      # a key of KINDS
    visit_id: str
    message: str   # Swedish, without client data


def plan_warnings(plan, schedule):
    """Every warning about *plan* with the base's shift hours (*schedule*), in plan order per kind."""
    found = {kind: [] for kind in KINDS}
    by_staff = defaultdict(list)
    for visit in plan.visits:
        where = f"{visit.id} {visit.date.isoformat()} {visit.shift}"
        span = visit.span()
        if span is not None:
            if not _within(span, schedule.span(visit.shift)):
                found["window_outside_shift"].append(PlanWarning(
                    "window_outside_shift", visit.id,
                    f"{where}: fönstret {visit.window.start:%H:%M}–{visit.window.end:%H:%M} ligger utanför "
                    f"passets tider {_hours(schedule.span(visit.shift))}"))
            base = visit.date.toordinal() * DAY_MINUTES
            if span[1] - span[0] <= FLEXIBLE_MINUTES:
                for staff_id in visit.staff_ids:
                    by_staff[staff_id].append((base + span[0], base + span[1], visit))
        if not visit.staff_ids:
            found["no_staff"].append(PlanWarning("no_staff", visit.id, f"{where}: ingen personal (morgonmötet fördelar)"))
        elif len(visit.staff_ids) > 1:
            problem = _double_staffing_problem(plan, visit)
            if problem:
                found["double_one_name"].append(PlanWarning("double_one_name", visit.id, f"{where}: {problem}"))
    for staff_id, spans in by_staff.items():
        found["overlap"].extend(_overlaps(plan, staff_id, spans))
    return [warning for kind in KINDS for warning in found[kind]]


def summary(warnings, *, examples=EXAMPLES):
    """Per kind that occurs: ``{"kind", "label", "count", "examples"}`` with the first *examples* messages."""
    grouped = defaultdict(list)
    for warning in warnings:
        grouped[warning.kind].append(warning.message)
    return [{"kind": kind, "label": label, "count": len(grouped[kind]), "examples": grouped[kind][:examples]}
            for kind, label in KINDS.items() if grouped[kind]]


def summary_lines(groups):
    """A :func:`summary` as text lines for the command line ([] without warnings)."""
    lines = []
    for group in groups:
        lines.append(f"  {group['label']}: {group['count']}")
        lines.extend(f"    {message}" for message in group["examples"])
        if group["count"] > len(group["examples"]):
            lines.append(f"    … och {group['count'] - len(group['examples'])} till")
    return lines


def _within(span, shift_span):
    """Whether a window lies inside the shift (a shift that starts after midnight also counts a day on)."""
    return any(shift_span[0] + d <= span[0] and span[1] <= shift_span[1] + d for d in (0, DAY_MINUTES))


def _hours(span):
    start, end = (m % DAY_MINUTES for m in span)
    return f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"


def _double_staffing_problem(plan, visit):
    names = [plan.staff[s].name for s in visit.staff_ids if s in plan.staff]
    nameless = [s for s in visit.staff_ids if s in plan.staff and plan.staff[s].name == s]
    if nameless:
        return f"dubbelbemanning, men {', '.join(nameless)} har inget namn i planen"
    if len(set(names)) < len(names):
        return f"dubbelbemanning med två som heter {names[0]}" if len(set(names)) == 1 else \
            "dubbelbemanning där två har samma namn"
    return ""


def _overlaps(plan, staff_id, spans):
    """Pairs of one person's visits whose windows overlap, each pair once, in time order."""
    name = plan.staff[staff_id].name if staff_id in plan.staff else staff_id
    spans.sort(key=lambda item: (item[0], item[1]))
    out, holder = [], None  # holder: the visit whose window reaches furthest so far
    for start, end, visit in spans:
        if holder is not None and start < holder[1]:
            other = holder[2]
            out.append(PlanWarning("overlap", visit.id,
                                   f"{name}: {other.id} ({other.date.isoformat()} {other.shift} "
                                   f"{other.window.start:%H:%M}–{other.window.end:%H:%M}) och {visit.id} "
                                   f"({visit.date.isoformat()} {visit.shift} "
                                   f"{visit.window.start:%H:%M}–{visit.window.end:%H:%M}) samtidigt"))
        if holder is None or end > holder[1]:
            holder = (start, end, visit)
    return out
