"""The reference hub's HTTP server (standard library only).

Two routes, the whole protocol (docs/sync-protocol.md)::

    GET  /teams/<team>/plan.bundle    the static signed bundle, with an ETag; 304 if unchanged
                                      (likewise certificate.bundle: a renewed TLS certificate, if any)
    POST /teams/<team>/journal        a signed (or sealed) journal batch -> {"accepted": [ids], …}

A client that sends ``Accept-Encoding: gzip`` gets the bundle gzipped
(about a sixth of the bytes over a slow municipal link); the signature is
over the bundle itself, so the box checks it after inflating.

It listens on 127.0.0.1 unless told otherwise: a real municipality puts it
behind its own TLS web server, or serves ``public/`` from any web server and
runs only the upload endpoint.

Anyone who can reach it can POST, so an upload costs little until it has
proved itself: at most :data:`MAX_HANDLERS` requests are served at once
(more get ``503`` at once), a client that goes quiet is dropped after
:data:`SOCKET_TIMEOUT` seconds, the length is checked before anything is
read, and a signed batch is read only as far as its header line until the
header names a registered box.  A sealed (USB) file can only be checked
whole, so it is bounded by :data:`MAX_UPLOAD_BYTES` like everything else;
``hembas hub receive FILE`` takes larger ones from the operator.
"""

import gzip
import hashlib
import http.server
import json
import logging
import os
import re
import threading

from ..errors import HembasError
from ..network.signing import MAX_HEADER_BYTES, parse_header
from .store import BUNDLE_NAME, CERTIFICATE_NAME, HubStore, JournalRefused

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 16 * 1024 * 1024  # a network batch is at most 700 items (well under 1 MiB)
MAX_HANDLERS = 8                     # requests served at once; each may buffer one upload
SOCKET_TIMEOUT = 30                  # seconds a client may stay silent mid-request
ROUTE = re.compile(r"^/teams/([^/]+)/(plan\.bundle|certificate\.bundle|journal)$")


class _Bundles:
    """Strong ETags and gzipped copies of bundle files, recomputed only when a file is replaced."""

    def __init__(self):
        self._cache = {}
        self._lock = threading.Lock()

    def of(self, path):
        """(etag, raw bytes, gzipped bytes) of the bundle at *path* as it is now."""
        st = os.stat(path)
        identity = (st.st_ino, st.st_mtime_ns, st.st_size)
        with self._lock:
            cached = self._cache.get(path)
            if cached and cached[0] == identity:
                return cached[1:]
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        entry = (identity, etag, body, gzip.compress(body, mtime=0))
        with self._lock:
            self._cache[path] = entry
        return entry[1:]


def gzip_etag(etag):
    """The ETag of the gzipped representation: strong ETags differ per encoding (RFC 9110 8.8.3)."""
    return etag[:-1] + '-gzip"'


def accepts_gzip(header):
    """Whether an Accept-Encoding header allows gzip (``gzip;q=0`` does not)."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def make_handler(store):
    bundles = _Bundles()

    class HubHandler(http.server.BaseHTTPRequestHandler):
        server_version = "hembas-hub/1"
        protocol_version = "HTTP/1.1"
        timeout = SOCKET_TIMEOUT  # socketserver sets it on the connection: a silent client is dropped

        def do_GET(self):
            team, name = self._route()
            if team is None:
                return self._answer(404, {"error": "okänd adress"})
            if name not in (BUNDLE_NAME, CERTIFICATE_NAME):
                return self._answer(405, {"error": "använd POST"})
            try:
                etag, body, gzipped = bundles.of(store.bundle_path(team, name))
            except (JournalRefused, FileNotFoundError):
                what = "plan" if name == BUNDLE_NAME else "certifikat"
                return self._answer(404, {"error": f"ingen {what} för team {team}"})
            packed = accepts_gzip(self.headers.get("Accept-Encoding", ""))
            if packed:
                etag, body = gzip_etag(etag), gzipped
            if etag in _tags(self.headers.get("If-None-Match", "")):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Vary", "Accept-Encoding")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if packed:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            team, name = self._route()
            if team is None:
                return self._answer(404, {"error": "okänd adress"})
            if name != "journal":
                return self._answer(405, {"error": "använd GET"})
            length = self.headers.get("Content-Length", "")
            if not length.isdigit() or int(length) > MAX_UPLOAD_BYTES:
                return self._answer(411 if not length.isdigit() else 413, {"error": "ogiltig längd"})
            head = self.rfile.read(min(int(length), 1))
            if head == b"{":  # a signed batch: its header must name a known box before the rest is read
                head += self.rfile.readline(min(int(length) - 1, MAX_HEADER_BYTES + 1))
                refusal = _unknown_sender(store, head)
                if refusal:
                    logger.warning("refused journal upload for %s before reading it: %s", team, refusal[1])
                    return self._answer(refusal[0], {"error": refusal[1]})
            body = head + self.rfile.read(int(length) - len(head))
            if len(body) != int(length):
                return self._answer(400, {"error": "ofullständig sändning"})
            try:
                ack = store.accept_journal(body, team=team)
            except JournalRefused as exc:
                logger.warning("refused journal upload for %s: %s", team, exc)
                return self._answer(exc.status, {"error": str(exc)})
            self._answer(200, ack)

        def _route(self):
            match = ROUTE.match(self.path.split("?", 1)[0])
            return (match.group(1), match.group(2)) if match else (None, None)

        def _answer(self, status, data):
            body = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if status >= 400:  # an unread request body must not leak into the next request
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            logger.info("%s %s", self.address_string(), format % args)

    return HubHandler


def _unknown_sender(store, header_line):
    """``(status, reason)`` when a signed batch's header names no registered box, else None."""
    try:
        box_id = parse_header(header_line.rstrip(b"\n"))["key_id"]
    except HembasError as exc:
        return 400, str(exc)
    if box_id not in store.boxes():
        return 403, f"okänd låda {box_id}"
    return None


class HubServer(http.server.ThreadingHTTPServer):
    """A threading server that serves at most *max_handlers* requests at once and sheds the rest."""

    daemon_threads = True

    def __init__(self, address, handler, *, max_handlers=MAX_HANDLERS):
        super().__init__(address, handler)
        self.max_handlers = max_handlers
        self._slots = threading.BoundedSemaphore(max_handlers)

    def process_request(self, request, client_address):
        if not self._slots.acquire(blocking=False):
            logger.warning("busy: %d requests at once, refusing %s", self.max_handlers, client_address[0])
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                b"Retry-After: 5\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def _tags(header):
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def make_server(folder, *, host="127.0.0.1", port=8090, max_handlers=MAX_HANDLERS):
    """A ready :class:`HubServer` for the hub in *folder* (``serve_forever()`` runs it)."""
    return HubServer((host, port), make_handler(HubStore(folder)), max_handlers=max_handlers)
