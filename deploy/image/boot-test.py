#!/usr/bin/env python3
"""Boot the built image under qemu and check it from outside, as a technician and a phone meet it.

    deploy/out/buildenv/bin/python deploy/image/boot-test.py [deploy/out]      (make image-test)

It runs with the build environment's Python, which has Hembas itself for the
hub keys, the plan bundle and the update bundles it makes.  One card goes
through a box's life (qemubox.py plays the Pi firmware's part):

1. first boot with a broken settings file (BOM, CRLF, ``team.id`` missing)
   and the municipality's certificate beside it (``hembas.crt``/``hembas.key``
   from a test CA, https_check.py): the data partition is grown and
   encrypted, the explanation appears on the boot partition, the phones get
   only the setup page (over HTTPS, through nginx), SSH works because the
   valid sections were applied; the uplink answers SSH and nothing else; the
   watchdog is armed;
2. the technician fixes the file (over SSH) and reboots: applied, logs and
   machine id kept across the reboot, the phones get the sign-in page over
   HTTPS with the CA's certificate, plain HTTP redirects to HTTPS except the
   captive-portal probe;
3. a USB stick with a plan and an export request is plugged in: imported,
   the sealed export written back onto the stick;
4. a stick with a good update: installed into the other slot; the power is
   cut during its trial boot; it still proves itself and is marked good;
5. a stick with a bad update (its web UI does not start): installed, tried,
   and the box goes back to the good version by itself;
6. an older, correctly signed bundle is refused;
7. after power-off, the card is read on the "laptop": secrets, the
   certificate's key and the error file gone, nothing of the team's data readable on the data partition.

Results, each check with what it measured: OUT/image-test.json; the serial
console of every boot: OUT/image-test-console.log.
"""

import base64
import datetime as dt
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import https_check
from qemubox import Box, copy_card, make_stick, partition, read_boot_file, stick_listing, write_boot_file

from nacl.signing import SigningKey

from deploy.bundle import pack
from sync.hub.store import HubStore
from sync.network.bundle import make_bundle
from sync.network.keys import read_secret
from sync.plan.demo import demo_plan

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "out").resolve()
BOOT_TIMEOUT = 15 * 60
PASSPHRASE, CODE, TEAM, COORDINATOR = "testlosen-for-qemu", "QEMU2345", "kalix-centrum", "Test Samordnare"
SERVICES = ["hembas-web.service", "hembas-tls.service", "hembas-firmware.service", "hembas-sync.timer",
            "nftables.service", "ssh.service", "NetworkManager.service", "fake-hwclock-save.timer"]


class Run:
    """The checks and what they measured, written to OUT/image-test.json as they go."""

    def __init__(self):
        self.started = time.monotonic()
        self.results = {"started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                        "checks": {}, "times": {}}

    def check(self, name, ok, **measured):
        self.results["checks"][name] = {"ok": bool(ok), **measured}
        print(f"{'ok  ' if ok else 'FAIL'} {name} {json.dumps(measured, ensure_ascii=False)[:300]}", flush=True)
        self.save()

    def time(self, name, seconds):
        self.results["times"][name] = round(seconds)
        self.save()

    def save(self):
        self.results["ok"] = bool(self.results["checks"]) and all(c["ok"] for c in self.results["checks"].values())
        self.results["total_seconds"] = round(time.monotonic() - self.started)
        (OUT / "image-test.json").write_text(json.dumps(self.results, indent=2, ensure_ascii=False))


def settings(*, public_key, hub, team=True):
    """The settings file as Notepad saves it: BOM and CRLF; without ``team.id`` it is refused."""
    text = f"""[team]
{'id = "' + TEAM + '"' if team else '# id saknas'}
[hub]
public_key = "{hub['public_key']}"
encryption_key = "{hub['encryption_key']}"
[wifi]
name = "Hembas test"
passphrase = "{PASSPHRASE}"
interface = "eth1"
[coordinator]
name = "{COORDINATOR}"
enrollment_code = "{CODE}"
[printer]
connection = "preview"
[gpio]
pin_factory = "mock"
[ssh]
authorized_keys = ["{public_key}"]
"""
    return ("\ufeff" + text.replace("\n", "\r\n")).encode()


def sh(box, command, **kwargs):
    result = box.ssh(command, **kwargs)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def wait_for(predicate, timeout, every=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None


def ssh_json(box, command):
    """What *command* on the box prints, as JSON ({} when it fails)."""
    ok, out = sh(box, command)
    try:
        return json.loads(out) if ok else {}
    except ValueError:
        return {}


def update_status(box):
    return ssh_json(box, "sudo hembas update status --json")


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


def update_bundle(work, root, version, key):
    path = work / f"hembas-{version}.hembas-update"
    started = time.monotonic()
    pack(path, root_image=root, boot_dir=OUT / "system" / "boot", version=version, signing_key=key)
    return path, round(time.monotonic() - started)


def first_boot(run, box, hub):
    """Phase 1: the broken settings file, the card, the network, the watchdog."""
    started = time.monotonic()
    box.power_on()
    status, page = box.wait_http("phones_https", timeout=BOOT_TIMEOUT)
    run.time("first boot to the setup page (grow, encrypt, provision)", time.monotonic() - started)
    run.check("broken settings: the setup page answers on the phones' side (HTTPS, the CA's certificate)",
              status == 200 and "Inställningarna behöver rättas" in page and "team.id: saknas" in page,
              status=status, seconds=round(time.monotonic() - started))
    others = {path: box.http("phones_https", path) for path in ("/logga-in", "/idag", "/status", "/generate_204")}
    run.check("broken settings: nothing else answers (every address is the setup page, no sign-in)",
              all(s == 200 and "team.id: saknas" in b and "<form" not in b for s, b in others.values()),
              statuses={path: s for path, (s, _) in others.items()})
    ssh_up = box.wait_ssh(300)
    run.check("broken settings: the valid sections were applied (SSH key works)", ssh_up)
    ok, raw = sh(box, "sudo base64 -w0 /boot/firmware/hembas-FEL.txt")
    text = base64.b64decode(raw).decode("utf-8", "replace") if ok else ""
    run.check("broken settings: hembas-FEL.txt on the boot partition, Swedish, CRLF, with the key",
              text.startswith("\ufeffHembas kunde inte använda") and "\r\n  - team.id: saknas\r\n" in text
              and "\n" not in text.replace("\r\n", ""), first_lines=text.splitlines()[:6])
    ok, out = sh(box, "systemctl show -p ExecMainStatus --value hembas-provision.service")
    run.check("broken settings: hembas provision exits non-zero", out.strip() == "1", exit_status=out.strip())
    lights = wait_for(lambda: "gul blinkar snabbt" in sh(box, "sudo hembas firmware status")[1] and
                      sh(box, "sudo hembas firmware status")[1], 120)
    run.check("broken settings: the lights show the setup pattern", bool(lights), lights=lights)
    ok, out = sh(box, "sudo hembas print status")
    run.check("broken settings: the status slip went to the printer", "Statuslapp" in out, queue=out[-300:])

    run.check("uplink: SSH answers (keys only)", ssh_up)
    run.check("uplink: nothing else answers (80, 443, 8080, CUPS's 631)",
              not any(box.answers(port) for port in ("uplink_http", "uplink_https", "uplink_ui", "uplink_cups")))
    run.check("phones' side: no SSH, no CUPS, no waitress (8080) around nginx",
              not any(box.answers(port) for port in ("phones_ssh", "phones_cups", "phones_ui")))
    ok, out = sh(box, "sudo nft list set inet hembas ssh4")
    run.check("uplink: SSH is rate-limited per source address", ok and "10.0.2.2" in out, set=out[-200:])
    ok, out = sh(box, "sudo sshd -T | grep -E "
                      "'^(passwordauthentication|permitrootlogin|kbdinteractiveauthentication) '")
    run.check("uplink: SSH keys only", ok and out.count(" no") == 3, sshd=out.splitlines())

    ok, sizes = sh(box, "lsblk -bndo SIZE /dev/vda /dev/vda4")
    disk, data = (int(n) for n in sizes.split()) if ok else (0, 0)
    ok, crypt = sh(box, "sudo cryptsetup status hembasdata; findmnt -no SOURCE /data")
    run.check("data partition grown to the card and encrypted",
              data > disk - partition(box.image, 4)[0] - (8 << 20) and "adiantum" in crypt
              and "/dev/mapper/hembasdata" in crypt, disk_bytes=disk, data_bytes=data,
              cipher=[line.strip() for line in crypt.splitlines() if "cipher" in line])
    ok, out = sh(box, "cat /sys/class/watchdog/watchdog0/state /sys/class/watchdog/watchdog0/identity; "
                      "systemctl show -p RuntimeWatchdogUSec --value")
    run.check("hardware watchdog armed", out.split()[:1] == ["active"] and "2min" in out, watchdog=out.splitlines())
    ok, out = sh(box, "findmnt -no OPTIONS /")
    run.check("system is read-only", out.split(",")[:1] == ["ro"], options=out)
    ok, out = sh(box, "systemctl is-active " + " ".join(SERVICES))
    run.check("services active", ok, services=dict(zip(SERVICES, out.split())))
    cups(run, box)
    machine_id = sh(box, "cat /etc/machine-id")[1]
    sh(box, "logger -t hembas-image-test marker-before-reboot")
    return machine_id


def cups(run, box):
    """CUPS for the binder: on localhost only, and a printed job's file is gone at once."""
    printed, out = sh(box, "sudo lpadmin -p imagetest -E -v file:/dev/null && echo Hembas > /tmp/job.txt"
                           " && lp -d imagetest /tmp/job.txt && for i in $(seq 60); do"
                           " lpstat -W completed -o imagetest | grep -q . && break; sleep 1; done"
                           " && lpstat -W completed -o imagetest && sudo ls /data/system/cups/spool")
    sh(box, "sudo lpadmin -x imagetest")
    kept = [name for name in out.split() if name.startswith("d0")]      # d00001: a job's data file
    ok, listening = sh(box, "sudo ss -Hltn 'sport = :631' | awk '{print $4}'")
    local = ok and listening.split() and all(a.startswith(("127.0.0.1:", "[::1]:")) for a in listening.split())
    run.check("CUPS: listens on localhost only, a printed job's file is not kept",
              bool(local) and printed and "imagetest-" in out and not kept,
              listening=listening.split(), spool=out.splitlines()[-4:])


def fixed_settings(run, box, hub, public_key, machine_id):
    """Phase 2: the corrected file is applied after a reboot; logs and machine id survive."""
    fixed = settings(public_key=public_key, hub=hub)
    result = subprocess.run(["ssh", *box_ssh_options(box), "sudo tee /boot/firmware/hembas.toml >/dev/null"],
                            input=fixed, capture_output=True)
    sh(box, "sudo systemctl reboot")
    box.wait_off(300)
    started = time.monotonic()
    box.power_on()
    status, page = box.wait_http("phones_https", "/logga-in", timeout=BOOT_TIMEOUT)
    run.time("reboot to the web UI", time.monotonic() - started)
    box.wait_ssh(300)
    run.check("fixed settings: the phones get the sign-in page",
              result.returncode == 0 and status == 200 and "Jag har en aktiveringskod" in page
              and "Inställningarna behöver" not in page,
              status=status)
    for name, ok in https_check.checks(box.ports["phones_http"], box.ports["phones_https"], box.ca,
                                       time.monotonic() + 120).items():
        run.check(f"fixed settings: {name}", ok)
    ok, users = sh(box, "sudo hembas user list")
    gone = sh(box, "sudo test ! -e /boot/firmware/hembas-FEL.txt")[0]
    run.check("fixed settings: applied (coordinator enrolled, error file gone, sudo hembas finds its data)",
              ok and COORDINATOR in users and gone)
    ok, out = sh(box, "journalctl -b -1 -t hembas-image-test --no-pager -q; journalctl --list-boots --no-pager -q")
    run.check("logs kept across a reboot", "marker-before-reboot" in out, boots=len(out.splitlines()) - 1)
    run.check("machine id kept across a reboot", sh(box, "cat /etc/machine-id")[1] == machine_id and machine_id,
              machine_id=machine_id)
    ok, out = sh(box, "systemctl --failed --no-legend --plain | cut -d' ' -f1")
    why = sh(box, "journalctl -b -q --no-pager -n 15 " + " ".join(f"-u {u}" for u in out.split()))[1] if out.split() else ""
    run.check("no failed units", ok and not out.split(), failed=out.split(), journal=why.splitlines())


def box_ssh_options(box):
    return ["-i", str(box.key), "-p", str(box.ports["ssh"]), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "tekniker@127.0.0.1"]


def stick_record(box):
    return ssh_json(box, "sudo cat /data/hembas/usb-stick.json")


def plan_stick(run, box, work, hub_store):
    """Phase 3: a stick with a plan and an export request, plugged in."""
    plan = work / "plan.bundle"
    plan.write_bytes(make_bundle(demo_plan(dt.date.today(), team_id=TEAM), hub_store.signing_key()))
    stick = make_stick(work / "stick-plan.img", {"plan.bundle": plan}, folders=["hembas-export"])
    before = stick_record(box).get("at")
    slips_before = sh(box, "sudo hembas print status")[1].count("Statuslapp")
    started = time.monotonic()
    box.plug_stick(stick, "plan")
    record = wait_for(lambda: (r := stick_record(box)) and r.get("at") != before and r["state"] != "working" and r,
                      600)
    seconds = round(time.monotonic() - started)
    wait_for(lambda: not sh(box, "systemctl list-units --no-legend --state=active,activating 'hembas-stick@*'")[1],
             300)                                                  # done: the slip is queued
    box.unplug_stick("plan")
    ok, plan_status = sh(box, "sudo hembas plan status")
    sealed = [name for name in stick_listing(stick, "hembas-export").split() if name.endswith(".hembas-sealed")]
    run.check("virtual USB stick imported on insert (plan in, sealed export back on the stick)",
              bool(record) and record["state"] == "done" and TEAM in plan_status and sealed,
              seconds=seconds, messages=(record or {}).get("messages"), export=sealed)
    ok, out = sh(box, "sudo hembas print status")
    journal = sh(box, "journalctl -b -q --no-pager -n 12 -u 'hembas-stick@*'")[1]
    run.check("USB stick: the slip says what happened", out.count("Statuslapp") == slips_before + 1,
              queue=out[-300:], journal=journal.splitlines())


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


def updates(run, box, work, update_key):
    """Phases 4–6: a good update (with a power cut in its trial), a bad one, an old one."""
    root = OUT / "system" / "root.ext4"
    good, seconds = update_bundle(work, modified_root(root, work / "good.ext4", version="0.1.1"), "0.1.1", update_key)
    run.time("pack a whole-system bundle on the build machine", seconds)
    rebooted, booted = update_stick(run, box, work, good, "good-update", cut_power=True)
    status = update_status(box)
    run.check("good update: installed from a stick, power cut during its trial, still proved itself",
              rebooted and status.get("running") == "0.1.1" and status.get("booted") == "b"
              and status["slots"]["b"]["state"] == "good" and booted[:2] == ["b/", "b/"],
              booted=booted, status=status, bundle_mb=good.stat().st_size >> 20)

    bad, _ = update_bundle(work, modified_root(root, work / "bad.ext4", version="0.1.2", broken_web=True),
                           "0.1.2", update_key)
    rebooted, booted = update_stick(run, box, work, bad, "bad-update")
    status = update_status(box)
    run.check("bad update: rolled back by itself after its trial boot",
              rebooted and booted[:2] == ["a/", "b/"] and status.get("running") == "0.1.1"
              and status.get("booted") == "b" and status["slots"]["a"]["state"] == "bad",
              booted=booted, status=status)

    old_root = work / "tiny.ext4"
    subprocess.run(["truncate", "-s", "1M", str(old_root)], check=True)
    old, _ = update_bundle(work, old_root, "0.0.9", update_key)
    copied = subprocess.run(["ssh", *box_ssh_options(box), "cat > /tmp/old.hembas-update"],
                            input=old.read_bytes(), capture_output=True).returncode == 0
    ok, out = sh(box, "sudo hembas update apply /tmp/old.hembas-update")
    run.check("downgrade refused (an older bundle, correctly signed)",
              copied and not ok and "äldre versioner installeras aldrig" in out and update_status(box) == status,
              message=out)


def card_afterwards(run, image):
    """Phase 7: the card on a laptop after power-off."""
    left = (read_boot_file(image, "hembas.toml") or b"").decode("utf-8", "replace")
    run.check("secrets gone from the boot partition", left and PASSPHRASE not in left and CODE not in left)
    run.check("hembas-FEL.txt gone once the settings were applied", read_boot_file(image, "hembas-FEL.txt") is None)
    run.check("certificate key gone from the boot partition", read_boot_file(image, "hembas.key") is None)
    offset, size = partition(image, 4)
    found = []
    with open(image, "rb") as f:
        f.seek(offset)
        left_to_read, tail = size, b""
        while left_to_read > 0:
            chunk = f.read(min(64 << 20, left_to_read))
            if not chunk:
                break
            left_to_read -= len(chunk)
            for needle in (TEAM.encode(), COORDINATOR.encode(), b"plan.bundle", b"SQLite", b"hembas.toml"):
                if needle in tail + chunk and needle not in found:
                    found.append(needle)
            tail = chunk[-64:]
    run.check("nothing of the team's data readable on the card's data partition", not found,
              data_partition_bytes=size, plain_text_found=[n.decode() for n in found])


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))      # stop qemu on the way out
    run = Run()
    work = Path(tempfile.mkdtemp(prefix="hembas-boot-"))
    console = OUT / "image-test-console.log"
    console.write_bytes(b"")
    try:
        image = copy_card(OUT / "hembas.img", work / "card.img", size_gb=6)
        key = work / "id_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        public_key = key.with_suffix(".pub").read_text().strip()
        hub_store = HubStore(work / "hub")
        hub = hub_store.keygen()
        with tempfile.NamedTemporaryFile() as f:
            f.write(settings(public_key=public_key, hub=hub, team=False))
            f.flush()
            subprocess.run(["mcopy", "-o", "-i", f"{image}@@{partition(image, 1)[0]}", f.name, "::hembas.toml"],
                           check=True)
        ca, crt, tls_key = https_check.make_certificate(work)  # the municipality's files, beside the settings
        for path in (crt, tls_key):
            write_boot_file(image, path.name, path.read_bytes())
        box = Box(image, work, console, key=key, ca=ca)
        try:
            machine_id = first_boot(run, box, hub)
            fixed_settings(run, box, hub, public_key, machine_id)
            plan_stick(run, box, work, hub_store)
            updates(run, box, work, SigningKey(read_secret(OUT / "dev-update-key" / "update-signing.key")))
            sh(box, "sudo systemctl poweroff")
            box.wait_off(300)
        finally:
            run.results["boots"] = box.boots
            run.results["unplanned_restarts"] = box.unplanned
            box.close()
        card_afterwards(run, image)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        run.save()
    print(json.dumps(run.results, indent=2, ensure_ascii=False))
    return 0 if run.results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
