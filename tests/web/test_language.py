from webui import create_app


def test_swedish_by_default(web):
    html = web.get("/logga-in").get_data(as_text=True)
    assert '<html lang="sv">' in html and "Logga in" in html


def test_english_catalogue(box, accounts, monkeypatch, make_browser):
    monkeypatch.setitem(box.config["web"], "language", "en")
    web = make_browser(create_app(box=box))
    assert "Sign in" in web.get("/logga-in").get_data(as_text=True)
    web.sign_in(accounts["staff"])
    html = web.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Plan of 27 nov at 05:12 (2 h ago)" in html and "Team today" in html
