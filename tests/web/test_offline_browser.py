"""My day offline, in real headless Chromium at 360×740 with the real service worker (static/sw.js).

The box is a real HTTP server on 127.0.0.1 that the test stops and starts
again on the same port (same origin, so the same service worker); the phone
goes offline with Playwright's network emulation as well.
"""

import datetime as dt
import re
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from hembas_testing import TODAY, fits_the_phone, shot, sign_in

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")]

SAVED = re.compile(r"Sparad \d\d:\d\d – inte uppdaterad")


class Box:
    """The app served from a thread; :meth:`stop` and :meth:`start` keep the port."""

    def __init__(self, app):
        self.app, self.port = app, 0
        self.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def served(app):
    server = Box(app)
    yield server
    if server.thread.is_alive():
        server.stop()


def day_is_saved(page):
    """Wait until the service worker controls the page and says the shift is saved."""
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.locator(".saved-day").wait_for()


def signed_in_with_my_day(page, served, pin):
    """Johanna (s2, the day shift) signs in at the base; returns once her shift is saved on the phone."""
    sign_in(page, served.url, "Johanna Öhman", pin)
    page.wait_for_url(served.url + "/")
    day_is_saved(page)


def leave_the_wifi(served, context):
    served.stop()
    context.set_offline(True)


def test_my_day_offline_and_a_note_sent_once(page, context, served, accounts, box, pin):
    base = served.url
    signed_in_with_my_day(page, served, pin)
    route = page.locator("ol.list a.big")
    first_name = re.sub(r"^\d+", "", route.first.inner_text()).strip()
    card = route.first.get_attribute("href")

    leave_the_wifi(served, context)
    response = page.reload()
    assert response.status == 200 and response.from_service_worker
    assert SAVED.search(page.locator(".saved").inner_text())
    assert page.locator("ol.list a.big").count() == route.count()
    assert fits_the_phone(page)
    shot(page, "20-idag-sparad")

    page.locator("ol.list a.big").first.click()
    page.get_by_role("heading", name=first_name, exact=True).wait_for()
    assert SAVED.search(page.locator(".saved").inner_text())
    assert page.locator(".entry").count() == 1  # a visit here this shift: the card as the box showed it

    page.get_by_label("Anteckning eller avvikelse").fill("Skrivet i bilen.")
    page.get_by_role("button", name="Spara anteckning").click()
    page.get_by_text("1 väntar på att skickas").wait_for()
    assert "Skrivet i bilen." in page.locator("#utkorg").inner_text()
    assert fits_the_phone(page)
    shot(page, "21-klient-utkorg")
    assert box.records.find(kind="note") == []

    served.start()
    back = time.monotonic()
    context.set_offline(False)
    page.wait_for_function("!document.querySelector('.flash.waiting')")
    print(f"\nback on wifi to outbox empty: {time.monotonic() - back:.2f} s")
    page.reload()  # twice online: the outbox stays empty and nothing is sent again
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    [note] = box.records.find(kind="note")
    assert note["body"]["text"] == "Skrivet i bilen." and note["author"] == "s2" and note["key"]

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(r".*/logga-in.*"))
    page.wait_for_function("caches.has('hembas-dag').then(function (has) { return !has; })")
    leave_the_wifi(served, context)
    page.goto(base + "/")
    text = page.locator("body").inner_text()
    assert "Inte sparad i telefonen" in text and first_name not in text
    for path in (card, "/kontakter"):
        page.goto(base + path)
        assert "Inte sparad i telefonen" in page.locator("body").inner_text(), path
    assert len(box.records.find(kind="note")) == 1


def test_what_the_box_refuses_is_shown_and_an_ended_session_keeps_the_outbox(page, context, served, accounts, box,
                                                                               state, pin):
    base = served.url
    signed_in_with_my_day(page, served, pin)
    leave_the_wifi(served, context)
    page.locator("ol.list a.big").first.click()
    page.locator(".saved").wait_for()
    page.get_by_role("button", name="Ej utfört").first.click()  # no reason: the box will refuse it
    page.get_by_text("1 väntar på att skickas").wait_for()
    page.get_by_label("Anteckning eller avvikelse").fill("Larmet piper.")
    page.get_by_role("button", name="Spara avvikelse").click()
    page.get_by_text("2 väntar på att skickas").wait_for()

    state.sessions.end_all(accounts["staff"]["id"])  # the box ends the session while the phone is away
    served.start()
    context.set_offline(False)
    page.get_by_text("Du är utloggad på basen. Logga in igen så skickas det som väntar.").wait_for()
    assert box.records.find() == []
    page.goto(base + "/")
    page.wait_for_url(re.compile(r".*/logga-in.*"))  # a sign-in page: the saved day goes, the outbox stays
    page.wait_for_function("caches.has('hembas-dag').then(function (has) { return !has; })")

    sign_in(page, base, "Johanna Öhman", pin)
    page.wait_for_url(base + "/")
    refused = page.locator(".refused")
    refused.wait_for()
    assert "Ej utfört" in refused.inner_text() and "Skriv varför besöket inte blev utfört." in refused.inner_text()
    assert not page.locator(".flash.waiting").count()
    [deviation] = box.records.find()
    assert deviation["kind"] == "deviation" and deviation["body"]["text"] == "Larmet piper."
    shot(page, "22-idag-ej-mottaget")
    refused.get_by_role("button", name="Ta bort").click()
    refused.wait_for(state="detached")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert not page.locator(".refused").count()


def test_the_saved_day_is_gone_after_the_shift_and_its_margin(page, context, served, accounts, box, pin, monkeypatch):
    from webui import offline

    dag = box.shifts.shift(TODAY, "dag")
    monkeypatch.setattr(offline, "MARGIN", box.clock.now() + dt.timedelta(seconds=6) - dag.end)  # 6 s after the save
    signed_in_with_my_day(page, served, pin)
    leave_the_wifi(served, context)
    assert page.reload().from_service_worker and page.locator(".saved").count() == 1
    time.sleep(6)  # by the box's clock as the phone saw it at the save, not the phone's own
    page.reload()
    assert "Inte sparad i telefonen" in page.locator("body").inner_text()
    assert not page.evaluate("caches.has('hembas-dag')")


def test_an_english_box_s_worker_speaks_english_away_from_the_box(page, context, box, monkeypatch):
    from webui import create_app

    monkeypatch.setitem(box.config["web"], "language", "en")
    served = Box(create_app(box=box, test_config={"TESTING": True}))
    try:
        page.goto(served.url + "/logga-in")
        # not wait_for_function: once it has to poll, it evals in the page, which the CSP refuses
        page.evaluate("""new Promise(function (controlled) {
          if (navigator.serviceWorker.controller) controlled();
          navigator.serviceWorker.addEventListener("controllerchange", controlled);
        })""")
        leave_the_wifi(served, context)
        assert page.goto(served.url + "/kontakter").from_service_worker
        assert "Hembas is not answering right now" in page.locator("body").inner_text()
        assert page.get_by_role("heading", name="Not saved on the phone").count() == 1
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        if served.thread.is_alive():
            served.stop()


def test_an_english_box_s_outbox_speaks_english(page, context, box, accounts, pin, monkeypatch):
    from webui import create_app

    monkeypatch.setitem(box.config["web"], "language", "en")
    served = Box(create_app(box=box, test_config={"TESTING": True}))
    try:
        page.goto(served.url + "/")
        page.get_by_label("Your name").fill("Johanna Öhman")
        page.get_by_label("PIN").fill(pin)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(served.url + "/")
        assert re.fullmatch(r"The shift is saved on the phone \(\d\d:\d\d\)\.", page.locator(".saved-day").inner_text())
        leave_the_wifi(served, context)
        page.locator("ol.list a.big").first.click()
        page.locator(".saved").wait_for()
        page.get_by_label("Note or deviation").fill("Written in the car.")
        page.get_by_role("button", name="Save note").click()
        page.get_by_text("1 is waiting to be sent").wait_for()
        assert "Note – " in page.locator("#utkorg").inner_text()
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.get_by_role("button", name="Sign out").click()
        assert asked == ["1 thing you wrote has not been sent to Hembas and is deleted from the phone if you sign out. "
                         "Sign out anyway?"]
        assert page.get_by_text("1 is waiting to be sent").count() == 1  # still signed in: the carer said no
    finally:
        if served.thread.is_alive():
            served.stop()
