"""A run-sheet's fingerprint changes exactly when what the sheet shows changes."""

import dataclasses

from hembas_testing import TODAY

from sync.day.changes import add_substitute, assign, mark_absent, set_order
from sync.day.fingerprint import route_fingerprint, route_fingerprints
from sync.plan.demo import demo_plan


def prints(box, shift="dag"):
    return route_fingerprints(box.plan(), box.day(TODAY), shift=shift)


def test_a_move_changes_both_sheets_and_no_other(box, who):
    before = prints(box)
    visit = box.day(TODAY).route("s2", shift="dag")[0]
    assign(box, TODAY, [(visit.id, ["s3"])], **who)
    after = prints(box)
    changed = {s for s in before if before[s] != after.get(s)}
    assert changed == {"s2", "s3"}


def test_an_absence_changes_the_absent_and_the_empty_route_differs(box, who):
    sick = "s3"
    printed = route_fingerprint(box.plan(), box.day(TODAY), sick, shift="dag")
    mark_absent(box, sick, box.shifts.shift(TODAY, "dag"), **who)
    assert sick not in prints(box)
    assert route_fingerprint(box.plan(), box.day(TODAY), sick, shift="dag") != printed


def test_route_order_changes_the_sheet(box, who):
    route = [v.id for v in box.day(TODAY).route("s2", shift="dag")]
    before = prints(box)
    set_order(box, box.shifts.shift(TODAY, "dag"), "s2", [route[-1]], **who)
    after = prints(box)
    assert {s for s in before if before[s] != after[s]} == {"s2"}


def test_a_substitute_partner_changes_the_partners_sheet(box, who):
    day = box.day(TODAY)
    visit = next(v for v in day.shift("dag") if day.needs(v) == 2)
    keep, leave = visit.staff_ids
    sub = add_substitute(box, box.shifts.shift(TODAY, "dag"), name="Kim Berg", phone="070-1234567", **who)
    before = prints(box)
    assign(box, TODAY, [(visit.id, [keep, sub["body"]["id"]])], **who)
    after = prints(box)
    assert before[keep] != after[keep] and sub["body"]["id"] in after


def test_a_new_plan_changes_only_the_sheets_whose_content_changed(box):
    before = prints(box)
    document = demo_plan(TODAY)
    route = box.day(TODAY).route("s2", shift="dag")
    client_id = route[0].client_id
    for client in document["clients"]:
        if client["id"] == client_id:
            client["alerts"] = [*client["alerts"], "Ny larmknapp"]
    untouched = dict(document, generated_at=document["generated_at"].replace("05:12", "06:12"))
    box.mirror.import_document(untouched, source="test", today=TODAY, allow_older=True)
    after = prints(box)
    owners = {s for v in box.day(TODAY).shift("dag") if v.client_id == client_id for s in v.staff_ids}
    assert {s for s in before if before[s] != after[s]} == owners and "s2" in owners


def test_the_fingerprint_is_stable_and_short(box):
    plan, day = box.plan(), box.day(TODAY)
    assert route_fingerprint(plan, day, "s2") == route_fingerprint(plan, box.day(TODAY), "s2")
    assert len(route_fingerprint(plan, day, "s2")) == 16
    assert route_fingerprint(plan, day, "s2") != route_fingerprint(plan, day, "s2", shift="dag")  # another sheet
    renamed = dataclasses.replace(plan.team, name="Annat team")
    assert route_fingerprint(dataclasses.replace(plan, team=renamed), day, "s2") != route_fingerprint(plan, day, "s2")
