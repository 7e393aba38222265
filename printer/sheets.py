"""The run-sheet (körlista): one staff member's shift (or working day) on a strip of paper.

Pure: plan data in, a :class:`~printer.layout.Receipt` out.  What may appear
on paper is decided here and nowhere else, because paper gets lost: names,
addresses, tasks, notes, alerts and the partner of a double-staffed visit.
Time windows only with ``print_times``, door codes and key boxes only with
``print_entry``; never personal numbers, phone numbers of clients or
relatives, or anything from the client card beyond that.

When the box (or the carer's phone) is down, the sheet *is* the
documentation: with ``tick_boxes`` each visit ends with ``[ ] Utfört
[ ] Ej utfört`` and a line for a note, and the footer asks for the sheet
back at the base, where the coordinator types it in (see
:func:`sync.reentry.visits_without_outcome`).
"""

from sync.day.shifts import window_label
from sync.day.swedish import MONTHS, WEEKDAYS, shift_title
from sync.day.team_day import SUBSTITUTE_ROLE

from .layout import Receipt

TICK_BOXES = "[ ] Utfört  [ ] Ej utfört"
NOTE_LABEL = "Notering: "
HAND_IN = "Lämna in listan på basen efter passet."


def long_date(date):
    """"Fredag 27 november 2026"."""
    return f"{WEEKDAYS[date.weekday()].capitalize()} {date.day} {MONTHS[date.month - 1]} {date.year}"


def plan_line(plan, tz):
    """"Plan från 27/11 05:12" in the box's time zone."""
    generated = plan.generated_at.astimezone(tz)
    return f"Plan från {generated.day}/{generated.month} {generated:%H:%M}"


def route_url(web_url, staff_id, date, shift=""):
    """Where the QR code on a run-sheet leads: this route (this shift) on the box's web UI."""
    url = f"{web_url.rstrip('/')}/idag?personal={staff_id}&datum={date.isoformat()}"
    return url + (f"&pass={shift}" if shift else "")


def shift_line(shift):
    """"Nattpass 21:30-lör 07:15": the shift's own hours, the next morning marked."""
    return f"{shift_title(shift.name)} {shift.hours}"


def run_sheet(plan, day, staff_id, *, columns, printed_at, web_url, shift=None, print_times=False,
              print_entry=False, tick_boxes=True):
    """The receipt for *staff_id* on *day* (a :class:`sync.day.team_day.TeamDay`).

    With *shift* (a :class:`sync.day.shifts.Shift` of that day) only that
    shift's visits; without, the whole working day, shift by shift.
    """
    staff = day.staff[staff_id]  # plan staff or the day's substitute
    visits = day.route(staff_id, shift=shift.name if shift else None)
    receipt = Receipt(columns=columns)
    receipt.text(plan.team.name, center=True)
    receipt.title("Körlista")
    receipt.title(staff.name)
    receipt.text(long_date(day.date), center=True, bold=True)
    shifts = list(dict.fromkeys(v.shift for v in visits))
    if shift is not None:
        receipt.text(shift_line(shift) + ("" if visits else " - inga besök"), center=True)
    else:
        receipt.text("Pass: " + " och ".join(s for s in shifts) if shifts else "Inga besök", center=True)
    receipt.text(plan_line(plan, printed_at.tzinfo), center=True)
    receipt.rule("=")
    if staff.role == SUBSTITUTE_ROLE:
        _colleague_to_call(receipt, plan, day, staff_id)

    number, indent = 0, len(str(len(visits))) + 2
    for name in shifts:
        if len(shifts) > 1:
            receipt.text(shift_title(name), bold=True, center=True)
            receipt.rule()
        for visit in (v for v in visits if v.shift == name):
            number += 1
            _visit(receipt, plan, day, visit, staff_id, number=number, indent=indent, moved=visit.id in day.moved,
                   print_times=print_times, print_entry=print_entry, tz=printed_at.tzinfo,
                   stranger=staff.role == SUBSTITUTE_ROLE)
            if tick_boxes:
                _tick_boxes(receipt, indent=indent)
            receipt.rule()

    _footer(receipt, plan, url=route_url(web_url, staff_id, day.date, shift.name if shift else ""),
            printed_at=printed_at, hand_in=tick_boxes and bool(visits))
    return receipt


def _visit(receipt, plan, day, visit, staff_id, *, number, indent, moved, print_times, print_entry, tz,
           stranger=False):
    """One stop; for a *stranger* (a substitute, who knows neither clients nor addresses) also the area.
    The way in stays behind ``print_entry`` for everyone: a substitute reads it on their phone's client card."""
    client = plan.clients[visit.client_id]
    label = f"{number}.".ljust(indent)
    receipt.text(label + client.name, indent=indent, first_indent=0, bold=True)
    receipt.address(client.address, indent=indent)
    if stranger and client.area:
        receipt.text("Område: " + client.area, indent=indent + 2, first_indent=indent)
    if print_times and visit.window:
        receipt.text(f"Tid: {window_label(visit, tz, dash='-')}", indent=indent)
    for alert in client.alerts:
        receipt.text(f"! {alert}", indent=indent, first_indent=indent, bold=True, invert=True)
    if visit.tasks:
        receipt.text("Insatser: " + ", ".join(visit.tasks), indent=indent + 2, first_indent=indent)
    if visit.note:
        receipt.text("Obs: " + visit.note, indent=indent + 2, first_indent=indent)
    partners = [day.staff[s].name for s in visit.staff_ids if s != staff_id and s in day.staff]
    if partners:
        receipt.text("Dubbelbemanning med " + " och ".join(partners), indent=indent + 2, first_indent=indent,
                     bold=True)
    if moved:
        receipt.text("(Flyttat hit idag)", indent=indent)
    if print_entry and client.entry:
        receipt.text("Nyckel/kod: " + client.entry, indent=indent + 2, first_indent=indent)


def _colleague_to_call(receipt, plan, day, staff_id):
    """A substitute's first question is whom to ask: the colleague who added them at the meeting."""
    added = next((r for r in day.changes if r["kind"] == "substitute" and r["body"].get("id") == staff_id), None)
    colleague = plan.staff.get(added["author"]) if added else None
    if colleague and colleague.phone:
        receipt.text("Vikarie? Frågor under passet:", bold=True)
        receipt.pair(colleague.name, colleague.phone)
        receipt.rule()


def _tick_boxes(receipt, *, indent):
    """Room to document the visit on paper: done or not, and a short note."""
    receipt.text(TICK_BOXES, indent=indent)
    receipt.text(NOTE_LABEL + "_" * (receipt.columns - indent - len(NOTE_LABEL)), indent=indent)


def _footer(receipt, plan, *, url, printed_at, hand_in):
    if hand_in:
        receipt.text(HAND_IN, bold=True, center=True)
        receipt.rule()
    receipt.text("Viktiga nummer", bold=True)
    for contact in plan.contacts:
        receipt.pair(contact.name, contact.phone)
    receipt.blank()
    receipt.text("Rutten i mobilen (boxens wifi):", center=True)
    receipt.qr(url)
    receipt.text(f"Utskriven {printed_at.day}/{printed_at.month} {printed_at:%H:%M}", center=True)
