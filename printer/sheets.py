"""The run-sheet (körlista): one staff member's day on a strip of paper.

Pure: plan data in, a :class:`~printer.layout.Receipt` out.  What may appear
on paper is decided here and nowhere else, because paper gets lost: names,
addresses, tasks, notes, alerts and the partner of a double-staffed visit.
Time windows only with ``print_times``, door codes and key boxes only with
``print_entry``; never personal numbers, phone numbers of clients or
relatives, or anything from the client card beyond that.
"""

from .layout import Receipt

WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
SHIFT_NAMES = {"dag": "Dag", "kväll": "Kväll", "natt": "Natt"}


def long_date(date):
    """"Fredag 27 november 2026"."""
    return f"{WEEKDAYS[date.weekday()].capitalize()} {date.day} {MONTHS[date.month - 1]} {date.year}"


def plan_line(plan, tz):
    """"Plan från 27/11 05:12" in the box's time zone."""
    generated = plan.generated_at.astimezone(tz)
    return f"Plan från {generated.day}/{generated.month} {generated:%H:%M}"


def route_url(web_url, staff_id, date):
    """Where the QR code on a run-sheet leads: this route on the box's web UI."""
    return f"{web_url.rstrip('/')}/idag?personal={staff_id}&datum={date.isoformat()}"


def run_sheet(plan, day, staff_id, *, columns, printed_at, web_url, print_times=False, print_entry=False):
    """The receipt for *staff_id* on *day* (a :class:`sync.day.team_day.TeamDay`)."""
    staff = day.staff[staff_id]  # plan staff or the day's substitute
    visits = day.route(staff_id)
    receipt = Receipt(columns=columns)
    receipt.text(plan.team.name, center=True)
    receipt.title("Körlista")
    receipt.title(staff.name)
    receipt.text(long_date(day.date), center=True, bold=True)
    shifts = list(dict.fromkeys(v.shift for v in visits))
    receipt.text("Pass: " + " och ".join(s for s in shifts) if shifts else "Inga besök", center=True)
    receipt.text(plan_line(plan, printed_at.tzinfo), center=True)
    receipt.rule("=")

    number, indent = 0, len(str(len(visits))) + 2
    for shift in shifts:
        if len(shifts) > 1:
            receipt.text(f"{SHIFT_NAMES.get(shift, shift)}pass", bold=True, center=True)
            receipt.rule()
        for visit in (v for v in visits if v.shift == shift):
            number += 1
            _visit(receipt, plan, day, visit, staff_id, number=number, indent=indent, moved=visit.id in day.moved,
                   print_times=print_times, print_entry=print_entry)
            receipt.rule()

    _footer(receipt, plan, url=route_url(web_url, staff_id, day.date), printed_at=printed_at)
    return receipt


def _visit(receipt, plan, day, visit, staff_id, *, number, indent, moved, print_times, print_entry):
    client = plan.clients[visit.client_id]
    label = f"{number}.".ljust(indent)
    receipt.text(label + client.name, indent=indent, first_indent=0, bold=True)
    receipt.address(client.address, indent=indent)
    if print_times and visit.window:
        receipt.text(f"Tid: {visit.window.start:%H:%M}-{visit.window.end:%H:%M}", indent=indent)
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


def _footer(receipt, plan, *, url, printed_at):
    receipt.text("Viktiga nummer", bold=True)
    for contact in plan.contacts:
        receipt.pair(contact.name, contact.phone)
    receipt.blank()
    receipt.text("Rutten i mobilen (boxens wifi):", center=True)
    receipt.qr(url)
    receipt.text(f"Utskriven {printed_at.day}/{printed_at.month} {printed_at:%H:%M}", center=True)
