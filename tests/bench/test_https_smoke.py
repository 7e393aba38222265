"""The HTTPS benchmark (bench.https) runs at a tiny scale and produces sane figures (no timing limits)."""

import pytest
from tls_testing import have_nginx

from bench import https


@pytest.mark.skipif(not have_nginx(), reason="needs nginx-light and openssl")
def test_https_benchmark_loads_idag_both_ways_and_weighs_nginx(tmp_path):
    outcome = https.run(tmp_path, rounds=2)
    plain, tls = outcome["rows"]
    assert plain["way"].startswith("HTTP,") and tls["way"].startswith("HTTPS")
    for row in (plain, tls):
        assert row["first"] > 0 and row["repeat"] > 0 and row["handshake"] > 0
    assert outcome["nginx_rss_kb"]["master"] > 1000 and outcome["nginx_rss_kb"]["worker"] > 1000
