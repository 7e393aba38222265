"""A new box with a refused settings file shows its problems on every address, without sign-in."""

import pytest

from sync.provisioning import clear_errors, write_errors
from webui import create_app

PROBLEMS = [{"key": "team.id", "message": "team.id: saknas"},
            {"key": "wifi.passphrase", "message": "wifi.passphrase: ska vara 8–63 tecken utan å, ä och ö"}]


@pytest.fixture
def refused(box):
    write_errors(box.data_dir, PROBLEMS, source="/boot/firmware/hembas.toml", checked_at="2026-11-27T06:12:03+00:00")
    return box


@pytest.mark.parametrize("path", ["/", "/logga-in", "/idag", "/status", "/kontakter", "/generate_204", "/x"])
def test_every_address_answers_with_the_problems_and_nothing_else(refused, path):
    response = create_app(box=refused, test_config={"TESTING": True}).test_client().get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Inställningarna behöver rättas" in page
    assert "team.id: saknas" in page and "wifi.passphrase: ska vara 8–63 tecken" in page
    assert "hembas-FEL.txt" in page
    assert "<form" not in page and "PIN" not in page                    # no sign-in, no other page


def test_a_post_gets_the_same_page(refused):
    response = create_app(box=refused, test_config={"TESTING": True}).test_client().post("/logga-in", data={})
    assert response.status_code == 200 and "team.id: saknas" in response.get_data(as_text=True)


def test_static_files_are_still_served(refused):
    client = create_app(box=refused, test_config={"TESTING": True}).test_client()
    with client.get("/static/hembas.css") as response:
        assert response.status_code == 200 and b"{" in response.data


def test_once_the_file_is_fixed_the_box_asks_for_sign_in(refused):
    clear_errors(refused.data_dir)
    response = create_app(box=refused, test_config={"TESTING": True}).test_client().get("/idag")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_a_box_with_accounts_keeps_working_and_shows_the_problems_on_status(refused, accounts, make_browser):
    browser = make_browser(create_app(box=refused, test_config={"TESTING": True}))
    assert browser.get("/idag").status_code == 302                       # sign-in as usual
    browser.sign_in(accounts["coordinator"])
    page = browser.get("/status").get_data(as_text=True)
    assert "Fel i inställningsfilen" in page and "team.id: saknas" in page
    assert "Inställningarna behöver rättas" not in browser.get("/idag").get_data(as_text=True)
