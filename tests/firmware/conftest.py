"""Fixtures for the firmware tests: fresh gpiozero mock pins for every test."""

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin


@pytest.fixture
def pin_factory():
    """Mock pins (with PWM), reset after the test so no pin stays reserved."""
    factory = MockFactory(pin_class=MockPWMPin)
    yield factory
    factory.reset()
    factory.close()
