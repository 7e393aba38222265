"""The base's office printer (A4) through CUPS: the binder on paper where the base has a printer.

The receipt printer gets ESC/POS bytes from :mod:`printer.queue`; an A4
printer gets a PDF and CUPS, the Debian package every Linux office printer
works with, does the rest: a driverless IPP Everywhere printer on the
network or on USB (``ipp-usb``) needs no driver at all.  Hembas talks to
CUPS with its own command-line clients: ``lp`` (cups-client) hands the PDF
over and ``ipptool`` (cups-ipp-utils) asks how the job and the printer are.
They are the interface CUPS documents and keeps stable, cost about 1.4 MB
as Debian packages, and need neither a C extension built on the box (pycups
has no wheels) nor an asyncio HTTP stack (pyipp)::

    printer = A4Printer(box)
    job = printer.submit(pdf, title="Pärm 27/11", kind="binder", ordered_by="s1", pages="1-2,17-20")
    printer.refresh()   # asks CUPS about unfinished jobs; outcomes go to the audit log
    printer.jobs()      # newest first, the same fields as PrintQueue.jobs()
"""

import csv
import datetime as dt
import io
import logging
import re
import subprocess
import uuid
from pathlib import Path

from sync.errors import HembasError
from sync.store.database import Database

from .backends.base import ERROR, OK, UNKNOWN, WAITING

logger = logging.getLogger(__name__)

PRINTING, DONE, FAILED = "printing", "done", "failed"
FIELDS = ("id", "kind", "title", "state", "created_at", "ordered_by", "attempts", "last_error", "printed_at")
KEEP = 50
TESTS = Path(__file__).with_name("ipp")
REQUEST_ID = re.compile(r"request id is (\S+)-(\d+)")
REASONS = {  # IPP printer-state-reasons a coordinator can act on, in Swedish
    "media-empty": "papperet är slut", "media-needed": "papperet är slut", "media-jam": "papperet har fastnat",
    "door-open": "en lucka är öppen", "cover-open": "en lucka är öppen", "toner-empty": "tonern är slut",
    "marker-supply-empty": "tonern är slut", "offline": "skrivaren är inte ansluten",
    "connecting-to-device": "får ingen kontakt med skrivaren", "paused": "skrivaren är pausad i CUPS",
}
JOB_STATES = {"completed": DONE, "canceled": FAILED, "aborted": FAILED}


class A4Unavailable(HembasError, OSError):
    """No A4 printer is set up, or CUPS cannot be reached."""


class A4Printer:
    """The A4 printer named by ``[binder] printer`` on the CUPS server ``[binder] cups_server``."""

    def __init__(self, box):
        self.box = box
        settings = box.config["binder"]
        self.queue_name = settings["printer"]
        self.server = settings["cups_server"]
        self.timeout = box.config["printer"]["timeout_seconds"]
        self._db = Database(box.data_dir / "a4jobs.json")

    @property
    def configured(self):
        return bool(self.queue_name)

    # -- ordering -------------------------------------------------------------------------

    def submit(self, data, *, title, kind, ordered_by, pages="", detail=None):
        """Hand the PDF *data* to CUPS (only *pages*, e.g. ``"1-2,17"``, if given); returns the job.

        The job is stored before CUPS sees it, and a refusal is stored with
        its reason: the list shows what was ordered and what became of it.
        """
        if not self.configured:
            raise A4Unavailable("ingen A4-skrivare är inställd (binder.printer i hembas.toml)")
        job = {"id": str(uuid.uuid4()), "kind": kind, "title": title, "state": PRINTING, "created_at": _now(),
               "ordered_by": ordered_by, "attempts": 1, "last_error": "", "printed_at": "", "cups_job": 0,
               "pages": pages}
        with self._db.transaction():
            table = self._db.table("jobs")
            table.insert(job)
            old = sorted(doc.doc_id for doc in table.all())[:-KEEP]
            if old:
                table.remove(doc_ids=old)
        self.box.audit.record("print.a4", actor=ordered_by, target=kind,
                              detail={"job": job["id"], "printer": self.queue_name, "pages": pages, **(detail or {})})
        command = ["lp", *self._server_option(), "-d", self.queue_name, "-t", title, "-o", "media=A4",
                   "-o", "sides=one-sided"] + (["-o", f"page-ranges={pages}"] if pages else []) + ["-"]
        try:
            answer = self._run(command, input=data)
            match = REQUEST_ID.search(answer)
            if not match:
                raise A4Unavailable(f"CUPS gav inget jobbnummer ({answer.strip()[:80]})")
        except A4Unavailable as exc:
            self._finish(job["id"], FAILED, str(exc))
            raise
        self._update(job["id"], cups_job=int(match.group(2)))
        logger.info("A4 job %s is CUPS job %s-%s", job["id"], self.queue_name, match.group(2))
        return self.job(job["id"])

    # -- reading ----------------------------------------------------------------------------

    def jobs(self, limit=20):
        """Newest first, in the fields the print page lists."""
        rows = sorted(self._db.table("jobs").all(), key=lambda j: j.doc_id, reverse=True)[:limit]
        return [{key: row.get(key, "") for key in FIELDS} for row in rows]

    def job(self, job_id):
        for row in self._db.table("jobs").all():
            if row["id"] == job_id:
                return {key: row.get(key, "") for key in FIELDS}
        return None

    def refresh(self):
        """Ask CUPS about every unfinished job; returns the jobs that finished now."""
        finished, printer = [], None
        for row in self._db.table("jobs").all():
            if row["state"] != PRINTING or not row.get("cups_job"):
                continue
            try:
                facts = self._ipp("job-state.test", job_id=row["cups_job"])
            except A4Unavailable as exc:
                self._update(row["id"], last_error=str(exc))
                continue
            state = JOB_STATES.get(facts.get("job-state", ""))
            if state is not None:
                if self._finish(row["id"], state, "" if state == DONE else _failure(facts)):
                    finished.append(self.job(row["id"]))
                continue
            printer = printer or self.status()  # a job waits when its printer does
            message = facts.get("job-printer-state-message", "")
            waiting = printer["state"] != OK or facts.get("job-state") in ("processing-stopped", "pending-held")
            reason = printer["reason"] if printer["state"] != OK else message or "skrivaren är stoppad"
            self._update(row["id"], last_error=f"väntar: {reason}" if waiting else "")
        return finished

    def status(self):
        """The printer as CUPS sees it: {"state": ok/waiting/error/unknown, "reason": Swedish}."""
        if not self.configured:
            return {"state": UNKNOWN, "reason": "ingen A4-skrivare är inställd"}
        try:
            facts = self._ipp("printer-state.test")
        except A4Unavailable as exc:
            return {"state": ERROR, "reason": str(exc)}
        reasons = [REASONS[r] for r in facts.get("printer-state-reasons", "").split(",") if r in REASONS]
        own = facts.get("printer-state-message", "")
        message = "; ".join(reasons + ([own] if own and own not in reasons else []))
        if facts.get("printer-is-accepting-jobs") == "false":
            return {"state": ERROR, "reason": "skrivaren tar inte emot jobb i CUPS"}
        if facts.get("printer-state") == "stopped":
            return {"state": WAITING, "reason": message or "skrivaren är stoppad"}
        busy = facts.get("printer-state") == "processing"
        return {"state": WAITING if reasons else OK,
                "reason": message or ("skriver ut" if busy else "redo")}

    # -- internals ------------------------------------------------------------------------------

    def _finish(self, job_id, state, reason):
        """Record the outcome once, even when two processes refresh at the same time."""
        with self._db.transaction():
            row = next((r for r in self._db.table("jobs").all() if r["id"] == job_id), None)
            if row is None or row["state"] != PRINTING:
                return False
            self._update(job_id, state=state, last_error=reason, printed_at=_now() if state == DONE else "")
        action = "print.a4.done" if state == DONE else "print.a4.failed"
        self.box.audit.record(action, actor=row["ordered_by"], target=row["kind"],
                              detail={"job": job_id, "reason": reason} if reason else {"job": job_id})
        logger.info("A4 job %s: %s %s", job_id, state, reason)
        return True

    def _update(self, job_id, **fields):
        with self._db.transaction():
            table = self._db.table("jobs")
            table.update(fields, cond=lambda row: row["id"] == job_id)

    def _server_option(self):
        return ["-h", self.server] if self.server else []

    def _ipp(self, test, **variables):
        uri = f"ipp://{self.server or 'localhost'}/printers/{self.queue_name}"
        defines = [arg for name, value in variables.items() for arg in ("-d", f"{name}={value}")]
        out = self._run(["ipptool", "-c", "-T", str(self.timeout), *defines, uri, str(TESTS / test)])
        rows = list(csv.reader(io.StringIO(out)))
        return dict(zip(rows[0], rows[1])) if len(rows) >= 2 else {}

    def _run(self, command, *, input=None):
        try:
            done = subprocess.run(command, input=input, capture_output=True, timeout=self.timeout + 5)
        except FileNotFoundError:
            raise A4Unavailable(f"{command[0]} saknas: installera cups-client och cups-ipp-utils") from None
        except subprocess.TimeoutExpired:
            raise A4Unavailable(f"CUPS svarade inte inom {self.timeout} s") from None
        if done.returncode != 0:
            raise A4Unavailable(_explain(done.stderr.decode(errors="replace") + done.stdout.decode(errors="replace"),
                                         self.queue_name, self.server or "localhost"))
        return done.stdout.decode(errors="replace")


def _explain(message, queue_name, server):
    """CUPS's English error as a Swedish reason (its own words kept in brackets)."""
    text = " ".join(message.split())[:160]
    if "does not exist" in text or "not found" in text:
        return f"skrivaren {queue_name} finns inte i CUPS ({text})"
    if any(word in text for word in ("Unable to connect", "Connection refused", "Host is down", "Bad file")):
        return f"CUPS svarar inte på {server} ({text})"
    if "not accepting" in text:
        return f"skrivaren {queue_name} tar inte emot jobb ({text})"
    return f"CUPS: {text}" if text else "CUPS svarade med ett fel"


def _failure(facts):
    state = {"canceled": "avbröts", "aborted": "avbröts av skrivaren eller CUPS"}.get(facts.get("job-state"), "")
    message = facts.get("job-printer-state-message", "")
    return f"{state}: {message}" if message else state


def _now():
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
