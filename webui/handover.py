"""Överlämning: handover notes between shifts — write, read, mark as read.

Each shift reads what the shift before it wrote (night → day, day →
evening, evening → night, see :mod:`sync.day.handovers`): the page opens on
the handovers written for the shift I am on or about to start, then what
my own shift has written for the next, then the rest of the last three
days.  A handover is a ``handover`` record carrying the shift it was
written in; reading it appends a ``handover_read`` record naming it, so who
has read what stays append-only like everything else written at the base.
"""

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync.day.handovers import write_handover, written_in
from sync.store.records import without_corrected

from .auth import CLIENT_DATA, actor_id, audit_view, require_role
from .shifts import current_shift, working_day
from .state import get_box, web_state
from .visits import author_name

bp = Blueprint("handover", __name__, url_prefix="/overlamning")

SHOWN_DAYS = 3
MAX_TEXT = 2000


@bp.get("")
@require_role(*CLIENT_DATA)
def index():
    box = get_box()
    plan = box.mirror.current()
    shift = current_shift()
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=SHOWN_DAYS)
    notes = without_corrected(box.records.find(kind="handover", since=since))
    readers = {}
    for rec in box.records.find(kind="handover_read"):
        readers.setdefault(rec["body"].get("handover_id"), []).append(rec["author"])
    users = web_state().users
    me = actor_id()
    groups = {"for_me": [], "mine": [], "older": []}
    previous = box.shifts.previous(shift) if shift else None
    for note in reversed(notes):
        written = written_in(note, box.shifts)
        group = "for_me" if written == previous else "mine" if written == shift else "older"
        groups[group].append({
            "record": note, "author": author_name(plan, users, note["author"]), "shift": written,
            "client": plan.clients[note["client_id"]].name if plan and note["client_id"] in plan.clients else "",
            "read_by": [author_name(plan, users, a) for a in dict.fromkeys(readers.get(note["id"], []))],
            "read_by_me": me in readers.get(note["id"], []) or note["author"] == me})
    clients = sorted(plan.clients.values(), key=lambda c: c.name) if plan else []
    audit_view("view.handover", [n["client_id"] for n in notes if plan and n["client_id"] in plan.clients],
               listed=[c.id for c in clients])
    return render_template("handover.html", groups=groups, shift=shift, previous=previous,
                           following=box.shifts.next(shift) if shift else None, clients=clients, max_text=MAX_TEXT)


@bp.post("")
@require_role(*CLIENT_DATA)
def write():
    box = get_box()
    plan = box.mirror.current()
    text = request.form.get("text", "").strip()
    client_id = request.form.get("client_id", "")
    if client_id and (plan is None or client_id not in plan.clients):
        abort(400)
    if not text or len(text) > MAX_TEXT:
        flash(_("Skriv en text (högst %(max)d tecken).", max=MAX_TEXT), "error")
    else:  # while the clock is untrusted it is saved without a shift: its time places it later
        write_handover(box.records, current_shift(), author=actor_id(), text=text, client_id=client_id,
                       plan_version=plan.version if plan else "")
        flash(_("Överlämningen är sparad."), "ok")
    return redirect(url_for(".index"))


@bp.post("/<record_id>/last")
@require_role(*CLIENT_DATA)
def mark_read(record_id):
    box = get_box()
    note = box.records.get(record_id)
    if note is None or note["kind"] != "handover":
        abort(404)
    box.records.append("handover_read", author=actor_id(), body={"handover_id": record_id},
                       client_id=note["client_id"], date=working_day())
    flash(_("Markerad som läst."), "ok")
    return redirect(url_for(".index"))
