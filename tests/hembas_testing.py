"""Constants and helpers for tests (importable from any test folder)."""

import datetime as dt
import socket
from pathlib import Path

from sync.clock import Clock

STOCKHOLM = dt.timezone(dt.timedelta(hours=1))
TODAY = dt.date(2026, 11, 27)
NOW = dt.datetime(2026, 11, 27, 7, 30, tzinfo=STOCKHOLM)


def fixed_clock(data_dir, now=NOW, **kwargs):
    """A Clock whose system time is *now*, with no NTP marker, RTC or boot id from this machine."""
    return Clock(data_dir, system_now=lambda: now, sync_marker=data_dir / "no-ntp",
                 rtc_path=data_dir / "no-rtc", boot_id_path=data_dir / "boot_id", **kwargs)


def pdftotext(data, *, layout=True):
    """The text of PDF *data* as poppler's pdftotext reads it; pages are separated by form feeds."""
    import subprocess

    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=data, capture_output=True, check=True, timeout=60).stdout.decode("utf-8")


def binder_on_the_shelf(box):
    """A BinderStore whose binder, made now, is marked printed: where every change list starts."""
    from printer.binder_store import BinderStore

    store = BinderStore(box)
    store.make(by="s1")
    store.mark_printed(by="s1")
    return store


def move_visit(box, visit, staff_ids, *, by="s1"):
    """Give *visit* to *staff_ids* as the morning meeting does (``sync.day.changes.assign``)."""
    from sync.day.changes import assign, audit_as

    return assign(box, visit.date, [(visit.id, list(staff_ids))], author=by, audit=audit_as(box, by))


def idle_sockets(port, addresses, per_address, *, timeout=10):
    """Connections to 127.0.0.1:*port* that send nothing, *per_address* from each source address.

    Linux routes all of 127.0.0.0/8 to loopback, so a socket bound to
    127.0.1.5 is another address to the server: one test plays many phones.
    """
    sockets = []
    try:
        for address in addresses:
            for _ in range(per_address):
                conn = socket.socket()
                sockets.append(conn)
                conn.bind((address, 0))
                conn.settimeout(timeout)
                conn.connect(("127.0.0.1", port))
    except OSError:
        for conn in sockets:
            conn.close()
        raise
    return sockets


def at(date, hh_mm):
    """*date* at *hh_mm* in the box's time zone (late November: +01:00)."""
    return dt.datetime.combine(date, dt.time.fromisoformat(hh_mm), STOCKHOLM)


SATURDAY = TODAY + dt.timedelta(days=1)
# The four times of day of issue 11, later than NOW (a fixed clock must not run backwards past what the
# box has seen), with the shift the button prints then and that shift's working day.
FOUR_TIMES = {
    "06:30": (at(SATURDAY, "06:30"), "dag", SATURDAY),       # the day shift starts within the lead time
    "14:30": (at(TODAY, "14:30"), "kväll", TODAY),
    "21:00": (at(TODAY, "21:00"), "natt", TODAY),
    "01:30": (at(SATURDAY, "01:30"), "natt", TODAY),         # the night that began the evening before
}


def set_clock(box, now):
    """Give *box* a trusted fixed clock at *now*; returns it."""
    box.clock = fixed_clock(box.data_dir, now=now)
    return box.clock


# -- real headless Chromium (tests/web): screenshots, the phone's width, signing in ---------------

SHOTS = Path(__file__).parents[1] / "test-artifacts" / "web"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def sign_in(page, base, name, pin):
    page.goto(base + "/")
    assert page.url.startswith(base + "/logga-in")
    known = page.get_by_role("radio", name=name)  # a phone that signed in before offers the name
    if known.count():
        known.check()
    else:
        page.get_by_label("Ditt namn").fill(name)
    page.get_by_label("PIN-kod").fill(pin)
    page.get_by_role("button", name="Logga in").click()
