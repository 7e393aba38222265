"""The two system slots (A/B) of the card, seen from the running system.

The card holds two root partitions (2 = slot ``a``, 3 = slot ``b``) and, on
the boot partition, one folder per slot with its kernel, initramfs and
``cmdline.txt``.  Which one the Pi firmware boots, and how each slot is doing
(``good``, ``try N``, ``bad``), is kept by one small shell script,
``/usr/lib/hembas/boot-slots``, because the initramfs must read and count it
before any Python can run; this class is its Python face::

    slots = BootSlots(Path("/boot/firmware"))
    slots.booted()            # "a": from the kernel command line (hembas.slot=a)
    slots.state("b")          # "try 1"
    slots.mark_good("b")

Tests pass their own *cmdline*, the script from deploy/rootfs and a boot
folder of plain files.
"""

import re
import subprocess
from pathlib import Path

from sync.errors import HembasError

SCRIPT = Path("/usr/lib/hembas/boot-slots")    # deploy/rootfs/usr/lib/hembas/boot-slots in the source
SLOTS = ("a", "b")
PARTITION_NUMBER = {"a": 2, "b": 3}
ROOT_ARGUMENT = re.compile(r"\broot=PARTUUID=([0-9a-f]{8})-0([23])\b")


class SlotError(HembasError, RuntimeError):
    """The slots on the boot partition cannot be read or changed."""


class BootSlots:
    """The A/B slots recorded in *boot_dir*; *cmdline* is the running kernel's command line."""

    def __init__(self, boot_dir, *, cmdline=None, script=SCRIPT):
        self.boot_dir = Path(boot_dir)
        self.script = Path(script)
        self._cmdline = cmdline

    @property
    def cmdline(self):
        if self._cmdline is None:
            self._cmdline = Path("/proc/cmdline").read_text(encoding="ascii", errors="replace")
        return self._cmdline

    def booted(self):
        """The slot this system was booted from."""
        found = re.search(r"\bhembas\.slot=([ab])\b", self.cmdline)
        if not found:
            raise SlotError("systemet startades inte från en A/B-plats (hembas.slot saknas i kärnans kommandorad)")
        return found.group(1)

    def other(self, slot=None):
        return "b" if (slot or self.booted()) == "a" else "a"

    def state(self, slot):
        return self._run("state", slot)

    def primary(self):
        return self._run("primary")

    def on_trial(self, slot):
        return self.state(slot).startswith("try ")

    def trial(self, slot):
        """*slot* was just installed: make it primary, on trial."""
        self._run("trial", slot)

    def mark_good(self, slot):
        self._run("good", slot)

    def mark_bad(self, slot):
        """*slot* failed (or is being overwritten): the other one boots next if it is good."""
        self._run("bad", slot)

    def use(self, slot):
        """Boot *slot* next (it must be good)."""
        self._run("use", slot)

    def version(self, slot):
        try:
            return (self.boot_dir / slot / "version").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def partuuid(self, slot):
        """*slot*'s root partition by the disk's MBR signature: ``48454d42-03``."""
        found = ROOT_ARGUMENT.search(self.cmdline)
        if not found:
            raise SlotError("kärnans kommandorad saknar root=PARTUUID=…: okänd kortlayout")
        return f"{found.group(1)}-0{PARTITION_NUMBER[slot]}"

    def partition(self, slot):
        """The block device of *slot*'s root partition."""
        return Path("/dev/disk/by-partuuid") / self.partuuid(slot)

    def root_argument(self, slot):
        """``root=…`` for *slot*'s cmdline.txt (the same disk as the running system)."""
        return f"root=PARTUUID={self.partuuid(slot)}"

    def _run(self, *args):
        result = subprocess.run(["sh", str(self.script), str(self.boot_dir), *args],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise SlotError(f"boot-slots {' '.join(args)}: {result.stderr.strip() or result.returncode}")
        return result.stdout.strip()
