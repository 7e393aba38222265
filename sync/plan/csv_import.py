"""Plans exported as a flat CSV of visits, the way Swedish office software writes them.

Semicolon-separated, one visit per row, UTF-8 or Windows-1252, with or
without a byte-order mark.  The columns are documented in
docs/plan-format.md; header names are matched without regard to case and
surrounding spaces.  :func:`csv_to_document` builds an ordinary
``hembas.plan/1`` document, so the CSV goes through exactly the same
validation as JSON.
"""

import csv
import datetime as dt
import io

from ..errors import PlanInvalid
from .model import FORMAT
from .validate import MAX_FILE_BYTES

COLUMNS = {  # header (lower case) -> field
    "datum": "date",
    "pass": "shift",
    "starttid": "start",
    "sluttid": "end",
    "brukar-id": "client_id",
    "brukare": "client_name",
    "adress": "address",
    "område": "area",
    "brukartelefon": "client_phone",
    "personal-id": "staff_ids",
    "personal": "staff_names",
    "insatser": "tasks",
    "anteckning": "note",
    "ordning": "order",
    "besöks-id": "visit_id",
}
REQUIRED = ("date", "shift", "client_id", "client_name", "address", "tasks")


def decode_csv(raw):
    """Text of a CSV export: UTF-8 (with or without BOM), else Windows-1252."""
    if len(raw) > MAX_FILE_BYTES:
        raise PlanInvalid([f"filen: för stor ({len(raw)} byte, högst {MAX_FILE_BYTES})"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def csv_to_document(raw, *, team, generated_at=None):
    """Convert CSV bytes into a plan document for *team* ({id, name, base})."""
    reader = csv.reader(io.StringIO(decode_csv(raw), newline=""), delimiter=";")
    try:
        header = next(reader)
    except StopIteration:
        raise PlanInvalid(["filen: är tom"]) from None
    fields = [COLUMNS.get(h.strip().lower()) for h in header]
    missing = [h for h, f in COLUMNS.items() if f in REQUIRED and f not in fields]
    if missing:
        raise PlanInvalid([f"rubrikrad: kolumn saknas: {', '.join(missing)}"])
    problems, staff, clients, visits = [], {}, {}, []
    line_no = 1
    try:
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(fields):
                problems.append(f"rad {line_no}: fler kolumner än rubrikraden")
                continue
            values = {f: cell.strip() for f, cell in zip(fields, row) if f}
            _collect(values, line_no, staff, clients, visits, problems)
    except csv.Error as exc:  # e.g. a field longer than the csv module allows
        raise PlanInvalid([f"rad {line_no + 1}: ogiltig CSV ({exc})"]) from None
    if problems:
        raise PlanInvalid(problems)
    dates = sorted(v["date"] for v in visits)
    stamp = generated_at or dt.datetime.now(dt.timezone.utc)
    return {
        "format": FORMAT,
        "team": team,
        "generated_at": stamp.isoformat(timespec="seconds"),
        "valid_from": dates[0] if dates else stamp.date().isoformat(),
        "valid_to": dates[-1] if dates else stamp.date().isoformat(),
        "staff": list(staff.values()),
        "clients": [{k: v for k, v in c.items() if k != "_row"} for c in clients.values()],
        "visits": visits,
    }


def _split(text):
    return [part.strip() for part in text.replace("+", ",").split(",") if part.strip()]


def _collect(values, line_no, staff, clients, visits, problems):
    client_id = values.get("client_id", "")
    client = {k: v for k, v in (
        ("id", client_id), ("name", values.get("client_name", "")), ("address", values.get("address", "")),
        ("area", values.get("area", "")), ("phone", values.get("client_phone", ""))) if v or k in ("id", "name", "address")}
    known = clients.setdefault(client_id, {**client, "_row": line_no})
    if {k: v for k, v in known.items() if k != "_row"} != client:
        problems.append(f"rad {line_no}: brukare {client_id} har andra uppgifter än på rad {known['_row']}")
    staff_ids = _split(values.get("staff_ids", ""))
    names = _split(values.get("staff_names", ""))
    for i, staff_id in enumerate(staff_ids):
        staff.setdefault(staff_id, {"id": staff_id, "name": names[i] if i < len(names) else staff_id,
                                    "role": "undersköterska"})
    visit = {"id": values.get("visit_id") or f"r{line_no}", "client_id": client_id,
             "date": values.get("date", ""), "shift": values.get("shift", "").lower(),
             "staff_ids": staff_ids, "tasks": _split(values.get("tasks", ""))}
    start, end = _time(values.get("start", "")), _time(values.get("end", ""))
    if start and end:
        visit["window"] = {"start": start, "end": end}
    elif start or end:
        problems.append(f"rad {line_no}: både starttid och sluttid behövs, eller ingen")
    if values.get("note"):
        visit["note"] = values["note"]
    if values.get("order"):
        try:
            visit["order"] = int(values["order"])
        except ValueError:
            problems.append(f'rad {line_no}: ordning "{values["order"][:10]}" är inget heltal')
    visits.append(visit)


def _time(text):
    """'7:00' or '07.00' -> '07:00', '24:00' -> '00:00' (the validator checks the result).

    A window may cross midnight (Sluttid before Starttid: the next morning);
    the validator places it on the shift's timeline like a JSON window.
    """
    text = text.replace(".", ":")
    if ":" in text and len(text.split(":")[0]) == 1:
        text = "0" + text
    return "00:00" if text == "24:00" else text
