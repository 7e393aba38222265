"""The municipality's certificate on the boot partition: installed at boot, its key gone from the card."""

import datetime as dt

import pytest
from tls_testing import TestCA, have_nginx

from deploy import tls
from sync.certificate import store_for
from sync.provisioning import read_errors, write_errors

pytestmark = pytest.mark.skipif(not have_nginx(), reason="needs openssl")


@pytest.fixture
def ca(tmp_path):
    return TestCA(tmp_path / "ca")


def _now():
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)


def test_a_certificate_beside_the_settings_file_is_installed_and_its_key_leaves_the_card(boot_dir, config, ca):
    cert, key = ca.issue(config["tls"]["name"])
    (boot_dir / "hembas.crt").write_bytes(cert)
    (boot_dir / "hembas.key").write_bytes(key)
    assert tls.install_boot_certificate(boot_dir, config, now=_now()) == "installed"
    assert store_for(config).read() == (cert, key) and store_for(config).source() == "settings"
    assert not (boot_dir / "hembas.key").exists() and (boot_dir / "hembas.crt").exists()
    assert tls.install_boot_certificate(boot_dir, config, now=_now()) == "unchanged"  # every later boot
    renewed, _ = ca.issue(config["tls"]["name"], key=key)  # a renewal on the card, for the key the box holds
    (boot_dir / "hembas.crt").write_bytes(renewed)
    assert tls.install_boot_certificate(boot_dir, config, now=_now()) == "installed"


def test_a_wrong_certificate_is_reported_beside_the_settings_files_problems(boot_dir, config, ca):
    write_errors(config.data_dir, [{"key": "wifi.name", "message": "wifi.name: saknas"}], source="x", checked_at="")
    cert, key = ca.issue("annan.example")
    (boot_dir / "hembas.crt").write_bytes(cert)
    (boot_dir / "hembas.key").write_bytes(key)
    assert tls.install_boot_certificate(boot_dir, config, now=_now()) == "invalid"
    messages = [e["message"] for e in read_errors(config.data_dir)["errors"]]
    assert messages == ["wifi.name: saknas", "hembas.crt: certifikatet gäller inte namnet hembas.local (CN=annan.example)"]
    assert (boot_dir / "hembas.key").exists() and store_for(config).read() == (b"", b"")  # nothing lost, nothing used
    (boot_dir / "hembas.crt").write_bytes(ca.issue("hembas.local", key=key)[0])
    assert tls.install_boot_certificate(boot_dir, config, now=_now()) == "installed"
    assert [e["key"] for e in read_errors(config.data_dir)["errors"]] == ["wifi.name"]


def test_a_refused_certificate_is_explained_on_the_boot_partition_and_fails_provisioning(boot_dir, config, ca):
    from deploy import report

    cert, key = ca.issue("annan.example")
    (boot_dir / "hembas.crt").write_bytes(cert)
    (boot_dir / "hembas.key").write_bytes(key)
    assert tls.install_boot_certificate(boot_dir, config, now=_now()) == "invalid"
    text = (boot_dir / report.FILE_NAME).read_bytes().decode("utf-8-sig")
    assert "\r\n" in text and "hembas.crt: certifikatet gäller inte namnet hembas.local" in text
    (boot_dir / "hembas.crt").write_bytes(ca.issue("hembas.local", key=key)[0])
    assert tls.install_boot_certificate(boot_dir, config, now=_now()) == "installed"
    assert not (boot_dir / report.FILE_NAME).exists()


def test_hembas_provision_exits_non_zero_when_the_certificate_is_refused(boot_dir, config, system_dir, settings_text,
                                                                        ca, capsys):
    from sync.cli import main

    command = ["--data", str(config.data_dir), "provision", "--boot", str(boot_dir), "--system", str(system_dir)]
    (boot_dir / "hembas.toml").write_text(settings_text)
    cert, key = ca.issue("annan.example")
    (boot_dir / "hembas.crt").write_bytes(cert)
    (boot_dir / "hembas.key").write_bytes(key)
    assert main(command) == 1
    assert "Certifikatet hembas.crt kan inte användas" in capsys.readouterr().out
