"""Klient: the client card, and what staff write about a visit (outcome, note, deviation).

Entry information (door codes, key boxes) is shown only to staff with a
visit to the client in their current working day (moves applied; at 01:30
the night that began yesterday) and to coordinators; a substitute opens
only the cards of the clients on their own route; every
opening of a card is audited with whether the entry was shown.  What is
written becomes an append-only record (:mod:`sync.store.records`), durable
before the page says "Sparat"; a correction is a new record pointing at
the old one.
"""

import datetime as dt
import logging
import re
import uuid

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync.day.wording import person_name
from sync.store.records import without_corrected

from .auth import ON_ROUTE, actor_id, audit_view, require_role
from .errors import wants_json
from .page_cache import cached_page
from .shifts import working_day
from .state import get_box, web_state
from .substitutes import is_substitute
from .visits import author_name, outcomes

logger = logging.getLogger(__name__)

bp = Blueprint("clients", __name__, url_prefix="/klient")

WRITTEN_KINDS = ("outcome", "note", "deviation")
SHOWN_KINDS = WRITTEN_KINDS + ("handover",)
MAX_TEXT = 2000
RECENT_DAYS = 14
KEY = re.compile(r"[A-Za-z0-9-]{8,64}")  # an idempotency key made on the phone (a UUID)


def on_my_route(box, client_id, today):
    """Whether the signed-in person has a visit to this client in their working day *today* (moves applied)."""
    if today is None or not g.user["staff_id"]:
        return False
    return any(v.client_id == client_id for v in box.day(today).route(g.user["staff_id"]))


def may_see_entry(box, client_id, today):
    """Coordinators always; staff only with a visit to this client in their working day."""
    return g.user["role"] == "coordinator" or on_my_route(box, client_id, today)


def day_visit(box, visit_id, today):
    """A visit as the day has it (extra visits too): the working day's first, else the plan's own day's."""
    found = box.day(today).visit(visit_id) if today and visit_id else None
    planned = None if found else box.plan().visit(visit_id)
    return found or (box.day(planned.date).visit(visit_id) if planned else None)


def check_substitute(box, client_id, today):
    """A substitute opens and writes only the cards of the clients on their own route."""
    if is_substitute() and not on_my_route(box, client_id, today):
        abort(403)


def recent_records(box, client_id):
    """What the base wrote about the client lately, newest first, with corrected ones marked."""
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=RECENT_DAYS)
    found = box.records.find(kind=SHOWN_KINDS, client_id=client_id, since=since)
    standing = {r["id"] for r in without_corrected(found)}
    return [dict(r, corrected=r["id"] not in standing) for r in reversed(found)]


@bp.app_template_global()
def new_key():
    """A fresh idempotency key for one form (static/hembas.js gives each shown copy new ones)."""
    return str(uuid.uuid4())


@bp.get("/<client_id>")
@require_role(*ON_ROUTE)
@cached_page
def card(client_id):
    box = get_box()
    plan = box.plan()
    client = plan.clients.get(client_id) or abort(404)
    today = working_day()
    check_substitute(box, client_id, today)
    show_entry = may_see_entry(box, client_id, today)
    audit_view("client.open", [client_id], target=client_id, entry_shown=show_entry,
               on_route=on_my_route(box, client_id, today), date=today.isoformat() if today else "")
    visits = [v for v in box.day(today).visits if v.client_id == client_id] if today else []
    done = outcomes(box, today) if today else {}
    asked = day_visit(box, request.args.get("besok", ""), today)
    if (asked is not None and asked.client_id == client_id and asked.date != today
            and g.user["role"] == "coordinator"):  # typing in a paper run-sheet: an earlier visit's outcome
        visits = [asked] + visits
        done = {**outcomes(box, asked.date), **done}
    records = recent_records(box, client_id)
    users = web_state().users
    return render_template(
        "client.html", client=client, show_entry=show_entry, today=today, chosen=request.args.get("besok"),
        visits=[(v, [person_name(box.day(v.date), s) for s in v.staff_ids], done.get(v.id)) for v in visits],
        records=[(r, author_name(plan, users, r["author"])) for r in records], max_text=MAX_TEXT)


@bp.post("/<client_id>/skriv")
@require_role(*ON_ROUTE)
def write(client_id):
    """Store what a carer wrote; the form's ``idempotency_key`` makes a double tap or an outbox resent store it once.

    The phone's outbox (static/sw.js) posts with ``Accept: application/json``
    and gets JSON back instead of a page: ``{"id": …}`` or ``{"error": …}``.
    """
    box = get_box()
    plan = box.plan()
    if client_id not in plan.clients:
        abort(404)
    check_substitute(box, client_id, working_day())
    form = request.form
    kind, key = form.get("kind", ""), form.get("idempotency_key", "")
    visit = day_visit(box, form.get("visit_id", ""), working_day())
    if kind not in WRITTEN_KINDS or (visit is not None and visit.client_id != client_id):
        abort(400, _("Okänd sorts post."))
    if key and not KEY.fullmatch(key):
        abort(400, _("Formuläret är trasigt. Ladda om sidan och försök igen."))
    corrects = form.get("corrects", "")
    if corrects:
        old = box.records.get(corrects)
        if old is None or old["client_id"] != client_id or old["kind"] != kind:
            abort(400, _("Posten som ska rättas finns inte."))
        if old["author"] != actor_id() and g.user["role"] != "coordinator":
            abort(403)
        visit = day_visit(box, old["visit_id"], working_day()) or visit
    text = " ".join(form.get("text", "").split()) if kind != "note" else form.get("text", "").strip()
    if kind == "outcome":
        if visit is None:
            abort(400, _("Välj besöket."))
        if not box.shifts.has_begun(box.shifts.shift(visit.date, visit.shift), box.clock.now()):
            return _refused(_("Besöket har inte börjat än (%(date)s). Utfört eller ej utfört skrivs när besöket "
                              "görs eller efteråt.", date=visit.date.isoformat()), client_id=client_id)
        done = form.get("done") == "1"
        reason = " ".join(form.get("reason", "").split())
        if not done and not reason:
            return _refused(_("Skriv varför besöket inte blev utfört."), client_id=client_id, besok=visit.id)
        body = {"done": done, "reason": reason[:MAX_TEXT]}
    else:
        if not text or len(text) > MAX_TEXT:
            return _refused(_("Skriv en text (högst %(max)d tecken).", max=MAX_TEXT), client_id=client_id)
        body = {"text": text}
    record = box.records.append(kind, author=actor_id(), body=body, plan_version=plan.version,
                                visit_id=visit.id if visit else "", client_id=client_id,
                                date=visit.date if visit else working_day(), corrects=corrects, key=key,
                                device_time=_written_at(form))
    meant = (actor_id(), kind, client_id, visit.id if visit else "", corrects, body)
    if (record["author"], record["kind"], record["client_id"], record["visit_id"], record["corrects"],
            record["body"]) != meant:  # a reused key (a page restored from history): never swallow the text
        abort(409, _("Det här formuläret är redan skickat med en annan text. Ladda om sidan och skriv igen."))
    logger.info("%s %s saved by %s", kind, record["id"], actor_id())
    if wants_json():
        return {"id": record["id"]}
    flash(_("Sparat.") if not corrects else _("Rättelsen är sparad."), "ok")
    return redirect(url_for(".card", client_id=client_id, besok=visit.id if visit else None) + "#skrivet")


def _refused(message, **url_args):
    """A form that cannot be stored as sent: back to the card with *message*, or 422 to the outbox."""
    if wants_json():
        abort(422, message)
    flash(message, "error")
    return redirect(url_for(".card", **url_args))


def _written_at(form):
    """When the outbox says the text was written (the phone's clock), if within the last day; else now.

    Re-entry goes per client in order of writing, and an outbox may be sent
    hours after the note was written.
    """
    try:
        written = dt.datetime.fromisoformat(form.get("written_at", ""))
    except ValueError:
        return None
    now = dt.datetime.now(dt.timezone.utc)
    if written.tzinfo is None or not now - dt.timedelta(days=1) <= written <= now + dt.timedelta(minutes=5):
        return None
    return min(written, now)
