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
