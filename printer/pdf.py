"""The two-week plan of one staff member as an A4 PDF, for any office printer.

The Kalix rule: with two weeks on paper the team can work through a long
outage.  Same privacy rules as the run-sheet (entry information and time
windows only when the configuration allows them).  fpdf2's core font covers
Latin-1, which has å ä ö; anything else goes through
:func:`sync.text.printable` first::

    pdf_bytes = two_week_pdf(box, "s2")
"""

import datetime as dt
import logging

from sync.errors import HembasError
from sync.text import a4_document, pdf_text

from .sheets import long_date, plan_line

logger = logging.getLogger(__name__)

DAYS = 14


def two_week_pdf(box, staff_id, *, start=None):
    """A4 PDF bytes: *staff_id*'s visits for 14 days from *start* (default: trusted today)."""
    plan = box.plan()
    if staff_id not in plan.staff:
        raise HembasError(f"personal {staff_id} finns inte i planen")
    settings = box.config["printer"]
    start = start or box.clock.today()
    tz = box.clock.status().now.tzinfo
    staff = plan.staff[staff_id]

    end = start + dt.timedelta(days=DAYS - 1)
    pdf = a4_document(f"Plan {staff.name}", f"{staff.name} - två veckor",
                      f"{plan.team.name}. {start:%d/%m} - {end:%d/%m %Y}. {plan_line(plan, tz)}.")
    pdf.cell(0, 6, pdf_text("Ändringar efter utskriften syns på boxen och i mobilen."), new_x="LMARGIN", new_y="NEXT")
    for n in range(DAYS):
        date = start + dt.timedelta(days=n)
        _day(pdf, plan, box.day(date), date, staff_id, settings)
    _contacts(pdf, plan)
    return bytes(pdf.output())


def _day(pdf, plan, day, date, staff_id, settings):
    visits = day.route(staff_id)
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 12)
    pdf.set_fill_color(230, 230, 230)
    label = long_date(date) + ("" if plan.covers(date) else " (utanför planen)")
    pdf.cell(0, 7, pdf_text(label), fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    if not visits:
        pdf.cell(0, 6, pdf_text("Inga besök."), new_x="LMARGIN", new_y="NEXT")
        return
    for number, visit in enumerate(visits, start=1):
        client = plan.clients[visit.client_id]
        head = f"{number}. {client.name}, {client.address} ({visit.shift})"
        if settings["print_times"] and visit.window:
            head += f" {visit.window.start:%H:%M}-{visit.window.end:%H:%M}"
        pdf.set_font("helvetica", "B", 10)
        pdf.multi_cell(0, 5, pdf_text(head), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 10)
        details = []
        if visit.tasks:
            details.append("Insatser: " + ", ".join(visit.tasks))
        if client.alerts:
            details.append("OBS! " + "; ".join(client.alerts))
        if visit.note:
            details.append("Notering: " + visit.note)
        partners = [plan.staff[s].name for s in visit.staff_ids if s != staff_id and s in plan.staff]
        if partners:
            details.append("Dubbelbemanning med " + " och ".join(partners))
        if settings["print_entry"] and client.entry:
            details.append("Nyckel/kod: " + client.entry)
        pdf.set_x(pdf.l_margin + 6)
        pdf.multi_cell(0, 5, pdf_text(". ".join(details)), new_x="LMARGIN", new_y="NEXT")


def _contacts(pdf, plan):
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(0, 7, pdf_text("Viktiga nummer"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    for contact in plan.contacts:
        pdf.cell(70, 6, pdf_text(contact.name))
        pdf.cell(0, 6, pdf_text(contact.phone), new_x="LMARGIN", new_y="NEXT")
