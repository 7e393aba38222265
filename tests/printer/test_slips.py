"""The status slip: how to connect, and what is wrong with the box."""

from hembas_testing import TODAY, binder_on_the_shelf, move_visit

from printer.jobs import status_facts
from printer.slips import status_slip
from sync.provisioning import clear_errors, write_errors


def slip_text(box):
    return status_slip(status_facts(box, printer_state="redo"), columns=48).plain_text()


def test_status_slip_says_how_to_connect_and_how_the_box_is(box):
    text = slip_text(box)
    assert "Anslut mobilen till wifi" in text and "http://hembas.local" in text
    assert "Skrivare" in text and "redo" in text
    assert "INSTÄLLNINGSFILEN" not in text


def test_status_slip_prints_the_settings_file_problems_until_they_are_fixed(box):
    write_errors(box.data_dir, [{"key": "wifi.passphrase", "message": "wifi.passphrase: ska vara 8–63 tecken"}],
                 source="/boot/firmware/hembas.toml", checked_at="2026-11-27T07:00:00+01:00")
    text = slip_text(box)
    assert "FEL I INSTÄLLNINGSFILEN" in text and "wifi.passphrase: ska vara 8-63 tecken" in text
    clear_errors(box.data_dir)
    assert "INSTÄLLNINGSFILEN" not in slip_text(box)


def test_status_slip_says_whether_the_printed_binder_is_out_of_date(box):
    def text():
        return " ".join(slip_text(box).split())

    assert "Pärm Ingen pärm är utskriven." in text()
    binder_on_the_shelf(box)
    assert "stämmer med planen" in text()
    box.config["binder"]["remind_changes"] = 0
    move_visit(box, box.day(TODAY).route("s3")[0], ["s2"])
    assert "1 ändring och 0 nya dagar sedan utskriften - skriv ut ändringarna." in text()
