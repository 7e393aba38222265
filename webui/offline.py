"""The phone on the road: the web app manifest, the service worker, and what it saves of my shift.

While the phone is on the box's wifi, the service worker (static/sw.js)
keeps the signed-in carer's current shift — :meth:`sync.box.Box.current_shift`
— in its cache: Idag, the client card of every visit on that route (as the
box renders it for this carer, so the entry information follows the card's
own rule), Kontakter and the static files.  Only the carer's own route is
listed, never the team's.  ``GET /offline/dag`` says what to save and until
when (the shift's end plus :data:`MARGIN`); the access log records the save
as a view of those clients, and each page fetched for it is logged as
a view marked ``saved`` (see :func:`webui.auth.audit_view`).

What is written offline waits in the phone's outbox and is posted to
``/klient/<id>/skriv`` with its own idempotency key once the box answers
again; ``GET /offline/csrf`` gives the outbox a fresh form token first, so
CSRF stays on for the replay and an ended session is noticed before
anything is sent.
"""

import datetime as dt
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask.globals import request_ctx
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_translations, gettext as _

from .auth import ON_ROUTE, audit_view, csrf_token
from .sessions import RememberedCookies
from .shifts import current_shift
from .state import get_box

bp = Blueprint("offline", __name__)

MARGIN = dt.timedelta(hours=1)  # the saved day is wiped this long after the shift's end
STATIC = ("hembas.css", "hembas.js", "icon.svg")
SAVING = "X-Hembas-Save"  # the header of the service worker's fetches for the saved day
WORKER_TEXTS = "var TEXT = {};"  # the line of static/sw.js that worker() fills with worker_texts()


def init_app(app):
    app.register_blueprint(bp)
    app.session_interface = SavingLeavesTheSession()
    app.before_request(_keep_flashes)


class SavingLeavesTheSession(SecureCookieSessionInterface):
    """A page fetched to be saved sets no cookie.

    The service worker fetches the day while the carer goes on using the
    phone; a permanent session's cookie is re-sent with every answer, so a
    save that started before the carer's post and ended after it would put
    back the cookie without the post's "Sparat.".
    """

    def should_set_cookie(self, app, session):
        return not request.headers.get(SAVING) and super().should_set_cookie(app, session)

    def get_signing_serializer(self, app):
        """The app's serializer, made once (Flask makes a new one for every request, twice a page),
        remembering the cookies it has checked (webui.sessions.RememberedCookies)."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made = app.extensions.get("hembas.session_serializer")
        if made is None or made[0] != keys:
            serializer = super().get_signing_serializer(app)
            serializer = serializer and RememberedCookies(serializer)  # None without a secret key, as Flask's
            made = app.extensions["hembas.session_serializer"] = (keys, serializer)
        return made[1]


def _keep_flashes():
    """A page fetched to be saved shows no flashed message: it is the carer's next page's to show."""
    if request.headers.get(SAVING):
        request_ctx.flashes = []


@bp.get("/manifest.webmanifest")
def manifest():
    """Add to home screen: the name, the icon and Idag as the start page."""
    def icon(name, **extra):
        return {"src": url_for("static", filename=name), **extra}
    data = {"id": "/", "name": "Hembas", "short_name": "Hembas", "lang": current_app.config["BABEL_DEFAULT_LOCALE"],
            "description": _("Dagens besök, klientkort och anteckningar – även utan nät."),
            "start_url": url_for("today.index"), "scope": "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#0b4f8a",
            "icons": [icon("icon.svg", sizes="any", type="image/svg+xml"),
                      icon("icon-512.png", sizes="512x512", type="image/png"),
                      icon("icon-maskable.png", sizes="512x512", type="image/png", purpose="maskable")]}
    response = jsonify(data)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def worker():
    """The service worker, from the root so that its scope is the whole box; checked for updates each visit.

    Its own texts come from the catalogue like every other text and are written into the script,
    since the worker shows them when the box does not answer.  The box speaks one language
    (``[web] language``, not chosen per request), so every phone gets the same script and no
    ``Vary`` is needed; another language gives other bytes, which the browser's update check installs.
    """
    script = (Path(current_app.static_folder) / "sw.js").read_text(encoding="utf-8")
    script = script.replace(WORKER_TEXTS, f"var TEXT = {json.dumps(worker_texts())};", 1)
    return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


def worker_texts():
    """What the service worker writes itself: a page it has not saved, signing out away from the box,
    the saved copy's line (``%(time)s`` filled in by the worker) and a refusal without a reason."""
    return {
        "lang": current_app.config["BABEL_DEFAULT_LOCALE"],
        "saved": _("Sparad %(time)s – inte uppdaterad"),
        "notSavedTitle": _("Inte sparad i telefonen"),
        "notSaved": _("Hembas svarar inte just nu, och den här sidan är inte sparad i telefonen. "
                      "Idag och klientkorten på din rutt finns sparade medan passet pågår."),
        "toToday": _("Till Idag"),
        "signedOutTitle": _("Utloggad i telefonen"),
        "signedOut": _("Det som var sparat i telefonen är raderat. Logga ut på basen också när du "
                       "är tillbaka på wifi."),
        "refused": _("Hembas tog inte emot det (%(status)s)."),
    }


PLURALS = (("one", 1), ("other", 2))  # a count's forms in Swedish and English (plural=(n != 1))


@bp.app_template_global()
def page_texts():
    """What static/hembas.js writes on the pages: the phone's outbox, the saved-day line, the sign-out question.

    base.html carries them as a JSON data block (``tojson``; data, not script, so the CSP holds),
    rendered through the catalogue with the page.  They are not written into hembas.js as into
    /sw.js: it is a static file cached for a year under a hash of its bytes, and those stay the same
    whatever the box's language, while the worker needs its texts with no page and no box.  The
    script fills in ``%(num)d``, ``%(time)s`` and ``%(item)s``, and takes a count's text in the
    form for one or for more (:data:`PLURALS`, the rule of both catalogues).
    """
    catalogue = get_translations()
    return {
        "note": _("Anteckning"),
        "deviation": _("Avvikelse"),
        "done": _("Utfört"),
        "notDone": _("Ej utfört"),
        "waiting": {form: catalogue.ngettext("%(num)d väntar på att skickas", "%(num)d väntar på att skickas", n)
                    for form, n in PLURALS},
        "signedOut": _("Du är utloggad på basen. Logga in igen så skickas det som väntar."),
        "refused": _("Hembas tog inte emot: %(item)s"),
        "remove": _("Ta bort"),
        "savedDay": _("Passet är sparat i telefonen (%(time)s)."),
        "unsent": {form: catalogue.ngettext("%(num)d sak som du skrivit är inte skickad till Hembas och raderas från "
                                            "telefonen om du loggar ut. Logga ut ändå?",
                                            "%(num)d som du skrivit är inte skickade till Hembas och raderas från "
                                            "telefonen om du loggar ut. Logga ut ändå?", n)
                   for form, n in PLURALS},
    }


@bp.get("/offline/dag")
def day():
    """What the phone keeps of the signed-in carer's current shift: page URLs, and until when."""
    box, user = get_box(), g.user
    shift = current_shift() if user["role"] in ON_ROUTE and user["staff_id"] else None
    plan = box.mirror.current()
    visits = box.day(shift.date).route(user["staff_id"], shift=shift.name) if shift and plan else ()
    pages = [url_for("clients.card", client_id=v.client_id, besok=v.id) for v in visits]
    if pages:
        pages = [url_for("today.index"), *pages, url_for("contacts.index")]
    until = shift.end + MARGIN if pages else None
    audit_view("offline.save", [v.client_id for v in visits], target=user["staff_id"] or "",
               shift=shift.key if shift else "", until=until.isoformat(timespec="minutes") if until else "")
    return {"user": user["id"], "shift": shift.key if pages else "", "pages": pages,
            "now": box.clock.now().isoformat() if pages else "", "until": until.isoformat() if until else "",
            "static": [url_for("static", filename=name) for name in STATIC] if pages else []}


@bp.get("/offline/csrf")
def token():
    """A fresh form token for the outbox, and whose session it is (a sign-in page instead when it has ended)."""
    return {"csrf": csrf_token(), "user": g.user["id"]}

