"""Helpers for the sync network tests: plans to publish and a misbehaving proxy."""

import datetime as dt
import http.server
import threading
import time
import urllib.error
import urllib.request

from hembas_testing import TODAY

from sync.network.bundle import make_bundle
from sync.plan.demo import demo_plan

TEAM = "kalix-centrum"


def newer_plan(hours=1, team=TEAM, note="Ny plan från hubben"):
    """The demo plan, generated *hours* after the one the box holds, with a visible change."""
    document = demo_plan(TODAY, team_id=team)
    stamp = dt.datetime.fromisoformat(document["generated_at"]) + dt.timedelta(hours=hours)
    document["generated_at"] = stamp.isoformat()
    document["visits"][0]["note"] = note
    return document


def publish(hub_store, document, *, key=None):
    hub_store.put_bundle(document["team"]["id"], make_bundle(document, key or hub_store.signing_key()))


class FaultyProxy:
    """An HTTP proxy on 127.0.0.1 in front of the hub that misbehaves on request.

    Modes: "pass", "slow" (answers after *delay*), "500", "truncate" (half the
    body, then closes), "garbage" (200 with junk), "drop" (forwards an
    upload, then closes without answering).
    """

    def __init__(self, upstream, *, delay=2.5):
        self.upstream, self.delay, self.mode, self.statuses = upstream, delay, "pass", []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                proxy._handle(self, None)

            def do_POST(self):
                proxy._handle(self, self.rfile.read(int(self.headers["Content-Length"])))

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handle(self, handler, body):
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "500":
            return self._reply(handler, 500, b"Internal Server Error")
        if self.mode == "garbage":
            return self._reply(handler, 200, b"<html>Proxy login required</html>" * 10)
        request = urllib.request.Request(self.upstream + handler.path, data=body, method=handler.command,
                                         headers={k: v for k, v in handler.headers.items()
                                                  if k.lower() in ("if-none-match", "content-type")})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, headers, data = response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            status, headers, data = exc.code, exc.headers, exc.read()
        self.statuses.append(status)
        if self.mode == "drop" and body is not None:
            handler.close_connection = True
            return
        if self.mode == "truncate":
            handler.send_response(status)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data[: len(data) // 2])
            handler.close_connection = True
            return
        self._reply(handler, status, data, etag=headers.get("ETag"))

    @staticmethod
    def _reply(handler, status, data, etag=None):
        handler.send_response(status)
        if etag:
            handler.send_header("ETag", etag)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
