"""The plan mirror: the current plan snapshot, the one before it, and nothing else.

The snapshots live in one TinyDB file (``plan.json``) written atomically, so
an import either happened completely or not at all.  The parsed plan with
its indexes is held in memory and reloaded only when another process (the
CLI, the sync service) has replaced the file::

    mirror = PlanMirror(data_dir)
    mirror.import_document(document, source="usb", today=box.current_shift().date)  # the working day
    plan = mirror.current()          # a sync.plan.model.Plan, or None
    mirror.rollback()                 # back to the previous snapshot
"""

import datetime as dt
import logging
import threading
from pathlib import Path

from ..errors import NoPlan, PlanStale
from .database import Database, clean_orphans
from ..plan.validate import parse_plan

logger = logging.getLogger(__name__)

SLOTS = "snapshots"


class PlanMirror:
    """The team plan as last imported, readable by any number of threads."""

    def __init__(self, data_dir, *, retention_days=7):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        clean_orphans(self.data_dir)
        self.retention_days = retention_days
        self._db = Database(self.data_dir / "plan.json")
        self._cache_lock = threading.Lock()
        self._cached_doc = None
        self._cached_plan = None

    def _snapshots(self):
        table = self._db.read_all().get(SLOTS, {})
        return table.get("current"), table.get("previous")

    def current(self):
        """The current :class:`~sync.plan.model.Plan`, or None when nothing was imported."""
        current, _ = self._snapshots()
        if current is None:
            return None
        with self._cache_lock:
            if current is not self._cached_doc:
                self._cached_plan = parse_plan(current["document"])
                self._cached_doc = current
            return self._cached_plan

    def generated_at(self):
        """When the current plan was made (a datetime), without parsing the whole plan; None if none."""
        current, _ = self._snapshots()
        return None if current is None else dt.datetime.fromisoformat(current["document"]["generated_at"])

    def info(self, slot="current"):
        """Import metadata of a snapshot (source, imported_at), or None."""
        snapshot = dict(zip(("current", "previous"), self._snapshots())).get(slot)
        return None if snapshot is None else {k: v for k, v in snapshot.items() if k != "document"}

    def import_document(self, document, *, source, today, now=None, allow_older=False):
        """Validate *document* and make it the current plan; returns the new Plan.

        Nothing is written unless every rule passes.  Visits older than the
        retention window (counted back from *today*; None when the clock is
        not trusted, which keeps everything) are dropped from both snapshots.  A plan generated before the current one is refused unless
        *allow_older* (replaying an old plan would undo newer changes).
        """
        plan = parse_plan(document)
        now = now or dt.datetime.now(dt.timezone.utc)
        with self._db.transaction():
            current, _ = self._snapshots()
            if current is not None and not allow_older:
                held = dt.datetime.fromisoformat(current["document"]["generated_at"])
                if plan.generated_at < held:
                    raise PlanStale(f"planen är skapad {plan.generated_at.isoformat()}, "
                                    f"äldre än den som redan finns ({held.isoformat()})")
            cutoff = None if today is None else today - dt.timedelta(days=self.retention_days)
            new = {"document": prune(document, cutoff), "source": source,
                   "imported_at": now.isoformat(timespec="seconds"), "version": plan.version}
            previous = None if current is None else {**current, "document": prune(current["document"], cutoff)}
            self._write(new, previous)
            if new["document"] is document:
                with self._cache_lock:
                    self._cached_doc, self._cached_plan = new, plan
        logger.info("imported plan %s for team %s from %s", plan.version, plan.team.id, source)
        return self.current()

    def rollback(self):
        """Swap back to the previous snapshot; returns the restored Plan."""
        with self._db.transaction():
            current, previous = self._snapshots()
            if previous is None:
                raise NoPlan("det finns ingen tidigare plan att gå tillbaka till")
            self._write(previous, current)
        logger.warning("rolled back to plan %s", previous.get("version"))
        return self.current()

    def _write(self, current, previous):
        slots = {"current": current}
        if previous is not None:
            slots["previous"] = previous
        self._db.replace_all({SLOTS: slots})


def prune(document, cutoff):
    """A copy of *document* without visits dated before *cutoff* (retention)."""
    if cutoff is None:
        return document
    keep = cutoff.isoformat()
    visits = [v for v in document.get("visits", []) if v.get("date", "") >= keep]
    if len(visits) == len(document.get("visits", [])):
        return document
    return {**document, "visits": visits}
