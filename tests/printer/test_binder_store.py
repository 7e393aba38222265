"""Which binder is on the shelf, the change list, and the reminder."""

import copy
import datetime as dt
import re

import pytest
from hembas_testing import NOW, TODAY, binder_on_the_shelf, fixed_clock, move_visit, pdftotext

from printer.binder import sort_name
from printer.binder_store import BinderStore, NoBinder, page_ranges
from sync.plan.demo import demo_plan


@pytest.fixture
def store(box):
    return BinderStore(box)


def republish(box, document, **changes):
    """Import *document* again, a minute newer, after applying *changes* to it."""
    document = copy.deepcopy(document)
    document["generated_at"] = "2026-11-27T06:00:00+01:00"
    for edit in changes.values():
        edit(document)
    box.mirror.import_document(document, source="test", today=TODAY)
    return document


def test_making_a_binder_does_not_put_it_on_the_shelf_marking_does(store, box):
    binder, record = store.make(by="s1")
    assert store.made()["made_at"] == record["made_at"] and store.printed() is None
    assert record["made_by"] == "Amira Hassan" and record["page_count"] == binder.page_count
    store.mark_printed(by="s1")
    assert store.printed()["version"] == box.plan().version
    entry = box.audit.entries(action="binder.printed")[0]
    assert entry["actor"] == "s1" and entry["target"] == box.plan().version


def test_marking_before_anything_was_made_is_refused(store):
    with pytest.raises(NoBinder, match="ingen pärm är gjord"):
        store.mark_printed(by="s1")


def test_the_next_binder_says_which_it_replaces(store):
    binder_on_the_shelf(store.box)
    binder, _ = store.make(by="s1")
    assert re.search(r"Ersätter\s+utskrift från 27/11 2026 \d\d:\d\d \(plan \w{12}\)", pdftotext(binder.data))


def test_change_list_between_two_plans_lists_exactly_the_changed_visits(store, box, demo_document):
    binder_on_the_shelf(store.box)
    printed = store.printed()
    tomorrow = [v for v in demo_document["visits"] if v["date"] == "2026-11-28" and v["staff_ids"]]
    moved, dropped = tomorrow[0], tomorrow[1]
    new_staff = "s5" if moved["staff_ids"] != ["s5"] else "s4"

    def move(document):
        next(v for v in document["visits"] if v["id"] == moved["id"])["staff_ids"] = [new_staff]

    def drop(document):
        document["visits"] = [v for v in document["visits"] if v["id"] != dropped["id"]]

    def add(document):
        document["visits"].append({"id": "v99999", "client_id": "c07", "date": "2026-12-01", "shift": "kväll",
                                   "staff_ids": ["s6"], "tasks": ["extra tillsyn"]})

    republish(box, demo_document, move=move, drop=drop, add=add)
    result = store.changes(by="s1")
    changes = result.changes
    assert ([r.id for r in changes.added], [r.id for r in changes.removed], [c[0].id for c in changes.changed]) == \
        (["v99999"], [dropped["id"]], [moved["id"]])
    text = pdftotext(result.data)
    plan = box.plan()
    assert "Ändringar sedan senaste pärmen" in text
    assert "1 besök tillagt, 1 besök borttaget, 1 besök ändrat." in text
    assert re.search(r"Tillagda besök \(1\)\s+tis 1/12 kväll\s+" + re.escape(plan.clients["c07"].name), text)
    assert re.search(r"Borttagna besök \(1\)\s+lör 28/11 dag\s+" + re.escape(plan.clients[dropped["client_id"]].name),
                     text)
    old_name = plan.staff[moved["staff_ids"][0]].name
    assert f"vem: {old_name} -> {plan.staff[new_staff].name}" in text
    assert f"plan {printed['version']}" in text and f"plan {plan.version}" in text
    # The pages to swap: the cover, the two days and the three clients, old pages and new.
    sections = changes.sections()
    assert sections[:3] == ["cover", "day/2026-11-28", "day/2026-12-01"]
    for key in sections:
        if key.startswith("client/"):
            name = sort_name(plan.clients[key.split("/")[1]].name)
            old, new = printed["pages"][key], result.record["pages"][key]
            assert re.search(rf"{re.escape(name)}\s+{old[0]}\S*\s+{new[0]}", text), key
    assert len(pdftotext(result.data).split("\f")) <= 3  # short: one or two pages


def test_change_list_after_a_local_reassignment(store, box):
    binder_on_the_shelf(store.box)
    visit = box.day(TODAY).route("s3")[0]
    move_visit(box, visit, ["s2"])
    result = store.changes(by="s1")
    (old, new, fields), = result.changes.changed
    assert old.id == visit.id and fields == ("staff_ids",)
    text = pdftotext(result.data)
    assert "1 besök ändrat." in text and "vem: Lina Kärrman -> Johanna Öhman" in text
    assert "Tillagda besök" not in text and "Borttagna besök" not in text


def test_no_change_list_without_a_printed_binder(store):
    with pytest.raises(NoBinder, match="ingen pärm är markerad som utskriven"):
        store.changes(by="s1")


def test_an_unchanged_binder_gets_a_change_list_that_says_so(store):
    binder_on_the_shelf(store.box)
    result = store.changes(by="s1")
    assert not result.changes and "Inga ändringar" in pdftotext(result.data)


def test_reminder_counts_changes_against_the_setting(store, box):
    assert store.reminder() == {"printed": None, "changes": 0, "new_days": 0, "stale": False,
                                "reason": "ingen pärm är utskriven"}
    binder_on_the_shelf(store.box)
    assert store.reminder()["stale"] is False and "stämmer med planen" in store.reminder()["reason"]
    box.config["binder"]["remind_changes"] = 2
    for visit in box.day(TODAY).route("s3")[:3]:
        move_visit(box, visit, ["s2"])
    reminder = store.reminder()
    assert reminder["changes"] == 3 and reminder["stale"] is True
    assert "3 ändringar och 0 nya dagar" in reminder["reason"]


def test_reminder_counts_the_planned_days_the_binder_lacks(store, box):
    binder_on_the_shelf(store.box)
    later = demo_plan(TODAY, days=17)  # the same two weeks and three more days
    later["generated_at"] = "2026-11-30T05:12:00+01:00"
    box.clock = fixed_clock(box.data_dir, now=NOW + dt.timedelta(days=3))
    box.mirror.import_document(later, source="test", today=TODAY + dt.timedelta(days=3))
    reminder = store.reminder()
    assert reminder["changes"] == 0 and reminder["new_days"] == 3 and reminder["stale"] is True  # more than remind_days = 2
    box.config["binder"]["remind_days"] = 3
    assert store.reminder()["stale"] is False


def test_the_lights_may_reuse_a_recent_answer(store, box):
    binder_on_the_shelf(store.box)
    first = store.reminder(max_age=60)
    move_visit(box, box.day(TODAY).route("s3")[0], ["s2"])
    assert store.reminder(max_age=60) is first
    assert store.reminder()["changes"] == 1


def test_page_ranges_merge_neighbouring_sections():
    record = {"pages": {"cover": [1, 2], "contacts": [3, 3], "day/a": [4, 7], "client/x": [60, 60],
                        "client/y": [61, 61], "client/z": [70, 71]}}
    assert page_ranges(record, ["cover", "day/a", "client/x", "client/y", "client/z"]) == "1-2,4-7,60-61,70-71"
