"""The session cookie's serializer remembers what it checked (webui.sessions.RememberedCookies), and no more."""

import time

import pytest
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from webui.sessions import RememberedCookies


@pytest.fixture
def signer():
    return URLSafeTimedSerializer(b"k" * 32, salt="cookie-session")


def test_a_checked_cookie_is_remembered_and_its_age_still_counts(signer, monkeypatch):
    remembered = RememberedCookies(signer)
    cookie = signer.dumps({"token": "t", "csrf": "c", "_permanent": True})
    assert remembered.loads(cookie, max_age=60) == {"token": "t", "csrf": "c", "_permanent": True}
    monkeypatch.setattr(signer, "loads", lambda *a, **k: pytest.fail("checked again"))
    first = remembered.loads(cookie, max_age=60)
    first["token"] = "changed by a caller"
    assert remembered.loads(cookie, max_age=60)["token"] == "t"
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(SignatureExpired):
        remembered.loads(cookie, max_age=60)


def test_a_cookie_that_fails_is_checked_again_every_time(signer):
    remembered = RememberedCookies(signer)
    cookie = signer.dumps({"token": "t"})
    forged = cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")
    for _ in range(2):
        with pytest.raises(BadSignature):
            remembered.loads(forged, max_age=60)
    assert remembered.loads(cookie, max_age=60) == {"token": "t"}


def test_a_cookie_with_nested_data_is_not_remembered(signer, monkeypatch):
    remembered = RememberedCookies(signer)
    cookie = signer.dumps({"token": "t", "_flashes": [["ok", "Sparat."]]})
    remembered.loads(cookie, max_age=60)["_flashes"].clear()
    assert remembered.loads(cookie, max_age=60)["_flashes"] == [["ok", "Sparat."]]


def test_at_most_size_cookies_are_remembered_the_least_used_forgotten_first(signer, monkeypatch):
    remembered = RememberedCookies(signer, size=3)
    cookies = [signer.dumps({"token": str(n)}) for n in range(5)]
    for cookie in cookies:
        remembered.loads(cookie, max_age=60)
    checked, real = [], signer.loads
    monkeypatch.setattr(signer, "loads", lambda value, **k: checked.append(value) or real(value, **k))
    remembered.loads(cookies[4], max_age=60)
    remembered.loads(cookies[0], max_age=60)
    assert len(remembered) == 3 and checked == [cookies[0]]
