"""Idag and Laget idag open on the shift I am on or about to start, at every time of day."""

import pytest
from hembas_testing import FOUR_TIMES, SATURDAY, TODAY, set_clock

from sync.day.swedish import SHIFT_TITLES
from webui.formatting import weekday_date


@pytest.fixture
def sign_in_as(web, make_account):
    """Sign in as the plan's staff member *staff_id* (an account made for the test)."""
    def sign_in(staff_id):
        web.sign_in(make_account(staff_id))
        return web
    return sign_in


def html_name(name):
    return name.replace("'", "&#39;")


def in_order(html, names):
    """Whether every name occurs in *html*, each after the one before (a client may have two visits)."""
    position = 0
    for name in names:
        position = html.find(html_name(name), position)
        if position < 0:
            return False
        position += 1
    return True


@pytest.mark.parametrize("time_of_day", FOUR_TIMES)
def test_idag_opens_on_the_shift_i_am_on_or_about_to_start(box, sign_in_as, time_of_day):
    now, shift, working_day = FOUR_TIMES[time_of_day]
    set_clock(box, now)
    day = box.day(working_day)
    carer = day.staff_ids(shift=shift)[0]
    html = sign_in_as(carer).get("/").get_data(as_text=True)
    assert f"<h1>{SHIFT_TITLES[shift]} {weekday_date(working_day)}</h1>" in html
    route = [box.plan().clients[v.client_id].name for v in day.route(carer, shift=shift)]
    assert route and in_order(html, route)
    assert html.count('<li class="card">') == len(route)
    # the rest of the working day is one tap away
    for other in ("dag", "kv%C3%A4ll", "natt"):
        assert f'href="/?datum={working_day.isoformat()}&amp;pass={other}"' in html


def test_the_night_carer_at_half_past_one_is_on_the_night_that_began_yesterday(box, sign_in_as):
    from sync.day.shifts import window_label

    set_clock(box, FOUR_TIMES["01:30"][0])
    html = sign_in_as("s7").get("/").get_data(as_text=True)
    assert "<h1>Nattpass fre 27/11</h1>" in html and "21:30–lör 07:15" in html
    times = [window_label(v, box.clock.tz) for v in box.day(TODAY).route("s7", shift="natt") if v.window]
    assert "22:30–lör 06:30" in times and any(t.startswith("lör 0") for t in times)  # morning times marked
    assert in_order(html, [f"Tid: {t}" for t in times])


def test_at_half_past_six_the_night_carer_still_sees_her_night_and_the_day_carer_his_day(box, sign_in_as, web):
    set_clock(box, FOUR_TIMES["06:30"][0])
    assert "<h1>Nattpass fre 27/11</h1>" in sign_in_as("s7").get("/").get_data(as_text=True)
    web.post_form("/logga-ut", {}, page="/")
    assert "<h1>Dagpass lör 28/11</h1>" in sign_in_as("s2").get("/").get_data(as_text=True)


def test_a_run_sheets_qr_code_opens_that_shift(box, sign_in_as):
    set_clock(box, FOUR_TIMES["14:30"][0])
    web = sign_in_as("s6")
    html = web.get(f"/idag?personal=s7&datum={TODAY}&pass=natt").get_data(as_text=True)
    assert "<h1>Nattpass fre 27/11 – Elin Ström</h1>" in html
    names = [box.plan().clients[v.client_id].name for v in box.day(TODAY).route("s7", shift="natt")]
    assert in_order(html, names)
    old = web.get(f"/idag?personal=s2&datum={SATURDAY}").get_data(as_text=True)  # an older sheet: no pass
    assert "<h1>Dagpass lör 28/11 – Johanna Öhman</h1>" in old


@pytest.mark.parametrize("time_of_day", FOUR_TIMES)
def test_laget_idag_opens_on_the_same_shift_with_its_people(box, sign_in_as, time_of_day):
    now, shift, working_day = FOUR_TIMES[time_of_day]
    set_clock(box, now)
    day = box.day(working_day)
    on, off = day.staff_ids(shift=shift), set(day.staff_ids()) - set(day.staff_ids(shift=shift))
    html = sign_in_as(on[0]).get("/laget").get_data(as_text=True)
    assert f"<p>{SHIFT_TITLES[shift]} · " in html
    plan = box.plan()
    assert all(f"<summary>{html_name(plan.staff[s].name)} · " in html for s in on)
    assert not any(f"<summary>{html_name(plan.staff[s].name)} · " in html for s in off)
    assert all(f"/laget/flytta/{v.id}" in html for v in day.shift(shift))
    assert html.count("/laget/flytta/") == sum(max(1, len(v.staff_ids)) for v in day.shift(shift))


def test_laget_idag_has_the_working_days_other_shifts_one_tap_away(box, as_staff):
    set_clock(box, FOUR_TIMES["01:30"][0])
    html = as_staff.get(f"/laget?datum={TODAY}&pass=dag").get_data(as_text=True)
    assert "<p>Dagpass · Fredag 27 november · 07:00–16:00</p>" in html
    assert 'aria-current="page">Dag<' in html and "pass=natt" in html


@pytest.mark.parametrize("datum", ["0001-01-01", "9999-12-31", "2026-02-30", "igår"])
def test_a_date_no_plan_can_have_opens_the_shift_around_now(as_staff, datum):
    response = as_staff.get(f"/idag?datum={datum}&pass=natt")
    assert response.status_code == 200 and "<h1>Nattpass fre 27/11</h1>" in response.get_data(as_text=True)
    assert as_staff.get(f"/laget?datum={datum}").status_code == 200
