import os

import pytest
from syncnet.helpers import newer_plan, publish

from sync.network.poller import run_cycle
from sync.network.status import SyncStatus


def disk_state(data_dir):
    """Identity of every durable file (the volatile run/ folder is a tmpfs on the box)."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
            for p in data_dir.iterdir() if p.is_file()}


def test_new_plan_arrives_and_is_reported(net_box, hub_store):
    publish(hub_store, newer_plan(note="Ny tid: ring innan"))
    report = run_cycle(net_box)
    assert report.ok and report.plan_changed
    assert net_box.plan().visits[0].note == "Ny tid: ring innan"
    status = SyncStatus(net_box.data_dir).read()
    assert status["plan_version"] == report.plan_version
    assert status["last_change"] and status["last_success"] and status["last_error"] is None
    assert net_box.audit.entries(action="plan.import")[0]["detail"]["source"] == "hubb"


def test_unchanged_plan_costs_a_304_and_no_disk_write(proxied_box, hub_store, proxy):
    publish(hub_store, newer_plan())
    run_cycle(proxied_box)
    before = disk_state(proxied_box.data_dir)
    report = run_cycle(proxied_box)
    assert report.ok and not report.plan_changed
    assert proxy.statuses[-1] == 304
    assert disk_state(proxied_box.data_dir) == before


@pytest.mark.parametrize("mode, reason", [
    ("slow", "svarade inte inom 1 s"),
    ("500", "svarade 500"),
    ("truncate", "avbröts"),
    ("garbage", "ingen signerad Hembas-fil"),
])
def test_hub_faults_leave_the_mirror_intact_and_are_reported(proxied_box, hub_store, proxy, mode, reason):
    publish(hub_store, newer_plan())
    version = proxied_box.plan().version
    plan_file = proxied_box.data_dir / "plan.json"
    stamp = os.stat(plan_file).st_mtime_ns
    proxy.mode = mode
    report = run_cycle(proxied_box)
    assert not report.ok
    assert proxied_box.plan().version == version
    assert os.stat(plan_file).st_mtime_ns == stamp
    assert reason in SyncStatus(proxied_box.data_dir).read()["last_error"]


def test_hub_down_is_reported_and_backs_off(net_box, hub_store):
    net_box.config["hub"]["url"] = "http://127.0.0.1:9"  # discard port: nothing listens
    version = net_box.plan().version
    first = run_cycle(net_box)
    second = run_cycle(net_box)
    status = SyncStatus(net_box.data_dir).read()
    assert not first.ok and "kan inte nå hubben" in status["last_error"]
    assert net_box.plan().version == version
    assert status["failures"] == 2 and status["last_success"] == ""
    assert second.next_attempt is not None


def test_refused_bundle_is_fetched_again_not_remembered(net_box, hub_store):
    publish(hub_store, newer_plan(team="annat-team"))
    hub_store.put_bundle("kalix-centrum", hub_store.bundle_path("annat-team").read_bytes())
    run_cycle(net_box)
    assert SyncStatus(net_box.data_dir).read()["etag"] == ""
    publish(hub_store, newer_plan())
    assert run_cycle(net_box).plan_changed
