#!/usr/bin/env python3
"""Boot the built image under qemu-system-aarch64 -M virt and check it from outside.

    python3 deploy/image/boot-test.py [deploy/out]      (make image-test)

A copy of the image gets a settings file on its boot partition (written with
mtools, as a technician's laptop would), then boots with the wired port
forwarded to the host.  From outside the test checks that the web UI
answers, that the services are active (over SSH with the technician key
from the settings file) and, after power-off, that the secrets are gone from
the boot partition.  Standard library only; results in OUT/image-test.json.
"""

import importlib.util
import json
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _sibling(name):
    """A module beside this script (the image tools are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


https_check = _sibling("https_check")

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "out")
BOOT_TIMEOUT = 15 * 60
SECRET_PASSPHRASE = "testlosen-for-qemu"
SECRET_CODE = "QEMU2345"
SERVICES = ["hembas-provision.service", "hembas-web.service", "hembas-tls.service", "hembas-firmware.service",
            "hembas-sync.timer", "nftables.service", "ssh.service", "NetworkManager.service"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def partition_offset(image, number):
    """Byte offset of MBR partition *number* (1-based)."""
    with open(image, "rb") as f:
        mbr = f.read(512)
    entry = mbr[446 + 16 * (number - 1):446 + 16 * number]
    return struct.unpack("<I", entry[8:12])[0] * 512


def settings(public_key):
    return f"""\ufeff[team]\r
id = "qemu-test"\r
[wifi]\r
name = "Hembas test"\r
passphrase = "{SECRET_PASSPHRASE}"\r
[coordinator]\r
name = "Test Samordnare"\r
enrollment_code = "{SECRET_CODE}"\r
[printer]\r
connection = "preview"\r
[gpio]\r
pin_factory = "mock"\r
[ssh]\r
authorized_keys = ["{public_key}"]\r
"""


def ssh(key, port, command):
    return subprocess.run(
        ["ssh", "-i", str(key), "-p", str(port), "-o", "StrictHostKeyChecking=no", "-o",
         "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "LogLevel=ERROR",
         "tekniker@127.0.0.1", command], capture_output=True, text=True, timeout=120)


def wait_for_ui(port, qemu, deadline):
    """The first answer on plain HTTP (a redirect to HTTPS counts: nginx and the UI are up)."""
    while time.monotonic() < deadline and qemu.poll() is None:
        try:
            status, location = https_check.http_get(port, "/generate_204")
            if status < 500:
                return status, location
        except OSError:
            pass
        time.sleep(3)
    return None, ""


def main():
    image = OUT / "hembas.img"
    work = Path(tempfile.mkdtemp(prefix="hembas-boot-"))
    results = {"checks": {}}
    try:
        test_image = work / "test.img"
        subprocess.run(["cp", "--sparse=always", str(image), str(test_image)], check=True)
        key = work / "id_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        toml = work / "hembas.toml"
        toml.write_bytes(settings(key.with_suffix(".pub").read_text().strip()).encode())
        boot = f"{test_image}@@{partition_offset(test_image, 1)}"
        subprocess.run(["mcopy", "-o", "-i", boot, str(toml), "::hembas.toml"], check=True)
        ca, crt, tls_key = https_check.make_certificate(work)  # the municipality's files, beside the settings
        subprocess.run(["mcopy", "-o", "-i", boot, str(crt), str(tls_key), "::"], check=True)

        ui_port, ssh_port, https_port = free_port(), free_port(), free_port()
        console = open(OUT / "image-test-console.log", "w")
        started = time.monotonic()
        qemu = subprocess.Popen(
            ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a53", "-smp", "2", "-m", "2048", "-nographic",
             "-kernel", str(OUT / "vmlinuz"), "-initrd", str(OUT / "initrd.img"),
             "-append", "root=LABEL=RASPIROOT ro console=ttyAMA0 net.ifnames=0",
             "-drive", f"file={test_image},format=raw,if=none,id=d0", "-device", "virtio-blk-pci,drive=d0",
             "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{ui_port}-:80,hostfwd=tcp:127.0.0.1:{ssh_port}-:22,"
             f"hostfwd=tcp:127.0.0.1:{https_port}-:443",
             "-device", "virtio-net-pci,netdev=n0,romfile="],
            stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)
        try:
            status, page = wait_for_ui(ui_port, qemu, started + BOOT_TIMEOUT)
            results["boot_to_ui_seconds"] = round(time.monotonic() - started)
            results["checks"]["web UI answers on port 80"] = status is not None and status < 400
            results["ui_status"] = status
            results["checks"].update(https_check.checks(ui_port, https_port, ca, time.monotonic() + 120))
            for _ in range(20):   # sshd may come up a little after the UI
                probe = ssh(key, ssh_port, "true")
                if probe.returncode == 0:
                    break
                time.sleep(5)
            active = ssh(key, ssh_port, "systemctl is-active " + " ".join(SERVICES))
            results["services"] = dict(zip(SERVICES, active.stdout.split()))
            results["checks"]["services active"] = active.returncode == 0
            root = ssh(key, ssh_port, "findmnt -no OPTIONS /")
            results["checks"]["system is read-only"] = root.stdout.split(",")[:1] == ["ro"]
            boot_file = ssh(key, ssh_port, "sudo cat /boot/firmware/hembas.toml")
            results["checks"]["secrets gone (seen from the box)"] = (
                boot_file.returncode == 0 and SECRET_PASSPHRASE not in boot_file.stdout
                and SECRET_CODE not in boot_file.stdout)
            for name, command in {
                "first coordinator enrolled": "hembas --data /data/hembas user list | grep -q 'Test Samordnare'",
                "box key made on the box": "sudo test -s /data/hembas/box-signing.key",
                "access point profile written": "sudo grep -q '^ssid=Hembas test$' "
                                                "/etc/NetworkManager/system-connections/hembas-ap.nmconnection",
                "firewall loaded": "sudo nft list table inet hembas | grep -q 'policy drop'",
            }.items():
                results["checks"][name] = ssh(key, ssh_port, command).returncode == 0
            errors = ssh(key, ssh_port, "sudo cat /data/hembas/provision-errors.json 2>/dev/null || echo none")
            results["provision_errors"] = errors.stdout.strip()
            failed = ssh(key, ssh_port, "systemctl --failed --no-legend --plain | cut -d' ' -f1")
            results["failed_units"] = failed.stdout.split()
            results["checks"]["no failed units"] = failed.returncode == 0 and not results["failed_units"]
            state = ssh(key, ssh_port, "systemctl is-system-running")
            results["system_state"] = state.stdout.strip()
            # A second boot: the data survives on its partition, the file is not applied again.
            ssh(key, ssh_port, "sudo systemctl reboot")
            time.sleep(15)
            rebooted = time.monotonic()
            status, _ = wait_for_ui(ui_port, qemu, rebooted + BOOT_TIMEOUT)
            results["reboot_to_ui_seconds"] = round(time.monotonic() - rebooted)
            results["checks"]["web UI answers after a reboot"] = status is not None and status < 400
            again = ssh(key, ssh_port, "sudo journalctl -b -u hembas-provision --no-pager | grep -q 'redan tillämpad'"
                                       " && hembas --data /data/hembas user list | grep -q 'Test Samordnare'")
            results["checks"]["settings kept, not applied twice"] = again.returncode == 0
            ssh(key, ssh_port, "sudo systemctl poweroff")
            qemu.wait(timeout=300)
        finally:
            if qemu.poll() is None:
                qemu.kill()
                qemu.wait()
            console.close()
        left = subprocess.run(["mtype", "-i", boot, "::hembas.toml"], capture_output=True, text=True)
        results["checks"]["secrets gone from the boot partition"] = (
            left.returncode == 0 and SECRET_PASSPHRASE not in left.stdout and SECRET_CODE not in left.stdout)
        key_left = subprocess.run(["mtype", "-i", boot, "::hembas.key"], capture_output=True)
        results["checks"]["certificate key gone from the boot partition"] = key_left.returncode != 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["ok"] = all(results["checks"].values()) and bool(results["checks"])
    (OUT / "image-test.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
