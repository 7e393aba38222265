import datetime as dt

import pytest

from webui import create_app
from webui.users import UserError


def test_every_page_needs_sign_in(web):
    for url in ("/", "/klient/c01", "/status"):
        response = web.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/logga-in")


def test_sign_in_with_right_pin_opens_idag(web, accounts):
    response = web.sign_in(accounts["staff"])
    assert response.status_code == 302
    page = web.get("/")
    assert page.status_code == 200
    assert "Johanna Öhman" in page.get_data(as_text=True)


def test_wrong_pin_is_refused_and_audited(web, accounts, box):
    response = web.sign_in(accounts["staff"], pin="000000")
    assert response.status_code == 401
    assert web.get("/").status_code == 302
    entry = box.audit.entries(action="signin.failed")[0]
    assert entry["target"] == accounts["staff"]["id"]


def test_sign_in_is_audited(web, accounts, box):
    web.sign_in(accounts["staff"])
    assert box.audit.entries(action="signin")[0]["actor"] == "s2"


def test_session_cookie_is_httponly_and_samesite_strict(web, accounts):
    response = web.sign_in(accounts["staff"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie


def test_sign_out_ends_the_session_on_the_box(web, accounts):
    web.sign_in(accounts["staff"])
    cookie = web.client.get_cookie("hembas").value
    web.post_form("/logga-ut", {}, page="/")
    assert web.get("/").status_code == 302
    web.client.set_cookie("hembas", cookie)  # a copied cookie is useless after sign-out
    assert web.get("/").status_code == 302


def test_session_ends_after_the_shift(state, accounts):
    start = dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.timezone.utc)
    token = state.sessions.start(accounts["staff"]["id"], now=start)
    assert state.sessions.user_id(token, now=start + dt.timedelta(hours=11)) == accounts["staff"]["id"]
    assert state.sessions.user_id(token, now=start + dt.timedelta(hours=12)) is None


def test_enrollment_code_works_once(web, state):
    user, code = state.users.add(name="Ny Person", role="staff", staff_id="s4")
    page = web.get(f"/aktivera?kod={code}")
    data = {"kod": code, "pin": "739164", "pin2": "739164"}
    response = web.post_form("/aktivera", data, page=f"/aktivera?kod={code}")
    assert response.status_code == 302
    assert state.users.verify_pin(user["id"], "739164")
    assert page.status_code == 200
    with pytest.raises(UserError):
        state.users.enroll(code, "739164")


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "1111", "1234", "9876"])
def test_weak_or_malformed_pins_are_refused(state, pin):
    _, code = state.users.add(name="Ny Person", role="staff")
    with pytest.raises(UserError):
        state.users.enroll(code, pin)


def test_no_account_has_a_pin_before_enrollment(state):
    user, _ = state.users.add(name="Ny Person", role="coordinator")
    assert not state.users.verify_pin(user["id"], "0000")
    assert user not in state.users.can_sign_in()


def test_secure_cookies_when_tls_is_on(box, accounts, monkeypatch, make_browser):
    web = make_browser(create_app(box=box))
    assert not any("Secure" in c for c in web.sign_in(accounts["staff"]).headers.getlist("Set-Cookie"))
    monkeypatch.setitem(box.config["tls"], "enabled", True)
    web = make_browser(create_app(box=box))
    cookies = web.sign_in(accounts["staff"]).headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} == {"hembas", "hembas_enhet"}  # session and device cookie
    assert all("; Secure" in c for c in cookies)


def test_pins_are_stored_only_as_argon2id_hashes(state):
    _, code = state.users.add(name="Ny Person", role="staff")
    user = state.users.enroll(code, "602718")
    assert user["pin_hash"].startswith("$argon2id$") and "m=19456,t=2" in user["pin_hash"]
    assert "602718" not in (state.box.data_dir / "users.json").read_text()


def test_a_new_code_or_removal_ends_the_persons_sessions(web, accounts, state, make_browser, app):
    web.sign_in(accounts["staff"])
    coordinator = make_browser(app)
    coordinator.sign_in(accounts["coordinator"])
    coordinator.post_form(f"/personal/{accounts['staff']['id']}/ny-kod", {}, page="/personal")
    assert web.get("/").status_code == 302
    assert not state.users.verify_pin(accounts["staff"]["id"], "482913")
    web.sign_in(accounts["other"])
    coordinator.post_form(f"/personal/{accounts['other']['id']}/ta-bort", {}, page="/personal")
    assert web.get("/").status_code == 302
    assert state.users.get(accounts["other"]["id"]) is None


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example/", "/\t/evil.example",
                                    "/\n/evil.example", "/\r//evil.example", " //evil.example", "/\x00/evil.example",
                                    "/\u3000/evil.example"])
def test_next_only_goes_to_pages_of_this_box(web, accounts, target):
    response = web.client.post("/logga-in", query_string={"next": target},
                               data={"csrf": web.csrf("/logga-in"), "user": accounts["staff"]["id"], "pin": "482913"})
    assert response.location == "/"


def test_an_encoded_tab_in_next_does_not_redirect_off_the_box(web, accounts):
    """The review's finding: ``next=/%09/evil.example`` gave ``Location: //evil.example``."""
    response = web.client.post("/logga-in?next=/%09/evil.example",
                               data={"csrf": web.csrf("/logga-in"), "user": accounts["staff"]["id"], "pin": "482913"})
    assert response.location == "/"


def test_next_returns_to_the_page_asked_for(web, accounts):
    assert web.get("/kontakter").location == "/logga-in?next=/kontakter"
    response = web.client.post("/logga-in?next=/kontakter",
                               data={"csrf": web.csrf("/logga-in"), "user": accounts["staff"]["id"], "pin": "482913"})
    assert response.location == "/kontakter"


def test_a_huge_path_does_not_make_a_huge_redirect(web):
    response = web.get("/" + "x" * 70_000)
    assert response.status_code == 302 and response.location == "/logga-in"


def test_a_new_secret_key_ends_every_session(as_staff, app):
    """The session serializer is made once per app (webui.offline), but never outlives the key it was made with."""
    assert as_staff.client.get("/idag").status_code == 200
    app.secret_key = "another key " * 4
    response = as_staff.client.get("/idag")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
