"""A realistic, deterministic demo plan for a small-town home-care base.

Every name, address and door code here is invented.  The same seed and start
date always give the same plan, so tests and benchmarks can rely on it;
``clients``, ``staff`` and ``days`` scale it up for benchmarks::

    document = demo_plan(dt.date(2026, 11, 27))
"""

import datetime as dt
import random

from .model import FORMAT, SHIFTS as SHIFT_ORDER

FIRST_NAMES = ["Åsa", "Göran", "Märta", "Örjan", "Britt-Marie", "Sven-Åke", "Inger", "Ulla-Karin", "Bertil",
               "Elsa", "Gunnel", "Kjell", "Anna-Lena", "Åke", "Signe", "Rune", "Maj-Britt", "Stig", "Ebba",
               "Hjördis", "Ingvar", "Solveig", "Tore", "Gun", "Birgitta", "Östen", "Karin", "Lennart"]
LAST_NAMES = ["Lindström", "Nyström", "Öberg", "Åström", "Bäckström", "Hägglund", "Lundmark", "Sjölund",
              "Engström", "Forsberg", "Nilsson-Påhlsson", "Granström", "Marklund", "O'Neill", "Lidén",
              "Wikström", "Strömbäck", "Holmqvist", "Sandström", "Björk", "Älvsbyn-Larsson", "Ek"]
STREETS = ["Storgatan", "Strandgatan", "Skolgatan", "Järnvägsgatan", "Älvvägen", "Björkvägen", "Kyrkgatan",
           "Tallvägen", "Hamngatan", "Norrgårdsvägen", "Vassvägen", "Grannäsvägen", "Sjögatan", "Åvägen"]
AREAS = ["Centrum", "Näsbyn", "Hamnen", "Rolfs", "Risön"]
STAFF_NAMES = ["Amira Hassan", "Johanna Öhman", "Lina Kärrman", "Mohammed Ali", "Sara Lindgren",
               "Petra Nordqvist", "Elin Ström", "Ahmed Yusuf", "Kajsa Bergström", "Tove Åberg"]
DAY_TASKS = ["morgonhjälp", "dusch", "läkemedel", "frukost", "inköp", "städ", "tillsyn", "promenad",
             "lunch", "tvätt", "sällskap"]
EVENING_TASKS = ["kvällshjälp", "läkemedel", "kvällsmat", "tillsyn", "sänggående"]
NIGHT_TASKS = ["tillsyn", "vändning", "toalettbesök", "byte av inkontinensskydd", "läkemedel", "larmkontroll"]
LIFT_TASK = ("Förflyttning med taklyft, kontrollera selen innan lyft och dokumentera eventuella rodnader "
             "på huden")  # two carers; a real export's task text (99 characters)
# Where each shift's routes run (minutes from midnight of the visit's date; the night into the morning).
ROUTE_HOURS = {"dag": (7 * 60, 15 * 60 + 30), "kväll": (15 * 60 + 30, 21 * 60 + 30),
               "natt": (22 * 60, 30 * 60 + 30)}
WHOLE_NIGHT = {"start": "22:30", "end": "06:30"}  # "tillsyn en gång under natten"
QUARTER = 15
TRAVEL = 10  # minutes between one visit's window and the next one's (the morning meeting's travel_minutes)
ALERTS = ["Allergi: nötter", "Fallrisk – använd rullator", "Diabetes – kontrollera blodsocker",
          "Allergi: penicillin", "Hund i lägenheten", "Hörselskadad – knacka hårt", "Syrgas i hemmet"]
ENTRIES = ["Portkod 1234#, nyckel i nyckelgömma vid dörren (kod 0417)", "Digitalt lås – öppna med appen",
           "Nyckel i teamets nyckelskåp, bricka nr {n}", "Portkod 5580, ring på klockan först",
           "Dörren öppen dagtid, larma vid ankomst"]
NOTES = ["Vill ha kaffe med mjölk.", "Dottern kommer på torsdagar.", "Tycker om att prata om fiske.",
         "Glöm inte att vattna blommorna.", "Föredrar dusch på förmiddagen.", "Har svårt att höra i telefon."]


def demo_plan(start, *, clients=40, staff=7, days=14, seed=2021, team_id="kalix-centrum"):
    """Return a ``hembas.plan/1`` document starting at *start* (a date)."""
    rng = random.Random(seed)
    team_staff = _staff(rng, staff)
    team_clients = _clients(rng, clients)
    teams = shift_teams([s["id"] for s in team_staff if s["role"] != "samordnare"])
    visits = []
    for n in range(days):
        date = start + dt.timedelta(days=n)
        visits.extend(_visits_for_day(rng, date, team_clients, teams, len(visits)))
    generated = dt.datetime.combine(start, dt.time(5, 12), dt.timezone(dt.timedelta(hours=1)))
    return {
        "format": FORMAT,
        "team": {"id": team_id, "name": "Hemtjänst Kalix centrum", "base": "Omsorgens hus, Kalix"},
        "generated_at": generated.isoformat(),
        "valid_from": start.isoformat(),
        "valid_to": (start + dt.timedelta(days=days - 1)).isoformat(),
        "staff": team_staff,
        "clients": team_clients,
        "visits": visits,
        "contacts": [
            {"name": "Sjuksköterska dag", "phone": "0923-650 11", "relation": "sjuksköterska"},
            {"name": "Samordnare", "phone": "0923-650 20", "relation": "samordnare"},
            {"name": "Jour kväll och natt", "phone": "0923-650 99", "relation": "jour"},
            {"name": "Trygghetslarm, larmcentral", "phone": "020-123 45 67", "relation": "larmcentral"},
        ],
    }


def _staff(rng, count):
    names = (STAFF_NAMES * (count // len(STAFF_NAMES) + 1))[:count]
    people = []
    for i, name in enumerate(names, start=1):
        role = "samordnare" if i == 1 else "undersköterska"
        people.append({"id": f"s{i}", "name": name if i <= len(STAFF_NAMES) else f"{name} {i}",
                       "role": role, "phone": f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"})
    return people


def _clients(rng, count):
    clients = []
    for i in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        client = {
            "id": f"c{i:02d}",
            "name": f"{first} {last}",
            "address": f"{rng.choice(STREETS)} {rng.randint(1, 60)}{rng.choice(['', '', 'A', 'B'])}, Kalix",
            "area": rng.choice(AREAS),
            "entry": rng.choice(ENTRIES).format(n=i),
            "phone": f"0923-{rng.randint(100, 999)} {rng.randint(10, 99)}",
            "contacts": [{"name": f"{rng.choice(FIRST_NAMES)} {last}", "relation": rng.choice(["dotter", "son", "make", "maka", "granne"]),
                          "phone": f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"}],
            "alerts": rng.sample(ALERTS, rng.choice([0, 0, 1, 1, 2])),
            "notes": rng.choice(NOTES),
        }
        clients.append(client)
    return clients


def shift_teams(carers):
    """Who works which shift: day, evening and night staff are different people (with four or more)."""
    if len(carers) < 3:  # a tiny test plan: everyone on days, the last one also evenings and nights
        return {"dag": carers, "kväll": carers[-1:], "natt": carers[-1:]}
    night = evening = max(1, round(len(carers) / 6))
    day = len(carers) - night - evening
    if day < 2:  # a small test plan: two on days (so visits can move), one for evenings and nights
        return {"dag": carers[:-1], "kväll": carers[-1:], "natt": carers[-1:]}
    return {"dag": carers[:day], "kväll": carers[day:day + evening], "natt": carers[day + evening:]}


def _visits_for_day(rng, date, clients, teams, offset):
    """One day's visits: the day shift for every client, the evening and the night patrol for about a third.

    Each carer has a district (the clients of an area or two) for continuity;
    their visits of a shift are spread over the shift's hours in a
    random order; a window (when there is one) starts at the visit's time
    and ends in time to reach the carer's next visit, and ``order`` counts
    quarter-hours from the start of the route, so the route order follows
    the clock, across midnight for the night.
    """
    planned = []  # (shift, client, staff ids, preference) before times are given
    by_area = sorted(clients, key=lambda c: (c["area"], c["id"]))
    district = {c["id"]: n * 1.0 / len(clients) for n, c in enumerate(by_area)}  # each carer keeps an area
    for client in clients:
        wanted = (("dag", rng.choice([1, 1, 2])), ("kväll", rng.choice([0, 0, 1])),
                  ("natt", rng.choice([0, 0, 1, 1, 2]) if rng.random() < 0.45 else 0))
        for shift, count in wanted:
            for part in range(count):
                workers = teams[shift]
                staff = [workers[int(district[client["id"]] * len(workers))]]
                if rng.random() < 0.08 and len(workers) > 1:  # double staffing (lift, two carers)
                    staff.append(rng.choice([w for w in workers if w != staff[0]]))
                planned.append((shift, client, staff, part + rng.random()))
    visits = []
    for shift, client, staff, minute, step in _timed(planned):
        tasks = {"dag": DAY_TASKS, "kväll": EVENING_TASKS, "natt": NIGHT_TASKS}[shift]
        visit = {"id": f"v{offset + len(visits) + 1:05d}", "client_id": client["id"], "date": date.isoformat(),
                 "shift": shift, "staff_ids": staff, "tasks": rng.sample(tasks, rng.randint(1, 3)),
                 "order": 1 + (minute - ROUTE_HOURS[shift][0]) // QUARTER}
        if len(staff) == 2 and shift == "dag":
            visit["tasks"].append(LIFT_TASK)
        timed = {"dag": 0.35, "kväll": 0.4, "natt": 0.7}[shift]
        if len(staff) == 1 and rng.random() < timed:  # most day visits are planned by task, not by minute
            visit["window"] = (WHOLE_NIGHT if shift == "natt" and rng.random() < 0.15
                               else {"start": _clock(minute), "end": _clock(minute + _window_minutes(step))})
        if rng.random() < 0.2:
            visit["note"] = rng.choice(["Ta med nya dosetten.", "Handla enligt lista på kylskåpet.",
                                        "Extra tillsyn efter fall i helgen.", "Byt sängkläder."])
        if rng.random() < 0.03:  # a visit nobody has yet: the morning meeting decides
            visit["staff_ids"] = []
        visits.append(visit)
    return visits


def _timed(planned):
    """*planned* with a time each: every carer's visits of a shift spread evenly over its route hours."""
    routes = {}
    for item in planned:
        routes.setdefault((item[0], item[2][0]), []).append(item)
    timed = []
    for (shift, _), items in routes.items():
        first, last = ROUTE_HOURS[shift]
        items.sort(key=lambda item: item[3])
        step = (last - first) // len(items)
        for n, (shift, client, staff, _) in enumerate(items):
            timed.append((shift, client, staff, first + (n * step) // 5 * 5, step))
    timed.sort(key=lambda item: (SHIFT_ORDER.index(item[0]), item[3], item[1]["id"]))
    return timed


def _window_minutes(step):
    """A window that ends in time to reach the next visit (TRAVEL minutes on the way), 10–30 minutes."""
    return max(10, min(30, (step - TRAVEL) // 5 * 5))


def _clock(minute):
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"
