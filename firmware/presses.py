"""What a press of the button does: ask the print queue, answer with the lights.

The firmware decides nothing about printing itself; the queue knows what
"today" is (from the trusted clock) and refuses a second set while one is
pending.  Every press is acknowledged by a flash, so the person at the box
knows it was heard; the lights then show the state again (busy while the
set prints, red when the clock refused "today")::

    actions = ButtonActions(queue, lights)
    actions.short_press()   # "queued", "already_queued" or "refused"
    actions.long_press()    # status slip + contact list
"""

import logging

from sync.errors import HembasError

logger = logging.getLogger(__name__)

ORDERED_BY = "knappen"

QUEUED = "queued"
ALREADY_QUEUED = "already_queued"
REFUSED = "refused"


class ButtonActions:
    """The short and the long press, against a PrintQueue and a Lights."""

    def __init__(self, queue, lights):
        self.queue = queue
        self.lights = lights

    def short_press(self):
        """Queue today's run-sheets for everyone with visits today."""
        self.lights.acknowledge()
        try:
            jobs = self.queue.print_today_sheets(ordered_by=ORDERED_BY)
        except HembasError as exc:  # ClockUntrusted, NoPlan, StoreError
            logger.warning("button: no run-sheets: %s", exc)
            return REFUSED
        if not jobs:
            logger.info("button: nothing new to print (a set is pending or nobody works today)")
            return ALREADY_QUEUED
        logger.info("button: %d run-sheet(s) queued", len(jobs))
        return QUEUED

    def long_press(self):
        """Queue the status slip and the team's contact list, unless printing already."""
        self.lights.acknowledge()
        if self.queue.status()["pending"]:
            logger.info("button: long press while printing, nothing added")
            return ALREADY_QUEUED
        queued = 0
        for kind in ("status", "contacts"):
            try:
                self.queue.print_slip(kind, ordered_by=ORDERED_BY)
                queued += 1
            except HembasError as exc:
                logger.warning("button: no %s slip: %s", kind, exc)
        return QUEUED if queued else REFUSED
