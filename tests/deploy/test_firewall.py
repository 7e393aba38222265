"""The nftables rules: valid syntax, phones limited to the web UI, SSH only from the uplink."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import deploy

RULES = Path(deploy.__file__).parent / "rootfs" / "etc" / "nftables.conf"


def chain(name):
    text = RULES.read_text()
    return re.search(rf"chain {name} \{{(.*?)\n    \}}", text, re.S).group(1)


@pytest.mark.skipif(shutil.which("nft") is None, reason="needs nft (nftables)")
def test_rules_file_is_valid_nftables():
    result = subprocess.run(["nft", "-c", "-f", str(RULES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_input_and_forward_drop_by_default():
    assert "policy drop;" in chain("input")
    assert "policy drop;" in chain("forward")


def test_phones_reach_only_dhcp_dns_and_the_web_ui():
    lines = [line.strip() for line in chain("input").splitlines() if "$PHONES" in line]
    assert lines == ["iifname $PHONES udp dport { 67, 53 } accept",
                     "iifname $PHONES tcp dport 53 accept",
                     "iifname $PHONES tcp dport $UI_PORT accept",
                     "iifname $PHONES counter drop"]


def test_ssh_is_accepted_only_after_the_phones_are_dropped():
    rules = chain("input")
    assert rules.index("iifname $PHONES counter drop") < rules.index("tcp dport 22")


def test_plain_http_lands_on_the_web_ui():
    assert "tcp dport 80 redirect to :$UI_PORT" in chain("prerouting")
    assert 'define UI_PORT = 8080' in RULES.read_text()
