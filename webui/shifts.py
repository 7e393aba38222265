"""Which shift a page shows: the one I am on or about to start, or the one its URL names.

Every page goes by :meth:`sync.box.Box.current_shift` for the signed-in
person (a shift around now in which they have visits wins), cached for the
request.  Its ``date`` is the *working day*: at 01:30 the night that began
yesterday.  ``?datum=2026-11-27&pass=natt`` (a run-sheet's QR code, a tab)
names another shift::

    shift = current_shift()        # None while the clock is untrusted
    shift = shift_asked(staff_id)  # the URL's shift, else staff_id's current one
    tabs = shift_tabs(".index", shift, count)   # the working day's shifts and the days around
"""

import datetime as dt
from urllib.parse import urlencode

from flask import g, request, url_for

from sync.errors import ClockUntrusted
from sync.plan.model import SHIFTS

from .formatting import weekday_date
from .state import get_box

FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)  # a ``datum`` outside is ignored


def current_shift():
    """The shift the signed-in person is on or about to start, or None while the clock is untrusted.

    Its ``date`` is the working day (at 01:30 the night that began
    yesterday); pages say so instead of guessing when it is None.
    """
    if "shift" not in g:
        user = g.get("user")
        try:
            g.shift = get_box().current_shift(staff_id=(user["staff_id"] if user else "") or None)
        except ClockUntrusted:
            g.shift = None
    return g.shift


def shift_asked(staff_id):
    """The shift a page shows: ``datum`` and ``pass`` from the URL, else the one *staff_id* is on or about to start.

    ``datum`` alone (an older run-sheet's QR code) means that day's current
    shift if it is today's working day, else the first shift with visits
    of *staff_id*.  None while the clock is untrusted and the URL names no day.
    """
    box = get_box()
    name = request.args.get("pass")
    name = name if name in SHIFTS else None
    date = date_asked()
    me = g.user["staff_id"] if g.get("user") else ""
    if staff_id == me:
        current = current_shift()
    else:
        try:
            current = box.current_shift(staff_id=staff_id or None)
        except ClockUntrusted:
            current = None
    if date is None and (current is None or name is None):
        return current
    date = date or current.date
    if name is None:
        if current is not None and current.date == date:
            return current
        day = box.day(date)
        name = next((n for n in SHIFTS if staff_id and day.route(staff_id, shift=n)), SHIFTS[0])
    return box.shifts.shift(date, name)


def date_asked():
    """The working day the URL names (``datum``), or None; no plan is dated 0001-01-01."""
    try:
        date = dt.date.fromisoformat(request.args.get("datum", ""))
    except ValueError:
        return None
    return date if FIRST_DATE <= date <= LAST_DATE else None


def shift_tabs(endpoint, shown, count, **args):
    """Links to every shift of *shown*'s working day and to the days around it, for one tap.

    *count* gives the number shown on a shift's tab (its visits).
    """
    box = get_box()
    base = url_for(endpoint)  # once: url_for with a query costs a tenth of a millisecond each

    def link(date, name):
        return f"{base}?{urlencode({'datum': date.isoformat(), 'pass': name, **args})}"

    def day_link(days):
        date = shown.date + dt.timedelta(days=days)
        return {"label": weekday_date(date), "url": link(date, shown.name)}

    shifts = [{"label": s.name.capitalize(), "hours": s.hours, "count": count(s),
               "url": link(s.date, s.name), "current": s == shown} for s in box.shifts.shifts_on(shown.date)]
    return {"shifts": shifts, "previous": day_link(-1), "next": day_link(1)}


def working_day():
    """The current shift's working day, or None while the clock is untrusted."""
    shift = current_shift()
    return shift.date if shift else None
