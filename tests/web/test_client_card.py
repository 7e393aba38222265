import pytest
from hembas_testing import TODAY


def client_of_route(box, staff_id):
    return box.day(TODAY).route(staff_id)[0].client_id


def client_not_on_route(box, staff_id):
    mine = {v.client_id for v in box.day(TODAY).route(staff_id)}
    return next(c for c in box.plan().clients if c not in mine)


def test_staff_with_a_visit_today_sees_the_entry(as_staff, box):
    client = box.plan().clients[client_of_route(box, "s2")]
    html = as_staff.get(f"/klient/{client.id}").get_data(as_text=True)
    assert client.entry.replace("'", "&#39;") in html


def test_staff_without_a_visit_today_does_not_see_the_entry(as_staff, box):
    client = box.plan().clients[client_not_on_route(box, "s2")]
    html = as_staff.get(f"/klient/{client.id}").get_data(as_text=True)
    assert client.name in html
    assert client.entry not in html


def test_coordinator_sees_every_entry(as_coordinator, box):
    client = box.plan().clients[client_not_on_route(box, "s2")]
    assert client.entry in as_coordinator.get(f"/klient/{client.id}").get_data(as_text=True)


def test_technician_cannot_open_a_client_card(as_technician, box):
    assert as_technician.get("/klient/c01").status_code == 403
    assert as_technician.get("/", follow_redirects=True).request.path == "/status"


def test_every_opening_is_audited_with_whether_entry_was_shown(as_staff, box):
    mine, other = client_of_route(box, "s2"), client_not_on_route(box, "s2")
    as_staff.get(f"/klient/{mine}")
    as_staff.get(f"/klient/{other}")
    opened = {e["target"]: e for e in box.audit.entries(action="client.open")}
    assert opened[mine]["actor"] == "s2" and opened[mine]["detail"]["entry_shown"] is True
    assert opened[other]["detail"]["entry_shown"] is False


def test_a_visit_moved_to_me_today_shows_me_the_entry(as_staff, box):
    from sync.day.changes import assign, audit_as
    mine = {v.client_id for v in box.day(TODAY).route("s2")}
    visit = next(v for v in box.day(TODAY).shift("dag") if v.client_id not in mine)
    other = visit.client_id
    assign(box, TODAY, [(visit.id, ["s2"])], author="s1", audit=audit_as(box, "s1"))
    assert box.plan().clients[other].entry in as_staff.get(f"/klient/{other}").get_data(as_text=True)


def test_unknown_client_is_404(as_staff):
    assert as_staff.get("/klient/nobody").status_code == 404


@pytest.mark.parametrize("kind", ["note", "deviation"])
def test_note_is_saved_as_a_record_and_listed(as_staff, box, kind):
    client_id = client_of_route(box, "s2")
    response = as_staff.post_form(f"/klient/{client_id}/skriv", {"kind": kind, "text": "Åt bra idag."},
                                  page=f"/klient/{client_id}", follow_redirects=True)
    assert "Sparat." in response.get_data(as_text=True)
    assert "Åt bra idag." in response.get_data(as_text=True)
    record = box.records.find(kind=kind, client_id=client_id)[0]
    assert record["author"] == "s2" and record["plan_version"] == box.plan().version


def test_visit_not_done_needs_a_reason_and_is_recorded(as_staff, box):
    visit = box.day(TODAY).route("s2")[0]
    url = f"/klient/{visit.client_id}/skriv"
    page = f"/klient/{visit.client_id}"
    as_staff.post_form(url, {"kind": "outcome", "visit_id": visit.id, "done": "0", "reason": ""}, page=page)
    assert box.records.find(kind="outcome") == []
    as_staff.post_form(url, {"kind": "outcome", "visit_id": visit.id, "done": "0", "reason": "Inte hemma"}, page=page)
    [record] = box.records.find(kind="outcome", visit_id=visit.id)
    assert record["body"] == {"done": False, "reason": "Inte hemma"}
    assert record["date"] == TODAY.isoformat()
    assert "Ej utfört" in as_staff.get("/").get_data(as_text=True)


def outcome(web, visit, **form):
    return web.post_form(f"/klient/{visit.client_id}/skriv", {"kind": "outcome", "visit_id": visit.id, "done": "1",
                                                                 **form},
                         page=f"/klient/{visit.client_id}", follow_redirects=True)


def test_no_outcome_for_a_visit_that_has_not_begun(as_staff, box):
    """Review finding 11: a carer recorded "Utfört" for another carer's visit a week ahead."""
    import datetime as dt
    ahead = next(v for v in box.day(TODAY + dt.timedelta(days=7)).visits if "s2" not in v.staff_ids)
    evening = next(v for v in box.day(TODAY).visits if v.shift == "kväll")  # 15:00, it is 07:30
    for visit in (ahead, evening):
        html = outcome(as_staff, visit).get_data(as_text=True)
        assert "Besöket har inte börjat än" in html
    assert box.records.find(kind="outcome") == []
    morning = next(v for v in box.day(TODAY).route("s2") if v.shift == "dag")
    assert "Sparat." in outcome(as_staff, morning).get_data(as_text=True)  # today's day shift has begun
    assert len(box.records.find(kind="outcome")) == 1


def test_a_coordinator_records_or_corrects_an_outcome_afterwards(as_coordinator, box):
    import datetime as dt

    from hembas_testing import NOW, fixed_clock
    visit = next(v for v in box.day(TODAY).visits if v.shift == "kväll")
    box.clock = fixed_clock(box.data_dir, now=NOW + dt.timedelta(days=2))
    outcome(as_coordinator, visit, done="0", reason="Inte hemma")
    [record] = box.records.find(kind="outcome", visit_id=visit.id)
    outcome(as_coordinator, visit, corrects=record["id"])
    assert [r["body"]["done"] for r in box.records.find(kind="outcome", visit_id=visit.id)] == [False, True]


def test_correction_is_a_new_record_pointing_at_the_old(as_staff, box):
    client_id = client_of_route(box, "s2")
    url, page = f"/klient/{client_id}/skriv", f"/klient/{client_id}"
    as_staff.post_form(url, {"kind": "note", "text": "Fel text"}, page=page)
    old = box.records.find(kind="note")[0]
    as_staff.post_form(url, {"kind": "note", "text": "Rätt text", "corrects": old["id"]}, page=page)
    notes = box.records.find(kind="note")
    assert [n["body"]["text"] for n in notes] == ["Fel text", "Rätt text"]
    assert notes[1]["corrects"] == old["id"]


def test_someone_else_cannot_correct_my_note(web, accounts, box):
    client_id = client_of_route(box, "s2")
    web.sign_in(accounts["staff"])
    web.post_form(f"/klient/{client_id}/skriv", {"kind": "note", "text": "Min"}, page=f"/klient/{client_id}")
    old = box.records.find(kind="note")[0]
    web.post_form("/logga-ut", {}, page="/")
    web.sign_in(accounts["other"])
    response = web.post_form(f"/klient/{client_id}/skriv", {"kind": "note", "text": "Ändrad", "corrects": old["id"]},
                             page=f"/klient/{client_id}")
    assert response.status_code == 403


def test_a_failed_write_never_says_saved(as_staff, box, monkeypatch):
    from sync.errors import StoreError

    def full_disk(*args, **kwargs):
        raise StoreError("kunde inte skriva records.json: No space left on device")
    monkeypatch.setattr(box.records, "append", full_disk)
    client_id = client_of_route(box, "s2")
    response = as_staff.post_form(f"/klient/{client_id}/skriv", {"kind": "note", "text": "Viktigt"},
                                  page=f"/klient/{client_id}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 507
    assert "ingenting är sparat" in html and "Sparat." not in html
