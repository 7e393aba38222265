"""Phones on the base's wifi for the attack scenarios: each at its own 127.0.0.x address, with its cookies.

Linux routes all of 127.0.0.0/8 to loopback, so a client bound to
127.0.1.5 is "another address" to the server: that is how one harness
plays a dozen phones and a laptop with many addresses.  :func:`setup`
starts ``hembas serve`` on the demo plan with a carer, a coordinator and a
target account waiting for enrollment.
"""

import base64
import http.client
import json
import re
import subprocess
from urllib.parse import urlencode

from bench.http_load import FORM, cookies_of, csrf_token, free_port, hembas, sign_in, start_server
from bench.measure import REPO_DIR, child_env
from bench.web import prepare

COORDINATOR = {"name": "Attack Samordnare", "code": "ATTKC234", "pin": "739164"}
TARGET = {"name": "Parallell Provsson", "code": "ATTKP234", "pin": "615283"}
PAGE_TIMEOUT = 15


class Phone:
    """One phone (or the attacker's laptop) at its own address, keeping its cookies."""

    def __init__(self, port, address, cookie=""):
        self.port, self.address, self.cookie = port, address, cookie

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PAGE_TIMEOUT,
                                          source_address=(self.address, 0))
        try:
            sent = {**(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            self.cookie = cookies_of(response, self.cookie)
            return response.status, data
        finally:
            conn.close()

    def sign_in(self, pin, *, name="", user_id=""):
        _, page = self.request("GET", "/logga-in")
        fields = {"csrf": csrf_token(page.decode()), "pin": pin, **({"namn": name} if name else {"user": user_id})}
        status, _ = self.request("POST", "/logga-in", urlencode(fields), FORM)
        return status

    def known_accounts(self):
        """The account ids the sign-in page offers with one tap (from this phone's device cookie)."""
        _, page = self.request("GET", "/logga-in")
        return re.findall(r'type="radio" name="user" value="([^"]+)"', page.decode())

    def sign_out(self):
        _, page = self.request("GET", "/status")
        self.request("POST", "/logga-ut", urlencode({"csrf": csrf_token(page.decode())}), FORM)


class Box:
    """The data folder, the server's port and its audit log as the harness reads it."""

    def __init__(self, data_dir, port):
        self.data_dir, self.port = data_dir, port
        self.audit = data_dir / "audit.jsonl"

    def audit_mark(self):
        return self.audit.stat().st_size if self.audit.exists() else 0

    def audit_since(self, mark):
        with open(self.audit, "rb") as f:
            f.seek(mark)
            return [json.loads(line) for line in f.read().splitlines() if line.strip()]


def setup(workdir):
    """The box: returns (Box, the server process, the hub key its bundles verify with, the server's env)."""
    import nacl.signing

    data_dir = workdir / "data"
    prepare(data_dir)  # the demo plan for today, the busiest carer with code CODE
    for person, role in ((COORDINATOR, "coordinator"), (TARGET, "staff")):
        subprocess.run(hembas(data_dir, "user", "add", "--name", person["name"], "--role", role,
                              "--enrollment-code", person["code"]), env=child_env(), cwd=REPO_DIR, check=True,
                       capture_output=True)
    key = nacl.signing.SigningKey.generate()
    env = child_env(HEMBAS_HUB_PUBLIC_KEY=base64.b64encode(bytes(key.verify_key)).decode())
    port = free_port()
    server, _ = start_server(hembas(data_dir, "serve", "--host", "127.0.0.1", "--port", str(port)), port,
                             workdir / "serve.log", env=env)
    return Box(data_dir, port), server, key, env


def enrolled_phone(box, address, code, pin):
    """A phone that enrolled at *address* (so its device cookie knows the account), signed out again."""
    cookie, _ = sign_in(box.port, code, pin, address=address)
    phone = Phone(box.port, address, cookie)
    phone.sign_out()
    return phone
