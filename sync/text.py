"""Text that a receipt printer or an A4 core font can actually show.

A receipt printer knows one 8-bit code page at a time and prints ``?`` for
anything outside it; fpdf2's core fonts know Latin-1.  Staff names, notes and
addresses come from the municipal system as any Unicode, so every string is
passed through :func:`printable` first: characters the target encoding has
stay as they are (å ä ö Å Ä Ö é), typographic ones become their plain form
("–" to "-", "”" to '"'), accented letters lose the accent, and only what is
left becomes ``?``::

    printable("Nästa – “ring först”")  # 'Nästa - "ring först"'
"""

import csv
import functools
import io
import unicodedata

# Typographic characters with a readable ASCII spelling.
REPLACEMENTS = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2026": "...", "\u2022": "*", "\u00b7": "*", "\u2192": "->", "\u2190": "<-", "\u2713": "v",
    "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\u00ad": "",
    "\u20ac": "EUR", "\u2116": "nr", "\u00d7": "x",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i", "\u0152": "OE", "\u0153": "oe",
    "\t": " ", "\r": "", "\n": " ",
}

# OWASP "CSV injection": a cell starting with one of these is a formula to Excel and LibreOffice
# (the full-width forms too, which some locales accept).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

PRINTER_ENCODING = "cp858"  # the code page every job forces (ESC t 19 on Epson)
PDF_ENCODING = "latin-1"    # fpdf2 core fonts


_REPLACED = frozenset(REPLACEMENTS)


def printable(text, encoding=PRINTER_ENCODING):
    """*text* with every character representable in *encoding* (never raises)."""
    text = str(text)
    if text.isprintable() and _REPLACED.isdisjoint(text) and _encodable(text, encoding):
        return text  # the common case, a hundred times faster than looking at each character
    out = []
    for char in text:
        out.append(_printable_char(char, encoding))
    return "".join(out)


def _printable_char(char, encoding):
    if char in REPLACEMENTS and not (char == "\u20ac" and _encodable(char, encoding)):
        return REPLACEMENTS[char]
    if _encodable(char, encoding) and (char >= " " or char == "\n"):
        return char
    if unicodedata.category(char).startswith("C"):
        return ""  # control and format characters print as garbage
    if unicodedata.category(char) == "Zs":
        return " "
    # Accented letters outside the page: "ł" -> "l", "Ś" -> "S", "ﬁ" -> "fi".
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if plain and plain != char and all(_encodable(c, encoding) for c in plain):
        return plain
    return "?"


def _encodable(char, encoding):
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def pdf_text(text):
    """*text* as fpdf2's core fonts can show it (Latin-1, typographic marks made plain)."""
    return printable(text, PDF_ENCODING)


def a4_document(title, heading, subtitle, *, footer=None):
    """A new A4 fpdf2 document with Hembas' margins, a title and a heading; the caller adds the rest.

    *footer*, if given, is called as ``footer(page_number)`` for every page
    and returns its (left, right) text: the as-of line and the page number
    that a loose page needs to be put back where it belongs.
    fpdf2 is imported here, not at module level: only the PDF exports need it.
    """
    pdf = _document_class()(format="A4")
    pdf.page_footer = footer
    pdf.set_title(pdf_text(title))
    pdf.set_creator("Hembas")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 15)
    pdf.cell(0, 9, pdf_text(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    pdf.cell(0, 6, pdf_text(subtitle), new_x="LMARGIN", new_y="NEXT")
    return pdf


@functools.cache
def _document_class():
    from fpdf import FPDF

    class Document(FPDF):
        """FPDF with an optional footer line on every page (fpdf2 wants a subclass for that)."""

        page_footer = None

        def footer(self):
            if self.page_footer is None:
                return
            left, right = (pdf_text(text) for text in self.page_footer(self.page_no()))
            font = (self.font_family, self.font_style, self.font_size_pt)
            self.set_y(-12)
            self.set_font("helvetica", "", 7.5)
            room = self.epw - self.get_string_width(right) - 3
            while left and self.get_string_width(left) > room:
                left = left[:-1]
            self.cell(room, 4, left)
            self.cell(0, 4, right, align="R")
            if font[0]:
                self.set_font(*font)

    return Document
def spreadsheet_cell(value):
    """*value* as text a spreadsheet shows and never runs: a leading ``'`` before a formula start."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def spreadsheet_csv(header, rows):
    """UTF-8 CSV with BOM and semicolons (opens directly in Swedish Excel), safe to open.

    Every cell is quoted (a comma or semicolon inside a note cannot start a
    new cell in any locale) and neutralised by :func:`spreadsheet_cell`.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
