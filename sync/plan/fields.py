"""The fields of a ``hembas.plan/1`` document and the checker that enforces them.

Which fields each object has, how long each text may be, what an id, a phone
number or a clock time looks like, and :class:`FieldChecker`, which checks one
value at a time against them and collects every problem with its place, in
Swedish.  The day's changes check the texts the team types with the same
checker, so a substitute's name or an extra visit's note obeys the plan's own
rules: length, control characters, no personal identity numbers.
"""

import datetime as dt
import json
import re

from .personnummer import FORBIDDEN_KEYS, looks_like_personnummer

MAX_PROBLEMS = 200  # enough to fix an export by; a hostile file cannot grow the report without end

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{2,24}$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

# Required and optional fields of each object; docs/plan-format.schema.json must agree (a test checks).
FIELDS = {
    "plan": (("format", "team", "generated_at", "valid_from", "valid_to", "staff", "clients", "visits"),
             ("contacts",)),
    "team": (("id", "name"), ("base",)),
    "staff": (("id", "name", "role"), ("phone",)),
    "client": (("id", "name", "address"), ("area", "entry", "phone", "contacts", "alerts", "notes")),
    "contact": (("name", "phone"), ("relation",)),
    "visit": (("id", "client_id", "date", "shift", "tasks"), ("window", "staff_ids", "note", "order")),
    "window": (("start", "end"), ()),
}

# Field name -> longest accepted string.  Sized for real exports (a task instruction of a few
# hundred characters, a client note of a few thousand), not to judge the prose: the layout wraps
# it, and the file size and counts in sync.plan.validate bound memory whatever the fields hold.
# docs/plan-format.schema.json repeats these (a test checks).
LIMITS = {
    "id": 64, "name": 100, "base": 100, "role": 60, "phone": 25, "address": 200,
    "area": 100, "entry": 1000, "relation": 60, "alert": 500, "notes": 8000,
    "task": 500, "note": 4000,
}


class FieldChecker:
    """Collects problems while walking one document; the day's changes check their texts with it too."""

    def __init__(self):
        self.problems = []

    def fail(self, where, message):
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {message}")

    def obj(self, value, where, kind):
        required, optional = FIELDS[kind]
        if not isinstance(value, dict):
            self.fail(where, "ska vara ett objekt")
            return None
        for key in value:
            key = key.encode("utf-8", "replace").decode()  # a lone surrogate must not break the report
            if key.lower() in FORBIDDEN_KEYS:
                self.fail(f"{where}.{key}", "personnummer får inte finnas i planen")
            elif key not in required and key not in optional:
                self.fail(f"{where}.{key}", "okänt fält")
        for key in required:
            if key not in value:
                self.fail(f"{where}.{key}", "saknas")
        return value

    def text(self, value, where, limit_key, *, required=True, pattern=None, sensitive_check=True):
        if value is None or value == "":
            if required:
                self.fail(where, "saknas" if value is None else "får inte vara tom")
            return ""
        if not isinstance(value, str):
            self.fail(where, "ska vara text")
            return ""
        value = value.strip()
        if len(value) > LIMITS[limit_key]:
            self.fail(where, f"för lång ({len(value)} tecken, högst {LIMITS[limit_key]})")
            return ""
        if any(ord(c) < 32 and c not in "\n\t" or 0xD800 <= ord(c) <= 0xDFFF for c in value):
            self.fail(where, "innehåller styrtecken eller ogiltiga tecken")
            return ""
        if pattern is not None and not pattern.match(value):
            self.fail(where, f"ogiltigt värde {json.dumps(value[:40], ensure_ascii=False)}")
            return ""
        if sensitive_check and looks_like_personnummer(value):
            self.fail(where, "ser ut som ett personnummer, som inte får finnas i planen")
            return ""
        return value

    def phone(self, value, where, required=False):
        return self.text(value, where, "phone", required=required, pattern=PHONE_RE, sensitive_check=False)

    def ident(self, value, where):
        return self.text(value, where, "id", pattern=ID_RE, sensitive_check=False)

    def items(self, value, where, limit, *, required=True):
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.fail(where, "ska vara en lista")
            return []
        if len(value) > limit:
            self.fail(where, f"för många ({len(value)}, högst {limit})")
            return []
        return value

    def date(self, value, where):
        if not isinstance(value, str):
            self.fail(where, "ska vara ett datum ÅÅÅÅ-MM-DD")
            return None
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        self.fail(where, f"ogiltigt datum {json.dumps(value[:20], ensure_ascii=False)}")
        return None
