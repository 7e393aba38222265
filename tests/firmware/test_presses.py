"""The button's presses against the real print queue (preview printer) and mock-pin lights."""

import datetime as dt

import pytest
from hembas_testing import TODAY, fixed_clock

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


def test_short_press_queues_one_sheet_per_staff_member_working_today(actions, queue, box):
    assert actions.short_press() == QUEUED
    working = box.day(TODAY).staff_ids()
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
