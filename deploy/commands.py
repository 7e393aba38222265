"""``hembas provision``, ``hembas backup``, ``hembas restore`` and ``hembas update …``."""

import datetime as dt
import getpass
import logging
import os
import sys
from pathlib import Path

from sync.cli import add_command
from sync.config import load_config
from sync.errors import HembasError
from sync.network.keys import hub_signing_key
from sync.store.database import atomic_write_bytes

# The modules behind the commands are imported when a command runs: provisioning
# pulls in the web UI's account code, and every `hembas` call would pay for it.

logger = logging.getLogger(__name__)

BOOT_DIR = Path("/boot/firmware")
SYSTEM_DIR = Path("/data/system")
DATA_PROBLEM_FILE = Path("/run/hembas/data-unavailable")   # written by the initramfs
PASSPHRASE_VARIABLE = "HEMBAS_BACKUP_PASSPHRASE"


def register(subparsers):
    prov = add_command(subparsers, "provision", help="tillämpa inställningsfilen på boot-partitionen",
                       handler=cmd_provision)
    prov.add_argument("--boot", type=Path, default=BOOT_DIR, metavar="MAPP", help="boot-partitionen (standard %(default)s)")
    prov.add_argument("--system", type=Path, default=SYSTEM_DIR,
                      metavar="MAPP", help="systemets tillstånd på datapartitionen (standard %(default)s)")

    back = add_command(subparsers, "backup", help="skriv en krypterad säkerhetskopia av datamappen",
                       handler=cmd_backup)
    back.add_argument("-o", "--output", type=Path, required=True, metavar="FIL", help="säkerhetskopian att skriva (på USB-stickan)")
    back.add_argument("--passphrase-file", type=Path,
                      metavar="FIL", help=f"fil med lösenfrasen (standard ${PASSPHRASE_VARIABLE}, annars frågas)")
    rest = add_command(subparsers, "restore", help="läs tillbaka en säkerhetskopia", handler=cmd_restore)
    rest.add_argument("file", type=Path, metavar="FIL", help="säkerhetskopian att läsa")
    rest.add_argument("--passphrase-file", type=Path, metavar="FIL", help="fil med lösenfrasen")
    rest.add_argument("--force", action="store_true", help="ersätt en datamapp som inte är tom")

    upd = add_command(subparsers, "update", help="installera eller backa en programuppdatering")
    actions = upd.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    apply = add_command(actions, "apply", help="installera ett signerat uppdateringspaket", handler=cmd_update_apply)
    apply.add_argument("file", type=Path, metavar="FIL", help="det signerade uppdateringspaketet")
    apply.add_argument("--slots", type=Path, default=SYSTEM_DIR / "hembas", metavar="MAPP",
                       help="versionernas mapp (standard %(default)s)")
    back_to = add_command(actions, "rollback", help="gå tillbaka till föregående version", handler=cmd_update_rollback)
    back_to.add_argument("--slots", type=Path, default=SYSTEM_DIR / "hembas", metavar="MAPP",
                         help="versionernas mapp (standard %(default)s)")
    pack = add_command(actions, "pack", help="bygg ett signerat uppdateringspaket (hubbens sida)",
                       handler=cmd_update_pack)
    pack.add_argument("wheels", type=Path, nargs="+", metavar="HJUL", help="Python-paketen (wheel-filer) som ska med")
    pack.add_argument("--version", required=True, help="paketets version")
    pack.add_argument("--hub-keys", type=Path, required=True, metavar="MAPP", help="hubbens nyckelmapp (hembas hub keygen)")
    pack.add_argument("-o", "--output", type=Path, required=True, metavar="FIL", help="paketet att skriva")


def cmd_provision(args, config):
    from . import firstboot, phones, tls

    firstboot.ensure_host_key(args.system / "ssh")
    try:
        data_problem = DATA_PROBLEM_FILE.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        data_problem = None
    # The firewall includes the box's own /data/system/nftables only: nothing else to reload.
    reload_firewall = phones.reload_firewall if args.system == SYSTEM_DIR else (lambda: None)
    outcome = firstboot.apply_boot_file(args.boot, config=config, system_dir=args.system,
                                        data_problem=data_problem, reload_firewall=reload_firewall,
                                        print_slip=lambda: _queue_status_slip(config))
    applied = load_config(config.data_dir, config.path)  # [tls] name may have come with the file just applied
    tls.install_boot_certificate(args.boot, applied, now=dt.datetime.now(dt.timezone.utc))
    print({"none": "Ingen inställningsfil på boot-partitionen.",
           "unchanged": "Inställningsfilen är redan tillämpad.",
           "applied": "Inställningarna är tillämpade; hemligheterna är borttagna från kortet.",
           "invalid": "Inställningsfilen har fel – se hembas-FEL.txt på boot-partitionen."}[outcome])
    return 1 if outcome == "invalid" else 0


def _queue_status_slip(config):
    """The status slip, with the problems, printed by the firmware once it runs."""
    from printer.queue import PrintQueue
    from sync.box import open_box

    try:
        PrintQueue(open_box(config)).print_slip("status", ordered_by="provision")
    except HembasError as exc:
        logger.warning("could not queue the status slip: %s", exc)


def _passphrase(path, *, confirm):
    from . import backup

    if path:
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise backup.BackupError(f"kan inte läsa {path}: {exc.strerror}") from None
    if os.environ.get(PASSPHRASE_VARIABLE):
        return os.environ[PASSPHRASE_VARIABLE]
    if not sys.stdin.isatty():
        raise backup.BackupError(f"ange lösenfrasen med --passphrase-file eller ${PASSPHRASE_VARIABLE}")
    phrase = getpass.getpass("Lösenfras: ")
    if confirm and getpass.getpass("Samma lösenfras igen: ") != phrase:
        raise backup.BackupError("lösenfraserna är olika")
    return phrase


def cmd_backup(args, config):
    from . import backup

    blob = backup.create_backup(config.data_dir, _passphrase(args.passphrase_file, confirm=True))
    atomic_write_bytes(args.output, blob)
    print(f"Säkerhetskopia skriven: {args.output} ({len(blob) // 1024} kB).")


def cmd_restore(args, config):
    from . import backup

    try:
        blob = args.file.read_bytes()
    except OSError as exc:
        raise backup.BackupError(f"kan inte läsa {args.file}: {exc.strerror}") from None
    aside = backup.restore_backup(blob, _passphrase(args.passphrase_file, confirm=False), config.data_dir,
                                  force=args.force)
    print(f"Datamappen är återställd: {config.data_dir}" + (f" (den gamla finns i {aside})" if aside else ""))


def _hub_key(config):
    key = config["hub"]["public_key"]
    if not key:
        raise HembasError("hub.public_key saknas i inställningarna – kan inte kontrollera uppdateringen")
    return key


def cmd_update_apply(args, config):
    from . import update

    try:
        envelope = args.file.read_bytes()
    except OSError as exc:
        raise update.UpdateRefused(f"kan inte läsa {args.file}: {exc.strerror}") from None
    port = config["web"]["port"]
    version = update.apply_update(
        envelope, verify_key=_hub_key(config), team=config["team"]["id"], slots=update.Slots(args.slots),
        healthy=lambda: update.services_healthy(url=f"http://127.0.0.1:{port}/"))
    print(f"Version {version} är installerad och körs.")


def cmd_update_rollback(args, config):
    from . import update

    previous = update.rollback(update.Slots(args.slots))
    print(f"Tillbaka på {previous}.")


def cmd_update_pack(args, config):
    from . import update

    envelope = update.make_package(args.wheels, version=args.version, signing_key=hub_signing_key(args.hub_keys))
    atomic_write_bytes(args.output, envelope)
    print(f"Uppdateringspaket {args.output} ({args.version}, {len(args.wheels)} wheel-filer).")
