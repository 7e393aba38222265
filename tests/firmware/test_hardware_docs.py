"""docs/hardware.md is what the technician wires and reads: keep it in step with the code."""

import re
from pathlib import Path

from firmware.signals import PATTERNS
from sync.config import DEFAULTS

DOCS = (Path(__file__).parents[2] / "docs" / "hardware.md").read_text(encoding="utf-8")


def table_rows(first_column_pattern):
    return {m.group(1): m.group(2) for m in re.finditer(rf"^\| {first_column_pattern} \| ([^|]+) \|", DOCS, re.M)}


def test_every_light_pattern_is_documented_with_its_colour():
    documented = table_rows(r"`(\w+)`")
    assert set(documented) == set(PATTERNS)
    for pattern, (colour, _on, off) in PATTERNS.items():
        assert documented[pattern].startswith(colour), pattern
        assert ("blinking" in documented[pattern]) == bool(off), pattern


def test_default_pins_are_the_documented_ones():
    pins = {name: value.strip() for name, value in table_rows(r"([A-Za-z ()]+?)").items()}
    gpio = DEFAULTS["gpio"]
    assert pins["button"] == str(gpio["button"])
    assert pins["green LED"] == str(gpio["led_green"])
    assert pins["yellow LED"] == str(gpio["led_yellow"])
    assert pins["red LED"] == str(gpio["led_red"])
    assert gpio["buzzer"] == 0 and pins["buzzer (optional)"].startswith("—")
