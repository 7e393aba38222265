"""Överlämning: handover notes between shifts — write, read, mark as read.

A handover is a ``handover`` record; reading it appends a
``handover_read`` record naming it, so who has read what stays
append-only like everything else written at the base.
"""

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync.store.records import without_corrected

from .auth import CLIENT_DATA, actor_id, audit_view, require_role
from .formatting import trusted_today
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
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=SHOWN_DAYS)
    notes = without_corrected(box.records.find(kind="handover", since=since))
    readers = {}
    for rec in box.records.find(kind="handover_read"):
        readers.setdefault(rec["body"].get("handover_id"), []).append(rec["author"])
    users = web_state().users
    me = actor_id()
    rows = [{"record": n, "author": author_name(plan, users, n["author"]),
             "client": plan.clients[n["client_id"]].name if plan and n["client_id"] in plan.clients else "",
             "read_by": [author_name(plan, users, a) for a in dict.fromkeys(readers.get(n["id"], []))],
             "read_by_me": me in readers.get(n["id"], []) or n["author"] == me}
            for n in reversed(notes)]
    clients = sorted(plan.clients.values(), key=lambda c: c.name) if plan else []
    audit_view("view.handover", [n["client_id"] for n in notes if plan and n["client_id"] in plan.clients],
               listed=[c.id for c in clients])
    return render_template("handover.html", rows=rows, clients=clients, max_text=MAX_TEXT)


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
    else:
        box.records.append("handover", author=actor_id(), body={"text": text}, client_id=client_id,
                           plan_version=plan.version if plan else "", date=trusted_today())
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
                       client_id=note["client_id"], date=trusted_today())
    flash(_("Markerad som läst."), "ok")
    return redirect(url_for(".index"))
