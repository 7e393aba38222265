"""Utskrift: order run-sheets and slips, see the queue, and (preview backend) what was "printed".

"This shift" comes first: the sheets of the shift that is on or starts within
the lead time, exactly what the button prints; the whole working day and my
own sheet (of my current shift) are below it.

The print queue belongs to the printer part (``printer.queue.PrintQueue``),
which also writes the audit entries for what is ordered.  Without the
printer part installed the page says so.
"""

import logging

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from sync.day.fingerprint import route_fingerprints
from sync.day.wording import person_name
from sync.errors import ClockUntrusted, HembasError

from .auth import CLIENT_DATA, actor_id, audit_view, require_role
from .shifts import current_shift
from .state import get_box, web_state

logger = logging.getLogger(__name__)

bp = Blueprint("printing", __name__, url_prefix="/utskrift")

PREVIEWS_SHOWN = 3


@bp.get("")
@require_role(*CLIENT_DATA)
def index():
    box = get_box()
    queue = web_state().print_queue()
    previews, shown = [], set()
    if box.config["printer"]["backend"] == "preview":
        from printer.preview import preview_bytes, preview_jobs, render_html
        for job in preview_jobs(box.data_dir, limit=PREVIEWS_SHOWN):
            printed = queue.printed(job["id"])
            if printed is None or (printed["secret"] and printed["ordered_by"] != actor_id()):
                continue  # a slip with someone's enrollment code is theirs alone
            raw = preview_bytes(box.data_dir, job["id"])
            previews.append((job, render_html(raw, style=False) if raw else ""))
            shown.update(printed["clients"])
    audit_view("print.preview", shown)
    shift = _team_shift(box)
    return render_template("printing.html", jobs=_with_a4_jobs(box, queue.jobs(limit=10)), printer=queue.status(),
                           previews=previews, shift=shift, mine=current_shift(), sheets=_printed_sheets(box, queue, shift),
                           lead_minutes=box.config["shifts"]["lead_minutes"])


SHEET_STATES = ("same", "changed", "new", "void")


def _printed_sheets(box, queue, shift):
    """Each printed sheet of *shift* against the route now: ``(name, state)``, state one of :data:`SHEET_STATES`.

    "changed": printed before a change; "new": a route with no printed sheet
    (a substitute given visits); "void": printed, but the person has no visits
    left (absent).  Empty when nothing of the shift has been printed.
    """
    if shift is None:
        return []
    printed = queue.printed_sheets(shift.date, shift.name)
    if not printed:
        return []
    day = box.day(shift.date)
    now = route_fingerprints(box.plan(), day, shift=shift.name)
    people = list(dict.fromkeys([*now, *printed]))
    states = {s: "void" if s not in now else "new" if s not in printed else
              "same" if now[s] == printed[s] else "changed" for s in people}
    return [(person_name(day, s), states[s]) for s in people]


def changed_sheets(box, queue, shift):
    """Whose sheet of *shift* to print again: printed before a change, or never printed though others were."""
    printed = queue.printed_sheets(shift.date, shift.name)
    if not printed:
        return []
    now = route_fingerprints(box.plan(), box.day(shift.date), shift=shift.name)
    return [s for s, fingerprint in now.items() if printed.get(s) != fingerprint]


def _with_a4_jobs(box, jobs, limit=10):
    """The receipt printer's jobs and the A4 printer's (the binder, see webui.binder) in one list, newest first."""
    from printer.binder_store import BinderStore

    binders = BinderStore(box)
    binders.refresh()
    return sorted(jobs + binders.printer.jobs(limit=limit), key=lambda job: job["created_at"], reverse=True)[:limit]


def _team_shift(box):
    """The shift the button prints now (no one's preference), or None while the clock is untrusted."""
    try:
        return box.current_shift()
    except ClockUntrusted:
        return None


@bp.get("/kvitto.css")
def receipt_css():
    """The preview's receipt look as a file, so the page needs no inline style (CSP)."""
    from printer.preview import CSS

    return Response(CSS, mimetype="text/css", headers={"Cache-Control": "max-age=3600"})


@bp.post("/pass")
@require_role(*CLIENT_DATA)
def shift_sheets():
    """This shift's sheets, as the button prints them; ``hela_dagen=1`` the whole working day instead."""
    queue = web_state().print_queue()
    try:
        if request.form.get("hela_dagen") == "1":
            jobs = queue.print_day_sheets(get_box().current_shift().date, ordered_by=actor_id())
        else:
            jobs = queue.print_shift_sheets(ordered_by=actor_id())
    except HembasError as exc:
        flash(_("Kan inte skriva ut: %(reason)s", reason=str(exc)), "error")
    else:
        if jobs:
            flash(ngettext("%(num)d körlista skrivs ut.", "%(num)d körlistor skrivs ut.", len(jobs)), "ok")
        else:
            flash(_("Passets körlistor skrivs redan ut (eller ingen har besök)."), "ok")
    return redirect(url_for(".index"))


@bp.post("/andrade")
@require_role(*CLIENT_DATA)
def changed():
    """"Skriv ut ändrade": the shift's sheets that changed since they were printed, through the button's path."""
    box, queue = get_box(), web_state().print_queue()
    try:
        shift = box.current_shift()
        staff_ids = changed_sheets(box, queue, shift)
        jobs = queue.print_shift_sheets(ordered_by=actor_id(), shift=shift, only=staff_ids) if staff_ids else []
    except HembasError as exc:
        flash(_("Kan inte skriva ut: %(reason)s", reason=str(exc)), "error")
    else:
        if jobs:
            flash(ngettext("%(num)d ändrad körlista skrivs ut.", "%(num)d ändrade körlistor skrivs ut.", len(jobs)), "ok")
        elif staff_ids:
            flash(_("Passets körlistor skrivs redan ut. Försök igen när de är klara."), "error")
        else:
            flash(_("Ingen utskriven körlista har ändrats."), "ok")
    return redirect(url_for(".index"))


@bp.post("/min")
@require_role(*CLIENT_DATA)
def my_sheet():
    queue = web_state().print_queue()
    staff_id = request.form.get("staff_id") or g.user["staff_id"]
    shift = current_shift()
    if shift is None or not staff_id:
        flash(_("Kan inte skriva ut: klockan är inte bekräftad eller du finns inte i planen."), "error")
        return redirect(url_for(".index"))
    try:
        queue.print_sheet(staff_id, shift.date, shift=shift.name, ordered_by=actor_id())
    except HembasError as exc:
        flash(_("Kan inte skriva ut: %(reason)s", reason=str(exc)), "error")
    else:
        flash(_("Körlistan skrivs ut."), "ok")
    return redirect(url_for(".index"))


@bp.post("/lapp/<kind>")
@require_role(*CLIENT_DATA)
def slip(kind):
    if kind not in ("contacts", "handover", "status"):
        abort(404)
    try:
        web_state().print_queue().print_slip(kind, ordered_by=actor_id())
    except HembasError as exc:
        flash(_("Kan inte skriva ut: %(reason)s", reason=str(exc)), "error")
    else:
        flash(_("Lappen skrivs ut."), "ok")
    return redirect(url_for(".index"))
