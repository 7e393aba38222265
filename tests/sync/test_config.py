import re
from pathlib import Path

import pytest

from sync.config import DEFAULTS, load_config
from sync.errors import ConfigError

DOCS = Path(__file__).parents[2] / "docs" / "configuration.md"


def documented_keys():
    keys, section = set(), None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^## \[(\w+)\]", line):
            section = m.group(1)
        elif section and (m := re.match(r"^\| `(\w+)` \|", line)):
            keys.add((section, m.group(1)))
    return keys


def test_every_setting_is_documented_and_every_documented_setting_exists():
    real = {(section, key) for section, values in DEFAULTS.items() for key in values}
    assert real - documented_keys() == set(), "settings missing from docs/configuration.md"
    assert documented_keys() - real == set(), "docs/configuration.md names settings that do not exist"


def test_defaults_need_no_file(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config["printer"]["backend"] == "preview"
    assert config.path is None


def test_file_with_bom_and_crlf_is_read(tmp_path):
    (tmp_path / "hembas.toml").write_bytes(b"\xef\xbb\xbf[printer]\r\ncolumns = 32\r\nprint_entry = true\r\n")
    config = load_config(tmp_path, environ={})
    assert config["printer"]["columns"] == 32
    assert config["printer"]["print_entry"] is True


@pytest.mark.parametrize("text, message", [
    ("[skrivare]\nx = 1\n", "okänd sektion"),
    ("[printer]\ncolour = 1\n", "okänd inställning printer.colour"),
    ('[printer]\ncolumns = "32"\n', "printer.columns ska vara int"),
    ("[printer\n", "hembas.toml"),
])
def test_bad_file_is_refused_with_the_key_named(tmp_path, text, message):
    (tmp_path / "hembas.toml").write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(tmp_path, environ={})


def test_environment_overrides_one_value_with_its_type(tmp_path):
    config = load_config(tmp_path, environ={"HEMBAS_WEB_PORT": "9090", "HEMBAS_PRINTER_PRINT_TIMES": "true",
                                            "HEMBAS_PLAN_RETENTION_DAYS": "3"})
    assert config["web"]["port"] == 9090
    assert config["printer"]["print_times"] is True
    assert config["plan"]["retention_days"] == 3


def test_bad_environment_value_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="HEMBAS_WEB_PORT"):
        load_config(tmp_path, environ={"HEMBAS_WEB_PORT": "åtta"})
