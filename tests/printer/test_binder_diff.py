"""What changed since the printed binder: the pure diff of two snapshots, tested as data."""

import copy
import datetime as dt

from hembas_testing import NOW, TODAY, fixed_clock, move_visit

from printer.binder_diff import Changes, VisitRow, binder_period, diff, snapshot


def snap(visits, *, days=("2026-11-27", "2026-11-28"), covered=None, clients=None, contacts="k1"):
    """A snapshot as printer.binder_diff.snapshot writes it, by hand: routes in the order of *visits*."""
    routes = {}
    for visit_id, date, shift, _client, staff_ids, *_rest in visits:
        for staff_id in staff_ids:
            routes.setdefault(f"{date}/{shift}/{staff_id}", []).append(visit_id)
    return {"version": "v", "generated_at": "", "team": "T", "days": list(days), "routes": routes,
            "covered": list(days if covered is None else covered), "visits": [list(v) for v in visits],
            "clients": clients or {"c1": ["Åsa", "a"], "c2": ["Bo", "b"]}, "staff": {"s1": "Ann", "s2": "Eva"},
            "contacts": contacts}


V1 = ("v1", "2026-11-27", "dag", "c1", ["s1"], ["dusch"], "", "")
V2 = ("v2", "2026-11-27", "dag", "c2", ["s1"], ["inköp"], "", "")
V3 = ("v3", "2026-11-28", "kväll", "c1", ["s2"], ["kvällsmat"], "", "")


def test_identical_snapshots_have_no_changes():
    changes = diff(snap([V1, V2, V3]), snap([V1, V2, V3]))
    assert not changes and changes.count() == 0 and changes.sections() == []


def test_added_removed_and_changed_visits_are_listed_exactly():
    moved = ("v2", "2026-11-27", "dag", "c2", ["s2"], ["inköp", "städ"], "", "")
    added = ("v4", "2026-11-28", "dag", "c2", [], ["tillsyn"], "Ny", "")
    changes = diff(snap([V1, V2, V3]), snap([moved, V3, added]))
    assert changes.added == (VisitRow.from_data(added),)
    assert changes.removed == (VisitRow.from_data(V1),)
    assert changes.changed == ((VisitRow.from_data(V2), VisitRow.from_data(moved), ("staff_ids", "tasks")),)
    assert changes.count() == 3
    assert changes.sections() == ["cover", "day/2026-11-27", "day/2026-11-28", "client/c1", "client/c2"]


def test_a_new_order_of_a_route_is_a_change_but_a_visit_added_in_front_is_not_a_reorder():
    swapped = diff(snap([V1, V2]), snap([V2, V1]))
    assert swapped.reordered == (("2026-11-27", "dag", "s1"),) and not swapped.changed
    first = ("v0", "2026-11-27", "dag", "c2", ["s1"], ["lunch"], "", "")
    inserted = diff(snap([V1, V2]), snap([first, V1, V2]))
    assert inserted.reordered == () and [r.id for r in inserted.added] == ["v0"]


def test_a_later_window_reports_new_and_passed_days_not_every_visit_on_them():
    later = ("v9", "2026-11-29", "dag", "c1", ["s1"], ["dusch"], "", "")
    changes = diff(snap([V1, V3]), snap([V3, later], days=("2026-11-28", "2026-11-29")))
    assert changes.passed_days == ("2026-11-27",) and changes.new_days == ("2026-11-29",)
    assert changes.added == () and changes.removed == ()  # v1 passed; v9 is on a new day
    assert changes.count() == 0 and changes  # nothing changed, but pages are to be swapped
    assert "day/2026-11-29" in changes.sections()


def test_a_day_the_printed_binder_had_no_plan_for_is_new_when_the_plan_covers_it():
    old = snap([V1], covered=("2026-11-27",))
    new = snap([V1, V3])
    changes = diff(old, new)
    assert changes.new_days == ("2026-11-28",) and changes.added == ()


def test_client_details_and_contacts_are_changes_of_their_own():
    changes = diff(snap([V1]), snap([V1], clients={"c1": ["Åsa", "new address"], "c2": ["Bo", "b"]}, contacts="k2"))
    assert changes.clients == ("c1",) and changes.contacts and changes.count() == 2
    assert changes.client_days == ("2026-11-27",)  # the day pages show the client's address and alerts too
    assert changes.sections() == ["cover", "contacts", "day/2026-11-27", "client/c1"]


def test_counting_is_what_the_reminder_uses():
    assert Changes(added=(1, 2), changed=(3,), reordered=(4,), clients=("c",), contacts=True).count() == 6


# -- snapshots of the real box: a new plan and the team's own changes ---------------------


def test_a_republished_plan_shows_exactly_the_visits_that_changed(box, demo_document):
    printed = snapshot(binder_period(box), box.config["printer"])
    document = copy.deepcopy(demo_document)
    document["generated_at"] = "2026-11-27T06:00:00+01:00"
    first, second, third = [v for v in document["visits"] if v["date"] == "2026-11-28" and v["staff_ids"]][:3]
    first["staff_ids"] = ["s5"] if first["staff_ids"] != ["s5"] else ["s4"]
    second["tasks"] = ["dusch", "frukost"]
    document["visits"].remove(third)
    document["visits"].append({"id": "v99999", "client_id": "c03", "date": "2026-12-01", "shift": "kväll",
                               "staff_ids": ["s6"], "tasks": ["tillsyn"]})
    box.mirror.import_document(document, source="test", today=TODAY)
    changes = diff(printed, snapshot(binder_period(box), box.config["printer"]))
    assert [r.id for r in changes.added] == ["v99999"]
    assert [r.id for r in changes.removed] == [third["id"]]
    assert {(old.id, fields) for old, _new, fields in changes.changed} == {(first["id"], ("staff_ids",)),
                                                                          (second["id"], ("tasks",))}
    assert changes.new_days == changes.passed_days == () and changes.clients == () and not changes.contacts


def test_a_local_reassignment_is_a_change_without_a_new_plan(box):
    printed = snapshot(binder_period(box), box.config["printer"])
    day = box.day(TODAY)
    visit = day.route("s3")[0]
    move_visit(box, visit, ["s2"])
    changes = diff(printed, snapshot(binder_period(box), box.config["printer"]))
    (old, new, fields), = changes.changed
    assert old.id == visit.id and old.staff_ids == ("s3",) and new.staff_ids == ("s2",) and fields == ("staff_ids",)
    assert changes.added == changes.removed == ()


def test_the_next_morning_the_binder_has_one_passed_day_and_one_new_one_only_if_the_plan_has_it(box):
    printed = snapshot(binder_period(box), box.config["printer"])
    box.clock = fixed_clock(box.data_dir, now=NOW + dt.timedelta(days=1))
    changes = diff(printed, snapshot(binder_period(box), box.config["printer"]))
    assert changes.passed_days == ("2026-11-27",)
    assert changes.new_days == ()  # the plan ends on 10 December: the 11th is not planned yet
    assert changes.count() == 0


def test_the_morning_meetings_changes_flow_through_the_effective_day(box, who, dag):
    """A sick call, a substitute who takes a visit, a new route order and an extra visit: all in the diff."""
    from sync.day.changes import add_extra_visit, add_substitute, assign, mark_absent, set_order

    printed = snapshot(binder_period(box), box.config["printer"])
    day = box.day(TODAY)
    sick = day.route("s3", shift="dag")
    mark_absent(box, "s3", dag, **who)
    substitute = add_substitute(box, dag, name="Kim Berg", phone="070-123 45 67", **who)["body"]["id"]
    assign(box, TODAY, [(sick[0].id, [substitute])], **who)
    route = [v.id for v in box.day(TODAY).route("s2", shift="dag")]
    set_order(box, dag, "s2", list(reversed(route)), **who)
    extra = add_extra_visit(box, dag, "c07", tasks=["tillsyn"], note="Hemkommen från sjukhuset", **who)
    current = snapshot(binder_period(box), box.config["printer"])
    changes = diff(printed, current)
    changed = {old.id: (old.staff_ids, new.staff_ids) for old, new, _fields in changes.changed}
    without_s3 = {v.id: (v.staff_ids, tuple(s for s in v.staff_ids if s != "s3")) for v in sick[1:]}
    assert changed == {**without_s3, sick[0].id: (sick[0].staff_ids, (substitute,))}
    assert [r.id for r in changes.added] == [extra["body"]["id"]] and changes.removed == ()
    assert changes.reordered == (("2026-11-27", "dag", "s2"),)
    assert current["staff"][substitute] == "Kim Berg"
