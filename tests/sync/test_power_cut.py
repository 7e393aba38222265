"""SIGKILL during writes never leaves an unreadable store or loses an acknowledged write.

A child process imports plans and appends records in a loop, printing an
acknowledgement after each call returns (that is when a page would say
"sparat").  The parent kills it at a random moment and reopens the store.
`make faults` runs the same idea hundreds of times; this is the quick version.
"""

import random
import signal
import subprocess
import sys
import time

import pytest

from sync.store.mirror import PlanMirror
from sync.store.records import Records

CHILD = r"""
import datetime as dt, sys
from pathlib import Path
from sync.plan.demo import demo_plan
from sync.store.mirror import PlanMirror
from sync.store.records import Records

data = Path(sys.argv[1])
mirror, records = PlanMirror(data), Records(data)
start = dt.date(2026, 11, 27)
docs = [demo_plan(start, seed=s) for s in (1, 2)]
print("READY", flush=True)
n = 0
while True:
    n += 1
    doc = dict(docs[n % 2], generated_at=(dt.datetime(2026, 11, 27, 5, tzinfo=dt.timezone.utc)
                                          + dt.timedelta(seconds=n)).isoformat())
    plan = mirror.import_document(doc, source=f"run{n}", today=start)
    print("PLAN", plan.version, n, flush=True)
    rec = records.append("note", author="s2", body={"text": f"anteckning {n}"}, visit_id="v00001")
    print("RECORD", rec["id"], flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(12))
def test_sigkill_during_writes_keeps_store_readable_and_acknowledged_writes(data_dir, round_):
    with subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir)], stdout=subprocess.PIPE,
                          text=True) as child:
        assert child.stdout.readline().strip() == "READY"
        time.sleep(random.Random(round_).uniform(0.05, 0.6))
        child.send_signal(signal.SIGKILL)
        output = child.stdout.read().splitlines()
    acked_plans = [line.split()[2] for line in output if line.startswith("PLAN")]
    acked_records = {line.split()[1] for line in output if line.startswith("RECORD")}

    current = PlanMirror(data_dir).current()  # must open and parse
    stored = {r["id"] for r in Records(data_dir).find()}
    assert acked_records <= stored
    if acked_plans:
        last = int(acked_plans[-1])
        source = PlanMirror(data_dir).info()["source"]
        assert source in (f"run{last}", f"run{last + 1}")
        assert current is not None
