"""Rendered pages kept until something they show changes: Idag, the client card, Laget idag.

At 06:50 the whole team opens the same few pages at once, and almost all
of a page's time is Jinja rendering the same template for the same data
again (issue 15).  A view marked :func:`cached_page` is rendered once per
*key*, and the key is everything such a page can depend on::

    the URL (path and query)          the account (id, role, staff id), its CSRF token
    the plan version                  Records.revision(): every note, outcome, move, absence
    Users revision (names shown)      the clock: trusted or not, and the minute it is now

The shift the page opens on is not in the key because it follows from
the rest: ``Box.current_shift`` depends on the staff id, the plan, the
records and the time, and shift hours and lead times are whole minutes.

so invalidation is structural: any write through ``Records`` or a new plan
changes the key, whichever page or process wrote it, and a page is never
shown stale.  Times on a page ("12 min sedan", whether a shift has begun)
are whole minutes, hence the minute in the key.  A signed-out session
never gets here (``webui.auth.load_user`` redirects first), and a page
carrying a flashed message is neither served from nor put in the cache.

The access log is not cached: the ``audit_view`` calls a view made while
rendering are kept with the page and made again, with this request's
time and address, on every hit.  A page that reads anything else (the
audit log, the lockout table, a new store) must add it to :func:`page_key`
before using :func:`cached_page`.
"""

import collections
import functools
import threading

from flask import current_app, g, request, session

from .auth import audit_view, csrf_token
from .state import clock_status, get_box, web_state

PAGES_KEPT = 128  # pages of 3–16 KB: at most about 2 MB


class PageCache:
    """A bounded, thread-safe map from a page's key to its HTML and the access-log calls it made."""

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


def page_key():
    """Everything a cached page shows depends on, for the signed-in account (see the module docstring)."""
    box, user = get_box(), g.user
    plan, status = box.mirror.current(), clock_status()
    return (request.path, tuple(sorted(request.args.items(multi=True))),
            user["id"], user["role"], user["staff_id"], csrf_token(),
            plan.version if plan else None, box.records.revision(), web_state().users.revision(),
            status.trusted, status.now.replace(second=0, microsecond=0))


def cached_page(view):
    """Serve *view*'s page from :class:`PageCache` while its key is unchanged (put below ``require_role``)."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        if "_flashes" in session:
            return view(**kwargs)
        cache, key = current_app.extensions.setdefault("hembas.pages", PageCache()), page_key()
        page = cache.get(key)
        if page is not None:
            html, views = page
            for args, detail in views:
                audit_view(*args, **detail)
            return html
        g.audited_views = []
        html = view(**kwargs)
        if isinstance(html, str) and "_flashes" not in session:
            cache.put(key, (html, g.audited_views))
        return html
    return wrapped
