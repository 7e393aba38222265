"""Every page answers for the roles that may see it, and refuses the others."""

import pytest

CLIENT_PAGES = ["/", "/klient/c01", "/laget", "/tva-veckor", "/tva-veckor?klient=c02", "/overlamning", "/utskrift"]
TEAM_PAGES = ["/kontakter", "/status"]
COORDINATOR_PAGES = ["/logg", "/export", "/personal"]
BOX_PAGES = ["/plan"]


@pytest.mark.parametrize("url", CLIENT_PAGES + TEAM_PAGES + COORDINATOR_PAGES + BOX_PAGES)
def test_coordinator_reaches_every_page(as_coordinator, url):
    assert as_coordinator.get(url).status_code == 200, url


@pytest.mark.parametrize("url", CLIENT_PAGES + TEAM_PAGES)
def test_staff_reach_the_team_pages(as_staff, url):
    assert as_staff.get(url).status_code == 200, url


@pytest.mark.parametrize("url", COORDINATOR_PAGES + BOX_PAGES)
def test_staff_do_not_reach_coordinator_pages(as_staff, url):
    assert as_staff.get(url).status_code == 403


@pytest.mark.parametrize("url", CLIENT_PAGES[1:] + COORDINATOR_PAGES)
def test_technician_sees_no_client_data(as_technician, url):
    assert as_technician.get(url).status_code == 403


@pytest.mark.parametrize("url", TEAM_PAGES + BOX_PAGES)
def test_technician_manages_the_box(as_technician, url):
    assert as_technician.get(url).status_code == 200


def test_technician_sees_team_numbers_but_no_client_names(as_technician, box):
    html = as_technician.get("/kontakter").get_data(as_text=True) + as_technician.get("/status").get_data(as_text=True)
    assert "Sjuksköterska dag" in html
    assert not any(client.name in html for client in box.plan().clients.values())


def test_freshness_line_on_every_page(as_staff):
    for url in CLIENT_PAGES + TEAM_PAGES:
        assert "Plan från 27 nov kl 05:12 (2 tim sedan)" in as_staff.get(url).get_data(as_text=True), url


def test_route_page_is_small(as_staff):
    assert len(as_staff.get("/").data) < 30_000


def test_static_files_are_versioned_and_cached_but_pages_never(as_staff):
    import re

    page = as_staff.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.get_data(as_text=True))
    assert links and all(re.search(r"\?v=[0-9a-f]{10}$", link) for link in links), links
    static = as_staff.get(links[0])
    assert static.status_code == 200
    assert "max-age=31536000" in static.headers["Cache-Control"]
    static.close()
