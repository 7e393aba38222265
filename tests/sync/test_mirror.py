"""The plan mirror: atomic replace, rollback, retention, refusals that change nothing."""

import datetime as dt

import pytest
from hembas_testing import TODAY

from sync.plan.demo import demo_plan
from sync.errors import NoPlan, PlanInvalid, PlanStale
from sync.store.mirror import PlanMirror


def newer(document, hours=1, start=None):
    later = demo_plan(start or dt.date.fromisoformat(document["valid_from"]), seed=7)
    stamp = dt.datetime.fromisoformat(document["generated_at"]) + dt.timedelta(hours=hours)
    later["generated_at"] = stamp.isoformat()
    return later


def test_empty_mirror_has_no_plan(data_dir):
    mirror = PlanMirror(data_dir)
    assert mirror.current() is None
    with pytest.raises(NoPlan):
        mirror.rollback()


def test_import_makes_the_plan_current_and_survives_reopening(data_dir, demo_document):
    plan = PlanMirror(data_dir).import_document(demo_document, source="test", today=TODAY)
    reopened = PlanMirror(data_dir).current()
    assert reopened.version == plan.version
    assert len(reopened.visits) == len(demo_document["visits"])
    assert PlanMirror(data_dir).info()["source"] == "test"


def test_bad_document_changes_nothing(data_dir, demo_document):
    mirror = PlanMirror(data_dir)
    mirror.import_document(demo_document, source="test", today=TODAY)
    before = (data_dir / "plan.json").read_bytes()
    bad = newer(demo_document)
    bad["visits"][5]["client_id"] = "c99"
    with pytest.raises(PlanInvalid, match='visits\\[5\\].client_id: okänd klient "c99"'):
        mirror.import_document(bad, source="test", today=TODAY)
    assert (data_dir / "plan.json").read_bytes() == before


def test_older_plan_is_refused_unless_forced(data_dir, demo_document):
    mirror = PlanMirror(data_dir)
    mirror.import_document(newer(demo_document), source="test", today=TODAY)
    with pytest.raises(PlanStale, match="äldre än den som redan finns"):
        mirror.import_document(demo_document, source="test", today=TODAY)
    assert mirror.import_document(demo_document, source="test", today=TODAY, allow_older=True)


def test_rollback_restores_the_previous_plan_and_back_again(data_dir, demo_document):
    mirror = PlanMirror(data_dir)
    first = mirror.import_document(demo_document, source="a", today=TODAY)
    second = mirror.import_document(newer(demo_document), source="b", today=TODAY)
    assert mirror.rollback().version == first.version
    assert PlanMirror(data_dir).current().version == first.version
    assert mirror.info("previous")["source"] == "b"
    assert mirror.rollback().version == second.version


def test_only_one_previous_plan_is_kept(data_dir, demo_document):
    mirror = PlanMirror(data_dir)
    mirror.import_document(demo_document, source="a", today=TODAY)
    mirror.import_document(newer(demo_document, 1), source="b", today=TODAY)
    mirror.import_document(newer(demo_document, 2), source="c", today=TODAY)
    assert mirror.info()["source"] == "c" and mirror.info("previous")["source"] == "b"


def test_retention_drops_visits_older_than_the_limit_from_both_snapshots(data_dir):
    mirror = PlanMirror(data_dir, retention_days=7)
    start = TODAY - dt.timedelta(days=10)
    old = demo_plan(start, days=14)
    mirror.import_document(old, source="a", today=start)
    assert min(v.date for v in mirror.current().visits) == start
    mirror.import_document(newer(old, start=start), source="b", today=TODAY)
    cutoff = TODAY - dt.timedelta(days=7)
    assert min(v.date for v in mirror.current().visits) == cutoff
    assert min(v.date for v in mirror.rollback().visits) == cutoff


def test_untrusted_today_keeps_everything(data_dir):
    mirror = PlanMirror(data_dir, retention_days=1)
    start = TODAY - dt.timedelta(days=10)
    document = demo_plan(start)
    mirror.import_document(document, source="a", today=None)
    assert len(mirror.current().visits) == len(document["visits"])


def test_another_process_import_is_seen_without_restart(data_dir, demo_document):
    reader = PlanMirror(data_dir)
    PlanMirror(data_dir).import_document(demo_document, source="a", today=TODAY)
    first = reader.current()
    assert first is reader.current()  # cached: no re-parse while the file is unchanged
    PlanMirror(data_dir).import_document(newer(demo_document), source="b", today=TODAY)
    assert reader.current().version != first.version


def test_orphaned_temp_files_are_removed_at_start(data_dir):
    orphan = data_dir / ".plan.json.123.456.hembas-tmp"
    orphan.write_bytes(b"{half")
    PlanMirror(data_dir)
    assert not orphan.exists()


def test_temp_file_of_a_live_writer_is_left_alone(data_dir):
    import os
    live = data_dir / f".records.json.{os.getpid()}.1.hembas-tmp"
    live.write_bytes(b"{being written")
    PlanMirror(data_dir)
    assert live.exists()


def test_generated_at_is_known_without_a_full_parse(data_dir, demo_document):
    mirror = PlanMirror(data_dir)
    assert mirror.generated_at() is None
    mirror.import_document(demo_document, source="a", today=TODAY)
    assert mirror.generated_at() == PlanMirror(data_dir).current().generated_at
