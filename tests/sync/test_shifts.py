"""The shift that is on or starts next, and windows on a shift's own timeline."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hembas_testing import TODAY, fixed_clock

from sync.config import load_config
from sync.day.shifts import ShiftSchedule, parse_hours
from sync.errors import ClockUntrusted, ConfigError
from sync.plan.model import Window

TZ = ZoneInfo("Europe/Stockholm")
TUESDAY = dt.date(2026, 12, 1)


@pytest.fixture
def schedule(tmp_path):
    return ShiftSchedule.from_config(load_config(tmp_path, environ={}), TZ)


def at(date, hh_mm):
    return dt.datetime.combine(date, dt.time.fromisoformat(hh_mm), TZ)


@pytest.mark.parametrize("clock, date, name", [
    ("06:30", TUESDAY, "dag"),                               # day shift starts within the lead time
    ("10:00", TUESDAY, "dag"),
    ("14:30", TUESDAY, "kväll"),                             # evening at 15:00 is within the hour
    ("21:00", TUESDAY, "natt"),                              # the night patrol at 21:30
    ("23:59", TUESDAY, "natt"),
    ("01:30", TUESDAY - dt.timedelta(days=1), "natt"),       # still Monday's night
    ("05:59", TUESDAY - dt.timedelta(days=1), "natt"),
])
def test_the_shift_on_or_starting_next(schedule, clock, date, name):
    shift = schedule.current(at(TUESDAY, clock))
    assert (shift.date, shift.name) == (date, name)


def test_the_night_shift_runs_into_the_next_morning(schedule):
    night = schedule.shift(TUESDAY, "natt")
    assert night.start == at(TUESDAY, "21:30")
    assert night.end == at(TUESDAY + dt.timedelta(days=1), "07:15")
    assert at(TUESDAY + dt.timedelta(days=1), "01:30") in night
    assert night.key == "2026-12-01/natt"
    assert schedule.from_key(night.key) == night


def test_a_preference_keeps_the_night_carer_on_her_night_at_half_past_six(schedule):
    monday_night = schedule.shift(TUESDAY - dt.timedelta(days=1), "natt")
    shift = schedule.current(at(TUESDAY, "06:30"), prefer=lambda s: s == monday_night)
    assert shift == monday_night
    # a preference for a shift that is not around now changes nothing
    assert schedule.current(at(TUESDAY, "06:30"), prefer=lambda s: s.name == "kväll").name == "dag"


def test_in_a_gap_between_shifts_the_next_one_to_start(tmp_path):
    config = load_config(tmp_path, environ={"HEMBAS_SHIFTS_KVALL": "18:00-22:00",
                                            "HEMBAS_SHIFTS_LEAD_MINUTES": "30"})
    schedule = ShiftSchedule.from_config(config, TZ)
    shift = schedule.current(at(TUESDAY, "16:30"))
    assert (shift.date, shift.name) == (TUESDAY, "kväll")


def test_previous_and_next_follow_the_rota_across_midnight(schedule):
    day = schedule.shift(TUESDAY, "dag")
    assert schedule.previous(day) == schedule.shift(TUESDAY - dt.timedelta(days=1), "natt")
    assert schedule.next(schedule.shift(TUESDAY, "natt")) == schedule.shift(TUESDAY + dt.timedelta(days=1), "dag")
    assert schedule.previous(schedule.shift(TUESDAY, "natt")).name == "kväll"


@pytest.mark.parametrize("text", ["7-16", "07:00", "25:00-07:00", "07:00-07:00", ""])
def test_shift_hours_are_checked(text):
    with pytest.raises(ConfigError, match="shifts.dag"):
        parse_hours(text, "shifts.dag")


def test_a_night_window_is_placed_on_the_night_timeline():
    window = Window(dt.time(22, 30), dt.time(6, 30))
    assert window.span("natt") == (22 * 60 + 30, 30 * 60 + 30)
    early = Window(dt.time(5, 45), dt.time(6, 15))
    assert early.span("natt") == (29 * 60 + 45, 30 * 60 + 15)   # the morning after
    assert early.span("dag") == (5 * 60 + 45, 6 * 60 + 15)       # a day visit stays on its date


def test_the_box_refuses_a_current_shift_while_the_clock_is_untrusted(box, data_dir):
    assert box.current_shift().name == "dag"  # the fixed clock says 07:30 on TODAY
    box.clock = fixed_clock(data_dir, now=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc),
                            floor=lambda: dt.datetime(2026, 11, 27, 5, 0, tzinfo=TZ))
    with pytest.raises(ClockUntrusted):
        box.current_shift()


def test_the_working_day_at_half_past_one_is_yesterday(box, data_dir):
    box.clock = fixed_clock(data_dir, now=at(TODAY + dt.timedelta(days=1), "01:30"))
    assert box.current_shift().date == TODAY
    assert box.day().date == TODAY


def test_the_night_carer_writing_up_at_twenty_past_seven_is_still_on_her_night(schedule):
    monday_night = schedule.shift(TUESDAY - dt.timedelta(days=1), "natt")  # ended 07:15
    assert schedule.current(at(TUESDAY, "07:20"), prefer=lambda s: s == monday_night) == monday_night
    assert schedule.current(at(TUESDAY, "07:20")).name == "dag"  # the button: no one to prefer
    assert schedule.current(at(TUESDAY, "08:20"), prefer=lambda s: s == monday_night).name == "dag"


def test_times_on_the_next_morning_carry_their_weekday(schedule):
    from sync.day.shifts import time_label, window_label
    from sync.plan.model import Visit

    def label(shift, start, end):
        visit = Visit(id="v1", client_id="c1", date=TUESDAY, shift=shift,
                      window=Window(dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
        return window_label(visit, TZ)

    assert label("natt", "22:30", "06:30") == "22:30–ons 06:30"
    assert label("natt", "00:30", "01:00") == "ons 00:30–01:00"
    assert label("natt", "23:45", "00:15") == "23:45–ons 00:15"
    assert label("dag", "07:00", "07:45") == "07:00–07:45"
    assert schedule.shift(TUESDAY, "natt").hours == "21:30–ons 07:15"
    assert time_label(at(TUESDAY, "21:30"), TUESDAY) == "21:30"


def test_shift_hours_on_the_windows_timeline(schedule):
    assert schedule.span("dag") == (7 * 60, 16 * 60)
    assert schedule.span("natt") == (21 * 60 + 30, 31 * 60 + 15)  # 07:15 the next morning
    assert Window(dt.time(5, 45), dt.time(6, 15)).span("natt")[1] <= schedule.span("natt")[1]


def test_the_plan_covers_the_working_day_not_the_calendar_date(box, data_dir, demo_document):
    last = dt.date.fromisoformat(demo_document["valid_to"])
    box.clock = fixed_clock(data_dir, now=at(last + dt.timedelta(days=1), "01:30"))  # the plan's last night
    assert box.freshness()["covers_today"]
    box.clock = fixed_clock(data_dir, now=at(last + dt.timedelta(days=1), "06:30"))  # the next day shift
    assert not box.freshness()["covers_today"]
