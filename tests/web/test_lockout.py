import datetime as dt

from webui.lockout import Lockout, delay_after

POLICY = {"free_attempts": 3, "base_seconds": 30, "max_seconds": 900}
T0 = dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.timezone.utc)


def test_delay_grows_after_the_free_attempts_and_stops_at_the_maximum():
    assert [delay_after(n, **POLICY) for n in range(8)] == [0, 0, 0, 30, 60, 120, 240, 480]
    assert delay_after(20, **POLICY) == 900


def test_lockout_counts_per_key_and_success_forgets(data_dir):
    lockout = Lockout(data_dir, **POLICY)
    keys = ["user:u1", "addr:10.0.0.5"]
    for _ in range(3):
        lockout.failed(keys, now=T0)
    assert lockout.wait_seconds(keys, now=T0) == 30
    assert lockout.wait_seconds(["addr:10.0.0.5"], now=T0 + dt.timedelta(seconds=31)) == 0
    assert lockout.wait_seconds(["user:u2", "addr:10.0.0.6"], now=T0) == 0
    lockout.succeeded(keys)
    assert lockout.wait_seconds(keys, now=T0) == 0


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
    Lockout(data_dir, **POLICY).failed(["user:u1"] * 1, now=T0)
    for _ in range(3):
        Lockout(data_dir, **POLICY).failed(["user:u1"], now=T0)
    assert Lockout(data_dir, **POLICY).wait_seconds(["user:u1"], now=T0) == 60


def test_guessing_enrollment_codes_is_slowed(web):
    for _ in range(3):
        response = web.post_form("/aktivera", {"kod": "AAAA-BBBB", "pin": "602718", "pin2": "602718"})
        assert response.status_code == 400
    response = web.post_form("/aktivera", {"kod": "AAAA-BBBB", "pin": "602718", "pin2": "602718"})
    assert response.status_code == 429
