"""A USB stick plugged in is read by itself: plan in, records out, updates, the slip and the lights."""

import datetime as dt
import os
import subprocess
import sys

import pytest

from deploy import stick as plugged
from sync import stick
from sync.box import open_box
from sync.config import load_config
from sync.hub.store import HubStore
from sync.network.bundle import make_bundle
from sync.plan.demo import demo_plan
from printer.queue import PrintQueue

TEAM = "kalix-centrum"


@pytest.fixture
def hub(tmp_path):
    store = HubStore(tmp_path / "hub")
    store.keygen()
    return store


@pytest.fixture
def data(tmp_path, hub):
    folder = tmp_path / "var"
    folder.mkdir()
    keys = hub.public_keys()
    (folder / "hembas.toml").write_text(
        f'[team]\nid = "{TEAM}"\n[hub]\npublic_key = "{keys["public_key"]}"\n'
        f'encryption_key = "{keys["encryption_key"]}"\n[printer]\nbackend = "preview"\n')
    return folder


@pytest.fixture
def usb(tmp_path):
    folder = tmp_path / "stick"
    folder.mkdir()
    return folder


def cli(data):
    """``hembas …`` as the stick service runs it (here without switching user): the real commands."""
    def run(*args):
        result = subprocess.run([sys.executable, "-m", "sync.cli", "--data", str(data), *args],
                                capture_output=True, text=True, timeout=120,
                                env={**os.environ, "GPIOZERO_PIN_FACTORY": "mock"})
        return plugged._outcome(result)
    return run


def insert(usb, data, **kwargs):
    return plugged.handle("/dev/sdz1", data_dir=data, mount=lambda device: usb, unmount=lambda: None,
                          hembas=cli(data), **kwargs)


def queued_slips(data):
    return [job["kind"] for job in PrintQueue(open_box(load_config(data, environ={}))).jobs()]


def test_a_plan_is_imported_and_the_records_written_back_when_asked(usb, data, hub):
    (usb / "plan.bundle").write_bytes(make_bundle(demo_plan(dt.date.today(), team_id=TEAM), hub.signing_key()))
    (usb / "hembas-export").mkdir()
    messages = insert(usb, data)
    assert any("inläst" in m for m in messages), messages
    assert open_box(load_config(data, environ={})).mirror.current().team.id == TEAM
    sealed = list((usb / "hembas-export").glob("*.hembas-sealed"))
    assert len(sealed) == 1 and any("hembas-export" in m or "poster" in m for m in messages)
    assert stick.read(data)["state"] == stick.DONE
    assert "status" in queued_slips(data)


def test_a_plan_signed_by_someone_else_is_refused_and_shown(usb, data):
    from sync.hub.store import HubStore as Other
    other = Other(usb.parent / "other-hub")
    other.keygen()
    (usb / "plan.bundle").write_bytes(make_bundle(demo_plan(dt.date.today(), team_id=TEAM), other.signing_key()))
    messages = insert(usb, data)
    record = stick.read(data)
    assert record["state"] == stick.FAILED and "nyckel" in " ".join(messages)
    assert open_box(load_config(data, environ={})).mirror.current() is None
    assert stick.lights(data)[1]                                              # the lights say it failed


def test_a_stick_with_nothing_for_the_box_says_so(usb, data):
    (usb / "semesterbilder").mkdir()
    assert insert(usb, data) == [
        "Stickan hade inget för Hembas (ingen plan, ingen mapp hembas-export, ingen uppdatering)."]
    assert stick.read(data)["state"] == stick.DONE and "status" in queued_slips(data)


def test_a_stick_that_cannot_be_mounted_is_reported(data):
    def broken(device):
        raise subprocess.CalledProcessError(1, "systemd-mount", stderr="unknown filesystem type 'ntfs'")

    plugged.handle("/dev/sdz1", data_dir=data, mount=broken, unmount=lambda: None, hembas=cli(data))
    assert stick.read(data)["state"] == stick.FAILED and "ntfs" in stick.read(data)["messages"][0]
    assert "status" in queued_slips(data)


class Update:
    def __init__(self, path, version):
        self.path, self.version = path, version


def test_the_newest_signed_update_is_installed_and_the_box_restarts(usb, data):
    from deploy.bundle import BundleInvalid
    for name in ("hembas-0.2.0.hembas-update", "hembas-0.3.0.hembas-update", "trasig.hembas-update"):
        (usb / name).write_bytes(b"x")

    def open_bundle(path):
        if path.name.startswith("trasig"):
            raise BundleInvalid("ingen systemuppdatering")
        return Update(path, path.name.split("-")[1].removesuffix(".hembas"))

    installed, reboots = [], []
    messages = insert(usb, data, open_bundle=open_bundle, reboot=lambda: reboots.append(1),
                      install=lambda bundle: (installed.append(bundle.version) or True, True, ["installerad"]))
    assert installed == ["0.3.0"] and reboots == [1]
    assert "trasig.hembas-update: ingen systemuppdatering" in messages
    assert stick.read(data)["state"] == stick.FAILED                          # the broken file is worth a look


def test_an_update_that_is_not_newer_does_not_restart_the_box(usb, data):
    (usb / "hembas-0.1.0.hembas-update").write_bytes(b"x")
    reboots = []
    insert(usb, data, open_bundle=lambda path: Update(path, "0.1.0"), reboot=lambda: reboots.append(1),
           install=lambda bundle: (True, False, ["version 0.1.0 är inte nyare"]))
    assert reboots == [] and stick.read(data)["state"] == stick.DONE
