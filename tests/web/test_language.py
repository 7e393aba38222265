import json
import re
from pathlib import Path

import webui
from webui import create_app

WORKER = Path(webui.__file__).parent / "static" / "sw.js"
PAGE_SCRIPT = Path(webui.__file__).parent / "static" / "hembas.js"


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


def page_texts(html):
    """The texts a page carries for static/hembas.js (the outbox, the saved-day line, the sign-out question)."""
    block = re.search(r'<script type="application/json" id="page-texts">(.*?)</script>', html, re.DOTALL)
    return json.loads(block.group(1))


def texts_of(given):
    """Each text of *given*, a count's forms one by one."""
    return [form for text in given.values() for form in (text.values() if isinstance(text, dict) else [text])]


def test_the_page_script_speaks_the_box_language(web, box, accounts, monkeypatch, make_browser):
    web.sign_in(accounts["staff"])
    swedish = page_texts(web.get("/").get_data(as_text=True))
    assert swedish["waiting"] == {"one": "%(num)d väntar på att skickas", "other": "%(num)d väntar på att skickas"}
    assert swedish["signedOut"] == "Du är utloggad på basen. Logga in igen så skickas det som väntar."
    assert swedish["savedDay"] == "Passet är sparat i telefonen (%(time)s)." and swedish["done"] == "Utfört"
    assert swedish["unsent"]["other"].endswith("raderas från telefonen om du loggar ut. Logga ut ändå?")
    assert swedish["unsent"]["one"].startswith("%(num)d sak som du skrivit är inte skickad till")  # one: singular
    monkeypatch.setitem(box.config["web"], "language", "en")
    english_box = make_browser(create_app(box=box))
    assert page_texts(english_box.get("/logga-in").get_data(as_text=True))["waiting"]["one"] == "%(num)d is waiting to be sent"
    english_box.sign_in(accounts["staff"])
    english = page_texts(english_box.get("/").get_data(as_text=True))
    assert english["waiting"] == {"one": "%(num)d is waiting to be sent", "other": "%(num)d are waiting to be sent"}
    assert english["refused"] == "Hembas did not accept: %(item)s" and english["savedDay"].startswith("The shift is saved")
    assert english["unsent"]["one"].startswith("%(num)d thing you wrote has not been sent to Hembas")
    assert english["unsent"]["other"].endswith("Sign out anyway?") and english["notDone"] == "Not done"
    assert english.keys() == swedish.keys()
    assert not set(texts_of(english)) & set(texts_of(swedish))  # each one translated
    used = set(re.findall(r"""\bsay\("(\w+)"[,)]""", PAGE_SCRIPT.read_text(encoding="utf-8")))
    assert used == swedish.keys()  # each one the script writes is given, and none given is unused
    assert not re.search("[åäöÅÄÖ]", PAGE_SCRIPT.read_text(encoding="utf-8"))  # no Swedish left in the script itself


def test_the_page_texts_are_data_not_script(web, monkeypatch):
    """The block is JSON escaped for HTML: a catalogue text with markup can neither end it nor run."""
    hostile = {"remove": "</script><script>alert(1)</script> & 'x'"}
    monkeypatch.setitem(web.client.application.jinja_env.globals, "page_texts", lambda: hostile)
    html = web.get("/logga-in").get_data(as_text=True)
    assert "<script>alert" not in html and page_texts(html) == hostile
