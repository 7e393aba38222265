import pytest

from sync.text import printable


@pytest.mark.parametrize("raw, printed", [
    ("Åsa Öberg-Lidén", "Åsa Öberg-Lidén"),
    ("Fallrisk – använd rullator", "Fallrisk - använd rullator"),
    ("Säg “hej” ’då’", "Säg \"hej\" 'då'"),
    ("Vänta…", "Vänta..."),
    ("Łódź Ståhl", "Lódz Ståhl"),
    ("ﬁske", "fiske"),
    ("tab\there", "tab here"),
    ("zero\u200bwidth", "zerowidth"),
    ("emoji 😀", "emoji ?"),
])
def test_printable_keeps_swedish_and_degrades_the_rest_readably(raw, printed):
    assert printable(raw) == printed


def test_printable_output_always_encodes_in_the_printer_page():
    text = "".join(chr(c) for c in range(0x20, 0x3000))
    printable(text).encode("cp858")


def test_pdf_target_is_latin1():
    assert printable("Kö – 5 €", "latin-1") == "Kö - 5 EUR"
