"""The print queue's records: its jobs and what the printer last said, in ``<data>/printqueue.json``.

The file is crash-safe (:mod:`sync.store.database`) and a job is stored
before anything is sent, so nothing ordered is lost.  A job is ``pending``,
``printing`` while its bytes may be on the way, then ``done`` or ``failed``;
only the newest finished jobs are kept.  A secret slip (an enrollment code)
keeps its code only until it is printed or has failed (:func:`scrubbed`),
and no job's parameters leave the queue (:func:`public`).
"""

import datetime as dt
import threading
import uuid

from sync.store.database import Database

from . import jobs as job_kinds
from .backends import UNKNOWN

PENDING, PRINTING, DONE, FAILED = "pending", "printing", "done", "failed"
ACTIVE = (PENDING, PRINTING)
KEEP_FINISHED = 200
PUBLIC_FIELDS = ("id", "kind", "title", "state", "created_at", "ordered_by", "attempts", "last_error", "printed_at")


class QueueStore:
    """The queue's file in *data_dir*."""

    def __init__(self, data_dir):
        self._db = Database(data_dir / "printqueue.json")
        self.added = threading.Event()  # set when this process queues a job: the button must not wait a poll

    def transaction(self):
        """Hold the file's writer lock; yields the database (see :meth:`sync.store.database.Database.transaction`)."""
        return self._db.transaction()

    def all(self):
        """Every job as stored, with ``seq``: the order they were queued in."""
        return [dict(doc, seq=doc.doc_id) for doc in self._db.table("jobs").all()]

    def insert(self, kind, params, *, ordered_by, set_name="", plan=None):
        """Store a pending job (inside a transaction) and drop the oldest finished ones beyond KEEP_FINISHED."""
        table = self._db.table("jobs")
        job = {"id": str(uuid.uuid4()), "kind": kind, "params": params, "set": set_name,
               "title": job_kinds.title(kind, params, plan), "state": PENDING, "created_at": now(),
               "ordered_by": ordered_by, "attempts": 0, "last_error": "", "printed_at": ""}
        seq = table.insert(job)
        self.added.set()
        finished = sorted(doc.doc_id for doc in table.all() if doc["state"] in (DONE, FAILED))
        if len(finished) > KEEP_FINISHED:
            table.remove(doc_ids=finished[:-KEEP_FINISHED])
        return dict(job, seq=seq)

    def update(self, job, **fields):
        """Store *fields* of *job* and set them on it."""
        with self._db.transaction():
            self._db.table("jobs").update(fields, doc_ids=[job["seq"]])
        job.update(fields)

    def status(self):
        """The printer's last known state and reason, how many jobs wait, and whether one is being sent."""
        jobs = self.all()
        printer = self._db.table("printer").get(doc_id=1) or {
            "state": UNKNOWN, "reason": "skrivaren har inte kontaktats än"}
        pending = sum(1 for job in jobs if job["state"] in ACTIVE)
        return {"state": printer["state"], "reason": printer["reason"], "pending": pending,
                "busy": any(job["state"] == PRINTING for job in jobs)}

    def set_printer(self, state, reason):
        """Remember how the printer is; written only when that changed."""
        with self._db.transaction():
            table = self._db.table("printer")
            current = table.get(doc_id=1)
            if current and current["state"] == state and current["reason"] == reason:
                return  # nothing new: spare the SD card a write
            record = {"state": state, "reason": reason, "at": now()}
            if current:
                table.update(record, doc_ids=[1])
            else:
                table.insert(record)


def scrubbed(job):
    """Parameters worth keeping once a job is printed or failed: an enrollment code (and its link) is not."""
    if job["kind"] not in job_kinds.SECRET_KINDS:
        return job["params"]
    return {k: v for k, v in job["params"].items() if k not in job_kinds.SECRET_PARAMS}


def public(job):
    """What a job shows outside the queue: no parameters."""
    return {key: job.get(key, "") for key in PUBLIC_FIELDS}


def now():
    """The time as the queue stores it: UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
