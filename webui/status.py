"""Status: plan age and window, the plan's warnings, last sync, printer, the box's clock — no client data.

Coordinators confirm the date and time from their phone here when the box
could not trust its clock (after a power cut without network); in the demo,
technicians can press the firmware daemon's mock button.
"""

import datetime as dt
import logging

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from firmware.control import daemon_status, request_press
from firmware.signals import DESCRIPTIONS
from sync.certificate import CertificateRejected, box_status, store_for
from sync.errors import ClockUntrusted, HembasError
from sync.provisioning import read_errors
from sync.network.status import SyncStatus
from sync.plan.warnings import plan_warnings, summary

from .auth import actor_id, audit, require_role
from .state import clock_status, get_box, web_state
from .users import ROLES

logger = logging.getLogger(__name__)

bp = Blueprint("status", __name__, url_prefix="/status")


def lights_text(daemon):
    """What the box's lights say, in words (None when the daemon is not running)."""
    if not daemon:
        return None
    return f"{DESCRIPTIONS.get(daemon['pattern'], daemon['pattern'])} – {daemon['reason']}"


@bp.get("")
@require_role(*ROLES)  # every account but a substitute, who sees only their route and contacts
def index():
    box = get_box()
    queue = web_state().print_queue()
    daemon = daemon_status(box.data_dir)
    plan = box.mirror.current()
    return render_template("status.html", setup_errors=read_errors(box.data_dir), lights=lights_text(daemon),
                           plan=plan, info=box.mirror.info(),
                           warnings=summary(plan_warnings(plan, box.shifts)) if plan else [],
                           clock=clock_status(), sync=SyncStatus(box.data_dir).read(),
                           printer=queue.status(), binder=_binder_reminder(box), certificate=box_status(box),
                           can_press=bool(daemon and daemon.get("mock")) and g.user["role"] == "technician")


def _binder_reminder(box):
    """Whether the printed binder is out of date (no client data: counts and dates only)."""
    from printer.binder_store import BinderStore

    binders = BinderStore(box)
    binders.refresh()
    return binders.reminder()


def phone_time_from(form, tz):
    """The phone's time: ISO with offset from the page's script, else the datetime-local field."""
    raw = form.get("phone_time", "")
    try:
        if raw:
            value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if value.tzinfo is not None:
                return value
        local = dt.datetime.fromisoformat(form.get("local_time", ""))
    except ValueError:
        return None
    return local.replace(tzinfo=tz) if local.tzinfo is None else local


@bp.post("/klocka")
@require_role("coordinator")
def confirm_clock():
    box = get_box()
    phone_time = phone_time_from(request.form, box.clock.tz)
    if phone_time is None:
        flash(_("Ange datum och tid."), "error")
        return redirect(url_for(".index"))
    offset = box.clock.confirm(phone_time, by=actor_id())
    audit("clock.confirm", target=phone_time.isoformat(timespec="seconds"),
          offset_seconds=round(offset.total_seconds()))
    # Read again, not clock_status(): the clock was just confirmed in this request.
    flash(_("Datum och tid är bekräftade: %(now)s.", now=box.clock.status().now.strftime("%Y-%m-%d %H:%M")), "ok")
    return redirect(url_for(".index"))


@bp.post("/certifikat")
@require_role("coordinator", "technician")
def upload_certificate():
    """The municipality's certificate and key, uploaded from a laptop; nginx reloads on the swap."""
    box = get_box()
    files = [request.files.get(name) for name in ("certificate", "key")]
    if not all(files):
        flash(_("Välj både certifikatet och nyckeln."), "error")
        return redirect(url_for(".index"))
    try:
        info = store_for(box.config).install(files[0].read(), files[1].read(), source="upload", now=box.clock.now())
    except (CertificateRejected, ClockUntrusted) as exc:
        flash(_("Certifikatet installerades inte: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for(".index"))
    audit("tls.install", target=info.fingerprint, not_after=info.not_after.isoformat())
    flash(_("Certifikatet är installerat och gäller till %(date)s.", date=f"{info.not_after:%Y-%m-%d}"), "ok")
    return redirect(url_for(".index"))


@bp.post("/knapp")
@require_role("technician")
def press_button():
    long = request.form.get("long") == "1"
    try:
        request_press(get_box().data_dir, long=long)
    except HembasError as exc:
        flash(str(exc), "error")
    else:
        audit("button.press", target="long" if long else "short")
        flash(_("Knappen trycks – titta på lamporna och skrivaren."), "ok")
    return redirect(url_for(".index"))
