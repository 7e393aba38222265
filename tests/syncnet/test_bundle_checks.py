import nacl.signing
import pytest
from syncnet.helpers import TEAM, newer_plan

from sync.network.bundle import BundleRejected, import_bundle, make_bundle
from sync.errors import PlanInvalid, PlanStale
from sync.network.poller import run_cycle
from sync.network.signing import SignatureInvalid, sign
from sync.store.database import encode_json
from sync.network.status import SyncStatus


def refused_through_the_hub(box, hub_store, envelope, reason):
    hub_store.put_bundle(TEAM, envelope)
    version = box.plan().version
    report = run_cycle(box)
    assert not report.ok
    assert box.plan().version == version
    assert reason in SyncStatus(box.data_dir).read()["last_error"]


def test_tampered_signature_is_rejected(net_box, hub_store):
    envelope = make_bundle(newer_plan(), hub_store.signing_key())
    tampered = envelope.replace(b"Ny plan fr\xc3\xa5n hubben", b"Ny plan fr\xc3\xa5n hackern")
    assert tampered != envelope
    refused_through_the_hub(net_box, hub_store, tampered, "signaturen stämmer inte")


def test_bundle_signed_with_another_key_is_rejected(net_box, hub_store):
    stranger = nacl.signing.SigningKey.generate()
    refused_through_the_hub(net_box, hub_store, make_bundle(newer_plan(), stranger), "annan nyckel")


def test_bundle_for_another_team_is_rejected(net_box, hub_store):
    refused_through_the_hub(net_box, hub_store, make_bundle(newer_plan(team="haparanda"), hub_store.signing_key()),
                            "gäller team 'haparanda'")


def test_older_plan_is_rejected(net_box, hub_store):
    refused_through_the_hub(net_box, hub_store, make_bundle(newer_plan(hours=-24), hub_store.signing_key()),
                            "äldre än den som redan finns")


def test_envelope_team_must_match_the_plan_inside(net_box, hub_store):
    document = newer_plan(team="haparanda")
    envelope = sign(encode_json(document), hub_store.signing_key(), kind="plan", team=TEAM)
    with pytest.raises(BundleRejected, match="stämmer inte med det signerade kuvertet"):
        import_bundle(net_box, envelope, source="test")


def test_invalid_plan_in_a_valid_signature_is_rejected(net_box, hub_store):
    document = newer_plan()
    document["visits"][0]["client_id"] = "finns-inte"
    with pytest.raises(PlanInvalid, match="finns-inte"):
        import_bundle(net_box, make_bundle(document, hub_store.signing_key()), source="test")


def test_same_plan_again_writes_nothing(net_box, hub_store):
    bundle = make_bundle(newer_plan(), hub_store.signing_key())
    import_bundle(net_box, bundle, source="test")
    before = (net_box.data_dir / "plan.json").stat().st_mtime_ns
    import_bundle(net_box, bundle, source="test")
    assert (net_box.data_dir / "plan.json").stat().st_mtime_ns == before


def test_no_pinned_key_means_no_import(net_box, hub_store):
    net_box.config["hub"]["public_key"] = ""
    with pytest.raises(BundleRejected, match="ingen betrodd hubbnyckel"):
        import_bundle(net_box, make_bundle(newer_plan(), hub_store.signing_key()), source="test")


def test_signature_errors_are_hembas_errors(net_box, hub_store):
    with pytest.raises(SignatureInvalid):
        import_bundle(net_box, make_bundle(newer_plan(), nacl.signing.SigningKey.generate()), source="x")
    with pytest.raises(PlanStale):
        import_bundle(net_box, make_bundle(newer_plan(hours=-1), hub_store.signing_key()), source="x")
