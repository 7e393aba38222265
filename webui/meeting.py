"""The morning meeting on Laget idag: sick calls, visits shared out, routes reordered, extra visits, undo.

Ten minutes before everyone leaves, on one phone or several at once: the
forms of Laget idag post here, and every change goes through
:mod:`sync.day.changes` (the rules, the records, the audit), exactly as
``hembas day …`` does, so this module only reads the form and says in
Swedish what happened.  The team runs the meeting itself: any carer or the
coordinator (``CLIENT_DATA``); a substitute never (see :mod:`webui.substitutes`).
Only the current working day and later can be changed.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from sync.day.changes import ChangeRefused, add_extra_visit, assign, mark_absent, set_order, undo
from sync.day.wording import describe

from .auth import CLIENT_DATA, actor_id, audit, audit_view, require_role
from .shifts import shift_asked, working_day
from .users import SUBSTITUTE
from .state import get_box, web_state

bp = Blueprint("meeting", __name__, url_prefix="/laget")


def meeting_shift():
    """The shift the form names (``datum`` and ``pass`` in the URL); 404 for a day already behind us."""
    today = working_day()
    if today is None:
        abort(503, _("Klockan är inte bekräftad, så dagens datum är okänt. Bekräfta den på sidan Status."))
    shift = shift_asked(g.user["staff_id"])
    if shift is None or shift.date < today:
        abort(404)
    return shift


def back(shift):
    """Laget idag on the shift the change was made in."""
    return redirect(url_for("team.index", datum=shift.date.isoformat(), **{"pass": shift.name}))


def changes_of(box, plan, day):
    """The day's standing changes as ``(record, Swedish line)``, newest first, and the clients the lines name."""
    lines, clients = [], set()
    for record in reversed(day.changes):
        lines.append((record, describe(record, plan, day, records=box.records)))
        if record["client_id"]:
            clients.add(record["client_id"])
        for visit_id in record["body"].get("visit_ids", ()):  # a route's new order names its clients
            visit = day.visit(visit_id)
            if visit is not None:
                clients.add(visit.client_id)
    return lines, clients


@bp.post("/franvaro")
@require_role(*CLIENT_DATA)
def absent():
    """A sick call: ``franvarande`` (this shift) or ``franvarande_dag`` (the whole working day) names the person."""
    box, shift = get_box(), meeting_shift()
    whole_day = "franvarande_dag" in request.form
    staff_id = request.form.get("franvarande_dag" if whole_day else "franvarande", "")
    try:
        mark_absent(box, staff_id, shift, whole_day=whole_day, author=actor_id(), audit=audit)
    except ChangeRefused as exc:
        flash(str(exc), "error")
    else:
        day = box.day(shift.date)
        flash(_("%(name)s är frånvarande. Besöken ligger under ”Ingen tilldelad”.", name=day.staff[staff_id].name), "ok")
    return back(shift)


@bp.post("/tilldela")
@require_role(*CLIENT_DATA)
def share_out():
    """The ticked visits (``besok``) go to the ticked people (``personal``), all or none."""
    box, shift = get_box(), meeting_shift()
    visit_ids = request.form.getlist("besok")
    chosen = [s for s in request.form.getlist("personal") if s]
    try:
        if not visit_ids:
            raise ChangeRefused(_("Markera de besök som ska fördelas."))
        if not chosen:
            raise ChangeRefused(_("Markera vem som tar besöken."))
        done = assign(box, shift.date, [(v, chosen) for v in visit_ids], author=actor_id(), audit=audit)
    except ChangeRefused as exc:
        flash(str(exc), "error")
    else:
        for warning in done.warnings:
            flash(warning, "error")
        day = box.day(shift.date)
        flash(ngettext("%(num)d besök går nu till %(staff)s.", "%(num)d besök går nu till %(staff)s.",
                       len(visit_ids), staff=" och ".join(day.staff[s].name for s in chosen)), "ok")
    return back(shift)


@bp.post("/ordning")
@require_role(*CLIENT_DATA)
def order():
    """One visit one step up or down a route: ``flytta=upp:<staff id>:<visit id>`` (or ``ner:``)."""
    box, shift = get_box(), meeting_shift()
    direction, _sep, rest = request.form.get("flytta", "").partition(":")
    staff_id, _sep, visit_id = rest.partition(":")
    route = [v.id for v in box.day(shift.date).route(staff_id, shift=shift.name)]
    if direction not in ("upp", "ner") or visit_id not in route:
        abort(400, _("Besöket finns inte på den rutten längre. Ladda om sidan."))
    n = route.index(visit_id)
    other = n - 1 if direction == "upp" else n + 1
    if 0 <= other < len(route):
        route[n], route[other] = route[other], route[n]
        try:
            set_order(box, shift, staff_id, route, author=actor_id(), audit=audit)
        except ChangeRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for("team.index", datum=shift.date.isoformat(), oppen=staff_id, **{"pass": shift.name})
                    + f"#rutt-{staff_id}")  # back to the route just changed, open


def end_substitute(staff_id):
    """Remove the sign-in of substitute *staff_id* and end its sessions (the substitute was taken back)."""
    state = web_state()
    for user in state.users.all():
        if user["role"] == SUBSTITUTE and user["staff_id"] == staff_id:
            state.users.remove(user["id"])
            state.sessions.end_all(user["id"])
            audit("user.remove", target=user["id"], name=user["name"])


@bp.post("/angra")
@require_role(*CLIENT_DATA)
def take_back():
    box, shift = get_box(), meeting_shift()
    record = box.records.get(request.form.get("andring", ""))
    try:
        if record is None or record["date"] != shift.date.isoformat():
            raise ChangeRefused(_("Ändringen finns inte längre. Ladda om sidan."))
        undo(box, record["id"], author=actor_id(), audit=audit)
    except ChangeRefused as exc:
        flash(str(exc), "error")
    else:
        if record["kind"] == "substitute":  # no longer on the shift: their sign-in ends now
            end_substitute(record["body"]["id"])
        flash(_("Ändringen är ångrad."), "ok")
    return back(shift)


@bp.route("/extra", methods=["GET", "POST"])
@require_role(*CLIENT_DATA)
def extra():
    """An extra visit for an existing client (a discharge, a night check): tasks, a note, a time, who."""
    box, shift = get_box(), meeting_shift()
    plan, day = box.plan(), box.day(shift.date)
    form = request.form
    if request.method == "POST":
        tasks = [t.strip() for t in form.get("insatser", "").splitlines() if t.strip()]
        try:
            if form.get("klient", "") not in plan.clients:
                raise ChangeRefused(_("Välj brukare."))
            add_extra_visit(box, shift, form["klient"], tasks=tasks, note=form.get("anteckning", "").strip(),
                            window=form.get("tid", "").strip() or None, staff_ids=form.getlist("personal"),
                            needed=2 if form.get("dubbel") == "1" else 1, author=actor_id(), audit=audit)
        except ChangeRefused as exc:
            flash(str(exc), "error")  # the form comes back filled in: nothing typed is lost
        else:
            flash(_("Extra besök hos %(client)s är tillagt.", client=plan.clients[form["klient"]].name), "ok")
            return back(shift)
    clients = sorted(plan.clients.values(), key=lambda c: c.name)
    audit_view("view.extra_visit", [], listed=[c.id for c in clients], date=shift.date.isoformat(), shift=shift.name)
    return render_template("extra_visit.html", shift=shift, clients=clients, form=form,
                           crew=[day.staff[s] for s in day.crew(shift.name)])
