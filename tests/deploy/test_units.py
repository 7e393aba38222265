"""The systemd units: sandboxed, unprivileged, restarting, and valid to systemd itself."""

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import deploy
from sync.config import load_config

UNITS = Path(deploy.__file__).parent / "rootfs" / "etc" / "systemd" / "system"
SERVICES = ["hembas-web.service", "hembas-firmware.service", "hembas-sync.service"]
INSTALLED_HEMBAS = "/opt/hembas/current/bin/hembas"
BOX_HEMBAS = "/usr/local/bin/hembas"           # the wrapper with the box's data folder
BOOT_SLOTS = "/usr/lib/hembas/boot-slots"
ROOTFS = Path(deploy.__file__).parent / "rootfs"


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
        text = path.read_text().replace(INSTALLED_HEMBAS, str(hembas)).replace(BOX_HEMBAS, str(hembas))
        (tmp_path / path.name).write_text(text.replace(BOOT_SLOTS, str(ROOTFS / BOOT_SLOTS.lstrip("/"))))
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


def test_nginx_counts_as_started_only_once_it_can_take_a_reload():
    """A reload (a swapped certificate) at boot must not reach nginx before its signal handlers: forking + PID file."""
    from deploy.nginx import render
    from deploy.tls import RUNTIME_DIR

    service = unit("hembas-tls.service")["Service"]
    assert service["Type"] == "forking" and "daemon off" not in service["ExecStart"]
    assert service["PIDFile"] == str(RUNTIME_DIR / "nginx.pid")
    config = load_config(Path("/nonexistent"), environ={})
    assert f"pid {RUNTIME_DIR / 'nginx.pid'};" in render(config, pem="/x.pem", runtime_dir=RUNTIME_DIR)


def read(relative):
    return (ROOTFS / relative).read_text()


def test_the_usb_stick_unit_mounts_where_everyone_sees_it():
    """No private mount namespace: systemd-mount's mount must be visible to the unprivileged import."""
    service = unit("hembas-stick@.service")["Service"]
    namespacing = {"ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateMounts", "ReadWritePaths",
                   "ReadOnlyPaths", "InaccessiblePaths", "TemporaryFileSystem", "BindPaths", "MountFlags"}
    assert not namespacing & set(service)
    assert service["ExecStart"] == f"{BOX_HEMBAS} stick /dev/%I"
    rule = read("etc/udev/rules.d/80-hembas-stick.rules")
    assert 'ENV{ID_BUS}=="usb"' in rule and 'ENV{SYSTEMD_WANTS}+="hembas-stick@%k.service"' in rule


def test_a_new_version_on_trial_is_checked_and_a_failed_check_reboots():
    health = unit("hembas-health.service")
    assert health["Service"]["ExecStart"] == f"{BOX_HEMBAS} update health"
    assert f"{BOOT_SLOTS} /boot/firmware on-trial" in health["Service"]["ExecCondition"]
    assert health["Service"]["FailureAction"] == "reboot"
    assert "hembas-web.service" in health["Unit"]["After"]


def test_the_hardware_watchdog_is_on_within_what_the_pi_can_count():
    seconds = int(re.search(r"^RuntimeWatchdogSec=(\d+)s$", read("etc/systemd/system.conf.d/hembas.conf"), re.M)[1])
    assert 0 < seconds <= 15                                       # bcm2835-wdt counts at most ~15 s


def test_the_journal_is_kept_on_the_data_partition_and_capped():
    journald = read("etc/systemd/journald.conf.d/hembas.conf")
    assert "Storage=persistent" in journald and re.search(r"^SystemMaxUse=\d+M$", journald, re.M)
    assert re.search(r"^/data/system/journal\s+/var/log/journal\s+none\s+bind", read("etc/fstab"), re.M)


def test_the_clock_is_saved_every_few_minutes():
    timer = unit("fake-hwclock-save.timer")["Timer"]
    assert timer["OnUnitActiveSec"] == "5min"
    save = unit("fake-hwclock-save.service")["Service"]
    assert save["ExecStart"] == "/sbin/fake-hwclock save"
    assert save["EnvironmentFile"] == "-/etc/default/fake-hwclock"          # FILE= on the data partition
    assert read("etc/default/fake-hwclock").strip().endswith("FILE=/data/system/fake-hwclock.data")
    customize = (ROOTFS.parent / "image" / "customize.sh").read_text()
    assert "fake-hwclock-save.timer" in customize and "hembas-health.service" in customize


def test_the_root_file_system_is_checked_and_mounted_read_only_on_the_pi():
    cmdline = (ROOTFS.parent / "rootfs-boot" / "cmdline.txt").read_text().split()
    assert "ro" in cmdline and "rw" not in cmdline and "fsck.repair=yes" in cmdline
    assert "FSTYPE=ext4" in read("etc/initramfs-tools/conf.d/hembas")      # fsck.ext4 goes into the initramfs
    assert "/sbin/e2fsck" in read("etc/initramfs-tools/hooks/hembas")       # and the data partition's check
    assert not re.search(r"^\S+\s+/\s", read("etc/fstab"), re.M)            # root comes from the command line


def test_the_images_cups_keeps_no_job_files_and_listens_on_localhost_only(tmp_path):
    """The binder is health data: cupsd (the real one) accepts the image's configuration as written."""
    cupsd = shutil.which("cupsd") or "/usr/sbin/cupsd"
    if not Path(cupsd).exists():
        pytest.skip("cupsd missing (tests/install-system-deps.sh installs it)")
    conf = (ROOTFS / "etc" / "cups" / "cupsd.conf").read_text()
    files = (ROOTFS / "etc" / "cups" / "cups-files.conf").read_text()
    directives = [line.split() for line in conf.splitlines() if line.strip() and not line.startswith("#")]
    assert ["PreserveJobFiles", "No"] in directives and ["WebInterface", "No"] in directives
    assert [d[1] for d in directives if d[0] in ("Listen", "Port")] == ["localhost:631", "/run/cups/cups.sock"]
    assert "ServerRoot /data/system/cups\n" in files and "RequestRoot /data/system/cups/spool\n" in files

    def here(path):
        return path.replace("/data/system/cups", str(tmp_path / "cups")).replace("/run/cups", str(tmp_path / "run"))

    tmpfiles = (ROOTFS / "etc" / "tmpfiles.d" / "hembas.conf").read_text().splitlines()
    for line in tmpfiles:                     # the folders systemd-tmpfiles makes at boot
        if line.startswith("d ") and "/cups" in line:
            Path(here(line.split()[1])).mkdir(parents=True)
    (tmp_path / "cupsd.conf").write_text(conf)
    (tmp_path / "cups-files.conf").write_text(here(files))
    checked = subprocess.run([cupsd, "-t", "-c", str(tmp_path / "cupsd.conf"), "-s", str(tmp_path / "cups-files.conf")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
