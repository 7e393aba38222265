"""The LEDs (and optional buzzer) that show a :mod:`firmware.signals` pattern.

::

    lights = Lights(green=22, yellow=23, red=24, pin_factory=MockFactory())
    lights.show("warning")      # yellow on, the others off
    lights.acknowledge()        # a quick flash of all three: "I heard you"
    lights.close()

Only a change of pattern touches the pins, so the daemon may call
:meth:`Lights.show` on every tick.
"""

import logging
import threading
import time

from gpiozero import LED, Buzzer

from .signals import PATTERNS

logger = logging.getLogger(__name__)

FLASH_SECONDS = 0.15
FLASHES = 2


class Lights:
    """Three LEDs and an optional buzzer (pin 0 = none) that beeps when the box turns red."""

    def __init__(self, *, green, yellow, red, buzzer=0, pin_factory=None):
        self.leds = {}
        self.buzzer = None
        self._pattern = self._shown = None
        self._flash_until = 0.0
        self._lock = threading.Lock()
        try:
            for name, pin in (("green", green), ("yellow", yellow), ("red", red)):
                self.leds[name] = LED(pin, pin_factory=pin_factory)
            if buzzer:
                self.buzzer = Buzzer(buzzer, pin_factory=pin_factory)
        except Exception:
            self.close()
            raise

    @property
    def pattern(self):
        """The pattern shown now (None before the first :meth:`show`)."""
        return self._pattern

    def show(self, pattern):
        """Show *pattern* (a key of :data:`~firmware.signals.PATTERNS`) unless it is up already."""
        with self._lock:
            if pattern != self._pattern:
                logger.info("lights: %s", pattern)
                if PATTERNS[pattern][0] == "red" and self.buzzer is not None:
                    self.buzzer.beep(on_time=0.2, off_time=0.2, n=3)
                self._pattern = pattern
            if time.monotonic() < self._flash_until or pattern == self._shown:
                return
            self._apply(pattern)
            self._shown = pattern

    def acknowledge(self):
        """Flash every LED twice; the next :meth:`show` after that restores the pattern."""
        with self._lock:
            self._flash_until = time.monotonic() + 2 * FLASHES * FLASH_SECONDS
            self._shown = None
            for led in self.leds.values():
                led.blink(on_time=FLASH_SECONDS, off_time=FLASH_SECONDS, n=FLASHES)

    def close(self):
        for device in [*self.leds.values(), self.buzzer]:
            if device is not None:
                device.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _apply(self, pattern):
        lit, on_time, off_time = PATTERNS[pattern]
        for name, led in self.leds.items():
            if name != lit:
                led.off()
            elif off_time:
                led.blink(on_time=on_time, off_time=off_time)
            else:
                led.on()
