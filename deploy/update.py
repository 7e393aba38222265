"""Software updates: signed packages, installed into a new slot, switched atomically.

An update package is a signed envelope (sync/network/signing.py, kind ``"software"``,
signed with the hub's key like plan bundles, team ``"*"`` for every box)
whose payload is an uncompressed tar: ``manifest.json`` (``{"version": …,
"requirement": "hembas==…"}``) and the arm64 wheels to install offline.

On the box (``/data/system/hembas``, on the writable data partition)::

    slots/0.2.0/          a complete venv per version
    current -> slots/0.2.0  what the services run (/opt/hembas/current points here)
    previous -> /opt/hembas/factory

Applying installs the new slot beside the running one, swaps ``current`` with
one ``rename`` (a power cut leaves the old or the new link, never none),
restarts the services and checks that they come up healthy; if they do
not, ``current`` goes back to the old slot.  Installing, restarting and the
health check are passed in, so the logic is tested with real files.
"""

import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

from sync.errors import HembasError
from sync.network.signing import sign, verify

logger = logging.getLogger(__name__)

KIND = "software"
ANY_TEAM = "*"
VERSION = re.compile(r"[0-9]+(\.[0-9]+){1,3}([a-z0-9.+-]*)")
SERVICES = ("hembas-web.service", "hembas-firmware.service")
FACTORY = Path("/opt/hembas/factory")       # the version in the image


class UpdateRefused(HembasError, ValueError):
    """The update package is not for this box, not newer, or unreadable."""


class UpdateFailed(HembasError, RuntimeError):
    """The new version did not come up healthy; the old one runs again."""


def make_package(wheel_paths, *, version, signing_key, requirement="hembas", team=ANY_TEAM):
    """A signed update package from wheels (the hub's side of :func:`read_package`)."""
    manifest = {"version": version, "requirement": f"{requirement}=={version}"}
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode="w") as tar:
        _add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
        for path in map(Path, wheel_paths):
            _add_bytes(tar, path.name, path.read_bytes())
    return sign(payload.getvalue(), signing_key, kind=KIND, team=team)


def _add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def read_package(envelope, verify_key, *, team):
    """Verify and open a package; returns ``(manifest, {wheel name: bytes})``."""
    header, payload = verify(envelope, verify_key, kind=KIND)
    if header["team"] not in (ANY_TEAM, team):
        raise UpdateRefused(f"uppdateringen är för team {header['team']!r}, inte {team!r}")
    try:
        with tarfile.open(fileobj=io.BytesIO(payload), mode="r:") as tar:
            files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        manifest = json.loads(files.pop("manifest.json"))
    except (tarfile.TarError, KeyError, ValueError):
        raise UpdateRefused("uppdateringspaketet är trasigt") from None
    if not VERSION.fullmatch(str(manifest.get("version", ""))):
        raise UpdateRefused("uppdateringspaketet saknar ett giltigt versionsnummer")
    if not files or any("/" in name or not name.endswith(".whl") for name in files):
        raise UpdateRefused("uppdateringspaketet får bara innehålla wheel-filer")
    return manifest, files


class Slots:
    """The installed versions under *root* and the ``current``/``previous`` links."""

    def __init__(self, root, *, factory=FACTORY):
        self.root = Path(root)
        self.factory = Path(factory)
        self.slots = self.root / "slots"

    def current(self):
        return self._target("current") or self.factory

    def previous(self):
        return self._target("previous")

    def _target(self, name):
        link = self.root / name
        return Path(os.readlink(link)) if link.is_symlink() else None

    def point(self, name, target):
        """Make ``root/name`` point at *target* in one atomic rename."""
        tmp = self.root / f".{name}.new"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target)
        os.replace(tmp, self.root / name)
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def switch_to(self, target):
        old = self.current()
        self.point("current", target)
        self.point("previous", old)
        return old


def install_slot(slot, wheel_dir, requirement):
    """A fresh venv in *slot* with *requirement* installed offline from *wheel_dir*."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(slot)], check=True)
    # The factory venv's pip installs into the new one (ensurepip takes minutes on a Pi, and
    # the factory venv is always there, on the read-only system).
    pip_python = FACTORY / "bin" / "python" if (FACTORY / "bin" / "python").exists() else Path(sys.executable)
    subprocess.run([str(pip_python), "-m", "pip", "--python", str(slot / "bin" / "python"), "install", "-q",
                    "--no-index", "--find-links", str(wheel_dir), requirement], check=True)


def restart_services():
    subprocess.run(["systemctl", "restart", *SERVICES], check=False)


def services_healthy(*, url="http://127.0.0.1:8080/", timeout=90):
    """True when every service is active and the web UI answers within *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = subprocess.run(["systemctl", "is-active", "--quiet", *SERVICES]).returncode == 0
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                answered = response.status < 500
        except OSError:
            answered = False
        if active and answered:
            return True
        time.sleep(3)
    return False


def apply_update(envelope, *, verify_key, team, slots, install=install_slot, restart=restart_services,
                 healthy=services_healthy):
    """Install a signed package as the running version; rolls back and raises UpdateFailed if unhealthy."""
    manifest, wheels = read_package(envelope, verify_key, team=team)
    version = manifest["version"]
    slot = slots.slots / version
    if slot == slots.current():
        raise UpdateRefused(f"version {version} körs redan")
    wheel_dir = slots.slots / f".{version}.wheels"
    for folder in (wheel_dir, slot):      # leftovers of an interrupted attempt
        shutil.rmtree(folder, ignore_errors=True)
    wheel_dir.mkdir(parents=True)
    for name, data in wheels.items():
        (wheel_dir / name).write_bytes(data)
    try:
        install(slot, wheel_dir, manifest["requirement"])    # venvs cannot move: built in place
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(slot, ignore_errors=True)
        raise UpdateFailed(f"version {version} gick inte att installera: {exc}") from None
    finally:
        shutil.rmtree(wheel_dir, ignore_errors=True)
    old = slots.switch_to(slot)
    logger.info("switched from %s to %s; checking that it comes up", old, slot)
    restart()
    if healthy():
        return version
    logger.error("version %s did not come up healthy; rolling back to %s", version, old)
    slots.switch_to(old)
    restart()
    raise UpdateFailed(f"version {version} startade inte som den skulle – den gamla versionen körs igen")


def rollback(slots, *, restart=restart_services):
    """Go back to the previous version (a technician's command)."""
    previous = slots.previous()
    if previous is None:
        raise UpdateRefused("det finns ingen tidigare version att gå tillbaka till")
    slots.switch_to(previous)
    restart()
    return previous
