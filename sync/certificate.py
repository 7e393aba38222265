"""The web UI's TLS certificate: checked before use, swapped atomically, self-signed as a last resort.

Phones only keep their day offline over HTTPS (a service worker needs a
secure context), and only trust the box without a warning when its
certificate comes from a CA their MDM profile trusts.  Where it comes from,
in order (docs/deploy.md):

* the settings file on the boot partition or the coordinator's upload
  (``source="settings"`` / ``"upload"``): certificate and key from the
  municipality's CA;
* a renewed certificate from the hub, in a signed envelope
  (:func:`sync.network.bundle.import_certificate`, ``source="hub"``), for the
  key the box already holds;
* with none, a self-signed one made here (``source="self-signed"``).

Every certificate passes :func:`check` first: it must name the box, match
the key, and be valid now.  Certificate chain and key live in *one* PEM
file (nginx reads both from it), so a swap is one
:func:`~sync.store.database.atomic_write_bytes` and a power cut leaves the
old pair or the new one, never a mix::

    store = CertificateStore(data_dir / "tls", name="hembas.local")
    store.install(cert_pem, key_pem, source="settings", now=now)
    store.ensure(now=now)              # self-signed if there is none
    store.status(now=now, warn_days=14)

The checks use the ``openssl`` command (in every Debian image) rather than
a new Python dependency.
"""

import dataclasses
import datetime as dt
import functools
import ipaddress
import json
import logging
import os
import re
import subprocess
import tempfile

from .errors import HembasError
from .store.database import atomic_write_bytes, encode_json

logger = logging.getLogger(__name__)

PEM_FILE = "hembas.pem"      # certificate chain, then the key (nginx: ssl_certificate and ssl_certificate_key)
INFO_FILE = "certificate.json"
SELF_SIGNED_DAYS = 825       # the longest validity Apple accepts for a TLS certificate
MAX_PEM_BYTES = 64 * 1024
CERT_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\s*", re.S)
KEY_BLOCK = re.compile(rb"-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----.+?-----END (?:RSA |EC |ENCRYPTED )?"
                       rb"PRIVATE KEY-----\s*", re.S)
SOURCES = ("settings", "upload", "hub", "self-signed")


class CertificateRejected(HembasError, ValueError):
    """A certificate that may not be used (wrong name or key, not valid now, unreadable)."""


@dataclasses.dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    fingerprint: str
    self_signed: bool


def _openssl(*args, data=b""):
    result = subprocess.run(["openssl", *args], input=data, capture_output=True, timeout=30)
    return result.returncode, result.stdout.decode("utf-8", "replace")


def _date(text):
    return dt.datetime.strptime(text.strip().replace("  ", " "), "%b %d %H:%M:%S %Y GMT").replace(
        tzinfo=dt.timezone.utc)


@functools.lru_cache(maxsize=8)  # the lights ask every few seconds; the file rarely changes
def inspect(cert_pem):
    """What the first certificate in *cert_pem* says; raises :class:`CertificateRejected` if unreadable."""
    blocks = CERT_BLOCK.findall(cert_pem or b"")
    if not blocks or len(cert_pem) > MAX_PEM_BYTES:
        raise CertificateRejected("inget certifikat i PEM-format (-----BEGIN CERTIFICATE-----)")
    code, out = _openssl("x509", "-noout", "-subject", "-issuer", "-startdate", "-enddate",
                         "-fingerprint", "-sha256", "-nameopt", "RFC2253", data=blocks[0])
    if code:
        raise CertificateRejected("certifikatet går inte att läsa")
    fields = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    subject, issuer = fields.get("subject", ""), fields.get("issuer", "")
    return CertificateInfo(subject=subject, issuer=issuer, not_before=_date(fields["notBefore"]),
                           not_after=_date(fields["notAfter"]),
                           fingerprint=fields.get("sha256 Fingerprint", fields.get("SHA256 Fingerprint", "")),
                           self_signed=subject == issuer)


def public_key(pem, *, of):
    """The PEM public key of a certificate (*of* "x509") or a private key (*of* "pkey"), or ""."""
    args = ("x509", "-noout", "-pubkey") if of == "x509" else ("pkey", "-pubout", "-passin", "pass:")
    code, out = _openssl(*args, data=pem)
    return "" if code else out.strip()


def names_match(cert_pem, name):
    """Whether the certificate is valid for *name* (a DNS name or an IP address), by OpenSSL's rules."""
    try:
        ipaddress.ip_address(name)
        option = "-checkip"
    except ValueError:
        option = "-checkhost"
    code, out = _openssl("x509", "-noout", option, name, data=CERT_BLOCK.findall(cert_pem)[0])
    return code == 0 and " does match " in out


def check(cert_pem, key_pem, *, name, now):
    """Check a certificate for this box; returns its :class:`CertificateInfo` or raises with a Swedish reason."""
    info = inspect(cert_pem)
    if not KEY_BLOCK.search(key_pem or b""):
        raise CertificateRejected("ingen privat nyckel i PEM-format (-----BEGIN PRIVATE KEY-----)")
    key = public_key(KEY_BLOCK.search(key_pem).group(0), of="pkey")
    if not key:
        raise CertificateRejected("den privata nyckeln går inte att läsa (lösenordsskyddad eller trasig)")
    if key != public_key(CERT_BLOCK.findall(cert_pem)[0], of="x509"):
        raise CertificateRejected("certifikatet hör inte till nyckeln")
    if not names_match(cert_pem, name):
        raise CertificateRejected(f"certifikatet gäller inte namnet {name} ({info.subject})")
    if now < info.not_before:
        raise CertificateRejected(f"certifikatet gäller först från {info.not_before:%Y-%m-%d %H:%M} UTC")
    if now >= info.not_after:
        raise CertificateRejected(f"certifikatet gick ut {info.not_after:%Y-%m-%d %H:%M} UTC")
    return info


class CertificateStore:
    """The certificate nginx serves: ``hembas.pem`` and what is known about it, in *folder*."""

    def __init__(self, folder, *, name):
        self.folder = folder
        self.name = name
        self.path = folder / PEM_FILE

    def read(self):
        """``(chain, key)`` PEM bytes of the installed certificate, or ``(b"", b"")``."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return b"", b""
        key = KEY_BLOCK.search(raw)
        return b"".join(CERT_BLOCK.findall(raw)), key.group(0) if key else b""

    def holds(self, cert_pem):
        """Whether *cert_pem* is the chain installed now (a renewal already applied)."""
        return b"".join(b.strip() + b"\n" for b in CERT_BLOCK.findall(cert_pem or b"")) == self.read()[0]

    def install(self, cert_pem, key_pem=None, *, source, now):
        """Check and swap in a certificate (*key_pem* None: the key the box already holds)."""
        if source not in SOURCES:
            raise ValueError(source)
        key_pem = key_pem if key_pem is not None else self.read()[1]
        info = check(cert_pem, key_pem, name=self.name, now=now)
        key = KEY_BLOCK.search(key_pem).group(0).strip() + b"\n"
        chain = b"".join(block.strip() + b"\n" for block in CERT_BLOCK.findall(cert_pem))
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o2770)  # the services that swap it (web upload, sync) share the group
        atomic_write_bytes(self.path, chain + key)
        os.chmod(self.path, 0o640)
        atomic_write_bytes(self.folder / INFO_FILE, encode_json(
            {"source": source, "installed_at": now.isoformat(timespec="seconds"), "name": self.name}))
        logger.info("installed the %s certificate for %s, valid to %s (%s)", source, self.name,
                    info.not_after.date(), info.fingerprint)
        return info

    def ensure(self, *, now):
        """Make a self-signed certificate when there is none usable for this name; True if it made one."""
        cert, key = self.read()
        if cert and key:
            try:
                check(cert, key, name=self.name, now=now)
                return False
            except CertificateRejected as exc:
                if self.source() != "self-signed":
                    logger.warning("the installed certificate is not usable (%s); keeping it", exc)
                    return False
        with tempfile.TemporaryDirectory() as scratch:
            key_path, cert_path = os.path.join(scratch, "key.pem"), os.path.join(scratch, "cert.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-days", str(SELF_SIGNED_DAYS), "-subj", f"/CN={self.name}",
                            "-addext", f"subjectAltName={_alt_name(self.name)}",
                            "-keyout", key_path, "-out", cert_path],
                           check=True, capture_output=True, timeout=60)
            with open(cert_path, "rb") as c, open(key_path, "rb") as k:
                cert, key = c.read(), k.read()
            # openssl dated it by the system clock a moment after *now*
            self.install(cert, key, source="self-signed", now=max(now, inspect(cert).not_before))
        return True

    def source(self):
        try:
            return json.loads((self.folder / INFO_FILE).read_bytes())["source"]
        except (FileNotFoundError, ValueError, KeyError):
            return ""

    def status(self, *, now, warn_days):
        """What the Status page, the slip and the lights say about the certificate (no secrets)."""
        cert, _ = self.read()
        if not cert:
            return {"state": "missing", "name": self.name, "message": "inget certifikat är installerat"}
        info = inspect(cert)
        days = (info.not_after - now).days
        source = self.source() or ("self-signed" if info.self_signed else "settings")
        state = ("expired" if now >= info.not_after else "expiring" if days < warn_days
                 else "self-signed" if source == "self-signed" else "ok")
        message = {"expired": f"certifikatet gick ut {info.not_after:%Y-%m-%d}",
                   "expiring": f"certifikatet går ut om {max(days, 0)} dagar ({info.not_after:%Y-%m-%d})",
                   "self-signed": "självsignerat certifikat: webbläsarna varnar och mobilerna kan inte spara dagen",
                   "ok": f"certifikatet gäller till {info.not_after:%Y-%m-%d}"}[state]
        return {"state": state, "name": self.name, "source": source, "days_left": days,
                "not_after": info.not_after.isoformat(), "issuer": info.issuer,
                "fingerprint": info.fingerprint, "message": message}


def _alt_name(name):
    try:
        ipaddress.ip_address(name)
        return f"IP:{name}"
    except ValueError:
        return f"DNS:{name}"


def box_status(box):
    """The certificate's :meth:`CertificateStore.status` by the box's clock; None when TLS is off.

    The Status page, the status slip and the lights all ask here; its
    ``warning`` is set when the certificate expires within ``[tls] warn_days``
    (or has expired, or is missing).
    """
    tls = box.config["tls"]
    if not tls["enabled"]:
        return None
    status = store_for(box.config).status(now=box.clock.status().now, warn_days=tls["warn_days"])
    status["warning"] = status["message"] if status["state"] in ("expiring", "expired", "missing") else ""
    return status


def store_for(config):
    """The box's :class:`CertificateStore` (``<data>/tls``, named ``[tls] name``)."""
    return CertificateStore(config.data_dir / "tls", name=config["tls"]["name"])
