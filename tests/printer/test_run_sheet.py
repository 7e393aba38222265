"""What a run-sheet says, and what it must never say."""

import dataclasses
import re

from hembas_testing import NOW, TODAY

from printer.sheets import route_url, run_sheet
from sync.day.changes import assign, audit_as


def sheet(box, staff_id="s2", **options):
    options.setdefault("columns", 48)
    return run_sheet(box.plan(), box.day(TODAY), staff_id, printed_at=NOW, web_url="http://hembas.local",
                     **options).plain_text()


def first_visit(box, staff_id="s2"):
    visit = box.day(TODAY).route(staff_id)[0]
    return visit, box.plan().clients[visit.client_id]


def test_header_has_team_name_date_shift_and_plan_freshness(box):
    lines = sheet(box).splitlines()
    assert lines[:6] == ["Hemtjänst Kalix centrum", "Körlista", "Johanna Öhman", "Fredag 27 november 2026",
                         "Pass: dag", "Plan från 27/11 05:12"]


def test_visits_in_route_order_with_client_address_and_tasks(box):
    text = sheet(box)
    route = box.day(TODAY).route("s2")
    positions = [text.index(f"{n}. ") for n in range(1, len(route) + 1)]
    assert positions == sorted(positions)
    visit, client = first_visit(box)
    assert re.search(rf"^1\. +{re.escape(client.name)}$", text, re.M)
    assert client.address.split(",")[0] in text
    assert "Insatser: " + visit.tasks[0] in text


def test_entry_codes_and_times_only_when_configured(box):
    visit, client = next((v, box.plan().clients[v.client_id]) for v in box.day(TODAY).route("s2") if v.window)
    plain = sheet(box)
    assert client.entry not in plain.replace("\n", " ") and "Nyckel/kod" not in plain
    assert "Tid: " not in plain
    full = sheet(box, print_entry=True, print_times=True)
    assert "Nyckel/kod: " in full
    assert f"Tid: {visit.window.start:%H:%M}-{visit.window.end:%H:%M}" in full


def test_no_phone_numbers_of_clients_or_relatives(box):
    text = sheet(box, print_entry=True, print_times=True)
    for visit in box.day(TODAY).route("s2"):
        client = box.plan().clients[visit.client_id]
        assert client.phone not in text
        assert all(contact.phone not in text for contact in client.contacts)


def test_alerts_are_emphasised(box):
    receipt = run_sheet(box.plan(), box.day(TODAY), "s2", columns=48, printed_at=NOW, web_url="http://x")
    alert_lines = [b for b in receipt.blocks if getattr(b, "text", "").startswith("! ")]
    assert alert_lines and all(b.invert and b.bold for b in alert_lines)


def test_double_staffing_names_the_partner(box):
    day = box.day(TODAY)
    visit = next(v for v in day.visits if len(v.staff_ids) == 2)
    first, partner = visit.staff_ids
    assert f"Dubbelbemanning med {box.plan().staff[partner].name}" in sheet(box, first).replace("\n", " ")


def test_a_visit_moved_this_morning_is_on_the_new_carers_sheet(box):
    visit, client = first_visit(box, "s2")
    assign(box, TODAY, [(visit.id, ["s3"])], author="s1", audit=audit_as(box, "s1"))
    assert "(Flyttat hit idag)" in sheet(box, "s3")
    assert visit.id not in [v.id for v in box.day(TODAY).route("s2")]


def test_footer_has_team_contacts_and_qr_to_this_route(box):
    text = sheet(box)
    assert "Jour kväll och natt" in text and "0923-650 99" in text
    assert f"[QR {route_url('http://hembas.local', 's2', TODAY)}]" in text


def test_58mm_sheet_fits_32_columns(box):
    lines = sheet(box, columns=32, print_entry=True).splitlines()
    assert max(len(line) for line in lines if not line.startswith("[QR")) <= 32


def test_very_long_names_and_notes_stay_whole(box):
    plan = box.plan()
    visit, client = first_visit(box)
    long_client = dataclasses.replace(client, name="Anna-Lena Älvsbyn-Larsson Nilsson-Påhlsson")
    plan.clients[client.id] = long_client
    text = sheet(box, columns=32)
    assert "Anna-Lena Älvsbyn-Larsson" in text and "Nilsson-Påhlsson" in text


def test_a_substitute_gets_a_sheet_and_is_named_as_a_partner(box):
    from printer import jobs
    from sync.day.changes import add_substitute

    who = {"author": "s1", "audit": audit_as(box, "s1")}
    sub = add_substitute(box, box.shifts.shift(TODAY, "dag"), name="Kim Berg", phone="070-123 45 67", **who)
    sub_id = sub["body"]["id"]
    day = box.day(TODAY)
    visit = next(v for v in day.shift("dag") if day.needs(v) == 2)
    keep = visit.staff_ids[0]
    assign(box, TODAY, [(visit.id, [keep, sub_id])], **who)
    assert "Dubbelbemanning med Kim Berg" in sheet(box, keep).replace("\n", " ")
    text = sheet(box, sub_id)
    assert "Kim Berg" in text and box.plan().clients[visit.client_id].name in text
    client = box.plan().clients[visit.client_id]  # a stranger's sheet: where, and whom to call
    flat = " ".join(text.split())
    assert f"Område: {client.area}" in flat and client.phone not in flat  # still no client phone on paper
    assert f"Vikarie? Frågor under passet: {box.plan().staff['s1'].name}" in flat  # who added them
    assert box.plan().staff["s1"].phone in flat
    assert "Område:" not in sheet(box, keep) and "Vikarie?" not in sheet(box, keep)
    assert b"Kim Berg" in jobs.render(box, "sheet", {"staff_id": sub_id, "date": TODAY.isoformat()})


def night(box, **options):
    options.setdefault("columns", 48)
    shift = box.shifts.shift(TODAY, "natt")
    return run_sheet(box.plan(), box.day(TODAY), "s7", shift=shift, printed_at=NOW, web_url="http://hembas.local",
                     **options).plain_text()


def test_a_shifts_sheet_names_the_shift_and_its_hours_into_the_next_morning(box):
    lines = night(box).splitlines()
    assert lines[:6] == ["Hemtjänst Kalix centrum", "Körlista", "Elin Ström", "Fredag 27 november 2026",
                         "Nattpass 21:30-lör 07:15", "Plan från 27/11 05:12"]
    assert f"[QR {route_url('http://hembas.local', 's7', TODAY, 'natt')}]" in lines
    assert route_url("http://x", "s7", TODAY, "natt") == "http://x/idag?personal=s7&datum=2026-11-27&pass=natt"


def test_night_times_follow_the_shifts_timeline_with_the_morning_marked(box):
    from sync.day.shifts import window_label

    route = box.day(TODAY).route("s7", shift="natt")
    times = [line.strip().removeprefix("Tid: ") for line in night(box, print_times=True).splitlines()
             if line.strip().startswith("Tid: ")]
    assert times == [window_label(v, NOW.tzinfo, dash="-") for v in route if v.window]
    assert "22:30-lör 06:30" in times and any(t.startswith("lör 0") for t in times)  # across and after midnight
    starts = [v.span()[0] for v in route if v.window and v.span()[1] - v.span()[0] <= 4 * 60]
    assert starts == sorted(starts) and starts[-1] > 24 * 60  # in route order, into the next morning


def test_a_shifts_sheet_leaves_out_the_other_shifts(box):
    visits = box.day(TODAY).route("s7")
    assert {v.shift for v in visits} == {"natt"}
    assert "Inga besök" not in night(box)
    shift = box.shifts.shift(TODAY, "dag")
    text = run_sheet(box.plan(), box.day(TODAY), "s7", shift=shift, columns=48, printed_at=NOW,
                     web_url="http://x").plain_text()
    assert "Dagpass 07:00-16:00 - inga besök" in text and "[ ] Utfört" not in text and "Lämna in" not in text


def test_each_visit_has_tick_boxes_and_the_footer_asks_for_the_sheet_back(box):
    text = night(box)
    visits = len(box.day(TODAY).route("s7", shift="natt"))
    assert text.count("[ ] Utfört  [ ] Ej utfört") == visits and text.count("Notering: ") == visits
    assert "Lämna in listan på basen efter passet." in text
    assert "[ ] Utfört" not in night(box, tick_boxes=False)


def test_every_shift_is_named_in_full_on_its_sheet(box):
    for name, title in (("dag", "Dagpass 07:00-16:00"), ("kväll", "Kvällspass 15:00-22:00"),
                        ("natt", "Nattpass 21:30-lör 07:15")):
        text = run_sheet(box.plan(), box.day(TODAY), "s6", shift=box.shifts.shift(TODAY, name), columns=48,
                         printed_at=NOW, web_url="http://x").plain_text()
        assert title in text
