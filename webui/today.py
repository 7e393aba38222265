"""Idag: my visits today in route order, the start page after sign-in.

``/idag?personal=s2&datum=2026-11-28`` (the QR code on a printed run-sheet)
shows that person's route on that date.
"""

import datetime as dt
import itertools

from flask import Blueprint, g, redirect, render_template, request, url_for

from .auth import CLIENT_DATA, audit_view
from .formatting import trusted_today
from .state import get_box
from .visits import outcomes, staff_names

bp = Blueprint("today", __name__)


@bp.get("/idag")  # the run-sheet's QR code
@bp.get("/")  # registered first: url_for() builds "/"
def index():
    if g.user["role"] not in CLIENT_DATA:  # a technician's start page is Status
        return redirect(url_for("status.index"))
    box = get_box()
    plan, today = box.mirror.current(), _date_asked() or trusted_today()
    staff_id = request.args.get("personal") or g.user["staff_id"]
    context = {"plan": plan, "today": today, "staff_id": staff_id, "shifts": [], "person": None}
    if plan is not None and today is not None:
        day = box.day(today)
        visits = day.route(staff_id) if staff_id else ()
        done = outcomes(box, today)
        context.update(
            person=plan.staff.get(staff_id),
            shifts=[(shift, [(v, plan.clients[v.client_id], done.get(v.id),
                              staff_names(plan, [s for s in v.staff_ids if s != staff_id])) for v in group])
                    for shift, group in itertools.groupby(visits, key=lambda v: v.shift)],
            moved=day.moved)
        audit_view("view.today", [v.client_id for v in visits], target=staff_id or "", date=today.isoformat(),
                   own=staff_id == g.user["staff_id"])
    return render_template("today.html", **context)


def _date_asked():
    """The ``datum`` of a run-sheet's QR code, or None."""
    try:
        return dt.date.fromisoformat(request.args.get("datum", ""))
    except ValueError:
        return None
