"""The phone web UI, as a Flask application factory.

    app = create_app(load_config())        # what ``hembas serve`` runs
    app = create_app(box=box)              # tests: a box with a fixed clock

Every page needs a signed-in account except the sign-in and enrollment
pages and the static files (see :mod:`webui.auth`); a new box whose settings
file was refused shows only those problems (:mod:`webui.setup`).
"""

import datetime as dt
import hashlib
import importlib
import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from babel.support import Translations
from flask_babel import Babel

from sync.box import open_box
from sync.config import load_config
from sync.store.database import atomic_write_bytes

from . import formatting
from .page_cache import ServeCachedPages
from .state import WebState

logger = logging.getLogger(__name__)

# Nothing is loaded from anywhere but the box itself; no inline scripts.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

# One module per feature: a blueprint ``bp`` or an ``init_app(app)``.
STATIC_MAX_AGE = dt.timedelta(days=365)  # static files only; pages are never cached (see below)

PAGES = ("setup", "auth", "today", "clients", "team", "meeting", "propose", "substitutes", "two_weeks", "contacts", "handover", "status", "printing",
         "coordinator", "log_review", "binder", "admin", "captive", "offline", "errors")


def create_app(config=None, *, box=None, test_config=None):
    """Build the app for *config* (default ``load_config()``) or an already open *box*."""
    if box is None:
        box = open_box(config or load_config())
    config = box.config
    web = config["web"]
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=_secret_key(config.data_dir),
        SESSION_COOKIE_NAME="hembas",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=config["tls"]["enabled"],  # the one place cookies learn about TLS
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=web["session_hours"]),
        # The session ends at a fixed time on the box (webui.sessions), so re-signing an unchanged
        # cookie on every response bought nothing and cost a sixth of a cached page's time.
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=web["max_upload_kb"] * 1024,
        BABEL_DEFAULT_LOCALE=web["language"],
        SEND_FILE_MAX_AGE_DEFAULT=STATIC_MAX_AGE,
    )
    app.config.update(test_config or {})
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True  # smaller pages for slow phones
    app.extensions["hembas"] = WebState.open(box, secret_key=app.secret_key,
                                                secure=app.config["SESSION_COOKIE_SECURE"])
    Babel(app)
    _install_template_translations(app, web["language"])
    formatting.init_app(app)
    _version_static_urls(app)

    @app.after_request
    def security_headers(response):
        response.headers.update(SECURITY_HEADERS)
        if not response.headers.get("Cache-Control"):
            response.headers["Cache-Control"] = "no-store"  # health data: never left in a phone's cache
        return response

    for name in PAGES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.init_app(app) if hasattr(module, "init_app") else app.register_blueprint(module.bp)
    app.wsgi_app = ServeCachedPages(app)  # after the blueprints: it finds the cached views by endpoint
    return app


def _install_template_translations(app, language):
    """Give templates the box's one catalogue directly.

    flask-babel looks the catalogue up again for every ``_()`` in a template;
    a box speaks one language, so loading it once saves about a third of the
    time a page spends rendering.
    """
    catalogue = Translations.load(Path(app.root_path) / "translations", [language])
    app.jinja_env.install_gettext_translations(catalogue, newstyle=True)


def _version_static_urls(app):
    """Static URLs carry a hash of the file, so phones may cache them for a year.

    On weak wifi a repeat visit then costs no requests for CSS, script or icon;
    a new release changes the hash and so the URL.
    """
    folder = Path(app.static_folder)
    versions = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:10] for path in folder.iterdir()}

    @app.url_defaults
    def static_version(endpoint, values):
        if endpoint == "static" and values.get("filename") in versions:
            values.setdefault("v", versions[values["filename"]])


def _secret_key(data_dir):
    """The key that signs cookies: random per box, kept in the data folder."""
    path = data_dir / "web-secret.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        atomic_write_bytes(path, key)
        os.chmod(path, 0o600)
        return key
