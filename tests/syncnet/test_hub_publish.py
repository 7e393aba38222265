import json

import pytest
from hembas_testing import TODAY

from sync.plan.demo import demo_plan
from sync.errors import HembasError, PlanInvalid
from sync.hub.publish import publish_export
from sync.network.signing import verify

CSV = ("team-id;teamnamn;datum;pass;brukar-id;brukare;adress;insatser;personal-id;personal\n"
       "norr;Team Norr;2026-11-27;dag;c1;Anna A;Storgatan 1;Frukost;s1;Sara\n"
       "syd;Team Syd;2026-11-27;kväll;c2;Bo B;Lillgatan 2;Kvällsmat;s2;Ali\n"
       "norr;Team Norr;2026-11-28;dag;c1;Anna A;Storgatan 1;Dusch;s1;Sara\n")


def published(store, team):
    header, payload = verify(store.bundle_path(team).read_bytes(), store.public_keys()["public_key"], kind="plan")
    assert header["team"] == team
    return json.loads(payload)


def test_json_export_with_several_teams_becomes_one_bundle_per_team(hub_store):
    export = {"plans": [demo_plan(TODAY, team_id="norr"), demo_plan(TODAY, team_id="syd")]}
    plans = publish_export(hub_store, json.dumps(export).encode(), filename="export.json")
    assert [p.team.id for p in plans] == ["norr", "syd"]
    assert published(hub_store, "syd")["team"]["id"] == "syd"


def test_csv_export_is_split_by_team_column(hub_store):
    publish_export(hub_store, CSV.encode("cp1252"), filename="export.csv")
    norr = published(hub_store, "norr")
    assert norr["team"] == {"id": "norr", "name": "Team Norr"}
    assert [v["date"] for v in norr["visits"]] == ["2026-11-27", "2026-11-28"]
    assert [v["client_id"] for v in published(hub_store, "syd")["visits"]] == ["c2"]


def test_csv_without_team_column_needs_a_team_id(hub_store):
    one_team = "\n".join(line.split(";", 2)[2] for line in CSV.splitlines())
    with pytest.raises(HembasError, match="--team-id"):
        publish_export(hub_store, one_team.encode(), filename="plan.csv")
    publish_export(hub_store, one_team.encode(), filename="plan.csv", team_id="norr")
    assert len(published(hub_store, "norr")["visits"]) == 3


def test_one_broken_plan_publishes_nothing(hub_store):
    broken = demo_plan(TODAY, team_id="syd")
    broken["visits"][0]["client_id"] = "okänd"
    with pytest.raises(PlanInvalid, match="team syd"):
        publish_export(hub_store, json.dumps([demo_plan(TODAY, team_id="norr"), broken]).encode(),
                       filename="x.json")
    assert not hub_store.bundle_path("norr").exists()
