"""The A4 two-week plan."""

import pytest
from hembas_testing import TODAY, pdftotext

from printer.pdf import two_week_pdf
from sync.errors import HembasError


def test_pdf_has_fourteen_days_of_the_staff_members_visits(box):
    data = two_week_pdf(box, "s2")
    assert data.startswith(b"%PDF-")
    text = pdftotext(data)
    assert "Johanna Öhman - två veckor" in text
    assert "Fredag 27 november 2026" in text and "Torsdag 10 december 2026" in text
    first = box.day(TODAY).route("s2")[0]
    assert box.plan().clients[first.client_id].name in text


def test_pdf_follows_the_entry_setting(box):
    assert "Nyckel/kod" not in pdftotext(two_week_pdf(box, "s2"))
    box.config["printer"]["print_entry"] = True
    assert "Nyckel/kod" in pdftotext(two_week_pdf(box, "s2"))


def test_unknown_staff_is_refused(box):
    with pytest.raises(HembasError, match="finns inte"):
        two_week_pdf(box, "s99")
