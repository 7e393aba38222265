"""Personal: the coordinator creates accounts and gives out one-time enrollment codes.

The code is shown once on screen (and, with the printer part, printed as a
slip with a QR code of the enrollment address); only its hash is kept.
"""

import logging

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from sync.errors import HembasError

from .auth import actor_id, audit, require_role
from .qr import qr_svg
from .state import get_box, web_state
from .users import ROLES, SUBSTITUTE, UserError, format_code

logger = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/personal")


@bp.get("")
@require_role("coordinator")
def index():
    plan = get_box().mirror.current()
    accounts = web_state().users.all()
    linked = {a["staff_id"] for a in accounts}
    without_account = [s for s in plan.staff.values() if s.id not in linked] if plan else []
    return render_template("admin.html", accounts=accounts, without_account=without_account, roles=ROLES,
                           plan=plan)


def _show_code(user, code):
    """Render the one-time code (and print the slip if asked); the code is not stored anywhere."""
    url = url_for("auth.enroll", kod=code, _external=True)
    printed = False
    if request.form.get("print") == "1":
        try:
            web_state().print_queue().print_slip("enrollment", ordered_by=actor_id(), name=user["name"], code=format_code(code), url=url)
            printed = True
        except HembasError as exc:
            flash(_("Lappen skrevs inte ut: %(reason)s", reason=str(exc)), "error")
    return render_template("enrollment_code.html", account=user, code=format_code(code), url=url, printed=printed,
                           qr=qr_svg(url),
                           hours=get_box().config["web"]["enrollment_hours"])


@bp.post("")
@require_role("coordinator")
def add():
    plan = get_box().mirror.current()
    staff_id = request.form.get("staff_id", "")
    role = request.form.get("role", "staff")
    name = request.form.get("name", "").strip()
    if staff_id:
        if plan is None or staff_id not in plan.staff:
            abort(400)
        name = name or plan.staff[staff_id].name
    if role == "technician":
        staff_id = ""
    try:
        user, code = web_state().users.add(name=name, role=role, staff_id=staff_id)
    except UserError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    audit("user.add", target=user["id"], role=role, staff_id=staff_id)
    return _show_code(user, code)


@bp.post("/<user_id>/ny-kod")
@require_role("coordinator")
def new_code(user_id):
    state = web_state()
    user = state.users.get(user_id) or abort(404)
    if user["role"] == SUBSTITUTE:
        abort(404)  # a substitute's sign-in is made at the meeting, for one shift (webui.substitutes)
    code = state.users.new_enrollment(user_id)
    state.sessions.end_all(user_id)
    audit("user.new_code", target=user_id)
    return _show_code(user, code)


@bp.post("/<user_id>/ta-bort")
@require_role("coordinator")
def remove(user_id):
    state = web_state()
    user = state.users.get(user_id) or abort(404)
    if user_id == g.user["id"]:
        flash(_("Du kan inte ta bort ditt eget konto."), "error")
        return redirect(url_for(".index"))
    state.users.remove(user_id)
    state.sessions.end_all(user_id)
    audit("user.remove", target=user_id, name=user["name"])
    flash(_("Kontot för %(name)s är borttaget.", name=user["name"]), "ok")
    return redirect(url_for(".index"))
