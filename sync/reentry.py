"""Re-entry: everything written offline, for the coordinator to enter into the journal and planning systems.

After Kalix's attack this took weeks by hand.  The coordinator picks a date
and gets, as a CSV (for a spreadsheet) and a printable A4 PDF, two sections:

* **Journal**: every record since then, per client and in time order;
* **Ändringar i planeringen**: the morning meetings' changes (absences,
  substitutes, reassignments, route orders, extra visits) per working day
  and shift, each as a line to type into the planning system.  Only what
  stands is listed: a change undone or replaced by a later one (a visit
  moved twice) is left out unless it was already marked as entered, and
  then its undoing is listed too.

Then the coordinator marks what has been entered.  Marking appends a
``reentered`` record and an audit entry; the original records never change::

    csv_bytes = export_csv(box, dt.date(2026, 11, 20))
    pdf_bytes = export_pdf(box, dt.date(2026, 11, 20))
    mark_reentered(box, [record_id], by="k1")
    visits_without_outcome(box, dt.date(2026, 11, 20))   # paper run-sheets still to type in
"""

import datetime as dt
import logging
import zoneinfo

from .day.team_day import team_day
from .day.wording import KIND_LABELS as CHANGE_LABELS
from .day.wording import describe
from .plan.model import SHIFTS
from .store.records import DAY_KINDS
from .text import a4_document, pdf_text, spreadsheet_csv

logger = logging.getLogger(__name__)

KIND_LABELS = {"outcome": "Besök", "note": "Anteckning", "deviation": "Avvikelse", "handover": "Överlämning",
               "handover_read": "Läst överlämning"}
JOURNAL, PLANNING = "Journal", "Ändringar i planeringen"
NO_CLIENT = "(ingen brukare)"
COLUMNS = ("avsnitt", "brukar-id", "brukare", "gäller", "tid", "typ", "skriven av", "besök", "text", "rättar",
           "inmatad", "post-id")


def entries_since(box, since):
    """Rows to re-enter since *since* (a date, local midnight): the journal per client, oldest first,
    then the changes in the planning per working day and shift."""
    tz = zoneinfo.ZoneInfo(box.config["clock"]["timezone"])
    start = since if isinstance(since, dt.datetime) else dt.datetime.combine(since, dt.time(0), tz)
    everything = [r for r in box.records.find() if dt.datetime.fromisoformat(r["device_time"]) >= start
                  or r["kind"] == "reentered"]
    entered = {r["body"].get("record_id"): r for r in everything if r["kind"] == "reentered"}
    plan = box.mirror.current()
    journal = [_row(JOURNAL, r, KIND_LABELS[r["kind"]], body_text(r["body"]), plan, entered, tz)
               for r in everything if r["kind"] in KIND_LABELS]
    journal.sort(key=lambda r: (not r["brukar-id"], r["brukare"], r["brukar-id"], r["_at"]))
    return journal + _planning_rows(box, [r for r in everything if r["kind"] in DAY_KINDS], plan, entered, tz)


def _planning_rows(box, changes, plan, entered, tz):
    """The day changes that stand (or were entered already), each described for the planning system."""
    rows = []
    for date in sorted({r["date"] for r in changes}):
        day = team_day(plan, box.records, dt.date.fromisoformat(date)) if plan else None
        latest = {}
        for record in day.changes if day else ():
            latest[_target(record)] = record["id"]  # oldest first: a later move of the same visit replaces
        standing = set(latest.values())
        for record in (r for r in changes if r["date"] == date):
            undoes = entered.get(record["corrects"]) if record["body"].get("undone") else None
            if record["id"] not in standing and record["id"] not in entered and not undoes:
                continue
            text = describe(record, plan, day, records=box.records) if day else body_text(record["body"])
            label = "Ångrat" if record["body"].get("undone") else CHANGE_LABELS[record["kind"]]
            rows.append(_row(PLANNING, record, label, text, plan, entered, tz))
    shift_rank = {name: n for n, name in enumerate(SHIFTS)}
    rows.sort(key=lambda r: (r["_date"], shift_rank.get(r["_shift"], len(SHIFTS)), r["_at"]))
    return rows


def _target(record):
    """What a change is about: a later change of the same target replaces it."""
    body = record["body"]
    if record["kind"] == "reassign":
        return ("reassign", record["visit_id"])
    if record["kind"] == "route_order":
        return ("route_order", body.get("staff_id"), body.get("shift"))
    return (record["id"],)


def _row(section, record, label, text, plan, entered, tz):
    at = dt.datetime.fromisoformat(record["device_time"])
    client = plan.clients.get(record["client_id"]) if plan else None
    staff = plan.staff.get(record["author"]) if plan else None
    done = entered.get(record["id"])
    shift = record["body"].get("shift", "") if record["kind"] in DAY_KINDS else ""
    return {
        "avsnitt": section,
        "brukar-id": record["client_id"],
        "brukare": client.name if client else (record["client_id"] or (NO_CLIENT if section == JOURNAL else "")),
        "gäller": " ".join(filter(None, (record["date"], shift))),
        "tid": at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "typ": label,
        "skriven av": staff.name if staff else record["author"],
        "besök": record["visit_id"],
        "text": text,
        "rättar": record["corrects"],
        "inmatad": f"{done['author']} {done['device_time'][:10]}" if done else "",
        "post-id": record["id"],
        "_at": at, "_date": record["date"], "_shift": shift,
    }


def body_text(body):
    """A record's body as one readable line."""
    if not isinstance(body, dict):
        return str(body)
    if set(body) == {"text"}:
        return str(body["text"])
    return "; ".join(f"{k}: {v}" for k, v in body.items() if v not in ("", None, [], {}))


def export_csv(box, since, *, by="coordinator"):
    """UTF-8 CSV with BOM and semicolons (opens directly in Swedish Excel, formulas neutralised); audited."""
    rows = entries_since(box, since)
    data = spreadsheet_csv(COLUMNS, ([row[c] for c in COLUMNS] for row in rows))
    box.audit.record("reentry.export", actor=by, target="csv", detail={"since": str(since), "rows": len(rows),
                                                                       "clients": _clients(rows)})
    return data


def export_pdf(box, since, *, by="coordinator"):
    """A4 PDF: the journal per client, then the planning changes per day and shift, a box to tick each; audited."""
    rows = entries_since(box, since)
    pdf = a4_document(f"Att föra in i journalen sedan {since}", f"Att föra in i journalen - sedan {since}",
                      f"{len(rows)} poster. Bocka av när posten är införd.")
    group = section = None
    for row in rows:
        if row["avsnitt"] != section:
            section = row["avsnitt"]
            if section == PLANNING:
                pdf.ln(5)
                pdf.set_font("helvetica", "B", 14)
                pdf.cell(0, 8, pdf_text(PLANNING), new_x="LMARGIN", new_y="NEXT")
        heading = (row["brukar-id"], row["brukare"]) if section == JOURNAL else (row["gäller"],)
        if heading != group:
            group = heading
            pdf.ln(3)
            pdf.set_font("helvetica", "B", 12)
            title = (" ".join(filter(None, (row["brukare"], f"({row['brukar-id']})" if row["brukar-id"] else "")))
                     if section == JOURNAL else row["gäller"])
            pdf.cell(0, 7, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
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
    box.audit.record("reentry.export", actor=by, target="pdf", detail={"since": str(since), "rows": len(rows),
                                                                       "clients": _clients(rows)})
    return bytes(pdf.output())


def _clients(rows):
    """The clients an export shows, for its audit entry."""
    return sorted({row["brukar-id"] for row in rows if row["brukar-id"]})


def visits_without_outcome(box, since):
    """Visits from *since* on, of shifts that have ended, with no outcome recorded: paper to type in.

    When the box or a phone was down, the run-sheet's tick boxes are the
    only record of a visit.  Each row names the working day, the shift, the
    staff as they stood after the morning's moves, the client and the visit,
    in the order of the sheets (day, shift, route).  Raises ClockUntrusted:
    which shifts are over is not known without a trusted clock.
    """
    plan = box.mirror.current()
    if plan is None:
        return []
    now = box.clock.now()
    recorded = {r["visit_id"] for r in box.records.find(kind="outcome") if r["visit_id"]}
    rows = []
    for date in (d for d in plan.dates() if d >= since):
        day = box.day(date)
        for visit in day.visits:
            if visit.id in recorded or box.shifts.shift(date, visit.shift).end > now:
                continue
            client = plan.clients.get(visit.client_id)
            rows.append({"date": date, "shift": visit.shift, "visit_id": visit.id, "client_id": visit.client_id,
                         "client": client.name if client else visit.client_id,
                         "staff": [plan.staff[s].name if s in plan.staff else s for s in visit.staff_ids]})
    return rows


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
        if record is None or record_id in done or record["kind"] not in (*KIND_LABELS, *DAY_KINDS):
            continue
        marked.append(box.records.append("reentered", author=by, body={"record_id": record_id},
                                         client_id=record["client_id"], visit_id=record["visit_id"]))
        box.audit.record("record.reentered", actor=by, target=record_id)
        done.add(record_id)
    logger.info("%s marked %d record(s) as re-entered", by, len(marked))
    return marked
