"""Substitutes (*vikarier*): added at the meeting for one shift, signed in with a one-time code.

A substitute knows neither the clients nor the addresses.  The meeting adds
them (:func:`sync.day.changes.add_substitute`: name, phone, the shift) and
gives them a sign-in limited to that shift: a one-time code shown once, on
this screen only, to the person who added them, and a printed slip with a
QR code (a secret slip: the queue forgets the code once printed, as for
enrollment slips).  Code and session end when the shift ends.

Signed in, a substitute sees only their own route (Idag), the cards of the
clients on it and the team's contacts; they never run the meeting.  What
they write carries their ``vik-…`` id (see :func:`webui.auth.actor_id`).
"""

from flask import Blueprint, flash, g, render_template, request, url_for
from flask_babel import gettext as _

from sync.day.changes import ChangeRefused, add_substitute
from sync.day.wording import shift_label
from sync.errors import HembasError

from .auth import CLIENT_DATA, actor_id, audit, require_role
from .meeting import meeting_shift
from .qr import qr_svg
from .state import clock_status, get_box, web_state
from .users import SUBSTITUTE, format_code

bp = Blueprint("substitutes", __name__, url_prefix="/laget/vikarie")


@bp.route("", methods=["GET", "POST"])
@require_role(*CLIENT_DATA)
def add():
    box, shift = get_box(), meeting_shift()
    if request.method == "GET":
        return render_template("substitute_add.html", shift=shift, form=request.form)
    try:
        record = add_substitute(box, shift, name=request.form.get("namn", ""), phone=request.form.get("telefon", ""),
                                author=actor_id(), audit=audit)
    except ChangeRefused as exc:
        flash(str(exc), "error")  # the form comes back filled in
        return render_template("substitute_add.html", shift=shift, form=request.form), 400
    body = record["body"]
    user, code = web_state().users.add_substitute(name=body["name"], staff_id=body["id"], until=shift.end,
                                                  now=clock_status().now)
    audit("user.add", target=user["id"], role=SUBSTITUTE, staff_id=body["id"])
    code = format_code(code)
    url = url_for("auth.substitute_sign_in", kod=code, _external=True)
    until = f"{shift.end:%H:%M}"
    printed = False
    if request.form.get("print") == "1":
        try:
            web_state().print_queue().print_slip("substitute", ordered_by=actor_id(), name=body["name"], code=code,
                                                 url=url, until=f"{shift_label(shift.name, shift.date)} till {until}")
            printed = True
        except HembasError as exc:
            flash(_("Lappen skrevs inte ut: %(reason)s", reason=str(exc)), "error")
    return render_template("substitute_code.html", shift=shift, name=body["name"], code=code, until=until,
                           qr=qr_svg(url), printed=printed)


def is_substitute(user=None):
    """Whether the signed-in account (or *user*) is a substitute's shift-long sign-in."""
    user = user or g.get("user")
    return bool(user) and user["role"] == SUBSTITUTE
