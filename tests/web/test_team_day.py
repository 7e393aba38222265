from hembas_testing import TODAY


def test_unassigned_visits_are_shown_in_red(as_staff, box):
    unassigned = box.day(TODAY).unassigned(shift="dag")  # the fixed clock says 07:30
    html = as_staff.get("/laget").get_data(as_text=True)
    assert unassigned and 'class="warn"' in html and "Ingen tilldelad" in html
    assert all(f"/laget/flytta/{v.id}" in html for v in box.day(TODAY).shift("dag"))


def test_moving_a_visit_shows_on_the_new_persons_idag_and_is_audited(web, accounts, box):
    visit = box.day(TODAY).route("s3")[0]
    client = box.plan().clients[visit.client_id]
    web.sign_in(accounts["coordinator"])
    response = web.post_form(f"/laget/flytta/{visit.id}", {"staff": "s2"}, follow_redirects=True)
    assert "går nu till Johanna Öhman" in response.get_data(as_text=True)
    assert visit.id in {v.id for v in box.day(TODAY).route("s2")}
    assert visit.id not in {v.id for v in box.day(TODAY).route("s3")}
    entry = box.audit.entries(action="visit.reassign")[0]
    assert entry["actor"] == "s1" and entry["target"] == visit.id and entry["detail"]["to"] == ["s2"]
    web.post_form("/logga-ut", {}, page="/")
    web.sign_in(accounts["staff"])
    html = web.get("/").get_data(as_text=True)
    assert client.name.replace("'", "&#39;") in html and "Flyttat idag" in html


def test_moving_to_nobody_is_refused(as_coordinator, box):
    visit = box.day(TODAY).visits[0]
    response = as_coordinator.post_form(f"/laget/flytta/{visit.id}", {"staff": ""}, follow_redirects=True)
    assert "Välj vem som tar besöket." in response.get_data(as_text=True)
    assert box.records.find(kind="reassign") == []


def test_two_weeks_per_staff_and_per_client(as_staff, box):
    html = as_staff.get("/tva-veckor").get_data(as_text=True)
    assert "Fredag 27 november" in html and "Torsdag 10 december" in html
    html = as_staff.get("/tva-veckor?personal=&klient=c05").get_data(as_text=True)
    assert box.plan().staff[box.plan().visits_for_client("c05")[0].staff_ids[0]].name in html


def test_two_week_pdf_is_a_pdf_and_audited(as_staff, box):
    response = as_staff.get("/tva-veckor/s2.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert box.audit.entries(action="export.two_week_pdf")[0]["target"] == "s2"
