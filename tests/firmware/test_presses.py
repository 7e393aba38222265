"""The button's presses against the real print queue (preview printer) and mock-pin lights."""

import datetime as dt

import pytest
from hembas_testing import FOUR_TIMES, TODAY, fixed_clock, set_clock

from firmware.button import PrintButton
from firmware.lights import Lights
from firmware.presses import ALREADY_QUEUED, QUEUED, REFUSED, ButtonActions
from printer.queue import PrintQueue


@pytest.fixture
def queue(box):
    return PrintQueue(box)


@pytest.fixture
def actions(queue, pin_factory):
    with Lights(green=22, yellow=23, red=24, pin_factory=pin_factory) as lights:
        yield ButtonActions(queue, lights)


def kinds(queue):
    return sorted(job["kind"] for job in queue.jobs(limit=100))


def test_short_press_queues_one_sheet_per_staff_member_working_the_shift(actions, queue, box):
    assert actions.short_press() == QUEUED  # 07:30: the day shift is on
    working = box.day(TODAY).staff_ids(shift="dag")
    assert working
    assert kinds(queue) == ["sheet"] * len(working)
    assert {job["ordered_by"] for job in queue.jobs(limit=100)} == {"knappen"}


def test_repeated_presses_while_the_set_prints_add_nothing(actions, queue):
    actions.short_press()
    queued = kinds(queue)
    assert actions.short_press() == ALREADY_QUEUED
    assert actions.short_press() == ALREADY_QUEUED
    assert kinds(queue) == queued


def test_a_press_after_the_set_was_printed_prints_it_again(actions, queue):
    actions.short_press()
    queue.process_once()
    assert actions.short_press() == QUEUED
    assert len(kinds(queue)) == 2 * len({j["title"] for j in queue.jobs(limit=100)})


def test_long_press_queues_the_status_slip_and_the_contact_list(actions, queue):
    assert actions.long_press() == QUEUED
    assert kinds(queue) == ["contacts", "status"]


def test_long_press_while_printing_adds_nothing(actions, queue):
    actions.short_press()
    queued = kinds(queue)
    assert actions.long_press() == ALREADY_QUEUED
    assert kinds(queue) == queued


def test_untrusted_clock_blocks_todays_sheets(actions, queue, box, demo_document):
    generated = dt.datetime.fromisoformat(demo_document["generated_at"])
    box.clock = fixed_clock(box.data_dir, now=generated - dt.timedelta(days=3),
                            floor=lambda: box.mirror.current().generated_at)
    assert not box.clock.status().trusted
    assert actions.short_press() == REFUSED
    assert queue.jobs() == []


def test_short_press_without_a_plan_is_refused(empty_box, pin_factory):
    queue = PrintQueue(empty_box)
    with Lights(green=22, yellow=23, red=24, pin_factory=pin_factory) as lights:
        assert ButtonActions(queue, lights).short_press() == REFUSED
    assert queue.jobs() == []


def test_every_press_is_acknowledged_with_a_flash(actions, pin_factory, wait_for):
    actions.short_press()
    yellow = pin_factory.pin(23)
    assert wait_for(lambda: [s.state for s in yellow.states].count(True) == 2)


@pytest.mark.parametrize("time_of_day", FOUR_TIMES)
def test_a_press_on_the_real_mock_pin_prints_the_shift_on_or_starting_next(box, pin_factory, time_of_day):
    """06:30 the day shift, 14:30 the evening, 21:00 the night, 01:30 the night that began yesterday."""
    now, shift, working_day = FOUR_TIMES[time_of_day]
    set_clock(box, now)
    queue = PrintQueue(box)
    with Lights(green=22, yellow=23, red=24, pin_factory=pin_factory) as lights:
        actions = ButtonActions(queue, lights)
        with PrintButton(17, long_press_seconds=5, on_short=actions.short_press, on_long=actions.long_press,
                         pin_factory=pin_factory) as button:
            button.pin.drive_low()
            button.pin.drive_high()
            titles = [job["title"] for job in queue.jobs(limit=100)]
            expected = box.day(working_day).staff_ids(shift=shift)
            assert expected and len(titles) == len(expected)
            assert all(title.endswith(f"{working_day.isoformat()} {shift}") for title in titles)
            button.pin.drive_low()  # again while the set is printing: nothing more
            button.pin.drive_high()
            assert len(queue.jobs(limit=100)) == len(expected)


def test_the_next_shifts_press_prints_the_next_set(box, pin_factory):
    queue = PrintQueue(box)
    with Lights(green=22, yellow=23, red=24, pin_factory=pin_factory) as lights:
        actions = ButtonActions(queue, lights)
        set_clock(box, FOUR_TIMES["14:30"][0])
        assert actions.short_press() == QUEUED
        evening = len(queue.jobs(limit=100))
        set_clock(box, FOUR_TIMES["21:00"][0])  # the evening's set still waits for paper: the night prints anyway
        assert actions.short_press() == QUEUED
        assert len(queue.jobs(limit=100)) == evening + len(box.day(TODAY).staff_ids(shift="natt"))
        set_clock(box, FOUR_TIMES["01:30"][0])  # the same night: nothing new
        assert actions.short_press() == ALREADY_QUEUED
