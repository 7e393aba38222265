"""Pärm: the coordinator's page for the team's binder."""

import time

import pytest
from hembas_testing import TODAY, binder_on_the_shelf, move_visit, pdftotext



def test_only_the_coordinator_reaches_the_binder(as_staff, accounts, make_browser, app):
    for path in ("/parm",):
        assert as_staff.get(path).status_code == 403
    technician = make_browser(app)
    technician.sign_in(accounts["technician"])
    assert technician.get("/parm").status_code == 403
    assert "/parm" not in as_staff.get("/").get_data(as_text=True)


def test_download_is_the_binder_and_is_audited_as_a_view_of_every_client(as_coordinator, box):
    page = as_coordinator.get("/parm").get_data(as_text=True)
    assert "Ingen pärm är utskriven än" in page and 'href="/parm"' in page
    response = as_coordinator.post_form("/parm/parm.pdf", {}, page="/parm")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="parm-2026-11-27.pdf"' in response.headers["Content-Disposition"]
    assert "Pärm: Hemtjänst Kalix centrum" in pdftotext(response.data)
    entry = box.audit.entries(action="binder.pdf")[0]
    assert entry["actor"] == "s1" and entry["target"] == box.plan().version
    assert entry["detail"]["clients"] == sorted(box.plan().clients) and entry["detail"]["address"] == "127.0.0.1"


def test_mark_printed_then_the_change_list_after_a_move(as_coordinator, box):
    as_coordinator.post_form("/parm/parm.pdf", {}, page="/parm")
    page = as_coordinator.post_form("/parm/utskriven", {}, page="/parm", follow_redirects=True).get_data(as_text=True)
    assert "är markerad som utskriven" in page and "stämmer med planen" in page
    visit = box.day(TODAY).route("s3")[0]
    move_visit(box, visit, ["s2"])
    response = as_coordinator.post_form("/parm/andringar.pdf", {}, page="/parm")
    assert response.mimetype == "application/pdf"
    assert "vem: Lina Kärrman -> Johanna Öhman" in pdftotext(response.data)
    assert box.audit.entries(action="binder.changes")[0]["detail"]["clients"] == [visit.client_id]


def test_the_change_list_without_a_printed_binder_is_explained(as_coordinator):
    page = as_coordinator.post_form("/parm/andringar.pdf", {}, page="/parm", follow_redirects=True)
    assert "ingen pärm är markerad som utskriven" in page.get_data(as_text=True)


def test_the_status_page_reminds_when_the_binder_is_out_of_date(as_coordinator, as_technician_too, box):
    binder_on_the_shelf(box)
    box.config["binder"]["remind_changes"] = 0
    assert "stämmer med planen" in as_coordinator.get("/status").get_data(as_text=True)
    move_visit(box, box.day(TODAY).route("s3")[0], ["s2"])
    page = as_coordinator.get("/status").get_data(as_text=True)
    assert "1 ändring och 0 nya dagar sedan utskriften" in page and 'class="flash error"' in page
    assert "1 ändring och" in as_technician_too.get("/status").get_data(as_text=True)


@pytest.fixture
def as_technician_too(accounts, make_browser, app):
    browser = make_browser(app)
    browser.sign_in(accounts["technician"])
    return browser


def test_one_button_prints_on_the_a4_printer_and_the_job_shows_on_the_print_page(as_coordinator, a4_box,
                                                                                 cups_server):
    page = as_coordinator.get("/parm").get_data(as_text=True)
    assert "Skriv ut hela pärmen" in page and "Redo" in page
    response = as_coordinator.post_form("/parm/skriv-ut", {"what": "binder"}, page="/parm", follow_redirects=True)
    assert "Pärmen skickades till A4-skrivaren." in response.get_data(as_text=True)
    assert "Pärm: Hemtjänst Kalix centrum" in pdftotext(cups_server.wait_for_output())
    deadline = time.monotonic() + 30
    while "klar" not in (listing := as_coordinator.get("/utskrift").get_data(as_text=True)):
        assert time.monotonic() < deadline, listing
        time.sleep(0.2)
    assert "Hembas pärm" in listing
    assert [e["action"] for e in a4_box.audit.entries(actor="s1")][:3] == \
        ["binder.printed", "print.a4.done", "print.a4"]
    assert "stämmer med planen" in as_coordinator.get("/parm").get_data(as_text=True)
