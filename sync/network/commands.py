"""``hembas sync …``, ``hembas hub …`` and ``hembas usb …``: the network and stick paths."""

import datetime as dt
import signal
import threading
from pathlib import Path

from ..box import open_box
from ..cli import add_command, print_json
from ..errors import HembasError
from .keys import box_public_key
from .poller import Poller, is_due, run_cycle
from .push import pending_counts
from .signing import key_id
from .status import SyncStatus
from .usb import export_to_stick, import_from_stick


def register(subparsers):
    sync = add_command(subparsers, "sync", help="hämta plan från och skicka anteckningar till hubben")
    actions = sync.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    now = add_command(actions, "now", help="en hämtning och sändning nu", handler=cmd_sync_now)
    now.add_argument("--if-due", action="store_true", help="hoppa över om det inte är dags än (intervall eller väntan efter fel)")
    add_command(actions, "run", help="hämta och skicka i en slinga (tjänsten)", handler=cmd_sync_run)
    status = add_command(actions, "status", help="visa senaste kontakt med hubben", handler=cmd_sync_status)
    status.add_argument("--json", action="store_true", help="skriv ut som JSON")

    usb = add_command(subparsers, "usb", help="plan och anteckningar via USB-sticka")
    usb_actions = usb.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    imp = add_command(usb_actions, "import", help="läs in planen från en sticka", handler=cmd_usb_import)
    imp.add_argument("path", type=Path, metavar="SÖKVÄG", help="stickans mapp eller en .bundle-fil")
    exp = add_command(usb_actions, "export", help="skriv allt okvitterat krypterat till en sticka",
                      handler=cmd_usb_export)
    exp.add_argument("path", type=Path, metavar="SÖKVÄG", help="stickans mapp")

    from ..hub.commands import register_hub
    register_hub(subparsers)


def cmd_sync_now(args, config):
    box = open_box(config)
    if args.if_due and not is_due(box):
        return
    report = run_cycle(box)
    for message in report.messages:
        print(message)
    if not report.ok:
        raise HembasError(report.messages[-1])


def cmd_sync_run(args, config):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # systemd stops the service cleanly
    Poller(open_box(config)).run(stop)


def sync_status(box):
    """Everything ``sync status`` shows, as a dict."""
    public = box_public_key(box.data_dir)
    return {**SyncStatus(box.data_dir).read(), "pending": pending_counts(box),
            "hub_url": box.config["hub"]["url"], "box_public_key": public, "box_id": key_id(public)}


def cmd_sync_status(args, config):
    status = sync_status(open_box(config))
    if args.json:
        print_json(status)
        return
    print(f"Hubb:              {status['hub_url'] or '(ingen – nätverkssynk avstängd)'}")
    print(f"Senaste försök:    {status['last_attempt'] or '–'}")
    print(f"Senast lyckad:     {status['last_success'] or '–'}")
    print(f"Senast ny plan:    {status['last_change'] or '–'} {status['plan_version']}")
    print(f"Senaste fel:       {status['last_error'] or '–'}")
    print(f"Nästa försök:      {status['next_attempt'] or '–'}")
    print(f"Ej kvitterat:      {status['pending']['records']} poster, {status['pending']['audit']} loggrader")
    print(f"Lådans nyckel:     {status['box_public_key']} (id {status['box_id']})")


def cmd_usb_import(args, config):
    box = open_box(config)
    plan = import_from_stick(box, args.path, by="cli")
    print(f"Plan {plan.version} inläst från stickan ({plan.valid_from}–{plan.valid_to}).")


def cmd_usb_export(args, config):
    box = open_box(config)
    path, count = export_to_stick(box, args.path, by="cli", now=dt.datetime.now(dt.timezone.utc))
    print(f"{count} poster skrivna krypterade till {path}. Lämna filen till kommunens hubb.")
