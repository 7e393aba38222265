"""The boot test's card and USB sticks, as files on the build machine: nothing is mounted.

The card is the built image copied onto a bigger sparse file (:func:`copy_card`); its
boot partition is FAT, read and written with mtools as a technician's laptop would
(:func:`read_boot_file`, :func:`write_boot_file`); a stick is a FAT image of its own
(:func:`make_stick`).  qemubox.py boots the card; boot-test.py and update_check.py
write onto both.
"""

import re
import struct
import subprocess
import tempfile
from pathlib import Path

BOOT_PARTITION, DATA_PARTITION = 1, 4


def partition(image, number):
    """``(offset, size)`` in bytes of MBR partition *number* (1-based)."""
    with open(image, "rb") as f:
        mbr = f.read(512)
    entry = mbr[446 + 16 * (number - 1):446 + 16 * number]
    start, sectors = struct.unpack("<II", entry[8:16])
    return start * 512, sectors * 512


def fat(image):
    """The mtools address of the card's boot partition."""
    return f"{image}@@{partition(image, BOOT_PARTITION)[0]}"


def read_boot_file(image, name):
    result = subprocess.run(["mtype", "-i", fat(image), f"::{name}"], capture_output=True)
    return result.stdout if result.returncode == 0 else None


def write_boot_file(image, name, data):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        subprocess.run(["mcopy", "-o", "-i", fat(image), f.name, f"::{name}"], check=True)


def firmware_prefix(image):
    """What the Pi firmware boots: config.txt's os_prefix, overridden by the included slot.txt."""
    prefix = ""
    for name in ("config.txt", "slot.txt"):
        text = (read_boot_file(image, name) or b"").decode("ascii", "replace")
        for value in re.findall(r"^os_prefix=(\S*)$", text, re.M):
            prefix = value
    return prefix


def make_stick(path, files, *, size_mb=None, folders=()):
    """A FAT USB stick image holding *files* ({name: local path}) and empty *folders*."""
    needed = sum(Path(p).stat().st_size for p in files.values()) // (1 << 20)
    size = size_mb or max(64, needed + 64)
    subprocess.run(["truncate", "-s", f"{size}M", str(path)], check=True)
    subprocess.run(["mkfs.vfat", "-F", "32", "-n", "STICKA", str(path)], check=True, capture_output=True)
    for folder in folders:
        subprocess.run(["mmd", "-i", str(path), f"::{folder}"], check=True)
    for name, source in files.items():
        subprocess.run(["mcopy", "-i", str(path), str(source), f"::{name}"], check=True)
    return path


def stick_listing(path, folder=""):
    return subprocess.run(["mdir", "-b", "-i", str(path), f"::{folder}"], capture_output=True, text=True).stdout


def copy_card(source, target, *, size_gb):
    """The card for this test: the image, on a bigger (sparse) card so the data partition can grow."""
    subprocess.run(["cp", "--sparse=always", str(source), str(target)], check=True)
    subprocess.run(["truncate", "-s", f"{size_gb}G", str(target)], check=True)
    return target
