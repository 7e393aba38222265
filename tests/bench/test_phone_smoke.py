"""The phone bench's HTTPS walk (bench.phone): a real Chromium keeps the day through a real nginx (no timing limits)."""

from pathlib import Path

import pytest
from tls_testing import have_nginx

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
              pytest.mark.skipif(not have_nginx(), reason="needs nginx-light and openssl")]


def test_the_saved_day_and_the_outbox_work_over_https_through_nginx(tmp_path):
    from bench import phone

    figures = phone.run(tmp_path, with_lighthouse=False, https=True)
    assert figures["way"] == "HTTPS via nginx"
    assert figures["saved"]["pages"] == figures["visits"] + 2  # Idag, the contacts and every card on the route
    assert figures["first"]["wire_bytes"] > 0 and not figures["first"]["from_worker"]
    assert figures["offline"]["wire_bytes"] == 0  # the saved copy, from the service worker
    assert figures["outbox_empty_s"] > 0
