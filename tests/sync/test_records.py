"""Records written at the base: append-only, corrections, moves, acknowledgement, audit."""

import datetime as dt

import pytest
from hembas_testing import TODAY

from sync.store.audit import AuditLog
from sync.day.changes import assign, audit_as
from sync.store.records import Records, without_corrected


def test_record_is_durable_and_carries_its_metadata(box):
    rec = box.records.append("note", author="s2", body={"text": "Åt bra."}, plan_version=box.plan().version,
                             visit_id="v00001", client_id="c01", date=TODAY)
    again = Records(box.data_dir).get(rec["id"])
    assert again == rec
    assert len(rec["id"]) == 36 and rec["date"] == "2026-11-27" and rec["plan_version"] == box.plan().version


def test_unknown_kind_is_refused(box):
    with pytest.raises(ValueError):
        box.records.append("gossip", author="s2", body={})


def test_correction_is_a_new_record_that_hides_the_old(box):
    old = box.records.append("note", author="s2", body={"text": "Fel brukare"}, client_id="c01")
    new = box.records.append("note", author="s2", body={"text": "Rätt text"}, client_id="c01", corrects=old["id"])
    notes = box.records.find(kind="note", client_id="c01")
    assert [r["id"] for r in notes] == [old["id"], new["id"]]
    assert without_corrected(notes) == [new]


def test_unsent_until_acknowledged(box):
    a = box.records.append("note", author="s2", body={})
    b = box.records.append("deviation", author="s2", body={})
    box.records.mark_sent([a["id"]])
    box.records.mark_sent([a["id"]])  # acknowledging twice is harmless
    assert [r["id"] for r in Records(box.data_dir).unsent()] == [b["id"]]


def test_reassignment_moves_a_visit_for_that_day_only(box):
    plan = box.plan()
    visit = box.day().route("s2")[0]
    assign(box, TODAY, [(visit.id, ["s3"])], author="s1", audit=audit_as(box, "s1"))
    day = box.day()
    assert visit.id not in [v.id for v in day.route("s2")]
    assert visit.id in [v.id for v in day.route("s3")] and visit.id in day.moved
    assert visit.id in [v.id for v in plan.visits_for("s2", TODAY)]  # the plan itself is untouched
    tomorrow = box.day(TODAY + dt.timedelta(days=1))
    assert not tomorrow.moved


def test_reassignment_to_nobody_makes_the_visit_unassigned(box):
    visit = box.day().route("s2")[0]
    assign(box, TODAY, [(visit.id, [])], author="s1", audit=audit_as(box, "s1"))
    assert visit.id in [v.id for v in box.day().unassigned()]


def test_reassignment_to_unknown_staff_is_refused(box):
    with pytest.raises(ValueError, match="okänd personal"):
        assign(box, TODAY, [(box.plan().visits[0].id, ["s99"])], author="s1", audit=audit_as(box, "s1"))


def test_audit_log_is_append_only_and_newest_first(data_dir):
    audit = AuditLog(data_dir)
    audit.record("client.open", actor="s2", target="c01")
    audit.record("client.open", actor="s3", target="c02")
    assert [e["actor"] for e in audit.entries()] == ["s3", "s2"]
    assert [e["target"] for e in audit.entries(actor="s2")] == ["c01"]


def test_audit_log_survives_a_torn_last_line(data_dir):
    audit = AuditLog(data_dir)
    audit.record("sign_in", actor="s2")
    with open(data_dir / "audit.jsonl", "ab") as f:
        f.write(b'{"id": "torn", "act')  # power cut mid-append
    audit = AuditLog(data_dir)
    audit.record("sign_in", actor="s3")
    assert [e["actor"] for e in audit.entries()] == ["s3", "s2"]


def test_audit_entry_cut_short_by_a_full_disk_is_refused_and_removed(data_dir, monkeypatch):
    import os

    from sync.errors import StoreError

    audit = AuditLog(data_dir)
    audit.record("sign_in", actor="s1")
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, data[:10]))  # the disk took 10 bytes
    with pytest.raises(StoreError, match="minneskortet är fullt"):
        audit.record("sign_in", actor="s2")
    monkeypatch.undo()
    audit.record("sign_in", actor="s3")
    assert [e["actor"] for e in audit.entries()] == ["s3", "s1"]


def test_a_record_carries_its_shift_and_records_from_before_shifts_still_read(box):
    from sync.day.handovers import written_in

    rec = box.records.append("handover", author="s7", body={"text": "Natten var lugn."}, date=TODAY,
                             shift="2026-11-27/natt")
    assert Records(box.data_dir).get(rec["id"])["shift"] == "2026-11-27/natt"
    old = {key: value for key, value in rec.items() if key != "shift"} | {
        "id": "0b6a2c0e-0000-4000-8000-000000000001", "device_time": "2026-11-27T06:10:00+00:00"}
    with box.records._db.transaction() as db:  # as an older Hembas stored it
        db.table("records").insert(old)
    found = {r["id"]: r for r in Records(box.data_dir).find(kind="handover")}
    assert "shift" not in found[old["id"]]
    assert written_in(found[old["id"]], box.shifts).key == "2026-11-27/dag"  # 07:10 local: the day shift


def test_the_box_keeps_a_day_until_the_plan_or_the_records_change(box):
    from sync.plan.demo import demo_plan

    day = box.day(TODAY)
    assert box.day(TODAY) is day
    visit = day.shift("dag")[0]
    box.records.append("reassign", author="s1", visit_id=visit.id, client_id=visit.client_id, date=TODAY,
                       body={"staff_ids": ["s3"], "from": list(visit.staff_ids), "shift": "dag"})
    moved = box.day(TODAY)
    assert moved is not day and moved.visit(visit.id).staff_ids == ("s3",)
    Records(box.data_dir).append("note", author="s2", body={"text": "från en annan process"})
    assert box.day(TODAY) is not moved  # another process's write is seen too
    newer = demo_plan(TODAY, seed=7)
    newer["generated_at"] = "2026-11-27T06:00:00+01:00"
    box.mirror.import_document(newer, source="test", today=TODAY)
    assert box.day(TODAY).visits != moved.visits


def test_a_key_stores_one_record_also_after_a_reopen(box):
    first = box.records.append("note", author="s2", body={"text": "Åt bra."}, client_id="c01", key="k-1")
    again = box.records.append("note", author="s2", body={"text": "Åt bra."}, client_id="c01", key="k-1")
    reopened = Records(box.data_dir).append("note", author="s2", body={"text": "Åt bra."}, client_id="c01",
                                            key="k-1")
    assert again == first and reopened == first and first["key"] == "k-1"
    assert len(Records(box.data_dir).find(kind="note")) == 1


def test_a_reused_key_returns_what_was_stored_not_the_new_content(box):
    first = box.records.append("note", author="s2", body={"text": "Först"}, client_id="c01", key="k-1")
    other = box.records.append("deviation", author="s3", body={"text": "Annat"}, client_id="c02", key="k-1")
    assert other == first
    assert [r["body"]["text"] for r in box.records.find()] == ["Först"]


def test_keys_in_one_batch_and_records_without_keys(box):
    made = box.records.append_many([dict(kind="note", author="s2", body={"n": 1}, key="a"),
                                    dict(kind="note", author="s2", body={"n": 2}, key="a"),
                                    dict(kind="note", author="s2", body={"n": 3}),
                                    dict(kind="note", author="s2", body={"n": 4})])
    assert made[0] == made[1] and made[2]["id"] != made[3]["id"] and "key" not in made[2]
    assert [r["body"]["n"] for r in Records(box.data_dir).find()] == [1, 3, 4]


def test_a_duplicate_writes_nothing(box):
    box.records.append("note", author="s2", body={}, key="k-1")
    before = box.records.revision()
    box.records.append("note", author="s2", body={}, key="k-1")
    assert box.records.revision() == before


def test_posts_racing_with_one_key_store_one_record(box):
    import threading

    stores = [Records(box.data_dir) for _ in range(4)]  # four open stores: the file lock, not one object, decides
    start = threading.Barrier(len(stores))
    made = []

    def post(records):
        start.wait()
        made.extend(records.append("note", author="s2", body={"text": "Dubbeltryck"}, key="k-race") for _ in range(5))

    threads = [threading.Thread(target=post, args=(r,)) for r in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r["id"] for r in made}) == 1 and len(made) == 20
    assert len(Records(box.data_dir).find(kind="note")) == 1
