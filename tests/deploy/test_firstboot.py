"""First boot: the settings file is applied once, secrets leave the card, errors are reported."""

import json
import shutil
import stat
import tomllib

import pytest

from deploy import firstboot
from sync.provisioning import read_errors
from sync.config import load_config
from webui.users import Users


@pytest.fixture
def system_dir(tmp_path):
    return tmp_path / "system"


def provision(boot_dir, config, system_dir):
    return firstboot.apply_boot_file(boot_dir, config=config, system_dir=system_dir)


def test_no_file_is_nothing_to_do(boot_dir, config, system_dir):
    assert provision(boot_dir, config, system_dir) == "none"


def test_applied_file_configures_the_box(boot_dir, config, system_dir, settings_text, hub_key):
    (boot_dir / "hembas.toml").write_text(settings_text)
    assert provision(boot_dir, config, system_dir) == "applied"
    box_config = load_config(config.data_dir, environ={})
    assert box_config["team"]["id"] == "kalix-centrum"
    assert box_config["hub"]["public_key"] == hub_key
    assert box_config["web"]["host"] == "0.0.0.0" and box_config["tls"]["enabled"]  # nginx faces the phones
    assert box_config["printer"]["columns"] == 32
    assert (config.data_dir / "box-signing.key").exists()
    assert read_errors(config.data_dir) is None


def test_secrets_are_removed_from_the_boot_partition(boot_dir, config, system_dir, settings_text):
    (boot_dir / "hembas.toml").write_text(settings_text.replace("\n", "\r\n"))
    provision(boot_dir, config, system_dir)
    left = (boot_dir / "hembas.toml").read_text()
    assert "hemlig-kaffe-42" not in left and "ABCD-EFGH" not in left
    assert 'name = "Hembas Kalix"' in left           # the rest stays for the next technician
    assert provision(boot_dir, config, system_dir) == "unchanged"


def test_coordinator_can_enroll_with_the_code_from_the_file(boot_dir, config, system_dir, settings_text):
    (boot_dir / "hembas.toml").write_text(settings_text)
    provision(boot_dir, config, system_dir)
    users = Users(config.data_dir, enrollment_hours=72)
    coordinator = next(user for user in users.all() if user["name"] == "Anna Samordnare")
    assert coordinator["role"] == "coordinator"


def test_access_point_profile_holds_the_wifi_and_is_private(boot_dir, config, system_dir, settings_text):
    (boot_dir / "hembas.toml").write_text(settings_text)
    provision(boot_dir, config, system_dir)
    profile = system_dir / "nm-connections" / "hembas-ap.nmconnection"
    text = profile.read_text()
    assert "ssid=Hembas Kalix\n" in text and "psk=hemlig-kaffe-42\n" in text and "mode=ap\n" in text
    assert stat.S_IMODE(profile.stat().st_mode) == 0o600


def test_edited_file_without_passphrase_keeps_the_wifi_password(boot_dir, config, system_dir, settings_text):
    (boot_dir / "hembas.toml").write_text(settings_text)
    provision(boot_dir, config, system_dir)
    edited = (boot_dir / "hembas.toml").read_text().replace('"Hembas Kalix"', '"Hembas Kalix 2"')
    (boot_dir / "hembas.toml").write_text(edited)
    assert provision(boot_dir, config, system_dir) == "applied"
    text = (system_dir / "nm-connections" / "hembas-ap.nmconnection").read_text()
    assert "ssid=Hembas Kalix 2\n" in text and "psk=hemlig-kaffe-42\n" in text


def test_first_file_without_passphrase_is_an_error(boot_dir, config, system_dir, settings_text):
    (boot_dir / "hembas.toml").write_text(settings_text.replace('"hemlig-kaffe-42"', '""'))
    assert provision(boot_dir, config, system_dir) == "invalid"
    assert [e["key"] for e in read_errors(config.data_dir)["errors"]] == ["wifi.passphrase"]


def test_invalid_file_is_reported_and_left_untouched(boot_dir, config, system_dir, settings_text):
    bad = settings_text.replace('"Europe/Stockholm"', '"Mars/Olympus"')
    (boot_dir / "hembas.toml").write_text(bad)
    assert provision(boot_dir, config, system_dir) == "invalid"
    report = json.loads((config.data_dir / "provision-errors.json").read_text())
    assert report["errors"] == [{"key": "clock.timezone",
                                 "message": "clock.timezone: okänd tidszon 'Mars/Olympus' (t.ex. \"Europe/Stockholm\")"}]
    assert report["file"].endswith("hembas.toml") and report["checked_at"]
    assert (boot_dir / "hembas.toml").read_text() == bad
    assert not (config.data_dir / "hembas.toml").exists()


def test_fixed_file_clears_the_errors(boot_dir, config, system_dir, settings_text):
    (boot_dir / "hembas.toml").write_text(settings_text.replace("paper_mm = 58", "paper_mm = 12"))
    provision(boot_dir, config, system_dir)
    (boot_dir / "hembas.toml").write_text(settings_text)
    assert provision(boot_dir, config, system_dir) == "applied"
    assert read_errors(config.data_dir) is None


def test_existing_box_settings_are_kept(boot_dir, config, system_dir, settings_text):
    (config.data_dir / "hembas.toml").write_text('[plan]\nretention_days = 3\n[printer]\nprint_entry = true\n')
    (boot_dir / "hembas.toml").write_text(settings_text)
    provision(boot_dir, config, system_dir)
    saved = tomllib.loads((config.data_dir / "hembas.toml").read_text())
    assert saved["plan"]["retention_days"] == 3 and saved["printer"]["print_entry"] is True
    assert saved["printer"]["backend"] == "network"


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen (openssh-client)")
def test_ssh_host_key_is_made_once_and_technician_keys_written(boot_dir, config, system_dir, settings_text):
    (boot_dir / "hembas.toml").write_text(settings_text)
    provision(boot_dir, config, system_dir)
    host_key = system_dir / "ssh" / "ssh_host_ed25519_key"
    first = host_key.read_bytes()
    assert (system_dir / "ssh" / "authorized_keys" / "tekniker").read_text().startswith("ssh-ed25519 ")
    (boot_dir / "hembas.toml").write_text(settings_text.replace("Anna Samordnare", "Bo Samordnare"))
    provision(boot_dir, config, system_dir)
    assert host_key.read_bytes() == first
