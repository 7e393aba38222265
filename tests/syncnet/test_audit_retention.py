"""The box keeps a bounded audit history and never drops an entry the hub has not acknowledged."""

import datetime as dt
import threading

from syncnet.helpers import newer_plan, publish

from sync.network.poller import run_cycle
from sync.network.push import AuditAcks, prune_audit, unsent_audit
from sync.store.audit import AuditLog

NOW = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.timezone.utc)


def test_prune_drops_only_old_entries_the_hub_holds(data_dir):
    audit = AuditLog(data_dir)
    old_acked = audit.record("client.open", actor="s1", target="c01", at=NOW - dt.timedelta(days=100))
    old_unacked = audit.record("client.open", actor="s1", target="c02", at=NOW - dt.timedelta(days=200))
    new_acked = audit.record("client.open", actor="s1", target="c03", at=NOW - dt.timedelta(days=1))
    dropped = audit.prune(older_than=NOW - dt.timedelta(days=90), acknowledged={old_acked["id"], new_acked["id"]})
    assert dropped == [old_acked["id"]]
    assert {e["id"] for e in audit.entries()} == {old_unacked["id"], new_acked["id"]}


def test_appends_during_a_prune_are_never_lost(data_dir):
    audit = AuditLog(data_dir)
    old = [audit.record("signin", actor="s1", at=NOW - dt.timedelta(days=100))["id"] for _ in range(50)]
    written, stop = [], threading.Event()

    def append():
        while not stop.is_set() or len(written) < 200:
            written.append(AuditLog(data_dir).record("client.open", actor="s2", target="c01")["id"])

    writer = threading.Thread(target=append)
    writer.start()
    for _ in range(20):
        AuditLog(data_dir).prune(older_than=NOW - dt.timedelta(days=90), acknowledged=set(old))
    stop.set()
    writer.join()
    ids = {e["id"] for e in audit.entries()}
    assert set(written) <= ids and not set(old) & ids


def test_a_log_kept_open_by_the_web_server_writes_into_the_file_another_process_pruned(data_dir):
    server, sync_loop = AuditLog(data_dir), AuditLog(data_dir)  # two processes' views of one log
    old = server.record("signin", actor="s1", at=NOW - dt.timedelta(days=100))["id"]
    assert sync_loop.prune(older_than=NOW - dt.timedelta(days=90), acknowledged={old}) == [old]
    after = server.record("client.open", actor="s2", target="c01")["id"]  # its open file was replaced
    assert [e["id"] for e in AuditLog(data_dir).entries()] == [after]
    (data_dir / "audit.jsonl").unlink()  # gone altogether (a technician's cleanup): the next entry starts it again
    again = server.record("client.open", actor="s2", target="c02")["id"]
    assert [e["id"] for e in AuditLog(data_dir).entries()] == [again]


def test_after_a_push_acknowledged_entries_past_keep_days_leave_and_the_rest_stays(net_box, hub_store):
    publish(hub_store, newer_plan())
    net_box.config["audit"]["keep_days"] = 90
    now = dt.datetime.now(dt.timezone.utc)
    old = net_box.audit.record("client.open", actor="s1", target="c01", at=now - dt.timedelta(days=120))
    recent = net_box.audit.record("client.open", actor="s1", target="c02", at=now - dt.timedelta(days=10))
    assert run_cycle(net_box).ok
    ids = {e["id"] for e in net_box.audit.entries()}
    assert old["id"] not in ids and recent["id"] in ids
    assert old["id"] not in AuditAcks(net_box.data_dir).ids()  # its acknowledgement went with it
    assert unsent_audit(net_box) == []


def test_an_entry_the_hub_never_acknowledged_is_kept_however_old(box):
    box.config["audit"]["keep_days"] = 90
    ancient = box.audit.record("client.open", actor="s1", target="c01", at=NOW - dt.timedelta(days=400))
    acked = box.audit.record("client.open", actor="s1", target="c01", at=NOW - dt.timedelta(days=300))
    AuditAcks(box.data_dir).mark([acked["id"]], at=NOW.isoformat())
    assert prune_audit(box, now=NOW) == 1
    assert [e["id"] for e in box.audit.entries()] == [ancient["id"]]
    assert prune_audit(box, now=NOW) == 0  # nothing droppable: nothing rewritten
