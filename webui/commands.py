"""``hembas serve``, ``hembas user …`` and ``hembas demo-accounts``: the web UI from the command line."""

import json
import logging
import os
import secrets

from sync.box import open_box
from sync.cli import add_command
from sync.errors import ClockUntrusted
from sync.store.database import atomic_write_bytes, encode_json

from .users import ROLES, UserError, Users, format_code, pin_problem

logger = logging.getLogger(__name__)

DEMO_FILE = "demo-accounts.json"


def register(subparsers):
    serve = add_command(subparsers, "serve", help="starta webbgränssnittet", handler=cmd_serve)
    serve.add_argument("--host", help="adressen att lyssna på (standard från inställningarna: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="porten (standard från inställningarna: 8080)")

    user = add_command(subparsers, "user", help="konton för webbgränssnittet")
    actions = user.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    add = add_command(actions, "add", help="skapa ett konto och skriv ut en engångskod", handler=cmd_user_add)
    add.add_argument("--name", required=True, metavar="NAMN", help="namnet personen loggar in med")
    add.add_argument("--role", required=True, choices=ROLES, help="kontots roll")
    add.add_argument("--staff-id", default=None,
                     metavar="ID", help="personens id i planen (standard: söks på namnet i den nuvarande planen)")
    add.add_argument("--enrollment-code", metavar="KOD",
                     help="använd den här engångskoden i stället för en slumpad (vid provisionering)")
    add_command(actions, "list", help="lista konton", handler=cmd_user_list)
    code = add_command(actions, "new-code", help="ny engångskod för ett konto (glömd PIN-kod)",
                       handler=cmd_user_new_code)
    code.add_argument("--name", required=True, metavar="NAMN", help="kontots namn")

    add_command(subparsers, "demo-accounts", help="skapa demokonton och visa hur man loggar in",
                handler=cmd_demo_accounts)


def users_for(config):
    return Users(config.data_dir, enrollment_hours=config["web"]["enrollment_hours"])


def staff_id_for(box, name):
    """The plan's id for a person called *name* (case-insensitive), or "" when not in the plan."""
    plan = box.mirror.current()
    if plan is None:
        return ""
    return next((s.id for s in plan.staff.values() if s.name.casefold() == name.strip().casefold()), "")


def cmd_serve(args, config):
    from . import create_app
    from .serving import keep_to_one_core, make_server

    keep_to_one_core(config["web"]["one_core"])  # first: every thread the app and waitress start inherits it

    host = args.host or config["web"]["host"]
    port = args.port or config["web"]["port"]
    behind_proxy = config["tls"]["enabled"]
    if behind_proxy and host != "127.0.0.1":
        logger.info("TLS is on: listening on 127.0.0.1 behind nginx, not %s", host)
    server = make_server(create_app(config), config["web"], host=host, port=port, behind_proxy=behind_proxy)
    logger.info("serving on http://%s:%s", server.effective_host, server.effective_port)
    server.run()


def cmd_user_add(args, config):
    box = open_box(config)
    staff_id = args.staff_id if args.staff_id is not None else staff_id_for(box, args.name)
    if args.role == "technician":
        staff_id = ""  # a technician reads no client data, so has no route either
    user, code = users_for(config).add(name=args.name, role=args.role, staff_id=staff_id,
                                       enrollment_code=args.enrollment_code)
    box.audit.record("user.add", actor="cli", target=user["id"], detail={"role": user["role"]})
    hours = config["web"]["enrollment_hours"]
    print(f"Konto skapat för {user['name']} ({user['role']}"
          f"{', ' + staff_id if staff_id else ''}).")
    print(f"Engångskod: {format_code(code)} – gäller {hours} timmar. "
          f"Öppna Hembas, välj 'Jag har en aktiveringskod' och välj en PIN-kod.")


def cmd_user_list(args, config):
    for user in users_for(config).all():
        state = "aktiv" if user["pin_hash"] else "väntar på aktivering"
        print(f"{user['name']}\t{user['role']}\t{user['staff_id'] or '-'}\t{state}")


def cmd_user_new_code(args, config):
    users = users_for(config)
    user = next((u for u in users.all() if u["name"].casefold() == args.name.casefold()), None)
    if user is None:
        raise UserError(f"inget konto heter {args.name}")
    code = users.new_enrollment(user["id"])
    open_box(config).audit.record("user.new_code", actor="cli", target=user["id"])
    print(f"Ny engångskod för {user['name']}: {format_code(code)}")


def cmd_demo_accounts(args, config):
    """Demo accounts with random PINs, created once per data folder and printed every time."""
    box = open_box(config)
    path = config.data_dir / DEMO_FILE
    if path.exists():
        accounts = json.loads(path.read_text())
    else:
        plan = box.plan()
        coordinator = next((s for s in plan.staff.values() if s.role == "samordnare"), None)
        carers = [s for s in plan.staff.values() if s is not coordinator]
        carer = secrets.choice(_on_now(box, carers) or [s for s in carers if plan.visits_for(s.id, plan.valid_from)]
                               or carers)
        users = users_for(config)
        accounts = []
        for role, name, staff_id in (("coordinator", coordinator.name if coordinator else "Samordnare (demo)",
                                      coordinator.id if coordinator else ""),
                                     ("staff", carer.name, carer.id),
                                     ("technician", "Tekniker (demo)", "")):
            pin = "".join(secrets.choice("0123456789") for _ in range(6))
            while pin_problem(pin):
                pin = "".join(secrets.choice("0123456789") for _ in range(6))
            user, code = users.add(name=name, role=role, staff_id=staff_id)
            users.enroll(code, pin)
            accounts.append({"role": role, "name": name, "pin": pin})
        atomic_write_bytes(path, encode_json(accounts))
        os.chmod(path, 0o600)
        box.audit.record("user.demo", actor="cli", detail={"count": len(accounts)})
    labels = {"coordinator": "samordnare", "staff": "personal", "technician": "tekniker"}
    print("Demokonton (bara för demo – slumpade för den här datamappen):")
    for account in accounts:
        print(f"  {labels[account['role']]:<11} {account['name']:<22} PIN {account['pin']}")



def _on_now(box, staff):
    """Who of *staff* works the shift on now or starting next: the demo shows that shift."""
    try:
        shift = box.current_shift()
    except ClockUntrusted:
        return []
    day = box.day(shift.date)
    return [s for s in staff if day.route(s.id, shift=shift.name)]
