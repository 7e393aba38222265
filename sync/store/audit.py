"""The audit log: who saw or did what, append-only.

Health data demands that every opened client card, sign-in, print,
reassignment and export can be traced.  The log is a JSON-lines file opened
for appending only and fsynced per entry: cheaper on an SD card than
rewriting a database, and an entry cannot be edited by the code that writes
it.  A power cut can at worst tear the last line, which :meth:`AuditLog.entries`
skips::

    audit = AuditLog(data_dir)
    audit.record("client.open", actor="s1", target="c03")
"""

import contextlib
import datetime as dt
import errno
import fcntl
import json
import logging
import os
import threading
import uuid

from ..errors import StoreError
from .database import describe_os_error

logger = logging.getLogger(__name__)


class AuditLog:
    """Append-only ``audit.jsonl`` in the data folder."""

    def __init__(self, data_dir):
        self.path = data_dir / "audit.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._end_torn_line()

    def record(self, action, *, actor, target="", detail=None, at=None):
        """Append one entry durably; returns it."""
        entry = {
            "id": str(uuid.uuid4()),
            "at": (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
            "actor": actor,
            "action": action,
            "target": target,
            "detail": detail or {},
        }
        line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._lock:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError as exc:
                raise StoreError(f"kunde inte skriva granskningsloggen: {describe_os_error(exc)}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # the web server and the daemon both append
                size = os.fstat(fd).st_size
                try:
                    if os.write(fd, line) != len(line):
                        raise OSError(errno.ENOSPC, "short write")
                    os.fsync(fd)
                except OSError as exc:
                    # A torn entry must not glue itself to the next one: cut it off again.
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, size)
                    raise StoreError(f"kunde inte skriva granskningsloggen: {describe_os_error(exc)}") from exc
            finally:
                os.close(fd)
        return entry

    def _end_torn_line(self):
        """After a power cut mid-append, start the next entry on a fresh line."""
        try:
            with open(self.path, "rb") as f:
                f.seek(-1, os.SEEK_END)
                torn = f.read(1) != b"\n"
        except OSError:
            return  # missing or empty file
        if torn:
            with open(self.path, "ab") as f:
                f.write(b"\n")

    def entries(self, *, actor=None, action=None, target=None, limit=None):
        """Entries matching the filters, newest first."""
        try:
            with open(self.path, "rb") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for raw in reversed(lines):
            try:
                entry = json.loads(raw)
            except ValueError:
                continue  # a line torn by a power cut
            if ((actor is None or entry["actor"] == actor) and (action is None or entry["action"] == action)
                    and (target is None or entry["target"] == target)):
                out.append(entry)
                if limit and len(out) >= limit:
                    break
        return out
