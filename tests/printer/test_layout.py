"""Wrapping for 58 mm and 80 mm paper: never a confusing break."""

from hypothesis import given
from hypothesis import strategies as st

from printer.layout import Receipt, wrap, wrap_address


def test_wrap_breaks_between_words_and_indents_continuations():
    assert wrap("Insatser: dusch, frukost, läkemedel, promenad", 32, indent=5, first_indent=3) == [
        "   Insatser: dusch, frukost,", "     läkemedel, promenad"]


def test_hyphenated_name_breaks_after_its_hyphen():
    assert wrap("Britt-Marie Nilsson-Påhlsson-Älvsbyn", 16) == ["Britt-Marie", "Nilsson-", "Påhlsson-Älvsbyn"]


def test_address_keeps_street_with_its_number_and_breaks_at_commas():
    assert wrap_address("Norrgårdsvägen 23B, 952 31 Kalix", 32, indent=3) == ["   Norrgårdsvägen 23B,",
                                                                               "   952 31 Kalix"]
    assert wrap_address("Storgatan 5, Kalix", 32, indent=3) == ["   Storgatan 5, Kalix"]


def test_address_part_wider_than_the_paper_still_breaks_between_words():
    lines = wrap_address("Stora Norrgårdsvägens servicehus avdelning 12, Kalix", 24, indent=3)
    assert all(len(line) <= 24 for line in lines)
    assert " ".join(line.strip() for line in lines) == "Stora Norrgårdsvägens servicehus avdelning 12, Kalix"


def test_pair_puts_phone_right_aligned_or_below_when_too_long():
    r = Receipt(columns=32)
    r.pair("Sjuksköterska", "0923-650 11")
    r.pair("Trygghetslarm, larmcentral i Kalix", "020-123 45 67")
    assert r.plain_text().splitlines() == ["Sjuksköterska        0923-650 11", "Trygghetslarm, larmcentral i",
                                           "Kalix", "  020-123 45 67"]


words = st.text(alphabet="abcåäöÅÄÖé-", min_size=1, max_size=40)


@given(st.lists(words, min_size=1, max_size=30), st.sampled_from([32, 42, 48]), st.integers(0, 6))
def test_no_line_is_wider_than_the_paper_and_no_text_is_lost(parts, columns, indent):
    text = " ".join(parts)
    lines = wrap(text, columns, indent=indent)
    assert all(len(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@given(st.lists(words, min_size=1, max_size=30), st.sampled_from([32, 42, 48]))
def test_words_that_fit_are_never_split(parts, columns):
    lines = wrap(" ".join(parts), columns)
    pieces = [piece for line in lines for piece in line.split()]
    for word in parts:
        if len(word) <= columns and "-" not in word:
            assert word in pieces
