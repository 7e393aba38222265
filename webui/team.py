"""Laget idag: the whole team's shift, and moving a visit to someone else.

It opens on the shift I am on or about to start (at 01:30 the night that
began yesterday), with the working day's other shifts one tap away
(``/laget?datum=2026-11-27&pass=natt``).  A move is a ``reassign`` record
(:func:`sync.day.changes.assign`, which checks the day's rules and audits
it), so it shows on everyone's Idag and on the printed run-sheets at once.
Coordinators and staff may move visits of the current working day or later:
the team decides together at the morning meeting, whose forms on this page
post to :mod:`webui.meeting` and :mod:`webui.propose`.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync.day.changes import ChangeRefused, assign

from .auth import CLIENT_DATA, actor_id, audit, audit_view, require_role
from .meeting import changes_of
from .page_cache import cached_page
from .shifts import date_asked, shift_asked, shift_tabs, working_day
from .state import get_box
from .visits import outcomes

bp = Blueprint("team", __name__, url_prefix="/laget")


def _working_day_or_abort():
    day = working_day()
    if day is None:
        abort(503, _("Klockan är inte bekräftad, så dagens datum är okänt. Bekräfta den på sidan Status."))
    return day


@bp.get("")
@require_role(*CLIENT_DATA)
@cached_page
def index():
    box = get_box()
    plan, shift = box.plan(), shift_asked(g.user["staff_id"])
    if shift is None:
        return render_template("team.html", shift=None)
    day = box.day(shift.date)
    done = outcomes(box, shift.date)
    working = set(day.crew(shift.name)) | set(day.staff_ids(shift=shift.name))
    people = [(day.staff[s], day.route(s, shift=shift.name)) for s in day.staff if s in working]
    unassigned = day.unassigned(shift=shift.name)
    absent = [day.staff[s] for s in day.absent if day.is_absent(s, shift.name) and s in day.staff]
    meeting = working_day() is not None and shift.date >= working_day()  # today and later, not the past
    changes, named = changes_of(box, plan, day) if meeting else ([], set())
    audit_view("view.team", [v.client_id for _, route in people for v in route] + [v.client_id for v in unassigned]
               + sorted(named), date=shift.date.isoformat(), shift=shift.name)
    return render_template("team.html", shift=shift, people=people, unassigned=unassigned, absent=absent,
                           clients=plan.clients, done=done, moved=day.moved, extra=day.extra, meeting=meeting,
                           changes=changes, needs={v.id: day.needs(v) for v in unassigned}, staff=day.staff,
                           crew=[day.staff[s] for s in day.crew(shift.name)],
                           tabs=shift_tabs(".index", shift, lambda s: len(day.shift(s.name))))


@bp.route("/flytta/<visit_id>", methods=["GET", "POST"])
@require_role(*CLIENT_DATA)
def move(visit_id):
    box = get_box()
    plan, today = box.plan(), _working_day_or_abort()
    date = date_asked() or today
    if date < today:  # the current working day and later, not the past
        abort(404)
    day = box.day(date)
    visit = day.visit(visit_id)
    if visit is None:
        abort(404)
    if request.method == "POST":
        chosen = [s for s in request.form.getlist("staff") if s]
        try:
            if not chosen:
                raise ChangeRefused(_("Välj vem som tar besöket."))
            done = assign(box, date, [(visit.id, chosen)], author=actor_id(), audit=audit)
        except ChangeRefused as exc:
            flash(str(exc), "error")
        else:
            for warning in done.warnings:
                flash(warning, "error")
            flash(_("Besöket hos %(client)s går nu till %(staff)s.", client=plan.clients[visit.client_id].name,
                    staff=", ".join(day.staff[s].name for s in chosen)), "ok")
            return redirect(url_for(".index", datum=date.isoformat(), **{"pass": visit.shift}))
    audit_view("view.move", [visit.client_id], target=visit.id, date=date.isoformat())
    return render_template("move.html", visit=visit, client=plan.clients[visit.client_id],
                           current=[day.staff[s].name for s in visit.staff_ids],
                           staff=[day.staff[s] for s in day.crew(visit.shift)])
