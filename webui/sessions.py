"""Signed-in sessions, kept on the box so that signing out really ends them.

The browser holds only a random token (inside Flask's signed, HttpOnly
cookie); the box keeps its hash with the account and an end time one shift
away.  Signing out, a new PIN or a removed account deletes the server-side
record, so a copied cookie stops working at once::

    sessions = Sessions(data_dir, hours=12)
    token = sessions.start(user_id)
    sessions.user_id(token)    # the account, or None when ended or expired
    sessions.end(token)
"""

import collections
import datetime as dt
import hashlib
import secrets
import threading
import time

from itsdangerous import SignatureExpired

from sync.store.database import Database

COOKIES_REMEMBERED = 256  # a few per phone of the team: an entry is a token, a form token and a timestamp
FLAT = (str, int, float, bool, type(None))


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _utcnow():
    return dt.datetime.now(dt.timezone.utc)


class Sessions:
    """Session records in ``sessions.json``."""

    def __init__(self, data_dir, *, hours=12):
        self._db = Database(data_dir / "sessions.json")
        self.hours = hours
        self._index = (None, {})  # (the sessions table it was built from, digest -> row)

    def start(self, user_id, *, now=None):
        """Start a session for *user_id*; returns the token for the cookie."""
        now = now or _utcnow()
        token = secrets.token_urlsafe(32)
        with self._db.transaction() as db:
            table = db.table("sessions")
            table.remove(lambda r: dt.datetime.fromisoformat(r["expires"]) <= now)
            table.insert({"digest": _digest(token), "user_id": user_id,
                          "started": now.isoformat(timespec="seconds"),
                          "expires": (now + dt.timedelta(hours=self.hours)).isoformat(timespec="seconds")})
        return token

    def user_id(self, token, *, now=None):
        """The account of a live session, or None."""
        if not token:
            return None
        row = self._by_digest().get(_digest(token))
        return row["user_id"] if row and dt.datetime.fromisoformat(row["expires"]) > (now or _utcnow()) else None

    def _by_digest(self):
        """Sessions by token digest, built again whenever the stored table changes (every request asks).

        Looking a digest up in a dict tells an attacker nothing about tokens:
        it is the SHA-256 of a token, never the token itself.
        """
        table = self._db.read_all().get("sessions", {})
        built_from, index = self._index
        if table is not built_from:
            index = {row["digest"]: row for row in table.values()}
            self._index = (table, index)
        return index

    def end(self, token):
        digest = _digest(token or "")
        with self._db.transaction() as db:
            db.table("sessions").remove(lambda r: r["digest"] == digest)

    def end_all(self, user_id):
        """End every session of one account (new PIN, account removed)."""
        with self._db.transaction() as db:
            db.table("sessions").remove(lambda r: r["user_id"] == user_id)


class RememberedCookies:
    """The session cookie's serializer, remembering the cookies whose signature it has checked.

    A phone sends the same signed cookie with every request until its session
    changes, and checking it (HMAC, base64, Flask's tagged JSON) was a third
    of the instructions of a kept page (issue 15).  Only a cookie that
    verified is remembered, by its exact text, and only when its data is
    flat (strings, numbers), so no caller can change the remembered copy;
    its age is checked against *max_age* on every use, as itsdangerous does::

        app.session_interface.get_signing_serializer(app)   # webui.offline wraps Flask's in this
    """

    def __init__(self, serializer, size=COOKIES_REMEMBERED):
        self._serializer, self.size = serializer, size
        self._seen = collections.OrderedDict()  # cookie text -> (data, signed at, whole seconds)
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._seen)

    def dumps(self, data):
        return self._serializer.dumps(data)

    def loads(self, value, max_age=None):
        with self._lock:
            seen = self._seen.get(value)
            if seen is not None:
                self._seen.move_to_end(value)
        if seen is None:
            data, signed = self._serializer.loads(value, max_age=max_age, return_timestamp=True)
            if isinstance(data, dict) and all(isinstance(v, FLAT) for v in data.values()):
                with self._lock:
                    self._seen[value] = (dict(data), int(signed.timestamp()))
                    while len(self._seen) > self.size:
                        self._seen.popitem(last=False)
            return data
        data, signed = seen
        age = int(time.time()) - signed
        if max_age is not None and not 0 <= age <= max_age:
            raise SignatureExpired(f"Signature age {age} outside 0–{max_age} seconds", payload=value)
        return dict(data)
