"""Whole-system update bundles: one signed file with a new root file system and its boot files.

A bundle is what ``make image`` builds, signed offline with the update key
(never the hub's plan key)::

    HEMBAS-SYSTEM/1\\n
    <length of the envelope>\\n
    <signed envelope (sync.network.signing, kind "system"): the manifest JSON>
    <boot part: a tar of the slot's kernel, initramfs, cmdline.txt and device trees>
    <root part: the root file system image, gzip-compressed>

The manifest names the version, what the bundle is for and each part's size
and SHA-256, so the signature covers every byte while the box reads the
parts as a stream: a 1 GB image never has to fit in a Pi Zero's memory::

    bundle = SystemBundle.open(path, trusted_key)
    bundle.version                      # "0.2.0"
    bundle.write_root("/dev/mmcblk0p3")  # stream, check, fsync
    bundle.extract_boot(folder)
"""

import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

from sync.errors import HembasError
from sync.network.signing import EnvelopeInvalid, sign, verify
from sync.store.database import encode_json

logger = logging.getLogger(__name__)

MAGIC = b"HEMBAS-SYSTEM/1\n"
KIND = "system"
ANY_TEAM = "*"
COMPATIBLE = "hembas-rpi-arm64"
SUFFIX = ".hembas-update"
VERSION = re.compile(r"[0-9]+(\.[0-9]+){1,3}")
CHUNK = 1 << 20
MAX_ENVELOPE = 64 * 1024
BOOT_FILE = re.compile(r"[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)?")


class BundleInvalid(HembasError, ValueError):
    """The file is not a whole-system bundle, or not one signed with the trusted update key."""


def version_key(version):
    """``"0.10.1"`` → ``(0, 10, 1)``, for comparing versions numerically."""
    if not VERSION.fullmatch(version or ""):
        raise BundleInvalid(f"ogiltigt versionsnummer {version!r} (t.ex. 0.2.0)")
    return tuple(int(part) for part in version.split("."))


def pack(output, *, root_image, boot_dir, version, signing_key, compatible=COMPATIBLE):
    """Write a signed bundle of *root_image* and the files in *boot_dir* to *output*."""
    version_key(version)
    output = Path(output)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".bundle-") as tmp:
        boot_part, root_part = Path(tmp) / "boot.tar", Path(tmp) / "root.img.gz"
        _tar_folder(Path(boot_dir), boot_part)
        image_size = _gzip_file(Path(root_image), root_part)
        manifest = {"version": version, "compatible": compatible, "parts": [
            {"name": "boot", **_size_and_hash(boot_part)},
            {"name": "root", **_size_and_hash(root_part), "image_size": image_size}]}
        envelope = sign(encode_json(manifest), signing_key, kind=KIND, team=ANY_TEAM)
        with open(output, "wb") as out:
            out.write(MAGIC + f"{len(envelope)}\n".encode() + envelope)
            for part in (boot_part, root_part):
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out, CHUNK)
    return manifest


def _tar_folder(folder, path):
    """The folder's files in a tar with fixed owners and times (the same input gives the same bytes)."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = tar.gettarinfo(str(file), arcname=file.relative_to(folder).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            info.mode = 0o644
            with open(file, "rb") as f:
                tar.addfile(info, f)


def _gzip_file(source, target):
    size = 0
    with open(source, "rb") as src, gzip.GzipFile(target, "wb", compresslevel=6, mtime=0) as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
            size += len(chunk)
    return size


def _size_and_hash(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


class SystemBundle:
    """An open bundle whose manifest has been verified; the parts are checked as they are read."""

    def __init__(self, path, manifest, offsets):
        self.path = Path(path)
        self.manifest = manifest
        self.version = manifest["version"]
        self._offsets = offsets       # part name -> (offset, part dict)

    @classmethod
    def open(cls, path, trusted_key, *, compatible=COMPATIBLE):
        """Read and verify the manifest of *path* against *trusted_key* (base64 Ed25519)."""
        try:
            with open(path, "rb") as f:
                if f.read(len(MAGIC)) != MAGIC:
                    raise BundleInvalid(f"{Path(path).name} är ingen systemuppdatering för Hembas")
                length = f.readline(16)
                if not length.strip().isdigit() or int(length) > MAX_ENVELOPE:
                    raise BundleInvalid("systemuppdateringens rubrik är trasig")
                envelope = f.read(int(length))
                start = f.tell()
                end = os.fstat(f.fileno()).st_size
        except OSError as exc:
            raise BundleInvalid(f"kan inte läsa {path}: {exc.strerror}") from None
        try:
            _, payload = verify(envelope, trusted_key, kind=KIND)
            manifest = json.loads(payload)
        except EnvelopeInvalid as exc:
            raise BundleInvalid(f"systemuppdateringen är inte signerad med uppdateringsnyckeln: {exc}") from None
        except ValueError:
            raise BundleInvalid("systemuppdateringens innehållsförteckning är trasig") from None
        version_key(manifest.get("version"))
        if manifest.get("compatible") != compatible:
            raise BundleInvalid(f"uppdateringen är för {manifest.get('compatible')!r}, inte för {compatible!r}")
        offsets, offset = {}, start
        for part in manifest.get("parts", []):
            offsets[part["name"]] = (offset, part)
            offset += part["size"]
        if set(offsets) != {"boot", "root"} or offset != end:
            raise BundleInvalid("systemuppdateringen är avkortad eller har fel delar")
        return cls(path, manifest, offsets)

    def image_size(self):
        return self._offsets["root"][1]["image_size"]

    def write_root(self, device):
        """Stream the root image onto *device* (a partition or, in tests, a file) and check it."""
        offset, part = self._offsets["root"]
        digest, inflate, written = hashlib.sha256(), zlib.decompressobj(wbits=31), 0
        fd = os.open(device, os.O_WRONLY)
        try:
            room = os.lseek(fd, 0, os.SEEK_END)
            if room and part["image_size"] > room:
                raise BundleInvalid(f"systemavbilden ({part['image_size']} byte) får inte plats på {device}")
            os.lseek(fd, 0, os.SEEK_SET)
            for chunk in self._read_part(offset, part["size"]):
                digest.update(chunk)
                data = inflate.decompress(chunk)
                written += _write_all(fd, data)
            written += _write_all(fd, inflate.flush())
            os.fsync(fd)
        except zlib.error:
            raise BundleInvalid("systemavbilden är skadad (gzip)") from None
        finally:
            os.close(fd)
        if digest.hexdigest() != part["sha256"] or written != part["image_size"]:
            raise BundleInvalid("systemavbilden stämmer inte med signaturen: filen är ändrad eller skadad")
        return written

    def extract_boot(self, folder):
        """Check the boot part against the manifest, then unpack it into *folder* (created)."""
        offset, part = self._offsets["boot"]
        folder = Path(folder)
        with tempfile.SpooledTemporaryFile(max_size=CHUNK) as data:
            digest = hashlib.sha256()
            for chunk in self._read_part(offset, part["size"]):
                digest.update(chunk)
                data.write(chunk)
            if digest.hexdigest() != part["sha256"]:
                raise BundleInvalid("startfilerna stämmer inte med signaturen: filen är ändrad eller skadad")
            data.seek(0)
            with tarfile.open(fileobj=data, mode="r:") as tar:
                for member in tar:
                    if not (member.isfile() and BOOT_FILE.fullmatch(member.name)):
                        raise BundleInvalid(f"startfilerna innehåller något annat än filer: {member.name!r}")
                    target = folder / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst, CHUNK)
                        dst.flush()
                        os.fsync(dst.fileno())
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    def _read_part(self, offset, size):
        with open(self.path, "rb") as f:
            f.seek(offset)
            left = size
            while left:
                chunk = f.read(min(CHUNK, left))
                if not chunk:
                    raise BundleInvalid("systemuppdateringen är avkortad")
                left -= len(chunk)
                yield chunk


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return len(data)
