"""Read ESC/POS bytes back into lines, codes and cuts, as a printer would print them.

Used by the preview (a receipt rendered in the browser) and by tests that
check what a job would look like on paper.  It understands the commands
Hembas sends (python-escpos's output for text, styles, QR codes, raster
images and cuts) and skips others it knows the length of; an unknown
command is skipped byte by byte rather than shown as text.
"""

import dataclasses

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
CODE_PAGES = {0: "cp437", 2: "cp850", 5: "cp865", 16: "cp1252", 19: "cp858", 53: "cp858"}  # 53: CP858 on 58 mm clones
ESC_ONE_ARG = set(b"!-23EGJMRSTVacdertU{")  # ESC x n
GS_ONE_ARG = set(b"!BHLfhwbaE")


@dataclasses.dataclass
class Style:
    bold: bool = False
    width: int = 1
    height: int = 1
    invert: bool = False
    underline: bool = False


@dataclasses.dataclass
class Segment:
    text: str
    style: Style


@dataclasses.dataclass
class TextLine:
    segments: list
    align: str = "left"

    @property
    def text(self):
        return "".join(s.text for s in self.segments)


@dataclasses.dataclass
class QRCode:
    data: str


@dataclasses.dataclass
class Raster:
    width: int          # dots
    height: int
    rows: list          # each row: bytes, 8 dots per byte, MSB first


@dataclasses.dataclass
class Cut:
    pass


def read(raw):
    """The printed elements of *raw*: TextLine, QRCode, Raster and Cut objects in order."""
    return _Reader(bytes(raw)).run()


class _Reader:
    def __init__(self, raw):
        self.raw, self.pos, self.out = raw, 0, []
        self.reset()
        self.segments, self.line_align, self.qr_data = [], None, b""

    def reset(self):
        self.style, self.align, self.encoding = Style(), "left", "cp437"

    def run(self):
        raw = self.raw
        while self.pos < len(raw):
            byte = raw[self.pos]
            if byte == ESC:
                self.esc()
            elif byte == GS:
                self.gs()
            elif byte == DLE:
                self.pos += 3  # DLE EOT n: a status query, prints nothing
            elif byte == LF:
                self.end_line()
                self.pos += 1
            elif byte < 0x20:
                self.pos += 1
            else:
                start = self.pos
                while self.pos < len(raw) and raw[self.pos] >= 0x20:
                    self.pos += 1
                self.add_text(raw[start:self.pos].decode(self.encoding, errors="replace"))
        if self.segments:
            self.end_line()
        return self.out

    def add_text(self, text):
        if self.line_align is None:
            self.line_align = self.align
        self.segments.append(Segment(text, dataclasses.replace(self.style)))

    def end_line(self):
        self.out.append(TextLine(self.segments, self.line_align or self.align))
        self.segments, self.line_align = [], None

    def arg(self, offset):
        return self.raw[self.pos + offset] if self.pos + offset < len(self.raw) else 0

    def esc(self):
        command, n = self.arg(1), self.arg(2)
        if command == ord("@"):
            self.reset()
            self.pos += 2
            return
        if command == ord("t"):
            self.encoding = CODE_PAGES.get(n, "cp437")
        elif command == ord("!"):
            self.style.bold, self.style.height, self.style.width = bool(n & 8), 2 if n & 16 else 1, 2 if n & 32 else 1
            self.style.underline = bool(n & 128)
        elif command == ord("E"):
            self.style.bold = bool(n & 1)
        elif command == ord("-"):
            self.style.underline = bool(n)
        elif command == ord("a"):
            self.align = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}.get(n, "left")
        elif command == ord("d"):
            if self.segments:
                self.end_line()
            self.out.extend(TextLine([]) for _ in range(max(n - 1, 0)))
            self.out.append(TextLine([]))
        elif command not in ESC_ONE_ARG:
            self.pos += 2
            return
        self.pos += 3

    def gs(self):
        command = self.arg(1)
        if command == ord("V"):
            m = self.arg(2)
            self.out.append(Cut())
            self.pos += 4 if m in (65, 66) else 3
        elif command == ord("!"):
            n = self.arg(2)
            self.style.width, self.style.height = (n >> 4) + 1, (n & 15) + 1
            self.pos += 3
        elif command == ord("B"):
            self.style.invert = bool(self.arg(2) & 1)
            self.pos += 3
        elif command == ord("(") and self.arg(2) in (ord("k"), ord("L")):
            length = self.arg(3) + 256 * self.arg(4)
            body = self.raw[self.pos + 5:self.pos + 5 + length]
            if self.arg(2) == ord("k") and len(body) >= 2 and body[0] == ord("1"):
                if body[1] == 80:
                    self.qr_data = body[3:]
                elif body[1] == 81:
                    self.out.append(QRCode(self.qr_data.decode("utf-8", errors="replace")))
            self.pos += 5 + length
        elif command == ord("v") and self.arg(2) == ord("0"):
            width_bytes = self.arg(4) + 256 * self.arg(5)
            height = self.arg(6) + 256 * self.arg(7)
            start = self.pos + 8
            rows = [self.raw[start + r * width_bytes:start + (r + 1) * width_bytes] for r in range(height)]
            self.out.append(Raster(width_bytes * 8, height, rows))
            self.pos = start + width_bytes * height
        elif command in GS_ONE_ARG:
            self.pos += 3
        else:
            self.pos += 2
