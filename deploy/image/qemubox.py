"""An emulated Hembas box for the boot test: the Pi firmware's part, qemu, SSH, HTTP, USB (the card: cards.py).

qemu-system-aarch64 ``-M virt`` has no Raspberry Pi firmware, so :class:`Box`
plays the firmware's one job exactly as documented: read ``config.txt`` and
``slot.txt`` from the card's boot partition, take ``os_prefix``, and start
that folder's ``vmlinuz``, ``initrd.img`` and ``cmdline.txt``.  qemu runs
with ``-no-reboot``, so every reboot ends the process and the next boot
reads the card again, as a Pi does.  Everything after that is the image's
own code: the initramfs, systemd, Hembas.

The wired port is the uplink (eth0); a second network card (eth1) plays the
phones' side ("[wifi] interface = eth1": an external access point), so the
test reaches the web UI the way a phone does — through nginx, over HTTPS
with the test CA's certificate (https_check.py) — and checks that the
uplink does not.
"""

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import https_check
from cards import firmware_prefix, read_boot_file

SERIAL = "00000000c0ffee42"       # the board's serial number, as the Pi firmware puts it in the DT
# What the emulated board adds to the card's cmdline.txt: its serial console, and a watchdog
# timeout for a machine 20-odd times slower than a Pi (the image's own 15 s is for the Pi:
# under emulation systemd's start-up alone can take longer than that between two pings).
EMULATED_BOARD = " console=ttyAMA0 systemd.watchdog_sec=120"
BOOT_TIMEOUT = 15 * 60            # a boot under emulation, to the web UI, at the most


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Box:
    """One emulated box on the card *image*; *work* is a scratch folder; *console* a log file;
    *ca* the test CA that issued the box's certificate (for the ``*_https`` ports)."""

    def __init__(self, image, work, console, *, key, ca):
        self.image, self.work, self.key, self.ca = Path(image), Path(work), key, ca
        self.console = open(console, "ab")
        self.ports = {name: free_port() for name in ("ssh", "uplink_http", "uplink_https", "uplink_ui", "uplink_cups",
                                                     "phones_http", "phones_https", "phones_ui", "phones_ssh",
                                                     "phones_cups")}
        self.monitor = self.work / "monitor.sock"
        self.proc = None
        self.boots = []           # the slot folder of every boot, for the record
        self.unplanned = 0        # times qemu ended without the test asking (watchdog, crash)
        self._dtb = None

    # -- power --------------------------------------------------------------------------

    def _qemu(self):
        return ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a53", "-smp", "2", "-m", "1024",
                "-nographic", "-no-reboot",
                "-drive", f"file={self.image},format=raw,if=none,id=card", "-device", "virtio-blk-pci,drive=card",
                "-netdev", "user,id=uplink"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['ssh']}-:22"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['uplink_http']}-:80"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['uplink_https']}-:443"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['uplink_ui']}-:8080"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['uplink_cups']}-:631",
                "-device", "virtio-net-pci,netdev=uplink,romfile=,mac=52:54:00:12:34:01",
                "-netdev", "user,id=phones,net=10.42.0.0/24,host=10.42.0.2,dhcpstart=10.42.0.100"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['phones_http']}-10.42.0.1:80"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['phones_https']}-10.42.0.1:443"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['phones_ui']}-10.42.0.1:8080"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['phones_ssh']}-10.42.0.1:22"
                           f",hostfwd=tcp:127.0.0.1:{self.ports['phones_cups']}-10.42.0.1:631",
                "-device", "virtio-net-pci,netdev=phones,romfile=,mac=52:54:00:12:34:02",
                "-device", "i6300esb", "-watchdog-action", "reset",
                "-device", "qemu-xhci,id=xhci",
                "-monitor", f"unix:{self.monitor},server,nowait"]

    def _device_tree(self):
        """qemu's own device tree for this machine, with the serial number the Pi firmware adds."""
        if self._dtb is None:
            raw = self.work / "virt.dtb"
            command = [f"virt,dumpdtb={raw}" if arg == "virt" else arg for arg in self._qemu()[:-2]]
            subprocess.run(command, check=True, capture_output=True)
            source = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", str(raw)], check=True,
                                    capture_output=True, text=True).stdout
            source = source.replace("/ {\n", f'/ {{\n\tserial-number = "{SERIAL}";\n', 1)
            self._dtb = self.work / "box.dtb"
            subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(self._dtb)], input=source,
                           check=True, text=True)
        return self._dtb

    def power_on(self):
        """Boot whatever slot the card's slot.txt names (the Pi firmware's part)."""
        prefix = firmware_prefix(self.image)
        files = {}
        for name in ("vmlinuz", "initrd.img", "cmdline.txt"):
            files[name] = self.work / f"boot-{name}"
            files[name].write_bytes(read_boot_file(self.image, prefix + name) or b"")
        cmdline = files["cmdline.txt"].read_text().strip() + EMULATED_BOARD
        self.console.write(f"\n===== power on: {prefix or '(no prefix)'} {cmdline}\n".encode())
        self.console.flush()
        self.proc = subprocess.Popen(
            [*self._qemu(), "-dtb", str(self._device_tree()), "-kernel", str(files["vmlinuz"]),
             "-initrd", str(files["initrd.img"]), "-append", cmdline],
            stdin=subprocess.DEVNULL, stdout=self.console, stderr=subprocess.STDOUT)
        self.boots.append(prefix)
        return prefix

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_off(self, timeout):
        """Wait for qemu to end (a reboot or power-off inside the box); False on timeout."""
        try:
            self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def cut_power(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()

    def follow_reboots(self, until, timeout):
        """Power on again after each reboot until *until()* holds; returns the slots booted."""
        booted, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                booted.append(self.power_on())
            if until():
                return booted
            time.sleep(3)
        return booted

    def close(self):
        self.cut_power()
        self.console.close()

    # -- talking to it ------------------------------------------------------------------

    def ssh_options(self):
        """ssh's arguments to reach the box as the technician (the test's key, no host key kept)."""
        return ["-i", str(self.key), "-p", str(self.ports["ssh"]), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15",
                "-o", "LogLevel=ERROR", "tekniker@127.0.0.1"]

    def ssh(self, command, *, input=None, timeout=300):
        """Run *command* on the box: ``(succeeded, output)``, stdout and stderr together, stripped.

        *input* (bytes) is the command's standard input: how the test writes a file onto the box.
        """
        result = subprocess.run(["ssh", *self.ssh_options(), command], input=input, capture_output=True,
                                timeout=timeout)
        return result.returncode == 0, (result.stdout + result.stderr).decode("utf-8", "replace").strip()

    def ssh_json(self, command):
        """What *command* on the box prints, as JSON ({} when it fails)."""
        ok, out = self.ssh(command)
        try:
            return json.loads(out) if ok else {}
        except ValueError:
            return {}

    def keep_on(self):
        """Power on again if the box went off by itself (a Pi restarts after its watchdog fires)."""
        if not self.running():
            self.unplanned += 1
            self.power_on()

    def wait_ssh(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.keep_on()
            try:
                if self.ssh("true", timeout=60)[0]:
                    return True
            except subprocess.TimeoutExpired:
                pass
            time.sleep(5)
        return False

    def http(self, port_name, path="/", timeout=10):
        """``(status, body)`` from the box through a forwarded port, or ``(None, "")``.

        A ``*_https`` port is asked as a phone asks: for :data:`https_check.NAME`,
        the certificate checked against the test CA.
        """
        if port_name.endswith("_https"):
            try:
                status, _, body = https_check.https_get(self.ports[port_name], self.ca, path, timeout=timeout)
                return status, body
            except https_check.ERRORS:
                return None, ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ports[port_name]}{path}",
                                        timeout=timeout) as response:
                return response.status, response.read(100_000).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(100_000).decode("utf-8", "replace")
        except OSError:
            return None, ""

    def wait_http(self, port_name, path="/", *, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.keep_on()
            status, body = self.http(port_name, path)
            if status is not None and status < 500:
                return status, body
            time.sleep(3)
        return None, ""

    def answers(self, port_name, *, wait=8):
        """Whether anything on the box answers a TCP connection on this forwarded port with bytes.

        Through qemu's user network the host side always connects; a firewalled
        port then never sends a byte (HTTP gets a request first, SSH greets).
        """
        try:
            with socket.create_connection(("127.0.0.1", self.ports[port_name]), timeout=wait) as s:
                s.settimeout(wait)
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                return bool(s.recv(64))
        except OSError:
            return False

    def _monitor(self, command):
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.monitor))
            s.settimeout(5)
            s.sendall(command.encode() + b"\n")
            time.sleep(1)
            try:
                return s.recv(65536).decode("utf-8", "replace")
            except socket.timeout:
                return ""

    def plug_stick(self, image, name):
        """Plug a USB stick (a FAT image file) into the running box."""
        self._monitor(f"drive_add 0 if=none,id={name},file={image},format=raw")
        return self._monitor(f"device_add usb-storage,id={name},drive={name},bus=xhci.0")

    def unplug_stick(self, name):
        self._monitor(f"device_del {name}")
        time.sleep(3)


def wait_for(predicate, timeout, every=5):
    """The first true value *predicate* returns within *timeout* seconds, asked every *every*; else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None
