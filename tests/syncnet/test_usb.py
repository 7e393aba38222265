import datetime as dt
import urllib.request

import nacl.signing
import pytest
from hembas_testing import NOW, TODAY
from syncnet.helpers import TEAM, newer_plan

from sync.network.bundle import BundleRejected, make_bundle
from sync.network.keys import box_signing_key
from sync.network.poller import run_cycle
from sync.network.signing import SignatureInvalid, key_id
from sync.network.usb import StickError, export_to_stick, import_from_stick


def test_newest_bundle_for_this_team_is_imported_from_the_stick(net_box, hub_store, stick):
    key = hub_store.signing_key()

    def bundle(hours, **kwargs):  # signed when published: a newer plan has a newer envelope
        return make_bundle(newer_plan(hours=hours, **kwargs), key, created_at=NOW + dt.timedelta(hours=hours))

    (stick / "old.bundle").write_bytes(bundle(1, note="gammal"))
    (stick / "new.bundle").write_bytes(bundle(2, note="ny"))
    (stick / "other.bundle").write_bytes(bundle(3, team="haparanda"))
    plan = import_from_stick(net_box, stick)
    assert plan.visits[0].note == "ny"
    assert net_box.audit.entries(action="usb.import")[0]["detail"]["file"] == "new.bundle"


def test_stick_bundle_gets_the_same_checks(net_box, stick):
    (stick / "plan.bundle").write_bytes(make_bundle(newer_plan(), nacl.signing.SigningKey.generate()))
    version = net_box.plan().version
    with pytest.raises(SignatureInvalid, match="annan nyckel"):
        import_from_stick(net_box, stick)
    assert net_box.plan().version == version


def test_empty_stick_is_reported(net_box, stick):
    with pytest.raises(StickError, match="ingen plan för team kalix-centrum"):
        import_from_stick(net_box, stick)


def test_encrypted_export_round_trips_through_the_hub_exactly_once(net_box, hub_store, hub_url, stick):
    note = net_box.records.append("note", author="s1", body={"text": "Fru Lind föll i badrummet"},
                                  client_id="c01", date=TODAY)
    path, count = export_to_stick(net_box, stick)
    sealed = path.read_bytes()
    assert count >= 1 and "Lind".encode() not in sealed and b"s1" not in sealed
    request = urllib.request.Request(f"{hub_url}/teams/{TEAM}/journal", data=sealed, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    box_id = key_id(box_signing_key(net_box.data_dir).verify_key)
    assert note["id"] in [row["item"]["id"] for row in hub_store.journal(TEAM, box_id)]
    assert net_box.records.unsent() == [note]  # no acknowledgement reached the box yet
    hub_store.put_bundle(TEAM, make_bundle(newer_plan(), hub_store.signing_key()))
    assert run_cycle(net_box).ok
    ids = [row["item"]["id"] for row in hub_store.journal(TEAM, box_id)]
    assert ids.count(note["id"]) == 1 and net_box.records.unsent() == []


def test_export_without_the_hub_encryption_key_is_refused(net_box, stick):
    net_box.config["hub"]["encryption_key"] = ""
    with pytest.raises(BundleRejected, match="krypteringsnyckel saknas"):
        export_to_stick(net_box, stick)
    assert list(stick.iterdir()) == []
