"""End to end in real headless Chromium at 360×740: sign in, Idag, a client card, a note.

Screenshots of the main pages go to test-artifacts/web/ (git-ignored).
"""

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")]

SHOTS = Path(__file__).parents[2] / "test-artifacts" / "web"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def sign_in(page, base, name, pin):
    page.goto(base + "/")
    assert page.url.startswith(base + "/logga-in")
    known = page.get_by_role("radio", name=name)  # a phone that signed in before offers the name
    if known.count():
        known.check()
    else:
        page.get_by_label("Ditt namn").fill(name)
    page.get_by_label("PIN-kod").fill(pin)
    page.get_by_role("button", name="Logga in").click()


def test_staff_signs_in_opens_a_client_and_writes_a_note(page, live_server, accounts, box, pin):
    page.goto(live_server + "/aktivera")
    shot(page, "00-aktivera")
    page.goto(live_server + "/logga-in")
    shot(page, "01-logga-in")
    sign_in(page, live_server, "Johanna Öhman", pin)
    page.wait_for_url(live_server + "/")
    page.get_by_role("heading", name="Dagpass fre 27/11").wait_for()
    assert fits_the_phone(page)
    shot(page, "02-idag")

    first = page.locator("ol.list a.big").first
    client_name = re.sub(r"^\d+", "", first.inner_text()).strip()
    first.click()
    page.get_by_role("heading", name=client_name, exact=True).wait_for()
    assert page.locator(".entry").count() == 1  # a visit here today: the entry is shown
    assert fits_the_phone(page)
    shot(page, "03-klient")

    page.get_by_label("Anteckning eller avvikelse").fill("Åt bra, gick en promenad.")
    page.get_by_role("button", name="Spara anteckning").click()
    page.get_by_text("Sparat.").wait_for()
    assert page.locator(".record").first.inner_text().count("Åt bra, gick en promenad.") == 1
    assert box.records.find(kind="note")[0]["body"]["text"] == "Åt bra, gick en promenad."
    shot(page, "04-klient-sparat")

    visit = box.day().visits[0]
    for path, name in (("/laget", "05-laget"), (f"/laget/flytta/{visit.id}", "05b-flytta"),
                       ("/tva-veckor", "06-tva-veckor"), ("/kontakter", "07-kontakter"),
                       ("/overlamning", "08-overlamning"), ("/utskrift", "09-utskrift"), ("/status", "10-status")):
        response = page.goto(live_server + path)
        assert response.status == 200, path
        assert fits_the_phone(page), path
        shot(page, name)


def test_coordinator_pages_fit_the_phone(page, live_server, accounts, pin):
    sign_in(page, live_server, "Amira Hassan", pin)
    page.wait_for_url(live_server + "/")
    for path, name in (("/personal", "11-personal"), ("/logg", "12-logg"), ("/export", "13-export"),
                       ("/status", "14-status-samordnare")):
        assert page.goto(live_server + path).status == 200, path
        assert fits_the_phone(page), path
        shot(page, name)
