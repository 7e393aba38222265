"""The audit log: who saw or did what, append-only.

Health data demands that every opened client card, sign-in, print,
reassignment and export can be traced.  The log is a JSON-lines file opened
for appending only and fsynced per entry: cheaper on an SD card than
rewriting a database, and an entry cannot be edited by the code that writes
it.  A power cut can at worst tear the last line, which :meth:`AuditLog.entries`
skips::

    audit = AuditLog(data_dir)
    audit.record("client.open", actor="s1", target="c03")
    audit.prune(older_than=cutoff, acknowledged=hub_ids)   # the sync loop, at most daily

Writers group-commit: while one thread writes and fsyncs, the entries of
others queue up and the next of them writes the whole queue with one
fsync.  Every writer still returns only once its own entry is on disk (or
raises :class:`~sync.errors.StoreError` if that write failed, when no entry
of the group is kept), so at the morning rush a card view costs a share of
an fsync instead of waiting in line for one of its own.

The box's copy is bounded: :meth:`AuditLog.prune` drops entries older than
a cutoff *that the hub has acknowledged* (the hub keeps the log for the care
provider) and nothing else, rewriting the file atomically.  Appending and
pruning share one lock file, so no entry can be written into a file that is
being replaced.
"""

import contextlib
import datetime as dt
import errno
import fcntl
import itertools
import json
import logging
import os
import threading
import uuid
import weakref

from ..errors import StoreError
from .database import atomic_write_bytes, describe_os_error

logger = logging.getLogger(__name__)
ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one line an entry; made once, not per entry


class AuditLog:
    """Append-only ``audit.jsonl`` in the data folder."""

    def __init__(self, data_dir):
        self.path = data_dir / "audit.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_path = data_dir / "audit.jsonl.lock"
        self._lock = threading.Lock()  # guards the two files below, kept open (see _open_log)
        self._log = None
        self._lock_file = None
        self._group = threading.Condition()  # guards the three below
        self._queue = []       # (number, line) waiting for the next group
        self._written = {}     # number -> None, or the StoreError its group met
        self._writing = False  # a thread is writing a group now
        self._numbers = itertools.count()
        self._end_torn_line()

    def record(self, action, *, actor, target="", detail=None, at=None):
        """Append one entry durably (in a group with concurrent writers); returns it."""
        entry = {
            "id": str(uuid.uuid4()),
            "at": (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
            "actor": actor,
            "action": action,
            "target": target,
            "detail": detail or {},
        }
        line = (ENCODER.encode(entry) + "\n").encode()
        with self._group:
            number, leader = next(self._numbers), False
            self._queue.append((number, line))
            while number not in self._written and self._writing:
                self._group.wait()
            if number not in self._written:  # nobody is writing: this thread writes the queue, its own entry too
                group, self._queue, self._writing, leader = self._queue, [], True, True
        if leader:
            error = StoreError("kunde inte skriva granskningsloggen")  # unless the write below returns
            try:
                self._append(b"".join(line for _, line in group))
                error = None
            except StoreError as exc:
                error = exc
            finally:  # whatever happened, the group's writers learn it and the next group may start
                with self._group:
                    self._written.update((n, error) for n, _ in group)
                    self._writing = False
                    self._group.notify_all()
        with self._group:
            error = self._written.pop(number)
        if error is not None:
            raise StoreError(str(error)) from error  # each writer its own exception: one per thread
        return entry

    def _append(self, lines):
        """Write *lines* at the end of the log and fsync once; all or none of them stay."""
        with self._locked():
            try:
                fd, size = self._open_log()
            except OSError as exc:
                raise StoreError(f"kunde inte skriva granskningsloggen: {describe_os_error(exc)}") from exc
            try:
                if os.write(fd, lines) != len(lines):
                    raise OSError(errno.ENOSPC, "short write")
                os.fsync(fd)
            except OSError as exc:
                # A torn entry must not glue itself to the next one: cut the whole group off again.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)
                raise StoreError(f"kunde inte skriva granskningsloggen: {describe_os_error(exc)}") from exc

    def _open_log(self):
        """(descriptor, size) of the log, kept open between groups; opened again once a prune replaced it.

        Opening, checking and closing the file per group was half the
        system calls of a cached page (issue 15); a replaced file is seen
        by its link count, which its replacement by rename drops to zero.
        """
        if self._log is not None:
            st = os.fstat(self._log.fd)
            if st.st_nlink:
                return self._log.fd, st.st_size
            self._log.close()  # replaced by a prune, here or in another process
        self._log = _KeptOpen(self, self.path, 0o600)
        return self._log.fd, os.fstat(self._log.fd).st_size

    @contextlib.contextmanager
    def _locked(self):
        """This process's threads and every other process (web server, daemon, CLI, sync) take turns."""
        with self._lock:
            try:
                if self._lock_file is None:
                    self._lock_file = _KeptOpen(self, self._lock_path, 0o666)  # as open(path, "a")
                fcntl.flock(self._lock_file.fd, fcntl.LOCK_EX)
            except OSError as exc:
                raise StoreError(f"kunde inte skriva granskningsloggen: {describe_os_error(exc)}") from exc
            try:
                yield
            finally:
                fcntl.flock(self._lock_file.fd, fcntl.LOCK_UN)

    def prune(self, *, older_than, acknowledged):
        """Drop entries from before *older_than* whose ids are in *acknowledged*; returns the dropped ids.

        Everything else stays, torn lines aside: an entry the hub has not
        acknowledged is kept however old it is.
        """
        cutoff = older_than.isoformat(timespec="seconds")
        with self._locked():
            try:
                lines = self.path.read_bytes().splitlines()
            except FileNotFoundError:
                return []
            kept, dropped = [], []
            for raw in lines:
                try:
                    entry = json.loads(raw)
                except ValueError:
                    continue  # a line torn by a power cut
                if _at(entry) < cutoff and entry["id"] in acknowledged:
                    dropped.append(entry["id"])
                else:
                    kept.append(raw + b"\n")
            if dropped:
                atomic_write_bytes(self.path, b"".join(kept))
                os.chmod(self.path, 0o600)
        if dropped:
            logger.info("dropped %d acknowledged audit entries from before %s", len(dropped), cutoff)
        return dropped

    def oldest(self):
        """When the oldest entry was written (ISO text, UTC), or None."""
        try:
            with open(self.path, "rb") as f:
                for raw in f:
                    try:
                        return _at(json.loads(raw))
                    except ValueError:
                        continue
        except FileNotFoundError:
            return None
        return None

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


class _KeptOpen:
    """A file opened for appending that stays open as long as its *owner* lives.

    Closed when the owner is collected (no ResourceWarning, no descriptor
    leaked by the many short-lived boxes of the CLI and the tests) or by
    :meth:`close`.
    """

    def __init__(self, owner, path, mode):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, mode)
        self.close = weakref.finalize(owner, os.close, self.fd)


def _at(entry):
    """An entry's time as comparable UTC text (entries are written in UTC)."""
    return dt.datetime.fromisoformat(entry["at"]).astimezone(dt.timezone.utc).isoformat(timespec="seconds")
