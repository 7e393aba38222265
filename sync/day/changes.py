"""Recording the morning meeting's changes: checked against the day as it stands, stored, audited.

Each function checks its change against the effective day (:meth:`sync.box.Box.day`),
refuses with a Swedish reason (:class:`ChangeRefused`) when a rule says no,
and otherwise appends one record (durable before it returns) and one audit
entry through *audit*, a callable with :func:`webui.auth.audit`'s signature
``audit(action, *, target="", **detail)``: the web UI passes that, the CLI
:func:`audit_as` (``cli`` or ``--av NAMN``).  *author* goes into the record.
The web UI and the CLI call the same functions, so the rules are the same::

    mark_absent(box, "s3", shift, author="s1", audit=audit)            # sick call at 06:50
    sub = add_substitute(box, shift, name="Kim Berg", phone="070-123 45 67", author="s1", audit=audit)
    assign(box, shift.date, [("v00012", ["s2"]), ("v00017", ["s4", sub["body"]["id"]])], author="s1", audit=audit)
    set_order(box, shift, "s2", ["v00017", "v00012"], author="s1", audit=audit)
    add_extra_visit(box, shift, "c07", tasks=["tillsyn"], note="Hemkommen från sjukhuset",
                    window="19:00-19:30", author="s1", audit=audit)
    undo(box, record_id, author="s1", audit=audit)                      # she came in after all

The rules: an absent person, or someone who does not work that shift, gets
no visits; a double-staffed visit gets two different people (or nobody:
back to the unassigned); one person is never on a visit twice.  Windows that
collide are not refused when people assign by hand (the team may know the
visit is short) but come back as warnings.
"""

import dataclasses
import datetime as dt
import re
import secrets

from ..errors import HembasError
from ..plan.model import MAX_WINDOW_MINUTES, SHIFTS, Visit, Window
from ..plan.fields import FieldChecker  # the plan's own text rules: length, control characters, personnummer
from ..store.records import DAY_KINDS
from .team_day import SUBSTITUTE_ROLE
from .timing import Timing, shift_span, window_text
from .wording import shift_label

WINDOW_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])\s*[-–]\s*([01][0-9]|2[0-3]):([0-5][0-9])$")
MAX_TASKS = 20
MAX_NEEDED = 2


class ChangeRefused(HembasError, ValueError):
    """A change the day's rules do not allow; the message says why, in Swedish."""


@dataclasses.dataclass(frozen=True)
class Assignment:
    records: tuple  # the reassign records written (none when nothing changed)
    warnings: tuple  # Swedish lines: windows that now collide for someone


def audit_as(box, actor):
    """An *audit* callable that writes to the box's log as *actor* (the CLI, scripts, tests)."""
    def audit(action, *, target="", **detail):
        box.audit.record(action, actor=actor, target=target, detail=detail)
    return audit


def mark_absent(box, staff_id, shift, *, whole_day=False, author, audit):
    """Record that *staff_id* is away for *shift* (or its whole working day); their visits become unassigned."""
    plan, day = _plan_for(box, shift.date), box.day(shift.date)
    person = plan.staff.get(staff_id)
    if person is None:
        raise ChangeRefused(f"okänd personal: {staff_id}" + (" (en vikarie tas bort med ångra)"
                                                              if day.person(staff_id) else ""))
    shifts = SHIFTS if whole_day else (shift.name,)
    when = f"hela dagen {shift.date.day}/{shift.date.month}" if whole_day else shift_label(shift.name, shift.date)
    if all(day.is_absent(staff_id, s) for s in shifts):
        raise ChangeRefused(f"{person.name} är redan frånvarande {when}")
    if not any(staff_id in day.crew(s) for s in shifts):
        raise ChangeRefused(f"{person.name} arbetar inte {when}")
    freed = [v.id for v in day.visits if v.shift in shifts and staff_id in v.staff_ids]
    record = box.records.append("absence", author=author, plan_version=plan.version, date=shift.date,
                                body={"staff_id": staff_id, "shift": "" if whole_day else shift.name})
    audit("day.absent", target=staff_id, date=shift.date.isoformat(), shift="" if whole_day else shift.name,
          visits=freed)
    return record


def add_substitute(box, shift, *, name, phone, author, audit):
    """Record a substitute for *shift*: a person outside the plan, given the id ``vik-…`` in the body."""
    plan, day = _plan_for(box, shift.date), box.day(shift.date)
    check = FieldChecker()
    name = " ".join(check.text(name, "namn", "name").split())
    phone = check.phone(phone, "telefon", required=True)
    _refuse_problems(check)
    substitute_id = f"vik-{secrets.token_hex(4)}"
    while substitute_id in day.staff:
        substitute_id = f"vik-{secrets.token_hex(4)}"
    record = box.records.append("substitute", author=author, plan_version=plan.version, date=shift.date,
                                body={"id": substitute_id, "name": name, "phone": phone, "shift": shift.name})
    audit("day.substitute", target=substitute_id, date=shift.date.isoformat(), shift=shift.name, name=name)
    return record


def assign(box, date, moves, *, author, audit, reasons=None):
    """Give each visit of *moves* (``(visit_id, staff_ids)`` pairs) to those people, all or none.

    An empty *staff_ids* sends the visit back to the unassigned.  *reasons*
    (visit id -> text) goes into the records, as a proposal explains them.
    """
    plan, day = _plan_for(box, date), box.day(date)
    reasons = reasons or {}
    changed, seen = [], set()
    for visit_id, staff_ids in moves:
        visit = day.visit(visit_id)
        if visit is None:
            raise ChangeRefused(f"okänt besök {visit_id} den {date}")
        if visit_id in seen:
            raise ChangeRefused(f"besöket {visit_id} finns med två gånger")
        seen.add(visit_id)
        staff_ids = tuple(staff_ids)
        _check_staffing(day, plan, visit, staff_ids)
        if staff_ids != visit.staff_ids:
            changed.append((visit, staff_ids))
    specs = [dict(kind="reassign", author=author, plan_version=plan.version, visit_id=visit.id,
                  client_id=visit.client_id, date=date,
                  body={"staff_ids": list(staff_ids), "from": list(visit.staff_ids), "shift": visit.shift,
                        **({"why": reasons[visit.id]} if reasons.get(visit.id) else {})})
             for visit, staff_ids in changed]
    records = box.records.append_many(specs) if specs else []
    for visit, staff_ids in changed:
        audit("visit.reassign", target=visit.id, client=visit.client_id, to=list(staff_ids),
              previous=list(visit.staff_ids))
    return Assignment(records=tuple(records), warnings=tuple(_collisions(box, date, changed)))


def set_order(box, shift, staff_id, visit_ids, *, author, audit):
    """Put *visit_ids* first on *staff_id*'s route of *shift*, in that order; the rest follow as they were.

    Returns the record, or None when the route already has that order.
    """
    plan, day = _plan_for(box, shift.date), box.day(shift.date)
    person = day.person(staff_id)
    if person is None:
        raise ChangeRefused(f"okänd personal: {staff_id}")
    route = [v.id for v in day.route(staff_id, shift=shift.name)]
    if not route:
        raise ChangeRefused(f"{person.name} har inga besök {shift_label(shift.name, shift.date)}")
    if len(set(visit_ids)) != len(visit_ids):
        raise ChangeRefused("samma besök finns med två gånger")
    stray = [v for v in visit_ids if v not in route]
    if stray or not visit_ids:
        raise ChangeRefused(f"besöket {stray[0] if stray else '-'} finns inte på {person.name}s rutt "
                            f"{shift_label(shift.name, shift.date)}")
    order = list(visit_ids) + [v for v in route if v not in visit_ids]
    if order == route:
        return None
    record = box.records.append("route_order", author=author, plan_version=plan.version, date=shift.date,
                                body={"staff_id": staff_id, "shift": shift.name, "visit_ids": order})
    audit("day.order", target=staff_id, date=shift.date.isoformat(), shift=shift.name, visits=order)
    return record


def add_extra_visit(box, shift, client_id, *, tasks, note="", window=None, staff_ids=(), needed=1, author, audit):
    """Add a visit to an existing client for *shift* (a discharge, an extra check at night).

    *window* is ``"19:00-19:30"`` or None and must lie inside the shift;
    *needed* = 2 makes it double-staffed.  Without *staff_ids* it starts
    unassigned.  The visit's id (``x-…``) is in the record's body.
    """
    plan, day = _plan_for(box, shift.date), box.day(shift.date)
    client = plan.clients.get(client_id)
    if client is None:
        raise ChangeRefused(f"okänd brukare: {client_id}")
    check = FieldChecker()
    tasks = [" ".join(check.text(t, "insats", "task").split()) for t in tasks]
    note = check.text(note, "anteckning", "note", required=False)
    _refuse_problems(check)
    if not tasks or len(tasks) > MAX_TASKS:
        raise ChangeRefused(f"ett extra besök behöver 1–{MAX_TASKS} insatser")
    if needed not in range(1, MAX_NEEDED + 1):
        raise ChangeRefused("ett besök behöver en eller två personer")
    visit_id = f"x-{secrets.token_hex(4)}"
    while day.visit(visit_id) or plan.visit(visit_id):
        visit_id = f"x-{secrets.token_hex(4)}"
    visit = Visit(id=visit_id, client_id=client_id, date=shift.date, shift=shift.name,
                  window=_window(window, shift), tasks=tuple(tasks), note=note)
    staff_ids = tuple(staff_ids)
    if staff_ids:
        _check_staffing(day, plan, visit, staff_ids, needed=needed)
    body = {"id": visit_id, "shift": shift.name, "tasks": tasks, "note": note, "staff_ids": list(staff_ids),
            "needed": needed, "window": ({"start": f"{visit.window.start:%H:%M}", "end": f"{visit.window.end:%H:%M}"}
                                         if visit.window else None)}
    record = box.records.append("extra_visit", author=author, plan_version=plan.version, visit_id=visit_id,
                                client_id=client_id, date=shift.date, body=body)
    audit("day.extra_visit", target=visit_id, client=client_id, date=shift.date.isoformat(), shift=shift.name,
          staff=list(staff_ids))
    return record


def undo(box, record_id, *, author, audit):
    """Take back one change (an absence, a substitute, an assignment, an order, an extra visit)."""
    record = box.records.get(record_id)
    if record is None or record["kind"] not in DAY_KINDS or record["body"].get("undone"):
        raise ChangeRefused(f"ingen ändring med id {record_id}")
    if any(r["corrects"] == record_id for r in box.records.find(kind=record["kind"], date=record["date"])):
        raise ChangeRefused("ändringen är redan ångrad")
    plan = box.plan()
    undone = box.records.append(record["kind"], author=author, plan_version=plan.version, corrects=record_id,
                                visit_id=record["visit_id"], client_id=record["client_id"],
                                date=_date(record["date"]), body={"undone": True})
    audit("day.undo", target=record_id, kind=record["kind"], date=record["date"])
    return undone


# -- the rules ------------------------------------------------------------------------------------

def _check_staffing(day, plan, visit, staff_ids, *, needed=None):
    """Refuse unknown, absent or off-shift people, the same person twice, and too few for the visit."""
    client = plan.clients.get(visit.client_id)
    where = f"hos {client.name if client else visit.client_id}" + (f" {window_text(visit)}" if visit.window else "")
    if len(set(staff_ids)) != len(staff_ids):
        raise ChangeRefused(f"samma person kan inte ta besöket {where} två gånger")
    crew = day.crew(visit.shift)
    for staff_id in staff_ids:
        person = day.person(staff_id)
        if person is None:
            raise ChangeRefused(f"okänd personal: {staff_id}")
        if day.is_absent(staff_id, visit.shift):
            raise ChangeRefused(f"{person.name} är frånvarande {shift_label(visit.shift, day.date)}")
        if staff_id not in crew:
            role = "vikarien " if person.role == SUBSTITUTE_ROLE else ""
            raise ChangeRefused(f"{role}{person.name} arbetar inte {shift_label(visit.shift, day.date)}")
    needed = day.needs(visit) if needed is None else needed
    if staff_ids and len(staff_ids) < needed:
        raise ChangeRefused(f"besöket {where} är dubbelbemannat och behöver {needed} olika personer")


def _collisions(box, date, changed):
    """Warnings for windows that now collide (no travel margin: these are the team's own choices)."""
    if not changed:
        return []
    day, timing, plan = box.day(date), Timing(), box.plan()
    warnings = []
    for visit, staff_ids in changed:
        for staff_id in staff_ids:
            for other in day.route(staff_id, shift=visit.shift):
                if timing.collide(visit, other, margin=0):
                    names = [plan.clients[v.client_id].name if v.client_id in plan.clients else v.client_id
                             for v in (visit, other)]
                    warnings.append(f"{day.person(staff_id).name} har två besök samtidigt: {names[0]} "
                                    f"{window_text(visit)} och {names[1]} {window_text(other)}")
    return warnings


def _window(text, shift):
    if not text:
        return None
    match = WINDOW_RE.match(str(text).strip())
    if not match:
        raise ChangeRefused(f'tiden ska vara "TT:MM-TT:MM", till exempel "19:00-19:30" (inte "{str(text)[:20]}")')
    h1, m1, h2, m2 = (int(p) for p in match.groups())
    window = Window(start=dt.time(h1, m1), end=dt.time(h2, m2))
    span, (start, end) = window.span(shift.name), shift_span(shift)
    if span[0] == span[1] or span[1] - span[0] > MAX_WINDOW_MINUTES:
        raise ChangeRefused("tiden måste sluta efter att den börjar, inom tolv timmar")
    if not (start <= span[0] and span[1] <= end):
        raise ChangeRefused(f"tiden {text} ligger inte inom {shift_label(shift.name, shift.date)} "
                            f"({shift.start:%H:%M}–{shift.end:%H:%M})")
    return window


def _plan_for(box, date):
    plan = box.plan()
    if not plan.covers(date):
        raise ChangeRefused(f"planen täcker inte {date} ({plan.valid_from}–{plan.valid_to})")
    return plan


def _refuse_problems(check):
    if check.problems:
        raise ChangeRefused(check.problems[0])


def _date(text):
    return dt.date.fromisoformat(text) if text else None
