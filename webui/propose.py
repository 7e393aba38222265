"""Föreslå: who takes each unassigned visit of the shift, and why; the team accepts all, some or none.

The proposal is :func:`sync.day.proposal.propose` as it stands now.  The
form carries the proposal's key; accepting compares it with a fresh
proposal, so the team accepts what it saw even when another phone changed
the day in between (then the new proposal is shown instead).  Accepting is
:func:`sync.day.proposal.accept`, which records ordinary assignments.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from sync.day.changes import ChangeRefused
from sync.day.proposal import accept, propose
from sync.day.timing import Timing

from .auth import CLIENT_DATA, actor_id, audit, audit_view, require_role
from .meeting import back, meeting_shift
from .state import get_box

bp = Blueprint("propose", __name__, url_prefix="/laget/forslag")


def _proposal(box, shift):
    return propose(box.plan(), box.day(shift.date), shift, Timing.from_config(box.config))


@bp.get("")
@require_role(*CLIENT_DATA)
def index():
    box, shift = get_box(), meeting_shift()
    proposal = _proposal(box, shift)
    audit_view("view.proposal", [m.client_id for m in proposal.moves] + [u.client_id for u in proposal.unplaced],
               date=shift.date.isoformat(), shift=shift.name)
    return render_template("proposal.html", shift=shift, proposal=proposal, clients=box.plan().clients,
                           staff=box.day(shift.date).staff)


@bp.post("")
@require_role(*CLIENT_DATA)
def take():
    """``alla`` accepts every move; otherwise the ticked ``besok``.  None ticked accepts nothing."""
    box, shift = get_box(), meeting_shift()
    proposal = _proposal(box, shift)
    here = url_for(".index", datum=shift.date.isoformat(), **{"pass": shift.name})
    if request.form.get("key") != proposal.key:
        flash(_("Dagen har ändrats sedan förslaget visades. Här är ett nytt förslag."), "error")
        return redirect(here)
    chosen = None if "alla" in request.form else request.form.getlist("besok")
    if chosen == []:
        flash(_("Inget besök var markerat, så inget ändrades."), "error")
        return redirect(here)
    try:
        done = accept(box, proposal, chosen, author=actor_id(), audit=audit)
    except ChangeRefused as exc:
        flash(str(exc), "error")
        return redirect(here)
    for warning in done.warnings:
        flash(warning, "error")
    flash(ngettext("%(num)d besök har fått personal.", "%(num)d besök har fått personal.", len(done.records)), "ok")
    return back(shift)
