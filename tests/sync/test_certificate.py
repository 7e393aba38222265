"""The web UI's certificate: only one for this box's name and key, valid now, is ever swapped in."""

import datetime as dt

import pytest
from tls_testing import TestCA, have_nginx

from sync.certificate import CertificateRejected, CertificateStore, check

pytestmark = pytest.mark.skipif(not have_nginx(), reason="needs openssl")

NAME = "hembas.kalix.example"


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def now():
    """The time the test runs (certificates are issued from the moment they are made)."""
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)


@pytest.fixture
def store(tmp_path):
    return CertificateStore(tmp_path / "tls", name=NAME)


def test_a_certificate_for_the_name_and_key_is_accepted(ca, now):
    cert, key = ca.issue(NAME, days=30)
    info = check(cert, key, name=NAME, now=now)
    assert info.issuer == "CN=Testkommunens CA" and not info.self_signed
    assert 29 <= (info.not_after - now).days <= 30


@pytest.mark.parametrize("problem, expected", [
    ("name", "gäller inte namnet hembas.kalix.example"),
    ("key", "hör inte till nyckeln"),
    ("expired", "gick ut"),
    ("not yet valid", "gäller först från"),
    ("no key", "ingen privat nyckel"),
    ("not a certificate", "inget certifikat"),
])
def test_a_wrong_certificate_is_refused_with_the_reason(ca, problem, expected, now):
    cert, key = ca.issue("annan.kalix.example" if problem == "name" else NAME, days=30)
    when = now
    if problem == "key":
        _, key = ca.issue(NAME)
    elif problem == "expired":
        when = now + dt.timedelta(days=31)  # the box's clock a month on
    elif problem == "not yet valid":
        when = now - dt.timedelta(days=1)
    elif problem == "no key":
        key = b""
    elif problem == "not a certificate":
        cert = key
    with pytest.raises(CertificateRejected, match=expected):
        check(cert, key, name=NAME, now=when)


def test_a_refused_certificate_leaves_the_installed_one_untouched(ca, store, now):
    cert, key = ca.issue(NAME)
    store.install(cert, key, source="settings", now=now)
    before = store.path.read_bytes()
    with pytest.raises(CertificateRejected):
        store.install(ca.issue("annan.example")[0], source="hub", now=now)
    with pytest.raises(CertificateRejected):
        store.install(ca.issue(NAME)[0], source="hub", now=now)  # another key than the box holds
    assert store.path.read_bytes() == before and store.source() == "settings"


def test_a_renewal_keeps_the_key_and_swaps_chain_and_key_in_one_file(ca, store, now):
    cert, key = ca.issue(NAME, days=20)
    store.install(cert, key, source="settings", now=now)
    renewed, _ = ca.issue(NAME, days=90, key=key)
    store.install(renewed, source="hub", now=now)
    chain, held_key = store.read()
    assert chain == renewed and held_key.strip() == key.strip()
    assert store.status(now=now, warn_days=14)["state"] == "ok"
    assert not list(store.folder.glob("*.tmp"))  # atomic_write_bytes left nothing behind


def test_expiry_is_warned_two_weeks_ahead(ca, store):
    issued = ca.issue(NAME, days=30)
    now = dt.datetime.now(dt.timezone.utc)  # after openssl ran: a little under 30 days left, however slow the machine
    store.install(*issued, source="settings", now=now)
    assert store.status(now=now + dt.timedelta(days=15), warn_days=14)["state"] == "ok"
    soon = store.status(now=now + dt.timedelta(days=17), warn_days=14)
    assert soon["state"] == "expiring" and "går ut om 12 dagar" in soon["message"]
    assert store.status(now=now + dt.timedelta(days=31), warn_days=14)["state"] == "expired"


def test_without_a_certificate_the_box_makes_a_self_signed_one_once(store, ca, now):
    assert store.status(now=now, warn_days=14)["state"] == "missing"
    assert store.ensure(now=now)
    status = store.status(now=now, warn_days=14)
    assert status["state"] == "self-signed" and "webbläsarna varnar" in status["message"]
    assert not store.ensure(now=now)  # kept on the next boot
    store.install(*ca.issue(NAME), source="upload", now=now)
    assert not store.ensure(now=now) and store.source() == "upload"  # a CA's certificate is never replaced
    assert oct(store.path.stat().st_mode & 0o777) == "0o640"
