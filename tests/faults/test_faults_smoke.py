"""Every fault scenario runs at a tiny scale and reports what it tried (no timing limits).

The smoke runs check that the harness works and that the scenarios which
the box is known to survive still survive; scenarios that expose a known,
reported problem are only required to run and report it.
"""

import random

from faults import powercut


def test_power_cut_harness_kills_writers_and_checks_acknowledged_writes(tmp_path):
    outcome = powercut.run(tmp_path, scale="smoke", rng=random.Random(3))
    rows = {r["scenario"]: r for r in outcome["rows"]}
    assert sum(r["cuts"] for r in rows.values()) >= 10
    for name in ("records", "records, two processes", "audit log", "plan import"):
        assert rows[name]["survived"] == "yes", outcome["problems"]
    assert rows["records"]["acked_records"] > 0
    assert rows["audit log"]["acked_audit"] > 0
