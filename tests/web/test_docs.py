import re
from pathlib import Path

DOCS = Path(__file__).parents[2] / "docs" / "web-ui.md"


def normalized(path):
    return re.sub(r"<[^>]*>", "<>", path)


def test_every_page_is_documented(app):
    documented = {normalized(p) for p in re.findall(r"`(/[^`]*)`", DOCS.read_text(encoding="utf-8"))}
    routes = {normalized(rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routes - documented == set(), "pages missing from docs/web-ui.md"


def test_every_audit_action_of_the_web_ui_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    source = "".join(p.read_text(encoding="utf-8") for p in (Path(__file__).parents[2] / "webui").glob("*.py"))
    actions = set(re.findall(r'\b(?:audit|audit_view|_refused|record)\(\s*"([a-z_.]+)"', source))
    assert actions and {a for a in actions if f"`{a}`" not in text} == set()
