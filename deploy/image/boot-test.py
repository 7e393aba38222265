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
6. an older, correctly signed bundle is refused (4–6: update_check.py);
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
import update_check
from cards import DATA_PARTITION, copy_card, make_stick, partition, read_boot_file, stick_listing, write_boot_file
from qemubox import BOOT_TIMEOUT, Box, wait_for

from nacl.signing import SigningKey

from sync.hub.store import HubStore
from sync.network.bundle import make_bundle
from sync.network.keys import read_secret
from sync.plan.demo import demo_plan

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "out").resolve()
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
    ok, raw = box.ssh("sudo base64 -w0 /boot/firmware/hembas-FEL.txt")
    text = base64.b64decode(raw).decode("utf-8", "replace") if ok else ""
    run.check("broken settings: hembas-FEL.txt on the boot partition, Swedish, CRLF, with the key",
              text.startswith("\ufeffHembas kunde inte använda") and "\r\n  - team.id: saknas\r\n" in text
              and "\n" not in text.replace("\r\n", ""), first_lines=text.splitlines()[:6])
    ok, out = box.ssh("systemctl show -p ExecMainStatus --value hembas-provision.service")
    run.check("broken settings: hembas provision exits non-zero", out.strip() == "1", exit_status=out.strip())
    lights = wait_for(lambda: "gul blinkar snabbt" in (shown := box.ssh("sudo hembas firmware status")[1]) and shown,
                      120)
    run.check("broken settings: the lights show the setup pattern", bool(lights), lights=lights)
    ok, out = box.ssh("sudo hembas print status")
    run.check("broken settings: the status slip went to the printer", "Statuslapp" in out, queue=out[-300:])

    run.check("uplink: SSH answers (keys only)", ssh_up)
    run.check("uplink: nothing else answers (80, 443, 8080, CUPS's 631)",
              not any(box.answers(port) for port in ("uplink_http", "uplink_https", "uplink_ui", "uplink_cups")))
    run.check("phones' side: no SSH, no CUPS, no waitress (8080) around nginx",
              not any(box.answers(port) for port in ("phones_ssh", "phones_cups", "phones_ui")))
    ok, out = box.ssh("sudo nft list set inet hembas ssh4")
    run.check("uplink: SSH is rate-limited per source address", ok and "10.0.2.2" in out, set=out[-200:])
    ok, out = box.ssh("sudo sshd -T | grep -E "
                      "'^(passwordauthentication|permitrootlogin|kbdinteractiveauthentication) '")
    run.check("uplink: SSH keys only", ok and out.count(" no") == 3, sshd=out.splitlines())

    ok, sizes = box.ssh("lsblk -bndo SIZE /dev/vda /dev/vda4")
    disk, data = (int(n) for n in sizes.split()) if ok else (0, 0)
    ok, crypt = box.ssh("sudo cryptsetup status hembasdata; findmnt -no SOURCE /data")
    run.check("data partition grown to the card and encrypted",
              data > disk - partition(box.image, DATA_PARTITION)[0] - (8 << 20) and "adiantum" in crypt
              and "/dev/mapper/hembasdata" in crypt, disk_bytes=disk, data_bytes=data,
              cipher=[line.strip() for line in crypt.splitlines() if "cipher" in line])
    ok, out = box.ssh("cat /sys/class/watchdog/watchdog0/state /sys/class/watchdog/watchdog0/identity; "
                      "systemctl show -p RuntimeWatchdogUSec --value")
    run.check("hardware watchdog armed", out.split()[:1] == ["active"] and "2min" in out, watchdog=out.splitlines())
    ok, out = box.ssh("findmnt -no OPTIONS /")
    run.check("system is read-only", out.split(",")[:1] == ["ro"], options=out)
    ok, out = box.ssh("systemctl is-active " + " ".join(SERVICES))
    run.check("services active", ok, services=dict(zip(SERVICES, out.split())))
    cups(run, box)
    machine_id = box.ssh("cat /etc/machine-id")[1]
    box.ssh("logger -t hembas-image-test marker-before-reboot")
    return machine_id


def cups(run, box):
    """CUPS for the binder: on localhost only, and a printed job's file is gone at once."""
    printed, out = box.ssh("sudo lpadmin -p imagetest -E -v file:/dev/null && echo Hembas > /tmp/job.txt"
                           " && lp -d imagetest /tmp/job.txt && for i in $(seq 60); do"
                           " lpstat -W completed -o imagetest | grep -q . && break; sleep 1; done"
                           " && lpstat -W completed -o imagetest && sudo ls /data/system/cups/spool")
    box.ssh("sudo lpadmin -x imagetest")
    kept = [name for name in out.split() if name.startswith("d0")]      # d00001: a job's data file
    ok, listening = box.ssh("sudo ss -Hltn 'sport = :631' | awk '{print $4}'")
    local = ok and listening.split() and all(a.startswith(("127.0.0.1:", "[::1]:")) for a in listening.split())
    run.check("CUPS: listens on localhost only, a printed job's file is not kept",
              bool(local) and printed and "imagetest-" in out and not kept,
              listening=listening.split(), spool=out.splitlines()[-4:])


def fixed_settings(run, box, hub, public_key, machine_id):
    """Phase 2: the corrected file is applied after a reboot; logs and machine id survive."""
    fixed = settings(public_key=public_key, hub=hub)
    written, _ = box.ssh("sudo tee /boot/firmware/hembas.toml >/dev/null", input=fixed)
    box.ssh("sudo systemctl reboot")
    box.wait_off(300)
    started = time.monotonic()
    box.power_on()
    status, page = box.wait_http("phones_https", "/logga-in", timeout=BOOT_TIMEOUT)
    run.time("reboot to the web UI", time.monotonic() - started)
    box.wait_ssh(300)
    run.check("fixed settings: the phones get the sign-in page",
              written and status == 200 and "Jag har en aktiveringskod" in page
              and "Inställningarna behöver" not in page,
              status=status)
    for name, ok in https_check.checks(box.ports["phones_http"], box.ports["phones_https"], box.ca,
                                       time.monotonic() + 120).items():
        run.check(f"fixed settings: {name}", ok)
    ok, users = box.ssh("sudo hembas user list")
    gone = box.ssh("sudo test ! -e /boot/firmware/hembas-FEL.txt")[0]
    run.check("fixed settings: applied (coordinator enrolled, error file gone, sudo hembas finds its data)",
              ok and COORDINATOR in users and gone)
    ok, out = box.ssh("journalctl -b -1 -t hembas-image-test --no-pager -q; journalctl --list-boots --no-pager -q")
    run.check("logs kept across a reboot", "marker-before-reboot" in out, boots=len(out.splitlines()) - 1)
    run.check("machine id kept across a reboot", box.ssh("cat /etc/machine-id")[1] == machine_id and machine_id,
              machine_id=machine_id)
    ok, out = box.ssh("systemctl --failed --no-legend --plain | cut -d' ' -f1")
    units = " ".join(f"-u {u}" for u in out.split())
    why = box.ssh(f"journalctl -b -q --no-pager -n 15 {units}")[1] if units else ""
    run.check("no failed units", ok and not out.split(), failed=out.split(), journal=why.splitlines())


def stick_record(box):
    return box.ssh_json("sudo cat /data/hembas/usb-stick.json")


def plan_stick(run, box, work, hub_store):
    """Phase 3: a stick with a plan and an export request, plugged in."""
    plan = work / "plan.bundle"
    plan.write_bytes(make_bundle(demo_plan(dt.date.today(), team_id=TEAM), hub_store.signing_key()))
    stick = make_stick(work / "stick-plan.img", {"plan.bundle": plan}, folders=["hembas-export"])
    before = stick_record(box).get("at")
    slips_before = box.ssh("sudo hembas print status")[1].count("Statuslapp")
    started = time.monotonic()
    box.plug_stick(stick, "plan")
    record = wait_for(lambda: (r := stick_record(box)) and r.get("at") != before and r["state"] != "working" and r,
                      600)
    seconds = round(time.monotonic() - started)
    wait_for(lambda: not box.ssh("systemctl list-units --no-legend --state=active,activating 'hembas-stick@*'")[1],
             300)                                                  # done: the slip is queued
    box.unplug_stick("plan")
    ok, plan_status = box.ssh("sudo hembas plan status")
    sealed = [name for name in stick_listing(stick, "hembas-export").split() if name.endswith(".hembas-sealed")]
    run.check("virtual USB stick imported on insert (plan in, sealed export back on the stick)",
              bool(record) and record["state"] == "done" and TEAM in plan_status and sealed,
              seconds=seconds, messages=(record or {}).get("messages"), export=sealed)
    ok, out = box.ssh("sudo hembas print status")
    journal = box.ssh("journalctl -b -q --no-pager -n 12 -u 'hembas-stick@*'")[1]
    run.check("USB stick: the slip says what happened", out.count("Statuslapp") == slips_before + 1,
              queue=out[-300:], journal=journal.splitlines())


def card_afterwards(run, image):
    """Phase 7: the card on a laptop after power-off."""
    left = (read_boot_file(image, "hembas.toml") or b"").decode("utf-8", "replace")
    run.check("secrets gone from the boot partition", left and PASSPHRASE not in left and CODE not in left)
    run.check("hembas-FEL.txt gone once the settings were applied", read_boot_file(image, "hembas-FEL.txt") is None)
    run.check("certificate key gone from the boot partition", read_boot_file(image, "hembas.key") is None)
    offset, size = partition(image, DATA_PARTITION)
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
        write_boot_file(image, "hembas.toml", settings(public_key=public_key, hub=hub, team=False))
        ca, crt, tls_key = https_check.make_certificate(work)  # the municipality's files, beside the settings
        for path in (crt, tls_key):
            write_boot_file(image, path.name, path.read_bytes())
        box = Box(image, work, console, key=key, ca=ca)
        try:
            machine_id = first_boot(run, box, hub)
            fixed_settings(run, box, hub, public_key, machine_id)
            plan_stick(run, box, work, hub_store)
            update_key = SigningKey(read_secret(OUT / "dev-update-key" / "update-signing.key"))
            update_check.checks(run, box, OUT, work, update_key)
            box.ssh("sudo systemctl poweroff")
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
