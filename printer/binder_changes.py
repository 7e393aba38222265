""""Ändringar sedan senaste pärmen": the short A4 list of what to swap in the printed binder.

Kristianstad's downtime routine says who prints the paper set, when, and
that the superseded one is shredded.  Reprinting a hundred pages for three
moved visits is what makes a binder go stale, so this list says exactly
which visits were added, removed or changed (who, when, tasks), and which
pages of the binder on the shelf to take out and which pages of the new one
to put in.  It reads two stored binder records (:mod:`printer.binder_store`)
and their :class:`printer.binder_diff.Changes`; it never needs the plan::

    data = changes_pdf(changes, printed=old_record, current=new_record, printed_at=now)
"""

import datetime as dt

from sync.text import a4_document

from .a4 import PageWriter
from sync.day.swedish import SHORT_WEEKDAYS, shift_title

from .binder import sort_name, when_text
from .binder_diff import FIELD_NAMES
from .sheets import long_date


def changes_pdf(changes, *, printed, current, printed_at):
    """A4 PDF bytes listing *changes* from the *printed* binder record to the *current* one."""
    as_of = (f"{current['team']} | ändringar från pärmen {printed['version']} till plan {current['version']} | "
             f"utskriven {printed_at.day}/{printed_at.month} {printed_at:%Y %H:%M}")
    pdf = a4_document("Ändringar sedan senaste pärmen", "Ändringar sedan senaste pärmen", current["team"],
                      footer=lambda page: (as_of, f"Ändringar | sida {page}"))
    out = PageWriter(pdf)
    names = _Names(printed, current)
    tz = printed_at.tzinfo
    out.space(2)
    out.row([(28, "Pärmen", True), (0, f"plan {printed['version']}, utskriven {when_text(printed['made_at'], tz)} "
                                      f"av {printed['made_by']} ({printed['page_count']} sidor)", False)], size=10)
    out.row([(28, "Nu", True), (0, f"plan {current['version']}, {_period(current)} "
                                  f"({current['page_count']} sidor i den nya pärmen)", False)], size=10)
    out.space(2)
    if not changes:
        out.text("Inga ändringar: pärmen stämmer med planen och boxens ändringar.", bold=True)
        return bytes(pdf.output())
    out.text(_summary(changes), bold=True)
    out.text("Ta ut sidorna i vänstra kolumnen och strimla dem; sätt in sidorna i högra kolumnen ur den nya "
             "pärmen (boxen: \"Skriv ut sidorna som ändrats\"). Markera sedan pärmen som utskriven.", size=9)

    out.space(2)
    out.bar("Byt sidorna", size=11)
    out.row([(90, "Avsnitt", True), (45, "Ta ut (pärmen)", True), (0, "Sätt in (nya pärmen)", True)])
    in_binder_order = sorted(changes.sections(), key=lambda key: (current["pages"].get(key) or
                                                                   printed["pages"].get(key) or [10**6])[0])
    swaps = [(names.section(key), _pages(printed, key), _pages(current, key)) for key in in_binder_order]
    if changes.passed_days:
        first, last = changes.passed_days[0], changes.passed_days[-1]
        passed = [printed["pages"].get(f"day/{d}") for d in changes.passed_days]
        span = [p for p in passed if p]
        swaps.append((f"Passerade dagar {_short(first)}-{_short(last)}",
                      f"{span[0][0]}-{span[-1][1]}" if span else "-", "-"))
    for label, old, new in swaps:
        out.row([(90, label, False), (45, old, False), (0, new, False)])

    _visits(out, f"Tillagda besök ({len(changes.added)})", changes.added, names, current)
    _visits(out, f"Borttagna besök ({len(changes.removed)})", changes.removed, names, printed)
    if changes.changed:
        out.space(2)
        out.bar(f"Ändrade besök ({len(changes.changed)})", size=11)
        for old, new, fields in changes.changed:
            _visit_row(out, new, names, current)
            what = "; ".join(f"{FIELD_NAMES[f]}: {names.value(f, getattr(old, f))} -> {names.value(f, getattr(new, f))}"
                             for f in fields)
            out.text(what, size=9, indent=6)
    if changes.reordered:
        out.space(2)
        out.bar(f"Rutter i ny ordning ({len(changes.reordered)})", size=11)
        for date, shift, staff_id in changes.reordered:
            out.row([(54, f"{_short(date)} {shift_title(shift).lower()}", False),
                     (0, names.staff(staff_id), False)])
    if changes.clients:
        out.space(2)
        out.bar(f"Ändrade brukaruppgifter ({len(changes.clients)})", size=11)
        out.text("Adress, telefon, kontakter, OBS eller nyckel/kod: " + ", ".join(names.client(c) for c in changes.clients),
                 size=9)
    if changes.contacts:
        out.space(2)
        out.bar("Kontakter", size=11)
        out.text("Teamets eller personalens telefonnummer har ändrats.", size=9)
    if changes.new_days:
        out.space(2)
        out.bar(f"Nya dagar ({len(changes.new_days)})", size=11)
        out.text("Hela dagen är ny i pärmen: " + ", ".join(_short(d) for d in changes.new_days), size=9)
    return bytes(pdf.output())


def _visits(out, title, rows, names, record):
    if not rows:
        return
    out.space(2)
    out.bar(title, size=11)
    for row in rows:
        _visit_row(out, row, names, record)


def _visit_row(out, row, names, record):
    """date and shift | client | who | tasks | the pages of *record* that show it."""
    when = f"{_short(row.date)} {row.shift}" + (f" {row.window}" if row.window else "")
    pages = ", ".join(p for p in (_pages(record, f"day/{row.date}"), _pages(record, f"client/{row.client_id}"))
                      if p != "-")
    out.row([(28, when, False), (52, names.client(row.client_id), True),
             (48, names.value("staff_ids", row.staff_ids), not row.staff_ids),
             (0, ", ".join(row.tasks) + (f" (sida {pages})" if pages else ""), False)])


class _Names:
    """Names of clients and staff from the newer record, else the older one."""

    def __init__(self, printed, current):
        self.records = (current, printed)

    def client(self, client_id):
        for record in self.records:
            if client_id in record["clients"]:
                return record["clients"][client_id][0]
        return client_id

    def staff(self, staff_id):
        for record in self.records:
            if staff_id in record["staff"]:
                return record["staff"][staff_id]
        return staff_id

    def section(self, key):
        kind, _, rest = key.partition("/")
        if kind == "day":
            return long_date(dt.date.fromisoformat(rest))
        if kind == "client":
            return sort_name(self.client(rest))
        return {"cover": "Försättsblad och innehåll", "contacts": "Kontakter"}.get(kind, key)

    def value(self, field, value):
        if field == "staff_ids":
            return " och ".join(self.staff(s) for s in value) or "EJ TILLDELAD"
        if field == "tasks":
            return ", ".join(value) or "-"
        if field == "client_id":
            return self.client(value)
        if field == "date":
            return _short(value)
        return value or "-"


def _pages(record, key):
    span = record.get("pages", {}).get(key)
    if not span:
        return "-"
    return str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"


def _short(iso_date):
    date = dt.date.fromisoformat(iso_date)
    return f"{SHORT_WEEKDAYS[date.weekday()]} {date.day}/{date.month}"


def _period(record):
    return f"{_short(record['days'][0])} - {_short(record['days'][-1])}"


def _summary(changes):
    parts = [(len(changes.added), "besök tillagt", "besök tillagda"),
             (len(changes.removed), "besök borttaget", "besök borttagna"),
             (len(changes.changed), "besök ändrat", "besök ändrade"),
             (len(changes.reordered), "rutt i ny ordning", "rutter i ny ordning"),
             (len(changes.clients), "brukare med nya uppgifter", "brukare med nya uppgifter"),
             (int(changes.contacts), "kontaktlistan ändrad", ""),
             (len(changes.new_days), "ny dag", "nya dagar"),
             (len(changes.passed_days), "dag har passerat", "dagar har passerat")]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n).capitalize() + "."
