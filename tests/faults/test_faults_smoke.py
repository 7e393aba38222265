"""Every fault scenario runs at a tiny scale and reports what it tried (no timing limits).

The smoke runs check that the harness works and that the scenarios which
the box is known to survive still survive; scenarios that expose a known,
reported problem are only required to run and report it.
"""

import random

from faults import attacks, diskfull, fuzz_import, fuzz_web, hub_faults, powercut, printer_faults


def test_power_cut_harness_kills_writers_and_checks_acknowledged_writes(tmp_path):
    outcome = powercut.run(tmp_path, scale="smoke", rng=random.Random(3))
    rows = {r["scenario"]: r for r in outcome["rows"]}
    assert sum(r["cuts"] for r in rows.values()) >= 10
    for name in ("records", "records, two processes", "audit log", "plan import", "print queue",
                 "sync (notes, pull, push)"):
        assert rows[name]["survived"] == "yes", outcome["problems"]
    assert rows["print queue"]["rig"]["acked"] > 0 and rows["sync (notes, pull, push)"]["rig"]["plans"] > 1
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


def test_printer_faults_print_every_job_once_the_printer_is_back(tmp_path):
    outcome = printer_faults.run(tmp_path, scale="smoke", rng=random.Random(3))
    rows = {r["fault"]: r for r in outcome["rows"]}
    assert set(rows) == set(printer_faults.FAULTS)
    for fault in ("unplugged", "paper_out", "hang"):
        assert rows[fault]["status_during"] == "waiting"
        assert rows[fault]["all_printed"] == "yes", outcome["problems"]
    for fault in ("unplugged", "paper_out"):
        assert rows[fault]["duplicates"] == 0, outcome["problems"]
    assert rows["hang"]["partial"] > 0  # the printer really hung mid-job
    assert not [p for p in outcome["problems"] if "plan.json" in p]


def test_hub_faults_leave_the_mirror_alone_and_the_box_catches_up(tmp_path):
    outcome = hub_faults.run(tmp_path, scale="smoke", rng=random.Random(3))
    assert {r["fault"] for r in outcome["rows"]} == set(hub_faults.FAULTS)
    assert all(r["reason"] for r in outcome["rows"])  # every failed cycle says why
    assert outcome["problems"] == []


def test_web_fuzzer_sends_hostile_input_to_every_form_and_url(tmp_path):
    outcome = fuzz_web.run(tmp_path, scale="smoke", rng=random.Random(3))
    row, = outcome["rows"]
    assert row["requests"] > 300 and row["forms"] >= 5 and row["urls"] >= 5
    assert {"POST /logga-in", "POST /aktivera"} <= set(outcome["forms"])
    assert any(form.endswith("/skriv") for form in outcome["forms"])  # a signed-in form was found
    serious = [p for p in outcome["problems"] if "answered 5" in p or "unescaped" in p or "plan.json" in p
               or "server log" in p]
    assert serious == []


def test_the_security_reviews_attacks_all_fail(tmp_path):
    outcome = attacks.run(tmp_path, scale="smoke")
    rows = {r["attack"]: r for r in outcome["rows"]}
    assert set(rows) == {"flood", "parallel guesses", "idle connections", "crafted bundle", "audit coverage"}
    assert "known phones signed in: carer, coordinator" in rows["flood"]["measured"]
    assert rows["parallel guesses"]["measured"].startswith("3 PIN checks")
    assert "the next phone got 200" in rows["idle connections"]["measured"]
    assert "0 without an audit entry" in rows["audit coverage"]["measured"]
    assert outcome["problems"] == []
