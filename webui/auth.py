"""Sign-in with name and PIN, enrollment with a one-time code, sign-out, and the rules every request passes.

Every request: the CSRF token of a POST is checked, the session token is
looked up on the box, and everything except the pages in :data:`PUBLIC`
needs a signed-in account.  Views narrow it further with :func:`require_role`.
"""

import functools
import hmac
import logging
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .state import clock_status, web_state
from .users import SUBSTITUTE, UserError, format_code, normalize_code, pin_problem

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

PUBLIC = {"auth.sign_in", "auth.enroll", "auth.substitute_sign_in", "static", "captive.probe", "offline.manifest",
          "offline.worker"}
CLIENT_DATA = ("staff", "coordinator")  # a technician manages the box but reads no client data
ON_ROUTE = CLIENT_DATA + (SUBSTITUTE,)  # a substitute: only their own route and its clients (webui.substitutes)
MAX_NEXT = 500  # longer paths are not carried through sign-in (a huge Location header helps nobody)


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
    web_state().refusals.flush()  # a minute of refused sign-ins that has ended goes into the log
    token = session.get("token")
    if token:
        g.user = signed_in(web_state(), token, now=clock_status().now)
        if g.user is None:
            session.pop("token", None)
    if g.user is None and request.endpoint not in PUBLIC:
        target = request.full_path.rstrip("?")
        return redirect(url_for("auth.sign_in", next=target if len(target) <= MAX_NEXT else None))


def signed_in(state, token, *, now):
    """The account of session *token* while both are live (a substitute's: until the shift ends), else None."""
    user_id = state.sessions.user_id(token) if token else None
    user = state.users.get(user_id) if user_id else None
    return user if user and state.users.usable(user, now=now) else None


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
    actor = actor_id() if g.get("user") else _anonymous()
    web_state().box.audit.record(action, actor=actor, target=target,
                                 detail={"address": request.remote_addr, **detail})


def audit_view(action, client_ids, *, listed=(), target="", **detail):
    """Log one page view that showed client data: who, which clients, when, what (Patientdatalagen).

    Every view that shows client data calls this once with the ids of the
    clients it showed (*listed*: those named only in a picker, such as the
    client list of a form); a view that showed none writes nothing.
    tests/web/test_access_log.py walks every page as every role and fails
    on a page that shows a client without naming it here.
    """
    clients, listed = sorted(set(client_ids)), sorted(set(listed) - set(client_ids))
    if not (clients or listed):
        return
    view = (action, target, {"clients": clients, "page": request.full_path.rstrip("?")[:MAX_NEXT], **detail,
                             **({"listed": listed} if listed else {})})
    if "page_views" in g:  # a page being rendered for webui.page_cache, which logs it again on every hit
        g.page_views.append(view)
    log_view(web_state().box.audit, view, actor=actor_id(), environ=request.environ)


def log_view(audit_log, view, *, actor, environ):
    """Write *view* (action, target, detail) as seen by the request of WSGI *environ*: its address, and
    whether the service worker fetched the page to keep it on the phone (webui.offline)."""
    action, target, detail = view
    saved = {"saved": True} if environ.get("HTTP_X_HEMBAS_SAVE") else {}
    audit_log.record(action, actor=actor, target=target,
                     detail={"address": environ.get("REMOTE_ADDR"), **detail, **saved})


def _anonymous():
    return f"okänd ({request.remote_addr})"


def _refused(action, user, **detail):
    """A refused sign-in or code: logged per address at most once a minute (see webui.refusals)."""
    web_state().refusals.record(action, actor=_anonymous(), address=request.remote_addr,
                                target=user["id"] if user else "", detail=detail)


def _safe_next(target):
    """*target* when it is a path on this box, else Idag.

    Browsers drop tabs and newlines inside URLs, so ``next=/%09/evil.example``
    (a tab once decoded) would become ``//evil.example``: any whitespace or control character
    makes the target unsafe, and so does anything urlsplit reads as a host.
    """
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(not ch.isprintable() or ch.isspace() for ch in target)):
        return url_for("today.index")
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else url_for("today.index")


def _begin_session(user):
    state = web_state()
    session.clear()  # a fresh session: nothing from before sign-in carries over
    session.permanent = True
    session["token"] = state.sessions.start(user["id"])
    session["csrf"] = secrets.token_urlsafe(24)
    g.user = user


def _pin_is_right(state, user):
    """Check the PIN; an unknown name costs the same argon2 time as a known one."""
    return state.users.verify_pin(user["id"] if user else "", request.form.get("pin", "")) and user is not None


def _signing_in(state, known):
    """The account the sign-in form names, and the lockout keys this try counts against.

    A phone whose device cookie names the account counts only against its
    own key; any other try counts against the untrusted way into the account
    and against the address it comes from (see webui.devices).
    """
    typed = request.form.get("namn", "")
    user = state.users.named(typed) if typed.strip() else state.users.get(request.form.get("user", ""))
    if user and not user["pin_hash"]:
        user = None
    nonce = known.get(user["id"]) if user else None
    if nonce:
        return user, [f"device:{nonce}"]
    return user, [f"addr:{request.remote_addr}"] + ([f"untrusted:{user['id']}"] if user else [])


@bp.route("/logga-in", methods=["GET", "POST"])
def sign_in():
    state = web_state()
    known = state.devices.known(request)
    accounts = [u for u in (state.users.get(i) for i in known) if u and u["pin_hash"]]
    status = 200
    if request.method == "POST":
        user, keys = _signing_in(state, known)
        known_phone = keys[0].startswith("device:")
        wait = state.lockout.begin(keys)
        if wait:
            _refused("signin.locked", user, known_phone=known_phone)
            flash(_("För många fel PIN-koder. Vänta %(seconds)d sekunder och försök igen.", seconds=wait), "error")
            status = 429
        elif _pin_is_right(state, user):
            state.lockout.succeeded(keys)
            _begin_session(user)
            audit("signin", target=user["id"], known_phone=known_phone)
            response = redirect(_safe_next(request.args.get("next")))
            state.devices.remember(response, request, user["id"])
            return response
        else:
            logger.warning("wrong PIN or name from %s (%s)", request.remote_addr, ", ".join(keys))
            _refused("signin.failed", user, known_phone=known_phone)
            flash(_("Fel namn eller PIN-kod."), "error")
            status = 401
    chosen = request.form.get("user", "") or (accounts[0]["id"] if accounts else "")
    return render_template("sign_in.html", accounts=accounts, chosen=chosen,
                           typed=request.form.get("namn", "")), status


def _try_code(kind, redeem):
    """Try a one-time code (*redeem* returns its account or raises UserError), counted against this address.

    Refusals are logged as ``enroll.failed`` / ``enroll.locked`` or
    ``substitute.failed`` / ``substitute.locked`` (*kind*).  Returns the
    account (or None) and the page's status.
    """
    state = web_state()
    keys = [f"addr:{request.remote_addr}"]
    if wait := state.lockout.begin(keys):
        _refused(f"{kind}.locked", None)
        flash(_("För många försök. Vänta %(seconds)d sekunder och försök igen.", seconds=wait), "error")
        return None, 429
    try:
        user = redeem()
    except UserError as exc:
        _refused(f"{kind}.failed", None)
        flash(str(exc), "error")
        return None, 400
    state.lockout.succeeded(keys)
    return user, 200


@bp.route("/aktivera", methods=["GET", "POST"])
def enroll():
    state = web_state()
    code = normalize_code(request.values.get("kod", ""))
    status = 200
    if request.method == "POST":
        pin = request.form.get("pin", "")
        if pin != request.form.get("pin2", ""):
            flash(_("De två PIN-koderna är olika."), "error")
            status = 400
        elif pin_problem(pin):  # checked before the code, and not counted: the code was not tried
            flash(pin_problem(pin), "error")
            status = 400
        else:
            user, status = _try_code("enroll", lambda: state.users.enroll(code, pin))
            if user:
                state.sessions.end_all(user["id"])
                _begin_session(user)
                audit("enroll", target=user["id"])
                flash(_("Välkommen, %(name)s! Din PIN-kod är sparad.", name=user["name"]), "ok")
                response = redirect(url_for("today.index"))
                state.devices.remember(response, request, user["id"])
                return response
    return render_template("enroll.html", code=format_code(code) if code else ""), status


@bp.route("/vikarie", methods=["GET", "POST"])
def substitute_sign_in():
    """A substitute signs in with the one-time code the meeting gave them (on screen or on the slip's QR code)."""
    state = web_state()
    code = normalize_code(request.values.get("kod", ""))
    status = 200
    if request.method == "POST":
        user, status = _try_code("substitute", lambda: state.users.redeem(code, now=clock_status().now))
        if user:
            _begin_session(user)
            audit("signin", target=user["id"], substitute=True)
            flash(_("Välkommen, %(name)s! Inloggningen gäller till passets slut.", name=user["name"]), "ok")
            return redirect(url_for("today.index"))
    return render_template("substitute_sign_in.html", code=format_code(code) if code else ""), status


@bp.post("/logga-ut")
def sign_out():
    audit("signout", target=g.user["id"])
    web_state().sessions.end(session.get("token"))
    session.clear()
    flash(_("Du är utloggad."), "ok")
    return redirect(url_for("auth.sign_in"))
