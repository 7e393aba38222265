"""CSV exports from Swedish office software become ordinary plan documents."""

import pytest

from sync.plan.csv_import import csv_to_document
from sync.errors import PlanInvalid
from sync.plan.validate import parse_plan

TEAM = {"id": "kalix-centrum", "name": "Hemtjänst Kalix centrum"}
CSV = (
    "Datum;Pass;Starttid;Sluttid;Brukar-ID;Brukare;Adress;Område;Personal-ID;Personal;Insatser;Anteckning;Ordning\r\n"
    "2026-11-27;Dag;7:30;08:15;c1;Åke Öberg;Älvvägen 3, Kalix;Näsbyn;s1;Märta Ås;morgonhjälp, läkemedel;Nyckel i skåp;1\r\n"
    "2026-11-27;dag;;;c2;Britt-Marie O'Neill;Storgatan 12A, Kalix;;s1+s2;Märta Ås, Göran Lind;dusch;;2\r\n"
    "2026-11-28;Kväll;;;c1;Åke Öberg;Älvvägen 3, Kalix;Näsbyn;;;kvällshjälp;;\r\n"
    ";;;;;;;;;;;;\r\n"
)


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")])
def test_csv_in_either_encoding_becomes_the_same_plan(encoding, bom):
    document = csv_to_document(bom + CSV.encode(encoding), team=TEAM)
    plan = parse_plan(document)
    assert plan.clients["c1"].name == "Åke Öberg"
    assert plan.clients["c2"].name == "Britt-Marie O'Neill"
    assert plan.staff["s2"].name == "Göran Lind"
    first, second, evening = plan.visits
    assert first.window.start.isoformat() == "07:30:00" and first.tasks == ("morgonhjälp", "läkemedel")
    assert second.staff_ids == ("s1", "s2") and second.window is None
    assert evening.shift == "kväll" and evening.staff_ids == ()
    assert str(plan.valid_from) == "2026-11-27" and str(plan.valid_to) == "2026-11-28"


def test_headers_match_without_case_or_spaces():
    text = CSV.replace("Datum;Pass", " DATUM ; pass ")
    assert len(parse_plan(csv_to_document(text.encode(), team=TEAM)).visits) == 3


def test_missing_column_is_named():
    text = CSV.replace(";Insatser;", ";Uppgifter;")
    with pytest.raises(PlanInvalid, match="kolumn saknas: insatser"):
        csv_to_document(text.encode(), team=TEAM)


def test_row_problems_name_the_row():
    text = CSV.replace(";7:30;08:15;", ";7:30;;").replace(";dusch;;2", ";dusch;;två")
    with pytest.raises(PlanInvalid) as info:
        csv_to_document(text.encode(), team=TEAM)
    assert info.value.problems == ["rad 2: både starttid och sluttid behövs, eller ingen",
                                   'rad 3: ordning "två" är inget heltal']


def test_csv_values_still_go_through_validation():
    text = CSV.replace("Dag;7:30", "Förmiddag;7:30")
    with pytest.raises(PlanInvalid, match="shift: ska vara dag, kväll eller natt"):
        parse_plan(csv_to_document(text.encode(), team=TEAM))


def test_empty_file_is_refused():
    with pytest.raises(PlanInvalid, match="tom"):
        csv_to_document(b"", team=TEAM)


def test_same_client_with_different_details_is_refused():
    text = CSV.replace("2026-11-28;Kväll;;;c1;Åke Öberg;Älvvägen 3", "2026-11-28;Kväll;;;c1;Åke Öberg;Älvvägen 5")
    with pytest.raises(PlanInvalid, match="rad 4: brukare c1 har andra uppgifter än på rad 2"):
        csv_to_document(text.encode(), team=TEAM)


def test_field_too_long_for_the_csv_reader_is_refused_with_its_row():
    text = CSV.replace("Nyckel i skåp", "x" * 200_000)
    with pytest.raises(PlanInvalid, match="rad 2: ogiltig CSV"):
        csv_to_document(text.encode(), team=TEAM)


NIGHT_CSV = (
    "Datum;Pass;Starttid;Sluttid;Brukar-ID;Brukare;Adress;Personal-ID;Personal;Insatser\r\n"
    "2026-11-27;Natt;5.45;6.15;c1;Åke Öberg;Älvvägen 3, Kalix;s7;Elin Ström;vändning\r\n"
    "2026-11-27;Natt;22:30;06:30;c2;Britt-Marie O'Neill;Storgatan 12A, Kalix;s7;Elin Ström;tillsyn\r\n"
    "2026-11-27;Natt;23:45;24:00;c3;Gun Ek;Åvägen 1, Kalix;s7;Elin Ström;toalettbesök\r\n"
    "2026-11-27;Natt;00:30;01:00;c1;Åke Öberg;Älvvägen 3, Kalix;s7;Elin Ström;tillsyn\r\n"
)


def test_a_night_window_across_midnight_is_the_next_morning_in_csv_too():
    plan = parse_plan(csv_to_document(NIGHT_CSV.encode(), team=TEAM))
    route = plan.visits_for("s7", plan.valid_from)
    assert [(v.window.start.isoformat(timespec="minutes"), v.window.end.isoformat(timespec="minutes"))
            for v in route] == [("22:30", "06:30"), ("23:45", "00:00"), ("00:30", "01:00"), ("05:45", "06:15")]
    assert [v.span() for v in route] == [(1350, 1830), (1425, 1440), (1470, 1500), (1785, 1815)]


def test_a_csv_window_longer_than_twelve_hours_is_refused():
    with pytest.raises(PlanInvalid) as info:
        parse_plan(csv_to_document(NIGHT_CSV.replace("22:30;06:30", "06:30;22:30").encode(), team=TEAM))
    assert info.value.problems == ["visits[1].window: fönstret 06:30–22:30 är längre än 12 timmar "
                                   "(en sluttid före starttiden betyder nästa morgon)"]
