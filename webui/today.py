"""Idag: my visits of the shift I am on or about to start, in route order — the start page.

At 01:30 the night carer sees the night that began yesterday evening; the
other shifts of the working day (and the day before and after) are one tap
away.  ``/idag?personal=s2&datum=2026-11-28&pass=natt`` (the QR code on a
printed run-sheet) shows that person's route of that shift.
"""

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from sync.day.wording import person_name

from .auth import ON_ROUTE, audit_view
from .page_cache import cached_page
from .shifts import shift_asked, shift_tabs
from .state import get_box
from .substitutes import is_substitute
from .visits import outcomes

bp = Blueprint("today", __name__)


@bp.get("/idag")  # the run-sheet's QR code
@bp.get("/")  # registered first: url_for() builds "/"
@cached_page
def index():
    if g.user["role"] not in ON_ROUTE:  # a technician's start page is Status
        return redirect(url_for("status.index"))
    box = get_box()
    plan = box.mirror.current()
    staff_id = request.args.get("personal") or g.user["staff_id"]
    if is_substitute() and staff_id != g.user["staff_id"]:
        abort(403)  # a substitute sees their own route only
    context = {"plan": plan, "shift": None, "staff_id": staff_id, "visits": [], "person": None, "tabs": []}
    shift = shift_asked(staff_id) if plan is not None else None
    if shift is not None:
        day = box.day(shift.date)
        done = outcomes(box, shift.date)
        visits = day.route(staff_id, shift=shift.name) if staff_id else ()
        others = {"personal": request.args["personal"]} if request.args.get("personal") else {}
        context.update(
            shift=shift, person=day.person(staff_id), moved=day.moved,
            visits=[(v, plan.clients[v.client_id], done.get(v.id),
                     [person_name(day, s) for s in v.staff_ids if s != staff_id]) for v in visits],
            tabs=shift_tabs(".index", shift, lambda s: len(day.route(staff_id, shift=s.name)) if staff_id else 0,
                            **others))
        audit_view("view.today", [v.client_id for v in visits], target=staff_id or "", date=shift.date.isoformat(),
                   shift=shift.name, own=staff_id == g.user["staff_id"])
    return render_template("today.html", **context)
