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
from sync.text import a4_document

from .a4 import PageWriter, as_of_line
from .sheets import long_date, plan_line

logger = logging.getLogger(__name__)

DAYS = 14


def two_week_pdf(box, staff_id, *, start=None):
    """A4 PDF bytes: *staff_id*'s visits for 14 days from *start* (default: the current working day)."""
    plan = box.plan()
    if staff_id not in plan.staff:
        raise HembasError(f"personal {staff_id} finns inte i planen")
    settings = box.config["printer"]
    start = start or box.current_shift().date  # the working day: at 01:30 the night that began yesterday
    printed_at = box.clock.status().now
    staff = plan.staff[staff_id]

    end = start + dt.timedelta(days=DAYS - 1)
    as_of = as_of_line(plan, printed_at)
    pdf = a4_document(f"Plan {staff.name}", f"{staff.name} - två veckor",
                      f"{plan.team.name}. {start:%d/%m} - {end:%d/%m %Y}. {plan_line(plan, printed_at.tzinfo)}.",
                      footer=lambda page: (as_of, f"{staff.name}, sida {page}"))
    out = PageWriter(pdf)
    out.text("Ändringar efter utskriften syns på boxen och i mobilen.")
    for n in range(DAYS):
        date = start + dt.timedelta(days=n)
        _day(out, plan, box.day(date), date, staff_id, settings)
    out.space(4)
    out.text("Viktiga nummer", size=12, bold=True)
    out.contacts(plan)
    return bytes(pdf.output())


def two_week_clients(box, staff_id, *, start=None):
    """The clients :func:`two_week_pdf` lists for *staff_id* (what its audit entry names)."""
    start = start or box.current_shift().date
    return sorted({v.client_id for n in range(DAYS) for v in box.day(start + dt.timedelta(days=n)).route(staff_id)})


def _day(out, plan, day, date, staff_id, settings):
    visits = day.route(staff_id)
    out.space(3)
    out.bar(long_date(date) + ("" if plan.covers(date) else " (utanför planen)"))
    if not visits:
        out.text("Inga besök.")
        return
    for number, visit in enumerate(visits, start=1):
        out.visit(plan, visit, number=number, staff_id=staff_id, settings=settings, people=day.staff)
