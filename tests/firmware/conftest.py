"""Fixtures for the firmware tests: fresh gpiozero mock pins for every test."""

import time

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin


@pytest.fixture
def pin_factory():
    """Mock pins (with PWM), reset after the test so no pin stays reserved."""
    factory = MockFactory(pin_class=MockPWMPin)
    yield factory
    factory.reset()
    factory.close()


@pytest.fixture
def wait_for():
    """Poll *condition* until it holds (or 5 s pass); returns its last value. No timing asserted."""
    def wait(condition, timeout=5.0):
        deadline = time.monotonic() + timeout
        while not (result := condition()) and time.monotonic() < deadline:
            time.sleep(0.02)
        return result
    return wait
