"""Dates, times and the freshness line in Swedish, as Jinja filters.

The freshness line is on every page: staff must see at a glance whether
the plan in front of them is the current one.  When the box's clock is not
trusted, "today" is unknown and the line says so instead of guessing.
"""

import datetime as dt
from urllib.parse import quote

from flask import g
from flask_babel import gettext as _

from sync.day.shifts import window_label
from sync.day.swedish import MONTHS, SHIFT_TITLES, WEEKDAYS
from sync.day.timing import duration_text

from .state import get_box


def short_date(value):
    """27 nov"""
    return f"{value.day} {MONTHS[value.month - 1][:3]}"


def long_date(value):
    """fredag 27 november"""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]}"


def weekday_date(value):
    """fre 27/11"""
    return f"{WEEKDAYS[value.weekday()][:3]} {value.day}/{value.month}"


def ago(delta):
    """How long ago, roughly: "12 min sedan", "3 tim sedan", "2 dagar sedan"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        return _("i framtiden")
    if minutes < 60:
        return _("%(num)d min sedan", num=minutes)
    if minutes < 48 * 60:
        return _("%(num)d tim sedan", num=minutes // 60)
    return _("%(num)d dagar sedan", num=minutes // (24 * 60))


def local_time(iso_text):
    """An ISO timestamp from a record or the audit log, as '27 nov 07:31' in the box's time zone."""
    if not iso_text:
        return ""
    value = dt.datetime.fromisoformat(iso_text).astimezone(get_box().clock.tz)
    return f"{short_date(value)} {value:%H:%M}"


def maps_link(address):
    """A geo: link: opens the phone's own map app, no internet service named."""
    return "geo:0,0?q=" + quote(address)


def tel_link(phone):
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def freshness(box):
    """The freshness line as ``{"text": ..., "warn": bool}``."""
    plan = box.mirror.current()
    status = box.clock.status()
    if plan is None:
        return {"text": _("Ingen plan är inläst."), "warn": True}
    made = plan.generated_at.astimezone(box.clock.tz)
    text = _("Plan från %(date)s kl %(time)s", date=short_date(made), time=made.strftime("%H:%M"))
    if not status.trusted:
        return {"text": text + " – " + _("klockan är inte bekräftad, dagens datum är okänt."), "warn": True}
    fresh = box.freshness()
    text += f" ({ago(status.now - plan.generated_at)})"
    if not fresh["covers_today"]:  # the current shift's working day
        text += " – " + _("gäller %(start)s–%(end)s, inte idag!", start=short_date(plan.valid_from), end=short_date(plan.valid_to))
    elif fresh["stale"]:
        text += " – " + _("gammal plan!")
    return {"text": text, "warn": fresh["stale"]}


def window_text(visit):
    """A visit's window on its shift's timeline: "22:30–lör 06:30", "lör 05:45–06:15"."""
    return window_label(visit, get_box().clock.tz)


def init_app(app):
    app.jinja_env.filters.update(short_date=short_date, long_date=long_date, weekday_date=weekday_date,
                                 local_time=local_time, maps_link=maps_link,
                                 tel_link=tel_link, window_text=window_text, duration=duration_text)
    app.jinja_env.globals.update(SHIFT_NAMES=SHIFT_TITLES)

    @app.context_processor
    def page_context():
        from .users import ROLE_NAMES
        return {"freshness": freshness(get_box()) if g.get("user") else None, "ROLE_NAMES": ROLE_NAMES,
                "user": g.get("user"), "endpoints": app.view_functions}
