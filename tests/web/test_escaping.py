"""Hostile text in the plan or in what staff write is shown as text, never run."""

import pytest
from hembas_testing import TODAY

from sync.plan.demo import demo_plan

HOSTILE = '<script>alert("x")</script>'
PAGES = ["/", "/klient/c01"]


@pytest.fixture
def box(empty_box):
    """The demo plan with a script tag in every client name, client note and visit note."""
    document = demo_plan(TODAY)
    for client in document["clients"]:
        client["name"] = f"{HOSTILE} {client['name']}"
        client["notes"] = HOSTILE
    for visit in document["visits"]:
        visit["note"] = HOSTILE
    empty_box.mirror.import_document(document, source="test", today=TODAY)
    return empty_box


def test_script_in_plan_text_is_escaped_on_every_page(as_staff):
    for url in PAGES:
        html = as_staff.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert" in html, url


def test_script_in_a_note_is_escaped(as_staff, box):
    client_id = box.day(TODAY).route("s2")[0].client_id
    response = as_staff.post_form(f"/klient/{client_id}/skriv", {"kind": "note", "text": HOSTILE},
                                  page=f"/klient/{client_id}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert") >= 2  # the plan's note and the written one


def test_pages_send_a_content_security_policy_without_inline_scripts(as_staff):
    policy = as_staff.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
