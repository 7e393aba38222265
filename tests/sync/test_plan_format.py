"""Every rule of hembas.plan/1: a good document passes, each broken one names its place."""

import copy
import datetime as dt

import pytest

from sync.plan.demo import demo_plan
from sync.errors import PlanInvalid
from sync.plan.personnummer import looks_like_personnummer
from sync.plan.validate import MAX_FILE_BYTES, load_document, parse_plan

START = dt.date(2026, 11, 27)


def small_plan():
    return demo_plan(START, clients=3, staff=3, days=2)


def problems_of(document):
    with pytest.raises(PlanInvalid) as info:
        parse_plan(document)
    return info.value.problems


def test_demo_plan_is_valid_and_indexed():
    plan = parse_plan(demo_plan(START))
    assert 6 <= len(plan.staff) <= 8 and 35 <= len(plan.clients) <= 45
    assert plan.valid_to - plan.valid_from == dt.timedelta(days=13)
    assert plan.dates()[0] == START and len(plan.dates()) == 14
    double = [v for v in plan.visits if len(v.staff_ids) == 2]
    untimed = [v for v in plan.visits if v.window is None]
    assert double and untimed
    visit = double[0]
    for staff_id in visit.staff_ids:
        assert visit in plan.visits_for(staff_id, visit.date)
    assert visit in plan.visits_for_client(visit.client_id)


def test_route_order_is_shift_then_order():
    plan = parse_plan(demo_plan(START))
    route = plan.visits_for("s2", START)
    keys = [(v.shift != "dag", v.order) for v in route]
    assert keys == sorted(keys)


def test_same_document_same_version_and_change_gives_new_version():
    a, b = small_plan(), small_plan()
    assert parse_plan(a).version == parse_plan(b).version
    b["visits"][0]["note"] = "Ny anteckning"
    assert parse_plan(a).version != parse_plan(b).version


def broken(path, value):
    """A copy of the small plan with one field set (value=KeyError deletes it)."""
    document = small_plan()
    *parents, last = path
    target = document
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return document


@pytest.mark.parametrize("path, value, expected", [
    (("format",), "hembas.plan/2", 'format: ska vara "hembas.plan/1"'),
    (("team",), KeyError, "plan.team: saknas"),
    (("team", "id"), "kalix centrum!", "team.id: ogiltigt värde"),
    (("generated_at",), "2026-11-27T05:12:00", "generated_at: ska vara tid enligt ISO 8601 med tidszon"),
    (("valid_from",), "27/11/2026", "valid_from: ogiltigt datum"),
    (("valid_to",), "2026-11-01", "valid_to: ligger före valid_from"),
    (("valid_to",), "2027-03-01", "valid_to: planen får gälla högst"),
    (("staff", 0, "name"), "", "staff[0].name: får inte vara tom"),
    (("staff", 1, "id"), "s1", 'staff[1].id: id "s1" finns redan'),
    (("staff", 0, "phone"), "ring mig", "staff[0].phone: ogiltigt värde"),
    (("staff", 0, "extra"), 1, "staff[0].extra: okänt fält"),
    (("clients", 0, "address"), KeyError, "clients[0].address: saknas"),
    (("clients", 0, "name"), "x" * 101, "clients[0].name: för lång (101 tecken, högst 100)"),
    (("clients", 0, "notes"), "Född 19450317-2381, bor ensam", "clients[0].notes: ser ut som ett personnummer"),
    (("clients", 0, "personnummer"), "450317-2381", "clients[0].personnummer: personnummer får inte finnas"),
    (("clients", 0, "alerts"), "nötter", "clients[0].alerts: ska vara en lista"),
    (("clients", 0, "contacts"), [{"name": "Eva"}], "clients[0].contacts[0].phone: saknas"),
    (("clients", 0, "entry"), "kod\x001234", "clients[0].entry: innehåller styrtecken"),
    (("clients", 0, "notes"), "bad \ud800 text", "clients[0].notes: innehåller styrtecken eller ogiltiga tecken"),
    (("visits", 0, "client_id"), "c99", 'visits[0].client_id: okänd klient "c99"'),
    (("visits", 0, "date"), "2026-12-24", "visits[0].date: 2026-12-24 ligger utanför planens period"),
    (("visits", 0, "shift"), "förmiddag", "visits[0].shift: ska vara dag, kväll eller natt"),
    (("visits", 0, "staff_ids"), ["s9"], 'visits[0].staff_ids[0]: okänd personal "s9"'),
    (("visits", 0, "staff_ids"), ["s2", "s2"], 'visits[0].staff_ids[1]: "s2" står två gånger'),
    (("visits", 0, "staff_ids"), ["s1", "s2", "s3", "s1"], "visits[0].staff_ids: för många (4, högst 3)"),
    (("visits", 0, "tasks"), [], "visits[0].tasks: minst en insats behövs"),
    (("visits", 0, "tasks"), "dusch", "visits[0].tasks: ska vara en lista"),
    (("visits", 0, "window"), {"start": "9:00", "end": "10:00"}, "visits[0].window.start: ogiltigt värde"),
    (("visits", 0, "window"), {"start": "10:00", "end": "09:00"}, "visits[0].window: fönstret 10:00–09:00 är längre än 12"),
    (("visits", 0, "window"), {"start": "10:00", "end": "10:00"}, "visits[0].window: sluttiden får inte vara samma"),
    (("visits", 0, "order"), 0, "visits[0].order: ska vara ett heltal 1–999"),
    (("visits", 0, "order"), True, "visits[0].order: ska vara ett heltal 1–999"),
    (("visits", 1, "id"), "v00001", 'visits[1].id: id "v00001" finns redan'),
    (("contacts", 0, "phone"), "", "contacts[0].phone: får inte vara tom"),
])
def test_broken_document_is_refused_with_its_place(path, value, expected):
    problems = problems_of(broken(path, value))
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported_not_just_the_first():
    document = small_plan()
    document["visits"][0]["client_id"] = "c98"
    document["visits"][1]["client_id"] = "c99"
    document["staff"][0]["name"] = ""
    problems = problems_of(document)
    assert len(problems) == 3
    assert 'visits[1].client_id: okänd klient "c99"' in problems


def test_not_an_object_is_refused():
    assert problems_of([1, 2]) == ["plan: ska vara ett objekt"]


def test_optional_fields_may_be_left_out():
    document = small_plan()
    del document["contacts"]
    for client in document["clients"]:
        for key in ("area", "entry", "phone", "contacts", "alerts", "notes"):
            client.pop(key, None)
    for visit in document["visits"]:
        for key in ("window", "staff_ids", "note", "order"):
            visit.pop(key, None)
    plan = parse_plan(document)
    assert plan.contacts == () and all(v.staff_ids == () for v in plan.visits)


def test_hostile_text_is_kept_as_text():
    document = small_plan()
    document["clients"][0]["name"] = "<script>alert(1)</script>"
    assert parse_plan(document).clients["c01"].name == "<script>alert(1)</script>"


@pytest.mark.parametrize("text", ["450317-2381", "19450317-2381", "194503172381", "Pnr 4503172381"])
def test_personnummer_is_recognised(text):
    assert looks_like_personnummer(text)


@pytest.mark.parametrize("text", ["Storgatan 12, Kalix", "portkod 1234#", "450317-2388", "0923-650 11",
                                  "991332-1234"])
def test_ordinary_text_is_not_a_personnummer(text):
    assert not looks_like_personnummer(text)


def test_load_document_refuses_oversized_broken_and_deep_input():
    with pytest.raises(PlanInvalid, match="för stor"):
        load_document(b" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(PlanInvalid, match="ogiltig JSON"):
        load_document(b'{"format": ')
    with pytest.raises(PlanInvalid, match="inte UTF-8"):
        load_document(b'{"team": "\xe5"}')
    with pytest.raises(PlanInvalid, match="för djupt nästlad"):
        load_document(b"[" * 100_000 + b"]" * 100_000)


def test_load_document_accepts_a_bom():
    document = load_document(b"\xef\xbb\xbf" + b'{"a": 1}')
    assert document == {"a": 1}


def test_parse_does_not_change_the_document():
    document = small_plan()
    before = copy.deepcopy(document)
    parse_plan(document)
    assert document == before


def test_json_schema_names_the_same_fields_as_the_validator():
    import json
    from pathlib import Path

    from sync.plan.fields import FIELDS

    schema = json.loads((Path(__file__).parents[2] / "docs" / "plan-format.schema.json").read_text())
    objects = {"plan": schema, **schema["$defs"]}
    for kind, (required, optional) in FIELDS.items():
        assert set(objects[kind]["required"]) == set(required), kind
        assert set(objects[kind]["properties"]) == set(required) | set(optional), kind
        assert objects[kind]["additionalProperties"] is False, kind


def test_the_schema_has_the_validators_length_limits():
    import json
    from pathlib import Path

    from sync.plan.fields import LIMITS

    schema = json.loads((Path(__file__).parents[2] / "docs" / "plan-format.schema.json").read_text())
    defs = schema["$defs"]
    assert defs["visit"]["properties"]["tasks"]["items"]["maxLength"] == LIMITS["task"]
    assert defs["visit"]["properties"]["note"]["maxLength"] == LIMITS["note"]
    for key in ("notes", "entry", "address", "area"):
        assert defs["client"]["properties"][key]["maxLength"] == LIMITS[key], key
    assert defs["client"]["properties"]["alerts"]["items"]["maxLength"] == LIMITS["alert"]
    assert defs["staff"]["properties"]["role"]["maxLength"] == LIMITS["role"]


TAKLYFT = "Förflyttning med taklyft, kontrollera selen innan lyft och dokumentera eventuella rodnader på huden"


def test_a_night_patrol_plan_with_real_prose_is_accepted():
    """The plan of issue 11: a night window across midnight and a task of 99 characters."""
    document = small_plan()
    night = document["visits"][0]
    night.update(shift="natt", window={"start": "22:30", "end": "06:30"},
                 tasks=[TAKLYFT, "Läkemedel enligt signeringslista. " * 12])
    document["clients"][0]["notes"] = "Levnadsberättelse: " + "Arbetade på sågverket i Karlsborg i 40 år. " * 100
    plan = parse_plan(document)
    visit = plan.visit(night["id"])
    assert visit.span() == (22 * 60 + 30, 30 * 60 + 30)  # ends 06:30 the next morning
    assert visit.tasks[0] == TAKLYFT and len(TAKLYFT) == 99 and len(visit.tasks[1]) > 400
    assert len(plan.clients["c01"].notes) > 4000


@pytest.mark.parametrize("path, value, expected", [
    (("visits", 0, "tasks"), ["x" * 501], "visits[0].tasks[0]: för lång (501 tecken, högst 500)"),
    (("visits", 0, "note"), "x" * 4001, "visits[0].note: för lång (4001 tecken, högst 4000)"),
    (("clients", 0, "notes"), "x" * 8001, "clients[0].notes: för lång (8001 tecken, högst 8000)"),
])
def test_texts_past_the_memory_limits_are_still_refused(path, value, expected):
    assert expected in problems_of(broken(path, value))


def test_the_demo_has_day_evening_and_night_staff_and_nights_across_midnight():
    plan = parse_plan(demo_plan(START))
    day = [v for v in plan.visits if v.date == START]
    staff = {shift: {s for v in day if v.shift == shift for s in v.staff_ids} for shift in ("dag", "kväll", "natt")}
    assert all(staff.values())
    assert not staff["natt"] & (staff["dag"] | staff["kväll"]) and not staff["dag"] & staff["kväll"]
    nights = [v for v in day if v.shift == "natt"]
    assert {plan.clients[v.client_id].area for v in nights} == {c.area for c in plan.clients.values()}
    assert any(v.window and v.window.end < v.window.start for v in nights)  # across midnight
    assert any(v.window and v.window.start.hour < 7 for v in nights)       # the next morning


def test_the_demos_routes_follow_the_clock():
    plan = parse_plan(demo_plan(START))
    for staff_id in plan.staff:
        for shift in ("dag", "kväll", "natt"):
            spans = [v.span() for v in plan.visits_for(staff_id, START) if v.shift == shift and v.window]
            starts = [start for start, end in spans if end - start <= 4 * 60]  # not "some time during the night"
            assert starts == sorted(starts), (staff_id, shift)
