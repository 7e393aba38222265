"""A phone that joins the base's wifi is led to Hembas."""

import pytest

from webui.captive import PROBES


@pytest.mark.parametrize("path", PROBES)
def test_connectivity_check_is_redirected_to_the_start_page(web, path):
    response = web.get(path, headers={"Host": "connectivitycheck.gstatic.com"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_start_page_then_asks_for_sign_in(web):
    response = web.get("/", headers={"Host": "captive.apple.com"})
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
