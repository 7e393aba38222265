"""Recognising Swedish personal identity numbers, which the mirror must never hold.

The plan format refuses any field named like one and any text containing
one; see docs/plan-format.md.
"""

import re

# 10 or 12 digits, optional - or + before the last four: ÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN …
PERSONNUMMER_RE = re.compile(r"(?<!\d)(?:19|20)?(\d{2})(\d{2})(\d{2})[-+ ]?(\d{4})(?!\d)")
FORBIDDEN_KEYS = {"personnummer", "pnr", "personal_number", "ssn", "samordningsnummer"}


def looks_like_personnummer(text):
    """True if *text* holds a valid-looking Swedish personal identity number.

    Checks the date part (day + 60 for samordningsnummer) and the Luhn digit,
    so phone numbers and plain numbers rarely trip it.
    """
    for match in PERSONNUMMER_RE.finditer(text):
        yy, mm, dd, tail = match.groups()
        day = int(dd) - 60 if int(dd) > 60 else int(dd)
        if not (1 <= int(mm) <= 12 and 1 <= day <= 31):
            continue
        digits = [int(c) for c in yy + mm + dd + tail]
        total = 0
        for i, d in enumerate(digits):
            d = d * 2 if i % 2 == 0 else d
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return True
    return False
