"""A USB stick plugged in is read by itself: plan in, records out, updates, the slip and the lights."""

import datetime as dt
import os
import subprocess
import sys

import pytest

from deploy import stick as plugged
from sync import stick as last_stick
from sync.box import open_box
from sync.config import load_config
from sync.hub.store import HubStore
from sync.network.bundle import make_bundle
from sync.plan.demo import demo_plan
from printer.queue import PrintQueue

TEAM = "kalix-centrum"


@pytest.fixture
def data(data_dir, hub_store):
    """A box's data folder set up for the team and the hub, printing to the preview."""
    keys = hub_store.public_keys()
    (data_dir / "hembas.toml").write_text(
        f'[team]\nid = "{TEAM}"\n[hub]\npublic_key = "{keys["public_key"]}"\n'
        f'encryption_key = "{keys["encryption_key"]}"\n[printer]\nbackend = "preview"\n')
    return data_dir


def cli(data):
    """``hembas …`` as the stick service runs it (here without switching user): the real commands."""
    def run(*args):
        result = subprocess.run([sys.executable, "-m", "sync.cli", "--data", str(data), *args],
                                capture_output=True, text=True, timeout=120,
                                env={**os.environ, "GPIOZERO_PIN_FACTORY": "mock"})
        return plugged._outcome(result)
    return run


def insert(stick, data, **kwargs):
    return plugged.handle("/dev/sdz1", data_dir=data, mount=lambda device: stick, unmount=lambda: None,
                          hembas=cli(data), **kwargs)


def queued_slips(data):
    return [job["kind"] for job in PrintQueue(open_box(load_config(data, environ={}))).jobs()]


def test_a_plan_is_imported_and_the_records_written_back_when_asked(stick, data, hub_store):
    plan = demo_plan(dt.date.today(), team_id=TEAM)
    (stick / "plan.bundle").write_bytes(make_bundle(plan, hub_store.signing_key()))
    (stick / "hembas-export").mkdir()
    messages = insert(stick, data)
    assert any("inläst" in m for m in messages), messages
    assert open_box(load_config(data, environ={})).mirror.current().team.id == TEAM
    sealed = list((stick / "hembas-export").glob("*.hembas-sealed"))
    assert len(sealed) == 1 and any("hembas-export" in m or "poster" in m for m in messages)
    assert last_stick.read(data)["state"] == last_stick.DONE
    assert "status" in queued_slips(data)


def test_a_plan_signed_by_someone_else_is_refused_and_shown(stick, data):
    other = HubStore(stick.parent / "other-hub")
    other.keygen()
    (stick / "plan.bundle").write_bytes(make_bundle(demo_plan(dt.date.today(), team_id=TEAM), other.signing_key()))
    messages = insert(stick, data)
    record = last_stick.read(data)
    assert record["state"] == last_stick.FAILED and "nyckel" in " ".join(messages)
    assert open_box(load_config(data, environ={})).mirror.current() is None
    assert last_stick.lights(data)[1]                                     # the lights say it failed


def test_a_stick_with_nothing_for_the_box_says_so(stick, data):
    (stick / "semesterbilder").mkdir()
    assert insert(stick, data) == [
        "Stickan hade inget för Hembas (ingen plan, ingen mapp hembas-export, ingen uppdatering)."]
    assert last_stick.read(data)["state"] == last_stick.DONE and "status" in queued_slips(data)


def test_a_stick_that_cannot_be_mounted_is_reported(data):
    def broken(device):
        raise subprocess.CalledProcessError(1, "systemd-mount", stderr="unknown filesystem type 'ntfs'")

    plugged.handle("/dev/sdz1", data_dir=data, mount=broken, unmount=lambda: None, hembas=cli(data))
    record = last_stick.read(data)
    assert record["state"] == last_stick.FAILED and "ntfs" in record["messages"][0]
    assert "status" in queued_slips(data)


class Update:
    def __init__(self, path, version):
        self.path, self.version = path, version


def test_the_newest_signed_update_is_installed_and_the_box_restarts(stick, data):
    from deploy.bundle import BundleInvalid
    for name in ("hembas-0.2.0.hembas-update", "hembas-0.3.0.hembas-update", "trasig.hembas-update"):
        (stick / name).write_bytes(b"x")

    def open_bundle(path):
        if path.name.startswith("trasig"):
            raise BundleInvalid("ingen systemuppdatering")
        return Update(path, path.name.split("-")[1].removesuffix(".hembas"))

    installed, reboots = [], []
    messages = insert(stick, data, open_bundle=open_bundle, reboot=lambda: reboots.append(1),
                      install=lambda bundle: (installed.append(bundle.version) or True, True, ["installerad"]))
    assert installed == ["0.3.0"] and reboots == [1]
    assert "trasig.hembas-update: ingen systemuppdatering" in messages
    assert last_stick.read(data)["state"] == last_stick.FAILED            # the broken file is worth a look


def test_an_update_that_is_not_newer_does_not_restart_the_box(stick, data):
    (stick / "hembas-0.1.0.hembas-update").write_bytes(b"x")
    reboots = []
    insert(stick, data, open_bundle=lambda path: Update(path, "0.1.0"), reboot=lambda: reboots.append(1),
           install=lambda bundle: (True, False, ["version 0.1.0 är inte nyare"]))
    assert reboots == [] and last_stick.read(data)["state"] == last_stick.DONE
