"""What staff write at the base: append-only records, kept apart from the plan.

Visit outcomes, notes, deviations, handovers, and the morning meeting's
changes to the day (absences, substitutes, reassignments, route order, extra
visits; see :mod:`sync.day.changes`) — everything that used to go on paper —
is a record with a UUID, an author, the device time and
the plan version it was written against (and, for a handover, the shift
it was written in).  Records are never changed: a
correction is a new record whose ``corrects`` names the old one.  A record is
durable on disk before :meth:`Records.append` returns, so a page may say
"sparat" the moment it gets the record back::

    records = Records(data_dir)
    rec = records.append("note", author="s1", plan_version=plan.version,
                         visit_id="v17", client_id="c03", date=today,
                         body={"text": "Åt bra idag."})
    records.find(kind="note", client_id="c03")

A phone sends what was written with an idempotency *key* of its own (a
UUID made on the phone): a record whose key is already stored is not stored
again, and :meth:`Records.append` returns the one stored before.  A double
tap, a post retried after a lost answer and an offline outbox sent twice
all end as one record, decided inside the same locked write as the insert,
so two requests racing with one key store one record and a power cut
leaves either none or one.

Whether the hub has acknowledged a record is kept in a separate table, so
the records themselves stay untouched.
"""

import datetime as dt
import uuid

from .database import Database

# The day's changes (sync.day.changes); "reassign" is also how records written before them move visits.
DAY_KINDS = ("absence", "substitute", "reassign", "route_order", "extra_visit")
KINDS = ("outcome", "note", "deviation", "handover", "handover_read", "reentered") + DAY_KINDS


class Records:
    """The local, append-only record store (``records.json``)."""

    def __init__(self, data_dir):
        self._db = Database(data_dir / "records.json")

    def append(self, kind, *, author, body, plan_version="", visit_id="", client_id="", date=None,
               corrects="", device_time=None, shift="", key=""):
        """Store one record durably and return it (as stored).

        With *key*, a record already stored with that key is returned
        instead and nothing is written (compare it with what you meant to
        store: a key reused for other content is the caller's error).

        *shift* is the key of the shift it was written in (``2026-11-27/natt``,
        see :mod:`sync.day.shifts`); records stored before shifts existed
        have no ``shift`` field, so readers use ``record.get("shift", "")``.
        """
        return self.append_many([dict(kind=kind, author=author, body=body, plan_version=plan_version,
                                      visit_id=visit_id, client_id=client_id, date=date, corrects=corrects,
                                      device_time=device_time, shift=shift, key=key)])[0]

    def append_many(self, specs):
        """Store several records in one durable write (all or none); returns them as stored.

        Each spec has :meth:`append`'s arguments as a dict: the morning
        meeting's "accept the proposal" is one change of many visits, and a
        power cut must not leave half of it.
        """
        records = [_record(**spec) for spec in specs]
        with self._db.transaction() as db:
            stored = {r["key"]: r for r in self._db.read_all().get("records", {}).values() if r.get("key")}
            new = [r for r in records if not r.get("key") or stored.setdefault(r["key"], r) is r]
            if new:
                db.table("records").insert_multiple(new)
        return [stored.get(r.get("key"), r) for r in records]

    def find(self, *, kind=None, client_id=None, visit_id=None, date=None, since=None):
        """Records matching every given filter, oldest first.

        *since* compares with ``device_time`` (ISO strings sort as times).
        """
        date = date.isoformat() if isinstance(date, dt.date) else date
        since = since.isoformat() if isinstance(since, dt.datetime) else since
        table = self._db.read_all().get("records", {})
        rows = [table[doc_id] for doc_id in sorted(table, key=int)]  # insertion order breaks ties of a second
        out = [r for r in rows
               if (kind is None or r["kind"] == kind or (isinstance(kind, tuple) and r["kind"] in kind))
               and (client_id is None or r["client_id"] == client_id)
               and (visit_id is None or r["visit_id"] == visit_id)
               and (date is None or r["date"] == date)
               and (since is None or r["device_time"] >= since)]
        out.sort(key=lambda r: r["device_time"])
        return out

    def revision(self):
        """Changes whenever a record is added, here or by another process (the file's identity).

        Records are only ever added, so the file only grows: a cache keyed on
        this cannot see an old revision come back.
        """
        return self._db.revision()

    def get(self, record_id):
        """One record by id, or None."""
        for r in self._db.read_all().get("records", {}).values():
            if r["id"] == record_id:
                return r
        return None

    # -- acknowledgement by the hub (sync) --------------------------------------------

    def unsent(self):
        """Records the hub has not acknowledged yet, oldest first."""
        sent = self._sent_ids()
        return [r for r in self.find() if r["id"] not in sent]

    def mark_sent(self, record_ids, *, at=None):
        """Remember that the hub acknowledged *record_ids*."""
        stamp = (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
        with self._db.transaction() as db:
            known = self._sent_ids()
            db.table("sent").insert_multiple({"id": i, "at": stamp} for i in record_ids if i not in known)

    def _sent_ids(self):
        return {row["id"] for row in self._db.read_all().get("sent", {}).values()}


def _record(kind, *, author, body, plan_version="", visit_id="", client_id="", date=None, corrects="",
            device_time=None, shift="", key=""):
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}")
    return ({"key": key} if key else {}) | {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "author": author,
        "device_time": (device_time or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
        "plan_version": plan_version,
        "visit_id": visit_id,
        "client_id": client_id,
        "date": date.isoformat() if date else "",
        "corrects": corrects,
        "shift": shift,
        "body": body,
    }


def without_corrected(records):
    """Drop records that a later record corrects: what is true now."""
    corrected = {r["corrects"] for r in records if r["corrects"]}
    return [r for r in records if r["id"] not in corrected]
