import pytest
from hembas_testing import TODAY
from syncnet.helpers import TEAM, newer_plan, publish

from sync.network.keys import box_signing_key
from sync.network.poller import run_cycle
from sync.network.push import push_journal, unsent_audit
from sync.network.signing import key_id
from sync.network.status import SyncStatus


@pytest.fixture(autouse=True)
def hub_has_a_plan(hub_store):
    publish(hub_store, newer_plan())


def write_notes(box, count):
    return [box.records.append("note", author="s1", body={"text": f"Anteckning {n}"}, client_id="c01",
                               date=TODAY) for n in range(count)]


def stored_ids(hub_store, box):
    box_id = key_id(box_signing_key(box.data_dir).verify_key)
    return [row["item"]["id"] for row in hub_store.journal(TEAM, box_id)]


def test_records_and_audit_reach_the_hub_and_are_marked_sent(net_box, hub_store):
    run_cycle(net_box)  # takes the plan (and sends its import's audit entry)
    notes = write_notes(net_box, 3)
    net_box.audit.record("client.open", actor="s1", target="c01")
    report = run_cycle(net_box)
    assert report.ok and report.sent == 4
    stored = stored_ids(hub_store, net_box)
    assert [n["id"] for n in notes] == stored[1:4] and len(stored) == 5
    assert net_box.records.unsent() == [] and unsent_audit(net_box) == []
    assert SyncStatus(net_box.data_dir).read()["last_push"]


def test_batches_arrive_exactly_once_when_the_answer_is_lost(proxied_box, hub_store, proxy):
    notes = write_notes(proxied_box, 2)
    proxy.mode = "drop"  # the hub stores the batch, the box never hears back
    report = run_cycle(proxied_box)
    assert not report.ok and proxy.statuses == [200, 200]  # the plan GET, then the POST the hub stored
    assert len(proxied_box.records.unsent()) == 2
    assert stored_ids(hub_store, proxied_box)[:2] == [n["id"] for n in notes]
    proxy.mode = "pass"
    assert run_cycle(proxied_box).ok
    assert proxied_box.records.unsent() == []
    stored = stored_ids(hub_store, proxied_box)
    assert len(stored) == len(set(stored))
    assert set(n["id"] for n in notes) <= set(stored)


def test_unknown_box_is_refused_and_nothing_is_marked(net_box, hub_store):
    (hub_store.folder / "boxes.json").unlink()
    write_notes(net_box, 1)
    report = run_cycle(net_box)
    assert not report.ok and "403" in report.messages[-1]
    assert len(net_box.records.unsent()) == 1


def test_large_backlog_goes_in_several_batches(net_box, hub_store, monkeypatch):
    monkeypatch.setattr("sync.network.push.BATCH_RECORDS", 2)
    write_notes(net_box, 5)
    from sync.network.poller import client_for
    sent = push_journal(net_box, client_for(net_box), SyncStatus(net_box.data_dir))
    assert sent == 5 and net_box.records.unsent() == []
    assert len({row["batch"] for row in hub_store.journal(TEAM, key_id(box_signing_key(net_box.data_dir).verify_key))}) >= 3


def test_the_morning_meetings_changes_reach_the_hub_with_their_audit_entries(net_box, hub_store):
    from sync.day.changes import add_extra_visit, add_substitute, assign, audit_as, mark_absent, set_order
    from sync.day.proposal import accept, propose

    run_cycle(net_box)
    who = {"author": "s1", "audit": audit_as(net_box, "s1")}
    dag = net_box.shifts.shift(TODAY, "dag")
    changes = [mark_absent(net_box, "s3", dag, **who),
               add_substitute(net_box, dag, name="Kim Berg", phone="070-123 45 67", **who),
               add_extra_visit(net_box, dag, "c07", tasks=["tillsyn"], **who)]
    changes += accept(net_box, propose(net_box.plan(), net_box.day(TODAY), dag), **who).records
    route = net_box.day(TODAY).route("s2", shift="dag")
    changes.append(set_order(net_box, dag, "s2", [route[-1].id], **who))
    changes += assign(net_box, TODAY, [(route[0].id, ["s4"])], **who).records
    assert run_cycle(net_box).ok
    box_id = key_id(box_signing_key(net_box.data_dir).verify_key)
    stored = {row["item"]["id"]: row for row in hub_store.journal(TEAM, box_id)}
    for record in changes:
        assert stored[record["id"]]["type"] == "record" and stored[record["id"]]["item"] == record
    actions = {row["item"]["action"] for row in stored.values() if row["type"] == "audit"}
    assert {"day.absent", "day.substitute", "day.extra_visit", "visit.reassign", "day.order"} <= actions
    assert net_box.records.unsent() == [] and unsent_audit(net_box) == []
