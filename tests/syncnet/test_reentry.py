import csv
import datetime as dt
import io

import pytest
from hembas_testing import NOW, TODAY

from sync.reentry import entries_since, export_csv, export_pdf, mark_reentered


@pytest.fixture
def written(box):
    plan = box.plan()
    c1, c2 = sorted(plan.clients)[:2]
    at = NOW.astimezone(dt.timezone.utc)

    def note(client, minutes, text, kind="note"):
        return box.records.append(kind, author="s1", body={"text": text}, client_id=client, date=TODAY,
                                  device_time=at + dt.timedelta(minutes=minutes))
    old = box.records.append("note", author="s1", body={"text": "förra veckan"}, client_id=c1,
                             device_time=at - dt.timedelta(days=8))
    return {"old": old, "late": note(c2, 30, "Åt inget – ring anhörig"), "early": note(c2, 5, "Sov"),
            "other": note(c1, 10, "Föll", kind="deviation"), "c1": c1, "c2": c2}


def test_records_since_a_date_come_per_client_in_time_order(box, written):
    rows = entries_since(box, TODAY)
    ids = [r["post-id"] for r in rows]
    assert written["old"]["id"] not in ids
    plan = box.plan()
    expected_clients = sorted([written["c1"], written["c2"]], key=lambda c: plan.clients[c].name)
    assert [r["brukar-id"] for r in rows] == [c for c in expected_clients for _ in range(1 if c == written["c1"] else 2)]
    c2_rows = [r["post-id"] for r in rows if r["brukar-id"] == written["c2"]]
    assert c2_rows == [written["early"]["id"], written["late"]["id"]]


def test_csv_opens_in_swedish_excel(box, written):
    raw = export_csv(box, TODAY, by="k1")
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["brukar-id", "brukare", "tid"]
    assert "Åt inget – ring anhörig" in [row[6] for row in table]
    assert box.audit.entries(action="reentry.export")[0]["actor"] == "k1"


def test_pdf_is_an_a4_document_and_audited(box, written):
    pdf = export_pdf(box, TODAY, by="k1")
    assert pdf.startswith(b"%PDF-") and b"/MediaBox [0 0 595.28 841.89]" in pdf
    assert box.audit.entries(action="reentry.export")[0]["target"] == "pdf"


def test_marking_appends_a_record_and_an_audit_entry_once(box, written):
    target = written["late"]["id"]
    first = mark_reentered(box, [target, "no-such-id"], by="k1")
    again = mark_reentered(box, [target], by="k1")
    assert [r["body"] for r in first] == [{"record_id": target}] and again == []
    assert box.records.get(target)["body"] == {"text": "Åt inget – ring anhörig"}  # unchanged
    assert box.audit.entries(action="record.reentered")[0]["target"] == target
    row = next(r for r in entries_since(box, TODAY) if r["post-id"] == target)
    assert row["inmatad"].startswith("k1 ")
