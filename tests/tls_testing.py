"""A test CA made with the openssl command, and a real nginx started on 127.0.0.1 in a temporary folder.

    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue("hembas.test", days=30)
    nginx = Nginx(tmp_path / "nginx", conf_text)      # free ports are the caller's (free_port())
    nginx.start(); …; nginx.reload(); nginx.stop()
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def have_nginx():
    return Path(NGINX).exists() and shutil.which("openssl") is not None


def free_port():
    """A port nobody listens on right now (nginx cannot be told to pick one itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


class TestCA:
    """A municipality's CA in miniature: its certificate, and certificates it issues."""

    __test__ = False  # not a pytest class

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cert = self.folder / "ca.pem"
        self._serial = 0
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650",
                 "-subj", "/CN=Testkommunens CA", "-keyout", "ca.key", "-out", "ca.pem", cwd=self.folder)

    def issue(self, name, *, days=90, key=None):
        """``(certificate PEM, key PEM)`` for *name* (a new key unless *key* PEM bytes are given)."""
        self._serial += 1
        stem = f"cert{self._serial}"
        if key is None:
            _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{stem}.key",
                     cwd=self.folder)
        else:
            (self.folder / f"{stem}.key").write_bytes(key)
        _openssl("req", "-new", "-key", f"{stem}.key", "-subj", f"/CN={name}", "-out", f"{stem}.csr", cwd=self.folder)
        (self.folder / f"{stem}.ext").write_text(f"subjectAltName=DNS:{name}\nextendedKeyUsage=serverAuth\n")
        _openssl("x509", "-req", "-in", f"{stem}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-days", str(days), "-extfile", f"{stem}.ext", "-out", f"{stem}.pem", cwd=self.folder)
        return (self.folder / f"{stem}.pem").read_bytes(), (self.folder / f"{stem}.key").read_bytes()


class Nginx:
    """nginx with its own prefix folder, configuration, pid and logs (never the system's)."""

    def __init__(self, folder, conf_text):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.conf = self.folder / "nginx.conf"
        self.conf.write_text(conf_text)
        self.log = self.folder / "error.log"
        self.process = None

    def _command(self, *extra):
        return [NGINX, "-p", str(self.folder), "-c", str(self.conf), "-e", str(self.log), *extra]

    def test_config(self):
        return subprocess.run(self._command("-t"), capture_output=True, text=True, timeout=30)

    def start(self, ports, timeout=10):
        self.process = subprocess.Popen(self._command("-g", "daemon off;"), stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        for port in ports:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"nginx stopped: {self.process.stderr.read().decode()} {self.errors()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"nginx does not answer on {port}: {self.errors()}") from None
                    time.sleep(0.05)

    def reload(self):
        subprocess.run(self._command("-s", "reload"), check=True, capture_output=True, timeout=30)

    def errors(self):
        return self.log.read_text() if self.log.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.process.stderr.close()


def box_with_certificate(box, tmp_path, *, days, after_days, self_signed=False):
    """Turn TLS on for *box*, install a certificate valid *days* from now, and move its clock *after_days* on."""
    import datetime as dt

    from hembas_testing import fixed_clock
    from sync.certificate import store_for

    box.config["tls"].update(enabled=True, name="hembas.test")
    store = store_for(box.config)
    if self_signed:
        now = dt.datetime.now(dt.timezone.utc)
        store.ensure(now=now)
    else:
        issued = TestCA(tmp_path / "ca").issue("hembas.test", days=days)
        # "now" after openssl ran: the certificate then has a little under *days* left, however slow the machine.
        now = dt.datetime.now(dt.timezone.utc)
        store.install(*issued, source="settings", now=now)
    box.clock = fixed_clock(box.data_dir, now=now + dt.timedelta(days=after_days))
    return store
