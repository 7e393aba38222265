"""``hembas print …``."""

import pytest
from hembas_testing import FOUR_TIMES, NOW, TODAY, move_visit, pdftotext

from printer.binder_store import BinderStore
from printer.escpos_reader import TextLine, read
from printer.preview import preview_jobs
from sync.cli import main
from sync.clock import Clock


def run(box, *argv):
    return main(["--data", str(box.data_dir), *argv])


def test_print_sheets_to_file_writes_raw_escpos(box, tmp_path, capsys):
    out = tmp_path / "sheets.bin"
    assert run(box, "print", "sheets", "--date", TODAY.isoformat(), "--to", str(out)) == 0
    data = out.read_bytes()
    assert data.startswith(b"\x1b@\x1bt\x13")
    titles = [e.text for e in read(data) if isinstance(e, TextLine) and e.text == "Körlista"]
    assert len(titles) == len(box.day(TODAY).staff_ids())
    assert "körlistor" in capsys.readouterr().out


def test_print_sheet_for_one_staff_member_goes_through_the_queue(box, capsys):
    assert run(box, "print", "sheets", "--date", TODAY.isoformat(), "--staff", "s2") == 0
    assert [j["title"] for j in preview_jobs(box.data_dir)] == [f"Körlista Johanna Öhman {TODAY} hela dagen"]


def test_unknown_staff_is_refused_in_swedish(box, capsys):
    assert run(box, "print", "sheets", "--date", TODAY.isoformat(), "--staff", "s99") == 1
    assert "finns inte i planen" in capsys.readouterr().err


def test_slip_and_status(box, capsys):
    assert run(box, "print", "slip", "status") == 0
    assert run(box, "print", "status") == 0
    out = capsys.readouterr().out
    assert "Statuslapp" in out and "preview – ok" in out


# -- the team's binder -----------------------------------------------------------------------

@pytest.fixture
def cli_box(box):
    """The demo box whose clock, as a command in another process sees it, was confirmed at NOW."""
    Clock(box.data_dir, timezone=box.config["clock"]["timezone"]).confirm(NOW, by="test")
    return box


def test_print_binder_to_a_file_is_audited_as_a_view_of_every_client(cli_box, tmp_path, capsys):
    out = tmp_path / "parm.pdf"
    assert run(cli_box, "print", "binder", "--to", str(out)) == 0
    assert "Pärmen" in capsys.readouterr().out
    text = pdftotext(out.read_bytes())
    assert "Pärm: Hemtjänst Kalix centrum" in text and f"version {cli_box.plan().version}" in text
    entry = cli_box.audit.entries(action="binder.pdf")[0]
    assert entry["actor"] == "cli" and entry["detail"]["clients"] == sorted(cli_box.plan().clients)
    assert entry["detail"]["file"] == str(out)
    assert BinderStore(cli_box).printed() is None  # written is not printed


def test_mark_printed_then_the_changes_since_then(cli_box, tmp_path, capsys):
    assert run(cli_box, "print", "binder", "--changes", "--to", str(tmp_path / "c.pdf")) == 1
    assert "ingen pärm är markerad som utskriven" in capsys.readouterr().err
    assert run(cli_box, "print", "binder", "--to", str(tmp_path / "p.pdf")) == 0
    assert run(cli_box, "print", "binder", "--mark-printed") == 0
    assert "är markerad som utskriven" in capsys.readouterr().out
    visit = cli_box.day(TODAY).route("s3")[0]
    move_visit(cli_box, visit, ["s2"])
    assert run(cli_box, "print", "binder", "--changes", "--to", str(tmp_path / "c.pdf")) == 0
    text = pdftotext((tmp_path / "c.pdf").read_bytes())
    assert "1 besök ändrat." in text and "vem: Lina Kärrman -> Johanna Öhman" in text
    entry = cli_box.audit.entries(action="binder.changes")[0]
    assert entry["detail"]["clients"] == [visit.client_id] and entry["actor"] == "cli"
    assert cli_box.audit.entries(action="binder.printed")[0]["actor"] == "cli"


def test_print_binder_without_an_a4_printer_says_how_to_get_the_pdf(cli_box, capsys):
    assert run(cli_box, "print", "binder") == 1
    assert "ingen A4-skrivare är inställd" in capsys.readouterr().err


def test_print_binder_on_the_a4_printer_waits_for_cups(cli_box, cups_server, capsys):
    (cli_box.data_dir / "hembas.toml").write_text(
        f'[binder]\nprinter = "{cups_server.queue}"\ncups_server = "{cups_server.server}"\n', encoding="utf-8")
    assert run(cli_box, "print", "binder") == 0
    assert "klar" in capsys.readouterr().out
    assert "Pärm: Hemtjänst Kalix centrum" in pdftotext(cups_server.wait_for_output())
    cli_box.config["binder"].update(printer=cups_server.queue, cups_server=cups_server.server)
    assert BinderStore(cli_box).printed() is not None


# -- the shift on now or starting next -------------------------------------------------------

def sheet_owners(data):
    """The staff names of the sheets in *data*, in order (the line after "Körlista")."""
    lines = [e.text.strip() for e in read(data) if isinstance(e, TextLine)]
    return [lines[i + 1] for i, text in enumerate(lines) if text == "Körlista"]


def confirm_clock(box, now):
    """The clock as the command, in a box of its own, sees it: confirmed at *now* (as a coordinator does)."""
    Clock(box.data_dir, timezone=box.config["clock"]["timezone"]).confirm(now, by="test")


@pytest.mark.parametrize("time_of_day", FOUR_TIMES)
def test_print_sheets_without_a_date_prints_the_shift_on_or_starting_next(box, tmp_path, capsys, time_of_day):
    now, shift, working_day = FOUR_TIMES[time_of_day]
    confirm_clock(box, now)
    working = [box.plan().staff[s].name for s in box.day(working_day).staff_ids(shift=shift)]
    out = tmp_path / "sheets.bin"
    assert run(box, "print", "sheets", "--to", str(out)) == 0
    assert sorted(sheet_owners(out.read_bytes())) == sorted(working)
    assert f"({shift} {working_day.isoformat()}," in capsys.readouterr().out
    assert run(box, "print", "sheets") == 0  # queued and sent, as the button does
    titles = [j["title"] for j in preview_jobs(box.data_dir, limit=50)]
    assert sorted(titles) == sorted(f"Körlista {name} {working_day} {shift}" for name in working)


def test_a_named_shift_and_the_whole_day_stay_available(box, tmp_path):
    confirm_clock(box, FOUR_TIMES["01:30"][0])
    night, whole = tmp_path / "natt.bin", tmp_path / "dag.bin"
    assert run(box, "print", "sheets", "--date", TODAY.isoformat(), "--shift", "natt", "--to", str(night)) == 0
    assert run(box, "print", "sheets", "--whole-day", "--to", str(whole)) == 0  # the working day: Friday
    plan, day = box.plan(), box.day(TODAY)
    assert sheet_owners(night.read_bytes()) == [plan.staff[s].name for s in day.staff_ids(shift="natt")]
    assert sorted(sheet_owners(whole.read_bytes())) == sorted(plan.staff[s].name for s in day.staff_ids())


def test_shift_and_whole_day_together_are_refused(box, capsys):
    assert run(box, "print", "sheets", "--shift", "natt", "--whole-day") == 1
    assert "--shift eller --whole-day" in capsys.readouterr().err
