"""Error pages in Swedish, in the same layout as every other page."""

import logging

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from sync.errors import ClockUntrusted, NoPlan, StoreError

logger = logging.getLogger(__name__)


def wants_json():
    """Whether the request asks for JSON rather than a page (the phone's outbox, static/sw.js)."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def init_app(app):
    titles = {
        400: _l("Något blev fel"),
        403: _l("Inte för din roll"),
        404: _l("Sidan finns inte"),
        405: _l("Något blev fel"),
        413: _l("Filen är för stor"),
        429: _l("Vänta en stund"),
        503: _l("Inte just nu"),
    }
    default_messages = {403: _l("Den här sidan är inte öppen för din roll."),
                        404: _l("Sidan eller posten finns inte (längre) i planen.")}

    @app.errorhandler(HTTPException)
    def http_error(exc):
        code = exc.code or 500
        if wants_json():
            message = default_messages.get(code, exc.description) if code < 500 else _("Försök igen.")
            return {"error": str(message)}, code  # the phone's outbox (static/sw.js) shows it to the carer
        if code >= 500 and code != 503:
            return render_template("error.html", title=_("Fel i Hembas"), message=_("Försök igen.")), code
        return render_template("error.html", title=titles.get(code, _("Något blev fel")),
                               message=default_messages.get(code, exc.description)), code

    @app.errorhandler(NoPlan)
    def no_plan(exc):
        return render_template("error.html", title=_("Ingen plan"),
                               message=_("Ingen plan är inläst än. Ladda upp en plan eller vänta på synken.")), 503

    @app.errorhandler(StoreError)
    def store_error(exc):
        logger.exception("could not write to the store")
        return render_template("error.html", title=_("Inte sparat"),
                               message=_("Hembas kunde inte spara på sitt minneskort, så ingenting är sparat. "
                                         "Skriv det på papper och säg till samordnaren.")), 507

    @app.errorhandler(ClockUntrusted)
    def clock_untrusted(exc):
        return render_template("error.html", title=_("Klockan är inte bekräftad"),
                               message=str(exc)), 503
