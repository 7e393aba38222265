"""The box refuses to guess "today" when its clock cannot be trusted."""

import datetime as dt

import pytest
from hembas_testing import NOW, fixed_clock

from sync.clock import Clock
from sync.errors import ClockUntrusted

EPOCH = dt.datetime(1970, 1, 1, 0, 1, tzinfo=dt.timezone.utc)


def test_plausible_clock_is_trusted_and_local(data_dir):
    clock = fixed_clock(data_dir, floor=lambda: NOW - dt.timedelta(hours=2))
    assert clock.today() == dt.date(2026, 11, 27)
    assert clock.now().utcoffset() == dt.timedelta(hours=1)  # Stockholm in November
    assert clock.status().source == "rimlig"


def test_clock_before_the_plan_is_not_trusted(data_dir):
    clock = fixed_clock(data_dir, now=EPOCH, floor=lambda: NOW)
    status = clock.status()
    assert not status.trusted and "före planens skapandetid" in status.reason
    with pytest.raises(ClockUntrusted, match="bekräfta datum och tid"):
        clock.today()


def test_clock_before_the_last_seen_time_is_not_trusted(data_dir):
    fixed_clock(data_dir, now=NOW).status()  # the box saw 27 Nov
    status = fixed_clock(data_dir, now=NOW - dt.timedelta(days=3)).status()
    assert not status.trusted and "före senast kända tid" in status.reason


def test_small_steps_back_are_tolerated(data_dir):
    fixed_clock(data_dir, now=NOW).status()
    assert fixed_clock(data_dir, now=NOW - dt.timedelta(minutes=2)).status().trusted


def test_ntp_synchronised_clock_is_trusted_even_if_implausible(data_dir):
    marker = data_dir / "synchronized"
    marker.touch()
    clock = Clock(data_dir, system_now=lambda: EPOCH, sync_marker=marker, rtc_path=data_dir / "x",
                  floor=lambda: NOW, boot_id_path=data_dir / "boot_id")
    assert clock.status().source == "ntp"


def test_confirmation_from_a_phone_is_trusted_until_reboot(data_dir):
    (data_dir / "boot_id").write_text("boot-1")
    clock = fixed_clock(data_dir, now=EPOCH, floor=lambda: NOW)
    clock.confirm(NOW, by="s1")
    assert clock.now() == NOW and clock.status().source == "bekräftad"
    # Another process (the firmware daemon) sees the same confirmation.
    assert fixed_clock(data_dir, now=EPOCH, floor=lambda: NOW).today() == NOW.date()
    (data_dir / "boot_id").write_text("boot-2")
    assert not fixed_clock(data_dir, now=EPOCH, floor=lambda: NOW).status().trusted


def test_confirm_needs_a_time_zone(data_dir):
    with pytest.raises(ValueError):
        fixed_clock(data_dir).confirm(dt.datetime(2026, 11, 27, 8, 0), by="s1")
