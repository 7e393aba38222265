"""Logguppföljning: the coordinator's systematic check of the access log (Patientdatalagen 4 kap. 3 §).

For a chosen period, a sample of client accesses (every unusual one first,
then a random sample of the rest, the same sample every time for that
period) with who, when, what and the context (see :mod:`sync.log_review`);
each can be marked as checked with a comment (audited), and the review is
exported as PDF or CSV for the unit manager.
"""

import datetime as dt
import logging

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync import log_review

from .auth import actor_id, audit, audit_view, require_role
from .coordinator import ACTIONS
from .state import clock_status, get_box, web_state
from .visits import author_name

logger = logging.getLogger(__name__)

bp = Blueprint("log_review", __name__, url_prefix="/logguppfoljning")

DEFAULT_DAYS = 7
MAX_DAYS = 93
MAX_COMMENT = 500


def _period(values):
    """(start, end) from ``fran`` and ``till`` (default: the last week); 400 when not a sane period."""
    today = clock_status().now.date()  # calendar days of the log, not the working day
    try:
        end = dt.date.fromisoformat(values.get("till") or today.isoformat())
        start = dt.date.fromisoformat(values.get("fran") or (end - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat())
    except ValueError:
        abort(400, _("Ange datum som ÅÅÅÅ-MM-DD."))
    if start > end or (end - start).days >= MAX_DAYS:
        abort(400, _("Välj en period på högst %(days)d dagar, från före till.", days=MAX_DAYS))
    return start, end


def _review(start, end):
    """The period's sample, its checks and the helpers that name people and clients."""
    box, state = get_box(), web_state()
    store = log_review.ReviewStore(box.data_dir)
    review = store.open(start, end, by=actor_id())
    roles = {u["staff_id"] or u["id"]: u["role"] for u in state.users.all()}
    found = log_review.accesses(box, start, end, roles=roles)
    items = log_review.sample(found, seed=review["seed"])
    plan, users = box.mirror.current(), state.users
    names = {}

    def actor_name(actor):
        if actor not in names:
            names[actor] = author_name(plan, users, actor)
        return names[actor]

    def client_name(client_id):
        client = plan.clients.get(client_id) if plan else None
        return client.name if client else client_id

    return {"found": found, "items": items, "checks": store.checks(), "store": store,
            "actor_name": actor_name, "client_name": client_name}


@bp.get("")
@require_role("coordinator")
def index():
    start, end = _period(request.args)
    review = _review(start, end)
    items = review["items"]
    audit_view("view.log_review", [c for item in items for c in item.clients], target=f"{start}/{end}")
    return render_template("log_review.html", start=start, end=end, items=items, checks=review["checks"],
                           total=len(review["found"]), unusual=sum(1 for a in review["found"] if a.unusual),
                           actor_name=review["actor_name"], client_name=review["client_name"], actions=ACTIONS,
                           reason_text=log_review.reason_text, max_comment=MAX_COMMENT)


@bp.post("/kontroll")
@require_role("coordinator")
def check():
    start, end = _period(request.form)
    entry_id = request.form.get("entry_id", "")
    comment = " ".join(request.form.get("comment", "").split())[:MAX_COMMENT]
    if not any(e["id"] == entry_id for e in get_box().audit.entries()):
        abort(404)
    log_review.ReviewStore(get_box().data_dir).check(entry_id, by=actor_id(), comment=comment)
    audit("logreview.check", target=entry_id, comment=comment)
    flash(_("Markerad som kontrollerad."), "ok")
    return redirect(url_for(".index", fran=start.isoformat(), till=end.isoformat()) + f"#e-{entry_id}")


@bp.post("/export")
@require_role("coordinator")
def export():
    start, end = _period(request.form)
    what = request.form.get("what")
    if what not in ("csv", "pdf"):
        abort(400)
    box, review = get_box(), _review(start, end)
    table = log_review.rows(review["items"], review["checks"], actor_name=review["actor_name"],
                            action_label=lambda action: ACTIONS.get(action, action),
                            client_name=review["client_name"], tz=box.clock.tz)
    audit_view("logreview.export", [c for item in review["items"] for c in item.clients], target=f"{start}/{end}",
               what=what)
    name = f"logguppfoljning-{start}-{end}"
    if what == "csv":
        return _download(log_review.export_csv(table), "text/csv; charset=utf-8", f"{name}.csv")
    plan = box.mirror.current()
    data = log_review.export_pdf(table, team=plan.team.name if plan else box.config["team"]["id"],
                                 period=f"{start}-{end}", made_by=review["actor_name"](actor_id()))
    return _download(data, "application/pdf", f"{name}.pdf")


def _download(data, mimetype, filename):
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
