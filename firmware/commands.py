"""``hembas firmware …``: run the box's daemon, press its button in the demo, see its lights."""

import logging
import signal
import threading

from sync.box import open_box
from sync.cli import add_command

from .control import daemon_status, request_press
from .signals import DESCRIPTIONS

logger = logging.getLogger(__name__)


def register(subparsers):
    firmware = add_command(subparsers, "firmware", help="knappen, lamporna och utskriftskön")
    actions = firmware.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    add_command(actions, "run", help="kör firmware-tjänsten tills SIGTERM", handler=cmd_run)
    press = add_command(actions, "press", help="tryck på knappen (bara med låtsasstift, i demon)",
                        handler=cmd_press)
    press.add_argument("--long", action="store_true", help="håll in den: statuslapp och kontaktlista")
    add_command(actions, "status", help="visa vad lamporna visar", handler=cmd_status)


def cmd_run(args, config):
    from printer.queue import PrintQueue  # the printer part; imported late, it is heavy

    from .daemon import Daemon  # gpiozero: only the daemon needs it
    from .pins import make_pin_factory

    box = open_box(config)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    factory = make_pin_factory(config["gpio"]["pin_factory"])
    with Daemon(box, PrintQueue(box), pin_factory=factory) as daemon:
        daemon.run(stop)


def cmd_press(args, config):
    request_press(config.data_dir, long=args.long)
    print("Långt tryck skickat till knappen." if args.long else "Kort tryck skickat till knappen.")


def cmd_status(args, config):
    status = daemon_status(config.data_dir)
    if status is None:
        print("Firmware-tjänsten körs inte.")
        return 1
    print(f"Lamporna: {DESCRIPTIONS.get(status['pattern'], status['pattern'])} – {status['reason']}")
