"""The firmware daemon: button, lights, print worker and systemd watchdog.

``hembas firmware run`` builds one :class:`Daemon` and runs it until SIGTERM::

    with Daemon(box, queue, pin_factory=make_pin_factory("mock")) as daemon:
        daemon.run(stop_event)

Each tick reads the box's state, shows it on the lights, feeds the systemd
watchdog and (with mock pins) turns press requests from
:mod:`firmware.control` into presses of the mock pin.  The print queue's
worker runs on its own thread and is restarted if it ever crashes, so an
unplugged printer, or a bug in one job, never takes the button down with it.
"""

import logging
import threading

from printer.binder_store import BinderStore
from sync.network.status import SyncStatus

from . import control
from .button import PrintButton
from .lights import Lights
from .pins import is_mock
from .presses import ButtonActions
from .signals import ERROR, Signal, signal_for
from .state import read_system_state
from .systemd import notify, watchdog_seconds

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0
WORKER_RESTART_SECONDS = 5.0
SHORT_PRESS_SECONDS = 0.1
HOLD_MARGIN_SECONDS = 0.5


class Daemon:
    """Owns the GPIO devices of one box; *queue* is its PrintQueue."""

    def __init__(self, box, queue, *, pin_factory=None, environ=None):
        gpio = box.config["gpio"]
        self.box, self.queue, self.environ = box, queue, environ
        self.sync_status = SyncStatus(box.data_dir)
        self.binders = BinderStore(box)
        self.long_press_seconds = gpio["long_press_seconds"]
        self.lights = Lights(green=gpio["led_green"], yellow=gpio["led_yellow"], red=gpio["led_red"],
                             buzzer=gpio["buzzer"], pin_factory=pin_factory)
        try:
            self.actions = ButtonActions(queue, self.lights)
            self.button = PrintButton(gpio["button"], long_press_seconds=self.long_press_seconds,
                                      on_short=self.actions.short_press, on_long=self.actions.long_press,
                                      pin_factory=pin_factory)
        except Exception:
            self.lights.close()
            raise
        self.mock = is_mock(self.button.button.pin_factory)
        self.signal = None
        self._presser = None

    def run(self, stop):
        """Run until *stop* (a threading.Event) is set; returns when everything is shut down."""
        worker = threading.Thread(target=self._work, args=(stop,), name="print-worker", daemon=True)
        worker.start()
        period = watchdog_seconds(environ=self.environ)
        tick = min(TICK_SECONDS, period / 2) if period else TICK_SECONDS
        try:
            self.tick(stop)
            notify("READY=1", environ=self.environ)
            logger.info("firmware ready (%s pins)", "mock" if self.mock else "real")
            while not stop.is_set():
                if period and worker.is_alive():
                    notify("WATCHDOG=1", environ=self.environ)
                stop.wait(tick)
                if not stop.is_set():
                    self.tick(stop)
        finally:
            notify("STOPPING=1", environ=self.environ)
            stop.set()
            worker.join()
            if self._presser is not None:
                self._presser.join()
            control.clear_status(self.box.data_dir)
            logger.info("firmware stopped")

    def tick(self, stop):
        """Show the current state on the lights; pick up press requests (mock pins only)."""
        try:
            signal = signal_for(read_system_state(self.box, self.queue, sync_status=self.sync_status,
                                                  binders=self.binders))
        except Exception:
            logger.exception("firmware: could not read the box's state")
            signal = Signal(ERROR, "fel i firmware – se loggen")
        self.lights.show(signal.pattern)
        if signal != self.signal:
            logger.info("state: %s (%s)", signal.pattern, signal.reason)
            self.signal = signal
            self._publish()
        if self.mock and (self._presser is None or not self._presser.is_alive()):
            requests = control.take_press_requests(self.box.data_dir)
            if requests:
                self._presser = threading.Thread(target=self._press, args=(requests, stop),
                                                 name="mock-press", daemon=True)
                self._presser.start()

    def close(self):
        self.button.close()
        self.lights.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _work(self, stop):
        while not stop.is_set():
            try:
                self.queue.work(stop)
            except Exception:
                logger.exception("print worker crashed; restarting in %.0f s", WORKER_RESTART_SECONDS)
            stop.wait(WORKER_RESTART_SECONDS)

    def _press(self, requests, stop):
        """Drive the mock button pin like a finger would, so the real callbacks run."""
        for long in requests:
            logger.info("mock button: %s press requested", "long" if long else "short")
            self.button.pin.drive_low()
            stop.wait(self.long_press_seconds + HOLD_MARGIN_SECONDS if long else SHORT_PRESS_SECONDS)
            self.button.pin.drive_high()

    def _publish(self):
        try:
            control.publish_status(self.box.data_dir, mock=self.mock, pattern=self.signal.pattern,
                                   reason=self.signal.reason)
        except Exception:
            logger.exception("firmware: could not publish its state")
