"""Encrypted backups: the data folder comes back whole, and only with the passphrase."""

import pytest
from hembas_testing import TODAY

from deploy import backup
from deploy.commands import PASSPHRASE_VARIABLE
from sync.box import open_box
from sync.cli import main
from sync.config import load_config

PASSPHRASE = "lång lösenfras för kalix"


def test_round_trip_brings_the_plan_and_records_back(box, tmp_path):
    box.records.append("note", author="s1", body="Ringde anhörig", date=TODAY)
    blob = backup.create_backup(box.data_dir, PASSPHRASE)
    new_card = tmp_path / "new-card" / "var"
    assert backup.restore_backup(blob, PASSPHRASE, new_card) is None
    restored = open_box(load_config(new_card, environ={}))
    assert restored.mirror.current().version == box.mirror.current().version
    assert [r["body"] for r in restored.records.find(kind="note")] == ["Ringde anhörig"]


def test_backup_is_encrypted(box):
    box.records.append("note", author="s1", body="Nyckeln finns hos grannen", date=TODAY)
    blob = backup.create_backup(box.data_dir, PASSPHRASE)
    assert blob.startswith(backup.MAGIC)
    assert b"grannen" not in blob and b"records" not in blob


def test_wrong_passphrase_is_refused(box, tmp_path):
    blob = backup.create_backup(box.data_dir, PASSPHRASE)
    with pytest.raises(backup.BackupError, match="fel lösenfras"):
        backup.restore_backup(blob, "en helt annan fras", tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_damaged_backup_is_refused(box, tmp_path):
    blob = bytearray(backup.create_backup(box.data_dir, PASSPHRASE))
    blob[-10] ^= 0xFF
    with pytest.raises(backup.BackupError):
        backup.restore_backup(bytes(blob), PASSPHRASE, tmp_path / "new")


def test_short_passphrase_is_refused(box):
    with pytest.raises(backup.BackupError, match="minst 12 tecken"):
        backup.create_backup(box.data_dir, "kort")


def test_restore_keeps_a_non_empty_folder_unless_forced(box, tmp_path):
    blob = backup.create_backup(box.data_dir, PASSPHRASE)
    target = tmp_path / "card"
    target.mkdir()
    (target / "something.json").write_text("{}")
    with pytest.raises(backup.BackupError, match="inte tom"):
        backup.restore_backup(blob, PASSPHRASE, target)
    aside = backup.restore_backup(blob, PASSPHRASE, target, force=True)
    assert (aside / "something.json").exists()
    assert not (target / "something.json").exists()


def test_backup_and_restore_commands(box, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(PASSPHRASE_VARIABLE, PASSPHRASE)
    stick = tmp_path / "usb" / "kalix.hembas-backup"
    stick.parent.mkdir()
    assert main(["--data", str(box.data_dir), "backup", "-o", str(stick)]) == 0
    new_card = tmp_path / "new"
    assert main(["--data", str(new_card), "restore", str(stick)]) == 0
    assert "återställd" in capsys.readouterr().out
    assert (new_card / "hembas.toml").exists() == (box.data_dir / "hembas.toml").exists()
    assert sorted(p.name for p in new_card.iterdir()) == sorted(
        p.name for p in box.data_dir.iterdir() if not p.name.endswith(".lock"))
