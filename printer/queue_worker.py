"""The print queue's worker: one at a time sends the stored jobs in order.

The worker holds ``printqueue.worker.lock`` while it sends, so the firmware
daemon's loop and a command never send at the same time.  A job the
printer cannot take (off, unplugged, paper out) goes back to ``pending``
with the reason, and everything behind it waits, so sheets come out in
order once the printer is back.  Once a secret slip is printed the backend
forgets its bytes (:meth:`~printer.backends.base.Backend.forget`; the
preview backend keeps them on disk otherwise).

A job is marked ``printing`` before its bytes leave and ``done`` after.  A
worker that dies in between leaves it ``printing``; the next worker asks the
backend whether it arrived (the preview backend knows; a real printer
cannot tell) and otherwise prints it again, saying so in ``last_error``.
"""

import contextlib
import fcntl
import logging
import time

from sync.errors import HembasError

from . import jobs as job_kinds
from .backends import ERROR, WAITING, PrinterMisconfigured, PrinterUnavailable, open_backend
from .escpos_job import warm_up
from .queue_store import DONE, FAILED, PENDING, PRINTING, now, scrubbed

logger = logging.getLogger(__name__)

WAKE_SLICE = 0.1  # how often a sleeping worker looks at its stop event
STATUS_EVERY = 60  # seconds between printer checks while idle


class QueueWorker:
    """Sends the jobs of *store*; *backend* is injected in tests, else made from the configuration."""

    def __init__(self, box, store, *, backend=None):
        self.box = box
        self._store = store
        self._lock_path = box.data_dir / "printqueue.worker.lock"
        self._backend = backend
        self._last_check = 0.0

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
                waiting = self._store.status()["pending"] > 0
                if not waiting and time.monotonic() - self._last_check > STATUS_EVERY:
                    self.check_printer()
            except Exception:  # the daemon's edge: log, wait, carry on
                logger.exception("print worker failed")
                waiting = True
            self._sleep(stop_event, retry if waiting else poll_seconds)

    def process_once(self):
        """Send pending jobs in order until one must wait; returns how many were sent."""
        with self.lock() as mine:
            if not mine:
                return 0  # another process is the worker right now
            backend = self._open_backend()
            if backend is None:
                return 0
            self._recover_interrupted(backend)
            sent = 0
            for job in sorted((j for j in self._store.all() if j["state"] == PENDING), key=lambda j: j["seq"]):
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
            self._store.set_printer(status.state, status.reason)

    @contextlib.contextmanager
    def lock(self):
        """Hold the worker lock unless another process does; yields whether this one holds it."""
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

    def _sleep(self, stop_event, seconds):
        """Wait *seconds*, or less when stopped or when a job was queued in this process."""
        added = self._store.added
        deadline = time.monotonic() + seconds
        while not (stop_event.is_set() or added.is_set()) and time.monotonic() < deadline:
            added.wait(min(WAKE_SLICE, max(deadline - time.monotonic(), 0)))
        added.clear()

    def _send(self, backend, job):
        self._store.update(job, state=PRINTING, attempts=job["attempts"] + 1)
        try:
            # taken before rendering: a change in between marks the sheet as changed, never the reverse
            fingerprint = job_kinds.fingerprint(self.box, job["kind"], job["params"])
            data = job_kinds.render(self.box, job["kind"], job["params"], printer_state=self._store.status()["reason"])
        except HembasError as exc:
            logger.warning("job %s cannot be printed: %s", job["id"], exc)
            self._store.update(job, state=FAILED, last_error=str(exc), params=scrubbed(job))
            return True
        except Exception:
            logger.exception("job %s: rendering failed", job["id"])
            self._store.update(job, state=FAILED, last_error="internt fel när utskriften skulle skapas",
                               params=scrubbed(job))
            return True
        try:
            after = backend.send(data, job_id=job["id"], title=job["title"])
        except PrinterUnavailable as exc:
            note = " – en del kan redan ha skrivits ut" if exc.maybe_printed else ""
            self._store.update(job, state=PENDING, last_error=exc.reason + note)
            self._store.set_printer(WAITING, exc.reason)
            logger.warning("job %s waits: %s", job["id"], exc.reason)
            return False
        except PrinterMisconfigured as exc:
            self._store.update(job, state=PENDING, last_error=str(exc))
            self._store.set_printer(ERROR, str(exc))
            return False
        if job["kind"] in job_kinds.SECRET_KINDS:
            backend.forget(job["id"])  # before "done": a crash in between is recovered as delivered
        self._store.update(job, state=DONE, printed_at=now(), last_error="", params=scrubbed(job),
                           clients=self._clients(job), fingerprint=fingerprint)
        self._store.set_printer(after.state, after.reason)
        return True

    def _recover_interrupted(self, backend):
        for job in (j for j in self._store.all() if j["state"] == PRINTING):
            arrived = backend.delivered(job["id"])
            if arrived:
                if job["kind"] in job_kinds.SECRET_KINDS:
                    backend.forget(job["id"])
                self._store.update(job, state=DONE, printed_at=now(), params=scrubbed(job), clients=self._clients(job))
            elif arrived is None:
                self._store.update(job, state=PENDING,
                                   last_error="avbröts under utskrift; skrivs ut igen och kan komma två gånger")
            else:
                self._store.update(job, state=PENDING, last_error="avbröts innan den skickades")
            logger.warning("job %s was interrupted mid-send (arrived: %s)", job["id"], arrived)

    def _open_backend(self):
        if self._backend is None:
            try:
                self._backend = open_backend(self.box.config)
            except PrinterMisconfigured as exc:
                self._store.set_printer(ERROR, str(exc))
                return None
        return self._backend

    def _clients(self, job):
        try:
            return job_kinds.client_ids(self.box, job["kind"], job["params"])
        except HembasError:
            return []
