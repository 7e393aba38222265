"""Pages kept until something they show changes, and answered before Flask: Idag, the client card, Laget idag.

At 06:50 the whole team opens the same few pages at once.  Rendering the
template is most of a page's work, and Flask's request handling most of
what is left (issue 15), so a view marked :func:`cached_page` is rendered
once per *key*, and :class:`ServeCachedPages`, a WSGI middleware in front
of the app, answers the next request with the same key from memory with
exactly the status, headers and bytes Flask sent.  The key is everything
such a page can depend on::

    the URL (path and query)          the account (id, role, staff id), its CSRF token
    the plan version                  Records.revision(): every note, outcome, move, absence
    Users revision (names shown)      the clock: trusted or not, and the minute it is now

The shift the page opens on is not in the key because it follows from
the rest: ``Box.current_shift`` depends on the staff id, the plan, the
records and the time, and shift hours and lead times are whole minutes.

so invalidation is structural: any write through ``Records`` or a new plan
changes the key, whichever page or process wrote it, and a page is never
shown stale.  Times on a page ("12 min sedan", whether a shift has begun)
are whole minutes, hence the minute in the key.

What a request must pass is checked as for any other: the session cookie
is verified with the app's own serializer and its token with
:func:`webui.auth.signed_in`, so a signed-out session or an ended
substitute gets no page (the request goes on to Flask, which sends it to
sign-in).  Role checks need no repeating: a page is only kept after Flask
showed it to that role, the role is in the key and a view's rule depends
on nothing outside the key.  Only a plain 200 without ``Set-Cookie`` is
kept, and a request whose session carries a flashed message is not
answered from memory.

The access log is not cached: the ``audit_view`` calls a view made while
rendering are kept with the page and written again, with this request's
time and address, on every hit (:func:`webui.auth.log_view`).  A page that
reads anything else (the audit log, the lockout table, a new store) must
add it to :func:`page_key` before using :func:`cached_page`.
"""

import collections
import functools
import threading

from flask import g, request, session
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_cookie

from sync.errors import HembasError, StoreError

from .auth import actor_id, log_view, signed_in
from .state import CLOCK_READ

PAGES_KEPT = 128  # pages of 3–16 KB: at most about 2 MB
PATHS_REMEMBERED = 1024  # paths routed once: which of them are cached views
COOKIE_HEADERS_REMEMBERED = 256  # Cookie headers parsed once: the session cookie each carries
KEY = "hembas.page_key"          # in the WSGI environ: this request's page key, when it has one
KEPT = "hembas.page_views"       # in the WSGI environ: set by cached_page when the page may be kept


Page = collections.namedtuple("Page", "status headers body views")


class PageCache:
    """A bounded, thread-safe map from a page's key to its :class:`Page`."""

    def __init__(self, size=PAGES_KEPT):
        self.size = size
        self._pages = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, page):
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self):
        return len(self._pages)


def page_key(environ, state, user, csrf, status):
    """Everything a cached page shows depends on, for *user* (see the module docstring)."""
    plan = state.box.mirror.current()
    return (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            user["id"], user["role"], user["staff_id"], csrf,
            plan.version if plan else None, state.box.records.revision(), state.users.revision(),
            status.trusted, status.now.replace(second=0, microsecond=0))


def cached_page(view):
    """Let :class:`ServeCachedPages` keep *view*'s page for its key (put below ``require_role``)."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        keep = KEY in request.environ  # ServeCachedPages made a key: a live session without a flashed message
        if keep:
            g.page_views = []
        page = view(**kwargs)
        if keep and isinstance(page, str) and "_flashes" not in session:  # the view flashed nothing either
            request.environ[KEPT] = g.page_views
        return page
    wrapped.cached_page = True
    return wrapped


class ServeCachedPages:
    """WSGI middleware: answer a page kept by :func:`cached_page` without running the app.

    ``app.wsgi_app = ServeCachedPages(app)``, as Flask's documentation adds
    middleware, once every blueprint is registered (the views marked
    :func:`cached_page` are found by their endpoints).
    """

    def __init__(self, app, size=PAGES_KEPT):
        self.app, self.wsgi_app, self.pages = app, app.wsgi_app, PageCache(size)
        self.endpoints = {name for name, view in app.view_functions.items() if getattr(view, "cached_page", False)}
        self._kept_paths = {}  # PATH_INFO -> whether a GET of it reaches a cached view (a third of a key's work)
        self._session_cookies = {}  # Cookie header -> the session cookie in it, or "" (an eighth of a key's work)
        self.cookie = app.config["SESSION_COOKIE_NAME"]
        self.max_age = int(app.permanent_session_lifetime.total_seconds())

    def __call__(self, environ, start_response):
        try:
            key, user = self.key(environ) if environ.get("REQUEST_METHOD") == "GET" else (None, None)
        except HembasError:  # a store that cannot be read: the app meets it again and shows why, in Swedish
            key = None
        if key is None:
            return self.wsgi_app(environ, start_response)
        page = self.pages.get(key)
        if page is not None:
            state = self.app.extensions["hembas"]
            state.refusals.flush()  # as webui.auth.load_user does for every request
            try:
                for view in page.views:
                    log_view(state.box.audit, view, actor=actor_id(user), environ=environ)
            except StoreError:  # no page without its log entry: the app tries again and shows "Inte sparat"
                return self.wsgi_app(environ, start_response)
            start_response(page.status, list(page.headers))
            return [page.body]
        environ[KEY] = key
        sent = []

        def keep_response(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, keep_response)
        if KEPT not in environ:
            return body
        try:
            content = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        status, headers = sent
        if status.startswith("200 ") and not any(name.lower() == "set-cookie" for name, _ in headers):
            self.pages.put(key, Page(status, tuple(headers), content, tuple(environ[KEPT])))
        return [content]

    def key(self, environ):
        """This request's page key and account, or (None, None): not a cached view, or no live session."""
        nothing = None, None
        value = self.session_cookie(environ) if self.kept_path(environ) else None
        if not value:
            return nothing
        try:  # as Flask's SecureCookieSessionInterface.open_session reads it
            data = self.app.session_interface.get_signing_serializer(self.app).loads(value, max_age=self.max_age)
        except BadSignature:
            return nothing
        if "_flashes" in data or not data.get("csrf") or not data.get("token"):
            return nothing
        state = self.app.extensions["hembas"]
        status = environ[CLOCK_READ] = state.box.clock.status()  # webui.state.clock_status reads this one
        user = signed_in(state, data["token"], now=status.now)
        return (page_key(environ, state, user, data["csrf"], status), user) if user else nothing

    def session_cookie(self, environ):
        """The session cookie this request carries, or "" (parsed once per Cookie header: a phone sends the same)."""
        header = environ.get("HTTP_COOKIE", "")
        value = self._session_cookies.get(header)
        if value is None:
            value = parse_cookie(environ).get(self.cookie) or ""
            remember(self._session_cookies, header, value, COOKIE_HEADERS_REMEMBERED)  # many phones, or made-up headers
        return value

    def kept_path(self, environ):
        """Whether this GET's path is routed to a view marked :func:`cached_page` (remembered per path)."""
        path = environ.get("PATH_INFO", "")
        kept = self._kept_paths.get(path)
        if kept is None:
            try:
                endpoint, _ = self.app.url_map.bind_to_environ(environ).match()
            except HTTPException:  # not found, or a redirect to add a slash
                endpoint = None
            kept = remember(self._kept_paths, path, endpoint in self.endpoints, PATHS_REMEMBERED)  # crawled URLs too
        return kept


def remember(memo, key, value, limit):
    """Put *value* in *memo* for *key*; returns it.  A full memo starts again empty: bounded whatever is sent."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value
