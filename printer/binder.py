"""The team's binder (pärm): the whole team's two weeks on A4, by day and by client.

After the attack Kalix decided to always have the planning for two weeks
ahead on paper.  The binder in the staff room answers both questions an
outage brings: "what do I do today?" (each day by shift, every carer's route
in order, visits nobody has flagged) and, on the phone, "when is someone
coming to my mother?" (the client index: every client with address,
contacts, alerts and all visits in the window, alphabetical by surname).

Every section — the cover, the contacts, each day, each client — starts on a
new page, so a change is swapped as whole pages: :attr:`Binder.pages` maps
each section to its pages, and the change list names them.  The binder stays
in the staff room, so unlike a run-sheet it carries the clients' and their
relatives' phone numbers; door codes and key boxes only with ``print_entry``::

    binder = render_binder(binder_period(box), settings=box.config["printer"], printed_at=now,
                           printed_by="Amira Hassan", replaces=None)
    binder.data          # PDF bytes
    binder.pages         # {"cover": [1, 2], "contacts": [3, 3], "day/2026-11-27": [4, 6], ...}
"""

import dataclasses
import datetime as dt
import math

from sync.day.shifts import window_label
from sync.day.swedish import SHORT_WEEKDAYS, shift_title
from sync.text import a4_document, pdf_text

from .a4 import FIT, LINE, PageWriter, as_of_line, staff_name
from .sheets import long_date, plan_line

TOC_LINE = 4.5  # mm per line of the table of contents


@dataclasses.dataclass(frozen=True)
class Binder:
    data: bytes
    pages: dict        # section key -> [first page, last page]
    page_count: int


def sort_name(name):
    """"Åsa Lindström" -> "Lindström, Åsa": the client index is alphabetical by surname."""
    first, _, last = name.strip().rpartition(" ")
    return f"{last}, {first}" if first else last


SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "é": "e", "ü": "y"})


def swedish_key(text):
    """Sort key for Swedish order: å, ä, ö after z (æ with ä, ø with ö, ü with y)."""
    return text.lower().translate(SWEDISH_ORDER)


def client_order(plan):
    """The clients as the index lists them."""
    return sorted(plan.clients.values(), key=lambda c: (swedish_key(sort_name(c.name)), c.id))


def section_label(key, plan):
    """How a section is named in the footer, the contents and the change list."""
    kind, _, rest = key.partition("/")
    if kind == "day":
        return long_date(dt.date.fromisoformat(rest))
    if kind == "client":
        client = plan.clients.get(rest) if plan else None
        return sort_name(client.name) if client else rest
    return {"cover": "Försättsblad", "contacts": "Kontakter"}.get(kind, key)


def render_binder(period, *, settings, printed_at, printed_by, replaces):
    """The :class:`Binder` of *period* (a :class:`printer.binder_diff.Period`).

    *replaces* is the stored record of the printed binder (``version``,
    ``made_at``), or None for the first one.
    """
    plan = period.plan
    as_of = as_of_line(plan, printed_at)
    pages, current = {}, {"label": "Försättsblad", "fresh": False}
    pdf = a4_document(f"Pärm {plan.team.name}", f"Pärm: {plan.team.name}",
                      f"{long_date(period.start)} - {long_date(period.end)}",
                      footer=lambda page: (as_of, f"{current['label']} | sida {page}".lstrip(" |")))
    out = PageWriter(pdf)

    def section(key, title, *, level=0, parent=None):
        """Every section starts on a page of its own, so it can be swapped without touching the others."""
        if not current["fresh"]:
            pdf.add_page()
        current.update(label=section_label(key, plan), fresh=False)
        pages[key] = [pdf.page_no(), pdf.page_no()]
        if parent:
            pdf.start_section(pdf_text(parent))
        pdf.start_section(pdf_text(title), level=level)

    clients = client_order(plan)
    pages["cover"] = [1, 1]
    _cover(out, plan, period, printed_at=printed_at, printed_by=printed_by, replaces=replaces)
    toc = [("contacts", "Kontakter", 0)] + [(f"day/{d.date}", long_date(d.date), 0) for d in period.days]
    toc += [(f"client/{clients[0].id}", "Brukare A-Ö", 0)] if clients else []
    toc += [(f"client/{c.id}", sort_name(c.name), 1) for c in clients]
    first = math.floor((pdf.page_break_trigger - pdf.y + FIT) / TOC_LINE)
    per_page = math.floor((pdf.page_break_trigger - pdf.t_margin + FIT) / TOC_LINE)
    toc_pages = 1 + max(0, math.ceil((len(toc) - first) / per_page))
    pdf.start_section(pdf_text("Försättsblad"))
    pdf.insert_toc_placeholder(lambda doc, _outline: _contents(out, toc, pages, first), pages=toc_pages)
    pages["cover"][1] = toc_pages
    current["fresh"] = True  # the placeholder has already begun the next page

    section("contacts", "Kontakter")
    out.bar("Kontakter", size=14)
    out.space(2)
    out.contacts(plan, staff=True)
    pages["contacts"][1] = pdf.page_no()

    for day in period.days:
        key = f"day/{day.date}"
        section(key, long_date(day.date))
        _day(out, plan, day, period.shifts[day.date], settings)
        pages[key][1] = pdf.page_no()

    visits, people = {}, {}
    for day in period.days:
        people.update(day.staff)
        for visit in day.visits:
            visits.setdefault(visit.client_id, []).append(visit)
    for n, client in enumerate(clients):
        key = f"client/{client.id}"
        section(key, sort_name(client.name), level=1, parent="Brukare A-Ö" if n == 0 else None)
        _client(out, client, visits.get(client.id, []), settings, people)
        pages[key][1] = pdf.page_no()
    data = bytes(pdf.output())
    return Binder(data=data, pages=pages, page_count=len(pdf.pages))


def _cover(out, plan, period, *, printed_at, printed_by, replaces):
    out.space(4)
    tz = printed_at.tzinfo
    lines = [
        ("Plan", f"version {plan.version} ({plan_line(plan, tz)})"),
        ("Period", f"{period.start:%d/%m} - {period.end:%d/%m %Y} (två veckor)"),
        ("Utskriven", f"{printed_at.day}/{printed_at.month} {printed_at:%Y %H:%M} av {printed_by}"),
        ("Ersätter", f"utskrift från {when_text(replaces['made_at'], tz)} (plan {replaces['version']}); "
                     "sidorna som byts ut rivs ur och strimlas" if replaces else "ingen tidigare utskrift"),
    ]
    for label, text in lines:
        out.row([(28, label, True), (0, text, False)], size=11)
    out.space(2)
    out.text("Pärmen gäller när boxen eller nätet inte fungerar. Ändringar efter utskriften syns på boxen och "
             "i mobilen; samordnaren byter ut sidorna som ändrats (se \"Ändringar sedan senaste pärmen\"). Varje "
             "sida säger vilken plan den kommer från. Dagarna: varje pass, varje persons besök i ordning, besök "
             "som ingen har först. Brukarna (efternamn A-Ö): adress, kontakter, OBS och alla besök i perioden.",
             size=9)
    out.space(3)
    out.bar("Innehåll", keep=0)


def when_text(iso_text, tz):
    """An ISO time from a stored record as "20/11 2026 07:30" in *tz*."""
    value = dt.datetime.fromisoformat(iso_text).astimezone(tz)
    return f"{value.day}/{value.month} {value:%Y %H:%M}"


def _contents(out, toc, pages, room):
    """The table of contents, drawn at the end (fpdf2 calls it) into the pages reserved for it."""
    for key, label, level in toc:
        if room == 0:
            out.pdf.add_page()
            room = math.floor((out.pdf.page_break_trigger - out.pdf.t_margin + FIT) / TOC_LINE)
        first, last = pages[key]
        out.row([(120 - 6 * level, label, level == 0), (0, f"sida {first}" + (f"-{last}" if last != first else ""),
                                                         False)], height=TOC_LINE, indent=6 * level)
        room -= 1


def _day(out, plan, day, shifts, settings):
    out.bar(long_date(day.date), size=14)
    if not plan.covers(day.date):
        out.text("Utanför planen: boxen har ingen planering för den här dagen än.")
        return
    order = list(plan.staff)
    for shift in shifts:
        visits = day.shift(shift.name)
        out.space(2)
        out.bar(f"{shift_title(shift.name)} {shift.start:%H:%M}-{shift.end:%H:%M} "
                f"({len(visits)} besök)", size=11)
        if not visits:
            out.text("Inga besök.")
            continue
        unassigned = day.unassigned(shift=shift.name)
        if unassigned:
            out.space(1)
            out.flag(f"EJ TILLDELADE ({len(unassigned)}): ingen har de här besöken")
            for number, visit in enumerate(unassigned, start=1):
                out.visit(plan, visit, number=number, staff_id=None, settings=settings, people=day.staff,
                          show_shift=False)
        staff_ids = sorted(day.staff_ids(shift=shift.name), key=lambda s: order.index(s) if s in order else len(order))
        for staff_id in staff_ids:
            route = day.route(staff_id, shift=shift.name)
            out.space(1.5)
            out.room(3 * LINE)
            out.text(f"{staff_name(day.staff, staff_id)} ({len(route)} besök)", size=11, bold=True)
            out.rule()
            out.space(0.5)
            for number, visit in enumerate(route, start=1):
                out.visit(plan, visit, number=number, staff_id=staff_id, settings=settings, people=day.staff,
                          show_shift=False)


def _client(out, client, visits, settings, people):
    out.bar(sort_name(client.name), size=14)
    rows = [("Adress", client.address + (f" ({client.area})" if client.area else ""))]
    if client.phone:
        rows.append(("Telefon", client.phone))
    for contact in client.contacts:
        rows.append(("Kontakt", ", ".join(filter(None, (contact.name, contact.relation, contact.phone)))))
    if settings["print_entry"] and client.entry:
        rows.append(("Nyckel/kod", client.entry))
    for label, text in rows:
        out.row([(28, label, True), (0, text, False)], size=10)
    for alert in client.alerts:
        out.flag(f"OBS! {alert}")
    out.space(2)
    out.text(f"Besök de här två veckorna: {len(visits)}", bold=True)
    out.rule()
    if not visits:
        out.text("Inga besök.")
    for visit in visits:
        when = f"{SHORT_WEEKDAYS[visit.date.weekday()]} {visit.date.day}/{visit.date.month}"
        shift = visit.shift
        if settings["print_times"] and visit.window:
            shift += " " + window_label(visit, dash="-")
        who = " och ".join(staff_name(people, s) for s in visit.staff_ids)
        out.row([(22, when, False), (32, shift, False), (55, who or "EJ TILLDELAD", not who),
                 (0, ", ".join(visit.tasks), False)])

