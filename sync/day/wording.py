"""The day's changes in plain Swedish: one line each, for the CLI, the UI and the re-entry export.

A coordinator types these lines into the planning system when it is back,
so each names the people and the client, not only their ids::

    describe(record, plan, day)
    # 'Lina Kärrman frånvarande dagpasset 27/11'
    # 'Besök v00012 hos Åsa Berg dagpasset 27/11 08:00–08:45: Lina Kärrman → Amira Hassan' (planned → now)
"""

from .swedish import shift_definite
from .timing import window_text

KIND_LABELS = {"absence": "Frånvaro", "substitute": "Vikarie", "reassign": "Omfördelning",
               "route_order": "Ny ordning", "extra_visit": "Extra besök"}


def shift_label(name, date=None):
    """"dagpasset", or "dagpasset 27/11" with *date*."""
    word = shift_definite(name)
    return f"{word} {date.day}/{date.month}" if date else word


def names(day, staff_ids):
    """People by name (plan staff or substitutes), "ingen" for nobody."""
    return " och ".join(person_name(day, s) for s in staff_ids) or "ingen"


def person_name(day, staff_id):
    """The name of a plan staff member or substitute of *day*; the id when neither."""
    person = day.person(staff_id)
    return person.name if person else staff_id


def describe(record, plan, day, *, records=None):
    """One change record of *day* as a line a coordinator can act on (*records* to name what an undo undid)."""
    body, date = record["body"], day.date
    client = plan.clients.get(record["client_id"])
    client_name = client.name if client else record["client_id"]
    if body.get("undone"):
        original = records.get(record["corrects"]) if records is not None else None
        return "Ångrat: " + (describe(original, plan, day) if original else f"ändringen {record['corrects'][:8]}")
    if record["kind"] == "absence":
        when = shift_label(body["shift"], date) if body.get("shift") else f"hela dagen {date.day}/{date.month}"
        return f"{person_name(day, body['staff_id'])} frånvarande {when}"
    if record["kind"] == "substitute":
        return f"Vikarie {body['name']} ({body['id']}), tel {body.get('phone') or '-'}, {shift_label(body['shift'], date)}"
    if record["kind"] == "reassign":
        visit = day.visit(record["visit_id"])
        when = " ".join(filter(None, (shift_label(visit.shift, date), window_text(visit)))) if visit else ""
        planned = plan.visit(record["visit_id"])  # the plan's staff, what the planning system has
        line = (f"Besök {record['visit_id']} hos {client_name} {when}: "
                f"{names(day, planned.staff_ids if planned else body.get('from', ()))} → "
                f"{names(day, body.get('staff_ids', ()))}")
        return line + (f" ({body['why']})" if body.get("why") else "")
    if record["kind"] == "route_order":
        stops = []
        for n, visit_id in enumerate(body["visit_ids"], start=1):
            visit = day.visit(visit_id)
            who = plan.clients.get(visit.client_id) if visit else None
            stops.append(f"{n}. {who.name if who else visit_id}")
        return f"{person_name(day, body['staff_id'])}, {shift_label(body['shift'], date)}, ny ordning: {', '.join(stops)}"
    if record["kind"] == "extra_visit":
        visit = day.visit(body["id"])
        when = " ".join(filter(None, (shift_label(body["shift"], date), window_text(visit) if visit else "")))
        parts = [f"Extra besök {body['id']} hos {client_name} {when}: {', '.join(body.get('tasks', ()))}"]
        if body.get("needed", 1) > 1:
            parts.append("dubbelbemanning")
        if body.get("note"):
            parts.append(f"Obs: {body['note']}")
        if body.get("staff_ids"):
            parts.append(f"personal: {names(day, body['staff_ids'])}")
        return "; ".join(parts)
    return record["kind"]
