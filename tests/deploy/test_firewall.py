"""The nftables rules: valid, phones reach only nginx, the uplink only SSH (rate-limited per source)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import deploy
from deploy import phones

RULES = Path(deploy.__file__).parent / "rootfs" / "etc" / "nftables.conf"
needs_nft = pytest.mark.skipif(shutil.which("nft") is None, reason="needs nft (nftables)")


def chain(name):
    text = RULES.read_text()
    return re.search(rf"chain {name} \{{(.*?)\n    \}}", text, re.S).group(1)


def rules(chain_text):
    return [line.strip() for line in chain_text.splitlines() if line.strip() and not line.strip().startswith("#")]


def rules_with_phones_file(tmp_path, interface):
    """The rules as the box loads them, with provisioning's phones.nft from *tmp_path*."""
    phones.write_firewall(tmp_path / "nftables", interface)
    conf = tmp_path / "nftables.conf"
    conf.write_text(RULES.read_text().replace("/data/system/nftables/", f"{tmp_path}/nftables/"))
    return conf


@needs_nft
@pytest.mark.parametrize("interface", [None, "eth1"])
def test_rules_file_is_valid_nftables(tmp_path, interface):
    conf = rules_with_phones_file(tmp_path, interface) if interface else RULES
    result = subprocess.run(["nft", "-c", "-f", str(conf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_input_and_forward_drop_by_default():
    assert "policy drop;" in chain("input")
    assert "policy drop;" in chain("forward")


def test_phones_reach_only_dhcp_dns_and_nginx():
    assert rules(chain("phones")) == ["udp dport { 67, 53 } accept", "tcp dport 53 accept",
                                      "tcp dport $NGINX_PORTS accept", "counter drop"]
    assert "define NGINX_PORTS = { 80, 443 }" in RULES.read_text()
    assert "iifname $PHONES jump phones" in rules(chain("input"))


def test_the_uplink_accepts_ssh_and_nothing_else():
    after_phones = rules(chain("input"))
    after_phones = after_phones[after_phones.index("iifname $PHONES jump phones") + 1:]
    assert after_phones == [
        "udp dport 68 accept",
        "tcp dport 22 ct state new update @ssh4 { ip saddr limit rate 10/minute burst 5 packets } accept",
        "tcp dport 22 ct state new update @ssh6 { ip6 saddr limit rate 10/minute burst 5 packets } accept",
        "counter drop"]
    assert "$NGINX_PORTS" not in "\n".join(after_phones)


def test_the_ssh_limit_is_kept_per_source_address():
    text = RULES.read_text()
    for name, kind in (("ssh4", "ipv4_addr"), ("ssh6", "ipv6_addr")):
        assert re.search(rf"set {name} \{{\s*type {kind}; size \d+; flags dynamic, timeout;", text), name


def test_the_web_ui_behind_nginx_is_reached_on_the_box_itself_only():
    """Plain HTTP goes to nginx (probes answered, the rest redirected to HTTPS), not around it to waitress."""
    text = "\n".join(rules(RULES.read_text()))          # the rules, without the comments
    assert "8080" not in text and "redirect" not in text and "prerouting" not in text
    assert 'iifname "lo" accept' in rules(chain("input"))


def test_the_phones_interface_comes_from_provisioning(tmp_path):
    assert phones.write_firewall(tmp_path, "eth1") is True
    assert (tmp_path / "phones.nft").read_text().endswith('redefine PHONES = "eth1"\n')
    assert phones.write_firewall(tmp_path, "eth1") is False                # unchanged: no reload
    assert 'include "/data/system/nftables/*.nft"' in RULES.read_text()
