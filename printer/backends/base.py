"""What every printer backend offers the print queue.

A backend sends one finished job (bytes) and, where the hardware allows,
asks the printer how it is.  Each backend gives up after ``timeout``
seconds; nothing here may block forever, because the worker shares its
thread with the button and the lights.

Status comes from the real-time query ``DLE EOT n``; a printer that does
not answer is ``unknown`` — never ``ok`` (python-escpos's ``paper_status()``
reports "paper adequate" on silence, so it is not used).
"""

import dataclasses
import logging
import time

from sync.errors import HembasError

logger = logging.getLogger(__name__)

OK, WAITING, ERROR, UNKNOWN = "ok", "waiting", "error", "unknown"

QUERY_ONLINE = b"\x10\x04\x01"   # DLE EOT 1: printer status
QUERY_PAPER = b"\x10\x04\x04"    # DLE EOT 4: roll paper sensor
PAPER_END = 0x60                 # bits 5-6: roll paper end
PAPER_NEAR_END = 0x0C            # bits 2-3: near end
SILENCE_REMEMBERED = 600         # seconds: a printer that ignored a query is not asked again for this long


class PrinterUnavailable(HembasError, OSError):
    """The printer cannot take the job now (off, unplugged, out of paper): try again later."""

    def __init__(self, reason, *, maybe_printed=False):
        super().__init__(reason)
        self.reason = reason
        self.maybe_printed = maybe_printed  # part of the job may already be on paper


class PrinterMisconfigured(HembasError, ValueError):
    """The printer settings cannot work (unknown backend, missing address): fix the configuration."""


@dataclasses.dataclass(frozen=True)
class PrinterStatus:
    state: str       # ok, waiting, error or unknown
    reason: str      # Swedish, for the Status page and the status slip


def paper_status(reply):
    """A :class:`PrinterStatus` from the reply to ``DLE EOT 4`` (b"" = no answer)."""
    if not reply:
        return PrinterStatus(UNKNOWN, "skrivaren svarar inte på statusfrågor")
    byte = reply[0]
    if byte & PAPER_END == PAPER_END:
        return PrinterStatus(WAITING, "papperet är slut")
    if byte & PAPER_NEAR_END == PAPER_NEAR_END:
        return PrinterStatus(OK, "papperet tar snart slut")
    return PrinterStatus(OK, "skrivaren är redo")


def status_after_job(before, reply):
    """The printer's state from its answer to the paper query sent right after a job.

    A printer that answered before the job but stays silent after it stopped
    in the middle (jammed, hung, cable pulled): the job may be partly on paper
    and must be sent again, so that is an error, not an "unknown" success.
    Only a printer that never answers at all is "unknown" after a job.
    """
    if not reply and before.state != UNKNOWN:
        raise PrinterUnavailable("skrivaren slutade svara mitt i utskriften", maybe_printed=True)
    return paper_status(reply)


class Backend:
    """Base class: subclasses implement :meth:`send` and, if they can, :meth:`status`."""

    name = ""

    def __init__(self, *, timeout):
        self.timeout = timeout
        self._silent_until = 0.0

    def may_query(self):
        """False for a while after the printer ignored a status query, so jobs do not wait for it."""
        return time.monotonic() >= self._silent_until

    def note_silence(self):
        logger.warning("%s does not answer status queries; not asking for %d s", self.describe(),
                       SILENCE_REMEMBERED)
        self._silent_until = time.monotonic() + SILENCE_REMEMBERED

    def send(self, data, *, job_id, title=""):
        """Hand *data* to the printer and return its status afterwards.

        An ``unknown`` status means the bytes left but the printer did not
        confirm them.  Raises PrinterUnavailable when the job must wait.
        """
        raise NotImplementedError

    def status(self):
        """Ask the printer how it is; never raises for a missing printer."""
        return PrinterStatus(UNKNOWN, f"{self.name}-skrivaren kan inte svara på statusfrågor")

    def delivered(self, job_id):
        """After a crash mid-send: True/False if the backend knows, None if it cannot tell."""
        return None

    def forget(self, job_id):
        """Drop any copy of a job holding a secret (an enrollment code); paper printers keep none."""

    def describe(self):
        """Where the printer is, for the status slip."""
        return self.name

    def close(self):
        """Release the device (backends open it per job, so usually nothing)."""
