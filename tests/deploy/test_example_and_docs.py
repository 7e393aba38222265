"""The example settings file on the card and the technician's guide stay in step with the parser."""

from pathlib import Path

import pytest

import deploy
from deploy.provision import OWN_SECTIONS, PRINTER_KEYS, ProvisionInvalid, parse

EXAMPLE = Path(deploy.__file__).parent / "rootfs-boot" / "hembas.toml.example"
GUIDE = Path(deploy.__file__).parents[1] / "docs" / "deploy.md"
EVERY_KEY = ["team.id", "hub.url", "hub.public_key", "clock.timezone",
             *(f"{section}.{key}" for section, keys in OWN_SECTIONS.items() for key in keys),
             *(f"printer.{key}" for key in PRINTER_KEYS)]


def test_example_only_lacks_what_the_technician_must_fill_in():
    with pytest.raises(ProvisionInvalid) as caught:
        parse(EXAMPLE.read_bytes())
    assert [problem["key"] for problem in caught.value.problems] == ["hub.public_key"]


def test_example_shows_every_setting():
    text = EXAMPLE.read_text()
    for key in EVERY_KEY:
        section, name = key.split(".")
        assert f"[{section}]" in text and f"\n{name} = " in text, key


def test_guide_explains_every_setting():
    text = GUIDE.read_text()
    for key in EVERY_KEY:
        assert f"\n{key.split('.')[1]} = " in text, key
    assert "provision-errors.json" in text
