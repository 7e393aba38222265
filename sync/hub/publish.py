"""Turning a municipal export into one signed bundle per team.

Accepted exports:

* a ``hembas.plan/1`` document (one team);
* a JSON list of such documents, or ``{"plans": [...]}`` (several teams);
* the semicolon CSV of :mod:`sync.plan.csv_import`, with an extra ``team-id`` column
  (and optionally ``teamnamn``) when it holds several teams, else one team
  named on the command line.

Every plan is validated exactly as the box will validate it before anything
is published, so a broken export never reaches a box.
"""

import csv
import io
import logging

from ..network.bundle import make_bundle
from ..plan.csv_import import csv_to_document, decode_csv
from ..errors import HembasError, PlanInvalid
from ..plan.validate import load_document, parse_plan

logger = logging.getLogger(__name__)

TEAM_COLUMN = "team-id"
TEAM_NAME_COLUMN = "teamnamn"


def split_export(raw, *, filename, team_id="", team_name=""):
    """The plan documents in an export, one per team."""
    if filename.lower().endswith(".csv"):
        return _split_csv(raw, team_id=team_id, team_name=team_name)
    data = load_document(raw)
    documents = data.get("plans") if isinstance(data, dict) and "plans" in data else data
    documents = documents if isinstance(documents, list) else [documents]
    teams = [d.get("team", {}).get("id") if isinstance(d, dict) and isinstance(d.get("team"), dict) else None
             for d in documents]
    if len(set(teams)) != len(teams):
        raise PlanInvalid(["exporten: samma team förekommer flera gånger"])
    return documents


def publish_export(store, raw, *, filename, team_id="", team_name="", created_at=None):
    """Validate every plan in the export, then write its signed bundle; returns the plans."""
    documents = split_export(raw, filename=filename, team_id=team_id, team_name=team_name)
    problems, plans = [], []
    for document in documents:
        try:
            plans.append(parse_plan(document))
        except PlanInvalid as exc:
            team = document.get("team", {}).get("id", "?") if isinstance(document, dict) else "?"
            problems.extend(f"team {team}: {p}" for p in exc.problems)
    if problems:
        raise PlanInvalid(problems)
    key = store.signing_key()
    for plan in plans:
        path = store.put_bundle(plan.team.id, make_bundle(plan.document, key, created_at=created_at))
        logger.info("published plan %s for team %s at %s", plan.version, plan.team.id, path)
    return plans


def _split_csv(raw, *, team_id, team_name):
    text = decode_csv(raw)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    if not rows:
        raise PlanInvalid(["filen: är tom"])
    header = [h.strip().lower() for h in rows[0]]
    if TEAM_COLUMN not in header:
        if not team_id:
            raise HembasError("CSV-filen har ingen kolumn team-id: ange --team-id")
        return [csv_to_document(raw, team={"id": team_id, "name": team_name or team_id})]
    id_at = header.index(TEAM_COLUMN)
    name_at = header.index(TEAM_NAME_COLUMN) if TEAM_NAME_COLUMN in header else None
    teams = {}
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        team = row[id_at].strip() if id_at < len(row) else ""
        name = row[name_at].strip() if name_at is not None and name_at < len(row) else ""
        teams.setdefault(team, {"name": name, "rows": []})["rows"].append(row)
    if "" in teams:
        raise PlanInvalid(["exporten: rader utan team-id"])
    documents = []
    for team, found in teams.items():
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\n").writerows([rows[0], *found["rows"]])
        documents.append(csv_to_document(out.getvalue().encode(), team={"id": team, "name": found["name"] or team}))
    return documents
