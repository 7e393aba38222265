"""Laget idag: the whole team's day, and moving a visit to someone else for today.

A move is a ``reassign`` record (:func:`sync.day.changes.assign`, which checks the
day's rules and audits it), so it shows on everyone's Idag and on the printed
run-sheets at once.
Coordinators and staff may move visits: the team decides together at the
morning meeting.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync.day.changes import ChangeRefused, assign

from .auth import CLIENT_DATA, actor_id, audit, audit_view, require_role
from .formatting import trusted_today
from .state import get_box
from .visits import outcomes

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
    people = [(day.staff[s], day.route(s)) for s in day.staff if day.route(s)]
    audit_view("view.team", [v.client_id for _, route in people for v in route] +
               [v.client_id for v in day.unassigned()], date=today.isoformat())
    return render_template("team.html", today=today, people=people, unassigned=day.unassigned(),
                           clients=plan.clients, done=done, moved=day.moved)


@bp.route("/flytta/<visit_id>", methods=["GET", "POST"])
@require_role(*CLIENT_DATA)
def move(visit_id):
    box = get_box()
    plan, today = box.plan(), _today_or_abort()
    day = box.day(today)
    visit = day.visit(visit_id)
    if visit is None:
        abort(404)
    if request.method == "POST":
        chosen = [s for s in request.form.getlist("staff") if s]
        try:
            if not chosen:
                raise ChangeRefused(_("Välj vem som tar besöket."))
            done = assign(box, today, [(visit.id, chosen)], author=actor_id(), audit=audit)
        except ChangeRefused as exc:
            flash(str(exc), "error")
        else:
            for warning in done.warnings:
                flash(warning, "error")
            flash(_("Besöket hos %(client)s går nu till %(staff)s.", client=plan.clients[visit.client_id].name,
                    staff=", ".join(day.staff[s].name for s in chosen)), "ok")
            return redirect(url_for(".index"))
    audit_view("view.move", [visit.client_id], target=visit.id, date=today.isoformat())
    return render_template("move.html", visit=visit, client=plan.clients[visit.client_id],
                           current=[day.staff[s].name for s in visit.staff_ids],
                           staff=[day.staff[s] for s in day.crew(visit.shift)])
