"""What each kind of print job prints, rendered when the job is sent.

A queued job stores only its kind and parameters; the bytes are made at
sending time, so a sheet that waited an hour for paper still shows the
newest plan and this morning's reassignments.
"""

import datetime as dt
import logging

from sync import stick
from sync.certificate import box_status
from sync.day.fingerprint import route_fingerprint
from sync.day.handovers import written_for
from sync.errors import HembasError
from sync.plan.model import SHIFTS
from sync.provisioning import read_errors

from .binder_store import BinderStore
from .escpos_job import encode
from .sheets import long_date, plan_line, run_sheet
from .slips import contacts_slip, enrollment_slip, handover_slip, status_slip, substitute_slip

logger = logging.getLogger(__name__)

SLIP_KINDS = ("contacts", "status", "enrollment", "substitute", "handover")
KINDS = ("sheet",) + SLIP_KINDS
SECRET_KINDS = ("enrollment", "substitute")  # the paper is for its orderer only; nothing of it stays once printed
SECRET_PARAMS = ("code", "url")  # the enrollment link carries the code too


class JobInvalid(HembasError, ValueError):
    """A print job names something the plan does not have."""


def title(kind, params, plan=None):
    """The job's title as the web UI lists it (Swedish, no client data)."""
    if kind == "sheet":
        name = plan.staff[params["staff_id"]].name if plan and params["staff_id"] in plan.staff else params["staff_id"]
        return f"Körlista {name} {params['date']} {params.get('shift') or 'hela dagen'}"
    if kind == "enrollment":
        return f"Inloggningslapp {params.get('name', '')}".strip()
    if kind == "substitute":
        return f"Vikarielapp {params.get('name', '')}".strip()
    if kind == "handover" and params.get("shift"):
        return f"Överlämning till {params['shift'].replace('/', ' ')}"
    return {"contacts": "Kontaktlista", "status": "Statuslapp", "handover": "Överlämning"}[kind]


def render(box, kind, params, *, printer_state=""):
    """The ESC/POS bytes of one job, from the box as it is now."""
    settings = box.config["printer"]
    columns, printed_at = settings["columns"], box.clock.status().now
    if kind == "sheet":
        plan, date = box.plan(), dt.date.fromisoformat(params["date"])
        day = box.day(date)
        if params["staff_id"] not in day.staff:  # plan staff or that day's substitutes
            raise JobInvalid(f"personal {params['staff_id']} finns inte i planen")
        shift = box.shifts.shift(date, params["shift"]) if params.get("shift") else None
        receipt = run_sheet(plan, day, params["staff_id"], shift=shift, columns=columns,
                            printed_at=printed_at, web_url=settings["web_url"], print_times=settings["print_times"],
                            print_entry=settings["print_entry"], tick_boxes=settings["print_tick_boxes"])
    elif kind == "contacts":
        receipt = contacts_slip(box.plan(), columns=columns, printed_at=printed_at)
    elif kind == "status":
        receipt = status_slip(status_facts(box, printer_state=printer_state), columns=columns)
    elif kind == "enrollment":
        receipt = enrollment_slip(name=params["name"], code=params["code"], url=params["url"], columns=columns)
    elif kind == "substitute":
        receipt = substitute_slip(name=params["name"], code=params["code"], url=params["url"],
                                  until=params.get("until", ""), columns=columns)
    elif kind == "handover":
        shift = handover_shift(box, params)
        receipt = handover_slip(box.plan(), written_for(box.records, box.shifts, shift), shift=shift,
                                previous=box.shifts.previous(shift), columns=columns, printed_at=printed_at)
    else:
        raise JobInvalid(f"okänd utskrift {kind!r}")
    return encode(receipt, profile=settings["profile"], qr_mode=settings["qr"])


def fingerprint(box, kind, params):
    """What a sheet job shows, as :func:`sync.day.fingerprint.route_fingerprint` ("" for slips)."""
    if kind != "sheet":
        return ""
    date = dt.date.fromisoformat(params["date"])
    return route_fingerprint(box.plan(), box.day(date), params["staff_id"], shift=params.get("shift") or None)


def client_ids(box, kind, params):
    """The clients whose data a job prints (for the audit log of what the preview shows)."""
    if kind == "sheet":
        date = dt.date.fromisoformat(params["date"])
        return sorted({v.client_id for v in box.day(date).route(params["staff_id"], shift=params.get("shift") or None)})
    if kind == "handover":
        records = written_for(box.records, box.shifts, handover_shift(box, params))
        return sorted({r["client_id"] for r in records if r["client_id"]})
    return []


def handover_shift(box, params):
    """The shift a handover slip is for; a job queued before shifts existed names a date (its day shift)."""
    if params.get("shift"):
        return box.shifts.from_key(params["shift"])
    return box.shifts.shift(dt.date.fromisoformat(params["date"]), SHIFTS[0])


def status_facts(box, *, printer_state):
    """The lines of the status slip; works without a plan and with an untrusted clock."""
    clock = box.clock.status()
    plan = box.mirror.current()
    fresh = box.freshness()
    if plan is None:
        plan_text = "Ingen plan är inläst."
    else:
        plan_text = (f"{plan_line(plan, clock.now.tzinfo)}, gäller {plan.valid_from:%d/%m}-{plan.valid_to:%d/%m}."
                     + (" GAMMAL - kontrollera synkningen." if fresh["stale"] else ""))
    return {
        "team": plan.team.name if plan else box.config["team"]["id"],
        "url": box.config["printer"]["web_url"],
        "wifi": box.config["printer"]["wifi_name"],
        "plan": plan_text,
        "printer": printer_state or "okänt",
        "clock": (f"{long_date(clock.now.date())} {clock.now:%H:%M}: "
                  f"{clock.reason if clock.trusted else 'OSÄKER - ' + clock.reason}"),
        "printed_at": f"{clock.now.day}/{clock.now.month} {clock.now:%H:%M}",
        "setup_errors": [e["message"] for e in (read_errors(box.data_dir) or {}).get("errors", [])],
        "binder": binder_line(box),
        "certificate": _certificate_line(box),
        "usb": _last_stick(box, clock.now.tzinfo),
    }


def _certificate_line(box):
    """The slip's line on HTTPS: only when TLS is on; a warning in capitals, like a stale plan."""
    status = box_status(box)
    if status is None:
        return ""
    text = status["message"][:1].upper() + status["message"][1:] + "."
    return f"VARNING: {text}" if status["warning"] else text


def binder_line(box):
    """The status slip's line on the team's binder: on the shelf and in step, or out of date."""
    reason = BinderStore(box).reminder()["reason"]
    return reason[:1].upper() + reason[1:] + "."


def _last_stick(box, tz):
    """What the last USB stick did, for the slip printed right after it: a heading and its lines."""
    found = stick.read(box.data_dir)
    if found is None or found["state"] == stick.WORKING:
        return None
    at = dt.datetime.fromisoformat(found["at"]).astimezone(tz)
    outcome = "klar" if found["state"] == stick.DONE else "MISSLYCKADES"
    return {"title": f"USB-sticka {at.day}/{at.month} {at:%H:%M}: {outcome}", "lines": found.get("messages", [])}
