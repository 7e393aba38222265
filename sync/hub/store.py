"""The reference hub's folder: keys, published bundles, known boxes, received journals.

::

    HUBDIR/keys/hub-signing.key, hub-encryption.key   secret (0600)
    HUBDIR/public/teams/<team>/plan.bundle          static: any web server can serve public/
    HUBDIR/boxes.json                               box key id -> team and public key
    HUBDIR/journal/<team>/<box key id>.jsonl        received items, append-only, each UUID once

A journal upload is verified against the sending box's registered key and
must be for that box's team.  Storing is idempotent: an item whose UUID is
already in the file is acknowledged again but not written again.
"""

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import threading
from pathlib import Path

import nacl.exceptions
import nacl.public

from ..errors import HembasError
from ..network.keys import generate_hub_keys, hub_encryption_key, hub_public_keys, hub_signing_key
from ..network.push import KIND as JOURNAL_KIND
from ..network.push import read_batch_payload
from ..network.signing import as_verify_key, encode_key, key_id, read_header, verify
from ..store.database import atomic_write_bytes, encode_json, fsync_dir
from ..plan.fields import ID_RE

logger = logging.getLogger(__name__)

BUNDLE_NAME = "plan.bundle"
CERTIFICATE_NAME = "certificate.bundle"  # a renewed TLS certificate for the team's box


class JournalRefused(HembasError, ValueError):
    """A journal upload the hub will not store; ``status`` is the HTTP answer."""

    def __init__(self, message, *, status=400):
        super().__init__(message)
        self.status = status


class HubStore:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.keys_dir = self.folder / "keys"
        self.public_dir = self.folder / "public"
        self._lock = threading.Lock()

    # -- keys and boxes -------------------------------------------------------------

    def keygen(self):
        return generate_hub_keys(self.keys_dir)

    def public_keys(self):
        return hub_public_keys(self.keys_dir)

    def signing_key(self):
        return hub_signing_key(self.keys_dir)

    def boxes(self):
        try:
            return json.loads((self.folder / "boxes.json").read_bytes())
        except FileNotFoundError:
            return {}

    def add_box(self, public_key_b64, *, team):
        """Register a box's public key for *team*; returns its key id."""
        _check_team(team)
        box_id = key_id(as_verify_key(public_key_b64))
        with self._locked():
            boxes = self.boxes()
            boxes[box_id] = {"team": team, "public_key": encode_key(as_verify_key(public_key_b64)),
                             "added_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.folder / "boxes.json", encode_json(boxes))
        return box_id

    # -- bundles --------------------------------------------------------------------

    def bundle_path(self, team, name=BUNDLE_NAME):
        _check_team(team)
        return self.public_dir / "teams" / team / name

    def put_bundle(self, team, envelope, name=BUNDLE_NAME):
        path = self.bundle_path(team, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, envelope)
        return path

    # -- journals -------------------------------------------------------------------

    def journal_path(self, team, box_id):
        _check_team(team)
        return self.folder / "journal" / team / f"{box_id}.jsonl"

    def accept_journal(self, body, *, team=None):
        """Verify and store a signed (or sealed) batch; returns the acknowledgement dict."""
        envelope = self._unseal(body) if not body.startswith(b"{") else body
        try:
            box_id = read_header(envelope)["key_id"]
        except HembasError as exc:
            raise JournalRefused(str(exc)) from None
        box = self.boxes().get(box_id)
        if box is None:
            raise JournalRefused(f"okänd låda {box_id}", status=403)
        try:
            header, payload = verify(envelope, box["public_key"], kind=JOURNAL_KIND)
            batch = read_batch_payload(payload)
        except (HembasError, ValueError) as exc:
            raise JournalRefused(f"ogiltig sändning: {exc}") from None
        if {header["team"], batch.get("team"), team or box["team"]} != {box["team"]}:
            raise JournalRefused(f"lådan {box_id} hör till team {box['team']}", status=403)
        items = [{"type": "record", "item": r} for r in batch["records"]] + \
                [{"type": "audit", "item": e} for e in batch["audit"]]
        if not all(isinstance(i["item"], dict) and isinstance(i["item"].get("id"), str) for i in items):
            raise JournalRefused("varje post behöver ett id")
        stored = self._append(box["team"], box_id, items, batch=batch.get("batch", ""))
        return {"accepted": [i["item"]["id"] for i in items], "stored": stored, "batch": batch.get("batch", "")}

    def journal(self, team, box_id):
        """Every stored item of one box, in arrival order (tests and tools)."""
        path = self.journal_path(team, box_id)
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]

    def _append(self, team, box_id, items, *, batch):
        path = self.journal_path(team, box_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        received = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self._locked():
            seen = {row["item"]["id"] for row in self.journal(team, box_id)}
            lines = []
            for item in items:
                if item["item"]["id"] not in seen:
                    seen.add(item["item"]["id"])
                    lines.append(json.dumps({**item, "batch": batch, "received_at": received},
                                            ensure_ascii=False, separators=(",", ":")) + "\n")
            if lines:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, "".join(lines).encode())
                    os.fsync(fd)
                finally:
                    os.close(fd)
                fsync_dir(path.parent)
        logger.info("journal %s: %d new of %d", path.name, len(lines), len(items))
        return len(lines)

    def _unseal(self, body):
        try:
            return nacl.public.SealedBox(hub_encryption_key(self.keys_dir)).decrypt(body)
        except nacl.exceptions.CryptoError:
            raise JournalRefused("filen är varken en signerad sändning eller krypterad till den här hubben") from None

    @contextlib.contextmanager
    def _locked(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _check_team(team):
    if not isinstance(team, str) or not ID_RE.match(team):
        raise JournalRefused(f"ogiltigt team-id {str(team)[:40]!r}", status=404)
