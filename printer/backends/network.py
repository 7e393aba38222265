"""A printer on the network, raw TCP on port 9100 (JetDirect style).

One connection per job: ask for paper, send the job in one ``sendall``,
then ask again.  The printer answers a real-time query only after it has
received everything sent before it, so an answer after the job proves the
job arrived whole (a printer that then runs out of paper keeps the rest in
its buffer and prints it when paper is loaded).  A printer that hangs up in
between may have printed part of the job: that is reported
(``maybe_printed``), not hidden.
"""

import logging
import socket

from .base import QUERY_PAPER, UNKNOWN, WAITING, Backend, PrinterMisconfigured, PrinterStatus, \
    PrinterUnavailable, paper_status, status_after_job

logger = logging.getLogger(__name__)


class NetworkBackend(Backend):
    name = "nätverk"

    def __init__(self, *, host, port=9100, timeout=5):
        super().__init__(timeout=timeout)
        if not host:
            raise PrinterMisconfigured("skrivarens nätverksadress saknas (printer.host)")
        self.host, self.port = host, port

    def describe(self):
        return f"nätverksskrivare {self.host}:{self.port}"

    def status(self):
        try:
            with self._connect() as sock:
                return paper_status(self._query(sock, QUERY_PAPER))
        except PrinterUnavailable as exc:
            return PrinterStatus(WAITING, exc.reason)
        except OSError as exc:
            return PrinterStatus(UNKNOWN, f"skrivaren stängde anslutningen ({_why(exc)})")

    def send(self, data, *, job_id, title=""):
        with self._connect() as sock:
            try:
                before = paper_status(self._query(sock, QUERY_PAPER))
            except OSError as exc:
                raise PrinterUnavailable(f"skrivaren stängde anslutningen ({_why(exc)})") from exc
            if before.state == WAITING:
                raise PrinterUnavailable(before.reason)
            try:
                sock.sendall(data)
                reply = self._query(sock, QUERY_PAPER, note_silence=before.state == UNKNOWN)
            except OSError as exc:
                raise PrinterUnavailable(f"skrivaren stängde anslutningen mitt i utskriften ({_why(exc)})",
                                         maybe_printed=True) from exc
            after = status_after_job(before, reply)
        logger.info("job %s: %d bytes to %s (%s)", job_id, len(data), self.describe(),
                    "unconfirmed" if after.state == UNKNOWN else "confirmed")
        return after

    def _connect(self):
        try:
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise PrinterUnavailable(f"skrivaren på {self.host}:{self.port} svarar inte ({_why(exc)})") from exc

    def _query(self, sock, query, *, note_silence=True):
        """The printer's one-byte answer, or b"" if it stays silent within the timeout."""
        if not self.may_query():
            return b""
        sock.sendall(query)
        try:
            reply = sock.recv(1)
        except socket.timeout:
            if note_silence:
                self.note_silence()
            return b""
        if not reply:
            raise ConnectionResetError(104, "anslutningen stängdes")
        return reply


def _why(exc):
    return exc.strerror or type(exc).__name__
