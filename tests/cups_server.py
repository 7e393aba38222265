"""A CUPS server of the test's own: cupsd on 127.0.0.1, one A4 queue that prints into a file.

The real scheduler and filters from the Debian packages (cups-daemon,
cups-filters), with a private configuration, spool and log folder, and a
``file:`` device (``FileDevice Yes``) behind the Generic PDF Printer driver:
what arrives in :attr:`CupsServer.output` is the PDF as the printer would
get it, after CUPS applied page ranges and media.  No real printer::

    with CupsServer() as cups:
        box.config["binder"].update(printer=cups.queue, cups_server=cups.server)
        ...
        cups.wait_for_output()
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PPD = Path("/usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd")
QUEUE = "hembas-a4"


def missing():
    """Why this machine cannot run the server (None when it can)."""
    tools = [t for t in ("cupsd", "lp", "lpadmin", "ipptool") if not shutil.which(t) and not Path(f"/usr/sbin/{t}").exists()]
    if tools:
        return f"CUPS tools missing: {', '.join(tools)} (apt-get install cups-daemon cups-client cups-ipp-utils)"
    if not PPD.exists():
        return f"{PPD} missing (apt-get install cups-filters)"
    return None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CupsServer:
    """cupsd with one queue, :data:`QUEUE`, whose jobs land in :attr:`output`."""

    def __init__(self):
        self.queue = QUEUE
        self.port = 0
        self.folder = None
        self._process = None

    @property
    def server(self):
        return f"127.0.0.1:{self.port}"

    @property
    def output(self):
        return self.folder / "out" / "printer.pdf"

    def start(self):
        # Filters run as the unprivileged user "lp" when the tests run as root: the folder must be readable.
        self.folder = Path(tempfile.mkdtemp(prefix="hembas-cups-"))
        self.folder.chmod(0o755)
        for sub in ("spool/tmp", "cache", "state", "log", "out"):
            (self.folder / sub).mkdir(parents=True)
        self.port = _free_port()
        (self.folder / "cupsd.conf").write_text(
            f"Listen 127.0.0.1:{self.port}\nLogLevel info\nBrowsing No\nWebInterface No\nDefaultAuthType None\n"
            "PreserveJobFiles No\nMaxJobs 50\n"
            "<Location />\n  Order allow,deny\n  Allow from 127.0.0.1\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        f = self.folder
        (f / "cups-files.conf").write_text(
            f"FileDevice Yes\nServerRoot {f}\nRequestRoot {f}/spool\nTempDir {f}/spool/tmp\nCacheDir {f}/cache\n"
            f"StateDir {f}/state\nErrorLog {f}/log/error_log\nAccessLog {f}/log/access_log\n"
            f"PageLog {f}/log/page_log\nPrintcap {f}/printcap\n")
        cupsd = shutil.which("cupsd") or "/usr/sbin/cupsd"
        self._process = subprocess.Popen([cupsd, "-f", "-c", str(f / "cupsd.conf"), "-s", str(f / "cups-files.conf")],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_listening()
        self.output.touch()  # CUPS writes into a file device but never creates it
        lpadmin = shutil.which("lpadmin") or "/usr/sbin/lpadmin"
        subprocess.run([lpadmin, "-h", self.server, "-p", self.queue, "-E", "-v", f"file:{self.output}",
                        "-P", str(PPD), "-o", "media=A4"], check=True, capture_output=True, timeout=30)
        return self

    def _wait_listening(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"cupsd exited: {self._process.stderr.read().decode(errors='replace')}"
                                   f"{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"cupsd did not listen on {self.server}: {self.log()}")

    def lp(self, *args):
        """Run a CUPS admin command (cupsdisable, cancel, ...) against this server."""
        tool = shutil.which(args[0]) or f"/usr/sbin/{args[0]}"
        return subprocess.run([tool, "-h", self.server, *args[1:]], check=True, capture_output=True, timeout=30)

    def wait_for_output(self, timeout=30):
        """The bytes of the job printed into the file device, once one is there (then the file is emptied).

        The Generic PDF driver wraps the PDF in PJL; the job is whole when its
        ``%%EOF`` has arrived and the file stops growing.
        """
        deadline, size = time.monotonic() + timeout, -1
        while time.monotonic() < deadline:
            data = self.output.read_bytes()
            if b"%%EOF" in data and len(data) == size:
                os.truncate(self.output, 0)
                return data
            size = len(data)
            time.sleep(0.2)
        raise AssertionError(f"nothing printed within {timeout} s: {self.log()}")

    def log(self):
        path = self.folder / "log" / "error_log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self):
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process.stderr.close()
            self._process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except Exception:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
