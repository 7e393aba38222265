"""The status slip: how to connect, and what is wrong with the box."""

from hembas_testing import TODAY, binder_on_the_shelf, move_visit
from tls_testing import box_with_certificate

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


def test_the_handover_slip_at_half_past_six_has_what_the_night_wrote_for_the_day(box):
    from hembas_testing import FOUR_TIMES, SATURDAY, TODAY, set_clock

    from printer import jobs
    from printer.escpos_reader import TextLine, read
    from printer.queue import PrintQueue
    from printer.queue_store import QueueStore
    from sync.day.handovers import write_handover

    night = box.shifts.shift(TODAY, "natt")
    write_handover(box.records, night, author="s7", text="Larmet hos Storgatan 5 gick 03:10, allt lugnt.")
    write_handover(box.records, box.shifts.shift(TODAY, "kväll"), author="s6", text="Till natten, inte dagen.")
    set_clock(box, FOUR_TIMES["06:30"][0])
    job = PrintQueue(box).print_slip("handover", ordered_by="knappen")
    assert job["title"] == f"Överlämning till {SATURDAY} dag"
    [params] = [j["params"] for j in QueueStore(box.data_dir).all()]
    lines = [e.text.strip() for e in read(jobs.render(box, "handover", params)) if isinstance(e, TextLine)]
    assert "Till dagpasset lördag 28 november 2026" in lines and "från nattpasset 27/11" in lines
    assert any("Larmet hos Storgatan 5 gick 03:10" in line for line in lines)
    assert not any("Till natten" in line for line in lines)


def test_a_substitutes_slip_says_how_to_sign_in_and_when_it_ends():
    from printer.slips import substitute_slip

    text = substitute_slip(name="Kim Berg", code="ABCD-EFGH", url="http://hembas.lan/vikarie?kod=ABCDEFGH",
                           until="dagpasset 27/11 till 16:00", columns=48).plain_text()
    assert "Kim Berg" in text and "ABCD-EFGH" in text and "Gäller dagpasset 27/11 till 16:00" in text
    assert "Eller öppna http://hembas.lan/vikarie?kod=ABCDEFGH" in " ".join(text.split())


def test_status_slip_says_what_the_last_usb_stick_did(box):
    from sync import stick
    assert "USB-sticka" not in slip_text(box)
    stick.record(box.data_dir, stick.WORKING)
    assert "USB-sticka" not in slip_text(box)           # still reading: the slip comes when it is done
    stick.record(box.data_dir, stick.FAILED, ["ingen plan för team kalix på stickan"])
    text = slip_text(box)
    assert "MISSLYCKADES" in text and "ingen plan för team kalix på stickan" in text
    stick.record(box.data_dir, stick.DONE, ["Planen är inläst.", "3 poster skrivna till stickan."])
    text = slip_text(box)
    assert ": klar" in text and "3 poster skrivna till stickan." in text


def test_status_slip_warns_before_the_https_certificate_expires(box, tmp_path):
    assert "HTTPS" not in slip_text(box)  # TLS off (the demo): nothing to say
    box_with_certificate(box, tmp_path, days=30, after_days=25)
    assert "VARNING: Certifikatet går ut om 4 dagar" in " ".join(slip_text(box).split())
