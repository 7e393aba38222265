import csv
import datetime as dt
import io

import pytest
from hembas_testing import NOW, TODAY, pdftotext

from sync.day.changes import add_extra_visit, add_substitute, assign, audit_as, mark_absent, undo
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
    assert table[0][:5] == ["avsnitt", "brukar-id", "brukare", "gäller", "tid"]
    assert "Åt inget – ring anhörig" in [row[table[0].index("text")] for row in table]
    assert box.audit.entries(action="reentry.export")[0]["actor"] == "k1"


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\",\"klicka\")", "+1+1", "-2+3", "@SUM(A1)",
                                  "\t=1+1", "\r=1+1", "\uff1d1+1", "x;=1+1", "x\n=1+1"])
def test_a_note_cannot_become_a_spreadsheet_formula(box, written, text):
    """The review's finding 9: notes starting with = + - @ went into the CSV as formulas."""
    box.records.append("note", author="s1", body={"text": text}, client_id=written["c1"], date=TODAY,
                       device_time=NOW.astimezone(dt.timezone.utc) + dt.timedelta(hours=1))
    raw = export_csv(box, TODAY, by="k1").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(raw, newline=""), delimiter=";") for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d"))]
    assert ("'" + text if text[0] in "=+-@\t\r\uff1d" else text) in cells  # shown as typed, never run


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


# -- Ändringar i planeringen -------------------------------------------------------------------------

@pytest.fixture
def morning(box):
    """A morning meeting: Lina (s3) sick, a substitute, two of her visits shared out, an extra visit."""
    who = {"author": "s1", "audit": audit_as(box, "s1")}
    dag = box.shifts.shift(TODAY, "dag")
    lina = box.day(TODAY).route("s3", shift="dag")
    absence = mark_absent(box, "s3", dag, **who)
    sub = add_substitute(box, dag, name="Kim Berg", phone="070-123 45 67", **who)
    moved = assign(box, TODAY, [(lina[0].id, ["s2"]), (lina[1].id, [sub["body"]["id"]])], **who).records
    again = assign(box, TODAY, [(lina[0].id, ["s5"])], **who).records[0]
    extra = add_extra_visit(box, box.shifts.shift(TODAY, "kväll"), "c07", tasks=["tillsyn"], note="Hem från sjukhuset",
                            window="19:00-19:30", **who)
    return {"absence": absence, "sub": sub, "moved": moved, "again": again, "extra": extra, "lina": lina, "who": who}


def planning(box):
    return [r for r in entries_since(box, TODAY) if r["avsnitt"] == "Ändringar i planeringen"]


def test_the_mornings_changes_come_as_lines_for_the_planning_system(box, morning):
    rows = planning(box)
    by_id = {r["post-id"]: r for r in rows}
    plan = box.plan()
    first, second = morning["lina"][:2]
    assert by_id[morning["absence"]["id"]]["text"] == "Lina Kärrman frånvarande dagpasset 27/11"
    assert by_id[morning["absence"]["id"]]["typ"] == "Frånvaro" and by_id[morning["absence"]["id"]]["gäller"] == \
        "2026-11-27 dag"
    sub_id = morning["sub"]["body"]["id"]
    assert by_id[morning["sub"]["id"]]["text"] == f"Vikarie Kim Berg ({sub_id}), tel 070-123 45 67, dagpasset 27/11"
    assert by_id[morning["moved"][1]["id"]]["text"].startswith(
        f"Besök {second.id} hos {plan.clients[second.client_id].name} dagpasset 27/11")
    assert by_id[morning["moved"][1]["id"]]["text"].endswith(": Lina Kärrman → Kim Berg")  # as planned → now
    assert by_id[morning["again"]["id"]]["text"].endswith(": Lina Kärrman → Sara Lindgren")
    assert morning["moved"][0]["id"] not in by_id  # moved again before anyone entered it: only the latest
    extra = by_id[morning["extra"]["id"]]
    assert extra["typ"] == "Extra besök" and extra["gäller"] == "2026-11-27 kväll" and extra["brukar-id"] == "c07"
    assert "kvällspasset 27/11 19:00–19:30: tillsyn; Obs: Hem från sjukhuset" in extra["text"]
    assert [r["gäller"] for r in rows] == sorted((r["gäller"] for r in rows), key=lambda g: g.endswith("kväll"))
    journal = [r for r in entries_since(box, TODAY) if r["avsnitt"] == "Journal"]
    assert all(r["typ"] != "Omfördelning" for r in journal)


def test_undone_before_entry_is_left_out_entered_then_undone_is_listed_twice(box, morning):
    undo(box, morning["extra"]["id"], **morning["who"])
    assert morning["extra"]["id"] not in {r["post-id"] for r in planning(box)}
    mark_reentered(box, [morning["sub"]["id"]], by="k1")
    undone = undo(box, morning["sub"]["id"], **morning["who"])
    rows = {r["post-id"]: r for r in planning(box)}
    assert rows[morning["sub"]["id"]]["inmatad"].startswith("k1 ")
    assert rows[undone["id"]]["typ"] == "Ångrat" and rows[undone["id"]]["text"].startswith("Ångrat: Vikarie Kim Berg")


def test_the_section_is_in_the_csv_and_the_pdf(box, morning):
    table = list(csv.reader(io.StringIO(export_csv(box, TODAY).decode("utf-8-sig")), delimiter=";"))
    header = table[0]
    sections = [row[header.index("avsnitt")] for row in table[1:]]
    assert "Ändringar i planeringen" in sections
    assert "Lina Kärrman frånvarande dagpasset 27/11" in [row[header.index("text")] for row in table]
    text = pdftotext(export_pdf(box, TODAY))
    assert "Ändringar i planeringen" in text and "Lina Kärrman frånvarande dagpasset 27/11" in text
    assert "2026-11-27 kväll" in text
