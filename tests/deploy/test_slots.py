"""The A/B slot states on the boot partition: the shell script the initramfs runs, through BootSlots."""

from pathlib import Path

import pytest

import deploy
from deploy.slots import BootSlots, SlotError

SCRIPT = Path(deploy.__file__).parent / "rootfs" / "usr" / "lib" / "hembas" / "boot-slots"
CMDLINE = "console=tty0 root=PARTUUID=48454d42-02 ro rootwait hembas.slot=a panic=10"


@pytest.fixture
def boot(tmp_path):
    """A boot partition as the image ships it: slot a good and primary, no slot b yet."""
    folder = tmp_path / "boot"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "state").write_text("good\n")
    (folder / "slot.txt").write_text("os_prefix=a/\n")
    return folder


def slots(boot, booted="a"):
    return BootSlots(boot, cmdline=CMDLINE.replace("hembas.slot=a", f"hembas.slot={booted}"), script=SCRIPT)


def with_slot_b(boot, state):
    (boot / "b").mkdir(exist_ok=True)
    (boot / "b" / "state").write_text(state + "\n")


def booted(boot, slot):
    """What the initramfs does at boot: 'continue' or 'reboot'."""
    return slots(boot)._run("booted", slot)


def test_the_factory_slot_boots_as_it_is(boot):
    assert booted(boot, "a") == "continue"
    assert slots(boot).primary() == "a" and slots(boot).state("a") == "good"


def test_a_new_slot_gets_two_boots_to_prove_itself(boot):
    with_slot_b(boot, "bad")
    slots(boot).trial("b")
    assert slots(boot).primary() == "b" and slots(boot).state("b") == "try 2"
    assert booted(boot, "b") == "continue" and slots(boot).state("b") == "try 1"
    assert booted(boot, "b") == "continue" and slots(boot).state("b") == "try 0"
    assert booted(boot, "b") == "reboot"                    # out of tries: back to a
    assert slots(boot).state("b") == "bad" and slots(boot).primary() == "a"
    assert booted(boot, "a") == "continue"


def test_a_slot_that_passes_its_health_check_stays(boot):
    with_slot_b(boot, "bad")
    slots(boot).trial("b")
    booted(boot, "b")
    slots(boot, "b").mark_good("b")
    assert booted(boot, "b") == "continue" and slots(boot).state("b") == "good"
    assert slots(boot).primary() == "b"


def test_a_failed_health_check_sends_the_next_boot_to_the_good_slot(boot):
    with_slot_b(boot, "try 1")
    (boot / "slot.txt").write_text("os_prefix=b/\n")
    slots(boot, "b").mark_bad("b")
    assert slots(boot).primary() == "a"


def test_a_bad_slot_is_kept_when_there_is_nothing_better(boot):
    (boot / "a" / "state").write_text("bad\n")
    assert booted(boot, "a") == "continue"


def test_firmware_pointed_at_a_bad_slot_is_turned_around(boot):
    with_slot_b(boot, "bad")
    (boot / "slot.txt").write_text("os_prefix=b/\n")       # e.g. slot.txt restored from an old copy
    assert booted(boot, "b") == "reboot" and slots(boot).primary() == "a"


def test_garbage_in_a_state_file_counts_as_bad(boot):
    with_slot_b(boot, "\x00\x00 half written")
    assert slots(boot).state("b") == "bad"


def test_a_missing_or_unreadable_slot_txt_means_slot_a(boot):
    (boot / "slot.txt").unlink()
    assert slots(boot).primary() == "a"
    (boot / "slot.txt").write_text("os_prefix=../evil/\n")
    assert slots(boot).primary() == "a"


def test_rollback_only_to_a_good_slot(boot):
    with_slot_b(boot, "bad")
    with pytest.raises(SlotError, match="not good"):
        slots(boot).use("b")
    (boot / "b" / "state").write_text("good\n")
    slots(boot).use("b")
    assert slots(boot).primary() == "b"


def test_no_temporary_files_are_left_behind(boot):
    with_slot_b(boot, "bad")
    slots(boot).trial("b")
    booted(boot, "b")
    assert sorted(p.name for p in boot.rglob("*.new")) == []


def test_the_running_slot_and_its_partitions_come_from_the_kernel_command_line(boot):
    box = slots(boot, "b")
    assert box.booted() == "b" and box.other() == "a"
    assert str(box.partition("a")) == "/dev/disk/by-partuuid/48454d42-02"
    assert box.root_argument("b") == "root=PARTUUID=48454d42-03"


def test_a_system_not_started_from_a_slot_says_so(boot):
    with pytest.raises(SlotError, match="hembas.slot"):
        BootSlots(boot, cmdline="root=/dev/sda1 ro", script=SCRIPT).booted()
