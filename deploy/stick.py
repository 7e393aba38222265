"""A USB stick plugged into the box is read by itself (``hembas stick DEVICE``).

udev starts ``hembas-stick@sdX1.service`` for every USB stick with a FAT or
exFAT file system.  Running as root, it mounts the stick through systemd
(``systemd-mount``, so the mount exists in the system's own namespace), and
then, in this order:

1. a plan bundle (``*.bundle``) is imported: ``hembas usb import`` as the
   unprivileged user ``hembas``;
2. if the stick has a folder ``hembas-export``, everything the hub has not
   acknowledged is written into it, sealed to the hub (``hembas usb export``);
3. a system update (``*.hembas-update``, :mod:`deploy.update`) newer than the
   running version is installed, and the box restarts in it (the slip then
   comes out after the restart, from the print queue);
4. the status slip is printed: it says what was on the stick.

The lights show "busy" while the stick is read and "warning" for a while if
something failed (:mod:`sync.stick`).  Mounting, running the unprivileged
steps and installing are passed in, so the logic is tested with a folder.
"""

import logging
import os
import pwd
import subprocess
from pathlib import Path

from sync import stick
from sync.network.bundle import SUFFIX as PLAN_SUFFIX

from .bundle import SUFFIX as UPDATE_SUFFIX, BundleInvalid, version_key

logger = logging.getLogger(__name__)

HEMBAS = "/usr/local/bin/hembas"
MOUNT_POINT = Path("/run/hembas/stick")
EXPORT_FOLDER = "hembas-export"
USER = "hembas"


def run_as_service_user(*args):
    """``hembas ARGS…`` as the data folder's owner; returns (ok, message lines)."""
    result = subprocess.run([HEMBAS, *args], user=USER, group=USER, extra_groups=[], capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, timeout=600)
    return _outcome(result)


def _outcome(result):
    lines = [line.removeprefix("hembas: ") for line in (result.stdout + result.stderr).splitlines()
             if line.strip() and " INFO " not in line and " WARNING " not in line]
    return result.returncode == 0, lines


def mount(device, where=MOUNT_POINT, *, run=subprocess.run):
    """Mount *device* through systemd, writable by the service user only; returns *where*."""
    owner = pwd.getpwnam(USER)
    options = f"uid={owner.pw_uid},gid={owner.pw_gid},umask=0077,nosuid,nodev,noexec"    # vfat and exfat alike
    run(["systemd-mount", "--collect", f"--options={options}", str(device), str(where)], check=True,
        capture_output=True, text=True)
    return Path(where)


def unmount(where=MOUNT_POINT, *, run=subprocess.run):
    run(["systemd-umount", str(where)], check=False, capture_output=True)


def read_stick(folder, *, hembas=run_as_service_user):
    """Import and export what the stick mounted at *folder* asks for; returns (ok, messages)."""
    folder = Path(folder)
    ok, messages = True, []
    if any(folder.glob(f"*{PLAN_SUFFIX}")) or any(folder.glob(f"*/*{PLAN_SUFFIX}")):
        done, lines = hembas("usb", "import", str(folder))
        ok, messages = ok and done, messages + lines
    if (folder / EXPORT_FOLDER).is_dir():
        done, lines = hembas("usb", "export", str(folder / EXPORT_FOLDER))
        ok, messages = ok and done, messages + lines
    return ok, messages


def newest_update(folder, *, open_bundle):
    """The newest system update on the stick that the update key signed, or None; and what was skipped."""
    found, skipped = [], []
    for path in sorted(Path(folder).glob(f"*{UPDATE_SUFFIX}")):
        try:
            found.append(open_bundle(path))
        except BundleInvalid as exc:
            skipped.append(f"{path.name}: {exc}")
    return max(found, key=lambda b: version_key(b.version), default=None), skipped


def _print_slip(hembas):
    """The status slip says what the stick did; when it cannot be queued, the journal says why."""
    done, lines = hembas("print", "slip", "status")
    if not done:
        logger.warning("the status slip after the stick was not queued: %s", " / ".join(lines))


def handle(device, *, data_dir, mount=mount, unmount=unmount, hembas=run_as_service_user,
           open_bundle=None, install=None, reboot=None):
    """Everything for a stick just plugged in as *device*; returns the messages."""
    stick.record(data_dir, stick.WORKING)
    messages, ok, restart = [], True, False
    try:
        folder = mount(device)
    except (OSError, subprocess.CalledProcessError) as exc:
        messages = [f"stickan gick inte att öppna: {(getattr(exc, 'stderr', '') or str(exc)).strip()}"]
        stick.record(data_dir, stick.FAILED, messages)
        _print_slip(hembas)
        return messages
    try:
        ok, messages = read_stick(folder, hembas=hembas)
        update, skipped = (newest_update(folder, open_bundle=open_bundle) if open_bundle else (None, []))
        messages += skipped
        ok = ok and not skipped
        if update is not None:
            installed_ok, restart, lines = install(update)
            messages += lines
            ok = ok and installed_ok
        if not messages:
            messages = ["Stickan hade inget för Hembas (ingen plan, ingen mapp hembas-export, ingen uppdatering)."]
    finally:
        unmount()
    stick.record(data_dir, stick.DONE if ok else stick.FAILED, messages)
    _print_slip(hembas)                   # after a restart the firmware prints it from the queue
    logger.info("stick %s: %s", device, " / ".join(messages))
    if restart and reboot is not None:
        os.sync()
        reboot()
    return messages
