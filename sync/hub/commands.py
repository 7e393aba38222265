"""``hembas hub …``: the reference hub for tests, demos and small municipalities."""

import logging
import sys
from pathlib import Path

from ..cli import add_command, read_input
from ..errors import HembasError
from .publish import publish_export
from .server import make_server
from .store import CERTIFICATE_NAME, HubStore

logger = logging.getLogger(__name__)


def register_hub(subparsers):
    hub = add_command(subparsers, "hub", help="referenshubben: nycklar, planpaket, mottagning")
    actions = hub.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)

    def action(name, help, handler):
        parser = add_command(actions, name, help=help, handler=handler)
        parser.add_argument("--hub-dir", type=Path, metavar="MAPP", help="hubbens mapp (standard DATAMAPP/hub)")
        return parser

    action("keygen", "skapa hubbens signerings- och krypteringsnyckel", cmd_keygen)
    publish = action("publish", "dela en kommunexport i signerade planpaket per team", cmd_publish)
    publish.add_argument("export", type=Path, metavar="EXPORT", help="planen som JSON (ett eller flera team) eller CSV")
    publish.add_argument("--team-id", default="", metavar="ID", help="teamet för en CSV-fil utan kolumnen team-id")
    publish.add_argument("--team-name", default="", metavar="NAMN", help="teamets namn för en CSV-fil")
    serve = action("serve", "servera planpaket och ta emot sändningar", cmd_serve)
    serve.add_argument("--host", default="127.0.0.1", help="adressen att lyssna på (standard %(default)s)")
    serve.add_argument("--port", type=int, default=8090, help="porten (standard %(default)s)")
    serve.add_argument("--demo", action="store_true",
                       help="gör en demohubb för den här lådan som publicerar en ändrad plan med jämna mellanrum")
    serve.add_argument("--demo-every", type=float, default=120, metavar="SEKUNDER",
                       help="med --demo: så här ofta kommer en ny plan (standard %(default)s)")
    cert = action("certificate", "signera ett förnyat TLS-certifikat för ett teams låda", cmd_certificate)
    cert.add_argument("certificate", type=Path, metavar="CERTIFIKAT",
                      help="certifikatet med kedja (PEM, utan nyckel), utfärdat för lådans nyckel")
    cert.add_argument("--team", required=True, metavar="ID", help="teamet vars låda ska ha det")
    add_box = action("add-box", "godkänn en lådas publika nyckel för ett team", cmd_add_box)
    add_box.add_argument("public_key", metavar="NYCKEL", help="lådans publika nyckel (hembas sync status visar den)")
    add_box.add_argument("--team", required=True, metavar="ID", help="teamet lådan hör till")
    receive = action("receive", "ta emot en sändning från en USB-sticka", cmd_receive)
    receive.add_argument("file", type=Path, metavar="FIL", help="sändningen från stickan")
    action("demo-setup", "förbered en demohubb för lådan i DATA", cmd_demo_setup)


def _store(args, config):
    return HubStore(args.hub_dir or config.data_dir / "hub")


def cmd_keygen(args, config):
    keys = _store(args, config).keygen()
    print("Hubbens nycklar skapade. Lägg in i varje lådas hembas.toml:\n")
    print("[hub]")
    print(f'public_key = "{keys["public_key"]}"')
    print(f'encryption_key = "{keys["encryption_key"]}"')


def cmd_publish(args, config):
    raw = read_input(args.export)
    store = _store(args, config)
    for plan in publish_export(store, raw, filename=args.export.name, team_id=args.team_id,
                               team_name=args.team_name):
        print(f"Team {plan.team.id}: plan {plan.version} publicerad ({len(plan.visits)} besök) "
              f"-> {store.bundle_path(plan.team.id)}")


def cmd_certificate(args, config):
    """Sign a renewal the box fetches at its next sync (it checks name, key and dates itself)."""
    from ..network.bundle import make_certificate_bundle

    store = _store(args, config)
    envelope = make_certificate_bundle(read_input(args.certificate), store.signing_key(), team=args.team)
    path = store.put_bundle(args.team, envelope, CERTIFICATE_NAME)
    print(f"Certifikatet för team {args.team} är signerat och publicerat -> {path}")


def cmd_add_box(args, config):
    box_id = _store(args, config).add_box(args.public_key, team=args.team)
    print(f"Låda {box_id} godkänd för team {args.team}.")


def cmd_receive(args, config):
    ack = _store(args, config).accept_journal(args.file.read_bytes())
    print(f"{ack['stored']} nya av {len(ack['accepted'])} poster sparade.")


def cmd_demo_setup(args, config):
    from .demo import demo_setup
    for line in demo_setup(_store(args, config), config, url="http://127.0.0.1:8090"):
        print(line)


def cmd_serve(args, config):
    store = _store(args, config)
    stop = None
    if args.demo:
        from .demo import demo_setup, start_demo_updates
        for line in demo_setup(store, config, url=f"http://{args.host}:{args.port}"):
            print(line, file=sys.stderr)
        stop = start_demo_updates(store, config, every=args.demo_every)
    server = make_server(store.folder, host=args.host, port=args.port)
    print(f"Hubben lyssnar på http://{args.host}:{server.server_port}/ (mapp {store.folder})", file=sys.stderr)
    try:
        server.serve_forever()
    finally:
        if stop is not None:
            stop.set()
        server.server_close()
