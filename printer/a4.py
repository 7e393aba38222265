"""A4 pages for an office printer: the page writer and the blocks the two-week PDF and the binder share.

The same privacy rules as the run-sheet (:mod:`printer.sheets`): time windows
only with ``print_times``, door codes and key boxes only with ``print_entry``.
Every page carries an as-of line (which plan, printed when) and its number
(see :func:`sync.text.a4_document`), so a page that falls out of the binder
says where it belongs and how old it is.

:class:`PageWriter` lays out lines itself — word wrap with cached word widths,
page breaks, ``FPDF.text`` — because fpdf2's ``multi_cell`` measures a line
again for every character: the team's binder (about 100 pages) took 6 s
with it and a tenth of that without, which matters on a Pi Zero 2 W::

    out = PageWriter(a4_document(title, heading, subtitle, footer=...))
    out.bar("Fredag 27 november 2026", size=14)
    out.text("Insatser: dusch, frukost", indent=6)
"""

from sync.day.shifts import window_label
from sync.text import pdf_text

from .sheets import plan_line

LINE = 4.6  # mm per line of 10 pt text
PT = 25.4 / 72  # mm per point
FIT = 1e-6  # a line that exactly fits the page still fits


def as_of_line(plan, printed_at):
    """"Hemtjänst Kalix centrum | plan 3f2a... (Plan från 27/11 05:12) | utskriven 27/11 2026 07:30"."""
    return (f"{plan.team.name} | plan {plan.version} ({plan_line(plan, printed_at.tzinfo)}) | "
            f"utskriven {printed_at.day}/{printed_at.month} {printed_at:%Y %H:%M}")


def staff_name(people, staff_id):
    """A person's name from *people* (``day.staff``: plan staff and the day's substitutes), else the id."""
    person = people.get(staff_id)
    return person.name if person else staff_id


class PageWriter:
    """Lines, bars and flags on an fpdf2 document, with word wrap and page breaks of its own."""

    def __init__(self, pdf):
        self.pdf = pdf
        self._widths = {}

    # -- building blocks -----------------------------------------------------------------

    def text(self, text, *, size=10, bold=False, indent=0, hanging=0, height=None):
        """A paragraph at *indent* mm; lines after the first *hanging* mm further in."""
        height = height or LINE * size / 10
        width = self.pdf.epw - indent
        for n, line in enumerate(self.wrap(text, width, size=size, bold=bold, hanging=hanging)):
            self.room(height)
            self._put(self.pdf.l_margin + indent + (hanging if n else 0), line, size=size, bold=bold, height=height)
            self.pdf.y += height

    def row(self, cells, *, size=9, height=None, indent=0):
        """Fixed-width columns [(width mm, text, bold), ...]; the last one takes the rest and wraps."""
        height = height or LINE * size / 10
        x = self.pdf.l_margin + indent
        *fixed, (_, last, last_bold) = cells
        lines = self.wrap(last, self.pdf.epw - indent - sum(w for w, _t, _b in fixed), size=size, bold=last_bold)
        self.room(height)
        for width, text, bold in fixed:
            self._put(x, self.fit(text, width - 1, size=size, bold=bold), size=size, bold=bold, height=height)
            x += width
        for n, line in enumerate(lines):
            if n:
                self.room(height)
            self._put(x, line, size=size, bold=last_bold, height=height)
            self.pdf.y += height

    def bar(self, text, *, size=12, keep=2):
        """Bold text on a grey bar across the page: a day, a shift; kept with *keep* lines after it."""
        height = LINE * size / 10 + 2
        self.room(height + keep * LINE)
        self.pdf.set_fill_color(230, 230, 230)
        self.pdf.rect(self.pdf.l_margin, self.pdf.y, self.pdf.epw, height, style="F")
        self._put(self.pdf.l_margin + 1.5, self.fit(text, self.pdf.epw - 3, size=size, bold=True), size=size,
                  bold=True, height=height)
        self.pdf.y += height

    def flag(self, text, *, size=10):
        """White on black: what must not be missed on a black-and-white printout."""
        height = LINE * size / 10 + 1
        line = self.fit(text, self.pdf.epw - 3, size=size, bold=True)
        self.room(height)
        self.pdf.set_fill_color(0, 0, 0)
        self.pdf.rect(self.pdf.l_margin, self.pdf.y, self._width(line, size, True) + 3, height, style="F")
        self.pdf.set_text_color(255, 255, 255)
        self._put(self.pdf.l_margin + 1.5, line, size=size, bold=True, height=height)
        self.pdf.set_text_color(0, 0, 0)
        self.pdf.y += height

    def rule(self):
        """A thin line under what came last."""
        self.pdf.line(self.pdf.l_margin, self.pdf.y, self.pdf.l_margin + self.pdf.epw, self.pdf.y)

    def space(self, mm):
        self.pdf.y += mm

    def room(self, mm):
        """Start a new page unless *mm* still fit on this one."""
        if self.pdf.y + mm > self.pdf.page_break_trigger + FIT:
            self.pdf.add_page()

    # -- text measuring ----------------------------------------------------------------------

    def wrap(self, text, width, *, size=10, bold=False, hanging=0):
        """*text* (made printable) as lines no wider than *width* mm, broken between words."""
        space = self._width(" ", size, bold)
        lines, line, used = [], [], 0.0
        for word in pdf_text(text).split():
            room = width - (hanging if lines else 0)
            w = self._width(word, size, bold)
            if line and used + space + w > room:
                lines.append(" ".join(line))
                line, used, room = [], 0.0, width - hanging
            while w > room:  # a word longer than the line: break it where it must
                cut = len(word)
                while cut > 1 and self._width(word[:cut], size, bold) > room:
                    cut -= 1
                lines.append(word[:cut])
                word, room = word[cut:], width - hanging
                w = self._width(word, size, bold)
            used = used + space + w if line else w
            line.append(word)
        if line or not lines:
            lines.append(" ".join(line))
        return lines

    def fit(self, text, width, *, size=10, bold=False):
        """*text* cut (with "...") to one line of *width* mm."""
        text = pdf_text(text)
        if self._width(text, size, bold) <= width:
            return text
        while text and self._width(text + "...", size, bold) > width:
            text = text[:-1]
        return text.rstrip() + "..."

    def _width(self, text, size, bold):
        key = (text, size, bold)
        if key not in self._widths:
            self.pdf.set_font("helvetica", "B" if bold else "", size)
            self._widths[key] = self.pdf.get_string_width(text)
        return self._widths[key]

    def _put(self, x, line, *, size, bold, height):
        self.pdf.set_font("helvetica", "B" if bold else "", size)
        self.pdf.text(x, self.pdf.y + height / 2 + size * PT * 0.35, line)

    # -- what the A4 documents share ----------------------------------------------------------

    def visit(self, plan, visit, *, number, staff_id, settings, people, show_shift=True):
        """One visit: "3. Client, address" in bold, then tasks, alerts, note, partner (entry if allowed).

        *people* names the staff (``day.staff``: the plan's and the day's substitutes)."""
        client = plan.clients[visit.client_id]
        head = f"{number}. {client.name}, {client.address}" + (f" ({visit.shift})" if show_shift else "")
        if settings["print_times"] and visit.window:
            head += " " + window_label(visit, dash="-")  # on the shift's timeline: "lör 05:45-06:15"
        details = []
        if visit.tasks:
            details.append("Insatser: " + ", ".join(visit.tasks))
        if client.alerts:
            details.append("OBS! " + "; ".join(client.alerts))
        if visit.note:
            details.append("Notering: " + visit.note)
        partners = [staff_name(people, s) for s in visit.staff_ids if s != staff_id]
        if partners:
            details.append("Dubbelbemanning med " + " och ".join(partners))
        if settings["print_entry"] and client.entry:
            details.append("Nyckel/kod: " + client.entry)
        self.room(LINE * (2 if details else 1))
        self.text(head, bold=True, hanging=4)
        if details:
            self.text(". ".join(d.rstrip(".") for d in details), indent=4)

    def contacts(self, plan, *, staff=False):
        """The team's numbers (and, with *staff*, each staff member's) in two columns."""
        for contact in plan.contacts:
            self.row([(70, contact.name, True), (0, contact.phone, False)], size=10)
        if staff:
            self.space(3)
            for person in sorted(plan.staff.values(), key=lambda s: s.name):
                if person.phone:
                    self.row([(70, person.name, False), (0, person.phone, False)], size=10)
