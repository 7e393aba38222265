"""The morning meeting through the web: every rule of sync.day.changes, reached from Laget idag's forms."""

import datetime as dt
import re

import pytest
from hembas_testing import TODAY

from sync.day.changes import audit_as, mark_absent

HERE = f"?datum={TODAY.isoformat()}&pass=dag"


def dag_route(box, staff_id):
    return [v.id for v in box.day(TODAY).route(staff_id, shift="dag")]


def test_a_sick_call_frees_the_visits_and_puts_them_first(as_staff, box):
    lina = dag_route(box, "s3")
    response = as_staff.post_form("/laget/franvaro" + HERE, {"franvarande": "s3"}, page="/laget", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Lina Kärrman är frånvarande." in html
    assert dag_route(box, "s3") == [] and set(lina) <= {v.id for v in box.day(TODAY).unassigned(shift="dag")}
    assert html.index("Ingen tilldelad") < html.index("Johanna Öhman ·")  # unassigned first
    assert "Frånvarande:</strong> Lina Kärrman" in html
    [record] = box.records.find(kind="absence")
    assert record["author"] == "s2" and record["body"] == {"staff_id": "s3", "shift": "dag"}
    assert box.audit.entries(action="day.absent")[0]["detail"]["visits"] == lina
    assert box.day(TODAY).is_absent("s3", "dag") and not box.day(TODAY).is_absent("s3", "kväll")


def test_a_whole_day_absence_covers_every_shift(as_staff, box):
    as_staff.post_form("/laget/franvaro" + HERE, {"franvarande_dag": "s3"}, page="/laget")
    assert all(box.day(TODAY).is_absent("s3", s) for s in ("dag", "kväll", "natt"))


def test_marking_someone_absent_twice_says_so_in_swedish(as_staff, box):
    as_staff.post_form("/laget/franvaro" + HERE, {"franvarande": "s3"}, page="/laget")
    html = as_staff.post_form("/laget/franvaro" + HERE, {"franvarande": "s3"}, page="/laget",
                              follow_redirects=True).get_data(as_text=True)
    assert "Lina Kärrman är redan frånvarande dagpasset 27/11" in html
    assert len(box.records.find(kind="absence")) == 1


def test_several_visits_go_to_one_person_at_once(as_staff, box):
    moving = dag_route(box, "s3")[:3]
    html = as_staff.post_form("/laget/tilldela" + HERE, {"besok": moving, "personal": "s4"}, page="/laget",
                              follow_redirects=True).get_data(as_text=True)
    assert "3 besök går nu till Mohammed Ali." in html
    assert set(moving) <= set(dag_route(box, "s4")) and not set(moving) & set(dag_route(box, "s3"))
    assert len(box.records.find(kind="reassign")) == 3


def test_a_double_staffed_visit_needs_two_different_people(as_staff, box):
    [double] = [v for v in box.day(TODAY).shift("dag") if box.day(TODAY).needs(v) == 2]
    html = as_staff.post_form("/laget/tilldela" + HERE, {"besok": [double.id, dag_route(box, "s3")[0]], "personal": "s5"},
                              page="/laget", follow_redirects=True).get_data(as_text=True)
    assert "är dubbelbemannat och behöver 2 olika personer" in html
    assert box.records.find(kind="reassign") == []  # all or none: the other visit did not move either
    as_staff.post_form("/laget/tilldela" + HERE, {"besok": double.id, "personal": ["s5", "s3"]}, page="/laget")
    assert box.day(TODAY).visit(double.id).staff_ids == ("s5", "s3")


def test_only_people_working_the_shift_can_be_given_visits(as_staff, box):
    html = as_staff.post_form("/laget/tilldela" + HERE, {"besok": dag_route(box, "s3")[0], "personal": "s6"},
                              page="/laget", follow_redirects=True).get_data(as_text=True)
    assert "arbetar inte dagpasset 27/11" in html and box.records.find(kind="reassign") == []


def test_nothing_ticked_is_a_clear_error(as_staff, box):
    html = as_staff.post_form("/laget/tilldela" + HERE, {"personal": "s4"}, page="/laget",
                              follow_redirects=True).get_data(as_text=True)
    assert "Markera de besök som ska fördelas." in html
    html = as_staff.post_form("/laget/tilldela" + HERE, {"besok": dag_route(box, "s3")[0]}, page="/laget",
                              follow_redirects=True).get_data(as_text=True)
    assert "Markera vem som tar besöken." in html


def test_up_and_down_change_the_order_of_a_route(as_staff, box):
    first, second, third = dag_route(box, "s2")[:3]
    as_staff.post_form("/laget/ordning" + HERE, {"flytta": f"upp:s2:{second}"}, page="/laget")
    assert dag_route(box, "s2")[:3] == [second, first, third]
    as_staff.post_form("/laget/ordning" + HERE, {"flytta": f"ner:s2:{first}"}, page="/laget")
    assert dag_route(box, "s2")[:3] == [second, third, first]
    assert box.audit.entries(action="day.order")[0]["actor"] == "s2"
    html = as_staff.get("/").get_data(as_text=True)  # Idag shows the team's order
    assert html.index(box.plan().clients[box.day(TODAY).visit(second).client_id].name.replace("'", "&#39;")) < \
        html.index(box.plan().clients[box.day(TODAY).visit(third).client_id].name.replace("'", "&#39;"))


def test_a_stale_order_button_is_refused(as_staff, box):
    response = as_staff.post_form("/laget/ordning" + HERE, {"flytta": f"upp:s2:{dag_route(box, 's3')[0]}"}, page="/laget")
    assert response.status_code == 400 and box.records.find(kind="route_order") == []


def test_an_extra_visit_for_an_existing_client(as_staff, box):
    client = sorted(box.plan().clients.values(), key=lambda c: c.id)[3]
    page = as_staff.get("/laget/extra" + HERE)
    assert page.status_code == 200 and client.name in page.get_data(as_text=True)
    html = as_staff.post_form("/laget/extra" + HERE, {"klient": client.id, "insatser": "Tillsyn\nLäkemedel",
                                                     "anteckning": "Hemkommen från sjukhuset", "tid": "13:00-13:30"},
                              follow_redirects=True).get_data(as_text=True)
    assert f"Extra besök hos {client.name} är tillagt." in html.replace("&#39;", "'")
    [extra] = [box.day(TODAY).visit(v) for v in box.day(TODAY).extra]
    assert extra.tasks == ("Tillsyn", "Läkemedel") and extra.note == "Hemkommen från sjukhuset"
    assert extra in box.day(TODAY).unassigned(shift="dag")
    # the client card uses the day's visits, so the extra visit can be marked done there
    card = as_staff.get(f"/klient/{client.id}").get_data(as_text=True)
    assert extra.id in card and "Tillsyn, Läkemedel" in card
    as_staff.post_form(f"/klient/{client.id}/skriv", {"kind": "outcome", "visit_id": extra.id, "done": "1"},
                       page=f"/klient/{client.id}")
    [outcome] = box.records.find(kind="outcome")
    assert outcome["visit_id"] == extra.id and outcome["body"]["done"] is True


def test_a_bad_extra_visit_keeps_what_was_typed(as_staff, box):
    client = sorted(box.plan().clients)[0]
    response = as_staff.post_form("/laget/extra" + HERE, {"klient": client, "insatser": "Tillsyn",
                                                         "anteckning": "Ring dottern", "tid": "23:00-23:30"})
    html = response.get_data(as_text=True)
    assert "ligger inte inom dagpasset 27/11" in html
    assert "Ring dottern" in html and 'value="23:00-23:30"' in html and box.records.find(kind="extra_visit") == []


def test_undo_gives_the_visits_back(as_staff, box):
    lina = dag_route(box, "s3")
    as_staff.post_form("/laget/franvaro" + HERE, {"franvarande": "s3"}, page="/laget")
    page = as_staff.get("/laget" + HERE).get_data(as_text=True)
    assert "Lina Kärrman frånvarande dagpasset 27/11" in page and "Ångra senaste ändringen" in page
    [absence] = box.records.find(kind="absence")
    html = as_staff.post_form("/laget/angra" + HERE, {"andring": absence["id"]}, page="/laget",
                              follow_redirects=True).get_data(as_text=True)
    assert "Ändringen är ångrad." in html and dag_route(box, "s3") == lina
    assert box.audit.entries(action="day.undo")[0]["target"] == absence["id"]


def test_the_past_cannot_be_changed(as_staff, box):
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    response = as_staff.post_form(f"/laget/franvaro?datum={yesterday}&pass=dag", {"franvarande": "s3"}, page="/laget")
    assert response.status_code == 404 and box.records.find(kind="absence") == []
    html = as_staff.get(f"/laget?datum={yesterday}&pass=dag").get_data(as_text=True)
    assert "Föreslå" not in html and "Frånvarande passet" not in html


def test_every_meeting_form_needs_its_csrf_token(as_staff, box):
    for path, data in (("/laget/franvaro", {"franvarande": "s3"}), ("/laget/tilldela", {"besok": "v00004", "personal": "s4"}),
                       ("/laget/ordning", {"flytta": "upp:s2:v00005"}), ("/laget/angra", {"andring": "x"}),
                       ("/laget/extra", {"klient": "c01", "insatser": "x"}), ("/laget/forslag", {"alla": "1"}),
                       ("/laget/vikarie", {"namn": "Kim", "telefon": "070-1234567"})):
        assert as_staff.client.post(path + HERE, data=data).status_code == 400, path
    assert box.records.find() == []


def test_technicians_do_not_run_the_meeting(as_technician):
    for path in ("/laget", "/laget/forslag" + HERE, "/laget/extra" + HERE, "/laget/vikarie" + HERE):
        assert as_technician.get(path).status_code == 403, path


# -- Föreslå -------------------------------------------------------------------------------------

@pytest.fixture
def lina_sick(box):
    mark_absent(box, "s3", box.shifts.shift(TODAY, "dag"), author="s1", audit=audit_as(box, "s1"))
    return box


def test_the_proposal_says_why_for_each_move(as_staff, lina_sick):
    html = as_staff.get("/laget/forslag" + HERE).get_data(as_text=True).replace("&#39;", "'")
    from sync.day.proposal import propose
    from sync.day.timing import Timing
    box = lina_sick
    proposal = propose(box.plan(), box.day(TODAY), box.shifts.shift(TODAY, "dag"), Timing.from_config(box.config))
    assert proposal.moves
    for move in proposal.moves:
        assert move.reason in html
    assert re.search(r"(besöker .+ oftast|har besökt|har inte besökt)", html) and "ledig" in html
    assert box.audit.entries(action="view.proposal")[0]["detail"]["clients"] == sorted(
        {m.client_id for m in proposal.moves} | {u.client_id for u in proposal.unplaced})


def test_accepting_all_gives_every_proposed_visit_its_people(as_staff, lina_sick):
    box = lina_sick
    page = as_staff.get("/laget/forslag" + HERE).get_data(as_text=True)
    key = re.search(r'name="key" value="([0-9a-f]+)"', page).group(1)
    moves = re.findall(r'name="besok" value="([^"]+)" checked', page)
    html = as_staff.post_form("/laget/forslag" + HERE, {"key": key, "alla": "1"}, page="/laget/forslag" + HERE,
                              follow_redirects=True).get_data(as_text=True)
    assert f"{len(moves)} besök har fått personal." in html
    placed = {v.id for v in box.day(TODAY).shift("dag") if v.staff_ids}
    assert set(moves) <= placed
    assert all(r["body"]["why"].startswith("förslag: ") for r in box.records.find(kind="reassign"))


def test_accepting_some_records_only_the_ticked(as_staff, lina_sick):
    box = lina_sick
    page = as_staff.get("/laget/forslag" + HERE).get_data(as_text=True)
    key = re.search(r'name="key" value="([0-9a-f]+)"', page).group(1)
    first, second = re.findall(r'name="besok" value="([^"]+)" checked', page)[:2]
    as_staff.post_form("/laget/forslag" + HERE, {"key": key, "besok": [first, second]}, page="/laget/forslag" + HERE)
    assert sorted(r["visit_id"] for r in box.records.find(kind="reassign")) == sorted([first, second])


def test_accepting_none_changes_nothing(as_staff, lina_sick):
    box = lina_sick
    page = as_staff.get("/laget/forslag" + HERE).get_data(as_text=True)
    key = re.search(r'name="key" value="([0-9a-f]+)"', page).group(1)
    html = as_staff.post_form("/laget/forslag" + HERE, {"key": key}, page="/laget/forslag" + HERE,
                              follow_redirects=True).get_data(as_text=True)
    assert "Inget besök var markerat" in html and box.records.find(kind="reassign") == []


def test_a_proposal_changed_by_another_phone_is_shown_again_not_accepted(as_staff, lina_sick):
    box = lina_sick
    page = as_staff.get("/laget/forslag" + HERE).get_data(as_text=True)
    key = re.search(r'name="key" value="([0-9a-f]+)"', page).group(1)
    mark_absent(box, "s5", box.shifts.shift(TODAY, "dag"), author="s1", audit=audit_as(box, "s1"))  # meanwhile
    html = as_staff.post_form("/laget/forslag" + HERE, {"key": key, "alla": "1"}, page="/laget/forslag" + HERE,
                              follow_redirects=True).get_data(as_text=True)
    assert "Dagen har ändrats sedan förslaget visades." in html and box.records.find(kind="reassign") == []


# -- Utskrift: sheets printed before a change ---------------------------------------------------------

def test_sheets_printed_before_a_change_are_marked_and_only_they_print_again(as_staff, box, state):
    queue = state.print_queue()
    as_staff.post_form("/utskrift/pass", {}, page="/utskrift")
    queue.process_once()
    html = as_staff.get("/utskrift").get_data(as_text=True)
    assert "ändrad efter utskrift" not in html and "Skriv ut ändrade" not in html
    moved = dag_route(box, "s3")[0]
    as_staff.post_form("/laget/tilldela" + HERE, {"besok": moved, "personal": "s4"}, page="/laget")
    html = as_staff.get("/utskrift").get_data(as_text=True)
    assert "Lina Kärrman: <span class=\"badge alert\">ändrad efter utskrift" in html
    assert "Mohammed Ali: <span class=\"badge alert\">ändrad efter utskrift" in html
    assert "Johanna Öhman: som utskriven" in html
    before = {j["id"] for j in queue.jobs(limit=50)}
    html = as_staff.post_form("/utskrift/andrade", {}, page="/utskrift", follow_redirects=True).get_data(as_text=True)
    assert "2 ändrade körlistor skrivs ut." in html
    new = [j for j in queue.jobs(limit=50) if j["id"] not in before]
    assert sorted(j["title"].split(" 2026")[0] for j in new) == ["Körlista Lina Kärrman", "Körlista Mohammed Ali"]
    assert box.audit.entries(action="print.sheets")[0]["detail"]["staff"] == ["s3", "s4"]
    queue.process_once()
    html = as_staff.get("/utskrift").get_data(as_text=True)
    assert "ändrad efter utskrift" not in html and "Skriv ut ändrade" not in html


def test_an_absent_persons_printed_sheet_no_longer_holds(as_staff, box, state):
    as_staff.post_form("/utskrift/pass", {}, page="/utskrift")
    state.print_queue().process_once()
    as_staff.post_form("/laget/franvaro" + HERE, {"franvarande": "s3"}, page="/laget")
    html = as_staff.get("/utskrift").get_data(as_text=True)
    assert "Lina Kärrman: <span class=\"badge alert\">gäller inte längre: inga besök" in html
