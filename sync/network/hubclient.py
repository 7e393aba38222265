"""HTTP to the municipal hub: two URLs, explicit timeouts, bounded reads.

The protocol (docs/sync-protocol.md) needs nothing but a static file per
team and one upload endpoint::

    GET  {url}/teams/{team}/plan.bundle      (If-None-Match → 304 when unchanged)
    GET  {url}/teams/{team}/certificate.bundle   (with [tls] on; 404 = no renewal)
    POST {url}/teams/{team}/journal          (a signed batch → JSON acknowledgement)

Every failure becomes a :class:`HubError` with a Swedish reason; no
partial body is ever returned to the caller.  The plan is asked for
gzipped and inflated here, never beyond the size a bundle may have (a
small answer that inflates to gigabytes is refused, not unpacked); the
signature is checked later on the inflated bytes, the bundle as signed.
"""

import http.client
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass

from ..errors import HembasError
from ..plan.validate import MAX_FILE_BYTES

logger = logging.getLogger(__name__)

MAX_BUNDLE_BYTES = MAX_FILE_BYTES + 64 * 1024
MAX_ACK_BYTES = 1024 * 1024
MAX_CERTIFICATE_BYTES = 128 * 1024
USER_AGENT = "hembas-box/1"


class HubError(HembasError, ConnectionError):
    """A request to the hub failed."""


class HubUnreachable(HubError):
    """The hub could not be reached, timed out, failed (5xx) or answered garbage: back off."""


class HubRefused(HubError):
    """The hub answered but refused the request (4xx): it is reachable, the request is wrong."""


@dataclass(frozen=True)
class Fetched:
    """A plan download: *body* is None when the hub said 304 Not Modified."""

    body: bytes | None
    etag: str


class HubClient:
    def __init__(self, base_url, *, team, timeout, opener=None):
        if not base_url:
            raise HubUnreachable("ingen hubbadress är inställd ([hub] url)")
        if not team:
            raise HubUnreachable("lådans team är okänt ([team] id saknas och ingen plan är inläst)")
        self.base_url = base_url.rstrip("/")
        self.team = team
        self.timeout = timeout
        self._opener = opener or urllib.request.build_opener()

    def url(self, name):
        return f"{self.base_url}/teams/{urllib.parse.quote(self.team, safe='')}/{name}"

    def get_plan(self, *, etag=""):
        """Download the team's bundle unless it still has *etag*."""
        request = urllib.request.Request(self.url("plan.bundle"), headers={"User-Agent": USER_AGENT,
                                                                           "Accept-Encoding": "gzip"})
        if etag:
            request.add_header("If-None-Match", etag)
        status, headers, body = self._send(request, max_bytes=MAX_BUNDLE_BYTES)
        if status == 304:
            return Fetched(None, etag)
        encoding = headers.get("Content-Encoding", "").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            body = inflate(body, max_bytes=MAX_BUNDLE_BYTES)
        elif encoding not in ("", "identity"):
            raise HubUnreachable(f"hubben packade planen som {encoding!r}, som lådan inte kan packa upp")
        return Fetched(body, headers.get("ETag", ""))

    def get_certificate(self):
        """The team's signed certificate renewal, or None when the hub has none."""
        request = urllib.request.Request(self.url("certificate.bundle"), headers={"User-Agent": USER_AGENT})
        status, _, body = self._send(request, max_bytes=MAX_CERTIFICATE_BYTES, missing_ok=True)
        return None if status == 404 else body

    def post_journal(self, envelope):
        """Upload one signed batch; returns the hub's acknowledgement (a dict)."""
        request = urllib.request.Request(self.url("journal"), data=envelope, method="POST", headers={
            "User-Agent": USER_AGENT, "Content-Type": "application/octet-stream"})
        _, _, body = self._send(request, max_bytes=MAX_ACK_BYTES)
        try:
            ack = json.loads(body)
        except ValueError:
            ack = None
        if not isinstance(ack, dict) or not isinstance(ack.get("accepted"), list):
            raise HubUnreachable("hubben kvitterade inte sändningen begripligt")
        return ack

    def _send(self, request, *, max_bytes, missing_ok=False):
        where = urllib.parse.urlsplit(request.full_url).netloc
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers, _read_all(response, max_bytes)
        except urllib.error.HTTPError as exc:
            if exc.code == 304 or (exc.code == 404 and missing_ok):
                return exc.code, exc.headers, b""
            detail = {404: "hittar ingen plan för teamet", 403: "hubben känner inte igen lådan"}.get(exc.code, "")
            error = HubUnreachable if exc.code >= 500 else HubRefused
            raise error(f"hubben {where} svarade {exc.code} {detail}".rstrip()) from None
        except (TimeoutError, socket.timeout):
            raise HubUnreachable(f"hubben {where} svarade inte inom {self.timeout} s") from None
        except http.client.IncompleteRead:
            raise HubUnreachable(f"hämtningen från {where} avbröts (ofullständigt svar)") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise HubUnreachable(f"kan inte nå hubben {where}: {reason}") from None


def inflate(body, *, max_bytes):
    """The gzip stream *body* unpacked, at most *max_bytes* of it: larger, torn or trailed by junk is refused."""
    unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = unpacker.decompress(body, max_bytes + 1)
    except zlib.error:
        raise HubUnreachable("hubbens packade plan går inte att packa upp") from None
    if len(out) > max_bytes or unpacker.unconsumed_tail:
        raise HubUnreachable(f"hubbens packade plan blir större än {max_bytes} byte uppackad och vägras")
    if not unpacker.eof or unpacker.unused_data:
        raise HubUnreachable("hubbens packade plan är ofullständig eller har skräp efter sig")
    return out


def _read_all(response, max_bytes):
    """The whole body, or an exception: never a silently shortened one."""
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise HubUnreachable(f"svaret är för stort ({declared} byte)")
    body = response.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise HubUnreachable(f"svaret är större än {max_bytes} byte")
    if declared is not None and declared.isdigit() and len(body) != int(declared):
        raise http.client.IncompleteRead(body, int(declared) - len(body))
    return body
