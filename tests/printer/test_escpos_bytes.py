"""Exact bytes of jobs built in python-escpos's Dummy printer."""

from hembas_testing import NOW

from printer.escpos_job import encode
from printer.escpos_reader import QRCode, Raster, TextLine, read
from printer.layout import Receipt

INIT, CP858 = b"\x1b@", b"\x1bt\x13"
FULL_CUT = b"\x1dV\x00"
NATIVE_QR_PRINT = b"\x1d(k\x03\x001Q0"


def receipt(*lines, columns=48):
    r = Receipt(columns=columns)
    for line in lines:
        r.text(line)
    return r


def test_every_job_starts_with_init_and_the_forced_code_page():
    data = encode(receipt("Hej"))
    assert data.startswith(INIT + CP858)


def test_code_page_is_sent_again_after_every_init():
    first, second = encode(receipt("å")), encode(receipt("å"))
    assert (first + second).count(INIT) == 2
    assert (first + second).count(INIT + CP858) == 2


def test_swedish_letters_are_cp858_bytes():
    data = encode(receipt("åäö ÅÄÖ é"))
    assert b"\x86\x84\x94 \x8f\x8e\x99 \x82" in data


def test_characters_outside_the_page_print_readable_not_as_question_marks():
    data = encode(receipt("Ring – “snart” … Łukasz"))
    assert b'Ring - "snart" ... Lukasz' in data


def test_job_ends_with_a_full_cut():
    assert encode(receipt("x")).endswith(FULL_CUT)


def test_native_qr_on_a_profile_that_has_it():
    r = Receipt(columns=48)
    r.qr("http://hembas.local/idag")
    data = encode(r, profile="TM-T20II", qr_mode="auto")
    assert b"\x1d(k" + bytes([len("http://hembas.local/idag") + 3, 0]) + b"1P0http://hembas.local/idag" in data
    assert NATIVE_QR_PRINT in data
    assert [e.data for e in read(data) if isinstance(e, QRCode)] == ["http://hembas.local/idag"]


def test_image_qr_on_a_58mm_profile_without_native_qr():
    r = Receipt(columns=32)
    r.qr("http://hembas.local/idag")
    data = encode(r, profile="POS-5890", qr_mode="auto")
    assert b"\x1d(k" not in data
    assert b"\x1dv0" in data  # raster image
    assert data.startswith(INIT + b"\x1bt\x35")  # CP858 is number 53 on this profile
    assert any(isinstance(e, Raster) for e in read(data))


def test_58mm_lines_never_exceed_32_columns_and_80mm_48():
    long_note = "Obs: " + "Handla enligt lista på kylskåpet och glöm inte mjölken " * 3
    for columns in (32, 42, 48):
        lines = [e.text for e in read(encode(receipt(long_note, columns=columns))) if isinstance(e, TextLine)]
        assert max(len(line) for line in lines) <= columns
        assert " ".join(line.strip() for line in lines if line.strip()).startswith("Obs: Handla enligt lista")


def test_big_title_uses_half_the_columns():
    r = Receipt(columns=32)
    r.title("Britt-Marie Nilsson-Påhlsson")
    lines = [e for e in read(encode(r)) if isinstance(e, TextLine) and e.text]
    assert all(len(line.text) <= 16 and line.segments[0].style.width == 2 for line in lines)
    assert [line.text for line in lines] == ["Britt-Marie", "Nilsson-Påhlsson"]


def test_inverted_alert_starts_at_its_text_not_at_the_margin():
    r = Receipt(columns=32)
    r.text("! Allergi: nötter", indent=3, invert=True, bold=True)
    line = next(e for e in read(encode(r)) if isinstance(e, TextLine) and e.text.strip())
    assert [(s.text, s.style.invert) for s in line.segments] == [("   ", False), ("! Allergi: nötter", True)]


def test_whole_run_sheet_reads_back_in_order(box):
    from printer.sheets import run_sheet

    sheet = run_sheet(box.plan(), box.day(), "s2", columns=48, printed_at=NOW, web_url="http://hembas.local")
    texts = [e.text.strip() for e in read(encode(sheet)) if isinstance(e, TextLine) and e.text.strip()]
    assert texts[:3] == ["Hemtjänst Kalix centrum", "Körlista", "Johanna Öhman"]


def night_sheet(box, *, columns=48, tick_boxes=True):
    from hembas_testing import TODAY

    from printer.sheets import run_sheet

    night = box.shifts.shift(TODAY, "natt")
    return run_sheet(box.plan(), box.day(TODAY), "s7", shift=night, columns=columns, printed_at=NOW,
                     web_url="http://hembas.local", tick_boxes=tick_boxes)


def test_every_visit_ends_with_tick_boxes_and_a_note_line_in_exact_bytes(box):
    from hembas_testing import TODAY

    visits = len(box.day(TODAY).route("s7", shift="natt"))  # 14: numbers take two digits, so indent 4
    for columns in (48, 32):
        data = encode(night_sheet(box, columns=columns))
        ticks = (b"    [ ] Utf\x94rt  [ ] Ej utf\x94rt\n"             # "ö" is 0x94 in CP858
                 b"    Notering: " + b"_" * (columns - 14) + b"\n" + b"-" * columns + b"\n")
        assert data.count(ticks) == visits
        hand_in = {48: b"L\x84mna in listan p\x86 basen efter passet.\n",  # wrapped on 58 mm paper
                   32: b"L\x84mna in listan p\x86 basen efter\npasset.\n"}[columns]
        hand_in = b"\x1bE\x01\x1ba\x01\x1dB\x00" + hand_in  # bold, centred
        assert data.count(hand_in) == 1 and data.index(hand_in) > data.rindex(ticks)


def test_tick_boxes_can_be_turned_off(box):
    data = encode(night_sheet(box, tick_boxes=False))
    assert b"[ ]" not in data and b"Notering" not in data and b"L\x84mna in" not in data
