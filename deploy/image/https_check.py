"""The boot test's HTTPS checks: a test CA made on the host, its certificate on the boot partition.

boot-test.py copies ``hembas.crt`` and ``hembas.key`` (issued by a CA made
here, for :data:`NAME`) next to ``hembas.toml``, as a technician would copy
the municipality's files; the booted box must then serve the UI over HTTPS
with that certificate, redirect plain HTTP, answer the captive-portal probe
without a redirect, and have removed the key from the card.  Standard
library and the ``openssl`` command only.
"""

import http.client
import ssl
import subprocess
import time
from pathlib import Path

NAME = "hembas.local"   # [tls] name's default
ERRORS = (OSError, http.client.HTTPException)   # nothing listening yet, a refused certificate (ssl.SSLError)


def make_certificate(work):
    """``(ca.pem, hembas.crt, hembas.key)`` in *work*: a test CA and the box's certificate from it."""
    work = Path(work)

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=work, check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
            "-subj", "/CN=Hembas image-test CA", "-keyout", "ca.key", "-out", "ca.pem")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={NAME}",
            "-keyout", "hembas.key", "-out", "hembas.csr")
    (work / "hembas.ext").write_text(f"subjectAltName=DNS:{NAME}\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "hembas.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "30", "-extfile", "hembas.ext", "-out", "hembas.crt")
    return work / "ca.pem", work / "hembas.crt", work / "hembas.key"


class _Named(http.client.HTTPSConnection):
    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=NAME)


def https_get(port, ca_file, path="/logga-in", timeout=20):
    """``(status, issuer common name, body)`` of GET *path* over HTTPS, the certificate checked against *ca_file*."""
    conn = _Named("127.0.0.1", port, context=ssl.create_default_context(cafile=str(ca_file)), timeout=timeout)
    try:
        conn.request("GET", path)
        issuer = dict(pair for rdn in conn.sock.getpeercert()["issuer"] for pair in rdn)  # before a close
        response = conn.getresponse()
        body = response.read(100_000).decode("utf-8", "replace")
        return response.status, issuer.get("commonName", ""), body
    finally:
        conn.close()


def http_get(port, path="/"):
    """``(status, Location)`` of plain GET *path*, redirects not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers={"Host": "connectivitycheck.gstatic.com"})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        conn.close()


def wait_for_https(port, ca_file, deadline):
    """Poll until the UI answers over HTTPS; ``(status, issuer)`` or ``(None, reason)``."""
    reason = ""
    while time.monotonic() < deadline:
        try:
            return https_get(port, ca_file)[:2]
        except ERRORS as exc:
            reason = f"{type(exc).__name__}: {exc}"
            time.sleep(3)
    return None, reason


def checks(http_port, https_port, ca_file, deadline):
    """The named results boot-test.py adds to its checks."""
    status, issuer = wait_for_https(https_port, ca_file, deadline)
    redirect = http_get(http_port, "/idag")
    probe = http_get(http_port, "/generate_204")
    return {
        "web UI over HTTPS with the municipal CA's certificate": status == 200 and issuer == "Hembas image-test CA",
        "plain HTTP redirects to HTTPS": redirect == (301, f"https://{NAME}/idag"),
        "captive-portal probe answered without a redirect to HTTPS": probe[0] == 302 and probe[1] == "/",
    }
