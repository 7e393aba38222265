"""``hembas print …``: run-sheets, slips and the team's binder from the command line.

``print sheets`` without options prints the shift that is on or starts within
the lead time (:meth:`sync.box.Box.current_shift`): at 06:30 the day shift,
at 01:30 the night that began the evening before.  ``--date D --shift S``
names one shift, ``--date D`` or ``--whole-day`` a whole working day.

``print sheets`` and ``print slip`` queue jobs and then send them at once
unless the firmware daemon is already the worker (the queue's worker lock
decides); ``--to FILE`` writes the raw ESC/POS bytes instead of queueing.
"""

import datetime as dt
import sys
import time
from pathlib import Path

from sync.box import open_box
from sync.cli import add_command
from sync.errors import HembasError
from sync.plan.model import SHIFTS
from sync.store.database import atomic_write_bytes

from . import jobs as job_kinds
from .queue import PrintQueue

BINDER_WAIT_SECONDS = 30  # how long `print binder` waits for CUPS's answer before leaving it to the list
JOB_STATES = {"printing": "skickad, skrivs ut", "done": "klar", "failed": "misslyckades"}


def register(subparsers):
    printing = add_command(subparsers, "print", help="skriv ut körlistor och lappar")
    actions = printing.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    sheets = add_command(actions, "sheets", handler=cmd_sheets,
                         help="skriv ut körlistor (standard: passet som pågår eller börjar inom förberedelsetiden)")
    sheets.add_argument("--date", type=dt.date.fromisoformat, metavar="DATUM",
                        help="arbetsdagen, ÅÅÅÅ-MM-DD; utan --shift hela dagen (standard: passets arbetsdag)")
    sheets.add_argument("--shift", choices=SHIFTS, metavar="PASS", help="bara det här passet: dag, kväll eller natt")
    sheets.add_argument("--whole-day", action="store_true", help="hela arbetsdagen, alla pass")
    sheets.add_argument("--staff", metavar="ID", help="bara den här personen")
    sheets.add_argument("--to", type=Path, metavar="FIL", help="skriv ESC/POS-bytes till den här filen i stället")
    slip = add_command(actions, "slip", help="skriv ut kontaktlistan eller statuslappen", handler=cmd_slip)
    slip.add_argument("kind", choices=("contacts", "status"), help="kontaktlistan eller statuslappen")
    add_command(actions, "status", help="visa skrivaren och utskriftskön", handler=cmd_status)
    binder = add_command(actions, "binder", help="teamets pärm (A4): två veckor per dag och per brukare",
                         handler=cmd_binder)
    binder.add_argument("--to", type=Path, metavar="FIL", help="skriv PDF:en till den här filen i stället för A4-skrivaren")
    what = binder.add_mutually_exclusive_group()
    what.add_argument("--changes", action="store_true", help="bara listan Ändringar sedan senaste pärmen")
    what.add_argument("--pages", action="store_true", help="bara sidorna som ändrats (på A4-skrivaren)")
    what.add_argument("--mark-printed", action="store_true", help="den senast gjorda pärmen står nu i pärmhyllan")


def chosen_sheets(args, box):
    """(date, shift name or "" for the whole day) that the options ask for."""
    if args.whole_day and args.shift:
        raise HembasError("välj antingen --shift eller --whole-day")
    if args.date or args.shift or args.whole_day:
        return args.date or box.current_shift().date, args.shift or ""
    current = box.current_shift()
    return current.date, current.name


def cmd_sheets(args, config):
    box = open_box(config)
    queue = PrintQueue(box)
    date, shift = chosen_sheets(args, box)
    what = f"{shift or 'hela dagen'} {date.isoformat()}"
    if args.staff and args.staff not in box.plan().staff:
        raise HembasError(f"personal {args.staff} finns inte i planen")
    staff_ids = [args.staff] if args.staff else box.day(date).staff_ids(shift=shift or None)
    if args.to:
        data = b"".join(job_kinds.render(box, "sheet", {"staff_id": s, "date": date.isoformat(), "shift": shift})
                        for s in staff_ids)
        atomic_write_bytes(args.to, data)
        box.audit.record("print.sheets", actor="cli", target=what,
                         detail={"staff": staff_ids, "file": str(args.to)})
        print(f"{len(staff_ids)} körlistor ({what}, {len(data)} byte) skrivna till {args.to}.")
        return
    if args.staff:
        queued = [queue.print_sheet(args.staff, date, shift=shift, ordered_by="cli")]
    elif shift:
        queued = queue.print_shift_sheets(shift=box.shifts.shift(date, shift), ordered_by="cli")
    else:
        queued = queue.print_day_sheets(date, ordered_by="cli")
    if not queued:
        print(f"Inga nya körlistor för {what}: omgången skrivs redan ut, eller ingen har besök.")
    _send_now(queue, queued, what)


def cmd_slip(args, config):
    queue = PrintQueue(open_box(config))
    _send_now(queue, [queue.print_slip(args.kind, ordered_by="cli")])


def cmd_status(args, config):
    box = open_box(config)
    queue = PrintQueue(box)
    queue.check_printer()
    status = queue.status()
    tz = box.clock.tz
    print(f"Skrivare:  {config['printer']['backend']} – {status['state']}: {status['reason']}")
    print(f"I kö:      {status['pending']}" + (" (skriver ut nu)" if status["busy"] else ""))
    _print_jobs(queue.jobs(limit=10), tz)
    from .binder_store import BinderStore

    binders = BinderStore(box)
    if binders.printer.configured:
        binders.refresh()
        a4 = binders.printer.status()
        print(f"A4-skrivare: {binders.printer.queue_name} – {a4['state']}: {a4['reason']}")
        _print_jobs(binders.printer.jobs(limit=5), tz)
    print(f"Pärmen:    {binders.reminder()['reason']}")


def _print_jobs(jobs, tz):
    for job in jobs:
        created = dt.datetime.fromisoformat(job["created_at"]).astimezone(tz)
        print(f"  {created:%Y-%m-%d %H:%M}  {job['state']:<8}  {job['title']}"
              f"  ({job['ordered_by']}){'  – ' + job['last_error'] if job['last_error'] else ''}")


def _send_now(queue, queued, what=""):
    if not queued:
        return
    sent = queue.process_once()
    status = queue.status()
    print(f"{len(queued)} utskrift(er) i kön{' (' + what + ')' if what else ''}, {sent} skickade nu.")
    if status["pending"]:
        print(f"Väntar: {status['reason']} ({status['pending']} kvar i kön).", file=sys.stderr)


def cmd_binder(args, config):
    """The team's binder: to a file, to the A4 printer (CUPS), or marked as the one on the shelf."""
    from .binder import when_text
    from .binder_store import BinderStore, changed_clients, view_detail

    box = open_box(config)
    store = BinderStore(box)
    if args.mark_printed:
        if args.to:
            raise HembasError("--mark-printed skriver ingen fil; ta bort --to")
        record = store.mark_printed(by="cli")
        print(f"Pärmen från {when_text(record['made_at'], box.clock.tz)} (plan {record['version']}, "
              f"{record['page_count']} sidor) är markerad som utskriven.")
        return
    if args.to:
        if args.pages:
            raise HembasError("--pages skriver ut på A4-skrivaren; använd --changes --to FIL för listan")
        if args.changes:
            found = store.changes(by="cli")
            data, action, detail = found.data, "binder.changes", {"clients": changed_clients(found.changes)}
            record = found.record
        else:
            binder, record = store.make(by="cli")
            data, action, detail = binder.data, "binder.pdf", view_detail(record)
        atomic_write_bytes(args.to, data)
        box.audit.record(action, actor="cli", target=record["version"], detail={**detail, "file": str(args.to)})
        print(f"{'Ändringslistan' if args.changes else 'Pärmen'} ({len(data)} byte) skriven till {args.to}.")
        return
    job = store.print_a4(by="cli", what="changes" if args.changes else "pages" if args.pages else "binder")
    deadline = time.monotonic() + BINDER_WAIT_SECONDS
    while job["state"] == "printing" and time.monotonic() < deadline:
        time.sleep(0.5)
        store.printer.refresh()
        job = store.printer.job(job["id"])
    print(f"{job['title']}: {JOB_STATES.get(job['state'], job['state'])}"
          + (f" ({job['last_error']})" if job["last_error"] else "") + ".")
    if job["state"] == "failed":
        return 1
    store.refresh()  # a finished binder job puts the binder on the shelf
