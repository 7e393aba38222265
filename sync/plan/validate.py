"""Validation of ``hembas.plan/1`` documents.

:func:`parse_plan` checks *everything* before anything is stored and reports
every problem with its place, in Swedish, for the coordinator who has to fix
the export::

    visits[12].client_id: okänd klient "c99"

These are the rules of the document as a whole: its size and counts, its
period, unique ids and the references between sections.  The size and counts
keep a broken or hostile file from exhausting the memory of a small box.  Each
value is checked by :class:`sync.plan.fields.FieldChecker`, which also refuses
anything that looks like a Swedish personal identity number: the mirror must
never hold one.
"""

import datetime as dt
import json

from ..errors import PlanInvalid
from .fields import TIME_RE, FieldChecker
from .model import FORMAT, MAX_WINDOW_MINUTES, SHIFTS, Client, Contact, Plan, Staff, Team, Visit, Window

# Sized for a Pi Zero 2 W (512 MB): importing costs about 3.7 KB per visit, so the
# largest plan takes under 100 MB; a team of 200 clients over 62 days fits well.
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_STAFF = 200
MAX_CLIENTS = 1_000
MAX_VISITS = 25_000
MAX_CONTACTS = 100
MAX_WINDOW_DAYS = 62


def load_document(raw):
    """Parse JSON bytes into a document, refusing oversized or broken input."""
    if len(raw) > MAX_FILE_BYTES:
        raise PlanInvalid([f"filen: för stor ({len(raw)} byte, högst {MAX_FILE_BYTES})"])
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except UnicodeDecodeError:
        raise PlanInvalid(["filen: är inte UTF-8"]) from None
    except RecursionError:
        raise PlanInvalid(["filen: för djupt nästlad"]) from None
    except ValueError as exc:
        raise PlanInvalid([f"filen: ogiltig JSON ({exc})"]) from None


def parse_plan(document):
    """Validate *document* completely and return a :class:`Plan`.

    Raises :class:`PlanInvalid` listing every problem found.
    """
    c = FieldChecker()
    doc = c.obj(document, "plan", "plan")
    if doc is None:
        raise PlanInvalid(c.problems)
    if doc.get("format") != FORMAT:
        c.fail("format", f'ska vara "{FORMAT}"')
    team = _team(c, doc.get("team"))
    generated_at = _generated_at(c, doc.get("generated_at"))
    valid_from = c.date(doc.get("valid_from"), "valid_from")
    valid_to = c.date(doc.get("valid_to"), "valid_to")
    if valid_from and valid_to:
        if valid_to < valid_from:
            c.fail("valid_to", "ligger före valid_from")
        elif (valid_to - valid_from).days >= MAX_WINDOW_DAYS:
            c.fail("valid_to", f"planen får gälla högst {MAX_WINDOW_DAYS} dagar")
    staff = _staff(c, doc.get("staff"))
    clients = _clients(c, doc.get("clients"))
    visits = _visits(c, doc.get("visits"), staff, clients, valid_from, valid_to)
    contacts = tuple(_contact(c, item, f"contacts[{i}]")
                     for i, item in enumerate(c.items(doc.get("contacts"), "contacts", MAX_CONTACTS, required=False)))
    if c.problems:
        raise PlanInvalid(c.problems)
    return Plan(team=team, generated_at=generated_at, valid_from=valid_from, valid_to=valid_to,
                staff=staff, clients=clients, visits=tuple(visits), contacts=contacts, document=document)


def _team(c, value):
    team = c.obj(value, "team", "team")
    if team is None:
        return None
    return Team(id=c.ident(team.get("id"), "team.id"), name=c.text(team.get("name"), "team.name", "name"),
                base=c.text(team.get("base"), "team.base", "base", required=False))


def _generated_at(c, value):
    try:
        stamp = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        c.fail("generated_at", "ska vara tid enligt ISO 8601 med tidszon, t.ex. 2026-11-27T05:12:00+01:00")
        return None
    return stamp


def _by_id(c, value, name, kind, limit, build):
    """Validate a list of objects with unique ids; ``build(item, where, ident)`` makes each one."""
    out = {}
    for i, item in enumerate(c.items(value, name, limit)):
        where = f"{name}[{i}]"
        if c.obj(item, where, kind) is None:
            continue
        ident = c.ident(item.get("id"), f"{where}.id")
        built = build(item, where, ident)
        if ident in out:
            c.fail(f"{where}.id", f'id "{ident}" finns redan')
        elif ident:
            out[ident] = built
    return out


def _staff(c, value):
    return _by_id(c, value, "staff", "staff", MAX_STAFF, lambda item, where, ident: Staff(
        id=ident, name=c.text(item.get("name"), f"{where}.name", "name"),
        role=c.text(item.get("role"), f"{where}.role", "role"),
        phone=c.phone(item.get("phone"), f"{where}.phone")))


def _contact(c, item, where):
    if c.obj(item, where, "contact") is None:
        return None
    return Contact(name=c.text(item.get("name"), f"{where}.name", "name"),
                   phone=c.phone(item.get("phone"), f"{where}.phone", required=True),
                   relation=c.text(item.get("relation"), f"{where}.relation", "relation", required=False))


def _clients(c, value):
    return _by_id(c, value, "clients", "client", MAX_CLIENTS, lambda item, where, ident: _client(c, item, where, ident))


def _client(c, item, where, ident):
    contacts = tuple(_contact(c, x, f"{where}.contacts[{j}]")
                     for j, x in enumerate(c.items(item.get("contacts"), f"{where}.contacts", 10, required=False)))
    alerts = tuple(c.text(x, f"{where}.alerts[{j}]", "alert")
                   for j, x in enumerate(c.items(item.get("alerts"), f"{where}.alerts", 20, required=False)))
    return Client(id=ident, name=c.text(item.get("name"), f"{where}.name", "name"),
                  address=c.text(item.get("address"), f"{where}.address", "address"),
                  area=c.text(item.get("area"), f"{where}.area", "area", required=False),
                  entry=c.text(item.get("entry"), f"{where}.entry", "entry", required=False),
                  phone=c.phone(item.get("phone"), f"{where}.phone"), contacts=contacts, alerts=alerts,
                  notes=c.text(item.get("notes"), f"{where}.notes", "notes", required=False))


def _window(c, value, where, shift):
    if value is None:
        return None
    if c.obj(value, where, "window") is None:
        return None
    start = c.text(value.get("start"), f"{where}.start", "id", pattern=TIME_RE, sensitive_check=False)
    end = c.text(value.get("end"), f"{where}.end", "id", pattern=TIME_RE, sensitive_check=False)
    if not (start and end):
        return None
    window = Window(dt.time.fromisoformat(start), dt.time.fromisoformat(end))
    first, last = window.span(shift)
    if last == first:
        c.fail(where, "sluttiden får inte vara samma som starttiden")
        return None
    if last - first > MAX_WINDOW_MINUTES:
        c.fail(where, f"fönstret {start}–{end} är längre än {MAX_WINDOW_MINUTES // 60} timmar "
                      "(en sluttid före starttiden betyder nästa morgon)")
        return None
    return window


def _visits(c, value, staff, clients, valid_from, valid_to):
    def build(item, where, ident):
        return _visit(c, item, where, ident, staff, clients, valid_from, valid_to)
    return list(_by_id(c, value, "visits", "visit", MAX_VISITS, build).values())


def _visit(c, item, where, ident, staff, clients, valid_from, valid_to):
    client_id = c.ident(item.get("client_id"), f"{where}.client_id")
    if client_id and client_id not in clients:
        c.fail(f"{where}.client_id", f'okänd klient "{client_id}"')
    date = c.date(item.get("date"), f"{where}.date")
    if date and valid_from and valid_to and not valid_from <= date <= valid_to:
        c.fail(f"{where}.date", f"{date} ligger utanför planens period")
    shift = item.get("shift")
    if shift not in SHIFTS:
        c.fail(f"{where}.shift", "ska vara dag, kväll eller natt")
    staff_ids = []
    for j, sid in enumerate(c.items(item.get("staff_ids"), f"{where}.staff_ids", 3, required=False)):
        sid = c.ident(sid, f"{where}.staff_ids[{j}]")
        if sid and sid not in staff:
            c.fail(f"{where}.staff_ids[{j}]", f'okänd personal "{sid}"')
        elif sid in staff_ids:
            c.fail(f"{where}.staff_ids[{j}]", f'"{sid}" står två gånger')
        staff_ids.append(sid)
    tasks = [c.text(t, f"{where}.tasks[{j}]", "task")
             for j, t in enumerate(c.items(item.get("tasks"), f"{where}.tasks", 20))]
    if not tasks:
        c.fail(f"{where}.tasks", "minst en insats behövs")
    order = item.get("order")
    if order is not None and (not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= 999):
        c.fail(f"{where}.order", "ska vara ett heltal 1–999")
        order = None
    return Visit(id=ident, client_id=client_id, date=date, shift=shift if shift in SHIFTS else "dag",
                 staff_ids=tuple(staff_ids), tasks=tuple(tasks),
                 note=c.text(item.get("note"), f"{where}.note", "note", required=False),
                 window=_window(c, item.get("window"), f"{where}.window", shift), order=order)
