"""HTTPS through a real nginx (deploy/nginx.py's configuration) in front of the real ``hembas serve`` server.

nginx runs from the test's own folder on free ports of 127.0.0.1 with a
certificate from a test CA; the phones are clients connecting *from*
127.0.0.2, 127.0.0.3 … (all of 127.0.0.0/8 is loopback), so the tests see
what the box sees when phones with different addresses share nginx.
"""

import datetime as dt
import hashlib
import http.client
import re
import socket
import ssl
import threading
import time

import pytest
from tls_testing import Nginx, TestCA, free_port, have_nginx
from waitress import wasyncore

from deploy.nginx import render, static_folder
from sync.certificate import CertificateStore
from webui import create_app
from webui.captive import PROBES
from webui.serving import make_server

from .conftest import PIN

pytestmark = pytest.mark.skipif(not have_nginx(), reason="needs nginx-light and openssl (tests/install-system-deps.sh)")

NAME = "hembas.test"


class Phone(http.client.HTTPSConnection):
    """HTTPS to nginx on 127.0.0.1, checking the certificate for :data:`NAME`, from *address*."""

    def __init__(self, port, context, address="127.0.0.2", timeout=15):
        super().__init__("127.0.0.1", port, context=context, timeout=timeout, source_address=(address, 0))

    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=NAME)


class Box:
    """The box's two servers: waitress behind nginx, and their ports."""

    def __init__(self, tmp_path, box, monkeypatch, **web):
        for key, value in web.items():
            monkeypatch.setitem(box.config["web"], key, value)
        self.http_port, self.https_port = free_port(), free_port()
        monkeypatch.setitem(box.config["tls"], "enabled", True)
        monkeypatch.setitem(box.config["tls"], "name", NAME)
        monkeypatch.setitem(box.config["tls"], "http_port", self.http_port)
        monkeypatch.setitem(box.config["tls"], "https_port", self.https_port)
        self.box = box
        self.ca = TestCA(tmp_path / "ca")
        self.store = CertificateStore(box.data_dir / "tls", name=NAME)
        self.store.install(*self.ca.issue(NAME), source="settings", now=dt.datetime.now(dt.timezone.utc))
        self.context = ssl.create_default_context(cafile=str(self.ca.cert))
        self.server = make_server(create_app(box=box), box.config["web"], host="0.0.0.0", port=0, behind_proxy=True)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        conf = render(box.config, pem=self.store.path, runtime_dir=tmp_path / "nginx", listen="127.0.0.1",
                      error_log=tmp_path / "nginx" / "error.log", upstream_port=int(self.server.effective_port))
        self.nginx = Nginx(tmp_path / "nginx", conf)
        self.nginx.start([self.http_port, self.https_port])

    def phone(self, address="127.0.0.2", direct=False):
        """A connection to nginx over HTTPS (*direct*: plain HTTP straight to waitress, bypassing nginx)."""
        if direct:
            return http.client.HTTPConnection("127.0.0.1", int(self.server.effective_port), timeout=15,
                                              source_address=(address, 0))
        return Phone(self.https_port, self.context, address)

    def get(self, path, address="127.0.0.2", headers=None, direct=False):
        conn = self.phone(address, direct)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()

    def sign_in(self, user, *, pin=PIN, address="127.0.0.2", headers=None, direct=False):
        """GET the sign-in page, POST the form; returns the POST's response."""
        page, body = self.get("/logga-in", address, direct=direct)
        cookie = page.getheader("Set-Cookie").split(";")[0]
        csrf = re.search(rb'name="csrf" value="([^"]+)"', body).group(1).decode()
        conn = self.phone(address, direct)
        try:
            conn.request("POST", "/logga-in", body=f"csrf={csrf}&user={user['id']}&pin={pin}",
                         headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                                  **(headers or {})})
            response = conn.getresponse()
            response.read()
            return response
        finally:
            conn.close()

    def close(self):
        self.nginx.stop()
        self.server.task_dispatcher.shutdown()
        wasyncore.close_all(self.server._map)
        self.thread.join(timeout=10)


@pytest.fixture
def tls_box(tmp_path, box, monkeypatch):
    running = []

    def start(**web):
        running.append(Box(tmp_path, box, monkeypatch, **web))
        return running[-1]
    yield start
    for each in running:
        each.close()


def served_fingerprint(port, context):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=NAME) as sock:
            return hashlib.sha256(sock.getpeercert(binary_form=True)).hexdigest()


def test_the_sign_in_page_over_https_checks_out_against_the_municipal_ca(tls_box):
    web = tls_box()
    response, body = web.get("/logga-in")
    assert response.status == 200 and b"PIN" in body
    assert response.getheader("Cache-Control") == "no-store"
    with pytest.raises(ssl.SSLCertVerificationError):  # a phone without the CA's profile is warned
        served_fingerprint(web.https_port, ssl.create_default_context())


def test_plain_http_redirects_to_https_but_the_captive_probes_reach_the_ui(tls_box):
    web = tls_box()
    conn = http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=10)
    conn.request("GET", "/idag?x=1", headers={"Host": "connectivitycheck.gstatic.com"})
    response = conn.getresponse()
    response.read()
    assert response.status == 301
    assert response.getheader("Location") == f"https://{NAME}:{web.https_port}/idag?x=1"  # the box's name, not the probe's
    for probe in PROBES:
        conn.request("GET", probe, headers={"Host": "captive.apple.com"})
        response = conn.getresponse()
        response.read()
        assert (response.status, response.getheader("Location")) == (302, "/"), probe  # the UI's own answer
    conn.close()


def test_static_files_come_from_nginx_with_a_years_cache(tls_box):
    web = tls_box()
    response, body = web.get("/static/hembas.css?v=1")
    assert response.status == 200 and body == (static_folder() / "hembas.css").read_bytes()
    assert "immutable" in response.getheader("Cache-Control")  # nginx's header, not Flask's
    assert response.getheader("Content-Type") == "text/css"
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_session_and_device_cookies_are_secure_over_https(tls_box, accounts):
    web = tls_box()
    response = web.sign_in(accounts["staff"])
    assert response.status == 302
    cookies = [value for name, value in response.getheaders() if name.lower() == "set-cookie"]
    assert {c.split("=")[0] for c in cookies} == {"hembas", "hembas_enhet"}
    assert all("; Secure" in c for c in cookies)


def test_the_phones_address_comes_from_nginx_and_a_forged_header_is_ignored(tls_box, accounts, box):
    web = tls_box()
    web.sign_in(accounts["other"], pin="000000", address="127.0.0.4", headers={"X-Forwarded-For": "10.9.9.9"})
    # Straight to waitress from an address that is not nginx's: the header is not believed either.
    web.sign_in(accounts["other"], pin="000000", address="127.0.0.5", headers={"X-Forwarded-For": "10.9.9.9"},
                direct=True)
    addresses = [e["detail"]["address"] for e in box.audit.entries(action="signin.failed")]
    assert sorted(addresses) == ["127.0.0.4", "127.0.0.5"]  # the real phones; never 10.9.9.9 nor nginx's 127.0.0.1


def test_wrong_pins_from_one_phone_do_not_lock_out_another_behind_nginx(tls_box, accounts, box):
    web = tls_box()
    statuses = [web.sign_in(accounts["other"], pin="000000", address="127.0.0.6").status for _ in range(5)]
    assert statuses[-1] == 429  # this address is made to wait …
    assert web.sign_in(accounts["staff"], address="127.0.0.7").status == 302  # … another phone is not
    assert {e["detail"]["address"] for e in box.audit.entries(action="signin.locked")} == {"127.0.0.6"}


def test_one_address_holding_connections_does_not_keep_other_phones_out(tls_box):
    web = tls_box(connections_per_address=4)
    held = []
    try:
        for _ in range(4):  # a laptop starts uploads and never finishes them
            conn = web.phone("127.0.0.8")
            conn.putrequest("POST", "/logga-in")
            conn.putheader("Content-Length", "100000")
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.endheaders(b"csrf=")
            held.append(conn)
        time.sleep(0.3)  # nginx has read their headers: they count against the address
        response, _ = web.get("/logga-in", address="127.0.0.8")
        assert response.status == 503  # its fifth is refused at once
        response, body = web.get("/logga-in", address="127.0.0.9")
        assert response.status == 200 and b"PIN" in body  # a phone with its own address is served
    finally:
        for conn in held:
            conn.close()


def test_a_renewed_certificate_is_served_after_the_swap_and_reload(tls_box):
    web = tls_box()
    before = served_fingerprint(web.https_port, web.context)
    _, key = web.store.read()
    renewed, _ = web.ca.issue(NAME, days=90, key=key)  # the hub's renewal: same key, new certificate
    web.store.install(renewed, source="hub", now=dt.datetime.now(dt.timezone.utc))
    web.nginx.reload()
    expected = hashlib.sha256(ssl.PEM_cert_to_DER_cert(renewed.decode())).hexdigest()
    deadline = time.monotonic() + 10
    while served_fingerprint(web.https_port, web.context) != expected and time.monotonic() < deadline:
        time.sleep(0.1)  # the old worker finishes, the new one takes over
    assert served_fingerprint(web.https_port, web.context) == expected != before
    assert web.store.status(now=dt.datetime.now(dt.timezone.utc), warn_days=14)["source"] == "hub"
