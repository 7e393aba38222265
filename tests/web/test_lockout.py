"""Lockout: guessing stays slow, parallel guesses cannot slip past it, and a flood cannot lock a known phone out."""

import datetime as dt
import threading

import pytest

from webui.devices import COOKIE
from webui.lockout import FORGET_AFTER, Lockout, delay_after

POLICY = {"free_attempts": 3, "base_seconds": 30, "max_seconds": 900}
T0 = dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.timezone.utc)


def test_delay_grows_after_the_free_attempts_and_stops_at_the_maximum():
    assert [delay_after(n, **POLICY) for n in range(8)] == [0, 0, 0, 30, 60, 120, 240, 480]
    assert delay_after(20, **POLICY) == 900


def test_lockout_counts_per_key_and_success_forgets(data_dir):
    lockout = Lockout(data_dir, **POLICY)
    keys = ["user:u1", "addr:10.0.0.5"]
    for _ in range(3):
        assert lockout.begin(keys, now=T0) == 0
    assert lockout.begin(keys, now=T0) == 30
    assert lockout.wait_seconds(["addr:10.0.0.5"], now=T0 + dt.timedelta(seconds=31)) == 0
    assert lockout.wait_seconds(["user:u2", "addr:10.0.0.6"], now=T0) == 0
    lockout.succeeded(keys)
    assert lockout.wait_seconds(keys, now=T0) == 0


def test_a_refused_try_is_not_counted_and_a_quiet_day_starts_afresh(data_dir):
    lockout = Lockout(data_dir, **POLICY)
    for _ in range(3):
        lockout.begin(["k"], now=T0)
    for _ in range(10):
        assert lockout.begin(["k"], now=T0 + dt.timedelta(seconds=10)) == 20  # waiting, not counting
    assert lockout.begin(["k"], now=T0 + dt.timedelta(seconds=30)) == 0
    assert lockout.begin(["k"], now=T0 + dt.timedelta(seconds=31)) == 59  # 4th failure: 60 s
    assert lockout.begin(["k"], now=T0 + FORGET_AFTER + dt.timedelta(minutes=1)) == 0


def test_parallel_tries_count_before_the_pin_is_checked(data_dir):
    """Forty threads at once: exactly the free attempts get through the check (was 7 of 40)."""
    lockout = Lockout(data_dir, **POLICY)
    start, passed = threading.Barrier(40), []

    def guess():
        start.wait()
        if lockout.begin(["untrusted:u1", "addr:10.0.0.9"]) == 0:
            passed.append(1)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == POLICY["free_attempts"]


def test_forty_parallel_wrong_pins_get_three_pin_checks(app, state, make_browser):
    """The real sign-in form with the real argon2 cost, 40 requests at once from one laptop."""
    user, code = state.users.add(name="Parallell Provsson", role="staff", staff_id="s5")
    state.users.enroll(code, "602718")
    start, answers = threading.Barrier(40), []

    def guess():
        web = make_browser(app)
        token = web.csrf("/logga-in")
        start.wait()
        answers.append(web.client.post("/logga-in", data={"csrf": token, "user": user["id"], "pin": "999999"},
                                       environ_base={"REMOTE_ADDR": "10.0.0.66"}).status_code)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [401] * 3 + [429] * 37


def test_fourth_wrong_pin_locks_the_account_even_with_the_right_pin(web, accounts, box):
    for _ in range(3):
        assert web.sign_in(accounts["staff"], pin="999999").status_code == 401
    response = web.sign_in(accounts["staff"])
    assert response.status_code == 429
    assert "Vänta" in response.get_data(as_text=True)
    assert web.get("/").status_code == 302
    assert box.audit.entries(action="signin.locked")


def test_guessing_other_accounts_from_one_address_is_slowed_too(web, accounts):
    for key in ("staff", "other", "coordinator"):
        web.sign_in(accounts[key], pin="999999")
    assert web.sign_in(accounts["technician"]).status_code == 429


def test_lockout_survives_a_restart(data_dir):
    for _ in range(4):
        Lockout(data_dir, **POLICY).failed(["user:u1"], now=T0)
    assert Lockout(data_dir, **POLICY).wait_seconds(["user:u1"], now=T0) == 60


def test_guessing_enrollment_codes_is_slowed(web):
    for _ in range(3):
        response = web.post_form("/aktivera", {"kod": "AAAA-BBBB", "pin": "602718", "pin2": "602718"})
        assert response.status_code == 400
    response = web.post_form("/aktivera", {"kod": "AAAA-BBBB", "pin": "602718", "pin2": "602718"})
    assert response.status_code == 429


def test_a_weak_pin_with_a_good_code_is_not_counted_as_a_guess(web, state):
    _, code = state.users.add(name="Ny Person", role="staff")
    for _ in range(5):
        response = web.post_form("/aktivera", {"kod": code, "pin": "1234", "pin2": "1234"})
        assert response.status_code == 400 and "svårare att gissa" in response.get_data(as_text=True)
    assert web.post_form("/aktivera", {"kod": code, "pin": "602718", "pin2": "602718"}).status_code == 302


# -- known phones (OWASP device cookies) ------------------------------------------------------

@pytest.fixture
def phone(app, make_browser):
    """phone(address): a browser on its own phone at *address*."""
    def make(address):
        web = make_browser(app)
        web.client.environ_base["REMOTE_ADDR"] = address
        return web
    return make


def flood(phone, accounts, *, address=None, tries=40):
    """A laptop on the wifi sends wrong PINs for every account (no device cookie), changing its address each time."""
    for i in range(tries):
        laptop = phone(address or f"10.0.1.{i}")
        for account in accounts.values():
            laptop.sign_in(account, pin="999999")


def test_a_flood_does_not_lock_a_known_phone_out(phone, accounts):
    carer, coordinator = phone("10.0.0.21"), phone("10.0.0.22")
    for web, key in ((carer, "staff"), (coordinator, "coordinator")):
        assert web.sign_in(accounts[key]).status_code == 302
        web.post_form("/logga-ut", {}, page="/")
    flood(phone, accounts)
    assert carer.sign_in(accounts["staff"]).status_code == 302
    assert carer.get("/").status_code == 200
    assert coordinator.sign_in(accounts["coordinator"]).status_code == 302
    # A phone that never signed in with the account is on the untrusted path: locked while the flood lasts.
    assert phone("10.0.0.23").sign_in(accounts["other"]).status_code == 429


def test_a_flood_from_a_spoofed_address_does_not_lock_the_known_phone_at_that_address(phone, accounts):
    carer = phone("10.0.0.21")
    carer.sign_in(accounts["staff"])
    carer.post_form("/logga-ut", {}, page="/")
    flood(phone, accounts, address="10.0.0.21", tries=10)
    assert carer.sign_in(accounts["staff"]).status_code == 302


def test_a_known_phone_has_its_own_small_budget(phone, accounts):
    carer = phone("10.0.0.21")
    carer.sign_in(accounts["staff"])
    carer.post_form("/logga-ut", {}, page="/")
    for _ in range(3):
        assert carer.sign_in(accounts["staff"], pin="999999").status_code == 401
    assert carer.sign_in(accounts["staff"]).status_code == 429
    assert phone("10.0.0.24").sign_in(accounts["staff"]).status_code == 302  # others are not locked


def test_a_tampered_device_cookie_counts_as_an_unknown_phone(phone, accounts):
    carer = phone("10.0.0.21")
    carer.sign_in(accounts["staff"])
    carer.post_form("/logga-ut", {}, page="/")
    cookie = carer.client.get_cookie(COOKIE).value
    carer.client.set_cookie(COOKIE, cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"))
    assert "Johanna Öhman" not in carer.get("/logga-in").get_data(as_text=True)
    flood(phone, {"staff": accounts["staff"]}, tries=5)
    assert carer.sign_in(accounts["staff"]).status_code == 429


def test_the_sign_in_page_lists_no_accounts_to_an_unknown_phone(phone, accounts):
    page = phone("10.0.0.30").get("/logga-in").get_data(as_text=True)
    for account in accounts.values():
        assert account["name"] not in page and account["id"] not in page
    assert 'name="namn"' in page


def test_a_known_phone_offers_its_names_with_one_tap(phone, accounts):
    shared = phone("10.0.0.31")
    for key in ("staff", "other"):
        shared.sign_in(accounts[key])
        shared.post_form("/logga-ut", {}, page="/")
    page = shared.get("/logga-in").get_data(as_text=True)
    assert 'type="radio" name="user" value="%s" checked' % accounts["other"]["id"] in page  # the latest first
    assert accounts["staff"]["name"] in page and accounts["coordinator"]["name"] not in page


def test_signing_in_with_a_typed_name(phone, accounts, state):
    web = phone("10.0.0.32")
    token = web.csrf("/logga-in")
    for typed, status in (("  johanna   öhman ", 302), ("Lina", 302), ("Ingen Alls", 401)):
        response = web.client.post("/logga-in", data={"csrf": token, "namn": typed, "pin": "482913"})
        assert response.status_code == status, typed
        if status == 302:
            web.post_form("/logga-ut", {}, page="/")
            token = web.csrf("/logga-in")
    _, code = state.users.add(name="Lina Berg", role="staff")
    state.users.enroll(code, "602718")
    assert state.users.named("lina") is None  # two Linas: the first name is not enough
