"""Idag: my visits of the shift I am on or about to start, in route order — the start page.

At 01:30 the night carer sees the night that began yesterday evening; the
other shifts of the working day (and the day before and after) are one tap
away.  ``/idag?personal=s2&datum=2026-11-28&pass=natt`` (the QR code on a
printed run-sheet) shows that person's route of that shift.
"""

from flask import Blueprint, g, redirect, render_template, request, url_for

from .auth import CLIENT_DATA, audit_view
from .shifts import shift_asked, shift_tabs
from .state import get_box
from .visits import outcomes, staff_names

bp = Blueprint("today", __name__)


@bp.get("/idag")  # the run-sheet's QR code
@bp.get("/")  # registered first: url_for() builds "/"
def index():
    if g.user["role"] not in CLIENT_DATA:  # a technician's start page is Status
        return redirect(url_for("status.index"))
    box = get_box()
    plan = box.mirror.current()
    staff_id = request.args.get("personal") or g.user["staff_id"]
    context = {"plan": plan, "shift": None, "staff_id": staff_id, "visits": [], "person": None, "tabs": []}
    shift = shift_asked(staff_id) if plan is not None else None
    if shift is not None:
        day = box.day(shift.date)
        done = outcomes(box, shift.date)
        visits = day.route(staff_id, shift=shift.name) if staff_id else ()
        others = {"personal": request.args["personal"]} if request.args.get("personal") else {}
        context.update(
            shift=shift, person=plan.staff.get(staff_id), moved=day.moved,
            visits=[(v, plan.clients[v.client_id], done.get(v.id),
                     staff_names(plan, [s for s in v.staff_ids if s != staff_id])) for v in visits],
            tabs=shift_tabs(".index", shift, lambda s: len(day.route(staff_id, shift=s.name)) if staff_id else 0,
                            **others))
        audit_view("view.today", [v.client_id for v in visits], target=staff_id or "", date=shift.date.isoformat(),
                   shift=shift.name, own=staff_id == g.user["staff_id"])
    return render_template("today.html", **context)
