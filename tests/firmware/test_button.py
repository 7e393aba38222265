import threading

import pytest

from firmware.button import PrintButton


class Presses:
    """Records which action each press ran."""

    def __init__(self):
        self.seen = []
        self.long_done = threading.Event()

    def short(self):
        self.seen.append("short")

    def long(self):
        self.seen.append("long")
        self.long_done.set()


@pytest.fixture
def presses():
    return Presses()


@pytest.fixture
def button(pin_factory, presses):
    with PrintButton(17, long_press_seconds=0.2, on_short=presses.short, on_long=presses.long,
                     pin_factory=pin_factory) as button:
        yield button


def test_short_press_runs_the_short_action_once(button, presses):
    button.pin.drive_low()
    button.pin.drive_high()
    assert presses.seen == ["short"]


def test_long_press_runs_the_long_action_and_not_the_short_one(button, presses):
    button.pin.drive_low()
    assert presses.long_done.wait(5)
    button.pin.drive_high()
    assert presses.seen == ["long"]


def test_a_short_press_after_a_long_one_is_short_again(button, presses):
    button.pin.drive_low()
    assert presses.long_done.wait(5)
    button.pin.drive_high()
    button.pin.drive_low()
    button.pin.drive_high()
    assert presses.seen == ["long", "short"]


def test_a_failing_action_does_not_break_the_button(pin_factory, presses, caplog):
    def broken():
        raise RuntimeError("boom")

    with PrintButton(5, long_press_seconds=10, on_short=broken, on_long=presses.long,
                     pin_factory=pin_factory) as button:
        for _ in range(2):
            button.pin.drive_low()
            button.pin.drive_high()
    assert caplog.text.count("the short press action failed") == 2


def test_the_button_is_wired_to_ground_with_the_internal_pull_up(button):
    assert button.pin.pull == "up"
    assert not button.button.is_pressed
