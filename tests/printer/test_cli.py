"""``hembas print …``."""

from hembas_testing import TODAY

from printer.escpos_reader import TextLine, read
from printer.preview import preview_jobs
from sync.cli import main


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
    assert [j["title"] for j in preview_jobs(box.data_dir)] == [f"Körlista Johanna Öhman {TODAY}"]


def test_unknown_staff_is_refused_in_swedish(box, capsys):
    assert run(box, "print", "sheets", "--date", TODAY.isoformat(), "--staff", "s99") == 1
    assert "finns inte i planen" in capsys.readouterr().err


def test_slip_and_status(box, capsys):
    assert run(box, "print", "slip", "status") == 0
    assert run(box, "print", "status") == 0
    out = capsys.readouterr().out
    assert "Statuslapp" in out and "preview – ok" in out
