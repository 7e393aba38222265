"""``hembas day …``: the same rules and records as the web UI, exit 1 with one Swedish line when refused."""

import argparse
import json

import pytest
from hembas_testing import TODAY

from sync.cli import main
from sync.day.commands import chosen_shift

WHEN = ("--date", TODAY.isoformat(), "--shift", "dag")


@pytest.fixture
def day_cli(capsys, data_dir, box):
    """Run ``hembas --data DATA day …`` on the demo box; returns (exit code, stdout, stderr)."""
    def run(*argv):
        code = main(["--data", str(data_dir), "day", *argv])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def show(day_cli, *argv):
    code, out, _ = day_cli("show", "--json", *(argv or WHEN))
    assert code == 0
    return json.loads(out)


def test_show_json_lists_each_visit_with_its_staff_and_each_route_in_order(day_cli, box):
    facts = show(day_cli)
    day = box.day(TODAY)
    assert facts["date"] == "2026-11-27" and facts["shift"] == "dag"
    assert [v["id"] for v in facts["visits"]] == [v.id for v in day.shift("dag")]
    first = facts["visits"][0]
    assert first["staff_ids"] == list(day.shift("dag")[0].staff_ids) and first["staff"][0] == "Johanna Öhman"
    routes = {r["staff_id"]: r["visit_ids"] for r in facts["routes"]}
    assert routes["s2"] == [v.id for v in day.route("s2", shift="dag")]
    assert facts["unassigned"] == [v.id for v in day.unassigned(shift="dag")]
    whole = show(day_cli, "--date", TODAY.isoformat())
    assert whole["shift"] is None and {v["shift"] for v in whole["visits"]} >= {"dag", "kväll"}


def test_a_morning_on_the_command_line(day_cli, box):
    code, out, _ = day_cli("absent", "s3", *WHEN)
    assert code == 0 and out.startswith("Lina Kärrman frånvarande dagpasset 27/11;")
    code, out, _ = day_cli("substitute", "--name", "Kim Berg", "--phone", "070-123 45 67", *WHEN, "--av", "Amira")
    sub = out.split(": ")[1].split()[0]
    assert code == 0 and sub.startswith("vik-")
    code, out, _ = day_cli("propose", "--json", *WHEN)
    proposal = json.loads(out)
    assert code == 0 and proposal["moves"] and "applied" not in proposal
    assert all(m["reason"] and m["client"] for m in proposal["moves"])
    assert box.records.find(kind="reassign") == []  # proposing changes nothing
    code, out, _ = day_cli("propose", "--apply", *WHEN)
    assert code == 0 and "besök får personal" in out
    facts = show(day_cli)
    assert len(facts["unassigned"]) == len(proposal["unplaced"])
    assert any(r["staff_id"] == sub and r["substitute"] and r["visit_ids"] for r in facts["routes"])
    assert {c["kind"] for c in facts["changes"]} == {"absence", "substitute", "reassign"}
    assert box.audit.entries(action="day.substitute")[0]["actor"] == "Amira"
    assert box.records.find(kind="substitute")[0]["author"] == "Amira"
    assert box.audit.entries(action="day.absent")[0]["actor"] == "cli"


def test_assign_order_extra_and_undo(day_cli, box):
    visit = box.day(TODAY).route("s2", shift="dag")[0]
    code, out, _ = day_cli("assign", visit.id, "s4", "--date", TODAY.isoformat())
    assert code == 0 and out.startswith(f"{visit.id}: Johanna Öhman → Mohammed Ali")
    route = [v.id for v in box.day(TODAY).route("s4", shift="dag")]
    code, out, _ = day_cli("order", "s4", route[-1], *WHEN)
    assert code == 0 and out.split(": ")[1].split()[0] == route[-1]
    code, out, _ = day_cli("extra", "c07", "--task", "tillsyn", "--task", "läkemedel", "--note", "Hem idag",
                           "--window", "10:00-10:20", "--double", *WHEN)
    extra = out.split()[2]
    assert code == 0 and extra in show(day_cli)["unassigned"]
    change = next(c for c in show(day_cli)["changes"] if c["kind"] == "reassign")
    code, out, _ = day_cli("undo", change["id"])
    assert code == 0 and out.startswith("Ångrat: Besök")
    assert visit.id in {v.id for v in box.day(TODAY).route("s2")}


@pytest.mark.parametrize("argv, message", [
    (("absent", "s99", *WHEN), "hembas: okänd personal: s99\n"),
    (("absent", "s6", *WHEN), "hembas: Petra Nordqvist arbetar inte dagpasset 27/11\n"),
    (("assign", "v00001", "--date", TODAY.isoformat()), "hembas: ange vem som tar besöket, eller --nobody\n"),
    (("assign", "v00001", "s6", "--date", TODAY.isoformat()), "hembas: Petra Nordqvist arbetar inte dagpasset 27/11\n"),
    (("substitute", "--name", "Kim", "--phone", "nej", *WHEN), 'hembas: telefon: ogiltigt värde "nej"\n'),
    (("extra", "c07", "--task", "tillsyn", "--window", "03:00-03:30", *WHEN),
     "hembas: tiden 03:00-03:30 ligger inte inom dagpasset 27/11 (07:00–16:00)\n"),
    (("show", "--shift", "lunch", "--date", TODAY.isoformat()), "hembas: okänt pass 'lunch' (dag, kväll eller natt)\n"),
    (("undo", "no-such-id"), "hembas: ingen ändring med id no-such-id\n"),
])
def test_refusals_exit_1_with_one_line(day_cli, box, argv, message):
    code, out, err = day_cli(*argv)
    assert (code, out) == (1, "") and err.endswith(message)  # the one line of the refusal closes stderr
    assert message.count("\n") == 1


def test_without_date_and_shift_the_shift_on_now(box):
    args = argparse.Namespace(date=None, shift=None)
    assert chosen_shift(box, args) == box.current_shift()  # 07:30: the day shift
    args = argparse.Namespace(date=None, shift="kvall")
    assert chosen_shift(box, args) == box.shifts.shift(TODAY, "kväll")
    args = argparse.Namespace(date=None, shift=f"{TODAY}/natt")
    assert chosen_shift(box, args).name == "natt"
