"""``hembas provision``, ``hembas backup``, ``hembas restore`` and ``hembas update …``."""

import datetime as dt
import getpass
import logging
import os
import sys
from pathlib import Path

from sync.cli import add_command, print_json
from sync.config import load_config
from sync.errors import HembasError
from sync.store.database import atomic_write_bytes

# The modules behind the commands are imported when a command runs: provisioning
# pulls in the web UI's account code, and every `hembas` call would pay for it.

logger = logging.getLogger(__name__)

BOOT_DIR = Path("/boot/firmware")
SYSTEM_DIR = Path("/data/system")
DATA_PROBLEM_FILE = Path("/run/hembas/data-unavailable")   # written by the initramfs
PASSPHRASE_VARIABLE = "HEMBAS_BACKUP_PASSPHRASE"
UPDATE_SECRET_FILE = "update-signing.key"
UPDATE_PUBLIC_FILE = "update-key.pub"


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

    plug = add_command(subparsers, "stick", help="läs en isatt USB-sticka: plan in, anteckningar ut, uppdateringar "
                                                 "(startas av udev)", handler=cmd_stick)
    plug.add_argument("device", type=Path, metavar="ENHET", help="stickans partition, t.ex. /dev/sda1")

    upd = add_command(subparsers, "update", help="systemuppdateringar: installera, kontrollera, backa")
    actions = upd.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    apply = add_command(actions, "apply", help="installera en signerad systemuppdatering och starta om i den",
                        handler=cmd_update_apply)
    apply.add_argument("file", type=Path, metavar="FIL", help="systemuppdateringen (.hembas-update)")
    apply.add_argument("--no-reboot", action="store_true",
                       help="starta inte om (den nya versionen provas vid nästa start)")
    status = add_command(actions, "status", help="visa versionerna på kortets två platser", handler=cmd_update_status)
    status.add_argument("--json", action="store_true", help="skriv ut som JSON")
    add_command(actions, "health", help="godkänn den nya versionen om den fungerar, annars tillbaka (tjänsten)",
                handler=cmd_update_health)
    add_command(actions, "rollback", help="starta om i den andra platsens version", handler=cmd_update_rollback)
    keygen = add_command(actions, "keygen", help="skapa uppdateringsnyckeln (på en dator utan nätverk)",
                         handler=cmd_update_keygen)
    keygen.add_argument("folder", type=Path, metavar="MAPP", help="mappen för nyckelparet")
    pack = add_command(actions, "pack", help="bygg en signerad systemuppdatering (byggdatorns sida)",
                       handler=cmd_update_pack)
    pack.add_argument("--root", type=Path, required=True, metavar="FIL", help="rotfilsystemets avbild (ext4)")
    pack.add_argument("--boot", type=Path, required=True, metavar="MAPP",
                      help="platsens startfiler (kärna, initramfs, cmdline.txt)")
    pack.add_argument("--version", required=True, metavar="VERSION", help="systemets version, t.ex. 0.2.0")
    pack.add_argument("--key", type=Path, required=True, metavar="FIL", help="uppdateringsnyckelns hemliga halva")
    pack.add_argument("-o", "--output", type=Path, required=True, metavar="FIL", help="uppdateringen att skriva")
    for parser in (apply, status, actions.choices["health"], actions.choices["rollback"]):
        parser.add_argument("--boot", type=Path, default=BOOT_DIR, metavar="MAPP",
                            help="boot-partitionen (standard %(default)s)")

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
    certificate = tls.install_boot_certificate(args.boot, applied, now=dt.datetime.now(dt.timezone.utc))
    print({"none": "Ingen inställningsfil på boot-partitionen.",
           "unchanged": "Inställningsfilen är redan tillämpad.",
           "applied": "Inställningarna är tillämpade; hemligheterna är borttagna från kortet.",
           "invalid": "Inställningsfilen har fel – se hembas-FEL.txt på boot-partitionen."}[outcome])
    if certificate == "invalid":
        print(f"Certifikatet {tls.CERT_FILE} kan inte användas – se hembas-FEL.txt på boot-partitionen.")
    return 1 if "invalid" in (outcome, certificate) else 0


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


def cmd_stick(args, config):
    from . import stick, update
    from .bundle import BundleInvalid, SystemBundle
    from .slots import BootSlots, SlotError

    key = update.trusted_key()

    def install(bundle):
        try:
            version, slot = update.apply_bundle(bundle.path, slots=BootSlots(BOOT_DIR), trusted_key=key,
                                                running_version=update.running_version(), reboot=lambda: None)
        except update.UpdateRefused as exc:        # not newer, or one on trial: nothing to do
            return True, False, [f"Systemuppdatering {bundle.version}: {exc}"]
        except (BundleInvalid, SlotError, OSError) as exc:
            return False, False, [f"Systemuppdatering {bundle.version} misslyckades: {exc}"]
        return True, True, [f"Systemuppdatering {version} är installerad (plats {slot}); lådan startar om i den."]

    for message in stick.handle(args.device, data_dir=config.data_dir, install=install, reboot=update.reboot,
                                open_bundle=lambda path: SystemBundle.open(path, key)):
        print(message)


def _slots(args):
    from .slots import BootSlots

    return BootSlots(args.boot)


def cmd_update_apply(args, config):
    from . import update

    version, slot = update.apply_bundle(
        args.file, slots=_slots(args), trusted_key=update.trusted_key(), running_version=update.running_version(),
        reboot=(lambda: None) if args.no_reboot else update.reboot)
    print(f"Version {version} är skriven till plats {slot} och provas " +
          ("vid nästa start." if args.no_reboot else "nu: lådan startar om."))


def cmd_update_status(args, config):
    from . import update

    slots = _slots(args)
    booted = slots.booted()
    status = {"running": update.running_version(), "booted": booted, "primary": slots.primary(),
              "slots": {slot: {"version": slots.version(slot), "state": slots.state(slot)}
                        for slot in ("a", "b") if (slots.boot_dir / slot).is_dir()}}
    if args.json:
        print_json(status)
        return
    print(f"Körs nu:      version {status['running']} från plats {booted}")
    print(f"Nästa start:  plats {status['primary']}")
    for slot, info in status["slots"].items():
        state = STATE_WORDS.get(info["state"].split()[0], info["state"])
        print(f"Plats {slot}:      {info['version'] or '–'} ({state})")


STATE_WORDS = {"good": "godkänd", "try": "provkörs", "bad": "fungerar inte", "empty": "tom"}


def cmd_update_health(args, config):
    from . import update

    port = config["web"]["port"]
    outcome = update.check_health(
        _slots(args), healthy=lambda: update.services_healthy(url=f"http://127.0.0.1:{port}/"))
    print({"good": "Systemet fungerar.", "bad": "Den nya versionen fungerar inte: tillbaka till den förra."}[outcome])
    return 0 if outcome == "good" else 1


def cmd_update_rollback(args, config):
    from . import update

    version = update.rollback(_slots(args))
    print(f"Lådan startar om i version {version}.")


def cmd_update_keygen(args, config):
    from sync.network.keys import write_secret
    from sync.network.signing import encode_key
    import nacl.signing

    args.folder.mkdir(parents=True, exist_ok=True)
    secret, public = args.folder / UPDATE_SECRET_FILE, args.folder / UPDATE_PUBLIC_FILE
    if secret.exists() or public.exists():
        raise HembasError(f"{args.folder} har redan en uppdateringsnyckel – den skrivs aldrig över")
    key = nacl.signing.SigningKey.generate()
    write_secret(secret, encode_key(key))
    atomic_write_bytes(public, (encode_key(key.verify_key) + "\n").encode())
    print(f"Uppdateringsnyckeln är skapad: {secret} (hemlig, förvaras utan nätverk) och {public}.")
    print(f"Bygg avbilden med UPDATE_PUBLIC_KEY={encode_key(key.verify_key)}")


def cmd_update_pack(args, config):
    import nacl.signing

    from sync.network.keys import read_secret

    from .bundle import pack

    manifest = pack(args.output, root_image=args.root, boot_dir=args.boot, version=args.version,
                    signing_key=nacl.signing.SigningKey(read_secret(args.key)))
    size = sum(part["size"] for part in manifest["parts"])
    print(f"Systemuppdatering {args.output}: version {args.version}, {size // (1 << 20)} MB.")
