"""End to end in real headless Chromium at 360×740: sign in, Idag, a client card, a note; a morning meeting.

Screenshots of the main pages go to test-artifacts/web/ (git-ignored).
"""

import re
from pathlib import Path

import pytest
from hembas_testing import TODAY, fits_the_phone, shot, sign_in

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")]


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


# -- the morning meeting: a sick call, a proposal accepted, the changed sheets printed --------------

def test_a_morning_meeting_on_one_phone(page, live_server, accounts, box, state, pin):
    queue = state.print_queue()
    sign_in(page, live_server, "Johanna Öhman", pin)
    page.wait_for_url(live_server + "/")

    page.goto(live_server + "/utskrift")  # the sheets are out before the sick call comes in
    page.get_by_role("button", name=re.compile("Skriv ut passets körlistor")).click()
    page.get_by_text("körlistor skrivs ut.").wait_for()
    queue.process_once()

    lina = [v.id for v in box.day(TODAY).route("s3", shift="dag")]
    page.goto(live_server + "/laget")
    assert fits_the_phone(page)
    shot(page, "20-mote-laget")
    page.locator("#rutt-s3 summary").click()  # Lina's route, closed like everyone's but my own
    page.locator("#rutt-s3").get_by_role("button", name="Frånvarande passet").click()
    page.get_by_text("Lina Kärrman är frånvarande.").wait_for()
    unassigned = page.get_by_role("heading", name=re.compile("Ingen tilldelad"))
    assert unassigned.inner_text() == f"Ingen tilldelad ({len(lina) + 1})"  # hers and the plan's one open visit
    assert fits_the_phone(page)
    shot(page, "21-mote-franvaro")

    page.get_by_role("link", name="Föreslå").click()
    page.get_by_role("heading", name="Förslag").wait_for()
    reasons = page.locator("form li.card p.meta").all_inner_texts()  # the moves; those nobody can take come after
    assert reasons and [r for r in reasons if not re.match(r"^[^:]+: (vikarie, )?(besöker|har besökt|har inte besökt) ", r)] == []
    assert fits_the_phone(page)
    shot(page, "22-mote-forslag")
    proposed = [box.day(TODAY).visit(v) for v in page.locator('input[name="besok"]').evaluate_all("els => els.map(e => e.value)")]
    page.get_by_role("button", name=f"Godta alla ({len(proposed)})").click()
    page.get_by_text(f"{len(proposed)} besök har fått personal.").wait_for()

    day = box.day(TODAY)  # the routes changed: every proposed visit has its people now, none of them is Lina
    assert all(len(day.visit(v.id).staff_ids) == day.needs(v) and "s3" not in day.visit(v.id).staff_ids for v in proposed)
    moved_of_lina = [v for v in proposed if v.id in lina]
    assert moved_of_lina and page.locator(".badge.alert", has_text="Flyttat").count() >= len(moved_of_lina)
    assert page.get_by_role("heading", name=re.compile("Ingen tilldelad")).count() == (
        1 if day.unassigned(shift="dag") else 0)
    assert fits_the_phone(page)
    shot(page, "23-mote-efter")

    page.goto(live_server + "/utskrift")
    changed = page.locator("li.sheet.changed, li.sheet.void").count()
    shot(page, "24-mote-utskrift")
    assert changed >= 2 and page.locator("li.sheet.void", has_text="Lina Kärrman").count() == 1
    assert fits_the_phone(page), page.evaluate("document.documentElement.scrollWidth")
    before = {j["id"] for j in queue.jobs(limit=100)}
    page.get_by_role("button", name="Skriv ut ändrade").click()
    page.get_by_text(re.compile(r"ändrade? körlistor? skrivs ut\.")).wait_for()
    new = [j for j in queue.jobs(limit=100) if j["id"] not in before]
    takers = {s for v in proposed for s in day.visit(v.id).staff_ids}  # their sheets changed; Lina has none now
    assert sorted(j["title"] for j in new) == sorted(f"Körlista {day.staff[s].name} {TODAY.isoformat()} dag" for s in takers)
    queue.process_once()
    page.goto(live_server + "/utskrift")
    assert page.locator("li.sheet.changed").count() == 0


def test_adding_a_substitute_fits_the_phone(page, live_server, accounts, pin):
    sign_in(page, live_server, "Johanna Öhman", pin)
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/laget")
    page.get_by_role("link", name="Lägg till vikarie").click()
    page.get_by_label("Namn").fill("Kim Berg")
    page.get_by_label("Telefon").fill("070-123 45 67")
    page.get_by_role("button", name="Lägg till").click()
    code = page.locator(".code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code) and page.locator("svg.qr").count() == 1
    assert fits_the_phone(page)
    shot(page, "25-vikarie-kod")
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("link", name="Jag är vikarie").click()
    page.get_by_label("Engångskod").fill(code)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_text("Välkommen, Kim Berg!").wait_for()
    assert fits_the_phone(page)
    shot(page, "26-vikarie-idag")
