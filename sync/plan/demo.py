"""A realistic, deterministic demo plan for a small-town home-care base.

Every name, address and door code here is invented.  The same seed and start
date always give the same plan, so tests and benchmarks can rely on it;
``clients``, ``staff`` and ``days`` scale it up for benchmarks::

    document = demo_plan(dt.date(2026, 11, 27))
"""

import datetime as dt
import random

from .model import FORMAT

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
    day_staff = [s["id"] for s in team_staff if s["role"] != "samordnare"]
    visits = []
    for n in range(days):
        date = start + dt.timedelta(days=n)
        visits.extend(_visits_for_day(rng, date, team_clients, day_staff, len(visits)))
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


def _visits_for_day(rng, date, clients, staff_ids, offset):
    day_workers = staff_ids[: max(2, len(staff_ids) * 2 // 3)]
    evening_workers = staff_ids[len(day_workers):] or staff_ids[-1:]
    visits, counters = [], {}
    for client in clients:
        n_day = rng.choice([1, 1, 2])
        n_evening = rng.choice([0, 1, 1])
        for shift, count, workers, tasks, hours in (("dag", n_day, day_workers, DAY_TASKS, (7, 15)),
                                                      ("kväll", n_evening, evening_workers, EVENING_TASKS, (16, 21))):
            for _ in range(count):
                staff = [rng.choice(workers)]
                if rng.random() < 0.08 and len(workers) > 1:  # double staffing (lift, two carers)
                    staff.append(rng.choice([w for w in workers if w != staff[0]]))
                visit = {"id": f"v{offset + len(visits) + 1:05d}", "client_id": client["id"],
                         "date": date.isoformat(), "shift": shift, "staff_ids": staff,
                         "tasks": rng.sample(tasks, rng.randint(1, 3))}
                if rng.random() < 0.4:  # most visits are planned by task, not by minute
                    start = rng.randint(*hours)
                    visit["window"] = {"start": f"{start:02d}:00", "end": f"{start:02d}:45"}
                if rng.random() < 0.2:
                    visit["note"] = rng.choice(["Ta med nya dosetten.", "Handla enligt lista på kylskåpet.",
                                                "Extra tillsyn efter fall i helgen.", "Byt sängkläder."])
                if rng.random() < 0.03:  # a visit nobody has yet: the morning meeting decides
                    visit["staff_ids"] = []
                visits.append(visit)
    for visit in visits:
        if visit["staff_ids"]:
            key = (visit["staff_ids"][0], visit["shift"])
            counters[key] = counters.get(key, 0) + 1
            visit["order"] = counters[key]
    return visits
