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

import datetime as dt
import hashlib
import secrets

from sync.store.database import Database


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _utcnow():
    return dt.datetime.now(dt.timezone.utc)


class Sessions:
    """Session records in ``sessions.json``."""

    def __init__(self, data_dir, *, hours=12):
        self._db = Database(data_dir / "sessions.json")
        self.hours = hours

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
        digest, now = _digest(token), now or _utcnow()
        for row in self._db.read_all().get("sessions", {}).values():
            if secrets.compare_digest(row["digest"], digest):
                return row["user_id"] if dt.datetime.fromisoformat(row["expires"]) > now else None
        return None

    def end(self, token):
        digest = _digest(token or "")
        with self._db.transaction() as db:
            db.table("sessions").remove(lambda r: r["digest"] == digest)

    def end_all(self, user_id):
        """End every session of one account (new PIN, account removed)."""
        with self._db.transaction() as db:
            db.table("sessions").remove(lambda r: r["user_id"] == user_id)
