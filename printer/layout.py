"""Receipts as plain data: lines already wrapped for one paper width.

The run-sheet and slip modules describe *what* to print with a
:class:`Receipt`; the encoder (:mod:`printer.escpos_job`), the preview and the
tests all read the same list of blocks, so wrapping is decided once, here,
and can be tested without a printer::

    receipt = Receipt(columns=32)
    receipt.title("Körlista")
    receipt.text("Insatser: dusch, frukost", indent=3)
    receipt.blocks  # [Line(...), Line(...), ...]

Wrapping never splits a word unless the word alone is wider than the paper
(a hyphenated name breaks after its hyphen first), and an address breaks
only between its comma-separated parts, keeping a street with its number.
"""

import dataclasses
import re
import textwrap

from sync.text import printable

NBSP = "\u00a0"  # textwrap only breaks at ASCII whitespace: NBSP glues words together


@dataclasses.dataclass(frozen=True)
class Line:
    """One printed line: *text* fits the paper width in its own style."""

    text: str
    bold: bool = False
    indent: int = 0         # leading blanks, printed unstyled (an inverted alert starts at its text)
    big: bool = False       # double width and height: half the columns
    invert: bool = False    # white on black, for alerts
    center: bool = False


@dataclasses.dataclass(frozen=True)
class QR:
    """A QR code (native or image, the encoder decides)."""

    data: str


@dataclasses.dataclass(frozen=True)
class Feed:
    lines: int = 1


def wrap(text, width, *, indent=0, first_indent=None):
    """*text* as lines of at most *width* characters, broken between words."""
    first = " " * (indent if first_indent is None else first_indent)
    rest = " " * indent
    text = printable(text).strip()
    if not text:
        return []
    lines = textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest,
                          break_long_words=True, break_on_hyphens=True)
    return [line.replace(NBSP, " ") for line in lines]


def wrap_address(address, width, *, indent=0):
    """An address broken only between its parts ("Storgatan 12A, 952 31 Kalix")."""
    parts = [_glue_number(part.strip()) for part in printable(address).split(",") if part.strip()]
    room = width - indent - 1  # keep space for the comma that ends a broken line
    lines, current = [], ""
    for part in parts:
        candidate = f"{current}, {part}" if current else part
        if len(candidate) <= room:
            current = candidate
            continue
        if current:
            lines.append(current + ",")
        current = part
        if len(part) > room:  # one part alone is wider than the paper: break it between words
            *head, current = wrap(part.replace(NBSP, " "), room)
            lines.extend(line.strip() for line in head)
    if current:
        lines.append(current)
    return [" " * indent + line.replace(NBSP, " ") for line in lines]


def _glue_number(part):
    """Keep the house number (and a letter or floor after it) on the street's line."""
    return re.sub(r" (?=\d)", NBSP, part)


class Receipt:
    """Collects the blocks of one receipt for a paper *columns* characters wide."""

    def __init__(self, *, columns):
        if columns < 16:
            raise ValueError("columns must be at least 16")
        self.columns = columns
        self.blocks = []

    def title(self, text, *, center=True):
        for line in wrap(text, self.columns // 2):
            self.blocks.append(Line(line, bold=True, big=True, center=center))

    def text(self, text, *, indent=0, first_indent=None, bold=False, invert=False, center=False):
        for line in wrap(text, self.columns - (1 if invert else 0), indent=indent, first_indent=first_indent):
            blanks = len(line) - len(line.lstrip(" "))
            self.blocks.append(Line(line[blanks:], indent=blanks, bold=bold, invert=invert, center=center))

    def address(self, address, *, indent=0):
        for line in wrap_address(address, self.columns, indent=indent):
            self.blocks.append(Line(line))

    def pair(self, label, value, *, bold=False):
        """"Label  value" on one line when it fits, else the value wrapped under the label."""
        label, value = printable(label), printable(value)
        gap = self.columns - len(label) - len(value)
        if gap >= 1:
            self.blocks.append(Line(label + " " * gap + value, bold=bold))
        else:
            self.text(label, bold=bold)
            self.text(value, indent=2, bold=bold)

    def rule(self, char="-"):
        self.blocks.append(Line(char * self.columns))

    def blank(self, lines=1):
        self.blocks.append(Feed(lines))

    def qr(self, data):
        self.blocks.append(QR(data))

    def plain_text(self):
        """The receipt as text, for tests and logs (QR codes as a marker)."""
        out = []
        for block in self.blocks:
            if isinstance(block, Line):
                out.append(" " * block.indent + block.text)
            elif isinstance(block, Feed):
                out.extend([""] * block.lines)
            else:
                out.append(f"[QR {block.data}]")
        return "\n".join(out)
