"""The boot partition's settings file: what a technician writes, on any editor."""

import pytest

from deploy.provision import ProvisionInvalid, parse, parse_connection


def problems_of(text):
    with pytest.raises(ProvisionInvalid) as caught:
        parse(text.encode() if isinstance(text, str) else text)
    return {problem["key"]: problem["message"] for problem in caught.value.problems}


def test_valid_file_becomes_box_settings(settings_text, hub_key):
    wanted = parse(settings_text.encode())
    assert wanted.settings["team"] == {"id": "kalix-centrum"}
    assert wanted.settings["hub"] == {"url": "https://hub.kalix.example/", "public_key": hub_key}
    assert wanted.settings["printer"] == {"profile": "TM-T20II", "backend": "network",
                                          "host": "192.168.50.20", "columns": 32}
    assert wanted.settings["clock"] == {"timezone": "Europe/Stockholm"}
    assert (wanted.wifi_name, wanted.wifi_passphrase) == ("Hembas Kalix", "hemlig-kaffe-42")
    assert (wanted.coordinator_name, wanted.enrollment_code) == ("Anna Samordnare", "ABCDEFGH")
    assert len(wanted.authorized_keys) == 1


def test_windows_line_endings_and_bom_are_read(settings_text):
    raw = b"\xef\xbb\xbf" + settings_text.replace("\n", "\r\n").encode()
    assert parse(raw).wifi_name == "Hembas Kalix"


def test_utf16_from_notepad_is_read(settings_text):
    raw = settings_text.replace("Hembas Kalix", "Hembas Råneå").encode("utf-16")
    assert parse(raw).wifi_name == "Hembas Råneå"


def test_ansi_file_is_read(settings_text):
    raw = settings_text.replace("Anna Samordnare", "Åsa Öberg").encode("cp1252")
    assert parse(raw).coordinator_name == "Åsa Öberg"


def test_not_toml_is_one_clear_problem():
    assert list(problems_of("[team\nid = 1")) == [""]
    assert "TOML" in problems_of("[team\nid = 1")[""]


def test_every_problem_is_reported_at_once(settings_text):
    text = (settings_text.replace('"kalix-centrum"', '"Kalix centrum!"')
            .replace('"hemlig-kaffe-42"', '"kort"')
            .replace('"Europe/Stockholm"', '"Europe/Kalix"')
            .replace("paper_mm = 58", "paper_mm = 57"))
    problems = problems_of(text)
    assert set(problems) == {"team.id", "wifi.passphrase", "clock.timezone", "printer.paper_mm"}
    assert problems["wifi.passphrase"] == "wifi.passphrase: ska vara 8–63 tecken utan å, ä och ö"


def test_missing_team_and_wifi_name_are_named():
    problems = problems_of("[wifi]\npassphrase = \"tillräckligt-lång\"\n")
    assert problems["team.id"] == "team.id: saknas"
    assert problems["wifi.name"] == "wifi.name: saknas"


def test_hub_url_needs_its_public_key(settings_text, hub_key):
    problems = problems_of(settings_text.replace(f'"{hub_key}"', '""'))
    assert problems == {"hub.public_key": "hub.public_key: saknas"}


def test_bad_hub_key_and_url(settings_text, hub_key):
    text = settings_text.replace(hub_key, "inte-en-nyckel").replace("https://hub", "ftp://hub")
    assert set(problems_of(text)) == {"hub.url", "hub.public_key"}


def test_bad_enrollment_code_and_missing_coordinator_name(settings_text):
    text = settings_text.replace('"ABCD-EFGH"', '"ABC0"').replace('name = "Anna Samordnare"', "")
    assert set(problems_of(text)) == {"coordinator.enrollment_code", "coordinator.name"}


def test_unknown_sections_keys_and_wrong_types(settings_text):
    text = settings_text + "\n[skrivare]\nx = 1\n[gpio]\nbutton = \"17\"\nknapp = 5\n"
    problems = problems_of(text)
    assert problems["skrivare"] == "okänd sektion [skrivare]"
    assert problems["gpio.button"] == "gpio.button: ska vara ett heltal"
    assert problems["gpio.knapp"] == "gpio.knapp: okänd inställning"


def test_other_config_sections_pass_through(settings_text):
    wanted = parse((settings_text + "\n[gpio]\npin_factory = \"mock\"\n").encode())
    assert wanted.settings["gpio"] == {"pin_factory": "mock"}


def test_wifi_name_longer_than_32_bytes(settings_text):
    text = settings_text.replace('"Hembas Kalix"', '"' + "ö" * 17 + '"')
    assert set(problems_of(text)) == {"wifi.name"}


def test_bad_ssh_key(settings_text):
    text = settings_text.replace('authorized_keys = ["', 'authorized_keys = ["ssh-dss AAAA", "')
    assert problems_of(text) == {"ssh.authorized_keys": "ssh.authorized_keys: nyckel 1 är ingen publik SSH-nyckel"}


def test_empty_secrets_mean_keep_current(settings_text):
    text = settings_text.replace('"hemlig-kaffe-42"', '""').replace('"ABCD-EFGH"', '""')
    wanted = parse(text.encode())
    assert (wanted.wifi_passphrase, wanted.enrollment_code) == ("", "")


@pytest.mark.parametrize("text, settings", [
    ("usb", {"backend": "file", "device": "/dev/usb/lp0"}),
    ("usb:04b8:0202", {"backend": "usb", "usb_vendor": 0x04B8, "usb_product": 0x0202}),
    ("serial:/dev/ttyUSB0:9600", {"backend": "serial", "serial_port": "/dev/ttyUSB0", "serial_baudrate": 9600}),
    ("network:10.0.0.5:9101", {"backend": "network", "host": "10.0.0.5", "port": 9101}),
    ("preview", {"backend": "preview"}),
])
def test_printer_connections(text, settings):
    assert parse_connection(text) == settings


@pytest.mark.parametrize("text", ["bluetooth", "usb:zz:01", "network:", "serial:/dev/ttyUSB0:fast"])
def test_unknown_printer_connection_is_refused(text):
    with pytest.raises(ValueError, match="förstår inte"):
        parse_connection(text)
