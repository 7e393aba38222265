def test_handover_is_written_listed_and_marked_read(web, accounts, box):
    web.sign_in(accounts["staff"])
    web.post_form("/overlamning", {"text": "Nyckeln till Storgatan 5 saknas.", "client_id": ""})
    [note] = box.records.find(kind="handover")
    assert note["author"] == "s2"
    web.post_form("/logga-ut", {}, page="/")
    web.sign_in(accounts["other"])
    html = web.get("/overlamning").get_data(as_text=True)
    assert "Nyckeln till Storgatan 5 saknas." in html and "Ingen har läst den än." in html
    web.post_form(f"/overlamning/{note['id']}/last", {}, page="/overlamning")
    [read] = box.records.find(kind="handover_read")
    assert read["author"] == "s3" and read["body"] == {"handover_id": note["id"]}
    html = web.get("/overlamning").get_data(as_text=True)
    assert "Läst av: Lina Kärrman" in html and "Markera som läst" not in html


def test_empty_handover_is_refused(as_staff, box):
    response = as_staff.post_form("/overlamning", {"text": "  "}, follow_redirects=True)
    assert "Skriv en text" in response.get_data(as_text=True)
    assert box.records.find(kind="handover") == []


def test_what_the_night_wrote_is_the_day_shifts_handover_across_midnight(web, box, make_account):
    from hembas_testing import FOUR_TIMES, set_clock

    set_clock(box, FOUR_TIMES["01:30"][0])  # Friday's night patrol, Saturday 01:30
    web.sign_in(make_account("s7"))
    web.post_form("/overlamning", {"text": "Gun Ek ville inte äta, ring dottern i morgon.", "client_id": ""})
    [note] = box.records.find(kind="handover")
    assert note["shift"] == "2026-11-27/natt"
    mine = web.get("/overlamning").get_data(as_text=True)
    assert "Skrivet i ditt pass" in mine and "till dagpasset lör 28/11" in mine
    web.post_form("/logga-ut", {}, page="/")

    set_clock(box, FOUR_TIMES["06:30"][0])  # Saturday's day shift is about to start
    web.sign_in(make_account("s2"))
    html = web.get("/overlamning").get_data(as_text=True)
    for_me = html.index("Till dig från föregående pass")
    assert "(nattpasset fre 27/11)" in html
    assert for_me < html.index("Gun Ek ville inte äta") < html.index("Skriv en överlämning")


def test_the_evening_reads_the_day_and_not_the_night_before(web, box, make_account):
    from hembas_testing import FOUR_TIMES, TODAY, set_clock

    from sync.day.handovers import write_handover

    write_handover(box.records, box.shifts.shift(TODAY, "dag"), author="s2", text="Från dagen till kvällen.")
    write_handover(box.records, box.shifts.shift(TODAY, "natt"), author="s7", text="Från natten till lördag.")
    set_clock(box, FOUR_TIMES["14:30"][0])
    web.sign_in(make_account("s6"))
    html = web.get("/overlamning").get_data(as_text=True)
    assert "(dagpasset fre 27/11)" in html
    earlier = html.index("Tidigare, senaste tre dygnen")
    assert html.index("Från dagen till kvällen.") < earlier < html.index("Från natten till lördag.")
