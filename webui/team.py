"""Laget idag: the whole team's day, and moving a visit to someone else for today.

A move is a ``reassign`` record (:func:`sync.day.team_day.reassign`), so it shows on
everyone's Idag and on the printed run-sheets at once, and it is audited.
Coordinators and staff may move visits: the team decides together at the
morning meeting.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync.day.team_day import reassign

from .auth import CLIENT_DATA, actor_id, audit, require_role
from .formatting import trusted_today
from .state import get_box
from .visits import outcomes, staff_names

bp = Blueprint("team", __name__, url_prefix="/laget")


def _today_or_abort():
    today = trusted_today()
    if today is None:
        abort(503, _("Klockan är inte bekräftad, så dagens datum är okänt. Bekräfta den på sidan Status."))
    return today


@bp.get("")
@require_role(*CLIENT_DATA)
def index():
    box = get_box()
    plan, today = box.plan(), trusted_today()
    if today is None:
        return render_template("team.html", today=None)
    day = box.day(today)
    done = outcomes(box, today)
    people = [(plan.staff[s], day.route(s)) for s in plan.staff if day.route(s)]
    return render_template("team.html", today=today, people=people, unassigned=day.unassigned(),
                           clients=plan.clients, done=done, moved=day.moved)


@bp.route("/flytta/<visit_id>", methods=["GET", "POST"])
@require_role(*CLIENT_DATA)
def move(visit_id):
    box = get_box()
    plan, today = box.plan(), _today_or_abort()
    visit = next((v for v in box.day(today).visits if v.id == visit_id), None)
    if visit is None:
        abort(404)
    if request.method == "POST":
        chosen = [s for s in request.form.getlist("staff") if s]
        if not chosen or any(s not in plan.staff for s in chosen):
            flash(_("Välj vem som tar besöket."), "error")
        else:
            reassign(box.records, plan, visit, chosen, author=actor_id(), date=today)
            audit("visit.reassign", target=visit.id, client=visit.client_id, to=chosen, previous=list(visit.staff_ids))
            flash(_("Besöket hos %(client)s går nu till %(staff)s.", client=plan.clients[visit.client_id].name,
                    staff=", ".join(staff_names(plan, chosen))), "ok")
            return redirect(url_for(".index"))
    return render_template("move.html", visit=visit, client=plan.clients[visit.client_id],
                           current=staff_names(plan, visit.staff_ids), staff=list(plan.staff.values()))
