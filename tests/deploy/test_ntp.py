"""Time servers from the uplink's DHCP reach systemd-timesyncd (NetworkManager's dispatcher script)."""

import os
import subprocess
from pathlib import Path

import pytest

import deploy

SCRIPT = Path(deploy.__file__).parent / "rootfs" / "etc" / "NetworkManager" / "dispatcher.d" / "50-hembas-ntp"


@pytest.fixture
def dispatch(tmp_path):
    """Run the script as NetworkManager does; systemctl is replaced by a recorder (the OS's edge)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/systemctl.log\n')
    (bin_dir / "systemctl").chmod(0o755)

    def run(interface, action, servers=None):
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "TIMESYNCD_CONF_DIR": str(tmp_path / "conf.d")}
        if servers is not None:
            env["DHCP4_NTP_SERVERS"] = servers
        subprocess.run(["sh", str(SCRIPT), interface, action], env=env, check=True)
        log = tmp_path / "systemctl.log"
        return log.read_text().splitlines() if log.exists() else []
    return run


def conf(tmp_path, interface="eth0"):
    path = tmp_path / "conf.d" / f"50-dhcp-{interface}.conf"
    return path.read_text() if path.exists() else None


def test_dhcp_time_servers_are_given_to_timesyncd(dispatch, tmp_path):
    assert dispatch("eth0", "up", "10.1.2.3 ntp.kommun.example") == ["try-restart systemd-timesyncd.service"]
    assert conf(tmp_path) == ("# From the DHCP server on eth0 (NetworkManager dispatcher)\n"
                              "[Time]\nNTP=10.1.2.3 ntp.kommun.example\n")


def test_the_same_servers_again_restart_nothing(dispatch):
    dispatch("eth0", "up", "10.1.2.3")
    assert dispatch("eth0", "dhcp4-change", "10.1.2.3") == ["try-restart systemd-timesyncd.service"]


def test_the_phones_network_and_odd_answers_are_ignored(dispatch, tmp_path):
    assert dispatch("wlan0", "up", "10.42.0.1") == []
    assert dispatch("eth0", "up", "evil;reboot") == []
    assert dispatch("eth0", "up") == [] and conf(tmp_path) is None


def test_servers_are_forgotten_when_the_uplink_goes_down(dispatch, tmp_path):
    dispatch("eth0", "up", "10.1.2.3")
    dispatch("eth0", "down")
    assert conf(tmp_path) is None
    assert os.listdir(tmp_path / "conf.d") == []
