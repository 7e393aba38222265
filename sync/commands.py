"""``hembas plan …`` and ``hembas demo-plan``: the plan mirror from the command line."""

import datetime as dt
import json
import sys
from pathlib import Path

from .box import open_box
from .cli import add_command, print_json
from .plan.csv_import import csv_to_document
from .plan.demo import demo_plan
from .errors import ClockUntrusted, HembasError, NoPlan
from .plan.validate import load_document
from .plan.warnings import plan_warnings, summary, summary_lines


def register(subparsers):
    plan = add_command(subparsers, "plan", help="läs in, visa eller backa teamets plan")
    actions = plan.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    imp = add_command(actions, "import", help="läs in en plan (JSON eller CSV)", handler=cmd_import)
    imp.add_argument("file", type=Path, metavar="FIL", help="planen som JSON eller semikolonseparerad CSV")
    imp.add_argument("--force", action="store_true", help="ta emot en plan som är äldre än den nuvarande")
    imp.add_argument("--team-id", metavar="ID", help="teamets id för en CSV-fil (standard: den nuvarande planens team)")
    imp.add_argument("--team-name", metavar="NAMN", help="teamets namn för en CSV-fil")
    status = add_command(actions, "status", help="visa planens ålder, period och antal", handler=cmd_status)
    status.add_argument("--json", action="store_true", help="skriv ut som JSON")
    add_command(actions, "rollback", help="gå tillbaka till föregående plan", handler=cmd_rollback)

    demo = add_command(subparsers, "demo-plan", help="skriv en påhittad demoplan (JSON)", handler=cmd_demo_plan)
    demo.add_argument("--start", type=dt.date.fromisoformat, metavar="DATUM", help="första dagen, ÅÅÅÅ-MM-DD (standard: idag)")
    demo.add_argument("--days", type=int, default=14, metavar="N", help="antal dagar (standard %(default)s)")
    demo.add_argument("--clients", type=int, default=40, metavar="N", help="antal brukare (standard %(default)s)")
    demo.add_argument("--staff", type=int, default=7, metavar="N", help="antal personal (standard %(default)s)")
    demo.add_argument("--seed", type=int, default=2021, metavar="N", help="slumpfrö: samma frö ger samma plan (standard %(default)s)")
    demo.add_argument("-o", "--output", type=Path, metavar="FIL", help="skriv planen hit (standard: standard ut)")
    demo.add_argument("--import", dest="import_", action="store_true", help="läs också in den i lådan")
    demo.add_argument("--if-needed", action="store_true",
                      help="med --import: bara när ingen inläst plan täcker idag")


def working_day_or_none(box):
    """The current shift's working day if the clock is trusted; None keeps retention from guessing."""
    try:
        return box.current_shift().date
    except ClockUntrusted:
        return None


def read_plan_file(path, *, team):
    """A plan document from a JSON or CSV file; *team* is used for CSV."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HembasError(f"kan inte läsa {path}: {exc.strerror}") from None
    if path.suffix.lower() == ".csv":
        if not team.get("id"):
            raise HembasError("en CSV-fil behöver --team-id (eller en plan som redan är inläst)")
        return csv_to_document(raw, team=team)
    return load_document(raw)


def cmd_import(args, config):
    box = open_box(config)
    team = {}
    if args.file.suffix.lower() == ".csv":  # only a CSV lacks the team (parsing the current plan costs)
        current = box.mirror.current()
        team = {"id": args.team_id or (current.team.id if current else config["team"]["id"]),
                "name": args.team_name or (current.team.name if current else args.team_id or "")}
    document = read_plan_file(args.file, team=team)
    plan = box.mirror.import_document(document, source=f"fil {args.file.name}",
                                      today=working_day_or_none(box), allow_older=args.force)
    box.audit.record("plan.import", actor="cli", target=plan.version, detail={"file": args.file.name})
    print(f"Plan {plan.version} inläst: {len(plan.staff)} personal, {len(plan.clients)} brukare, "
          f"{len(plan.visits)} besök, {plan.valid_from}–{plan.valid_to}.")
    warnings = plan_warnings(plan, box.shifts)
    if warnings:
        print(f"{len(warnings)} varningar (planen används ändå; rätta i planeringssystemet till nästa export):")
        print("\n".join(summary_lines(summary(warnings))))


def plan_status(box):
    """The facts ``plan status`` prints, as a dict (also used by the web UI)."""
    plan = box.mirror.current()
    if plan is None:
        raise NoPlan("ingen plan är inläst – kör 'hembas plan import FIL'")
    fresh = box.freshness()
    info = box.mirror.info()
    return {"team": {"id": plan.team.id, "name": plan.team.name}, "version": plan.version,
            "generated_at": plan.generated_at.isoformat(), "imported_at": info["imported_at"],
            "source": info["source"], "valid_from": plan.valid_from.isoformat(),
            "valid_to": plan.valid_to.isoformat(), "age_hours": fresh["age_hours"], "stale": fresh["stale"],
            "covers_today": fresh["covers_today"], "clock_trusted": fresh["clock_trusted"],
            "counts": {"staff": len(plan.staff), "clients": len(plan.clients), "visits": len(plan.visits)},
            "warnings": summary(plan_warnings(plan, box.shifts))}


def cmd_status(args, config):
    status = plan_status(open_box(config))
    if args.json:
        print_json(status)
        return
    counts = status["counts"]
    print(f"Team:        {status['team']['name']} ({status['team']['id']})")
    print(f"Plan:        {status['version']}, skapad {status['generated_at']} ({status['age_hours']} tim sedan)")
    print(f"Period:      {status['valid_from']} – {status['valid_to']}")
    print(f"Innehåll:    {counts['staff']} personal, {counts['clients']} brukare, {counts['visits']} besök")
    print(f"Idag täckt:  {'ja' if status['covers_today'] else 'NEJ'}"
          + ("" if status["clock_trusted"] else " (klockan är inte tillförlitlig)"))
    print(f"Varningar:   {sum(group['count'] for group in status['warnings']) or 'inga'}")
    for line in summary_lines(status["warnings"]):
        print(line)


def cmd_rollback(args, config):
    box = open_box(config)
    plan = box.mirror.rollback()
    box.audit.record("plan.rollback", actor="cli", target=plan.version)
    print(f"Tillbaka på plan {plan.version} (skapad {plan.generated_at.isoformat()}).")


def _working_day(box):
    """The current shift's working day: at 01:30 the night that began yesterday needs yesterday's plan."""
    return working_day_or_none(box) or box.clock.status().now.date()


def cmd_demo_plan(args, config):
    box = open_box(config) if args.import_ else None
    start = args.start or (_working_day(box) if box else dt.date.today())
    if box and args.if_needed:
        current = box.mirror.current()
        if current is not None and current.covers(start):
            print(f"Planen {current.version} täcker redan {start}; ingen ny demoplan.", file=sys.stderr)
            return
    document = demo_plan(start, clients=args.clients, staff=args.staff, days=args.days, seed=args.seed)
    text = json.dumps(document, ensure_ascii=False, indent=1)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    elif not args.import_:
        print(text)
    if box:
        plan = box.mirror.import_document(document, source="demo", today=start, allow_older=True)
        print(f"Demoplan {plan.version} inläst: {len(plan.visits)} besök från {plan.valid_from}.", file=sys.stderr)
