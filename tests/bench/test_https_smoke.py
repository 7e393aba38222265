"""The HTTPS benchmark (bench.https) runs at a tiny scale and produces sane figures (no timing limits)."""

import pytest
from tls_testing import have_nginx

from bench import https


@pytest.mark.skipif(not have_nginx(), reason="needs nginx-light and openssl")
def test_https_benchmark_loads_idag_both_ways_weighs_nginx_and_loads_the_pages_through_it(tmp_path):
    outcome = https.run(tmp_path, scale="smoke")
    plain, tls = outcome["rows"]
    assert plain["way"].startswith("HTTP,") and tls["way"].startswith("HTTPS")
    for row in (plain, tls):
        assert row["first"] > 0 and row["repeat"] > 0 and row["handshake"] > 0
    assert outcome["nginx_rss_kb"]["master"] > 1000 and outcome["nginx_rss_kb"]["worker"] > 1000
    assert [row["page"] for row in outcome["rush"]] == ["Idag", "client card", "Laget idag"]
    for row in outcome["rush"]:  # every request answered 200 both ways: nginx's limits did not refuse any
        assert row["requests"] > 0 and row["errors"] == 0 and row["ceiling_errors"] == 0 and row["ratio"] > 0
