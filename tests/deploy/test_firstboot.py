"""First boot: the settings file is applied once, secrets leave the card, errors are reported."""

import json
import os
import pwd
import shutil
import stat
import tomllib

import pytest

from deploy import firstboot
from sync.provisioning import read_errors
from sync.config import load_config
from webui.users import Users


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
    assert (boot_dir / "hembas.toml").read_text() == bad                  # secrets stay until it is applied
    assert "team" not in tomllib.loads((config.data_dir / "hembas.toml").read_text())


def test_a_refused_file_is_explained_on_the_boot_partition(boot_dir, config, system_dir, settings_text):
    (boot_dir / "hembas.toml").write_bytes(("\ufeff" + settings_text.replace('id = "kalix-centrum"\n', "")
                                            .replace("paper_mm = 58", "paper_mm = 12")).replace("\n", "\r\n")
                                           .encode())
    assert provision(boot_dir, config, system_dir) == "invalid"
    raw = (boot_dir / "hembas-FEL.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\n" not in raw.replace(b"\r\n", b"")      # Notepad: BOM, CRLF
    text = raw.decode("utf-8-sig")
    assert text.startswith("Hembas kunde inte använda inställningsfilen hembas.toml\r\n")
    assert "2 fel att rätta i hembas.toml:" in text
    assert "  - team.id: saknas\r\n" in text and "  - printer.paper_mm: ska vara 80 eller 58\r\n" in text
    assert 'telefonernas nätverk "Hembas Kalix" (wlan0)' in text and "SSH-nycklarna" in text


def test_a_refused_file_still_lets_the_technician_in(boot_dir, config, system_dir, settings_text):
    """The phones' network, SSH keys and safe sections apply; the team, hub and accounts do not."""
    (boot_dir / "hembas.toml").write_text(settings_text.replace('id = "kalix-centrum"\n', ""))
    assert provision(boot_dir, config, system_dir) == "invalid"
    assert "ssid=Hembas Kalix\n" in (system_dir / "nm-connections" / "hembas-ap.nmconnection").read_text()
    if shutil.which("ssh-keygen"):
        assert (system_dir / "ssh" / "authorized_keys" / "tekniker").read_text().startswith("ssh-ed25519 ")
    saved = tomllib.loads((config.data_dir / "hembas.toml").read_text())
    assert saved["web"]["host"] == "0.0.0.0"                              # the setup page reaches the phones
    assert saved["printer"]["backend"] == "network" and saved["clock"]["timezone"] == "Europe/Stockholm"
    assert "team" not in saved and "hub" not in saved
    assert Users(config.data_dir, enrollment_hours=72).all() == []
    assert not (config.data_dir / "box-signing.key").exists()


def test_a_file_that_is_not_toml_applies_nothing(boot_dir, config, system_dir):
    (boot_dir / "hembas.toml").write_text("[team\nid = kalix\n")
    assert provision(boot_dir, config, system_dir) == "invalid"
    assert "går inte att läsa som TOML" in (boot_dir / "hembas-FEL.txt").read_text(encoding="utf-8-sig")
    assert not (system_dir / "nm-connections").exists()


def test_the_status_slip_is_printed_once_per_refused_file(boot_dir, config, system_dir, settings_text):
    printed = []
    bad = settings_text.replace('id = "kalix-centrum"\n', "")
    (boot_dir / "hembas.toml").write_text(bad)
    for _ in range(2):                                                    # two boots, same file
        firstboot.apply_boot_file(boot_dir, config=config, system_dir=system_dir, print_slip=lambda: printed.append(1))
    assert printed == [1]
    (boot_dir / "hembas.toml").write_text(bad.replace("Hembas Kalix", "Hembas Kalix 2"))
    firstboot.apply_boot_file(boot_dir, config=config, system_dir=system_dir, print_slip=lambda: printed.append(1))
    assert printed == [1, 1]


def test_no_slip_when_the_printer_section_itself_is_wrong(boot_dir, config, system_dir, settings_text):
    printed = []
    (boot_dir / "hembas.toml").write_text(settings_text.replace("paper_mm = 58", "paper_mm = 12"))
    firstboot.apply_boot_file(boot_dir, config=config, system_dir=system_dir, print_slip=lambda: printed.append(1))
    assert printed == []


def test_a_locked_data_partition_is_reported_and_only_the_way_in_set_up(boot_dir, config, system_dir,
                                                                         settings_text):
    (boot_dir / "hembas.toml").write_text(settings_text)
    outcome = firstboot.apply_boot_file(boot_dir, config=config, system_dir=system_dir,
                                        data_problem="the data partition does not open with this board's key")
    assert outcome == "invalid"
    assert "data: the data partition does not open" in (boot_dir / "hembas-FEL.txt").read_text(encoding="utf-8-sig")
    assert (system_dir / "nm-connections" / "hembas-ap.nmconnection").exists()   # the technician can get in
    assert "hemlig-kaffe-42" in (boot_dir / "hembas.toml").read_text()     # not applied to a memory-only /data
    assert Users(config.data_dir, enrollment_hours=72).all() == []


def test_phones_on_a_wired_access_point(boot_dir, config, system_dir, settings_text):
    reloads = []
    (boot_dir / "hembas.toml").write_text(settings_text.replace('passphrase = "hemlig-kaffe-42"',
                                                                'passphrase = "hemlig-kaffe-42"\ninterface = "eth1"'))
    assert firstboot.apply_boot_file(boot_dir, config=config, system_dir=system_dir,
                                     reload_firewall=lambda: reloads.append(1)) == "applied"
    profile = (system_dir / "nm-connections" / "hembas-phones.nmconnection").read_text()
    assert "type=ethernet\ninterface-name=eth1\n" in profile and "method=shared\naddress1=10.42.0.1/24" in profile
    assert not (system_dir / "nm-connections" / "hembas-ap.nmconnection").exists()
    assert 'redefine PHONES = "eth1"' in (system_dir / "nftables" / "phones.nft").read_text()
    assert reloads == [1]


def test_fixed_file_clears_the_errors(boot_dir, config, system_dir, settings_text):
    (boot_dir / "hembas.toml").write_text(settings_text.replace("paper_mm = 58", "paper_mm = 12"))
    provision(boot_dir, config, system_dir)
    assert (boot_dir / "hembas-FEL.txt").exists()
    (boot_dir / "hembas.toml").write_text(settings_text)
    assert provision(boot_dir, config, system_dir) == "applied"
    assert read_errors(config.data_dir) is None
    assert not (boot_dir / "hembas-FEL.txt").exists()


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


def test_hembas_provision_exits_non_zero_when_the_file_is_refused(boot_dir, config, system_dir, settings_text, capsys):
    from sync.cli import main
    command = ["--data", str(config.data_dir), "provision", "--boot", str(boot_dir), "--system", str(system_dir)]
    (boot_dir / "hembas.toml").write_text(settings_text.replace('id = "kalix-centrum"\n', ""))
    assert main(command) == 1
    assert "hembas-FEL.txt" in capsys.readouterr().out
    (boot_dir / "hembas.toml").write_text(settings_text)
    assert main(command) == 0


def test_the_data_folder_is_shared_once_and_then_left_alone(tmp_path):
    """Every boot shares the data folder; a chmod of the certificate at boot fired a reload of a starting nginx."""
    data = tmp_path / "data"
    (data / "tls").mkdir(parents=True)
    (data / "plan.json").write_text("{}")
    (data / "tls" / "hembas.pem").write_text("certificate and key")
    (data / "plan.json").chmod(0o600)
    (data / "tls" / "hembas.pem").chmod(0o640)
    me = pwd.getpwuid(os.getuid()).pw_name  # the user that runs the tests (and its group) stands in for hembas
    firstboot.share_with_services(data, owner=me)
    assert stat.S_IMODE((data / "tls").stat().st_mode) == 0o2770
    assert stat.S_IMODE((data / "plan.json").stat().st_mode) == 0o660
    assert stat.S_IMODE((data / "tls" / "hembas.pem").stat().st_mode) == 0o640  # kept: the key's file
    changed = {p: p.stat().st_ctime_ns for p in [data, *data.rglob("*")]}
    firstboot.share_with_services(data, owner=me)  # the next boot
    assert {p: p.stat().st_ctime_ns for p in changed} == changed  # no chmod, no chown: no inotify event
