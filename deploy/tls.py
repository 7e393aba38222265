"""``hembas tls …``: the web UI's certificate and nginx's configuration on the box.

At every boot ``hembas provision`` installs the municipality's certificate
when the technician put ``hembas.crt`` (and ``hembas.key``) next to
``hembas.toml`` on the boot partition (:func:`install_boot_certificate`).
``hembas-tls.service`` runs ``hembas tls ensure`` and ``hembas tls
nginx-config`` before nginx starts, so nginx always has a certificate and a
configuration made from the current settings.  A technician (or the USB
stick) installs a certificate with ``install`` or a signed renewal with
``renew``; nginx is reloaded by ``hembas-tls-reload.path`` when the file changes.
"""

import datetime as dt
import logging
import os
from pathlib import Path

from sync import provisioning
from sync.box import open_box
from sync.certificate import CertificateRejected, store_for
from sync.cli import add_command, print_json, read_input
from sync.store.database import atomic_write_bytes

from . import report

logger = logging.getLogger(__name__)

RUNTIME_DIR = Path("/run/hembas-nginx")
CERT_FILE = "hembas.crt"     # on the boot partition, beside hembas.toml: the certificate and its chain (PEM)
KEY_FILE = "hembas.key"      # ... and its key (PEM), removed from the card once installed


def register(subparsers):
    tls = add_command(subparsers, "tls", help="HTTPS: certifikatet och nginx framför webbgränssnittet")
    actions = tls.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    add_command(actions, "status", help="visa certifikatets källa, namn och giltighet", handler=cmd_status)
    add_command(actions, "ensure", help="gör ett självsignerat certifikat om inget finns", handler=cmd_ensure)
    install = add_command(actions, "install", help="installera certifikat och nyckel från kommunens CA",
                          handler=cmd_install)
    install.add_argument("certificate", type=Path, metavar="CERTIFIKAT", help="certifikatet (PEM, med kedjan)")
    install.add_argument("key", type=Path, metavar="NYCKEL", help="den privata nyckeln (PEM)")
    renew = add_command(actions, "renew", help="installera ett förnyat certifikat signerat av hubben",
                        handler=cmd_renew)
    renew.add_argument("file", type=Path, metavar="FIL", help="hubbens signerade certifikatfil")
    conf = add_command(actions, "nginx-config", help="skriv nginx-konfigurationen från inställningarna",
                       handler=cmd_nginx_config)
    conf.add_argument("-o", "--output", type=Path, required=True, metavar="FIL", help="filen att skriva")
    conf.add_argument("--runtime", type=Path, default=RUNTIME_DIR, metavar="MAPP",
                      help="nginx:s mapp för pid och temporära filer (standard %(default)s)")


def _now():
    return dt.datetime.now(dt.timezone.utc)


def cmd_status(args, config):
    print_json(store_for(config).status(now=_now(), warn_days=config["tls"]["warn_days"]))


def cmd_ensure(args, config):
    store = store_for(config)
    if store.ensure(now=_now()):
        print(f"Självsignerat certifikat skapat för {store.name}: webbläsarna varnar tills ett från kommunens CA "
              "är installerat.")
    else:
        print(store.status(now=_now(), warn_days=config["tls"]["warn_days"])["message"])


def cmd_install(args, config):
    box = open_box(config)
    info = store_for(config).install(read_input(args.certificate), read_input(args.key), source="upload",
                                     now=box.clock.now())
    box.audit.record("tls.install", actor="cli", target=info.fingerprint,
                                  detail={"not_after": info.not_after.isoformat()})
    print(f"Certifikatet är installerat och gäller till {info.not_after:%Y-%m-%d}.")


def cmd_renew(args, config):
    from sync.network.bundle import import_certificate

    box = open_box(config)
    info = import_certificate(box, read_input(args.file), source="usb", now=box.clock.now())
    if info is None:
        print("Lådan har redan det här certifikatet.")
        return
    print(f"Det förnyade certifikatet är installerat och gäller till {info.not_after:%Y-%m-%d}.")


def install_boot_certificate(boot_dir, config, *, now):
    """Install ``hembas.crt`` (+ ``hembas.key``) from the boot partition; returns "none", "unchanged", "installed" or "invalid".

    A refused certificate is reported like a settings-file problem (Status
    page, status slip, ``hembas-FEL.txt`` beside it on the boot partition)
    under the key ``tls``; the key file is removed from the card only once
    its certificate is installed.
    """
    cert_path, key_path = Path(boot_dir) / CERT_FILE, Path(boot_dir) / KEY_FILE
    if not cert_path.exists():
        return "none"
    store, cert = store_for(config), cert_path.read_bytes()
    key = key_path.read_bytes() if key_path.exists() else None
    if not key and store.read()[0] == cert:
        return "unchanged"
    others = [e for e in (provisioning.read_errors(config.data_dir) or {}).get("errors", []) if e.get("key") != "tls"]
    try:
        store.install(cert, key, source="settings", now=now)
    except CertificateRejected as exc:
        logger.error("%s: %s", cert_path, exc)
        problems = others + [{"key": "tls", "message": f"{CERT_FILE}: {exc}"}]
        provisioning.write_errors(config.data_dir, problems, source=cert_path,
                                  checked_at=now.isoformat(timespec="seconds"))
        report.write(boot_dir, problems, applied=[], checked_at=now.isoformat(timespec="seconds"))
        return "invalid"
    key_path.unlink(missing_ok=True)
    if others:
        provisioning.write_errors(config.data_dir, others, source=Path(boot_dir) / "hembas.toml",
                                  checked_at=now.isoformat(timespec="seconds"))  # hembas-FEL.txt has them
    else:
        provisioning.clear_errors(config.data_dir)
        report.clear(boot_dir)
    return "installed"


def cmd_nginx_config(args, config):
    from .nginx import render

    text = render(config, pem=store_for(config).path, runtime_dir=args.runtime)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.output, text.encode())
    os.chmod(args.output, 0o644)
    logger.info("wrote %s", args.output)
