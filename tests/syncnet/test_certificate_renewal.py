"""A renewed TLS certificate from the hub: only in an envelope the pinned hub key signed, for this box's key."""

import datetime as dt

import nacl.signing
import pytest
from syncnet.helpers import TEAM, newer_plan
from tls_testing import TestCA, have_nginx

from sync.certificate import store_for
from sync.errors import HembasError
from sync.network.bundle import BundleRejected, import_certificate, make_certificate_bundle, make_bundle
from sync.network.signing import EnvelopeInvalid, SignatureInvalid, encode_key

pytestmark = pytest.mark.skipif(not have_nginx(), reason="needs openssl")

NAME = "hembas.kalix.example"


@pytest.fixture
def hub_key():
    return nacl.signing.SigningKey.generate()


@pytest.fixture
def tls_box(box, hub_key, monkeypatch, tmp_path):
    """The demo box with a pinned hub key and a CA certificate installed from the settings file."""
    monkeypatch.setitem(box.config["hub"], "public_key", encode_key(hub_key.verify_key))
    monkeypatch.setitem(box.config["tls"], "name", NAME)
    box.ca = TestCA(tmp_path / "ca")
    cert, box.tls_key = box.ca.issue(NAME, days=20)
    store_for(box.config).install(cert, box.tls_key, source="settings", now=_now())
    return box


def _now():
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)


def test_a_signed_renewal_for_the_boxs_key_is_swapped_in_and_logged(tls_box, hub_key):
    renewed, _ = tls_box.ca.issue(NAME, days=90, key=tls_box.tls_key)
    envelope = make_certificate_bundle(renewed, hub_key, team=tls_box.plan().team.id)
    info = import_certificate(tls_box, envelope, source="hubb", now=_now())
    store = store_for(tls_box.config)
    assert store.read() == (renewed, tls_box.tls_key) and store.source() == "hub"
    [entry] = tls_box.audit.entries(action="tls.renew")
    assert entry["target"] == info.fingerprint


def _refused(box, envelope, error, match):
    before = store_for(box.config).path.read_bytes()
    with pytest.raises(error, match=match):
        import_certificate(box, envelope, source="hubb", now=_now())
    assert store_for(box.config).path.read_bytes() == before


def test_an_unsigned_or_foreign_certificate_is_refused(tls_box, hub_key):
    renewed, _ = tls_box.ca.issue(NAME, days=90, key=tls_box.tls_key)
    team = tls_box.plan().team.id
    _refused(tls_box, renewed, EnvelopeInvalid, "ingen signerad Hembas-fil")  # a bare PEM file
    stranger = nacl.signing.SigningKey.generate()
    _refused(tls_box, make_certificate_bundle(renewed, stranger, team=team), SignatureInvalid, "annan nyckel")
    _refused(tls_box, make_certificate_bundle(renewed, hub_key, team="annat-team"), BundleRejected, "annat-team")
    plan_envelope = make_bundle({"team": {"id": team}}, hub_key)
    _refused(tls_box, plan_envelope, EnvelopeInvalid, "fel sorts fil")  # a plan never passes for a certificate


def test_a_renewal_for_another_name_key_or_an_older_one_is_refused(tls_box, hub_key):
    team = tls_box.plan().team.id
    for cert, match in ((tls_box.ca.issue("annan.example", key=tls_box.tls_key)[0], "gäller inte namnet"),
                        (tls_box.ca.issue(NAME, days=90)[0], "hör inte till nyckeln"),
                        (tls_box.ca.issue(NAME, days=5, key=tls_box.tls_key)[0], "går ut tidigare")):
        _refused(tls_box, make_certificate_bundle(cert, hub_key, team=team), HembasError, match)


def test_the_sync_fetches_the_hubs_renewal_once_and_refuses_a_tampered_one(net_box, hub_store, tmp_path, capsys):
    from sync.cli import main
    from sync.network.poller import run_cycle

    net_box.config["tls"].update(enabled=True, name=NAME)
    hub_store.put_bundle(TEAM, make_bundle(newer_plan(), hub_store.signing_key()))
    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue(NAME, days=20)
    store = store_for(net_box.config)
    store.install(cert, key, source="settings", now=_now())
    assert "certifikat" not in " ".join(run_cycle(net_box).messages)  # the hub has none: nothing happens
    renewed, _ = ca.issue(NAME, days=90, key=key)
    (tmp_path / "renewed.pem").write_bytes(renewed)
    assert main(["--data", str(tmp_path / "hubcli"), "hub", "certificate", "--hub-dir", str(hub_store.folder),
                 "--team", TEAM, str(tmp_path / "renewed.pem")]) in (0, None)
    report = run_cycle(net_box)
    assert report.ok and any("nytt certifikat från hubben" in m for m in report.messages)
    assert store.read() == (renewed, key) and store.source() == "hub"
    assert not any("certifikat" in m for m in run_cycle(net_box).messages)  # offered again: already held
    envelope = hub_store.bundle_path(TEAM, "certificate.bundle").read_bytes()
    hub_store.put_bundle(TEAM, envelope.replace(b"MII", b"MIJ", 1), "certificate.bundle")
    report = run_cycle(net_box)
    assert not report.ok and "certifikatet avvisades: signaturen stämmer inte" in report.messages[-1]
    assert store.read() == (renewed, key)
