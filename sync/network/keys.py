"""The keys of the sync protocol, on disk.

Three key pairs exist (docs/sync-protocol.md):

* the hub's **signing** key (Ed25519): signs plan bundles; boxes pin its public half
  (``[hub] public_key``);
* the hub's **encryption** key (Curve25519): USB exports are sealed to its public
  half (``[hub] encryption_key``), so a lost stick leaks nothing;
* each box's own **signing** key (Ed25519): signs the journal batches it sends.
  It is created on first use in the data folder and never leaves the box; the
  hub is told its public half (``hembas sync status`` prints it).

Secret keys are base64 text files readable by their owner only.
"""

import base64
import binascii
import logging
import os
from pathlib import Path

import nacl.public
import nacl.signing

from ..errors import HembasError
from .signing import encode_key, key_id
from ..store.database import fsync_dir

logger = logging.getLogger(__name__)

BOX_KEY_FILE = "box-signing.key"
HUB_SIGNING_FILE = "hub-signing.key"
HUB_ENCRYPTION_FILE = "hub-encryption.key"


class KeyFileError(HembasError, OSError):
    """A key file is missing, unreadable or not a key."""


def box_signing_key(data_dir):
    """This box's own Ed25519 key, created on first call."""
    path = Path(data_dir) / BOX_KEY_FILE
    if not path.exists():
        key = nacl.signing.SigningKey.generate()
        try:
            write_secret(path, encode_key(key))
            logger.info("created this box's signing key %s", key_id(key.verify_key))
        except FileExistsError:
            pass  # another process was first: use its key
    return nacl.signing.SigningKey(read_secret(path))


def box_public_key(data_dir):
    """Base64 public half of this box's key (what the hub needs to know)."""
    return encode_key(box_signing_key(data_dir).verify_key)


def generate_hub_keys(folder):
    """Create the hub's signing and encryption keys in *folder*; returns their public halves.

    Refuses to overwrite: boxes pin these keys, so losing them means visiting
    every box.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    signing, encryption = folder / HUB_SIGNING_FILE, folder / HUB_ENCRYPTION_FILE
    for path in (signing, encryption):
        if path.exists():
            raise KeyFileError(f"{path} finns redan – hubbens nycklar skrivs aldrig över")
    write_secret(signing, encode_key(nacl.signing.SigningKey.generate()))
    write_secret(encryption, encode_key(nacl.public.PrivateKey.generate()))
    return hub_public_keys(folder)


def hub_signing_key(folder):
    return nacl.signing.SigningKey(read_secret(Path(folder) / HUB_SIGNING_FILE))


def hub_encryption_key(folder):
    return nacl.public.PrivateKey(read_secret(Path(folder) / HUB_ENCRYPTION_FILE))


def hub_public_keys(folder):
    """{"public_key": …, "encryption_key": …}: the two values a box's [hub] section needs."""
    return {"public_key": encode_key(hub_signing_key(folder).verify_key),
            "encryption_key": encode_key(hub_encryption_key(folder).public_key)}


def write_secret(path, text):
    """Create *path* (mode 0600) with *text* in one step; FileExistsError if it exists.

    The key is written to a temporary file and hard-linked into place, so no
    other process can ever read a half-written key.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    finally:
        tmp.unlink()
    fsync_dir(path.parent)


def read_secret(path):
    try:
        raw = base64.b64decode(Path(path).read_text(encoding="ascii").strip(), validate=True)
    except FileNotFoundError:
        raise KeyFileError(f"nyckelfilen {path} saknas (kör 'hembas hub keygen')") from None
    except (OSError, UnicodeDecodeError, binascii.Error) as exc:
        raise KeyFileError(f"kan inte läsa nyckelfilen {path}: {exc}") from None
    if len(raw) != 32:
        raise KeyFileError(f"{path} innehåller ingen nyckel")
    return raw
