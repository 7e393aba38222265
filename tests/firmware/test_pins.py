import pytest
from gpiozero.pins.mock import MockFactory

from firmware.pins import is_mock, make_pin_factory
from sync.errors import ConfigError


@pytest.mark.parametrize("name, environ", [("mock", {}), ("", {"GPIOZERO_PIN_FACTORY": "mock"}), ("Mock", {})])
def test_mock_pins_from_the_configuration_or_the_environment(name, environ):
    factory = make_pin_factory(name, environ=environ)
    try:
        assert isinstance(factory, MockFactory) and is_mock(factory)
    finally:
        factory.close()


def test_no_name_leaves_the_choice_to_gpiozero():
    assert make_pin_factory("", environ={}) is None


def test_an_unknown_factory_is_refused_with_the_key_named():
    with pytest.raises(ConfigError, match="gpio.pin_factory"):
        make_pin_factory("raspberry", environ={})
