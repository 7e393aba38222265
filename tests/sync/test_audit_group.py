"""The audit log's group commit: concurrent writers share fsyncs, and none returns before its entry is durable.

The crash test is test_power_cut.py's idea for the audit log: eight
threads record entries and print an acknowledgement after each call
returns; the parent kills the process at a random moment and every
acknowledged entry must be in the log. `make faults` ("audit log") runs it
many more times.
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from sync.errors import StoreError
from sync.store.audit import AuditLog

CHILD = r"""
import os, sys, threading
from pathlib import Path
from sync.store.audit import AuditLog

audit = AuditLog(Path(sys.argv[1]))

def write(t):
    n = 0
    while True:
        n += 1
        entry = audit.record("client.open", actor="s2", target="c01", detail={"n": f"{t}-{n}"})
        os.write(1, f"ACK {entry['id']} {t}-{n}\n".encode())

os.write(1, b"READY\n")
for t in range(8):
    threading.Thread(target=write, args=(t,), daemon=True).start()
threading.Event().wait()
"""


def record_at_once(audit, count):
    """*count* threads record one entry each, started together; returns what each got back or raised."""
    start, results = threading.Barrier(count), [None] * count

    def write(i):
        start.wait()
        try:
            results[i] = audit.record("client.open", actor="s2", target=f"c{i:02d}", detail={"n": i})
        except StoreError as exc:
            results[i] = exc

    threads = [threading.Thread(target=write, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_writers_share_fsyncs_and_every_entry_is_stored(data_dir, monkeypatch):
    audit, calls = AuditLog(data_dir), []
    real_fsync = os.fsync

    def slow_fsync(fd):  # an SD card's fsync: long enough for the others to queue up
        calls.append(fd)
        time.sleep(0.05)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    results = record_at_once(audit, 16)
    assert all(isinstance(r, dict) for r in results)
    stored = {e["id"]: e["detail"]["n"] for e in audit.entries()}
    assert stored == {r["id"]: r["detail"]["n"] for r in results}
    assert len(calls) < 16


def test_a_failed_group_write_fails_every_writer_in_it_and_keeps_none(data_dir, monkeypatch):
    audit = AuditLog(data_dir)
    audit.record("signin", actor="s1")
    entered, release = threading.Event(), threading.Event()
    real_fsync = os.fsync

    def failing_fsync(fd):
        entered.set()
        release.wait(5)
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    first = []
    leader = threading.Thread(target=lambda: first.append(pytest.raises(StoreError, audit.record, "a", actor="x")))
    leader.start()
    assert entered.wait(5)
    threading.Timer(0.2, release.set).start()  # the others queue up behind the first write meanwhile
    results = record_at_once(audit, 6)
    leader.join()
    assert first and all(isinstance(r, StoreError) for r in results)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert [e["action"] for e in audit.entries()] == ["signin"]
    assert audit.record("after", actor="s1")["action"] == "after"  # the log works again


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(6))
def test_sigkill_during_group_commits_keeps_every_acknowledged_entry(data_dir, round_):
    with subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir)], stdout=subprocess.PIPE, text=True) as child:
        try:
            ready = child.stdout.readline().strip()
            first = child.stdout.readline()  # the first group is on disk: kill while the next ones are written
            time.sleep(random.Random(round_).uniform(0.05, 0.5))
        finally:
            child.send_signal(signal.SIGKILL)
        output = [first, *child.stdout.read().splitlines()]
    assert ready == "READY"
    acked = dict(line.split()[1:] for line in output if line.startswith("ACK "))
    stored = {e["id"]: e["detail"]["n"] for e in AuditLog(data_dir).entries()}  # a torn last line is skipped
    assert acked and all(stored.get(i) == n for i, n in acked.items())
