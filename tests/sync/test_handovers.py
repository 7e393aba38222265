"""Handovers follow the shifts: what the previous shift wrote for this one, across midnight too."""

import datetime as dt

from hembas_testing import SATURDAY, TODAY, at

from sync.day.handovers import write_handover, written_for, written_in


def test_the_night_hands_over_to_the_next_mornings_day_shift(box):
    night = box.shifts.shift(TODAY, "natt")
    note = write_handover(box.records, night, author="s7", text="Åke Öberg sov oroligt, ring dottern.",
                          client_id="c01", plan_version=box.plan().version)
    assert note["shift"] == "2026-11-27/natt" and note["date"] == TODAY.isoformat()
    saturday_day = box.shifts.shift(SATURDAY, "dag")
    assert written_for(box.records, box.shifts, saturday_day) == [note]
    assert written_for(box.records, box.shifts, box.shifts.shift(TODAY, "dag")) == []
    assert written_for(box.records, box.shifts, box.shifts.shift(SATURDAY, "kväll")) == []


def test_day_hands_over_to_evening_and_evening_to_night(box):
    day, evening = box.shifts.shift(TODAY, "dag"), box.shifts.shift(TODAY, "kväll")
    from_day = write_handover(box.records, day, author="s2", text="Inköpen till Storgatan 5 är inte gjorda.")
    from_evening = write_handover(box.records, evening, author="s6", text="Larmet hos c03 piper.")
    assert written_for(box.records, box.shifts, evening) == [from_day]
    assert written_for(box.records, box.shifts, box.shifts.shift(TODAY, "natt")) == [from_evening]


def test_a_record_stored_before_shifts_counts_for_the_shift_on_when_it_was_written(box):
    old = box.records.append("handover", author="s7", body={"text": "Skriven 02:10."},
                             device_time=at(SATURDAY, "02:10").astimezone(dt.timezone.utc))
    del old["shift"]  # what a record written by an older Hembas looks like
    assert written_in(old, box.shifts) == box.shifts.shift(TODAY, "natt")
    stored = box.records.get(old["id"])
    assert written_in(stored, box.shifts).key == "2026-11-27/natt"


def test_a_handover_written_while_the_clock_is_untrusted_is_kept(box):
    note = write_handover(box.records, None, author="s2", text="Klockan visade fel.")
    assert note["shift"] == "" and note["date"] == ""
    assert box.records.get(note["id"])["body"] == {"text": "Klockan visade fel."}
