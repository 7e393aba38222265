"""Odd but usable: warnings never refuse a plan, and say what a coordinator should look at."""

import json

import pytest
from hembas_testing import TODAY

from sync.cli import main
from sync.plan.demo import demo_plan
from sync.plan.validate import parse_plan
from sync.plan.warnings import plan_warnings, summary, summary_lines

DATE = TODAY.isoformat()


def plan_with(*visits, staff=None):
    """A two-client plan with *visits* (dicts; id, client and date filled in)."""
    document = demo_plan(TODAY, clients=2, staff=4, days=1)
    if staff:
        document["staff"].extend(staff)
    document["visits"] = [{"id": f"x{n}", "client_id": "c01", "date": DATE, "tasks": ["tillsyn"], **visit}
                          for n, visit in enumerate(visits, start=1)]
    return parse_plan(document)


def kinds(plan, box):
    return [(w.kind, w.visit_id) for w in plan_warnings(plan, box.shifts)]


def test_a_clean_plan_has_no_warnings(box):
    plan = plan_with({"shift": "natt", "staff_ids": ["s4"], "window": {"start": "22:30", "end": "06:30"}},
                     {"shift": "dag", "staff_ids": ["s2"], "window": {"start": "07:00", "end": "07:30"}})
    assert kinds(plan, box) == []


@pytest.mark.parametrize("shift, window", [
    ("dag", {"start": "06:00", "end": "06:45"}),     # before the day shift's 07:00
    ("kväll", {"start": "21:45", "end": "22:30"}),   # past the evening's 22:00
    ("natt", {"start": "20:00", "end": "21:00"}),    # before the night patrol's 21:30
    ("natt", {"start": "06:45", "end": "07:30"}),    # past 07:15 the next morning
])
def test_a_window_outside_its_shifts_hours(box, shift, window):
    plan = plan_with({"shift": shift, "staff_ids": ["s2"], "window": window})
    [warning] = plan_warnings(plan, box.shifts)
    assert warning.kind == "window_outside_shift"
    assert f"x1 {DATE} {shift}: fönstret {window['start']}–{window['end']} ligger utanför" in warning.message


def test_one_person_in_two_visits_at_once_across_midnight(box):
    plan = plan_with({"shift": "natt", "staff_ids": ["s4"], "window": {"start": "23:45", "end": "00:30"}},
                     {"shift": "natt", "staff_ids": ["s4"], "window": {"start": "00:15", "end": "00:45"}},
                     {"shift": "natt", "staff_ids": ["s4"], "window": {"start": "00:45", "end": "01:15"}},
                     {"shift": "natt", "staff_ids": ["s3"], "window": {"start": "00:15", "end": "00:45"}})
    assert kinds(plan, box) == [("overlap", "x2")]  # touching windows (00:45) and other people do not count
    assert "x1 (2026-11-27 natt 23:45–00:30) och x2" in plan_warnings(plan, box.shifts)[0].message


def test_a_whole_night_window_is_no_time_slot(box):
    plan = plan_with({"shift": "natt", "staff_ids": ["s4"], "window": {"start": "22:30", "end": "06:30"}},
                     {"shift": "natt", "staff_ids": ["s4"], "window": {"start": "00:15", "end": "00:45"}})
    assert kinds(plan, box) == []


def test_a_double_staffed_visit_with_one_name(box):
    nameless = {"id": "s9", "name": "s9", "role": "undersköterska"}  # a CSV with two ids and one name
    twin = {"id": "s8", "name": "Johanna Öhman", "role": "undersköterska"}
    plan = plan_with({"shift": "dag", "staff_ids": ["s2", "s9"]}, {"shift": "dag", "staff_ids": ["s2", "s8"]},
                     {"shift": "dag", "staff_ids": ["s2", "s3"]}, staff=[nameless, twin])
    found = plan_warnings(plan, box.shifts)
    assert [(w.kind, w.visit_id) for w in found] == [("double_one_name", "x1"), ("double_one_name", "x2")]
    assert "s9 har inget namn i planen" in found[0].message
    assert "två som heter Johanna Öhman" in found[1].message


def test_a_visit_with_no_staff(box):
    plan = plan_with({"shift": "kväll"})
    assert kinds(plan, box) == [("no_staff", "x1")]


def test_the_summary_counts_and_keeps_the_first_examples(box):
    plan = plan_with(*[{"shift": "dag"} for _ in range(7)])
    [group] = summary(plan_warnings(plan, box.shifts), examples=2)
    assert (group["kind"], group["count"], len(group["examples"])) == ("no_staff", 7, 2)
    assert summary_lines([group])[-1] == "    … och 5 till"


def test_warnings_never_name_a_client(box):
    plan = box.plan()
    text = json.dumps([w.message for w in plan_warnings(plan, box.shifts)], ensure_ascii=False)
    assert not any(client.name in text for client in plan.clients.values())


def write(tmp_path, document):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_and_status_show_the_warnings_and_keep_the_plan(data_dir, tmp_path, capsys):
    document = demo_plan(TODAY)
    document["visits"][0]["window"] = {"start": "05:00", "end": "05:30"}  # a day visit before 07:00
    assert main(["--data", str(data_dir), "plan", "import", str(write(tmp_path, document))]) == 0
    out = capsys.readouterr().out
    assert "inläst" in out and "varningar (planen används ändå" in out
    assert "Tidsfönster utanför passets tider: 1" in out and "Besök utan personal:" in out
    assert main(["--data", str(data_dir), "plan", "status"]) == 0
    assert "Tidsfönster utanför passets tider: 1" in capsys.readouterr().out
    assert main(["--data", str(data_dir), "plan", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    groups = {group["kind"]: group for group in status["warnings"]}
    assert groups["window_outside_shift"]["count"] == 1
    assert groups["window_outside_shift"]["examples"][0].startswith(f"{document['visits'][0]['id']} {DATE} dag")


def test_the_demo_plan_is_warned_only_about_its_unassigned_visits(box):
    assert {w.kind for w in plan_warnings(box.plan(), box.shifts)} == {"no_staff"}
