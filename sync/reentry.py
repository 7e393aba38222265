"""Re-entry: everything written offline, for the coordinator to enter into the journal system.

After Kalix's attack this took weeks by hand.  The coordinator picks a date
and gets every record since then, per client and in time order, as a CSV
(for a spreadsheet) and a printable A4 PDF, then marks what has been
entered.  Marking appends a ``reentered`` record and an audit entry; the
original records never change::

    csv_bytes = export_csv(box, dt.date(2026, 11, 20))
    pdf_bytes = export_pdf(box, dt.date(2026, 11, 20))
    mark_reentered(box, [record_id], by="k1")
"""

import csv
import datetime as dt
import io
import logging
import zoneinfo

from .text import a4_document, pdf_text

logger = logging.getLogger(__name__)

KIND_LABELS = {"outcome": "Besök", "note": "Anteckning", "deviation": "Avvikelse", "handover": "Överlämning",
               "handover_read": "Läst överlämning", "reassign": "Omfördelning"}
NO_CLIENT = "(ingen brukare)"
COLUMNS = ("brukar-id", "brukare", "tid", "typ", "skriven av", "besök", "text", "rättar", "inmatad", "post-id")


def entries_since(box, since):
    """Rows to re-enter since *since* (a date, local midnight): grouped per client, oldest first."""
    tz = zoneinfo.ZoneInfo(box.config["clock"]["timezone"])
    start = since if isinstance(since, dt.datetime) else dt.datetime.combine(since, dt.time(0), tz)
    everything = box.records.find()
    entered = {r["body"].get("record_id"): r for r in everything if r["kind"] == "reentered"}
    plan = box.mirror.current()
    rows = []
    for record in everything:
        at = dt.datetime.fromisoformat(record["device_time"])
        if record["kind"] not in KIND_LABELS or at < start:
            continue
        client = plan.clients.get(record["client_id"]) if plan else None
        staff = plan.staff.get(record["author"]) if plan else None
        done = entered.get(record["id"])
        rows.append({
            "brukar-id": record["client_id"],
            "brukare": client.name if client else (record["client_id"] or NO_CLIENT),
            "tid": at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "typ": KIND_LABELS[record["kind"]],
            "skriven av": staff.name if staff else record["author"],
            "besök": record["visit_id"],
            "text": body_text(record["body"]),
            "rättar": record["corrects"],
            "inmatad": f"{done['author']} {done['device_time'][:10]}" if done else "",
            "post-id": record["id"],
            "_at": at,
        })
    rows.sort(key=lambda r: (not r["brukar-id"], r["brukare"], r["brukar-id"], r["_at"]))
    return rows


def body_text(body):
    """A record's body as one readable line."""
    if not isinstance(body, dict):
        return str(body)
    if set(body) == {"text"}:
        return str(body["text"])
    return "; ".join(f"{k}: {v}" for k, v in body.items() if v not in ("", None, [], {}))


def export_csv(box, since, *, by="coordinator"):
    """UTF-8 CSV with BOM and semicolons (opens directly in Swedish Excel); audited."""
    rows = entries_since(box, since)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([row[c] for c in COLUMNS] for row in rows)
    box.audit.record("reentry.export", actor=by, target="csv", detail={"since": str(since), "rows": len(rows)})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_pdf(box, since, *, by="coordinator"):
    """A4 PDF: one section per client, records in time order, a box to tick per record; audited."""
    rows = entries_since(box, since)
    pdf = a4_document(f"Att föra in i journalen sedan {since}", f"Att föra in i journalen - sedan {since}",
                      f"{len(rows)} poster. Bocka av när posten är införd.")
    pdf.set_font("helvetica", "", 9)
    client = None
    for row in rows:
        if (row["brukar-id"], row["brukare"]) != client:
            client = (row["brukar-id"], row["brukare"])
            pdf.ln(3)
            pdf.set_font("helvetica", "B", 12)
            pdf.cell(0, 7, pdf_text(" ".join(filter(None, (row["brukare"], f"({row['brukar-id']})" if row["brukar-id"] else "")))),
                     new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "B", 9)
        tick = "[x]" if row["inmatad"] else "[  ]"
        pdf.cell(0, 5, pdf_text(f"{tick} {row['tid']}  {row['typ']}  - {row['skriven av']}"
                          + (f"  (rättar {row['rättar'][:8]})" if row["rättar"] else "")),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 9)
        pdf.multi_cell(0, 4.5, pdf_text(row["text"] or "-"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 7)
        pdf.cell(0, 4, pdf_text(f"post {row['post-id']}" + (f", införd {row['inmatad']}" if row["inmatad"] else "")),
                 new_x="LMARGIN", new_y="NEXT")
    box.audit.record("reentry.export", actor=by, target="pdf", detail={"since": str(since), "rows": len(rows)})
    return bytes(pdf.output())


def mark_reentered(box, record_ids, *, by):
    """Mark records as entered into the journal system; returns the new ``reentered`` records.

    Unknown ids and records already marked are skipped.
    """
    everything = box.records.find()
    by_id = {r["id"]: r for r in everything}
    done = {r["body"].get("record_id") for r in everything if r["kind"] == "reentered"}
    marked = []
    for record_id in record_ids:
        record = by_id.get(record_id)
        if record is None or record_id in done or record["kind"] not in KIND_LABELS:
            continue
        marked.append(box.records.append("reentered", author=by, body={"record_id": record_id},
                                         client_id=record["client_id"], visit_id=record["visit_id"]))
        box.audit.record("record.reentered", actor=by, target=record_id)
        done.add(record_id)
    logger.info("%s marked %d record(s) as re-entered", by, len(marked))
    return marked
