from hembas_testing import TODAY


def test_print_today_orders_one_sheet_per_staff_and_previews_them(as_staff, box, state):
    response = as_staff.post_form("/utskrift/idag", {}, page="/utskrift", follow_redirects=True)
    staff_today = box.day(TODAY).staff_ids()
    assert f"{len(staff_today)} körlistor skrivs ut." in response.get_data(as_text=True)
    assert box.audit.entries(action="print.sheets")[0]["actor"] == "s2"
    state.print_queue().process_once()
    html = as_staff.get("/utskrift").get_data(as_text=True)
    assert html.count('class="hembas-receipt"') >= 1
    assert "<style>" not in html  # the receipt look comes from /utskrift/kvitto.css (CSP)


def test_second_press_while_printing_orders_nothing(as_staff, box):
    as_staff.post_form("/utskrift/idag", {}, page="/utskrift")
    response = as_staff.post_form("/utskrift/idag", {}, page="/utskrift", follow_redirects=True)
    assert "skrivs redan ut" in response.get_data(as_text=True)


def test_enrollment_slip_is_printed_when_the_coordinator_creates_an_account(as_coordinator, state, box):
    response = as_coordinator.post_form("/personal", {"staff_id": "s5", "name": "", "role": "staff", "print": "1"})
    html = response.get_data(as_text=True)
    assert "Lappen med koden skrivs ut." in html
    [job] = [j for j in state.print_queue().jobs() if j["kind"] == "enrollment"]
    assert box.audit.entries(action="print.slip")[0]["detail"]["name"] == "Sara Lindgren"
    assert job["ordered_by"] == "s1"
