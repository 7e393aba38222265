"""Every fault scenario runs at a tiny scale and reports what it tried (no timing limits).

The smoke runs check that the harness works and that the scenarios which
the box is known to survive still survive; scenarios that expose a known,
reported problem are only required to run and report it.
"""

import random

from faults import diskfull, fuzz_import, powercut


def test_power_cut_harness_kills_writers_and_checks_acknowledged_writes(tmp_path):
    outcome = powercut.run(tmp_path, scale="smoke", rng=random.Random(3))
    rows = {r["scenario"]: r for r in outcome["rows"]}
    assert sum(r["cuts"] for r in rows.values()) >= 10
    for name in ("records", "records, two processes", "audit log", "plan import"):
        assert rows[name]["survived"] == "yes", outcome["problems"]
    assert rows["records"]["acked_records"] > 0
    assert rows["audit log"]["acked_audit"] > 0


def test_import_fuzzer_tries_hostile_files_and_classifies_every_answer(tmp_path):
    outcome = fuzz_import.run(tmp_path, scale="smoke", rng=random.Random(3))
    row = outcome["rows"][0]
    assert row["tried"] >= len(fuzz_import.FIXED) + 2 * fuzz_import.EXAMPLES["smoke"]
    assert row["refused"] > len(fuzz_import.FIXED) // 2
    assert row["failure_kinds"] == len(outcome["problems"])
    assert not [p for p in outcome["problems"] if "refused file changed plan.json" in p]


def test_disk_full_harness_writes_until_refused_and_checks_the_store(tmp_path):
    outcome = diskfull.run(tmp_path, scale="smoke")
    empty, roomy = outcome["rows"]
    assert empty["refused"] > 0 and empty["recovered"] == "yes"
    assert roomy["acked"] > empty["acked"]
    assert not [p for p in outcome["problems"] if "record" in p or "plan" in p], outcome["problems"]
