"""Sign-in with name and PIN, enrollment with a one-time code, sign-out, and the rules every request passes.

Every request: the CSRF token of a POST is checked, the session token is
looked up on the box, and everything except the pages in :data:`PUBLIC`
needs a signed-in account.  Views narrow it further with :func:`require_role`.
"""

import functools
import hmac
import logging
import secrets

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .state import web_state
from .users import UserError, format_code, normalize_code

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

PUBLIC = {"auth.sign_in", "auth.enroll", "static", "captive.probe"}
CLIENT_DATA = ("staff", "coordinator")
MAX_NEXT = 500  # longer paths are not carried through sign-in (a huge Location header helps nobody)  # a technician manages the box but reads no client data


def init_app(app):
    app.register_blueprint(bp)
    app.before_request(check_csrf)
    app.before_request(load_user)
    app.jinja_env.globals["csrf_token"] = csrf_token


def csrf_token():
    """The form token of this browser session (created on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf():
    if request.method == "POST":
        sent, expected = request.form.get("csrf", ""), session.get("csrf", "")
        if not (sent and expected and hmac.compare_digest(sent, expected)):
            logger.warning("CSRF token missing or wrong for %s from %s", request.path, request.remote_addr)
            abort(400, _("Formuläret har gått ut. Ladda om sidan och försök igen."))


def load_user():
    g.user = None
    token = session.get("token")
    if token:
        state = web_state()
        user_id = state.sessions.user_id(token)
        user = state.users.get(user_id) if user_id else None
        if user and user["pin_hash"]:
            g.user = user
        else:
            session.pop("token", None)
    if g.user is None and request.endpoint not in PUBLIC:
        target = request.full_path.rstrip("?")
        return redirect(url_for("auth.sign_in", next=target if len(target) <= MAX_NEXT else None))


def require_role(*roles):
    """Allow a view only to signed-in accounts with one of *roles*."""
    def decorate(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            if g.user is None or g.user["role"] not in roles:
                abort(403)
            return view(**kwargs)
        return wrapped
    return decorate


def actor_id(user=None):
    """Who wrote or did something: the plan's staff id when the account has one."""
    user = user or g.user
    return user["staff_id"] or user["id"]


def audit(action, *, target="", **detail):
    """Record *action* by the signed-in account (or an anonymous phone) in the box's audit log."""
    actor = actor_id() if g.get("user") else f"okänd ({request.remote_addr})"
    web_state().box.audit.record(action, actor=actor, target=target,
                                 detail={"address": request.remote_addr, **detail})


def _safe_next(target):
    local = target and target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if local else url_for("today.index")


def _begin_session(user):
    state = web_state()
    session.clear()  # a fresh session: nothing from before sign-in carries over
    session.permanent = True
    session["token"] = state.sessions.start(user["id"])
    session["csrf"] = secrets.token_urlsafe(24)
    g.user = user


@bp.route("/logga-in", methods=["GET", "POST"])
def sign_in():
    state = web_state()
    accounts = state.users.can_sign_in()
    status = 200
    if request.method == "POST":
        user = state.users.get(request.form.get("user", ""))
        keys = [f"addr:{request.remote_addr}"] + ([f"user:{user['id']}"] if user else [])
        wait = state.lockout.wait_seconds(keys)
        if wait:
            audit("signin.locked", target=user["id"] if user else "")
            flash(_("För många fel PIN-koder. Vänta %(seconds)d sekunder och försök igen.", seconds=wait), "error")
            status = 429
        elif user and user["pin_hash"] and state.users.verify_pin(user["id"], request.form.get("pin", "")):
            state.lockout.succeeded(keys)
            _begin_session(user)
            audit("signin", target=user["id"])
            return redirect(_safe_next(request.args.get("next")))
        else:
            state.lockout.failed(keys)
            g.user = None
            audit("signin.failed", target=user["id"] if user else "")
            flash(_("Fel namn eller PIN-kod."), "error")
            status = 401
    return render_template("sign_in.html", accounts=accounts, chosen=request.form.get("user", "")), status


@bp.route("/aktivera", methods=["GET", "POST"])
def enroll():
    state = web_state()
    code = normalize_code(request.values.get("kod", ""))
    status = 200
    if request.method == "POST":
        keys = [f"addr:{request.remote_addr}"]
        wait = state.lockout.wait_seconds(keys)
        pin = request.form.get("pin", "")
        if wait:
            flash(_("För många försök. Vänta %(seconds)d sekunder och försök igen.", seconds=wait), "error")
            status = 429
        elif pin != request.form.get("pin2", ""):
            flash(_("De två PIN-koderna är olika."), "error")
            status = 400
        else:
            try:
                user = state.users.enroll(code, pin)
            except UserError as exc:
                if "PIN" not in str(exc):
                    state.lockout.failed(keys)
                flash(str(exc), "error")
                status = 400
            else:
                state.lockout.succeeded(keys)
                state.sessions.end_all(user["id"])
                _begin_session(user)
                audit("enroll", target=user["id"])
                flash(_("Välkommen, %(name)s! Din PIN-kod är sparad.", name=user["name"]), "ok")
                return redirect(url_for("today.index"))
    return render_template("enroll.html", code=format_code(code) if code else ""), status


@bp.post("/logga-ut")
def sign_out():
    audit("signout", target=g.user["id"])
    web_state().sessions.end(session.get("token"))
    session.clear()
    flash(_("Du är utloggad."), "ok")
    return redirect(url_for("auth.sign_in"))
