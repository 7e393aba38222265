"""Logguppföljning: a sample of accesses with their context, unusual first, checked and exported (finding 6)."""

import csv
import datetime as dt
import io
import re

import pytest
from hembas_testing import TODAY

from sync import log_review


def period():
    """Audit entries carry the machine's real time; the box's clock in tests is fixed at TODAY."""
    real = dt.date.today()
    return {"fran": (real - dt.timedelta(days=1)).isoformat(), "till": (real + dt.timedelta(days=1)).isoformat()}


def review_page(web):
    return web.get("/logguppfoljning", query_string=period())


def cards(html):
    return re.findall(r'<div class="card[^"]*" id="e-([^"]+)">(.*?)</details>', html, re.S)


def test_only_coordinators_review_the_log(as_staff, make_browser, app, accounts):
    assert as_staff.get("/logguppfoljning").status_code == 403
    technician = make_browser(app)
    technician.sign_in(accounts["technician"])
    assert technician.get("/logguppfoljning").status_code == 403


def test_moving_a_visit_to_oneself_to_read_the_door_code_comes_first(as_staff, box, make_browser, app, accounts):
    """The review's finding 6: add oneself to a visit on Laget idag, open the card, move the visit back."""
    visit = box.day(TODAY).route("s3")[0]
    client = box.plan().clients[visit.client_id]
    mine = box.day(TODAY).route("s2")[0].client_id
    as_staff.get(f"/klient/{mine}")  # an ordinary look at one's own client
    as_staff.post_form(f"/laget/flytta/{visit.id}", {"staff": ["s3", "s2"]})
    assert client.entry.replace("'", "&#39;") in as_staff.get(f"/klient/{client.id}").get_data(as_text=True)
    as_staff.post_form(f"/laget/flytta/{visit.id}", {"staff": ["s3"]})

    coordinator = make_browser(app)
    coordinator.sign_in(accounts["coordinator"])
    html = review_page(coordinator).get_data(as_text=True)
    first_id, first = cards(html)[0]
    opened = [e for e in box.audit.entries(action="client.open") if e["target"] == client.id][0]
    assert first_id == opened["id"]
    assert "Avvikande" in first and "Johanna Öhman" in first
    for reason in ("flyttade själv besöket till sig samma dag", "och flyttades bort från hen igen samma dag",
                   "portkod/nyckel visad"):
        assert reason in first
    own = next(body for entry_id, body in cards(html) if "på sin runda den dagen" in body and "flytta" not in body)
    assert "Avvikande" not in own


def test_another_carers_route_is_unusual(as_staff, box):
    as_staff.get(f"/idag?personal=s3&datum={TODAY.isoformat()}")
    real = dt.date.today()
    items = log_review.accesses(box, real - dt.timedelta(days=1), real + dt.timedelta(days=1), roles={"s2": "staff"})
    [item] = [i for i in items if i.entry["action"] == "view.today"]
    assert item.unusual and item.reasons[0]["text"] == "öppnade en annan personals runda ({person})"


def test_sheets_from_the_button_are_in_the_review_but_not_a_carer_without_visits(box):
    from firmware.presses import ORDERED_BY
    from printer.queue import PrintQueue

    PrintQueue(box).print_shift_sheets(ordered_by=ORDERED_BY)
    real = dt.date.today()
    items = log_review.accesses(box, real - dt.timedelta(days=1), real + dt.timedelta(days=1), roles={})
    [item] = [i for i in items if i.entry["action"] == "print.sheets"]
    assert item.clients and item.entry["actor"] in log_review.BOX_ACTORS and not item.unusual


def test_marking_checked_is_audited_and_shown(as_staff, box, make_browser, app, accounts):
    as_staff.get("/klient/c01")
    coordinator = make_browser(app)
    coordinator.sign_in(accounts["coordinator"])
    entry = box.audit.entries(action="client.open")[0]
    token = coordinator.csrf("/logguppfoljning?" + "&".join(f"{k}={v}" for k, v in period().items()))
    response = coordinator.client.post("/logguppfoljning/kontroll", data={
        "csrf": token, "entry_id": entry["id"], "comment": "Vikarie, fick uppdraget på morgonmötet", **period()},
        follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Markerad som kontrollerad." in html and "Vikarie, fick uppdraget på morgonmötet" in html
    [checked] = box.audit.entries(action="logreview.check")
    assert checked["actor"] == "s1" and checked["target"] == entry["id"]
    assert coordinator.client.post("/logguppfoljning/kontroll", data={"csrf": token, "entry_id": "nope",
                                                                      **period()}).status_code == 404


def test_the_review_exports_as_csv_and_pdf_and_both_are_audited(as_staff, box, make_browser, app, accounts):
    as_staff.get(f"/idag?personal=s3&datum={TODAY.isoformat()}")
    coordinator = make_browser(app)
    coordinator.sign_in(accounts["coordinator"])
    page = "/logguppfoljning?" + "&".join(f"{k}={v}" for k, v in period().items())
    raw = coordinator.post_form("/logguppfoljning/export", {"what": "csv", **period()}, page=page).get_data()
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == list(log_review.COLUMNS)
    row = next(r for r in table[1:] if r[2] == "visade en runda")
    assert row[1] == "Johanna Öhman" and row[5] == "ja" and "Lina Kärrman" in row[4]
    pdf = coordinator.post_form("/logguppfoljning/export", {"what": "pdf", **period()}, page=page)
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    exports = box.audit.entries(action="logreview.export")
    assert [e["detail"]["what"] for e in exports] == ["pdf", "csv"] and exports[0]["detail"]["clients"]


def test_the_sample_is_random_but_the_same_for_a_period(as_staff, box, make_browser, app, accounts):
    mine = sorted({v.client_id for v in box.day(TODAY).route("s2")})
    for _ in range(15):
        for client_id in mine:
            as_staff.get(f"/klient/{client_id}")
    coordinator = make_browser(app)
    coordinator.sign_in(accounts["coordinator"])
    first = [entry_id for entry_id, _ in cards(review_page(coordinator).get_data(as_text=True))]
    again = [entry_id for entry_id, _ in cards(review_page(coordinator).get_data(as_text=True))]
    assert first == again and len(first) == log_review.SAMPLE_NORMAL
    normal = [e["id"] for e in box.audit.entries(action="client.open")]
    assert set(first) <= set(normal) and len(normal) > len(first)


@pytest.mark.parametrize("query, says", [({"fran": "igår"}, "Ange datum"),
                                         ({"fran": "2026-11-27", "till": "2026-11-01"}, "Välj en period"),
                                         ({"fran": "2026-01-01", "till": "2026-12-31"}, "Välj en period")])
def test_a_bad_period_is_refused_in_swedish(as_coordinator, query, says):
    response = as_coordinator.get("/logguppfoljning", query_string=query)
    assert response.status_code == 400 and says in response.get_data(as_text=True)
