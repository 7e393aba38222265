"""Which binder is on the shelf: the box's memory of the printed binder, and the binder actions.

The web UI and ``hembas print binder`` do the same things through
:class:`BinderStore`, so they leave the same records:

- :meth:`~BinderStore.make` renders the binder of the current two weeks and
  keeps its snapshot as the last one *made* (downloaded or written to a file);
- :meth:`~BinderStore.mark_printed` says that binder is now on the shelf
  (after printing it on any printer, or after swapping the changed pages);
- :meth:`~BinderStore.print_a4` sends it to the base's A4 printer through
  CUPS; once CUPS reports the job done, it counts as printed by itself;
- :meth:`~BinderStore.changes` is "Ändringar sedan senaste pärmen";
- :meth:`~BinderStore.reminder` says whether the printed binder is too old.

The records live in ``binder.json`` (crash-safe, :mod:`sync.store.database`);
each holds the snapshot of what that binder showed (:mod:`printer.binder_diff`)
and the pages of each section.  Views are audited by the caller (the web UI
or the CLI); what this module does on its own (printing, marking) it audits.
"""

import dataclasses
import logging
import time

from sync.errors import ClockUntrusted, HembasError, NoPlan
from sync.store.database import Database

from .a4 import staff_name
from .binder import render_binder, when_text
from .binder_changes import changes_pdf
from .binder_diff import binder_period, diff, snapshot
from .cups import DONE, FAILED, A4Printer

logger = logging.getLogger(__name__)

KEEP_SENT = 2  # a record is kept until CUPS says how its job went


class NoBinder(HembasError, LookupError):
    """No binder has been printed (or made) yet."""


@dataclasses.dataclass(frozen=True)
class ChangeList:
    data: bytes          # the PDF
    changes: object      # printer.binder_diff.Changes
    binder: object       # printer.binder.Binder made to compare with
    record: dict         # its record


class BinderStore:
    """The binder records of one box."""

    def __init__(self, box, *, printer=None):
        self.box = box
        self.printer = printer or A4Printer(box)
        self._db = Database(box.data_dir / "binder.json")
        self._reminder = (0.0, None)

    # -- records ----------------------------------------------------------------------------

    def printed(self):
        """The record of the binder on the shelf, or None; a finished A4 job counts."""
        self._settle()
        return self._get("printed")

    def made(self):
        """The record of the last binder rendered (downloaded, written or sent), or None."""
        return self._get("made")

    # -- actions ----------------------------------------------------------------------------

    def make(self, *, by):
        """Render the binder of the current two weeks; returns (Binder, record). Not audited here."""
        period = binder_period(self.box)
        settings = self.box.config["printer"]
        now = self.box.clock.status().now
        binder = render_binder(period, settings=settings, printed_at=now, printed_by=self._name(by),
                               replaces=self.printed())
        record = {**snapshot(period, settings), "made_at": now.isoformat(timespec="seconds"),
                  "made_by": self._name(by), "actor": by, "pages": binder.pages, "page_count": binder.page_count}
        with self._db.transaction():
            self._put("made", record)
        return binder, record

    def mark_printed(self, *, by, record=None):
        """The last binder made (or *record*) is now the one on the shelf; audited."""
        record = record or self.made()
        if record is None:
            raise NoBinder("ingen pärm är gjord än: hämta eller skriv ut pärmen först")
        with self._db.transaction():
            self._put("printed", record)
        self.box.audit.record("binder.printed", actor=by, target=record["version"],
                              detail={"made_at": record["made_at"], "pages": record["page_count"]})
        logger.info("binder %s (made %s) marked printed by %s", record["version"], record["made_at"], by)
        return record

    def changes(self, *, by):
        """"Ändringar sedan senaste pärmen" against a freshly made binder: a :class:`ChangeList`."""
        printed = self.printed()
        if printed is None:
            raise NoBinder("ingen pärm är markerad som utskriven: skriv ut hela pärmen först")
        binder, current = self.make(by=by)
        found = diff(printed, current)
        data = changes_pdf(found, printed=printed, current=current, printed_at=self.box.clock.status().now)
        return ChangeList(data=data, changes=found, binder=binder, record=current)

    def print_a4(self, *, by, what="binder"):
        """Send the binder (``binder``), only its changed pages (``pages``) or the change list
        (``changes``) to the A4 printer; returns the A4 job."""
        if what not in ("binder", "pages", "changes"):
            raise ValueError(f"unknown binder print {what!r}")
        pages = ""
        if what == "binder":
            binder, current = self.make(by=by)
        else:
            found = self.changes(by=by)
            binder, current = found.binder, found.record
            if what == "changes":
                return self.printer.submit(found.data, title=f"Hembas ändringar {current['version']}",
                                           kind="changes", ordered_by=by,
                                           detail={"version": current["version"],
                                                   "clients": changed_clients(found.changes)})
            if not found.changes:
                raise NoBinder("inga ändringar: pärmen stämmer med planen")
            pages = page_ranges(current, found.changes.sections())
        job = self.printer.submit(binder.data, title=f"Hembas pärm {current['version']}", kind=what,
                                  ordered_by=by, pages=pages,
                                  detail={"version": current["version"], **view_detail(current)})
        with self._db.transaction():
            sent = self._db.table("sent")
            sent.insert({"job": job["id"], "record": current})
            old = sorted(doc.doc_id for doc in sent.all())[:-KEEP_SENT]
            if old:
                sent.remove(doc_ids=old)
        return job

    def refresh(self):
        """Ask CUPS how unfinished A4 jobs went; a binder job that is done puts its binder on the shelf."""
        if self.printer.configured:
            self.printer.refresh()
        self._settle()

    # -- the reminder -------------------------------------------------------------------------

    def reminder(self, *, max_age=0):
        """Whether the printed binder is older than the plan by more than ``[binder]`` allows.

        ``{"printed": record or None, "changes": n, "new_days": n, "stale": bool, "reason": "..."}``;
        *max_age* seconds lets the lights reuse an answer instead of comparing every second.
        """
        at, answer = self._reminder
        if answer is not None and time.monotonic() - at < max_age:
            return answer
        answer = self._remind()
        self._reminder = (time.monotonic(), answer)
        return answer

    def _remind(self):
        printed = self.printed()
        if printed is None:
            return {"printed": None, "changes": 0, "new_days": 0, "stale": False,
                    "reason": "ingen pärm är utskriven"}
        summary = {k: printed[k] for k in ("version", "made_at", "made_by", "page_count")}
        try:
            found = diff(printed, snapshot(binder_period(self.box), self.box.config["printer"]))
        except (ClockUntrusted, NoPlan) as exc:
            return {"printed": summary, "changes": 0, "new_days": 0, "stale": False, "reason": str(exc)}
        settings = self.box.config["binder"]
        count, days = found.count(), len(found.new_days)
        stale = count > settings["remind_changes"] or days > settings["remind_days"]
        made = when_text(printed["made_at"], self.box.clock.tz)
        if not found:
            reason = f"pärmen från {made} stämmer med planen"
        else:
            reason = (f"pärmen från {made}: {count} {'ändring' if count == 1 else 'ändringar'} och {days} "
                      f"{'ny dag' if days == 1 else 'nya dagar'} sedan utskriften"
                      + (" – skriv ut ändringarna" if stale else ""))
        return {"printed": summary, "changes": count, "new_days": days, "stale": stale, "reason": reason}

    # -- internals ------------------------------------------------------------------------------

    def _settle(self):
        """A binder sent to the A4 printer is on paper once CUPS says the job is done."""
        sent = self._db.table("sent").all()
        if not sent:
            return
        with self._db.transaction():
            for doc in self._db.table("sent").all():
                job = self.printer.job(doc["job"])
                if job is None or job["state"] == FAILED:
                    self._db.table("sent").remove(doc_ids=[doc.doc_id])
                elif job["state"] == DONE:
                    self._db.table("sent").remove(doc_ids=[doc.doc_id])
                    current = self._get("printed")
                    if current is None or current["made_at"] <= doc["record"]["made_at"]:
                        self.mark_printed(by=job["ordered_by"], record=doc["record"])

    def _name(self, by):
        """Who made a binder, as its cover says it."""
        if by == "cli":
            return "kommandoraden"
        plan = self.box.mirror.current()
        return staff_name(plan.staff, by) if plan else by

    def _get(self, slot):
        doc = self._db.table(slot).get(doc_id=1)
        return dict(doc) if doc else None

    def _put(self, slot, record):
        table = self._db.table(slot)
        table.truncate()
        table.insert(record)


def page_ranges(record, sections):
    """The pages of *sections* in *record*'s binder, as CUPS page-ranges: ``"1-2,5-8,71"``."""
    spans = sorted(tuple(record["pages"][key]) for key in sections if key in record["pages"])
    merged = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in merged)


def view_detail(record):
    """What the audit entry of a binder view records: every client in it."""
    return {"clients": sorted(record["clients"]), "pages": record["page_count"]}


def changed_clients(changes):
    """The clients a change list names (what its audit entry records as viewed)."""
    rows = [*changes.added, *changes.removed, *(pair[1] for pair in changes.changed)]
    return sorted({row.client_id for row in rows} | set(changes.clients))
