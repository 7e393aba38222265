"""The USB stick: plans in, journal out, when there is no network at all.

*In*: a stick holding one or more ``*.bundle`` files (as published by the
hub); the newest for this team is imported with exactly the checks of a
network pull (:func:`sync.network.bundle.import_bundle`).

*Out*: everything the hub has not acknowledged, as one signed journal batch
sealed to the hub's Curve25519 public key (a NaCl sealed box), so a lost
stick leaks nothing.  The hub accepts the file as if it came over the
network; the box still marks nothing sent until the hub acknowledges the
same items over the network (sending twice is harmless).
"""

import base64
import datetime as dt
import logging
from pathlib import Path

import nacl.exceptions
import nacl.public

from .bundle import MAX_BUNDLE_BYTES, SUFFIX, BundleRejected, expected_team, import_bundle
from ..errors import HembasError
from .keys import box_signing_key
from .push import build_batch, unsent_audit
from .signing import key_id, read_header
from ..store.database import atomic_write_bytes

logger = logging.getLogger(__name__)

EXPORT_SUFFIX = ".hembas-sealed"
MAX_CANDIDATES = 50


class StickError(HembasError, OSError):
    """The stick holds nothing usable or cannot be written."""


def find_bundles(path):
    """Bundle files at *path* (a file, or a folder searched one level deep), newest header first.

    Only each file's first 8 KB is read, and a file that is no envelope at
    all is left out: whatever else lies on the stick cannot stop a search.
    """
    path = Path(path)
    files = [path] if path.is_file() else sorted(path.glob(f"*{SUFFIX}")) + sorted(path.glob(f"*/*{SUFFIX}"))
    found = []
    for file in files[:MAX_CANDIDATES]:
        try:
            with open(file, "rb") as f:
                header = read_header(f.read(8192))
        except (OSError, HembasError):
            continue
        found.append((header.get("created_at", ""), header.get("team", ""), file))
    return [(team, file) for _, team, file in sorted(found, reverse=True)]


def import_from_stick(box, path, *, by="usb"):
    """Import the newest good bundle for this box's team from *path*; returns the Plan.

    The headers read to sort the files are not signed, so a crafted file can
    claim to be the newest: each candidate is tried in turn, newest first,
    and one that is too big, forged or broken is skipped (with its reason in
    the audit entry) so the good one on the same stick is still imported.
    """
    team = expected_team(box)
    candidates = [(t, f) for t, f in find_bundles(path) if not team or t == team]
    if not candidates:
        raise StickError(f"ingen plan för team {team or '(okänt)'} på {path}")
    skipped, errors = [], []
    for _, file in candidates:
        try:
            plan = import_bundle(box, _read_bounded(file), source=f"usb {file.name}")
        except HembasError as exc:
            logger.warning("skipped %s on the stick: %s", file, exc)
            skipped.append({"file": file.name, "reason": str(exc)})
            errors.append(exc)
            continue
        box.audit.record("usb.import", actor=by, target=plan.version, detail={"file": file.name, "skipped": skipped})
        return plan
    box.audit.record("usb.import", actor=by, target="", detail={"refused": skipped})
    if len(errors) == 1:
        raise errors[0]
    raise StickError("ingen av planerna på stickan kunde läsas in: " +
                     "; ".join(f"{s['file']}: {s['reason']}" for s in skipped))


def _read_bounded(file):
    """A bundle file's bytes, refused by its size before anything is read (a Pi Zero has 512 MB)."""
    try:
        size = file.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise BundleRejected(f"filen är för stor för en plan ({size} byte, högst {MAX_BUNDLE_BYTES})")
        with open(file, "rb") as f:
            raw = f.read(MAX_BUNDLE_BYTES + 1)  # the file may have grown since stat
    except OSError as exc:
        raise StickError(f"kan inte läsa {file}: {exc.strerror}") from None
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleRejected(f"filen är för stor för en plan (över {MAX_BUNDLE_BYTES} byte)")
    return raw


def export_to_stick(box, folder, *, by="usb", now=None):
    """Write every unacknowledged record and audit entry, sealed to the hub; returns (path, count)."""
    hub_key = box.config["hub"]["encryption_key"]
    if not hub_key:
        raise BundleRejected("hubbens krypteringsnyckel saknas ([hub] encryption_key)")
    team = expected_team(box)
    if not team:
        raise StickError("lådans team är okänt ([team] id saknas och ingen plan är inläst)")
    folder = Path(folder)
    if not folder.is_dir():
        raise StickError(f"{folder} är ingen mapp (är stickan monterad?)")
    now = now or dt.datetime.now(dt.timezone.utc)
    records, audit = box.records.unsent(), unsent_audit(box)
    envelope = build_batch(box, team=team, records=records, audit=audit, now=now)
    try:
        sealed = nacl.public.SealedBox(nacl.public.PublicKey(_key_bytes(hub_key))).encrypt(envelope)
    except (nacl.exceptions.CryptoError, TypeError, ValueError):
        raise BundleRejected("hubbens krypteringsnyckel är ogiltig") from None
    box_id = key_id(box_signing_key(box.data_dir).verify_key)
    path = folder / f"hembas-{team}-{box_id}-{now.strftime('%Y%m%dT%H%M%S')}{EXPORT_SUFFIX}"
    atomic_write_bytes(path, sealed)
    box.audit.record("usb.export", actor=by, target=path.name,
                     detail={"records": len(records), "audit": len(audit)})
    logger.info("wrote %d records and %d audit entries to %s", len(records), len(audit), path)
    return path, len(records) + len(audit)


def _key_bytes(text):
    return base64.b64decode(text, validate=True)
