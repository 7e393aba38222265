"""The systemd units: sandboxed, unprivileged, restarting, and valid to systemd itself."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import deploy

UNITS = Path(deploy.__file__).parent / "rootfs" / "etc" / "systemd" / "system"
SERVICES = ["hembas-web.service", "hembas-firmware.service", "hembas-sync.service"]
INSTALLED_HEMBAS = "/opt/hembas/current/bin/hembas"


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_as_its_own_user_in_the_data_group(name):
    service = unit(name)["Service"]
    assert service["User"] == name.removesuffix(".service")
    assert service["Group"] == "hembas"
    assert "Environment=HEMBAS_DATA=/data/hembas\n" in (UNITS / name).read_text()


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_sandboxed(name):
    service = unit(name)["Service"]
    for option, value in {"NoNewPrivileges": "yes", "PrivateTmp": "yes", "ProtectSystem": "strict",
                          "ProtectHome": "yes", "ReadWritePaths": "/data/hembas", "CapabilityBoundingSet": ""}.items():
        assert service[option] == value, option


def test_long_running_services_restart_forever():
    for name in ("hembas-web.service", "hembas-firmware.service"):
        assert unit(name)["Service"]["Restart"] == "always"
        assert unit(name)["Unit"]["StartLimitIntervalSec"] == "0"


def test_firmware_daemon_is_watched():
    service = unit("hembas-firmware.service")["Service"]
    assert service["Type"] == "notify" and int(service["WatchdogSec"]) > 0


def test_units_run_the_contracted_commands():
    commands = {name: unit(name)["Service"]["ExecStart"] for name in SERVICES}
    assert commands == {"hembas-web.service": f"{INSTALLED_HEMBAS} serve",
                        "hembas-firmware.service": f"{INSTALLED_HEMBAS} firmware run",
                        "hembas-sync.service": f"{INSTALLED_HEMBAS} sync now --if-due"}
    assert unit("hembas-sync.timer")["Timer"]["OnUnitInactiveSec"] == "2min"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    """``systemd-analyze verify`` on copies that run this checkout's hembas instead of the box's path."""
    hembas = Path(sys.executable).with_name("hembas")
    for path in (p for p in UNITS.iterdir() if p.is_file()):
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALLED_HEMBAS, str(hembas)))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no",
                             *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, env={"SYSTEMD_LOG_LEVEL": "warning"})
    ours = [line for line in result.stderr.splitlines() if "hembas" in line]
    assert ours == []


def test_nginx_runs_unprivileged_with_only_the_right_to_bind_80_and_443():
    service = unit("hembas-tls.service")["Service"]
    assert service["User"] == "hembas-tls" and service["Group"] == "hembas"
    assert service["CapabilityBoundingSet"] == service["AmbientCapabilities"] == "CAP_NET_BIND_SERVICE"
    for option, value in {"NoNewPrivileges": "yes", "PrivateTmp": "yes", "ProtectSystem": "strict",
                          "ProtectHome": "yes", "ReadWritePaths": "/data/hembas/tls", "Restart": "always"}.items():
        assert service[option] == value, option
    text = (UNITS / "hembas-tls.service").read_text()
    assert f"ExecStartPre={INSTALLED_HEMBAS} tls ensure\n" in text  # never without a certificate
    assert f"ExecStartPre={INSTALLED_HEMBAS} tls nginx-config --output /run/hembas-nginx/nginx.conf\n" in text
    assert unit("hembas-tls-reload.path")["Path"]["PathChanged"] == "/data/hembas/tls/hembas.pem"
