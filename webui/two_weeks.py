"""Två veckor: the 14-day plan per staff member or per client, and the A4 PDF of it."""

from flask import Blueprint, Response, abort, g, render_template, request

from sync.errors import HembasError

from .auth import CLIENT_DATA, audit_view, require_role
from .shifts import working_day
from .state import get_box

bp = Blueprint("two_weeks", __name__, url_prefix="/tva-veckor")


@bp.get("")
@require_role(*CLIENT_DATA)
def index():
    box = get_box()
    plan = box.plan()
    staff_id = request.args.get("personal", "" if request.args.get("klient") else g.user["staff_id"])
    client_id = request.args.get("klient", "")
    if (staff_id and staff_id not in plan.staff) or (client_id and client_id not in plan.clients):
        abort(404)
    today = working_day()
    days, people = [], {}  # people: plan staff and each day's substitutes
    for date in plan.dates():
        if today and date < today:
            continue
        day = box.day(date)
        people.update(day.staff)
        visits = day.visits
        if staff_id:
            visits = [v for v in visits if staff_id in v.staff_ids]
        elif client_id:
            visits = [v for v in visits if v.client_id == client_id]
        else:
            visits = []
        days.append((date, visits))
    if client_id and not staff_id:
        audit_view("client.plan", [client_id], listed=plan.clients, target=client_id)
    else:
        audit_view("view.two_weeks", [v.client_id for _, visits in days for v in visits], listed=plan.clients,
                   target=staff_id)
    return render_template("two_weeks.html", days=days, staff_id=staff_id, client_id=client_id, plan=plan,
                           people=people, today=today)


@bp.get("/<staff_id>.pdf")
@require_role(*CLIENT_DATA)
def pdf(staff_id):
    box = get_box()
    if staff_id not in box.plan().staff:
        abort(404)
    from printer.pdf import two_week_clients, two_week_pdf

    try:
        data = two_week_pdf(box, staff_id)
    except HembasError as exc:
        abort(503, str(exc))
    audit_view("export.two_week_pdf", two_week_clients(box, staff_id), target=staff_id)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="tva-veckor-{staff_id}.pdf"'})
