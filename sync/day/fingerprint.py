"""Has a run-sheet changed since it was printed?  A fingerprint of what it shows.

At the morning meeting sheets are often printed before the last change (a
visit moved at 06:55).  The print queue keeps the fingerprint of each sheet
it prints; comparing it with the fingerprint now tells which printed sheets
are out of date and lets "Skriv ut ändrade" print only those::

    printed = route_fingerprint(plan, day, "s2", shift="dag")   # kept with the print job
    ...
    changed = route_fingerprint(plan, box.day(date), "s2", shift="dag") != printed

The fingerprint covers everything a sheet of that route may show: the
person, the working day and shift, each visit in route order with its
window, tasks, note, partners and whether it was moved, each client's name,
address, area, door and key details, alerts and contacts (a substitute's
sheet carries more of the client card), and the team's numbers.  It leaves
out what changes without changing the route: the print time and the plan's
version stamp, so a fresh plan from the hub marks only the sheets whose
content it changed.  A person with no visits left (absent) has the
fingerprint of an empty route, which differs from any printed one.
"""

import hashlib

from ..store.database import encode_json
from .wording import person_name


def route_fingerprint(plan, day, staff_id, *, shift=None):
    """A 16-hex-digit fingerprint of *staff_id*'s route on *day* (one *shift*, or the whole day)."""
    person = day.person(staff_id)
    visits = []
    for visit in day.route(staff_id, shift=shift):
        client = plan.clients.get(visit.client_id)
        visits.append({
            "id": visit.id, "shift": visit.shift, "tasks": list(visit.tasks), "note": visit.note,
            "window": [f"{visit.window.start:%H:%M}", f"{visit.window.end:%H:%M}"] if visit.window else None,
            "partners": [person_name(day, s) for s in visit.staff_ids if s != staff_id],
            "moved": visit.id in day.moved, "extra": visit.id in day.extra,
            "client": None if client is None else {
                "name": client.name, "address": client.address, "area": client.area, "entry": client.entry,
                "alerts": list(client.alerts), "contacts": [[c.name, c.relation, c.phone] for c in client.contacts]},
        })
    content = {"team": plan.team.name, "date": day.date.isoformat(), "shift": shift or "",
               "person": [person.name, person.role, person.phone] if person else [staff_id],
               "contacts": [[c.name, c.phone] for c in plan.contacts], "visits": visits}
    return hashlib.sha256(encode_json(content)).hexdigest()[:16]


def route_fingerprints(plan, day, *, shift=None):
    """The fingerprint of every route with visits on *day* (or *shift*): staff id -> fingerprint."""
    return {staff_id: route_fingerprint(plan, day, staff_id, shift=shift) for staff_id in day.staff_ids(shift=shift)}

