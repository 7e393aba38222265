"""``hembas day …``: the morning meeting from the command line, with the web UI's rules and records.

For the technician and for scripting.  Every change goes through
:mod:`sync.day.changes` (the same checks as the web UI) and is audited as
``cli`` or as ``--av NAMN``.  Without ``--date``/``--shift`` a command works
on the shift on now or starting next (:meth:`sync.box.Box.current_shift`).
"""

import datetime as dt

from ..box import open_box
from ..cli import add_command, print_json
from ..errors import HembasError
from ..plan.model import SHIFTS
from .changes import add_extra_visit, add_substitute, assign, audit_as, mark_absent, set_order, undo
from .proposal import accept, propose
from .shifts import CONFIG_KEYS
from .timing import Timing, duration_text, window_text
from .wording import describe, names, person_name, shift_label

SHIFT_NAMES = {**{name: name for name in SHIFTS}, **{key: name for name, key in CONFIG_KEYS.items()}}


def register(subparsers):
    day = add_command(subparsers, "day", help="dagens ändringar: frånvaro, vikarier, fördelning av besök")
    actions = day.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)

    show = add_command(actions, "show", help="visa dagen som den är nu: varje besök och varje persons rutt",
                       handler=cmd_show)
    _when(show, whole_day=True)
    show.add_argument("--json", action="store_true", help="skriv ut som JSON")

    absent = add_command(actions, "absent", help="anmäl personal frånvarande; deras besök blir utan personal",
                         handler=cmd_absent)
    absent.add_argument("staff", nargs="+", metavar="PERSONAL-ID", help="vem som är borta, till exempel s3")
    _when(absent)
    absent.add_argument("--whole-day", action="store_true", help="hela arbetsdagen, alla pass")
    _actor(absent)

    sub = add_command(actions, "substitute", help="lägg till en vikarie för ett pass", handler=cmd_substitute)
    sub.add_argument("--name", required=True, metavar="NAMN", help="vikariens namn")
    sub.add_argument("--phone", required=True, metavar="TELEFON", help="vikariens telefonnummer")
    _when(sub)
    _actor(sub)

    assign_ = add_command(actions, "assign", help="ge ett besök till en eller flera som arbetar passet",
                          handler=cmd_assign)
    assign_.add_argument("visit", metavar="BESÖK-ID", help="besöket, till exempel v00012")
    assign_.add_argument("staff", nargs="*", metavar="PERSONAL-ID", help="vem som tar det (två för dubbelbemanning)")
    assign_.add_argument("--nobody", action="store_true", help="ingen: besöket blir utan personal")
    assign_.add_argument("--date", type=dt.date.fromisoformat, metavar="DATUM", help="arbetsdagen, ÅÅÅÅ-MM-DD")
    _actor(assign_)

    order = add_command(actions, "order", help="ändra ordningen på en persons rutt", handler=cmd_order)
    order.add_argument("staff", metavar="PERSONAL-ID", help="vems rutt")
    order.add_argument("visits", nargs="+", metavar="BESÖK-ID", help="besöken först, i den här ordningen")
    _when(order)
    _actor(order)

    extra = add_command(actions, "extra", help="lägg till ett extra besök hos en brukare", handler=cmd_extra)
    extra.add_argument("client", metavar="BRUKAR-ID", help="brukaren, till exempel c07")
    extra.add_argument("--task", action="append", required=True, metavar="INSATS",
                       help="en insats (flera: upprepa flaggan)")
    extra.add_argument("--note", default="", metavar="TEXT", help="en anteckning till besöket")
    extra.add_argument("--window", metavar="TT:MM-TT:MM", help="tid inom passet, till exempel 19:00-19:30")
    extra.add_argument("--staff", nargs="+", default=[], metavar="PERSONAL-ID", help="vem som tar besöket")
    extra.add_argument("--double", action="store_true", help="dubbelbemanning: två personer behövs")
    _when(extra)
    _actor(extra)

    prop = add_command(actions, "propose", help="föreslå vem som tar besöken utan personal", handler=cmd_propose)
    _when(prop)
    prop.add_argument("--apply", action="store_true", help="genomför hela förslaget")
    prop.add_argument("--json", action="store_true", help="skriv ut som JSON")
    _actor(prop)

    undo_ = add_command(actions, "undo", help="ångra en ändring med dess id (listan Ändringar när dagen visas)", handler=cmd_undo)
    undo_.add_argument("record", metavar="ÄNDRINGS-ID", help="ändringens id")
    _actor(undo_)


def _when(parser, *, whole_day=False):
    parser.add_argument("--date", type=dt.date.fromisoformat, metavar="DATUM",
                        help="arbetsdagen, ÅÅÅÅ-MM-DD (standard: passet som pågår eller börjar snart)"
                             + ("; utan --shift hela dagen" if whole_day else ""))
    parser.add_argument("--shift", metavar="PASS", help="dag, kväll eller natt (standard: passet nu)")


def _actor(parser):
    parser.add_argument("--av", metavar="NAMN", default="cli", help="vem som gör ändringen (standard cli)")


def chosen_shift(box, args, *, whole_day=False):
    """The shift the options name; None for a whole day (``show --date D``)."""
    if args.shift and "/" in args.shift:
        try:
            return box.shifts.from_key(args.shift)
        except ValueError:
            raise HembasError(f"okänt pass {args.shift!r}") from None
    name = SHIFT_NAMES.get(args.shift.lower()) if args.shift else None
    if args.shift and name is None:
        raise HembasError(f"okänt pass {args.shift!r} (dag, kväll eller natt)")
    if whole_day and args.date and not name:
        return None
    if args.date and name:
        return box.shifts.shift(args.date, name)
    now = box.current_shift()
    return box.shifts.shift(args.date or now.date, name or now.name)


def cmd_show(args, config):
    box = open_box(config)
    shift = chosen_shift(box, args, whole_day=True)
    date = shift.date if shift else args.date
    plan, day = box.plan(), box.day(date)
    facts = day_facts(plan, day, box.records, shift.name if shift else None)
    if args.json:
        print_json(facts)
        return
    print(f"{date} – " + (f"{shift_label(shift.name)} ({shift.start:%H:%M}–{shift.end:%H:%M})" if shift else "hela dagen"))
    for entry in facts["absent"]:
        print(f"Frånvarande: {entry['name']} ({', '.join(entry['shifts'])})")
    for entry in facts["substitutes"]:
        print(f"Vikarie: {entry['name']} ({entry['id']}), tel {entry['phone']}, {shift_label(entry['shift'])}")
    visits = {v["id"]: v for v in facts["visits"]}
    if facts["unassigned"]:
        print(f"\nSaknar personal ({len(facts['unassigned'])}):")
        for visit_id in facts["unassigned"]:
            print("  " + _visit_line(visits[visit_id]))
    for route in facts["routes"]:
        print(f"\n{route['name']} ({route['staff_id']}{', vikarie' if route['substitute'] else ''}), "
              f"{len(route['visit_ids'])} besök:")
        for n, visit_id in enumerate(route["visit_ids"], start=1):
            print(f"  {n:2d}. " + _visit_line(visits[visit_id], me=route["name"]))
    if facts["changes"]:
        print("\nÄndringar:")
        for change in facts["changes"]:
            print(f"  {change['id'][:8]}  {change['text']}  ({change['author']})")


def _visit_line(visit, *, me=None):
    others = [name for name in visit["staff"] if name != me]
    staff = f"  [{'med ' if me else ''}{', '.join(others)}]" if others else ""
    need = f"  (behöver {visit['needed']})" if visit["needed"] > 1 else ""
    extra = "  EXTRA" if visit["extra"] else ""
    return (f"{visit['id']} {visit['shift']:5} {visit['window'] or '':11}  {visit['client']}  "
            f"{', '.join(visit['tasks'])}{staff}{need}{extra}")


def day_facts(plan, day, records, shift=None):
    """What ``day show --json`` prints: each visit with its effective staff, each person's route in order."""
    shifts = (shift,) if shift else SHIFTS
    visits = [v for v in day.visits if v.shift in shifts]
    people = dict.fromkeys(s for name in shifts for s in day.crew(name))
    people.update(dict.fromkeys(day.staff_ids(shift=shift)))
    return {
        "date": day.date.isoformat(), "shift": shift,
        "visits": [{"id": v.id, "client_id": v.client_id,
                    "client": plan.clients[v.client_id].name if v.client_id in plan.clients else v.client_id,
                    "shift": v.shift, "window": window_text(v), "tasks": list(v.tasks), "note": v.note,
                    "staff_ids": list(v.staff_ids), "staff": [person_name(day, s) for s in v.staff_ids],
                    "needed": day.needs(v), "moved": v.id in day.moved, "extra": v.id in day.extra}
                   for v in visits],
        "unassigned": [v.id for v in day.unassigned(shift=shift)],
        "routes": [{"staff_id": s, "name": person_name(day, s), "substitute": s in day.substitutes,
                    "visit_ids": [v.id for v in day.route(s, shift=shift)]} for s in people],
        "absent": [{"staff_id": s, "name": person_name(day, s), "shifts": [n for n in SHIFTS if n in names_]}
                   for s, names_ in day.absent.items()],
        "substitutes": [{"id": s, "name": day.staff[s].name, "phone": day.staff[s].phone, "shift": name}
                        for s, name in day.substitutes.items()],
        "changes": [{"id": r["id"], "kind": r["kind"], "author": r["author"], "device_time": r["device_time"],
                     "text": describe(r, plan, day, records=records)} for r in day.changes],
    }


def cmd_absent(args, config):
    box = open_box(config)
    shift = chosen_shift(box, args)
    for staff_id in args.staff:
        mark_absent(box, staff_id, shift, whole_day=args.whole_day, author=args.av, audit=audit_as(box, args.av))
        day = box.day(shift.date)
        when = f"hela dagen {shift.date}" if args.whole_day else shift_label(shift.name, shift.date)
        print(f"{person_name(day, staff_id)} frånvarande {when}; "
              f"{len(day.unassigned(shift=None if args.whole_day else shift.name))} besök saknar nu personal.")


def cmd_substitute(args, config):
    box = open_box(config)
    shift = chosen_shift(box, args)
    record = add_substitute(box, shift, name=args.name, phone=args.phone, author=args.av,
                            audit=audit_as(box, args.av))
    print(f"Vikarie {record['body']['name']}: {record['body']['id']} ({shift_label(shift.name, shift.date)})")


def cmd_assign(args, config):
    if bool(args.staff) == args.nobody:
        raise HembasError("ange vem som tar besöket, eller --nobody")
    box = open_box(config)
    date = args.date or box.current_shift().date
    done = assign(box, date, [(args.visit, args.staff)], author=args.av, audit=audit_as(box, args.av))
    _report(box, date, done)


def _report(box, date, done):
    day = box.day(date)
    for record in done.records:
        print(f"{record['visit_id']}: {names(day, record['body']['from'])} → {names(day, record['body']['staff_ids'])}")
    if not done.records:
        print("Ingen ändring.")
    for warning in done.warnings:
        print(f"varning: {warning}")


def cmd_order(args, config):
    box = open_box(config)
    shift = chosen_shift(box, args)
    record = set_order(box, shift, args.staff, args.visits, author=args.av, audit=audit_as(box, args.av))
    route = box.day(shift.date).route(args.staff, shift=shift.name)
    print(("Ny ordning: " if record else "Ingen ändring: ") + " ".join(v.id for v in route))


def cmd_extra(args, config):
    box = open_box(config)
    shift = chosen_shift(box, args)
    record = add_extra_visit(box, shift, args.client, tasks=args.task, note=args.note, window=args.window,
                             staff_ids=args.staff, needed=2 if args.double else 1, author=args.av,
                             audit=audit_as(box, args.av))
    print(f"Extra besök {record['body']['id']} ({shift_label(shift.name, shift.date)})"
          + ("" if args.staff else "; utan personal än"))


def cmd_propose(args, config):
    box = open_box(config)
    shift = chosen_shift(box, args)
    plan, day = box.plan(), box.day(shift.date)
    proposal = propose(plan, day, shift, Timing.from_config(config))
    facts = proposal.as_dict()
    for move in facts["moves"] + facts["unplaced"]:
        move["client"] = plan.clients[move["client_id"]].name if move["client_id"] in plan.clients else move["client_id"]
    done = accept(box, proposal, author=args.av, audit=audit_as(box, args.av)) if args.apply else None
    if args.json:
        print_json(facts | ({"applied": [r["id"] for r in done.records], "warnings": list(done.warnings)}
                            if done else {}))
        return
    print(f"Förslag för {shift_label(shift.name, shift.date)}: {len(facts['moves'])} besök får personal, "
          f"{len(facts['unplaced'])} kan inte placeras.")
    for move in facts["moves"]:
        print(f"  {move['visit_id']} {move['window'] or '':11}  {move['client']} → {names(day, move['added'])}")
        print(f"      {move['reason']}")
    for item in facts["unplaced"]:
        print(f"  {item['visit_id']} {item['window'] or '':11}  {item['client']}: {item['reason']}")
    print("Belastning: " + " · ".join(f"{entry['name']} {entry['visits']} besök ({duration_text(entry['minutes'])})"
                                      for entry in facts["load"]))
    if done:
        _report(box, shift.date, done)
    elif facts["moves"]:
        print("Inget är ändrat: kör med --apply för att genomföra förslaget.")


def cmd_undo(args, config):
    box = open_box(config)
    record = undo(box, args.record, author=args.av, audit=audit_as(box, args.av))
    original = box.records.get(record["corrects"])
    day = box.day(dt.date.fromisoformat(original["date"]))
    print("Ångrat: " + describe(original, box.plan(), day))
