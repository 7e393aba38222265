"""The morning meeting's changes: absences, substitutes, assignments, route order, extra visits, undo."""

import datetime as dt

import pytest
from hembas_testing import TODAY

from sync.day.changes import ChangeRefused, add_extra_visit, add_substitute, assign, mark_absent, set_order, undo
from sync.store.records import Records


@pytest.fixture
def kvall(box):
    return box.shifts.shift(TODAY, "kväll")


def busiest(box, shift="dag"):
    """The carer with the most visits in *shift* today, who also shares a double-staffed visit."""
    day = box.day(TODAY)
    doubles = {s for v in day.shift(shift) if len(v.staff_ids) == 2 for s in v.staff_ids}
    return max(sorted(doubles), key=lambda s: len(day.route(s, shift=shift)))


def other(box, staff_id, shift="dag"):
    return next(s for s in box.day(TODAY).crew(shift) if s != staff_id)


# -- absence -------------------------------------------------------------------------------------

def test_an_absent_carers_visits_become_unassigned_and_her_sheet_goes(box, who, dag):
    sick = busiest(box)
    before = box.day(TODAY)
    hers = {v.id for v in before.route(sick, shift="dag")}
    record = mark_absent(box, sick, dag, **who)
    day = box.day(TODAY)
    assert day.route(sick, shift="dag") == () and sick not in day.staff_ids(shift="dag")
    assert sick not in day.crew("dag") and day.is_absent(sick, "dag") and not day.is_absent(sick, "kväll")
    assert hers <= {v.id for v in day.unassigned(shift="dag")}
    double = next(v for v in day.shift("dag") if v.id in hers and day.needs(v) == 2)
    assert sick not in double.staff_ids and len(double.staff_ids) == 1  # the partner stays on it
    assert record["kind"] == "absence" and record["body"] == {"staff_id": sick, "shift": "dag"}
    entry = box.audit.entries(action="day.absent")[0]
    assert entry["actor"] == "s1" and entry["target"] == sick and set(entry["detail"]["visits"]) == hers


def test_a_whole_day_absence_covers_every_shift(box, who, kvall):
    evening = box.day(TODAY).crew("kväll")[0]
    mark_absent(box, evening, kvall, whole_day=True, **who)
    day = box.day(TODAY)
    assert day.route(evening) == () and all(day.is_absent(evening, s) for s in ("dag", "kväll", "natt"))
    with pytest.raises(ChangeRefused, match="redan frånvarande hela dagen"):
        mark_absent(box, evening, kvall, whole_day=True, **who)


def test_absence_is_refused_twice_for_strangers_and_for_a_shift_not_worked(box, who, dag, kvall):
    sick = busiest(box)
    mark_absent(box, sick, dag, **who)
    with pytest.raises(ChangeRefused, match="redan frånvarande dagpasset 27/11"):
        mark_absent(box, sick, dag, **who)
    with pytest.raises(ChangeRefused, match="arbetar inte kvällspasset"):
        mark_absent(box, sick, kvall, **who)
    with pytest.raises(ChangeRefused, match="okänd personal: s99"):
        mark_absent(box, "s99", dag, **who)
    with pytest.raises(ChangeRefused, match="planen täcker inte"):
        mark_absent(box, sick, box.shifts.shift(TODAY + dt.timedelta(days=30), "dag"), **who)


def test_an_absence_takes_back_what_was_assigned_to_her_and_undoing_it_gives_it_back(box, who, dag):
    sick = busiest(box)
    visit = box.day(TODAY).unassigned(shift="dag")[0]
    assign(box, TODAY, [(visit.id, [sick])], **who)
    absence = mark_absent(box, sick, dag, **who)
    assert visit.id in {v.id for v in box.day(TODAY).unassigned(shift="dag")}
    with pytest.raises(ChangeRefused, match="är frånvarande dagpasset"):
        assign(box, TODAY, [(visit.id, [sick])], **who)
    undo(box, absence["id"], **who)
    assert visit.id in {v.id for v in box.day(TODAY).route(sick)}
    with pytest.raises(ChangeRefused, match="redan ångrad"):
        undo(box, absence["id"], **who)


# -- substitutes ---------------------------------------------------------------------------------

def test_a_substitute_works_one_shift_and_is_staff_of_that_day(box, who, dag):
    record = add_substitute(box, dag, name="  Kim   Berg ", phone="070-123 45 67", **who)
    sub = record["body"]["id"]
    assert sub.startswith("vik-") and record["body"] == {"id": sub, "name": "Kim Berg", "phone": "070-123 45 67",
                                                         "shift": "dag"}
    day = box.day(TODAY)
    assert sub in day.crew("dag") and sub not in day.crew("kväll")
    assert day.person(sub).name == "Kim Berg" and day.person(sub).role == "vikarie"
    visit = day.unassigned(shift="dag")[0]
    assign(box, TODAY, [(visit.id, [sub])], **who)
    assert [v.id for v in box.day(TODAY).route(sub)] == [visit.id] and sub in box.day(TODAY).staff_ids()
    evening = box.day(TODAY).shift("kväll")[0]
    with pytest.raises(ChangeRefused, match="vikarien Kim Berg arbetar inte kvällspasset"):
        assign(box, TODAY, [(evening.id, [sub])], **who)
    assert sub not in box.day(TODAY + dt.timedelta(days=1)).staff  # one shift of one day
    assert box.audit.entries(action="day.substitute")[0]["detail"]["name"] == "Kim Berg"


def test_undoing_a_substitute_unassigns_their_visits(box, who, dag):
    record = add_substitute(box, dag, name="Kim Berg", phone="070-123 45 67", **who)
    visit = box.day(TODAY).unassigned(shift="dag")[0]
    assign(box, TODAY, [(visit.id, [record["body"]["id"]])], **who)
    undo(box, record["id"], **who)
    day = box.day(TODAY)
    assert record["body"]["id"] not in day.staff and visit.id in {v.id for v in day.unassigned()}


@pytest.mark.parametrize("name, phone, message", [
    ("", "070-123 45 67", "namn: får inte vara tom"),
    ("Kim Berg", "", "telefon: får inte vara tom"),
    ("Kim Berg", "ring mig", "telefon: ogiltigt värde"),
    ("Kim\x00Berg", "070-1", "namn: innehåller styrtecken"),
    ("K" * 101, "070-123", "namn: för lång"),
])
def test_a_substitute_needs_a_name_and_a_phone(box, who, dag, name, phone, message):
    with pytest.raises(ChangeRefused, match=message):
        add_substitute(box, dag, name=name, phone=phone, **who)
    assert box.records.find(kind="substitute") == []


# -- assignment and double staffing --------------------------------------------------------------

def test_a_double_staffed_visit_needs_two_different_people(box, who, dag):
    day = box.day(TODAY)
    visit = next(v for v in day.shift("dag") if day.needs(v) == 2)
    first, second = visit.staff_ids
    third = next(s for s in day.crew("dag") if s not in visit.staff_ids)
    with pytest.raises(ChangeRefused, match="dubbelbemannat och behöver 2 olika personer"):
        assign(box, TODAY, [(visit.id, [third])], **who)
    with pytest.raises(ChangeRefused, match="samma person kan inte ta besöket"):
        assign(box, TODAY, [(visit.id, [third, third])], **who)
    assign(box, TODAY, [(visit.id, [first, third])], **who)
    assert box.day(TODAY).visit(visit.id).staff_ids == (first, third)
    assign(box, TODAY, [(visit.id, [])], **who)  # nobody: back to the unassigned
    assert visit.id in {v.id for v in box.day(TODAY).unassigned()}


def test_several_visits_at_once_all_or_none(box, who):
    day = box.day(TODAY)
    a, b = day.route("s2", shift="dag")[:2]
    helper = other(box, "s2")
    with pytest.raises(ChangeRefused, match="okänd personal: s99"):
        assign(box, TODAY, [(a.id, [helper]), (b.id, ["s99"])], **who)
    assert box.records.find(kind="reassign") == []
    done = assign(box, TODAY, [(a.id, [helper]), (b.id, [helper])], **who)
    assert len(done.records) == 2 and {a.id, b.id} <= {v.id for v in box.day(TODAY).route(helper)}
    assert assign(box, TODAY, [(a.id, [helper])], **who).records == ()  # no change, no record
    with pytest.raises(ChangeRefused, match="finns med två gånger"):
        assign(box, TODAY, [(a.id, ["s2"]), (a.id, ["s2"])], **who)


def test_only_people_working_the_shift_get_its_visits(box, who):
    day = box.day(TODAY)
    evening = day.crew("kväll")[0]
    visit = day.shift("dag")[0]
    with pytest.raises(ChangeRefused, match="arbetar inte dagpasset"):
        assign(box, TODAY, [(visit.id, [evening])], **who)
    with pytest.raises(ChangeRefused, match="okänt besök"):
        assign(box, TODAY, [("v99999", ["s2"])], **who)


def test_colliding_windows_are_warned_about_not_refused(box, who):
    day = box.day(TODAY)
    timed = [v for v in day.shift("dag") if v.window]
    visit, clash = next((v, w) for v in timed for w in timed
                        if v.id != w.id and set(v.staff_ids).isdisjoint(w.staff_ids) and w.staff_ids
                        and v.window.start == w.window.start and len(v.staff_ids) <= 1)
    person = clash.staff_ids[0]
    done = assign(box, TODAY, [(visit.id, [person])], **who)
    assert done.records and any("har två besök samtidigt" in w for w in done.warnings)


def test_records_written_before_the_morning_meeting_still_apply(box):
    """A reassign record in the old shape (no shift, no validation) moves the visit as before."""
    visit = box.day(TODAY).route("s2")[0]
    box.records.append("reassign", author="s1", plan_version=box.plan().version, visit_id=visit.id,
                       client_id=visit.client_id, date=TODAY, body={"staff_ids": ["s3"], "from": ["s2"]})
    day = box.day(TODAY)
    assert visit.id in {v.id for v in day.route("s3")} and visit.id in day.moved


def test_the_latest_assignment_wins_even_within_one_second(box, who):
    visit = box.day(TODAY).route("s2")[0]
    at = dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.timezone.utc)
    for staff_id in ("s3", "s4", "s5", "s3"):
        box.records.append("reassign", author="s1", visit_id=visit.id, client_id=visit.client_id, date=TODAY,
                           device_time=at, body={"staff_ids": [staff_id], "from": []})
    assert Records(box.data_dir).find(kind="reassign")[-1]["body"]["staff_ids"] == ["s3"]
    assert box.day(TODAY).visit(visit.id).staff_ids == ("s3",)


# -- route order ---------------------------------------------------------------------------------

def test_route_order_puts_the_named_visits_first_and_keeps_the_rest(box, who, dag):
    route = [v.id for v in box.day(TODAY).route("s2", shift="dag")]
    record = set_order(box, dag, "s2", [route[-1], route[2]], **who)
    expected = [route[-1], route[2]] + [v for v in route if v not in (route[-1], route[2])]
    assert [v.id for v in box.day(TODAY).route("s2", shift="dag")] == expected
    assert record["body"]["visit_ids"] == expected
    assert set_order(box, dag, "s2", expected[:1], **who) is None  # already so
    assert box.audit.entries(action="day.order")[0]["target"] == "s2"


def test_a_visit_given_after_the_order_comes_last(box, who, dag):
    route = [v.id for v in box.day(TODAY).route("s2", shift="dag")]
    set_order(box, dag, "s2", [route[1]], **who)
    newcomer = box.day(TODAY).unassigned(shift="dag")[0]
    assign(box, TODAY, [(newcomer.id, ["s2"])], **who)
    assert [v.id for v in box.day(TODAY).route("s2", shift="dag")][-1] == newcomer.id


def test_route_order_refuses_visits_not_on_the_route(box, who, dag):
    theirs = box.day(TODAY).route("s3", shift="dag")[0]
    with pytest.raises(ChangeRefused, match="finns inte på Johanna Öhmans rutt"):
        set_order(box, dag, "s2", [theirs.id], **who)
    mine = box.day(TODAY).route("s2", shift="dag")[0]
    with pytest.raises(ChangeRefused, match="två gånger"):
        set_order(box, dag, "s2", [mine.id, mine.id], **who)


# -- extra visits --------------------------------------------------------------------------------

def test_an_extra_visit_for_a_client_comes_unassigned_with_tasks_and_note(box, who, kvall):
    record = add_extra_visit(box, kvall, "c07", tasks=["tillsyn", " läkemedel "], note="Hem från sjukhuset idag.",
                             window="19:00-19:30", **who)
    visit_id = record["body"]["id"]
    day = box.day(TODAY)
    visit = day.visit(visit_id)
    assert visit_id.startswith("x-") and visit_id in day.extra
    assert (visit.client_id, visit.shift, visit.tasks, visit.note) == ("c07", "kväll", ("tillsyn", "läkemedel"),
                                                                       "Hem från sjukhuset idag.")
    assert f"{visit.window.start:%H:%M}-{visit.window.end:%H:%M}" == "19:00-19:30"
    assert visit in day.unassigned(shift="kväll")
    assign(box, TODAY, [(visit_id, [day.crew("kväll")[0]])], **who)
    assert visit_id in {v.id for v in box.day(TODAY).route(day.crew("kväll")[0])}
    assert box.audit.entries(action="day.extra_visit")[0]["detail"]["client"] == "c07"


def test_an_extra_night_visit_may_be_after_midnight(box, who):
    night = box.shifts.shift(TODAY, "natt")
    record = add_extra_visit(box, night, "c03", tasks=["tillsyn"], window="02:00-02:20", needed=2, **who)
    visit = box.day(TODAY).visit(record["body"]["id"])
    assert visit.span() == (26 * 60, 26 * 60 + 20) and box.day(TODAY).needs(visit) == 2


@pytest.mark.parametrize("kwargs, message", [
    ({"client_id": "c99"}, "okänd brukare: c99"),
    ({"tasks": []}, "1–20 insatser"),
    ({"tasks": [""]}, "insats: får inte vara tom"),
    ({"window": "14:00-14:30"}, "ligger inte inom kvällspasset"),
    ({"window": "19:00"}, "TT:MM-TT:MM"),
    ({"window": "19:00-19:00"}, "sluta efter"),
    ({"note": "Personnr 19121212-1212"}, "personnummer"),
    ({"needed": 3}, "en eller två personer"),
    ({"staff_ids": ["s2"]}, "arbetar inte kvällspasset"),
])
def test_an_extra_visit_is_checked(box, who, kvall, kwargs, message):
    args = {"client_id": "c07", "tasks": ["tillsyn"], **kwargs}
    with pytest.raises(ChangeRefused, match=message):
        add_extra_visit(box, kvall, args.pop("client_id"), **args, **who)
    assert box.records.find(kind="extra_visit") == []


def test_undo_refuses_what_is_not_a_change(box, who):
    note = box.records.append("note", author="s2", body={"text": "x"})
    with pytest.raises(ChangeRefused, match="ingen ändring med id"):
        undo(box, note["id"], **who)


def test_an_extra_visit_for_a_client_a_newer_plan_dropped_disappears(box, who, kvall, demo_document):
    add_extra_visit(box, kvall, "c07", tasks=["tillsyn"], **who)
    demo_document["clients"] = [c for c in demo_document["clients"] if c["id"] != "c07"]
    demo_document["visits"] = [v for v in demo_document["visits"] if v["client_id"] != "c07"]
    demo_document["generated_at"] = demo_document["generated_at"].replace("05:12", "06:12")
    box.mirror.import_document(demo_document, source="test", today=TODAY)
    day = box.day(TODAY)
    assert not day.extra and all(v.client_id in box.plan().clients for v in day.visits)
