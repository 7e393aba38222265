"""The print queue: nothing ordered is lost, nothing is printed twice by a retry.

:class:`PrintQueue` is what the web UI, the button and the commands use:
it orders jobs and tells how they went.  Jobs are stored before anything
is sent (:mod:`printer.queue_store`), and one worker at a time — the
firmware daemon's :meth:`PrintQueue.work`, or a command's
:meth:`PrintQueue.process_once` — sends them in order
(:mod:`printer.queue_worker`), waiting while the printer is off, unplugged
or out of paper, so sheets come out in order once it is back::

    queue = PrintQueue(box)
    queue.print_shift_sheets(ordered_by="knappen")   # the shift on now or starting next: one job per carer
    queue.process_once()
    queue.status()   # {"state": "ok", "reason": "...", "pending": 0, "busy": False}

A slip with a secret (an enrollment code) keeps the code only until it is
printed: then the parameters are scrubbed and the backend forgets the
bytes, and :meth:`PrintQueue.printed` tells the web UI that only its
orderer may see it.
"""

import logging

from . import jobs as job_kinds
from .queue_store import ACTIVE, DONE, QueueStore, public
from .queue_worker import QueueWorker

logger = logging.getLogger(__name__)


class PrintQueue:
    """The box's print jobs; *backend* is injected in tests, else made from the configuration."""

    def __init__(self, box, *, backend=None):
        self.box = box
        self._store = QueueStore(box.data_dir)
        self._worker = QueueWorker(box, self._store, backend=backend)

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
        with self._store.transaction():
            job = self._store.insert("sheet", _sheet_params(staff_id, date, shift), ordered_by=ordered_by, plan=plan)
        clients = _route_clients(self.box.day(date), [staff_id], shift)
        self.box.audit.record("print.sheet", actor=ordered_by, target=staff_id,
                              detail={"date": date.isoformat(), "shift": shift, "job": job["id"], "clients": clients})
        return public(job)

    def _print_set(self, set_name, date, shift, *, ordered_by, only=None):
        plan, day = self.box.plan(), self.box.day(date)
        order = list(plan.staff)
        staff_ids = sorted(day.staff_ids(shift=shift or None), key=lambda s: order.index(s) if s in order else len(order))
        if only is not None:
            wanted = set(only)
            staff_ids = [s for s in staff_ids if s in wanted]
        if not staff_ids:
            return []
        with self._store.transaction():
            if any(job["set"] == set_name and job["state"] in ACTIVE for job in self._store.all()):
                logger.info("the sheets of %s are still printing; %s's order ignored", set_name, ordered_by)
                return []
            created = [self._store.insert("sheet", _sheet_params(s, date, shift), ordered_by=ordered_by,
                                          set_name=set_name, plan=plan) for s in staff_ids]
        self.box.audit.record("print.sheets", actor=ordered_by, target=set_name,
                              detail={"staff": staff_ids, "jobs": [j["id"] for j in created],
                                      "clients": _route_clients(day, staff_ids, shift)})
        return [public(j) for j in created]

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
        with self._store.transaction():
            job = self._store.insert(kind, details, ordered_by=ordered_by)
        audit_detail = {"job": job["id"]} | ({"name": details["name"]} if kind in job_kinds.SECRET_KINDS else {})
        self.box.audit.record("print.slip", actor=ordered_by, target=kind, detail=audit_detail)
        return public(job)

    # -- reading ----------------------------------------------------------------------------

    def jobs(self, limit=20):
        """Newest first, without parameters (an enrollment code never leaves the queue)."""
        return [public(job) for job in sorted(self._store.all(), key=lambda j: j["seq"], reverse=True)[:limit]]

    def printed_sheets(self, date, shift):
        """What each person's newest printed sheet of *shift* (a name) on *date* showed: staff id -> fingerprint.

        Compare with :func:`sync.day.fingerprint.route_fingerprint` now to
        tell which printed sheets a later change has made out of date.
        """
        found = {}
        for job in sorted(self._store.all(), key=lambda j: j["seq"]):
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
        job = next((j for j in self._store.all() if j["id"] == job_id), None)
        if job is None:
            return None
        return {"kind": job["kind"], "ordered_by": job["ordered_by"],
                "secret": job["kind"] in job_kinds.SECRET_KINDS, "clients": job.get("clients", [])}

    def status(self):
        """The printer and the queue in one dict, for the web UI, the lights and the status slip."""
        return self._store.status()

    # -- the worker ---------------------------------------------------------------------------

    def work(self, stop_event, *, poll_seconds=1.0):
        """Send jobs until *stop_event* is set: the firmware daemon runs this in a thread."""
        self._worker.work(stop_event, poll_seconds=poll_seconds)

    def process_once(self):
        """Send pending jobs in order until one must wait; returns how many were sent."""
        return self._worker.process_once()

    def check_printer(self):
        """Ask the printer how it is now and remember the answer."""
        self._worker.check_printer()


def _sheet_params(staff_id, date, shift):
    return {"staff_id": staff_id, "date": date.isoformat(), "shift": shift}


def _route_clients(day, staff_ids, shift):
    """The clients on the sheets ordered: printing a sheet is an access to them (Patientdatalagen)."""
    return sorted({visit.client_id for staff_id in staff_ids for visit in day.route(staff_id, shift=shift or None)})
