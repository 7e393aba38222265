"""Whole-system updates that cannot brick the box: A/B slots, a trial boot, mark good.

``hembas update apply FILE`` writes a signed bundle (:mod:`deploy.bundle`) into
the slot that is *not* running, makes it the next boot, on trial, and
reboots.  The new system then has to prove itself: ``hembas update health``
(hembas-health.service, after the web UI and the firmware started) marks it
good once both run and the web UI answers, or bad, which sends the box back
to the old slot at once.  If the new system never gets that far (a kernel
that hangs, a broken Python, a power cut), the initramfs counts the trial
boots down and falls back by itself (``boot-slots booted``), and the
hardware watchdog turns a hang into a reboot.  So nothing in the new
version has to work for the old one to come back.

Only bundles signed with the update key (kept offline, never the hub's plan
key) and newer than the running version are installed.  The installing,
restarting and health checking are passed in, so the logic is tested with
real files.
"""

import json
import logging
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from sync.errors import HembasError

from .bundle import SystemBundle, version_key

logger = logging.getLogger(__name__)

BOOT_DIR = Path("/boot/firmware")
TRUSTED_KEY = Path("/usr/lib/hembas/update-key.pub")     # baked into the image at build
BUILD_INFO = Path("/usr/lib/hembas/build.json")
SERVICES = ("hembas-web.service", "hembas-firmware.service")
HEALTH_SECONDS = 300
MAX_RESTARTS = 3


class UpdateRefused(HembasError, ValueError):
    """The bundle is not for this box, not newer, or cannot be installed now."""


def running_version(build_info=BUILD_INFO):
    """The version of the running system, as the image recorded it."""
    try:
        return json.loads(Path(build_info).read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        raise UpdateRefused(f"kan inte läsa systemets version i {build_info}") from None


def trusted_key(path=TRUSTED_KEY):
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except OSError:
        raise UpdateRefused(f"uppdateringsnyckeln {path} saknas i systemet") from None


def reboot():
    subprocess.run(["systemctl", "reboot"], check=False)


def apply_bundle(path, *, slots, trusted_key, running_version, reboot=reboot):
    """Install bundle *path* into the other slot and boot it on trial; returns ``(version, slot)``."""
    bundle = SystemBundle.open(path, trusted_key)
    if version_key(bundle.version) <= version_key(running_version):
        raise UpdateRefused(f"version {bundle.version} är inte nyare än {running_version} som körs nu: "
                            "äldre versioner installeras aldrig")
    booted = slots.booted()
    if slots.state(booted) != "good":
        raise UpdateRefused(f"version {running_version} provkörs fortfarande; vänta tills den är godkänd")
    target = slots.other(booted)
    if (slots.boot_dir / target).is_dir():
        slots.mark_bad(target)          # never booted while half-written
    logger.info("writing version %s into slot %s (%s)", bundle.version, target, slots.partition(target))
    bundle.write_root(slots.partition(target))
    install_boot_files(bundle, slots, target)
    slots.trial(target)
    logger.info("slot %s holds version %s, on trial; rebooting", target, bundle.version)
    reboot()
    return bundle.version, target


def install_boot_files(bundle, slots, slot):
    """Unpack the bundle's kernel, initramfs and cmdline.txt as *slot*'s folder on the boot partition."""
    boot = slots.boot_dir
    new, old = boot / f".{slot}.new", boot / f".{slot}.old"
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    bundle.extract_boot(new)
    cmdline = (new / "cmdline.txt").read_text(encoding="ascii").strip()
    cmdline = re.sub(r"\broot=\S+", slots.root_argument(slot), cmdline)
    cmdline = re.sub(r"\bhembas\.slot=[ab]\b", f"hembas.slot={slot}", cmdline)
    for name, text in (("cmdline.txt", cmdline), ("version", bundle.version), ("state", "bad")):
        (new / name).write_text(text + "\n", encoding="ascii")
    os.sync()
    if (boot / slot).exists():
        (boot / slot).rename(old)
    new.rename(boot / slot)
    shutil.rmtree(old, ignore_errors=True)
    os.sync()


def services_healthy(*, url="http://127.0.0.1:8080/", timeout=HEALTH_SECONDS, max_restarts=MAX_RESTARTS,
                     run=subprocess.run):
    """True when the services run and the web UI answers within *timeout* seconds.

    A service that keeps crashing (restarted *max_restarts* times) fails at once:
    waiting longer would only keep the box on a broken version.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        restarts = run(["systemctl", "show", "--property=NRestarts", "--value", *SERVICES],
                       capture_output=True, text=True).stdout.split()
        if any(int(count) >= max_restarts for count in restarts if count.isdigit()):
            logger.error("health: a service restarted %s times", restarts)
            return False
        active = run(["systemctl", "is-active", "--quiet", *SERVICES]).returncode == 0
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                answered = response.status < 500
        except OSError:
            answered = False
        if active and answered:
            return True
        time.sleep(3)
    logger.error("health: not up after %d s", timeout)
    return False


def check_health(slots, *, healthy, reboot=reboot):
    """Mark the running slot good, or bad and reboot into the other; returns "good" or "bad"."""
    slot = slots.booted()
    if slots.on_trial(slot):
        if not healthy():
            logger.error("slot %s (version %s) failed its health check; back to slot %s",
                         slot, slots.version(slot), slots.other(slot))
            slots.mark_bad(slot)
            reboot()
            return "bad"
        slots.mark_good(slot)
        logger.info("slot %s (version %s) is good", slot, slots.version(slot))
    return "good"


def rollback(slots, *, reboot=reboot):
    """Boot the other slot again (it must hold a good version); returns its version."""
    target = slots.other()
    if slots.state(target) != "good":
        raise UpdateRefused("den andra platsen har ingen godkänd version att gå tillbaka till")
    slots.use(target)
    reboot()
    return slots.version(target)
