"""Pulling the team's plan from the hub.

One conditional GET: an unchanged plan costs a 304 and no disk write.  A new
bundle is imported through :func:`sync.network.bundle.import_bundle` (signature,
team, format, no replay); the ETag is remembered only once the plan it
names is safely in the mirror, so a refused or half-downloaded bundle is
fetched again next time instead of being forgotten.
"""

import logging
from dataclasses import dataclass

from .bundle import import_bundle, import_certificate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PullResult:
    changed: bool
    plan_version: str
    message: str


def pull_plan(box, client, status):
    """Fetch and import the team's plan if it changed; returns a :class:`PullResult`.

    Raises :class:`~sync.network.hubclient.HubError` when the hub cannot be
    reached and any :class:`~sync.errors.HembasError` when the bundle is
    refused; the mirror is untouched in both cases.
    """
    held = box.mirror.info()
    known = status.read()
    # Only trust the ETag for the plan actually in the mirror (a USB import or rollback replaces it).
    etag = known["etag"] if held and held.get("version") == known["plan_version"] else ""
    fetched = client.get_plan(etag=etag)
    if fetched.body is None:
        return PullResult(False, known["plan_version"], "planen är oförändrad")
    before = held.get("version") if held else ""
    plan = import_bundle(box, fetched.body, source="hubb")
    version = box.mirror.info()["version"]
    changed = version != before
    fields = {"plan_version": version, "etag": fetched.etag}
    if changed:
        fields["last_change"] = box.mirror.info()["imported_at"]
    status.update(**fields)
    if changed:
        logger.info("new plan %s from the hub", version)
        return PullResult(True, version, f"ny plan {version} ({plan.valid_from}–{plan.valid_to})")
    return PullResult(False, version, "planen är oförändrad")


def pull_certificate(box, client, *, now):
    """Fetch and install the hub's certificate renewal when TLS is on; returns a message or "".

    Raises like :func:`pull_plan`; a refused renewal leaves the certificate
    the box serves untouched.
    """
    if not box.config["tls"]["enabled"]:
        return ""
    envelope = client.get_certificate()
    if envelope is None:
        return ""
    info = import_certificate(box, envelope, source="hubb", now=now)
    if info is None:
        return ""
    logger.info("renewed TLS certificate from the hub, valid to %s", info.not_after.date())
    return f"nytt certifikat från hubben, gäller till {info.not_after:%Y-%m-%d}"
