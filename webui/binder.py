"""Pärm: the team's two-week binder for the coordinator — download it, print it, swap what changed.

Every download is audited as a view of every client in it; printing on the
A4 printer and marking the binder printed are audited by the printer part
(:mod:`printer.binder_store`), which the command line uses too.
"""

import logging

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync.errors import HembasError

from .auth import actor_id, audit_view, require_role
from .state import get_box

logger = logging.getLogger(__name__)

bp = Blueprint("binder", __name__, url_prefix="/parm")

PRINTS = ("binder", "pages", "changes")


def _store():
    from printer.binder_store import BinderStore

    return BinderStore(get_box())


@bp.get("")
@require_role("coordinator")
def index():
    store = _store()
    store.refresh()
    printer = store.printer
    return render_template("binder.html", reminder=store.reminder(), made=store.made(), a4=printer.configured,
                           a4_status=printer.status() if printer.configured else None, jobs=printer.jobs(limit=5))


@bp.post("/parm.pdf")
@require_role("coordinator")
def download():
    try:
        binder, record = _store().make(by=actor_id())
    except HembasError as exc:
        flash(_("Kan inte göra pärmen: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for(".index"))
    audit_view("binder.pdf", record["clients"], target=record["version"], pages=record["page_count"])
    return _pdf(binder.data, f"parm-{record['days'][0]}.pdf")


@bp.post("/andringar.pdf")
@require_role("coordinator")
def changes():
    from printer.binder_store import changed_clients

    try:
        found = _store().changes(by=actor_id())
    except HembasError as exc:
        flash(_("Kan inte göra ändringslistan: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for(".index"))
    audit_view("binder.changes", changed_clients(found.changes), target=found.record["version"])
    return _pdf(found.data, f"parm-andringar-{found.record['days'][0]}.pdf")


@bp.post("/skriv-ut")
@require_role("coordinator")
def print_a4():
    what = request.form.get("what", "binder")
    if what not in PRINTS:
        what = "binder"
    try:
        job = _store().print_a4(by=actor_id(), what=what)
    except HembasError as exc:
        flash(_("Kan inte skriva ut: %(reason)s", reason=str(exc)), "error")
    else:
        if job["state"] == "failed":
            flash(_("Kan inte skriva ut: %(reason)s", reason=job["last_error"]), "error")
        else:
            sent = {"binder": _("Pärmen skickades till A4-skrivaren."),
                    "pages": _("Sidorna som ändrats skickades till A4-skrivaren."),
                    "changes": _("Ändringslistan skickades till A4-skrivaren.")}
            flash(sent[what], "ok")
    return redirect(url_for(".index"))


@bp.post("/utskriven")
@require_role("coordinator")
def mark_printed():
    try:
        record = _store().mark_printed(by=actor_id())
    except HembasError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Pärmen med plan %(version)s är markerad som utskriven.", version=record["version"]), "ok")
    return redirect(url_for(".index"))


def _pdf(data, filename):
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{filename}"'})
