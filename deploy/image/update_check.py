"""The boot test's update checks (phases 4–6): whole-system bundles on virtual USB sticks.

boot-test.py hands over the box once it runs a good version with its
settings applied.  Each update is a copy of the build's own root image with
another version written into ``build.json`` (debugfs: nothing is mounted),
packed and signed as the release process packs it:

* a good one, with the power cut while the box tries it: it must still
  prove itself and be marked good;
* a bad one, whose web UI cannot start: tried, then rolled back by itself;
* an older, correctly signed one: refused.
"""

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from cards import make_stick
from qemubox import BOOT_TIMEOUT, wait_for

from deploy.bundle import pack


def update_status(box):
    return box.ssh_json("sudo hembas update status --json")


def modified_root(source, target, *, version, broken_web=False):
    """A copy of the build's root image with another version (and, if asked, a web UI that cannot start)."""
    subprocess.run(["cp", "--sparse=always", str(source), str(target)], check=True)
    work = Path(tempfile.mkdtemp())
    build = json.loads(subprocess.run(["debugfs", "-R", "cat /usr/lib/hembas/build.json", str(target)],
                                      capture_output=True, text=True, check=True).stdout)
    (work / "build.json").write_text(json.dumps({**build, "version": version}, indent=2))
    commands = ["cd /usr/lib/hembas", "rm build.json", f"write {work / 'build.json'} build.json"]
    if broken_web:
        (work / "broken.conf").write_text("[Service]\nExecStart=\nExecStart=/bin/false\n")
        commands += ["cd /etc/systemd/system", "mkdir hembas-web.service.d", "cd hembas-web.service.d",
                     f"write {work / 'broken.conf'} broken.conf"]
    (work / "commands").write_text("\n".join(commands) + "\n")
    subprocess.run(["debugfs", "-w", "-f", str(work / "commands"), str(target)], check=True, capture_output=True)
    shutil.rmtree(work)
    return target


def update_bundle(out, work, root, version, key):
    path = work / f"hembas-{version}.hembas-update"
    started = time.monotonic()
    pack(path, root_image=root, boot_dir=out / "system" / "boot", version=version, signing_key=key)
    return path, round(time.monotonic() - started)


def decided(box):
    """The box is up and the slot it runs is no longer on trial (marked good, or left)."""
    if box.http("phones_https", "/logga-in")[0] != 200:
        return False
    status = update_status(box)
    slot = status.get("slots", {}).get(status.get("booted"), {})
    return bool(slot) and not slot["state"].startswith("try")


def update_stick(run, box, work, bundle, name, *, cut_power=False):
    """Plug a stick with *bundle*; the box installs it and reboots; returns the slots booted after."""
    stick = make_stick(work / f"stick-{name}.img", {bundle.name: bundle})
    started = time.monotonic()
    box.plug_stick(stick, name)
    rebooted = box.wait_off(40 * 60)
    run.time(f"{name}: plugged in to reboot (install into the other slot)", time.monotonic() - started)
    booted = []
    if cut_power and rebooted:
        booted.append(box.power_on())
        mark = box.console.tell()
        wait_for(lambda: "is try 1; continue" in Path(box.console.name).read_bytes()[mark:].decode("utf-8", "replace"),
                 300, every=2)
        time.sleep(20)                                # past the initramfs: systemd is starting
        box.cut_power()
    started = time.monotonic()
    booted += box.follow_reboots(lambda: decided(box), BOOT_TIMEOUT)
    run.time(f"{name}: reboot to a decided version", time.monotonic() - started)
    return rebooted, booted


def checks(run, box, out, work, update_key):
    """Phases 4–6: a good update (with a power cut in its trial), a bad one, an old one."""
    root = out / "system" / "root.ext4"
    good, seconds = update_bundle(out, work, modified_root(root, work / "good.ext4", version="0.1.1"), "0.1.1",
                                  update_key)
    run.time("pack a whole-system bundle on the build machine", seconds)
    rebooted, booted = update_stick(run, box, work, good, "good-update", cut_power=True)
    status = update_status(box)
    run.check("good update: installed from a stick, power cut during its trial, still proved itself",
              rebooted and status.get("running") == "0.1.1" and status.get("booted") == "b"
              and status["slots"]["b"]["state"] == "good" and booted[:2] == ["b/", "b/"],
              booted=booted, status=status, bundle_mb=good.stat().st_size >> 20)

    bad, _ = update_bundle(out, work, modified_root(root, work / "bad.ext4", version="0.1.2", broken_web=True),
                           "0.1.2", update_key)
    rebooted, booted = update_stick(run, box, work, bad, "bad-update")
    status = update_status(box)
    run.check("bad update: rolled back by itself after its trial boot",
              rebooted and booted[:2] == ["a/", "b/"] and status.get("running") == "0.1.1"
              and status.get("booted") == "b" and status["slots"]["a"]["state"] == "bad",
              booted=booted, status=status)

    old_root = work / "tiny.ext4"
    subprocess.run(["truncate", "-s", "1M", str(old_root)], check=True)
    old, _ = update_bundle(out, work, old_root, "0.0.9", update_key)
    copied, _ = box.ssh("cat > /tmp/old.hembas-update", input=old.read_bytes())
    applied, message = box.ssh("sudo hembas update apply /tmp/old.hembas-update")
    run.check("downgrade refused (an older bundle, correctly signed)",
              copied and not applied and "äldre versioner installeras aldrig" in message
              and update_status(box) == status, message=message)
