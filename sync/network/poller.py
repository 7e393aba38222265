"""One sync cycle (pull the plan, push the journal) and the loop that repeats it.

The loop waits ``poll_minutes`` (±10 % jitter, so a municipality's boxes do
not all call at once) after a good contact, and backs off exponentially
with full jitter while the hub is unreachable, up to ``max_backoff_minutes``.
The next due time is kept in :class:`~sync.network.status.SyncStatus`, so
``hembas sync now --if-due`` from a systemd timer honours the backoff too::

    report = run_cycle(box)            # one pull-and-push
    Poller(box).run(stop_event)        # the daemon loop
"""

import datetime as dt
import logging
import random
import threading
from dataclasses import dataclass, field

from .bundle import expected_team
from ..errors import HembasError
from .hubclient import HubClient, HubError, HubUnreachable
from .pull import pull_certificate, pull_plan
from .push import push_journal
from .status import SyncStatus

logger = logging.getLogger(__name__)


@dataclass
class CycleReport:
    ok: bool
    plan_changed: bool = False
    plan_version: str = ""
    sent: int = 0
    messages: list = field(default_factory=list)
    next_attempt: dt.datetime | None = None


def next_delay(failures, *, poll_seconds, max_seconds, rng=random):
    """Seconds to wait before the next try after *failures* failures in a row."""
    if failures <= 0:
        return poll_seconds * rng.uniform(0.9, 1.1)
    ceiling = min(max_seconds, poll_seconds * 2 ** (failures - 1))
    return rng.uniform(ceiling / 2, ceiling)


def client_for(box):
    hub = box.config["hub"]
    return HubClient(hub["url"], team=expected_team(box), timeout=hub["timeout_seconds"])


def run_cycle(box, *, client=None, status=None, now=None, rng=random):
    """Pull, then push; records the outcome in SyncStatus and returns a :class:`CycleReport`.

    A refused bundle or request does not stop the push (the hub is
    reachable); an unreachable hub stops the cycle and counts towards the
    backoff.
    """
    status = status or SyncStatus(box.data_dir)
    now = now or dt.datetime.now(dt.timezone.utc)
    report = CycleReport(ok=True)
    try:
        client = client or client_for(box)
        pulled = _refusable(report, "planen avvisades", lambda: pull_plan(box, client, status))
        if pulled:
            report.plan_changed, report.plan_version = pulled.changed, pulled.plan_version
            report.messages.append(pulled.message)
        renewed = _refusable(report, "certifikatet avvisades", lambda: pull_certificate(box, client, now=now))
        if renewed:
            report.messages.append(renewed)
    except HubUnreachable as exc:
        return _failed(report, status, str(exc), now, box, rng)
    try:
        report.sent = push_journal(box, client, status, now=now)
        if report.sent:
            report.messages.append(f"{report.sent} poster kvitterade av hubben")
    except HubUnreachable as exc:
        return _failed(report, status, str(exc), now, box, rng)
    except HubError as exc:
        report.ok = False
        report.messages.append(f"sändningen avvisades: {exc}")
    report.next_attempt = now + dt.timedelta(seconds=_delay(box, 0, rng))
    if report.ok:
        status.attempt_succeeded(now=now, next_attempt=report.next_attempt.isoformat(timespec="seconds"))
    else:
        status.update(last_attempt=now.isoformat(timespec="seconds"), last_success=now.isoformat(timespec="seconds"),
                      last_error=report.messages[-1], failures=0,
                      next_attempt=report.next_attempt.isoformat(timespec="seconds"))
    return report


def _refusable(report, refused, step):
    """*step*'s result, or None when the hub's answer was refused (noted in *report*; the cycle goes on).

    HubUnreachable is not a refusal: it ends the cycle (see :func:`run_cycle`).
    """
    try:
        return step()
    except HubUnreachable:
        raise
    except HembasError as exc:
        report.ok = False
        report.messages.append(f"{refused}: {exc}")
        logger.warning("%s: %s", refused, exc)
        return None


def is_due(box, *, now=None):
    """Whether the backoff allows a try now (always true when never tried)."""
    due = SyncStatus(box.data_dir).read()["next_attempt"]
    now = now or dt.datetime.now(dt.timezone.utc)
    return not due or dt.datetime.fromisoformat(due) <= now


def _delay(box, failures, rng):
    hub = box.config["hub"]
    return next_delay(failures, poll_seconds=hub["poll_minutes"] * 60,
                      max_seconds=hub["max_backoff_minutes"] * 60, rng=rng)


def _failed(report, status, reason, now, box, rng):
    report.ok = False
    report.messages.append(reason)
    failures = status.read()["failures"] + 1
    report.next_attempt = now + dt.timedelta(seconds=_delay(box, failures, rng))
    status.attempt_failed(reason, now=now, next_attempt=report.next_attempt.isoformat(timespec="seconds"))
    logger.warning("sync failed (%d in a row): %s", failures, reason)
    return report


class Poller:
    """Runs :func:`run_cycle` until *stop_event* is set."""

    def __init__(self, box, *, rng=random):
        self.box = box
        self.rng = rng

    def run(self, stop_event=None):
        stop_event = stop_event or threading.Event()
        while not stop_event.is_set():
            try:
                report = run_cycle(self.box, rng=self.rng)
                wait = (report.next_attempt - dt.datetime.now(dt.timezone.utc)).total_seconds()
            except Exception:  # the daemon's edge: log, back off, keep going
                logger.exception("sync cycle crashed")
                wait = _delay(self.box, 3, self.rng)
            stop_event.wait(max(wait, 1.0))
