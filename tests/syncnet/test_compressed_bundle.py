"""A changed plan poll downloads the bundle gzipped; the box inflates it within the bundle size limit.

The signature is checked on the inflated bytes (the bundle as the hub
signed it), so gzip changes nothing about what may be imported.  A small
answer that would inflate past the limit (a decompression bomb), a torn
stream or junk after it is refused before anything is imported.
"""

import gzip
import http.server
import threading
import urllib.request

import pytest
from syncnet.helpers import TEAM, newer_plan, publish

from sync.errors import HembasError
from sync.network.bundle import import_bundle
from sync.network.hubclient import MAX_BUNDLE_BYTES, HubClient, HubUnreachable, inflate
from sync.network.poller import run_cycle


def get(url, **headers):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response.headers, response.read()


def test_the_hub_sends_the_bundle_gzipped_to_who_asks_and_304_for_its_etag(net_box, hub_store, hub_url):
    publish(hub_store, newer_plan())
    raw = hub_store.bundle_path(TEAM).read_bytes()
    url = f"{hub_url}/teams/{TEAM}/plan.bundle"
    plain_headers, plain = get(url)
    packed_headers, packed = get(url, **{"Accept-Encoding": "gzip"})
    assert plain == raw and plain_headers.get("Content-Encoding") is None
    assert packed_headers["Content-Encoding"] == "gzip" and gzip.decompress(packed) == raw
    assert len(packed) * 3 < len(raw)
    assert packed_headers["ETag"] != plain_headers["ETag"]  # another representation, another strong ETag
    _, refused = get(url, **{"Accept-Encoding": "gzip;q=0"})
    assert refused == raw
    with pytest.raises(urllib.error.HTTPError) as unchanged:
        get(url, **{"Accept-Encoding": "gzip", "If-None-Match": packed_headers["ETag"]})
    unchanged.value.close()
    assert unchanged.value.code == 304


def test_a_changed_poll_imports_the_inflated_bundle(net_box, hub_store):
    publish(hub_store, newer_plan(note="Packad plan"))
    fetched = HubClient(net_box.config["hub"]["url"], team=TEAM, timeout=5).get_plan()
    assert fetched.body == hub_store.bundle_path(TEAM).read_bytes()
    report = run_cycle(net_box)
    assert report.ok and report.plan_changed and net_box.plan().visits[0].note == "Packad plan"
    assert fetched.etag.endswith('-gzip"')
    assert not run_cycle(net_box).plan_changed  # the gzip ETag gives a 304 next time


class GzipServer:
    """A stand-in hub on 127.0.0.1 answering every GET with *body* marked gzip."""

    def __init__(self, body):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("kind", ["bomb", "torn", "junk after"])
def test_a_bad_gzip_answer_is_refused_and_nothing_is_imported(net_box, hub_store, kind):
    publish(hub_store, newer_plan())
    packed = gzip.compress(hub_store.bundle_path(TEAM).read_bytes())
    body = {"bomb": gzip.compress(bytes(MAX_BUNDLE_BYTES + 1024 * 1024)),  # 9 MB of zeros in 9 KB
            "torn": packed[: len(packed) // 2], "junk after": packed + b"junk"}[kind]
    assert len(body) < MAX_BUNDLE_BYTES
    server = GzipServer(body)
    try:
        before = net_box.plan().version
        net_box.config["hub"]["url"] = server.url
        with pytest.raises(HubUnreachable, match="packade plan"):
            HubClient(server.url, team=TEAM, timeout=5).get_plan()
        report = run_cycle(net_box)
        assert not report.ok and any("packade plan" in m for m in report.messages)
        assert net_box.plan().version == before
    finally:
        server.close()


def test_inflating_stops_at_the_limit_instead_of_unpacking_everything():
    with pytest.raises(HubUnreachable, match="större än 1000 byte"):
        inflate(gzip.compress(bytes(50 * 1024 * 1024)), max_bytes=1000)
    assert inflate(gzip.compress(b"plan"), max_bytes=4) == b"plan"


def test_the_signature_is_checked_on_the_inflated_bytes(net_box, hub_store):
    publish(hub_store, newer_plan(note="Äkta"))
    raw = bytearray(hub_store.bundle_path(TEAM).read_bytes())
    raw[raw.index("Äkta".encode())] ^= 1  # one bit of the plan changed after signing
    tampered = inflate(gzip.compress(bytes(raw)), max_bytes=MAX_BUNDLE_BYTES)
    with pytest.raises(HembasError):
        import_bundle(net_box, tampered, source="hubb")
    assert "Äkta" not in (net_box.plan().visits[0].note or "")
