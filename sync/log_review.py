"""Log review (loggkontroll): a sample of client accesses with the context that makes each normal or not.

Patientdatalagen wants the care provider to check its access log
systematically and to document it.  For a chosen period this module takes
every audit entry that showed client data (its ``detail.clients``), works
out for each what made it normal or unusual — was the client on the
person's route that day, was the visit moved to them that day (and by whom,
and back again), was the door code shown, was another carer's route opened,
did they work that day at all — and draws a sample: every unusual access
first (most unusual first), then a random sample of the normal ones::

    store = ReviewStore(box.data_dir)
    review = store.open(start, end, by="s1")         # the same sample every time for a period
    items = sample(accesses(box, start, end, roles=roles), seed=review["seed"])
    store.check(entry_id, by="s1", comment="Flyttat på morgonmötet")
    export_csv(rows(items, ...))

What is shown is the audit entry itself plus the records written at the
base (moves); the plan is used only where it still holds that day.
"""

import dataclasses
import datetime as dt
import hashlib
import secrets

from .store.database import Database
from .store.records import without_corrected
from .text import a4_document, pdf_text, spreadsheet_csv

SAMPLE_NORMAL = 20   # normal accesses drawn at random besides every unusual one
MAX_UNUSUAL = 100
CARD_ACTIONS = ("client.open", "client.plan")  # one client's own data, not an overview of the team's day
REVIEW_ACTIONS = ("view.log_review", "logreview.export")  # the review itself is not sampled
BOX_ACTORS = frozenset({"knappen", "cli"})  # the hardware button and the command line: the box, not a carer
COLUMNS = ("tid", "vem", "vad", "brukare", "sammanhang", "avvikande", "kontrollerad av", "kommentar", "logg-id")


@dataclasses.dataclass
class Access:
    entry: dict
    at: dt.datetime                                # local time
    clients: list                                  # client ids shown
    reasons: list                                  # dicts from _reason(): client id, Swedish text, person
    score: int                                     # 0 normal, higher is more unusual

    @property
    def unusual(self):
        return self.score > 0


def accesses(box, start, end, *, roles):
    """Every access to client data from *start* to *end* (local dates, inclusive), with its context.

    *roles* maps an audit actor (a staff id or account id) to its role
    ("staff", "coordinator"); an actor missing from it counts as staff.
    """
    tz = box.clock.tz
    begin = dt.datetime.combine(start, dt.time(0), tz)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tz)
    days, found = {}, []
    for entry in reversed(box.audit.entries()):
        clients = entry["detail"].get("clients") or []
        at = dt.datetime.fromisoformat(entry["at"]).astimezone(tz)
        if not clients or entry["action"] in REVIEW_ACTIONS or not begin <= at < finish:
            continue
        date = _working_day(box, entry, at)
        facts = days.get(date) or days.setdefault(date, _DayFacts(box, date))
        found.append(_judge(entry, at, clients, facts, roles.get(entry["actor"], "staff")))
    return found


def sample(found, *, seed, size=SAMPLE_NORMAL):
    """Every unusual access (most unusual first, at most :data:`MAX_UNUSUAL`), then *size* normal ones at random.

    The random pick ranks each entry by a hash of the review's seed and the
    entry's id, so the sample stays put while the period is being reviewed:
    a new access joins it only if it ranks above one already picked.
    """
    unusual = sorted((a for a in found if a.unusual), key=lambda a: (-a.score, a.at))[:MAX_UNUSUAL]
    normal = sorted((a for a in found if not a.unusual),
                    key=lambda a: hashlib.sha256(f"{seed}:{a.entry['id']}".encode()).digest())
    return unusual + sorted(normal[:size], key=lambda a: a.at)


def _working_day(box, entry, at):
    """The working day the view was for: as the entry says, else the shift on at the time (01:30 is the night before)."""
    try:
        return dt.date.fromisoformat(entry["detail"].get("date") or "")
    except (TypeError, ValueError):
        return box.shifts.current(at).date


class _DayFacts:
    """What one working day looked like: the planned routes and the moves written at the base."""

    def __init__(self, box, date):
        plan = box.mirror.current()
        planned = plan.visits_on(date) if plan is not None else []
        self.known = bool(planned)  # the mirror keeps past days for a week only
        self.planned = {(s, v.client_id) for v in planned for s in v.staff_ids}
        # Who worked: the day as the team worked it (moves, substitutes, extra visits applied).
        self.working = set(box.day(date).staff_ids()) if self.known else set()
        self.moves = {}
        for rec in without_corrected(box.records.find(kind="reassign", date=date)):
            body = rec["body"]
            move = (dt.datetime.fromisoformat(rec["device_time"]), rec["author"], set(body.get("staff_ids", ())),
                    set(body.get("from", ())))
            self.moves.setdefault(rec["client_id"], []).append(move)

    def moved_to(self, staff_id, client_id, before):
        """The moves that day giving *staff_id* a visit of *client_id* by *before*, and whether one was undone.

        Moves are in the order they were written (times have whole seconds,
        so a move and its undoing can share one).
        """
        moves = sorted(self.moves.get(client_id, ()), key=lambda m: m[0])  # stable: written order within a second
        given = [i for i, m in enumerate(moves) if staff_id in m[2] and staff_id not in m[3] and m[0] <= before]
        undone = bool(given) and any(staff_id in m[3] and staff_id not in m[2] for m in moves[given[0] + 1:])
        return [moves[i] for i in given], undone


def _judge(entry, at, clients, facts, role):
    actor, action, detail = entry["actor"], entry["action"], entry["detail"]
    reasons, score = [], 0
    if action == "view.today" and entry["target"] and entry["target"] != actor:
        reasons.append(_reason("öppnade en annan personals runda ({person})", person=entry["target"]))
        score = 2
    if role == "staff" and facts.known and actor not in facts.working and actor not in BOX_ACTORS:
        reasons.append(_reason("hade inga besök den dagen"))
        score = max(score, 2)
    if action in CARD_ACTIONS:
        for client_id in clients:
            client_score, found = _card_context(actor, client_id, at, detail, facts, role)
            reasons += found
            score = max(score, client_score)
    return Access(entry=entry, at=at, clients=list(clients), reasons=reasons, score=score)


def _card_context(actor, client_id, at, detail, facts, role):
    """(score, reasons) for opening one client's own data (the card or the client's two weeks).

    The score: 5 moved the visit to oneself and away again the same day (a
    way to read a door code), 3 not on one's route, or moved there and back
    by someone else, or moved to oneself with the code shown, 2 moved to
    oneself, 1 a coordinator off any route of theirs, 0 on one's route.
    """
    given, undone = facts.moved_to(actor, client_id, at.astimezone(dt.timezone.utc))
    on_route = detail.get("on_route")  # written with the view (moves applied); older entries lack it
    if on_route is None and facts.known:
        on_route = (actor, client_id) in facts.planned or bool(given)
    by_self = bool(given) and given[0][1] == actor
    reasons, score = [], 0
    if given:
        pass  # on the route because of the move: the move says so below
    elif on_route:
        reasons.append(_reason("på sin runda den dagen", client_id))
    elif on_route is None:
        reasons.append(_reason("rundan den dagen är okänd (planen finns inte kvar)", client_id))
    elif role == "coordinator":
        reasons.append(_reason("samordnare, inte på sin runda", client_id))
        score = 1
    else:
        reasons.append(_reason("inte på sin runda den dagen", client_id))
        score = 3
    if given:
        reasons.append(_reason("flyttade själv besöket till sig samma dag" if by_self
                               else "besöket flyttades till hen samma dag (av {person})", client_id,
                               person=given[0][1]))
        score = max(score, 2 if by_self else 0)
    if undone:
        reasons.append(_reason("och flyttades bort från hen igen samma dag", client_id))
        score = max(score, 5 if by_self else 3)
    if detail.get("entry_shown"):
        reasons.append(_reason("portkod/nyckel visad", client_id))
        if by_self:
            score = max(score, 3)
    return score, reasons


def _reason(text, client_id="", *, person=""):
    """One piece of context; ``{person}`` in *text* is a staff or account id, named when shown."""
    return {"client": client_id, "text": text, "person": person}


def reason_text(reason, actor_name):
    return reason["text"].format(person=actor_name(reason["person"])) if reason["person"] else reason["text"]


class ReviewStore:
    """Reviews (a period and its random seed) and checked entries, in ``log-review.json``."""

    def __init__(self, data_dir):
        self._db = Database(data_dir / "log-review.json")

    def open(self, start, end, *, by):
        """The review of *start*–*end*, made (with a fresh random seed) the first time it is asked for."""
        key = f"{start.isoformat()}/{end.isoformat()}"
        with self._db.transaction() as db:
            found = [r for r in db.table("reviews").all() if r["period"] == key]
            if found:
                return dict(found[0])
            review = {"period": key, "seed": secrets.randbits(64), "by": by, "at": _now()}
            db.table("reviews").insert(review)
            return review

    def checks(self):
        """``{audit entry id: {"by", "at", "comment"}}`` for every checked entry."""
        return {r["entry_id"]: dict(r) for r in self._db.read_all().get("checks", {}).values()}

    def check(self, entry_id, *, by, comment):
        """Mark an audit entry as checked (again: the newest comment stands)."""
        with self._db.transaction() as db:
            table = db.table("checks")
            table.remove(lambda r: r["entry_id"] == entry_id)
            table.insert({"entry_id": entry_id, "by": by, "at": _now(), "comment": comment})


def rows(items, checks, *, actor_name, action_label, client_name, tz):
    """The sample as rows of :data:`COLUMNS` (for the page's exports)."""
    out = []
    for item in items:
        check = checks.get(item.entry["id"])
        out.append({
            "tid": item.at.strftime("%Y-%m-%d %H:%M"),
            "vem": actor_name(item.entry["actor"]),
            "vad": action_label(item.entry["action"]),
            "brukare": ", ".join(client_name(c) for c in item.clients),
            "sammanhang": "; ".join(f"{client_name(r['client'])}: {reason_text(r, actor_name)}" if r["client"]
                                    else reason_text(r, actor_name) for r in item.reasons),
            "avvikande": "ja" if item.unusual else "nej",
            "kontrollerad av": (f"{actor_name(check['by'])} "
                                f"{dt.datetime.fromisoformat(check['at']).astimezone(tz):%Y-%m-%d}") if check else "",
            "kommentar": check["comment"] if check else "",
            "logg-id": item.entry["id"],
        })
    return out


def export_csv(table):
    return spreadsheet_csv(COLUMNS, ([row[c] for c in COLUMNS] for row in table))


def export_pdf(table, *, team, period, made_by):
    """The review on A4 for the unit manager: one block per access, unusual first."""
    unusual = sum(1 for row in table if row["avvikande"] == "ja")
    checked = sum(1 for row in table if row["kontrollerad av"])
    pdf = a4_document(f"Logguppföljning {period}", f"Logguppföljning {period}",
                      f"{team}. {len(table)} åtkomster i urvalet, {unusual} avvikande, {checked} kontrollerade. "
                      f"Utdrag av {made_by}.")
    for row in table:
        pdf.ln(2)
        pdf.set_font("helvetica", "B", 10)
        flag = "AVVIKANDE " if row["avvikande"] == "ja" else ""
        pdf.multi_cell(0, 5, pdf_text(f"{flag}{row['tid']}  {row['vem']}  - {row['vad']}"), new_x="LMARGIN",
                       new_y="NEXT")
        pdf.set_font("helvetica", "", 9)
        pdf.multi_cell(0, 4.5, pdf_text(f"Brukare: {row['brukare']}"), new_x="LMARGIN", new_y="NEXT")
        if row["sammanhang"]:
            pdf.multi_cell(0, 4.5, pdf_text(f"Sammanhang: {row['sammanhang']}"), new_x="LMARGIN", new_y="NEXT")
        done = f"Kontrollerad av {row['kontrollerad av']}: {row['kommentar'] or '-'}" if row["kontrollerad av"] \
            else "Inte kontrollerad."
        pdf.multi_cell(0, 4.5, pdf_text(done), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _now():
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
