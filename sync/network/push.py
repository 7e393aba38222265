"""Sending what was written at the base back to the hub.

Records (visit outcomes, notes, deviations, handovers, reassignments …) and
audit entries not yet acknowledged go out as signed, idempotent batches:
every item carries its UUID, the hub stores each UUID once, and its answer
lists the UUIDs it holds.  Only those are marked sent, so a dropped
connection after the hub stored a batch just means the same items are sent
again and acknowledged then.

Only what the hub has acknowledged may leave the box: after a push,
:func:`prune_audit` drops acknowledged audit entries older than
``[audit] keep_days`` (at most once a day), so the SD card holds a bounded
history while the hub keeps the whole log.  An unacknowledged entry is
never dropped, however old.  Records are not pruned here.
"""

import datetime as dt
import json
import logging
import uuid

from .keys import box_signing_key
from .signing import key_id, sign
from ..store.database import Database, encode_json

logger = logging.getLogger(__name__)

FORMAT = "hembas.journal/1"
KIND = "journal"
BATCH_RECORDS = 200
BATCH_AUDIT = 500
SENT_FILE = "journal-sent.json"


class AuditAcks:
    """Which audit entries the hub has acknowledged (the audit log itself stays append-only)."""

    def __init__(self, data_dir):
        self._db = Database(data_dir / SENT_FILE)

    def ids(self):
        return {row["id"] for row in self._db.read_all().get("audit", {}).values()}

    def mark(self, entry_ids, *, at):
        with self._db.transaction() as db:
            known = self.ids()
            db.table("audit").insert_multiple({"id": i, "at": at} for i in entry_ids if i not in known)

    def forget(self, entry_ids):
        """Drop the acknowledgements of entries the audit log no longer holds."""
        gone = set(entry_ids)
        if gone:
            with self._db.transaction() as db:
                db.table("audit").remove(lambda row: row["id"] in gone)


def unsent_audit(box):
    """Audit entries the hub has not acknowledged, oldest first."""
    sent = AuditAcks(box.data_dir).ids()
    return [e for e in reversed(box.audit.entries()) if e["id"] not in sent]


def pending_counts(box):
    return {"records": len(box.records.unsent()), "audit": len(unsent_audit(box))}


def build_batch(box, *, team, records, audit, now=None):
    """A signed journal batch (envelope bytes) holding *records* and *audit* entries."""
    key = box_signing_key(box.data_dir)
    payload = {"format": FORMAT, "team": team, "box": key_id(key.verify_key), "batch": str(uuid.uuid4()),
               "records": records, "audit": audit}
    return sign(encode_json(payload), key, kind=KIND, team=team, created_at=now)


def push_journal(box, client, status, *, now=None):
    """Send everything unacknowledged in batches; returns how many items the hub acknowledged.

    Raises :class:`~sync.network.hubclient.HubError` on the first batch that
    fails; what was acknowledged before that stays marked.
    """
    acknowledged = 0
    while True:
        records = box.records.unsent()[:BATCH_RECORDS]
        audit = unsent_audit(box)[:BATCH_AUDIT]
        if not records and not audit:
            break
        ack = client.post_journal(build_batch(box, team=client.team, records=records, audit=audit, now=now))
        accepted = set(ack["accepted"])
        record_ids = [r["id"] for r in records if r["id"] in accepted]
        audit_ids = [e["id"] for e in audit if e["id"] in accepted]
        stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
        box.records.mark_sent(record_ids, at=now)
        AuditAcks(box.data_dir).mark(audit_ids, at=stamp)
        acknowledged += len(record_ids) + len(audit_ids)
        status.update(last_push=stamp)
        if len(record_ids) < len(records) or len(audit_ids) < len(audit):
            logger.warning("hub acknowledged %d of %d items; the rest stays queued",
                           len(record_ids) + len(audit_ids), len(records) + len(audit))
            break
    prune_audit(box, now=now)
    return acknowledged


def prune_audit(box, *, now=None):
    """Drop acknowledged audit entries older than ``[audit] keep_days``; returns how many went.

    Runs only when the oldest entry is a day past the limit, so the log is
    rewritten at most about once a day, not every poll.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    cutoff = now - dt.timedelta(days=box.config["audit"]["keep_days"])
    oldest = box.audit.oldest()
    if oldest is None or oldest >= (cutoff - dt.timedelta(days=1)).astimezone(dt.timezone.utc).isoformat():
        return 0
    acks = AuditAcks(box.data_dir)
    dropped = box.audit.prune(older_than=cutoff, acknowledged=acks.ids())
    acks.forget(dropped)
    return len(dropped)


def read_batch_payload(payload_bytes):
    """The journal batch as a dict (the hub side), or ValueError."""
    batch = json.loads(payload_bytes)
    if not isinstance(batch, dict) or batch.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} batch")
    if not all(isinstance(batch.get(k), list) for k in ("records", "audit")):
        raise ValueError("records and audit must be lists")
    return batch
