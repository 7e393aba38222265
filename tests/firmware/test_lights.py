import time

import pytest

from firmware.lights import FLASH_SECONDS, FLASHES, Lights


@pytest.fixture
def lights(pin_factory):
    with Lights(green=22, yellow=23, red=24, buzzer=25, pin_factory=pin_factory) as lights:
        yield lights


def lit(lights):
    return {name for name, led in lights.leds.items() if led.is_lit}


@pytest.mark.parametrize("pattern, colour", [
    ("ok", "green"), ("busy", "green"), ("warning", "yellow"), ("clock", "red"), ("error", "red"),
])
def test_pattern_lights_its_colour_only(lights, pattern, colour):
    lights.show(pattern)
    assert lit(lights) <= {colour}
    assert lights.leds[colour].is_active  # steady on, or blinking


def test_steady_patterns_are_steady_and_busy_blinks(lights, pin_factory, wait_for):
    lights.show("ok")
    assert lit(lights) == {"green"}
    green = pin_factory.pin(22)
    green.clear_states()
    lights.show("busy")
    assert wait_for(lambda: [s.state for s in green.states].count(False) >= 2)


def test_changing_pattern_turns_the_old_colour_off(lights):
    lights.show("error")
    lights.show("warning")
    assert lit(lights) == {"yellow"}


def test_acknowledge_flashes_and_the_pattern_comes_back(lights, pin_factory):
    lights.show("warning")
    lights.acknowledge()
    lights.show("warning")
    time.sleep(2 * FLASHES * FLASH_SECONDS + 0.1)
    red = pin_factory.pin(24)
    assert [s.state for s in red.states].count(True) == FLASHES
    lights.show("warning")
    assert lit(lights) == {"yellow"}


def test_buzzer_beeps_when_the_box_turns_red(lights, pin_factory, wait_for):
    buzzer = pin_factory.pin(25)
    lights.show("warning")
    assert [s.state for s in buzzer.states].count(True) == 0
    lights.show("error")
    assert wait_for(lambda: [s.state for s in buzzer.states].count(True) == 3)


def test_no_buzzer_when_its_pin_is_zero(pin_factory):
    with Lights(green=22, yellow=23, red=24, buzzer=0, pin_factory=pin_factory) as lights:
        lights.show("error")
        assert lights.buzzer is None


def test_buzzer_beeps_for_an_untrusted_clock_too(lights, pin_factory, wait_for):
    buzzer = pin_factory.pin(25)
    lights.show("clock")
    assert wait_for(lambda: [s.state for s in buzzer.states].count(True) == 3)
