"""What every request needs from the box, opened once per app (the Flask tutorial's ``db.py`` role)."""

import dataclasses
import logging
import threading

from flask import current_app, g, has_request_context, request

from .devices import DeviceCookies
from .lockout import Lockout
from .refusals import RefusalLog
from .sessions import Sessions
from .users import Users

logger = logging.getLogger(__name__)

CLOCK_READ = "hembas.clock_status"  # in a request's WSGI environ: the clock as webui.page_cache read it


@dataclasses.dataclass
class WebState:
    box: object
    users: Users
    sessions: Sessions
    lockout: Lockout
    devices: DeviceCookies
    refusals: RefusalLog
    _queue: object = None
    _queue_lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    @classmethod
    def open(cls, box, *, secret_key, secure=False):
        web, data_dir = box.config["web"], box.data_dir
        return cls(box=box,
                   users=Users(data_dir, enrollment_hours=web["enrollment_hours"]),
                   sessions=Sessions(data_dir, hours=web["session_hours"]),
                   lockout=Lockout(data_dir, free_attempts=web["lockout_free_attempts"],
                                   base_seconds=web["lockout_base_seconds"],
                                   max_seconds=web["lockout_max_seconds"]),
                   devices=DeviceCookies(secret_key, days=web["device_days"], secure=secure),
                   refusals=RefusalLog(box.audit))

    def print_queue(self):
        """The box's PrintQueue, made on first use (importing python-escpos costs start-up time)."""
        with self._queue_lock:
            if self._queue is None:
                from printer.queue import PrintQueue
                self._queue = PrintQueue(self.box)
            return self._queue


def web_state():
    return current_app.extensions["hembas"]


def get_box():
    return web_state().box


def clock_status():
    """The box's clock as this request sees it: read once, so the sign-in check and the page agree on "now"."""
    if "clock_status" not in g:  # webui.page_cache may have read it for this request already
        made = request.environ.get(CLOCK_READ) if has_request_context() else None
        g.clock_status = made or get_box().clock.status()
    return g.clock_status
