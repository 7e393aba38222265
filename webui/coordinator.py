"""The coordinator's pages: the audit log, the re-entry export and uploading a signed plan bundle."""

import datetime as dt
import itertools
import logging

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync.errors import ClockUntrusted, HembasError

from .auth import actor_id, audit, audit_view, require_role
from .shifts import working_day
from .state import clock_status, get_box, web_state
from .visits import author_name

logger = logging.getLogger(__name__)

bp = Blueprint("coordinator", __name__)

LOG_LIMIT = 300
UNRECORDED_SHOWN = 300  # visits without an outcome listed on the export page
ACTIONS = {
    "signin": "inloggning", "signin.failed": "fel PIN-kod", "signin.locked": "spärrad inloggning",
    "signout": "utloggning", "enroll": "aktiverade konto", "client.open": "öppnade brukarkort",
    "client.plan": "brukarens två veckor", "visit.reassign": "flyttade besök", "print.sheets": "skrev ut körlistor",
    "print.sheet": "skrev ut körlista", "print.slip": "skrev ut lapp", "export.two_week_pdf": "hämtade PDF",
    "reentry.export": "export för journalen", "record.reentered": "markerade inmatad",
    "reentry.unrecorded": "besök utan utfall", "plan.import": "plan inläst",
    "plan.upload": "laddade upp plan", "clock.confirm": "bekräftade klockan", "button.press": "tryckte på knappen",
    "user.add": "skapade konto", "user.new_code": "ny aktiveringskod", "user.remove": "tog bort konto",
    "day.absent": "anmälde frånvaro", "day.substitute": "lade till vikarie", "day.order": "ändrade ordning",
    "day.extra_visit": "lade till extra besök", "day.undo": "ångrade ändring",
    "binder.pdf": "hämtade pärmen", "binder.changes": "hämtade pärmens ändringar",
    "binder.printed": "pärmen utskriven", "print.a4": "skrev ut på A4", "print.a4.done": "A4-utskrift klar",
    "print.a4.failed": "A4-utskrift misslyckades",
    "view.today": "visade en runda", "view.team": "visade laget idag", "view.move": "öppnade flytta besök",
    "view.two_weeks": "visade två veckor", "view.handover": "visade överlämningar", "print.preview": "visade utskrifter",
    "enroll.failed": "fel aktiveringskod", "enroll.locked": "spärrad aktivering", "view.log_review": "logguppföljning",
    "logreview.check": "kontrollerade en logghändelse", "logreview.export": "hämtade logguppföljning",
    "usb.import": "plan från USB", "view.proposal": "visade förslag", "view.extra_visit": "öppnade extra besök",
    "substitute.failed": "fel vikariekod", "substitute.locked": "spärrad vikariekod",
}


@bp.get("/logg")
@require_role("coordinator")
def audit_log():
    box = get_box()
    actor = request.args.get("vem") or None
    action = request.args.get("vad") or None
    entries = box.audit.entries(actor=actor, action=action, limit=LOG_LIMIT)
    plan, users = box.mirror.current(), web_state().users
    names = {}
    for entry in entries:
        if entry["actor"] not in names:
            names[entry["actor"]] = author_name(plan, users, entry["actor"])
    return render_template("audit_log.html", entries=entries, names=names, actions=ACTIONS, limit=LOG_LIMIT,
                           actor=actor or "", action=action or "")


def _since_from(form):
    try:
        return dt.date.fromisoformat(form.get("since", ""))
    except ValueError:
        return None


@bp.route("/export", methods=["GET", "POST"])
@require_role("coordinator")
def export():
    from sync import reentry

    box = get_box()
    today = working_day() or clock_status().now.date()  # untrusted: only a default for the form
    since = _since_from(request.values) or (today - dt.timedelta(days=7))
    if request.method == "POST":
        form_since = _since_from(request.form)
        if form_since is None:
            abort(400, _("Ange ett datum."))
        what = request.form.get("what")
        if what == "csv":
            data = reentry.export_csv(box, form_since, by=actor_id())
            return _download(data, "text/csv; charset=utf-8", f"journal-sedan-{form_since}.csv")
        if what == "pdf":
            data = reentry.export_pdf(box, form_since, by=actor_id())
            return _download(data, "application/pdf", f"journal-sedan-{form_since}.pdf")
        if what == "mark":
            ids = [row["post-id"] for row in reentry.entries_since(box, form_since) if not row["inmatad"]]
            marked = reentry.mark_reentered(box, ids, by=actor_id())
            flash(_("%(num)d poster markerade som inmatade.", num=len(marked)), "ok")
            return redirect(url_for(".export", since=form_since.isoformat()))
        abort(400)
    rows = reentry.entries_since(box, since)
    waiting = sum(1 for row in rows if not row["inmatad"])
    try:
        unrecorded = reentry.visits_without_outcome(box, since)
    except ClockUntrusted:
        unrecorded = None
    else:
        audit_view("reentry.unrecorded", [row["client_id"] for row in unrecorded[:UNRECORDED_SHOWN]],
                   target=since.isoformat(), visits=len(unrecorded))
    groups = None if unrecorded is None else [
        (key, list(group)) for key, group in itertools.groupby(unrecorded[:UNRECORDED_SHOWN],
                                                               key=lambda row: (row["date"], row["shift"]))]
    return render_template("export.html", since=since, rows=len(rows), waiting=waiting, unrecorded=unrecorded,
                           groups=groups, unrecorded_shown=UNRECORDED_SHOWN)


def _download(data, mimetype, filename):
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/plan", methods=["GET", "POST"])
@require_role("coordinator", "technician")
def upload_plan():
    box = get_box()
    if request.method == "POST":
        upload = request.files.get("bundle")
        if upload is None or not upload.filename:
            flash(_("Välj en planfil."), "error")
        else:
            from sync.network.bundle import import_bundle
            try:
                plan = import_bundle(box, upload.read(), source=f"webb: {upload.filename[:60]}")
            except HembasError as exc:
                audit("plan.upload", target="", refused=str(exc))
                flash(_("Planen lästes inte in: %(reason)s", reason=str(exc)), "error")
            else:
                audit("plan.upload", target=plan.version, file=upload.filename[:60])
                flash(_("Planen är inläst (version %(version)s, %(start)s–%(end)s).", version=plan.version,
                        start=plan.valid_from.isoformat(), end=plan.valid_to.isoformat()), "ok")
                return redirect(url_for("status.index"))
    return render_template("upload_plan.html", has_key=bool(box.config["hub"]["public_key"]))
