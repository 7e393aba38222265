"""The render cache (webui.page_cache): every kind of write shows on the very next request, and every hit is logged.

Each test first loads the page once so that it is in the cache, then
writes the way the box really does (a plan import, the card's form, the
morning meeting's sync.day.changes, sign-out), then asks again.
"""

import datetime as dt

import pytest
from flask import request
from hembas_testing import NOW, TODAY, fixed_clock, move_visit

from sync.day.changes import audit_as, mark_absent
from sync.errors import StoreError
from sync.plan.demo import demo_plan
from webui import clients, team, today


def html_of(web, url):
    response = web.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def renders(monkeypatch):
    """How often each cached view really rendered its template."""
    counts = {"today": 0, "clients": 0, "team": 0}
    for module in (today, clients, team):
        def counting(*args, _real=module.render_template, _name=module.__name__.split(".")[-1], **kwargs):
            counts[_name] += 1
            return _real(*args, **kwargs)
        monkeypatch.setattr(module, "render_template", counting)
    return counts


def test_a_repeated_page_is_not_rendered_again_but_every_view_is_logged(as_staff, box, renders):
    client_id = box.day(TODAY).route("s2")[0].client_id
    pages = [html_of(as_staff, f"/klient/{client_id}") for _ in range(3)]
    assert pages[0] == pages[1] == pages[2]
    assert renders["clients"] == 1
    opened = box.audit.entries(action="client.open", target=client_id)
    assert len(opened) == 3 and {e["detail"]["entry_shown"] for e in opened} == {True}
    assert len({e["id"] for e in opened}) == 3
    for url, action in (("/", "view.today"), ("/laget", "view.team")):
        first, second = html_of(as_staff, url), html_of(as_staff, url)
        assert first == second
        assert len(box.audit.entries(action=action)) == 2
    assert renders == {"today": 1, "clients": 1, "team": 1}


def test_another_account_never_gets_my_page(web, accounts, box):
    client_id = next(c for c in box.plan().clients if c not in {v.client_id for v in box.day(TODAY).route("s2")})
    entry = box.plan().clients[client_id].entry
    web.sign_in(accounts["coordinator"])
    assert entry in html_of(web, f"/klient/{client_id}")
    web.post_form("/logga-ut", {}, page="/")
    web.sign_in(accounts["staff"])
    html = html_of(web, f"/klient/{client_id}")
    assert entry not in html and "Johanna Öhman" in html


def test_a_new_plan_shows_at_once(as_staff, box):
    visit = box.day(TODAY).route("s2")[0]
    assert "Nytt Namn" not in html_of(as_staff, "/")
    document = demo_plan(TODAY)
    next(c for c in document["clients"] if c["id"] == visit.client_id)["name"] = "Nytt Namn"
    document["generated_at"] = (dt.datetime.fromisoformat(document["generated_at"])
                                + dt.timedelta(minutes=1)).isoformat()
    box.mirror.import_document(document, source="test", today=TODAY)
    assert "Nytt Namn" in html_of(as_staff, "/")
    assert "Nytt Namn" in html_of(as_staff, f"/klient/{visit.client_id}")


def test_a_note_and_an_outcome_show_at_once(as_staff, box):
    visit = box.day(TODAY).route("s2")[0]
    card = f"/klient/{visit.client_id}"
    html_of(as_staff, card), html_of(as_staff, "/")
    # Following the redirect shows "Sparat." (never cached); the request after it is the one that counts.
    as_staff.post_form(f"{card}/skriv", {"kind": "note", "text": "Åt bra idag."}, page=card, follow_redirects=True)
    assert "Åt bra idag." in html_of(as_staff, card)
    assert "Ej utfört" not in html_of(as_staff, "/")
    as_staff.post_form(f"{card}/skriv", {"kind": "outcome", "visit_id": visit.id, "done": "0",
                                         "reason": "Inte hemma"}, page=card, follow_redirects=True)
    assert "Ej utfört" in html_of(as_staff, "/")


def test_a_move_by_the_morning_meeting_shows_at_once(as_staff, box):
    visit = box.day(TODAY).route("s3")[0]
    before_today, before_team = html_of(as_staff, "/"), html_of(as_staff, "/laget")
    assert "Flyttat idag" not in before_today and ">Flyttat<" not in before_team
    move_visit(box, visit, ["s2"])
    assert "Flyttat idag" in html_of(as_staff, "/")
    assert ">Flyttat<" in html_of(as_staff, "/laget")


def test_an_absence_shows_at_once(as_staff, box, dag):
    url = f"/laget?datum={TODAY.isoformat()}&pass=dag"
    count = len(box.day(TODAY).unassigned(shift="dag"))
    assert f"Ingen tilldelad ({count})" in html_of(as_staff, url)
    mark_absent(box, "s3", dag, author="s1", audit=audit_as(box, "s1"))
    freed = len(box.day(TODAY).unassigned(shift="dag")) - count
    assert freed > 0 and f"Ingen tilldelad ({count + freed})" in html_of(as_staff, url)


def test_after_sign_out_nothing_is_served(as_staff, box):
    client_id = box.day(TODAY).route("s2")[0].client_id
    html_of(as_staff, f"/klient/{client_id}"), html_of(as_staff, "/")
    as_staff.post_form("/logga-ut", {}, page="/")
    for url in (f"/klient/{client_id}", "/", "/laget"):
        response = as_staff.get(url)
        assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_a_flashed_message_is_shown_once(as_staff, box):
    card = f"/klient/{box.day(TODAY).route('s2')[0].client_id}"
    html_of(as_staff, card)
    saved = as_staff.post_form(f"{card}/skriv", {"kind": "note", "text": "Ringde anhörig."}, page=card,
                               follow_redirects=True)
    assert "Sparat." in saved.get_data(as_text=True)
    assert "Sparat." not in html_of(as_staff, card)


def test_the_clock_moving_on_changes_the_page(as_staff, box):
    html = html_of(as_staff, "/")
    box.clock = fixed_clock(box.data_dir, now=NOW + dt.timedelta(hours=1))
    later = html_of(as_staff, "/")
    assert later != html and "3 tim sedan" in later
    box.clock = fixed_clock(box.data_dir, now=NOW.replace(year=2000))  # implausible: not trusted
    assert "klockan är inte bekräftad" in html_of(as_staff, "/")


@pytest.fixture
def entered(app):
    """The paths of the requests that reached Flask's request handling (a kept page is answered before it)."""
    paths = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: paths.append(request.full_path))
    return paths


def test_a_kept_page_is_answered_before_flask_exactly_as_flask_answered_it(as_staff, box, entered):
    card = f"/klient/{box.day(TODAY).route('s2')[0].client_id}"
    first, second = as_staff.get(card), as_staff.get(card)
    assert entered == [f"{card}?"]
    assert (second.status, second.get_data()) == (first.status, first.get_data())
    assert sorted(second.headers.items()) == sorted(first.headers.items())
    assert "Set-Cookie" not in second.headers and second.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in second.headers


def test_a_hit_is_logged_with_its_own_address_and_saving(as_staff, box, entered):
    card = f"/klient/{box.day(TODAY).route('s2')[0].client_id}"
    as_staff.get(card, environ_base={"REMOTE_ADDR": "10.0.0.7"})
    as_staff.get(card, environ_base={"REMOTE_ADDR": "10.0.0.8"}, headers={"X-Hembas-Save": "1"})
    assert len(entered) == 1
    hit, first = box.audit.entries(action="client.open")  # newest first
    assert (first["detail"]["address"], hit["detail"]["address"]) == ("10.0.0.7", "10.0.0.8")
    assert "saved" not in first["detail"] and hit["detail"]["saved"] is True
    assert hit["actor"] == first["actor"] == "s2"
    assert {k: v for k, v in hit["detail"].items() if k not in ("address", "saved")} == \
        {k: v for k, v in first["detail"].items() if k != "address"}


def test_a_cookie_with_a_wrong_signature_gets_no_page(web, accounts, box):
    card = f"/klient/{box.day(TODAY).route('s2')[0].client_id}"
    web.sign_in(accounts["staff"])
    html_of(web, card)
    value = web.client.get_cookie("hembas").value
    web.client.set_cookie("hembas", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    response = web.get(card)
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_a_hit_that_cannot_be_logged_shows_the_swedish_error_and_no_page(as_staff, box, monkeypatch):
    card = f"/klient/{box.day(TODAY).route('s2')[0].client_id}"
    entry = box.plan().clients[card.rsplit("/", 1)[1]].name
    assert entry in html_of(as_staff, card)

    def full(*args, **kwargs):
        raise StoreError("kunde inte skriva granskningsloggen: disken är full")
    monkeypatch.setattr(box.audit, "record", full)
    response = as_staff.get(card)
    assert response.status_code == 507 and "Inte sparat" in response.get_data(as_text=True)
    assert entry not in response.get_data(as_text=True)


def test_a_store_that_cannot_be_read_is_the_app_s_error_page_not_a_bare_500(as_staff, box, monkeypatch):
    card = f"/klient/{box.day(TODAY).route('s2')[0].client_id}"
    html_of(as_staff, card)

    def unreadable():
        raise StoreError("kunde inte läsa anteckningarna: Input/output error")
    monkeypatch.setattr(box.records, "revision", unreadable)
    response = as_staff.get(card)
    assert response.status_code == 507 and "Inte sparat" in response.get_data(as_text=True)
