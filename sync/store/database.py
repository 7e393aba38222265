"""Crash-safe files on a slow SD card that may lose power at any moment.

Every file Hembas keeps is written the same way: a temporary file in the same
folder, ``fsync``, ``os.replace`` over the old file, ``fsync`` of the folder.
A power cut leaves either the old or the new file, never a torn one.

:class:`AtomicJSONStorage` plugs that into TinyDB (whose stock JSONStorage
rewrites in place) and keeps the parsed data in memory, so a query does not
re-read the file unless another process has replaced it.  :class:`Database`
adds the one writer lock that TinyDB lacks (threads *and* processes)::

    db = Database(data_dir / "records.json")
    with db.transaction() as tx:
        tx.table("records").insert({"kind": "note"})
    rows = db.table("records").all()
"""

import contextlib
import errno
import fcntl
import json
import logging
import os
import threading
from pathlib import Path

from tinydb.storages import Storage
from tinydb.table import Table

from ..errors import StoreError

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".hembas-tmp"


def atomic_write_bytes(path, data):
    """Replace *path* with *data* so that a power cut leaves old or new, never half."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}{TEMP_SUFFIX}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(f"kunde inte skriva {path.name}: {describe_os_error(exc)}") from exc


def describe_os_error(exc):
    """A Swedish one-liner for the OS errors a box meets (full card, read-only card, …)."""
    return {
        errno.ENOSPC: "minneskortet är fullt",
        errno.EDQUOT: "minneskortet är fullt",
        errno.EFBIG: "filen är för stor",
        errno.EROFS: "minneskortet är skrivskyddat",
        errno.EACCES: "behörighet saknas",
        errno.EPERM: "behörighet saknas",
        errno.EIO: "läsfel på minneskortet",
        errno.ENOENT: "mappen finns inte",
    }.get(exc.errno, f"systemfel {exc.errno}")


def fsync_dir(folder):
    """Make a rename inside *folder* durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_orphans(folder):
    """Remove temporary files left by writes that a power cut or a kill interrupted.

    A temp file names the process writing it; the file of a process that is
    still alive is in use (another service writing right now) and stays.
    """
    removed = []
    for tmp in Path(folder).glob(f".*{TEMP_SUFFIX}"):
        if _writer_alive(tmp.name):
            continue
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp.name)
    if removed:
        logger.warning("removed %d unfinished temp file(s) in %s", len(removed), folder)
    return removed


def _writer_alive(name):
    """Whether the pid in a temp file's name (``.plan.json.PID.THREAD.hembas-tmp``) still runs."""
    try:
        pid = int(name[: -len(TEMP_SUFFIX)].split(".")[-2])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:
        return True  # alive, owned by another user
    return True


def encode_json(data):
    """The one JSON encoding of every Hembas file: UTF-8, compact, stable key order."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _file_identity(path):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class AtomicJSONStorage(Storage):
    """TinyDB storage that writes atomically and reads from memory.

    The cached data is reloaded when the file's identity (inode, mtime, size)
    changes, which is how a web server sees what the CLI or the firmware
    daemon wrote.  If a write fails the cache is dropped, so a half-applied
    change never survives in memory either.
    """

    def __init__(self, path, create_dirs=True):
        self.path = Path(path)
        if create_dirs:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._data = None
        self._identity = None

    def read(self):
        identity = _file_identity(self.path)
        if identity is None:
            self._data, self._identity = None, None
            return None
        if identity != self._identity or self._data is None:
            try:
                raw = self.path.read_bytes()
                self._data = json.loads(raw) if raw.strip() else None
            except (OSError, ValueError) as exc:
                raise StoreError(f"kan inte läsa {self.path}: {exc}") from exc
            self._identity = identity
        return self._data

    def write(self, data):
        try:
            atomic_write_bytes(self.path, encode_json(data))
        except StoreError:
            self._data, self._identity = None, None
            raise
        self._data = data
        self._identity = _file_identity(self.path)

    def close(self):
        self._data = None


class Database:
    """One TinyDB file with a writer lock shared by threads and processes.

    Reads go straight to the cached data; writes happen inside
    :meth:`transaction`, which holds a thread lock and an ``flock`` on a
    sibling ``.lock`` file for the whole read-modify-write.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.storage = AtomicJSONStorage(self.path)
        self._lock = threading.RLock()
        self._depth = 0  # nesting of transaction() in the thread holding the lock
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    def table(self, name):
        """A fresh, uncached view of table *name* (safe across processes)."""
        return Table(self.storage, name, cache_size=0)

    @contextlib.contextmanager
    def transaction(self):
        """Hold the writer lock; yields this database for table access.

        Reentrant within a thread: a nested transaction joins the outer one
        (the file lock is taken once, by the outermost).
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            with open(self._lock_path, "a") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                self._depth = 1
                try:
                    yield self
                finally:
                    self._depth = 0
                    fcntl.flock(lock_file, fcntl.LOCK_UN)

    def revision(self):
        """The file's identity (inode, mtime, size) now, or None before the first write."""
        return _file_identity(self.path)

    def read_all(self):
        """All tables as stored (do not mutate the result)."""
        return self.storage.read() or {}

    def replace_all(self, tables):
        """Write every table at once, atomically (call inside a transaction)."""
        self.storage.write(tables)
