"""Handovers follow the shifts: each shift reads what the shift before it wrote.

Night hands over to day at 07:00, day to evening, evening to night (see
:meth:`sync.day.shifts.ShiftSchedule.previous`).  A ``handover`` record
carries the key of the shift it was written in (``shift``, e.g.
``2026-11-27/natt``); records written before shifts existed have none and
count for the shift that was on when they were written::

    notes = written_for(box.records, box.shifts, shift)   # what the shift before wrote for this one
"""

import datetime as dt

from ..store.records import without_corrected

SLACK = dt.timedelta(hours=12)  # a handover may be written before its shift begins (lead time, preference)


def written_in(record, schedule):
    """The :class:`~sync.day.shifts.Shift` a handover record was written in."""
    key = record.get("shift", "")
    if key:
        try:
            return schedule.from_key(key)
        except ValueError:
            pass  # a key from a base with other shift names: fall back to the time it was written
    return schedule.current(dt.datetime.fromisoformat(record["device_time"]))


def written_for(records, schedule, shift):
    """The standing handovers that the shift before *shift* wrote for it, oldest first.

    *records* is the box's :class:`~sync.store.records.Records`; only the
    records of the hours around the previous shift are read.
    """
    previous = schedule.previous(shift)
    since = (previous.start - SLACK).astimezone(dt.timezone.utc)
    found = without_corrected(records.find(kind="handover", since=since))
    return [r for r in found if written_in(r, schedule) == previous]


def write_handover(records, shift, *, author, text, client_id="", plan_version=""):
    """Record a handover written in *shift* (for the shift after it); returns the record.

    *shift* None (the clock is not trusted) stores it without one, so
    nothing written is lost; :func:`written_in` then goes by its time.
    """
    return records.append("handover", author=author, body={"text": text}, client_id=client_id,
                          plan_version=plan_version, date=shift.date if shift else None,
                          shift=shift.key if shift else "")
