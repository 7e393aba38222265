import json
import re
from pathlib import Path

import webui
from webui import create_app

WORKER = Path(webui.__file__).parent / "static" / "sw.js"


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


def worker_texts(web):
    """The texts /sw.js carries for the phone to show when the box does not answer."""
    script = web.client.get("/sw.js").get_data(as_text=True)
    return json.loads(re.search(r"^var TEXT = (\{.*\});$", script, re.MULTILINE).group(1))


def test_the_service_worker_speaks_the_box_language(web, box, monkeypatch, make_browser):
    swedish = worker_texts(web)
    assert swedish["lang"] == "sv" and swedish["notSavedTitle"] == "Inte sparad i telefonen"
    assert swedish["notSaved"].startswith("Hembas svarar inte just nu, och den här sidan är inte sparad i telefonen.")
    assert swedish["signedOut"].startswith("Det som var sparat i telefonen är raderat.")
    monkeypatch.setitem(box.config["web"], "language", "en")
    english = worker_texts(make_browser(create_app(box=box)))
    assert english["lang"] == "en" and english["saved"] == "Saved %(time)s – not updated"
    assert english["notSaved"].startswith("Hembas is not answering right now, and this page is not saved on the phone.")
    assert english["signedOut"].startswith("What was saved on the phone is deleted.")
    assert english.keys() == swedish.keys() and not set(english.values()) & set(swedish.values())
    assert set(re.findall(r"\bTEXT\.(\w+)", WORKER.read_text(encoding="utf-8"))) == swedish.keys()  # each one given
