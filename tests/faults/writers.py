"""Child processes that write to a store until they are killed.

``python -m faults.writers SCENARIO DATA_DIR`` opens the store (what a
restart does), prints ``READY``, then writes in a loop.  Before each write
it prints ``TRY <key>``; after the call returns, which is the moment a page
would say "sparat", it prints ``ACK <key> <detail>``.  The parent kills it
with SIGKILL at a random moment and checks every acknowledged write.
"""

import datetime as dt
import os
import sys
from pathlib import Path

START = dt.date(2026, 11, 27)


def say(*parts):
    """One line in one write(2), so a kill cannot leave half an acknowledgement."""
    os.write(1, (" ".join(parts) + "\n").encode())


def write_records(data_dir, tag):
    from sync.store.records import Records

    records = Records(data_dir)
    say("READY")
    for n in range(1, 10**9):
        say("TRY", f"{tag}-{n}")
        rec = records.append("note", author="s2", visit_id="v00001", client_id="c01", date=START,
                             body={"text": f"Åt bra idag, anteckning {tag}-{n}", "n": f"{tag}-{n}"})
        say("ACK", rec["id"], f"{tag}-{n}")


def write_audit(data_dir, tag, threads=8):
    """Eight threads at once, as the web server's workers are, so their entries are group-committed."""
    import threading

    from sync.store.audit import AuditLog

    audit = AuditLog(data_dir)

    def write(thread):
        for n in range(1, 10**9):
            key = f"{tag}.{thread}-{n}"
            say("TRY", key)
            entry = audit.record("client.open", actor="s2", target=f"c{n % 40:02d}", detail={"n": key})
            say("ACK", entry["id"], key)

    say("READY")
    for thread in range(threads):
        threading.Thread(target=write, args=(thread,), daemon=True).start()
    threading.Event().wait()


def import_plans(data_dir, tag):
    from sync.plan.demo import demo_plan
    from sync.store.mirror import PlanMirror

    mirror = PlanMirror(data_dir)
    mirror.current()  # a restart parses what is stored
    docs = [demo_plan(START, seed=seed) for seed in (1, 2, 3)]
    # Later imports must carry later stamps; continue from what is stored.
    held = mirror.current()
    first = held.generated_at + dt.timedelta(seconds=1) if held else dt.datetime(2026, 11, 27, 5, tzinfo=dt.timezone.utc)
    say("READY")
    for n in range(10**9):
        doc = dict(docs[n % 3], generated_at=(first + dt.timedelta(seconds=n)).isoformat())
        from sync.plan.model import document_version
        say("TRY", document_version(doc))
        plan = mirror.import_document(doc, source=f"{tag}-{n}", today=START)
        say("ACK", plan.version, f"{tag}-{n}")


def print_and_work(data_dir, tag):
    """Order enrollment slips (each with a code of its own, to find it on paper) and send them."""
    from printer.queue import PrintQueue
    from sync.box import open_box
    from sync.config import load_config

    queue = PrintQueue(open_box(load_config(data_dir)))  # the printer comes from HEMBAS_PRINTER_*
    queue.process_once()  # a restarted worker first finishes what was left
    say("READY")
    for n in range(1, 10**9):
        code = f"K{tag}-{n}Q"
        say("TRY", code)
        job = queue.print_slip("enrollment", ordered_by="s2", name="Ny kollega", code=code, url="http://hembas.local")
        say("ACK", job["id"], code)
        queue.process_once()


def note_and_sync(data_dir, tag):
    """Write a note, then run a sync cycle (pull the plan, push the journal), again and again."""
    from sync.box import open_box
    from sync.config import load_config
    from sync.network.poller import run_cycle

    box = open_box(load_config(data_dir))  # the hub comes from HEMBAS_HUB_*
    say("READY")
    for n in range(1, 10**9):
        say("TRY", f"{tag}-{n}")
        rec = box.records.append("note", author="s2", client_id="c01", date=START,
                                 body={"text": f"Anteckning {tag}-{n}", "n": f"{tag}-{n}"})
        say("ACK", rec["id"], f"{tag}-{n}")
        run_cycle(box)


WRITERS = {"records": write_records, "audit": write_audit, "plan_import": import_plans,
           "print_queue": print_and_work, "sync": note_and_sync}


if __name__ == "__main__":
    scenario, data_dir, tag = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    WRITERS[scenario](data_dir, tag)
