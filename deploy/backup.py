"""Encrypted backups of the data folder (``hembas backup`` / ``hembas restore``).

The data folder is health data, and a backup travels on a USB stick or to the
hub, so it is encrypted before it leaves the box.  The key is derived from a
passphrase that the municipality keeps (in its password manager, one per
team), *not* from anything on the card: a backup must still open when the
card is dead, and a stolen card must not open the backups.

File format::

    HEMBAS-BACKUP/1\\n
    {"created_at": …, "kdf": "argon2id", "memlimit": …, "opslimit": …, "salt": base64}\\n
    nacl.secret.SecretBox(key).encrypt(gzip-compressed tar of the data folder)

The key is Argon2id(passphrase, salt) at libsodium's "interactive" cost (64 MB,
enough for a Pi Zero 2 W); a tampered header only yields a wrong key, which the
box's authentication tag then refuses.
"""

import base64
import datetime as dt
import io
import json
import logging
import os
import shutil
import tarfile
from pathlib import Path

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils

from sync.errors import HembasError
from sync.store.database import TEMP_SUFFIX, fsync_dir

logger = logging.getLogger(__name__)

MAGIC = b"HEMBAS-BACKUP/1\n"
MIN_PASSPHRASE = 12
SKIPPED_SUFFIXES = (".lock", TEMP_SUFFIX)
SKIPPED_FOLDERS = {".cache"}


class BackupError(HembasError, ValueError):
    """A backup could not be made, read or restored."""


def create_backup(data_dir, passphrase, *, now=None):
    """The encrypted backup of *data_dir* as bytes."""
    _check_passphrase(passphrase)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        for path in sorted(Path(data_dir).rglob("*")):
            relative = path.relative_to(data_dir)
            if path.name.endswith(SKIPPED_SUFFIXES) or SKIPPED_FOLDERS & set(relative.parts):
                continue
            tar.add(path, arcname=str(relative), recursive=False)
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    header = {"created_at": (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
              "kdf": "argon2id", "opslimit": nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE,
              "memlimit": nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE,
              "salt": base64.b64encode(salt).decode("ascii")}
    box = nacl.secret.SecretBox(_derive_key(passphrase, header))
    header_line = json.dumps(header, sort_keys=True).encode() + b"\n"
    return MAGIC + header_line + box.encrypt(archive.getvalue())


def read_backup(blob, passphrase):
    """The decrypted tar archive inside a backup; BackupError for a wrong passphrase or a damaged file."""
    if not blob.startswith(MAGIC):
        raise BackupError("filen är ingen Hembas-säkerhetskopia")
    header_line, _, ciphertext = blob[len(MAGIC):].partition(b"\n")
    try:
        header = json.loads(header_line)
        key = _derive_key(passphrase, header)
    except (ValueError, KeyError, TypeError, nacl.exceptions.CryptoError):
        raise BackupError("säkerhetskopians rubrik är skadad") from None
    try:
        return nacl.secret.SecretBox(key).decrypt(ciphertext)
    except nacl.exceptions.CryptoError:
        raise BackupError("fel lösenfras, eller så är säkerhetskopian skadad") from None


def restore_backup(blob, passphrase, data_dir, *, force=False):
    """Put a backup's files in *data_dir*; an existing non-empty folder is kept aside (``force``)."""
    archive = read_backup(blob, passphrase)
    data_dir = Path(data_dir)
    if data_dir.exists() and any(data_dir.iterdir()) and not force:
        raise BackupError(f"{data_dir} är inte tom – använd --force för att ersätta den "
                          "(den gamla mappen sparas bredvid)")
    incoming = data_dir.with_name(data_dir.name + ".restoring")
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        tar.extractall(incoming, filter="data")
    aside = None
    if data_dir.exists():
        aside = data_dir.with_name(f"{data_dir.name}.before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}")
        os.rename(data_dir, aside)
    os.rename(incoming, data_dir)
    fsync_dir(data_dir.parent)
    logger.info("restored %s from a backup%s", data_dir, f" (old folder kept as {aside})" if aside else "")
    return aside


def _derive_key(passphrase, header):
    if header["kdf"] != "argon2id":
        raise ValueError(header["kdf"])
    return nacl.pwhash.argon2id.kdf(nacl.secret.SecretBox.KEY_SIZE, passphrase.encode(),
                                    base64.b64decode(header["salt"]), opslimit=int(header["opslimit"]),
                                    memlimit=int(header["memlimit"]))


def _check_passphrase(passphrase):
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise BackupError(f"lösenfrasen ska vara minst {MIN_PASSPHRASE} tecken")
