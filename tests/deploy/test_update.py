"""Whole-system updates: signed bundles into the other slot, on trial, forward only, health-checked."""

import os
import tarfile
from pathlib import Path

import nacl.signing
import pytest

import deploy
from deploy import bundle, update
from deploy.slots import BootSlots
from sync.network.signing import encode_key, sign

SCRIPT = Path(deploy.__file__).parent / "rootfs" / "usr" / "lib" / "hembas" / "boot-slots"
UPDATE_KEY = nacl.signing.SigningKey(b"u" * 32)
TRUSTED = encode_key(UPDATE_KEY.verify_key)
IMAGE = os.urandom(3 << 20) + bytes(2 << 20)         # 5 MB: a random part and an empty part


class Card:
    """The card of a booted box: boot partition folder and the two root partitions as files."""

    def __init__(self, folder, booted="a"):
        self.boot = folder / "boot"
        (self.boot / "a").mkdir(parents=True)
        (self.boot / "a" / "state").write_text("good\n")
        (self.boot / "a" / "version").write_text("0.1.0\n")
        (self.boot / "slot.txt").write_text("os_prefix=a/\n")
        self.partitions = {slot: folder / f"root-{slot}.img" for slot in "ab"}
        for path in self.partitions.values():
            path.write_bytes(bytes(8 << 20))
        self.slots = Slots(self, booted)
        self.reboots = 0

    def reboot(self):
        self.reboots += 1


class Slots(BootSlots):
    """BootSlots whose partitions are the card's files (the block devices of a real box)."""

    def __init__(self, card, booted):
        super().__init__(card.boot, cmdline=f"root=PARTUUID=48454d42-0{2 if booted == 'a' else 3} ro "
                                            f"hembas.slot={booted}", script=SCRIPT)
        self.card = card

    def partition(self, slot):
        return self.card.partitions[slot]


@pytest.fixture
def card(tmp_path):
    return Card(tmp_path)


@pytest.fixture
def boot_files(tmp_path):
    folder = tmp_path / "boot-files"
    (folder / "overlays").mkdir(parents=True)
    (folder / "vmlinuz").write_bytes(b"kernel " * 1000)
    (folder / "initrd.img").write_bytes(b"initramfs " * 1000)
    (folder / "bcm2710-rpi-3-b.dtb").write_bytes(b"dtb")
    (folder / "overlays" / "disable-bt.dtbo").write_bytes(b"overlay")
    (folder / "cmdline.txt").write_text("console=tty0 root=PARTUUID=48454d42-02 ro rootwait hembas.slot=a\n")
    return folder


@pytest.fixture
def make_bundle(tmp_path, boot_files):
    def make(version="0.2.0", key=UPDATE_KEY, image=IMAGE):
        root = tmp_path / f"root-{version}.ext4"
        root.write_bytes(image)
        path = tmp_path / f"hembas-{version}{bundle.SUFFIX}"
        bundle.pack(path, root_image=root, boot_dir=boot_files, version=version, signing_key=key)
        return path
    return make


def apply(card, path, running="0.1.0"):
    return update.apply_bundle(path, slots=card.slots, trusted_key=TRUSTED, running_version=running,
                               reboot=card.reboot)


def test_an_update_goes_into_the_other_slot_on_trial(card, make_bundle):
    assert apply(card, make_bundle()) == ("0.2.0", "b")
    assert card.partitions["b"].read_bytes()[:len(IMAGE)] == IMAGE
    assert card.partitions["a"].read_bytes() == bytes(8 << 20)           # the running slot untouched
    slot_b = card.boot / "b"
    assert (slot_b / "cmdline.txt").read_text() == \
        "console=tty0 root=PARTUUID=48454d42-03 ro rootwait hembas.slot=b\n"
    assert (slot_b / "overlays" / "disable-bt.dtbo").read_bytes() == b"overlay"
    assert card.slots.state("b") == "try 2" and card.slots.primary() == "b"
    assert card.slots.version("b") == "0.2.0" and card.reboots == 1
    assert sorted(p.name for p in card.boot.iterdir()) == ["a", "b", "slot.txt"]


def test_the_same_or_an_older_version_is_refused(card, make_bundle):
    for version in ("0.1.0", "0.0.9"):
        with pytest.raises(update.UpdateRefused, match="äldre versioner installeras aldrig"):
            apply(card, make_bundle(version))
    assert not (card.boot / "b").exists() and card.reboots == 0


def test_versions_compare_as_numbers():
    assert bundle.version_key("0.10.0") > bundle.version_key("0.9.9")
    with pytest.raises(bundle.BundleInvalid):
        bundle.version_key("1.0-beta")


def test_a_bundle_signed_with_another_key_is_refused(card, make_bundle):
    with pytest.raises(bundle.BundleInvalid, match="uppdateringsnyckeln"):
        apply(card, make_bundle(key=nacl.signing.SigningKey.generate()))
    assert card.partitions["b"].read_bytes() == bytes(8 << 20)


def test_the_hubs_plan_key_cannot_sign_an_update(card, make_bundle, hub_signing_key):
    """The two keys are separate: a bundle signed with the hub's key is refused."""
    with pytest.raises(bundle.BundleInvalid):
        apply(card, make_bundle(key=hub_signing_key))


def test_a_plan_envelope_cannot_pass_for_an_update(card, tmp_path):
    envelope = sign(b"{}", UPDATE_KEY, kind="plan", team="*")
    path = tmp_path / "plan.hembas-update"
    path.write_bytes(bundle.MAGIC + f"{len(envelope)}\n".encode() + envelope)
    with pytest.raises(bundle.BundleInvalid, match="fel sorts fil"):
        apply(card, path)


def test_a_damaged_image_is_found_and_the_slot_not_booted(card, make_bundle):
    path = make_bundle()
    data = bytearray(path.read_bytes())
    data[-5000] ^= 0xFF                                                    # inside the root image
    path.write_bytes(bytes(data))
    with pytest.raises(bundle.BundleInvalid):
        apply(card, path)
    assert card.slots.primary() == "a" and card.reboots == 0


def test_a_truncated_bundle_is_refused_before_anything_is_written(card, make_bundle):
    path = make_bundle()
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(bundle.BundleInvalid, match="avkortad"):
        apply(card, path)
    assert card.partitions["b"].read_bytes() == bytes(8 << 20)


def test_an_image_too_big_for_the_slot_is_refused(card, make_bundle):
    with pytest.raises(bundle.BundleInvalid, match="får inte plats"):
        apply(card, make_bundle(image=bytes(9 << 20)))


def test_boot_files_may_not_escape_their_folder(card, tmp_path):
    evil = tmp_path / "evil"
    evil.mkdir()
    with tarfile.open(evil / "boot.tar", "w") as tar:
        tar.add(__file__, arcname="../../etc/passwd")
    b = bundle.SystemBundle(tmp_path, {"version": "0.2.0"},
                            {"boot": (0, {"size": (evil / "boot.tar").stat().st_size, "sha256": ""})})
    b.path = evil / "boot.tar"
    b._offsets["boot"][1]["sha256"] = bundle._size_and_hash(b.path)["sha256"]
    with pytest.raises(bundle.BundleInvalid, match="annat än filer"):
        b.extract_boot(tmp_path / "out")


def test_a_new_update_waits_until_the_running_one_is_approved(card, make_bundle):
    apply(card, make_bundle())
    on_trial = Card(card.boot.parent / "second", booted="a")
    (on_trial.boot / "a" / "state").write_text("try 1\n")
    with pytest.raises(update.UpdateRefused, match="provkörs"):
        apply(on_trial, make_bundle("0.3.0"))


def test_a_healthy_trial_is_marked_good(card, make_bundle):
    apply(card, make_bundle())
    slots_b = Slots(card, "b")
    assert update.check_health(slots_b, healthy=lambda: True, reboot=card.reboot) == "good"
    assert slots_b.state("b") == "good" and slots_b.primary() == "b"


def test_an_unhealthy_trial_goes_back_at_once(card, make_bundle):
    apply(card, make_bundle())
    slots_b = Slots(card, "b")
    assert update.check_health(slots_b, healthy=lambda: False, reboot=card.reboot) == "bad"
    assert slots_b.state("b") == "bad" and slots_b.primary() == "a" and card.reboots == 2


def test_a_good_slot_is_not_checked_again(card):
    assert update.check_health(card.slots, healthy=lambda: pytest.fail("checked"), reboot=card.reboot) == "good"


def test_rollback_only_to_a_good_version(card, make_bundle):
    with pytest.raises(update.UpdateRefused, match="ingen godkänd version"):
        update.rollback(card.slots, reboot=card.reboot)
    apply(card, make_bundle())
    slots_b = Slots(card, "b")
    slots_b.mark_good("b")
    assert update.rollback(slots_b, reboot=card.reboot) == "0.1.0"
    assert slots_b.primary() == "a"


def test_a_service_that_keeps_crashing_fails_the_health_check_at_once():
    def systemctl(command, **kwargs):
        class Result:
            returncode = 3
            stdout = "5\n0\n" if "show" in command else ""
        return Result()

    assert update.services_healthy(url="http://127.0.0.1:9/", timeout=60, run=systemctl) is False


def test_the_running_version_comes_from_the_build_record(tmp_path):
    (tmp_path / "build.json").write_text('{"version": "0.1.0", "debian": {}}')
    assert update.running_version(tmp_path / "build.json") == "0.1.0"
    with pytest.raises(update.UpdateRefused):
        update.running_version(tmp_path / "missing.json")


def test_the_offline_key_and_a_bundle_from_the_command_line(tmp_path, boot_files, capsys):
    from sync.cli import main
    assert main(["update", "keygen", str(tmp_path / "keys")]) == 0
    public = (tmp_path / "keys" / "update-key.pub").read_text().strip()
    assert main(["update", "keygen", str(tmp_path / "keys")]) == 1                 # never overwritten
    root = tmp_path / "root.ext4"
    root.write_bytes(IMAGE)
    assert main(["update", "pack", "--root", str(root), "--boot", str(boot_files), "--version", "0.2.0",
                 "--key", str(tmp_path / "keys" / "update-signing.key"), "-o", str(tmp_path / "b.hembas-update")]) == 0
    assert bundle.SystemBundle.open(tmp_path / "b.hembas-update", public).version == "0.2.0"
    assert "UPDATE_PUBLIC_KEY=" in capsys.readouterr().out
