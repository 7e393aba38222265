"""What a press of the button does: ask the print queue, answer with the lights.

The firmware decides nothing about printing itself: the queue prints the
sheets of the shift that is on or starts within the lead time (from the
trusted clock, :meth:`sync.box.Box.current_shift`) — at 06:30 the day
shift, at 14:30 the evening, at 21:00 the night, at 01:30 the night that
began the evening before — and refuses a second set of that shift while
one is pending.  Every press is acknowledged by a flash, so the person at
the box knows it was heard; the lights then show the state again (busy
while the set prints, red when the clock refused "now")::

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
        """Queue the run-sheets of the shift on now or starting next, one per carer working it."""
        self.lights.acknowledge()
        try:
            jobs = self.queue.print_shift_sheets(ordered_by=ORDERED_BY)
        except HembasError as exc:  # ClockUntrusted, NoPlan, StoreError
            logger.warning("button: no run-sheets: %s", exc)
            return REFUSED
        if not jobs:
            logger.info("button: nothing new to print (the shift's set is pending or nobody works it)")
            return ALREADY_QUEUED
        logger.info("button: %d run-sheet(s) queued (%s)", len(jobs), jobs[0]["title"].rsplit(" ", 2)[-2:])
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
