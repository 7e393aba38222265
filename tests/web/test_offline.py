"""The box's side of the offline day: what a phone may save, idempotent writes, the outbox's JSON answers."""

import datetime as dt

from hembas_testing import TODAY


def write_url(box, staff_id="s2"):
    visit = box.day(TODAY).route(staff_id)[0]
    return visit, f"/klient/{visit.client_id}/skriv", f"/klient/{visit.client_id}"


def test_the_same_form_posted_twice_with_one_key_stores_one_record(as_staff, box):
    visit, url, page = write_url(box)
    form = {"kind": "note", "text": "Åt bra.", "visit_id": visit.id,
            "idempotency_key": "5b0c2a2e-58d5-4c39-9a0b-2f8a3f3a1c11"}
    token = as_staff.csrf(page)
    first = as_staff.client.post(url, data={"csrf": token, **form})
    second = as_staff.client.post(url, data={"csrf": token, **form})  # the double tap, or a retry after a lost answer
    assert first.status_code == second.status_code == 302 and first.location == second.location
    [note] = box.records.find(kind="note")
    assert note["key"] == form["idempotency_key"] and note["body"] == {"text": "Åt bra."}


def test_each_form_carries_its_own_key(as_staff, box):
    _, _, page = write_url(box)
    html = as_staff.get(page).get_data(as_text=True)
    keys = [part.split('"')[0] for part in html.split('name="idempotency_key" value="')[1:]]
    assert len(keys) >= 2 and len(set(keys)) == len(keys)


def test_a_key_reused_for_another_text_is_refused_not_swallowed(as_staff, box):
    _, url, page = write_url(box)
    key = "0f9e8d7c-58d5-4c39-9a0b-2f8a3f3a1c11"
    as_staff.post_form(url, {"kind": "note", "text": "Först", "idempotency_key": key}, page=page)
    response = as_staff.post_form(url, {"kind": "note", "text": "Något annat", "idempotency_key": key}, page=page)
    assert response.status_code == 409 and "redan skickat" in response.get_data(as_text=True)
    assert [r["body"]["text"] for r in box.records.find(kind="note")] == ["Först"]


def test_a_malformed_key_is_refused(as_staff, box):
    _, url, page = write_url(box)
    response = as_staff.post_form(url, {"kind": "note", "text": "Hej", "idempotency_key": "<script>"}, page=page)
    assert response.status_code == 400 and box.records.find(kind="note") == []


def test_the_outbox_gets_json_answers(as_staff, box):
    visit, url, page = write_url(box)
    json = {"Accept": "application/json"}
    token = as_staff.client.get("/offline/csrf").get_json()["csrf"]
    stored = as_staff.client.post(url, headers=json, data={"csrf": token, "kind": "note", "text": "Hej",
                                                           "idempotency_key": "a" * 36})
    assert stored.status_code == 200 and stored.get_json()["id"] == box.records.find(kind="note")[0]["id"]
    refused = as_staff.client.post(url, headers=json, data={"csrf": token, "kind": "outcome", "visit_id": visit.id,
                                                            "done": "0", "reason": "", "idempotency_key": "b" * 36})
    assert refused.status_code == 422 and "varför" in refused.get_json()["error"]
    forged = as_staff.client.post(url, headers=json, data={"csrf": "x" * 32, "kind": "note", "text": "Hej"})
    assert forged.status_code == 400 and "Formuläret har gått ut" in forged.get_json()["error"]
    gone = as_staff.client.post("/klient/nobody/skriv", headers=json, data={"csrf": token, "kind": "note", "text": "x"})
    assert gone.status_code == 404 and gone.get_json()["error"]
    assert "Skriv varför" not in as_staff.get(page).get_data(as_text=True)  # a JSON answer flashes nothing


def test_the_outbox_keeps_when_it_was_written(as_staff, box):
    _, url, page = write_url(box)
    now = dt.datetime.now(dt.timezone.utc)
    for key, written in (("c" * 36, now - dt.timedelta(hours=3)), ("d" * 36, now - dt.timedelta(days=3))):
        as_staff.post_form(url, {"kind": "note", "text": key, "idempotency_key": key,
                                 "written_at": written.isoformat()}, page=page)
    kept, clamped = box.records.find(kind="note")
    assert kept["device_time"] == (now - dt.timedelta(hours=3)).isoformat(timespec="seconds")
    assert clamped["device_time"] >= now.isoformat(timespec="seconds")[:16]  # three days old: the box's time


def test_an_ended_session_sends_the_outbox_to_sign_in(as_staff, state, accounts):
    state.sessions.end_all(accounts["staff"]["id"])
    answer = as_staff.client.get("/offline/csrf", headers={"Accept": "application/json"})
    assert answer.status_code == 302 and "/logga-in" in answer.location


def test_the_phone_saves_only_my_route_and_the_box_logs_it(as_staff, box):
    day = as_staff.get("/offline/dag").get_json()
    mine = box.day(TODAY).route("s2", shift="dag")
    assert day["shift"] == f"{TODAY}/dag" and day["pages"][0] == "/" and day["pages"][-1] == "/kontakter"
    assert day["pages"][1:-1] == [f"/klient/{v.client_id}?besok={v.id}" for v in mine]
    assert dt.datetime.fromisoformat(day["until"]) == box.shifts.shift(TODAY, "dag").end + dt.timedelta(hours=1)
    assert all(p.startswith("/static/") for p in day["static"])
    [entry] = [e for e in box.audit.entries() if e["action"] == "offline.save"]
    assert entry["actor"] == "s2" and entry["detail"]["clients"] == sorted({v.client_id for v in mine})


def test_pages_fetched_to_be_saved_are_logged_as_saved(as_staff, box):
    visit = box.day(TODAY).route("s2")[0]
    as_staff.get(f"/klient/{visit.client_id}?besok={visit.id}", headers={"X-Hembas-Save": "1"})
    as_staff.get(f"/klient/{visit.client_id}")
    opens = [e for e in box.audit.entries() if e["action"] == "client.open"]
    assert sorted(bool(e["detail"].get("saved")) for e in opens) == [False, True]


def test_a_technician_saves_nothing(as_technician, box):
    day = as_technician.get("/offline/dag").get_json()
    assert day["pages"] == [] and day["static"] == [] and day["until"] == ""
    assert not [e for e in box.audit.entries() if e["action"] == "offline.save"]


def test_manifest_and_worker_are_public_and_pages_stay_out_of_the_http_cache(web, as_staff):
    manifest = web.client.get("/manifest.webmanifest")
    data = manifest.get_json(force=True)
    assert manifest.mimetype == "application/manifest+json" and data["name"] == "Hembas" and data["lang"] == "sv"
    assert data["start_url"] == "/" and data["display"] == "standalone"
    assert {"512x512"} <= {i["sizes"] for i in data["icons"]} and any(i.get("purpose") == "maskable"
                                                                      for i in data["icons"])
    for icon in data["icons"]:
        with web.client.get(icon["src"]) as answer:
            assert answer.status_code == 200 and answer.data
    worker = web.client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache" and b"hembas-dag" in worker.data
    assert as_staff.get("/").headers["Cache-Control"] == "no-store"


def test_a_page_fetched_to_be_saved_leaves_the_carers_session_and_message(as_staff, box):
    _, url, page = write_url(box)
    as_staff.post_form(url, {"kind": "note", "text": "Åt bra."}, page=page)  # flashes "Sparat." for the next page
    saved = as_staff.get("/", headers={"X-Hembas-Save": "1"})
    assert "Set-Cookie" not in saved.headers and "Sparat." not in saved.get_data(as_text=True)
    assert "Sparat." in as_staff.get(page).get_data(as_text=True)
