"""Plan bundles: a plan document in a signed envelope, for one team.

Every way a plan reaches the box from outside — the hub, a USB stick, the
coordinator's upload in the web UI — goes through :func:`import_bundle`, so
the same checks apply everywhere, in this order: signature against the
pinned hub key, team, plan format, not older than the current plan.  If
any check fails nothing is written and a :class:`~sync.errors.HembasError`
with a Swedish reason is raised::

    plan = import_bundle(box, raw_bytes, source="usb")

A renewed TLS certificate for the box travels the same way, in an envelope
of kind ``certificate`` signed by the same hub key (:func:`import_certificate`).
"""

import logging

from ..commands import working_day_or_none
from ..errors import HembasError
from ..plan.model import document_version
from .signing import MAX_HEADER_BYTES, sign, verify
from ..store.database import encode_json
from ..plan.validate import MAX_FILE_BYTES, load_document

logger = logging.getLogger(__name__)

KIND = "plan"
CERTIFICATE_KIND = "certificate"
MAX_CERTIFICATE_BYTES = 64 * 1024 + MAX_HEADER_BYTES + 128
SUFFIX = ".bundle"
MAX_BUNDLE_BYTES = MAX_FILE_BYTES + MAX_HEADER_BYTES + 128  # the largest plan, its header and signature


class BundleRejected(HembasError, ValueError):
    """A signed bundle was readable but may not be imported (wrong team, no key …)."""


def make_bundle(document, signing_key, *, created_at=None):
    """Sign a plan *document* for its own team (the hub side of :func:`import_bundle`)."""
    return sign(encode_json(document), signing_key, kind=KIND, team=document["team"]["id"],
                created_at=created_at)


def expected_team(box):
    """The team this box mirrors: configured, else the current plan's, else "" (any)."""
    if box.config["team"]["id"]:
        return box.config["team"]["id"]
    current = box.mirror.current()
    return current.team.id if current else ""


def _opened(box, raw_bytes, *, kind, what):
    """``(header, payload)`` of an envelope of *kind* for this box: the pinned hub key, the team."""
    pinned = box.config["hub"]["public_key"]
    if not pinned:
        raise BundleRejected("ingen betrodd hubbnyckel är inställd ([hub] public_key)")
    header, payload = verify(raw_bytes, pinned, kind=kind)
    team = expected_team(box)
    if team and header["team"] != team:
        raise BundleRejected(f"{what} gäller team {header['team']!r}, den här lådan hör till {team!r}")
    return header, payload


def import_bundle(box, raw_bytes, *, source):
    """Verify *raw_bytes* and make its plan current; returns the new (or unchanged) Plan.

    A bundle holding exactly the current plan changes nothing on disk.
    """
    if len(raw_bytes) > MAX_BUNDLE_BYTES:
        raise BundleRejected(f"filen är för stor för en plan ({len(raw_bytes)} byte, högst {MAX_BUNDLE_BYTES})")
    header, payload = _opened(box, raw_bytes, kind=KIND, what="planen")
    document = load_document(payload)
    if not isinstance(document.get("team"), dict) or document["team"].get("id") != header["team"]:
        raise BundleRejected("planens team stämmer inte med det signerade kuvertet")
    held = box.mirror.info()
    if held is not None and held.get("version") == document_version(document):
        logger.debug("bundle from %s holds the current plan %s", source, held["version"])
        return box.mirror.current()
    plan = box.mirror.import_document(document, source=source, today=working_day_or_none(box))
    box.audit.record("plan.import", actor="sync", target=plan.version,
                     detail={"source": source, "signed_at": header["created_at"], "key_id": header["key_id"]})
    return plan


def make_certificate_bundle(cert_pem, signing_key, *, team, created_at=None):
    """Sign a renewed certificate chain (PEM, no key) for *team*'s box (the hub side)."""
    return sign(cert_pem, signing_key, kind=CERTIFICATE_KIND, team=team, created_at=created_at)


def import_certificate(box, raw_bytes, *, source, now):
    """Verify a signed certificate renewal and swap it in for the key the box holds; returns its info.

    Returns None when the box already serves exactly this certificate (the
    hub keeps offering its latest renewal at every poll).

    Only the pinned hub key can sign one: a certificate from anywhere else
    (a bare PEM file, another key) is refused before it is even read.  The
    certificate's own checks (name, key, dates) are :func:`sync.certificate.check`'s.
    """
    from ..certificate import inspect, store_for

    if len(raw_bytes) > MAX_CERTIFICATE_BYTES:
        raise BundleRejected(f"filen är för stor för ett certifikat ({len(raw_bytes)} byte)")
    header, payload = _opened(box, raw_bytes, kind=CERTIFICATE_KIND, what="certifikatet")
    store = store_for(box.config)
    if store.holds(payload):
        return None
    held, _ = store.read()
    if held:
        renewed, current = inspect(payload), inspect(held)
        if renewed.not_after < current.not_after:
            raise BundleRejected(f"certifikatet går ut tidigare ({renewed.not_after:%Y-%m-%d}) än det lådan har "
                                 f"({current.not_after:%Y-%m-%d})")
    info = store.install(payload, source="hub", now=now)
    box.audit.record("tls.renew", actor="sync", target=info.fingerprint,
                     detail={"source": source, "signed_at": header["created_at"], "not_after": info.not_after.isoformat()})
    return info
