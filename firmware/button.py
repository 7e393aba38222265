"""The print button: a short press and a long press, told apart reliably.

gpiozero fires ``when_released`` after a hold too, so the hold sets a flag
that the release reads (the pattern from gpiozero's own recipes)::

    button = PrintButton(17, long_press_seconds=3.0, on_short=print_sheets,
                         on_long=print_slips, pin_factory=factory)

The long action runs when the hold time is reached, so the person holding
the button sees the lights react without letting go first.  Callbacks run
on gpiozero's threads and must not raise; :class:`PrintButton` logs and
swallows what they raise so one bad press cannot kill the pin thread.
"""

import logging

from gpiozero import Button

logger = logging.getLogger(__name__)

BOUNCE_SECONDS = 0.05


class PrintButton:
    """A push button between *pin* and ground (internal pull-up)."""

    def __init__(self, pin, *, long_press_seconds, on_short, on_long, pin_factory=None):
        self._on_short = on_short
        self._on_long = on_long
        self._held = False
        self.button = Button(pin, pull_up=True, bounce_time=BOUNCE_SECONDS,
                             hold_time=long_press_seconds, pin_factory=pin_factory)
        self.button.when_pressed = self._pressed
        self.button.when_held = self._hold
        self.button.when_released = self._released

    @property
    def pin(self):
        """The gpiozero pin (a MockPin in tests and the demo)."""
        return self.button.pin

    def close(self):
        self.button.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _pressed(self):
        self._held = False

    def _hold(self):
        self._held = True
        self._run(self._on_long, "long")

    def _released(self):
        if not self._held:
            self._run(self._on_short, "short")
        self._held = False

    @staticmethod
    def _run(action, kind):
        logger.info("button: %s press", kind)
        try:
            action()
        except Exception:
            logger.exception("button: the %s press action failed", kind)
