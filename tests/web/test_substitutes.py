"""A substitute for one shift: added at the meeting, a one-time code, their own route only, until the shift ends."""

import datetime as dt
import re

import pytest
from hembas_testing import NOW, TODAY, fixed_clock

HERE = f"?datum={TODAY.isoformat()}&pass=dag"


def files_holding(data_dir, secret):
    return [p.name for p in data_dir.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


@pytest.fixture
def added(as_staff, box):
    """Kim Berg added for the day shift by Johanna (s2), with a printed slip; returns (code, substitute id)."""
    html = as_staff.post_form("/laget/vikarie" + HERE, {"namn": "Kim  Berg", "telefon": "070-123 45 67", "print": "1"},
                              page="/laget/vikarie" + HERE).get_data(as_text=True)
    code = re.search(r'class="code">([A-Z0-9-]+)<', html).group(1)
    [record] = box.records.find(kind="substitute")
    return code, record["body"]["id"]


def signed_in_substitute(app, make_browser, code):
    web = make_browser(app)
    response = web.post_form("/vikarie", {"kod": code})
    assert response.status_code == 302, response.get_data(as_text=True)
    return web


def test_adding_a_substitute_shows_the_code_once_with_a_qr_code(as_staff, box, state, added):
    code, sub = added
    assert sub.startswith("vik-") and box.day(TODAY).crew("dag")[-1] == sub
    assert box.day(TODAY).staff[sub].name == "Kim Berg"
    assert box.audit.entries(action="day.substitute")[0]["actor"] == "s2"
    [account] = [u for u in state.users.all() if u["role"] == "substitute"]
    assert account["staff_id"] == sub and account["until"] == "2026-11-27T15:00:00+00:00"  # 16:00 in Kalix
    page = as_staff.get("/laget" + HERE).get_data(as_text=True)
    assert code not in page and "Kim Berg (vikarie)" in page  # on the meeting page, without the code


def test_the_slip_carries_the_code_until_printed_and_nothing_secret_stays_on_disk(as_staff, box, state, added):
    code, _sub = added
    [job] = [j for j in state.print_queue().jobs() if j["kind"] == "substitute"]
    assert job["title"] == "Vikarielapp Kim Berg" and job["ordered_by"] == "s2"
    state.print_queue().process_once()
    for secret in (code, code.replace("-", "")):
        assert files_holding(box.data_dir, secret) == [], secret
    assert code not in as_staff.get("/utskrift").get_data(as_text=True)


def test_the_code_signs_in_once(app, make_browser, added, box):
    code, sub = added
    web = signed_in_substitute(app, make_browser, code)
    assert "Kim Berg" in web.get("/").get_data(as_text=True)
    again = make_browser(app).post_form("/vikarie", {"kod": code})
    assert again.status_code == 400 and "redan använd" in again.get_data(as_text=True)
    assert box.audit.entries(action="signin")[0]["actor"] == sub
    assert box.audit.entries(action="substitute.failed")


def test_a_substitute_code_does_not_enroll_a_pin(app, make_browser, added):
    code, _sub = added
    response = make_browser(app).post_form("/aktivera", {"kod": code, "pin": "482913", "pin2": "482913"})
    assert response.status_code == 400


def test_a_substitute_sees_only_their_own_route_and_its_clients(app, make_browser, added, box, as_staff):
    code, sub = added
    given = [v.id for v in box.day(TODAY).route("s3", shift="dag")[:2]]
    as_staff.post_form("/laget/tilldela" + HERE, {"besok": given, "personal": sub}, page="/laget")
    web = signed_in_substitute(app, make_browser, code)
    plan = box.plan()
    mine = {box.day(TODAY).visit(v).client_id for v in given}
    html = web.get("/").get_data(as_text=True).replace("&#39;", "'")
    assert all(plan.clients[c].name in html for c in mine)
    assert web.get("/?personal=s2").status_code == 403
    client = next(iter(mine))
    card = web.get(f"/klient/{client}")
    assert card.status_code == 200 and 'class="entry"' in card.get_data(as_text=True)  # the door: on their route
    other = box.day(TODAY).route("s2", shift="dag")[0].client_id
    assert web.get(f"/klient/{other}").status_code == 403
    for path in ("/laget", "/laget/forslag" + HERE, "/tva-veckor", "/utskrift", "/overlamning", "/export", "/status"):
        assert web.get(path).status_code == 403, path
    assert web.post_form("/laget/franvaro" + HERE, {"franvarande": "s2"}, page="/").status_code == 403
    contacts = web.get("/kontakter").get_data(as_text=True)
    assert plan.contacts[0].name in contacts and "Johanna Öhman" in contacts
    menu = web.get("/").get_data(as_text=True)
    assert "Laget idag" not in menu and "Två veckor" not in menu


def test_what_a_substitute_writes_is_theirs(app, make_browser, added, box, as_staff):
    code, sub = added
    visit = box.day(TODAY).route("s3", shift="dag")[0]
    as_staff.post_form("/laget/tilldela" + HERE, {"besok": visit.id, "personal": sub}, page="/laget")
    web = signed_in_substitute(app, make_browser, code)
    web.post_form(f"/klient/{visit.client_id}/skriv", {"kind": "note", "text": "Hittade dörren"},
                  page=f"/klient/{visit.client_id}")
    web.post_form(f"/klient/{visit.client_id}/skriv", {"kind": "outcome", "visit_id": visit.id, "done": "1"},
                  page=f"/klient/{visit.client_id}")
    assert [r["author"] for r in box.records.find(kind=("note", "outcome"))] == [sub, sub]
    assert "Kim Berg" in web.get(f"/klient/{visit.client_id}").get_data(as_text=True)
    other = box.day(TODAY).route("s2", shift="dag")[0].client_id
    response = web.post_form(f"/klient/{other}/skriv", {"kind": "note", "text": "x"}, page="/")
    assert response.status_code == 403


def test_the_sign_in_ends_with_the_shift(app, make_browser, added, box):
    code, _sub = added
    web = signed_in_substitute(app, make_browser, code)
    assert web.get("/").status_code == 200
    box.clock = fixed_clock(box.data_dir, now=NOW.replace(hour=16, minute=1))
    response = web.get("/")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_an_unused_code_expires_with_the_shift(app, make_browser, added, box):
    code, _sub = added
    box.clock = fixed_clock(box.data_dir, now=NOW + dt.timedelta(hours=9))
    assert make_browser(app).post_form("/vikarie", {"kod": code}).status_code == 400


def test_a_substitute_needs_a_name_and_a_phone(as_staff, box):
    response = as_staff.post_form("/laget/vikarie" + HERE, {"namn": "Kim Berg", "telefon": ""})
    assert response.status_code == 400 and "Kim Berg" in response.get_data(as_text=True)
    assert box.records.find(kind="substitute") == []


def test_taking_a_substitute_back_ends_their_sign_in(app, make_browser, added, box, as_staff, state):
    code, _sub = added
    web = signed_in_substitute(app, make_browser, code)
    [record] = box.records.find(kind="substitute")
    as_staff.post_form("/laget/angra" + HERE, {"andring": record["id"]}, page="/laget")
    assert web.get("/").status_code == 302
    assert [u for u in state.users.all() if u["role"] == "substitute"] == []


def test_the_personal_page_gives_no_new_code_to_a_substitute(app, make_browser, accounts, added, state):
    as_coordinator = make_browser(app)
    as_coordinator.sign_in(accounts["coordinator"])
    [account] = [u for u in state.users.all() if u["role"] == "substitute"]
    assert f"/personal/{account['id']}/ny-kod" not in as_coordinator.get("/personal").get_data(as_text=True)
    assert as_coordinator.post_form(f"/personal/{account['id']}/ny-kod", {}, page="/personal").status_code == 404
