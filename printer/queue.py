"""The print queue: nothing ordered is lost, nothing is printed twice by a retry.

Jobs are stored in ``<data>/printqueue.json`` (crash-safe, see
:mod:`sync.store.database`) before anything is sent.  One worker at a time — the
firmware daemon's :meth:`PrintQueue.work`, or a command's
:meth:`PrintQueue.process_once` — holds ``printqueue.worker.lock`` and sends
jobs in order.  A job the printer cannot take (off, unplugged, paper out)
goes back to ``pending`` with the reason, and everything behind it waits,
so sheets come out in order once the printer is back::

    queue = PrintQueue(box)
    queue.print_shift_sheets(ordered_by="knappen")   # the shift on now or starting next: one job per carer
    queue.process_once()
    queue.status()   # {"state": "ok", "reason": "...", "pending": 0, "busy": False}

A slip with a secret (an enrollment code) keeps the code only until it is
printed: then the parameters are scrubbed and the backend forgets the bytes
(:meth:`~printer.backends.base.Backend.forget`; the preview backend keeps
them on disk otherwise), and :meth:`PrintQueue.printed` tells the web UI that
only its orderer may see it.

A job is marked ``printing`` before its bytes leave and ``done`` after.  A
worker that dies in between leaves it ``printing``; the next worker asks the
backend whether it arrived (the preview backend knows; a real printer
cannot tell) and otherwise prints it again, saying so in ``last_error``.
"""

import contextlib
import datetime as dt
import fcntl
import logging
import threading
import time
import uuid

from sync.errors import HembasError
from sync.store.database import Database

from . import jobs as job_kinds
from .escpos_job import warm_up
from .backends import ERROR, UNKNOWN, WAITING, PrinterMisconfigured, PrinterUnavailable, open_backend

logger = logging.getLogger(__name__)

PENDING, PRINTING, DONE, FAILED = "pending", "printing", "done", "failed"
ACTIVE = (PENDING, PRINTING)
KEEP_FINISHED = 200
WAKE_SLICE = 0.1  # how often a sleeping worker looks at its stop event
STATUS_EVERY = 60  # seconds between printer checks while idle
PUBLIC_FIELDS = ("id", "kind", "title", "state", "created_at", "ordered_by", "attempts", "last_error", "printed_at")


class PrintQueue:
    """The box's print jobs; *backend* is injected in tests, else made from the configuration."""

    def __init__(self, box, *, backend=None):
        self.box = box
        self._db = Database(box.data_dir / "printqueue.json")
        self._lock_path = box.data_dir / "printqueue.worker.lock"
        self._backend = backend
        self._last_check = 0.0
        self._wake = threading.Event()  # set when this process queues a job: the button must not wait a poll

    # -- ordering -------------------------------------------------------------------------

    def print_shift_sheets(self, *, ordered_by, shift=None, only=None):
        """Queue one run-sheet per staff member working *shift* (default: the shift on now or starting next).

        The set is named by the shift's key, so a press while that shift's
        set is still printing adds nothing ([]); the next shift's press
        prints the next set.  *only* (staff ids) prints just those sheets:
        "Skriv ut ändrade".  Raises ClockUntrusted rather than guess "now".
        """
        shift = shift or self.box.current_shift()
        return self._print_set(shift.key, shift.date, shift.name, ordered_by=ordered_by, only=only)

    def print_day_sheets(self, date, *, ordered_by):
        """Queue one run-sheet per staff member working on *date*, each with all their shifts."""
        return self._print_set(date.isoformat(), date, "", ordered_by=ordered_by)

    def print_sheet(self, staff_id, date, *, ordered_by, shift=""):
        """Queue one staff member's run-sheet for *date* (one *shift* of it, or the whole day)."""
        plan = self.box.plan()
        if staff_id not in plan.staff:
            raise job_kinds.JobInvalid(f"personal {staff_id} finns inte i planen")
        with self._db.transaction():
            job = self._insert("sheet", _sheet_params(staff_id, date, shift), ordered_by=ordered_by, plan=plan)
        clients = _route_clients(self.box.day(date), [staff_id], shift)
        self.box.audit.record("print.sheet", actor=ordered_by, target=staff_id,
                              detail={"date": date.isoformat(), "shift": shift, "job": job["id"], "clients": clients})
        return _public(job)

    def _print_set(self, set_name, date, shift, *, ordered_by, only=None):
        plan, day = self.box.plan(), self.box.day(date)
        order = list(plan.staff)
        staff_ids = sorted(day.staff_ids(shift=shift or None), key=lambda s: order.index(s) if s in order else len(order))
        if only is not None:
            wanted = set(only)
            staff_ids = [s for s in staff_ids if s in wanted]
        if not staff_ids:
            return []
        with self._db.transaction():
            if any(job["set"] == set_name and job["state"] in ACTIVE for job in self._all()):
                logger.info("the sheets of %s are still printing; %s's order ignored", set_name, ordered_by)
                return []
            created = [self._insert("sheet", _sheet_params(s, date, shift), ordered_by=ordered_by,
                                    set_name=set_name, plan=plan) for s in staff_ids]
        self.box.audit.record("print.sheets", actor=ordered_by, target=set_name,
                              detail={"staff": staff_ids, "jobs": [j["id"] for j in created],
                                      "clients": _route_clients(day, staff_ids, shift)})
        return [_public(j) for j in created]

    def print_slip(self, kind, *, ordered_by, **details):
        """Queue a slip: contacts, status, enrollment (name, code, url) or handover (shift, default: now's)."""
        if kind not in job_kinds.SLIP_KINDS:
            raise job_kinds.JobInvalid(f"okänd lapp {kind!r}")
        if kind in job_kinds.SECRET_KINDS:  # enrollment, substitute: a one-time code and its link
            missing = [key for key in ("name", "code", "url") if not details.get(key)]
            if missing:
                raise job_kinds.JobInvalid(f"inloggningslappen saknar {', '.join(missing)}")
            details = {key: str(details[key]) for key in ("name", "code", "url", "until") if details.get(key)}
        elif kind == "handover":
            shift = details.get("shift") or self.box.current_shift()
            details = {"shift": shift.key}
        else:
            details = {}
        with self._db.transaction():
            job = self._insert(kind, details, ordered_by=ordered_by)
        audit_detail = {"job": job["id"]} | ({"name": details["name"]} if kind in job_kinds.SECRET_KINDS else {})
        self.box.audit.record("print.slip", actor=ordered_by, target=kind, detail=audit_detail)
        return _public(job)

    # -- reading ----------------------------------------------------------------------------

    def jobs(self, limit=20):
        """Newest first, without parameters (an enrollment code never leaves the queue)."""
        return [_public(job) for job in sorted(self._all(), key=lambda j: j["seq"], reverse=True)[:limit]]

    def printed_sheets(self, date, shift):
        """What each person's newest printed sheet of *shift* (a name) on *date* showed: staff id -> fingerprint.

        Compare with :func:`sync.day.fingerprint.route_fingerprint` now to
        tell which printed sheets a later change has made out of date.
        """
        found = {}
        for job in sorted(self._all(), key=lambda j: j["seq"]):
            params = job["params"]
            if (job["kind"] == "sheet" and job["state"] == DONE and job.get("fingerprint")
                    and params.get("date") == date.isoformat() and params.get("shift") == shift):
                found[params["staff_id"]] = job["fingerprint"]
        return found

    def printed(self, job_id):
        """What the web UI may know about a sent job: kind, orderer, secret or not, the clients it printed.

        None for a job the queue no longer holds.  A secret slip (an
        enrollment code) is for its orderer's eyes only.
        """
        job = next((j for j in self._all() if j["id"] == job_id), None)
        if job is None:
            return None
        return {"kind": job["kind"], "ordered_by": job["ordered_by"],
                "secret": job["kind"] in job_kinds.SECRET_KINDS, "clients": job.get("clients", [])}

    def status(self):
        """The printer and the queue in one dict, for the web UI, the lights and the status slip."""
        jobs = self._all()
        printer = self._db.table("printer").get(doc_id=1) or {
            "state": UNKNOWN, "reason": "skrivaren har inte kontaktats än"}
        pending = sum(1 for job in jobs if job["state"] in ACTIVE)
        return {"state": printer["state"], "reason": printer["reason"], "pending": pending,
                "busy": any(job["state"] == PRINTING for job in jobs)}

    # -- the worker ---------------------------------------------------------------------------

    def work(self, stop_event, *, poll_seconds=1.0):
        """Send jobs until *stop_event* is set: the firmware daemon runs this in a thread."""
        settings = self.box.config["printer"]
        retry = settings["retry_seconds"]
        try:
            warm_up(profile=settings["profile"], qr_mode=settings["qr"], columns=settings["columns"])
        except Exception:  # the worker's edge: a bad profile shows on the first job, the worker runs on
            logger.exception("print worker: could not load the ESC/POS renderer ahead of the first job")
        while not stop_event.is_set():
            try:
                self.process_once()
                waiting = self.status()["pending"] > 0
                if not waiting and time.monotonic() - self._last_check > STATUS_EVERY:
                    self.check_printer()
            except Exception:  # the daemon's edge: log, wait, carry on
                logger.exception("print worker failed")
                waiting = True
            self._sleep(stop_event, retry if waiting else poll_seconds)

    def _sleep(self, stop_event, seconds):
        """Wait *seconds*, or less when stopped or when a job was queued in this process."""
        deadline = time.monotonic() + seconds
        while not (stop_event.is_set() or self._wake.is_set()) and time.monotonic() < deadline:
            self._wake.wait(min(WAKE_SLICE, max(deadline - time.monotonic(), 0)))
        self._wake.clear()

    def process_once(self):
        """Send pending jobs in order until one must wait; returns how many were sent."""
        with self._worker_lock() as mine:
            if not mine:
                return 0  # another process is the worker right now
            backend = self._open_backend()
            if backend is None:
                return 0
            self._recover_interrupted(backend)
            sent = 0
            for job in sorted((j for j in self._all() if j["state"] == PENDING), key=lambda j: j["seq"]):
                if not self._send(backend, job):
                    break
                sent += 1
            return sent

    def check_printer(self):
        """Ask the printer how it is now and remember the answer."""
        self._last_check = time.monotonic()
        backend = self._open_backend()
        if backend is not None:
            status = backend.status()
            self._set_printer(status.state, status.reason)

    # -- internals ------------------------------------------------------------------------------

    def _send(self, backend, job):
        self._update(job, state=PRINTING, attempts=job["attempts"] + 1)
        try:
            # taken before rendering: a change in between marks the sheet as changed, never the reverse
            fingerprint = job_kinds.fingerprint(self.box, job["kind"], job["params"])
            data = job_kinds.render(self.box, job["kind"], job["params"], printer_state=self.status()["reason"])
        except HembasError as exc:
            logger.warning("job %s cannot be printed: %s", job["id"], exc)
            self._update(job, state=FAILED, last_error=str(exc), params=_scrubbed(job))
            return True
        except Exception:
            logger.exception("job %s: rendering failed", job["id"])
            self._update(job, state=FAILED, last_error="internt fel när utskriften skulle skapas", params=_scrubbed(job))
            return True
        try:
            after = backend.send(data, job_id=job["id"], title=job["title"])
        except PrinterUnavailable as exc:
            note = " – en del kan redan ha skrivits ut" if exc.maybe_printed else ""
            self._update(job, state=PENDING, last_error=exc.reason + note)
            self._set_printer(WAITING, exc.reason)
            logger.warning("job %s waits: %s", job["id"], exc.reason)
            return False
        except PrinterMisconfigured as exc:
            self._update(job, state=PENDING, last_error=str(exc))
            self._set_printer(ERROR, str(exc))
            return False
        if job["kind"] in job_kinds.SECRET_KINDS:
            backend.forget(job["id"])  # before "done": a crash in between is recovered as delivered
        self._update(job, state=DONE, printed_at=_now(), last_error="", params=_scrubbed(job),
                     clients=self._clients(job), fingerprint=fingerprint)
        self._set_printer(after.state, after.reason)
        return True

    def _recover_interrupted(self, backend):
        for job in (j for j in self._all() if j["state"] == PRINTING):
            arrived = backend.delivered(job["id"])
            if arrived:
                if job["kind"] in job_kinds.SECRET_KINDS:
                    backend.forget(job["id"])
                self._update(job, state=DONE, printed_at=_now(), params=_scrubbed(job), clients=self._clients(job))
            elif arrived is None:
                self._update(job, state=PENDING,
                             last_error="avbröts under utskrift; skrivs ut igen och kan komma två gånger")
            else:
                self._update(job, state=PENDING, last_error="avbröts innan den skickades")
            logger.warning("job %s was interrupted mid-send (arrived: %s)", job["id"], arrived)

    def _open_backend(self):
        if self._backend is None:
            try:
                self._backend = open_backend(self.box.config)
            except PrinterMisconfigured as exc:
                self._set_printer(ERROR, str(exc))
                return None
        return self._backend

    @contextlib.contextmanager
    def _worker_lock(self):
        with open(self._lock_path, "a") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _all(self):
        return [dict(doc, seq=doc.doc_id) for doc in self._db.table("jobs").all()]

    def _insert(self, kind, params, *, ordered_by, set_name="", plan=None):
        table = self._db.table("jobs")
        job = {"id": str(uuid.uuid4()), "kind": kind, "params": params, "set": set_name,
               "title": job_kinds.title(kind, params, plan), "state": PENDING, "created_at": _now(),
               "ordered_by": ordered_by, "attempts": 0, "last_error": "", "printed_at": ""}
        seq = table.insert(job)
        self._wake.set()
        finished = sorted(doc.doc_id for doc in table.all() if doc["state"] in (DONE, FAILED))
        if len(finished) > KEEP_FINISHED:
            table.remove(doc_ids=finished[:-KEEP_FINISHED])
        return dict(job, seq=seq)

    def _update(self, job, **fields):
        with self._db.transaction():
            self._db.table("jobs").update(fields, doc_ids=[job["seq"]])
        job.update(fields)

    def _clients(self, job):
        try:
            return job_kinds.client_ids(self.box, job["kind"], job["params"])
        except HembasError:
            return []

    def _set_printer(self, state, reason):
        with self._db.transaction():
            table = self._db.table("printer")
            current = table.get(doc_id=1)
            if current and current["state"] == state and current["reason"] == reason:
                return  # nothing new: spare the SD card a write
            record = {"state": state, "reason": reason, "at": _now()}
            if current:
                table.update(record, doc_ids=[1])
            else:
                table.insert(record)


def _sheet_params(staff_id, date, shift):
    return {"staff_id": staff_id, "date": date.isoformat(), "shift": shift}


def _route_clients(day, staff_ids, shift):
    """The clients on the sheets ordered: printing a sheet is an access to them (Patientdatalagen)."""
    return sorted({visit.client_id for staff_id in staff_ids for visit in day.route(staff_id, shift=shift or None)})


def _scrubbed(job):
    """Parameters worth keeping once a job is printed or failed: an enrollment code (and its link) is not."""
    if job["kind"] not in job_kinds.SECRET_KINDS:
        return job["params"]
    return {k: v for k, v in job["params"].items() if k not in job_kinds.SECRET_PARAMS}


def _public(job):
    return {key: job.get(key, "") for key in PUBLIC_FIELDS}


def _now():
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
