"""The crash-safe TinyDB wrapper: writer lock across threads and processes, reentrancy."""

import subprocess
import sys
import threading

from sync.store.database import Database


def test_nested_transactions_in_one_thread_do_not_deadlock(data_dir):
    db = Database(data_dir / "x.json")
    done = threading.Event()

    def nested():
        with db.transaction(), db.transaction():
            db.table("t").insert({"n": 1})
        done.set()

    threading.Thread(target=nested, daemon=True).start()
    assert done.wait(10), "nested transaction hung"
    assert len(db.table("t")) == 1


def test_transaction_excludes_another_process(data_dir):
    db = Database(data_dir / "x.json")
    child = ("import sys; from pathlib import Path; from sync.store.database import Database\n"
             "db = Database(Path(sys.argv[1]))\n"
             "with db.transaction():\n    db.table('t').insert({'who': 'child'})\n")
    with db.transaction():
        proc = subprocess.Popen([sys.executable, "-c", child, str(data_dir / "x.json")])
        try:
            proc.wait(1.5)
            raise AssertionError("the other process wrote while we held the lock")
        except subprocess.TimeoutExpired:
            pass
        db.table("t").insert({"who": "parent"})
    assert proc.wait(30) == 0
    assert [row["who"] for row in db.table("t").all()] == ["parent", "child"]


def test_read_after_another_process_wrote_sees_the_new_data(data_dir):
    reader, writer = Database(data_dir / "x.json"), Database(data_dir / "x.json")
    assert reader.read_all() == {}
    with writer.transaction():
        writer.table("t").insert({"n": 1})
    assert list(reader.read_all()["t"].values()) == [{"n": 1}]
