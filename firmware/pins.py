"""Choose the gpiozero pin factory from the configuration.

``gpio.pin_factory = ""`` leaves the choice to gpiozero (``$GPIOZERO_PIN_FACTORY``,
else lgpio on a Pi); ``"mock"`` gives mock pins on a laptop, with PWM support
so any LED class works; any other name is a gpiozero factory (``lgpio``,
``rpigpio``, ``native``) looked up the way gpiozero itself does.
"""

import os
from importlib.metadata import entry_points

from gpiozero.pins.mock import MockFactory, MockPWMPin

from sync.errors import ConfigError


def make_pin_factory(name, *, environ=None):
    """A new pin factory for *name*, or None for gpiozero's own choice; ConfigError if unknown."""
    environ = os.environ if environ is None else environ
    name = (name or environ.get("GPIOZERO_PIN_FACTORY") or "").strip().lower()
    if name == "mock":
        return MockFactory(pin_class=MockPWMPin)
    if not name:
        return None
    for entry in entry_points(group="gpiozero_pin_factories"):
        if entry.name == name:
            return entry.load()()
    raise ConfigError(f"gpio.pin_factory: okänd pinnfabrik {name!r}")


def is_mock(factory):
    """True for mock pins: only then may a request file press the button."""
    return isinstance(factory, MockFactory)
