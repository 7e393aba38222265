def test_form_without_token_is_refused(web, accounts):
    web.get("/logga-in")
    response = web.client.post("/logga-in", data={"user": accounts["staff"]["id"], "pin": "482913"})
    assert response.status_code == 400
    assert web.get("/").status_code == 302


def test_form_with_a_foreign_token_is_refused(as_staff):
    response = as_staff.client.post("/klient/c01/skriv", data={"csrf": "x" * 32, "kind": "note", "text": "hej"})
    assert response.status_code == 400


def test_every_form_on_a_page_carries_the_token(as_staff):
    html = as_staff.get("/klient/c01").get_data(as_text=True)
    assert html.count("<form") == html.count('name="csrf"') > 1
