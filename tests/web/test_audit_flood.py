"""Refused sign-ins cannot flood the audit log, and every real access is still written at once."""

import pytest

from webui.refusals import MAX_SOURCES, RefusalLog


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(state, box):
    """The app's refusal log on a clock the test moves."""
    clock = Clock()
    state.refusals = RefusalLog(box.audit, clock=clock)
    return clock


def refused(box):
    entries = [e for e in box.audit.entries() if e["action"] in ("signin.failed", "signin.locked")]
    return entries, sum(e["detail"].get("repeated", 1) for e in entries)


def test_a_flood_of_wrong_pins_is_one_entry_per_address_and_minute_with_the_count(web, accounts, box, clock):
    for _ in range(200):
        web.sign_in(accounts["staff"], pin="999999")
    entries, _ = refused(box)
    assert [e["action"] for e in entries] == ["signin.locked", "signin.failed"]  # the first of each, at once
    clock.now += 61
    web.get("/logga-in")  # any request writes the minutes that have ended
    entries, total = refused(box)
    assert len(entries) == 4 and total == 200
    summary = next(e for e in entries if e["detail"].get("repeated"))
    assert summary["detail"]["address"] == "127.0.0.1" and summary["detail"]["first"] <= summary["detail"]["last"]


def test_accesses_during_a_flood_are_all_written(web, accounts, box, clock, make_browser, app):
    laptop = make_browser(app)
    laptop.client.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    web.sign_in(accounts["coordinator"])
    for i in range(100):
        laptop.sign_in(accounts["staff"], pin="999999")
        if i % 10 == 0:
            web.get("/klient/c01")
    assert len(box.audit.entries(action="client.open")) == 10
    assert len(box.audit.entries(action="signin")) == 1


def test_wrong_enrollment_codes_are_audited_per_address(web, box, clock):
    for _ in range(5):
        web.post_form("/aktivera", {"kod": "AAAA-BBBB", "pin": "602718", "pin2": "602718"})
    failed = box.audit.entries(action="enroll.failed")
    assert len(failed) == 1 and failed[0]["actor"] == "okänd (127.0.0.1)"
    assert box.audit.entries(action="enroll.locked")
    clock.now += 61
    web.get("/aktivera")
    assert sum(e["detail"].get("repeated", 1) for e in box.audit.entries()
               if e["action"].startswith("enroll.")) == 5


def test_each_address_gets_its_own_first_entry_and_memory_stays_bounded(box):
    clock = Clock()
    log = RefusalLog(box.audit, clock=clock)
    for i in range(MAX_SOURCES + 10):
        for _ in range(3):
            log.record("signin.failed", actor="x", address=f"10.{i // 250}.0.{i % 250}", target="u1")
    assert len(log._open) <= MAX_SOURCES
    entries = box.audit.entries(action="signin.failed")
    assert {e["detail"]["address"] for e in entries if "repeated" not in e["detail"]} == {
        f"10.{i // 250}.0.{i % 250}" for i in range(MAX_SOURCES + 10)}
    log.flush(everything=True)
    assert sum(e["detail"].get("repeated", 1) for e in box.audit.entries(action="signin.failed")) == 3 * (
        MAX_SOURCES + 10)
