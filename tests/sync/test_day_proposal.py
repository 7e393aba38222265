"""The morning meeting's proposal: hard rules as properties, minimal change, continuity, even load, accepting."""

import datetime as dt
import itertools

import pytest
from hembas_testing import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.day.changes import add_substitute, mark_absent
from sync.day.proposal import accept, propose
from sync.day.shifts import ShiftSchedule
from sync.day.solver import Problem
from sync.day.team_day import team_day
from sync.day.timing import Timing
from sync.config import load_config
from sync.plan.demo import demo_plan
from sync.plan.validate import parse_plan
from sync.store.records import Records


def sick_carer(box):
    day = box.day(TODAY)
    return max(day.crew("dag"), key=lambda s: len(day.route(s, shift="dag")))


def check_hard_rules(plan, day, proposal, timing):
    """Every rule the proposal must keep, whatever the day (used by the property test too)."""
    shift = proposal.shift
    open_visits = {v.id: v for v in day.unassigned(shift=shift)}
    crew = set(day.crew(shift))
    after = {v.id: v.staff_ids for v in day.shift(shift)}
    for move in proposal.moves:
        visit = open_visits[move.visit_id]  # only visits that lack people are touched: minimal change
        assert move.staff_ids == visit.staff_ids + move.added
        assert set(move.added) <= crew and len(set(move.staff_ids)) == len(move.staff_ids)
        assert len(move.added) <= day.needs(visit) - len(visit.staff_ids)
        after[visit.id] = move.staff_ids
    visits = {v.id: v for v in day.shift(shift)}
    for move in proposal.moves:
        for person in move.added:
            mine = [visits[v] for v, staff in after.items() if person in staff and v != move.visit_id]
            assert not any(timing.collide(visits[move.visit_id], other) for other in mine), (move, person)
    for item in proposal.unplaced:  # nobody free was left out
        visit = visits[item.visit_id]
        for person in crew - set(after[visit.id]):
            mine = [visits[v] for v, staff in after.items() if person in staff]
            assert any(timing.collide(visit, other) for other in mine), (item, person)
    for entry in proposal.load:
        assert entry.visits == sum(person_on for person_on in (entry.staff_id in s for s in after.values()))


# -- on the demo base ------------------------------------------------------------------------------

def test_a_sick_carers_visits_are_all_shared_out_with_reasons(box, who, dag):
    sick = sick_carer(box)
    mark_absent(box, sick, dag, **who)
    plan, day = box.plan(), box.day(TODAY)
    proposal = propose(plan, day, dag)
    check_hard_rules(plan, day, proposal, Timing())
    open_ids = {v.id for v in day.unassigned(shift="dag")}
    assert {m.visit_id for m in proposal.moves} | {u.visit_id for u in proposal.unplaced} == open_ids
    assert len(proposal.moves) >= len(open_ids) - 2  # the plan itself has a carer at two places at 09:00
    assert all(u.reason.startswith("ingen i dagpasset är ledig") for u in proposal.unplaced)
    assert proposal.shift == "dag" and proposal.shift_minutes == 9 * 60
    assert all(sick not in m.added for m in proposal.moves)
    timed = next(m for m in proposal.moves if m.window)
    name = day.person(timed.added[0]).name
    assert timed.reason.startswith(f"{name}: ") and f"ledig {timed.window}" in timed.reason
    often = [m for m in proposal.moves if "oftast" in m.reason]
    assert len(often) >= len(proposal.moves) // 2  # continuity first
    loads = [entry.visits for entry in proposal.load]
    assert max(loads) - min(loads) <= 3  # and an even load


def test_accepting_all_some_or_none(box, who, dag):
    mark_absent(box, sick_carer(box), dag, **who)
    proposal = propose(box.plan(), box.day(TODAY), dag)
    still_open = len(box.day(TODAY).unassigned(shift="dag")) - len(proposal.moves)
    assert propose(box.plan(), box.day(TODAY), dag).key == proposal.key  # the same day, the same proposal
    first, second = proposal.moves[:2]
    done = accept(box, proposal, [second.visit_id, first.visit_id], **who)
    assert [r["visit_id"] for r in done.records] == [first.visit_id, second.visit_id]
    assert done.records[0]["body"]["why"] == f"förslag: {first.reason}"
    day = box.day(TODAY)
    assert day.visit(first.visit_id).staff_ids == first.staff_ids
    assert len(day.unassigned(shift="dag")) == len(proposal.moves) - 2 + still_open
    rest = propose(box.plan(), day, dag)
    assert rest.key != proposal.key and {m.visit_id for m in rest.moves} == \
        {m.visit_id for m in proposal.moves[2:]}
    accept(box, rest, **who)
    assert len(box.day(TODAY).unassigned(shift="dag")) == still_open
    assert propose(box.plan(), box.day(TODAY), dag).moves == ()
    assert len(box.audit.entries(action="visit.reassign")) == len(proposal.moves)


def test_a_substitute_takes_a_share_and_is_named_as_one(box, who, dag):
    mark_absent(box, sick_carer(box), dag, **who)
    sub = add_substitute(box, dag, name="Kim Berg", phone="070-123 45 67", **who)["body"]["id"]
    proposal = propose(box.plan(), box.day(TODAY), dag)
    theirs = [m for m in proposal.moves if sub in m.added]
    assert theirs and all(m.reason.startswith("Kim Berg: vikarie, har inte besökt ") for m in theirs)
    assert next(entry for entry in proposal.load if entry.staff_id == sub).substitute


# -- on small plans made for the rule ----------------------------------------------------------------

def small_plan(visits, *, staff=("s1", "s2", "s3"), history=()):
    """A plan for TODAY: *visits* and *history* (earlier days, for continuity) as (id, client, staff, window)."""
    def visit(vid, client, staff_ids, window, date=TODAY):
        out = {"id": vid, "client_id": client, "date": date.isoformat(), "shift": "dag",
               "staff_ids": list(staff_ids), "tasks": ["tillsyn"]}
        if window:
            start, end = window.split("-")
            out["window"] = {"start": start, "end": end}
        return out
    clients = sorted({v[1] for v in (*visits, *history)})
    return parse_plan({
        "format": "hembas.plan/1", "team": {"id": "t", "name": "Test"},
        "generated_at": dt.datetime.combine(TODAY, dt.time(5), dt.timezone.utc).isoformat(),
        "valid_from": (TODAY - dt.timedelta(days=14)).isoformat(), "valid_to": (TODAY + dt.timedelta(days=6)).isoformat(),
        "staff": [{"id": s, "name": f"Person {s}", "role": "undersköterska"} for s in staff],
        "clients": [{"id": c, "name": f"Brukare {c}", "address": "Storgatan 1"} for c in clients],
        "visits": [visit(*v) for v in visits] + [visit(*h, date=TODAY - dt.timedelta(days=1 + n))
                                                 for n, h in enumerate(history)],
    })


@pytest.fixture
def schedule(tmp_path):
    config = load_config(tmp_path, environ={})
    return ShiftSchedule.from_config(config, dt.timezone(dt.timedelta(hours=1)))


def proposal_for(plan, records, schedule, timing=Timing()):
    day = team_day(plan, records, TODAY)
    return day, propose(plan, day, schedule.shift(TODAY, "dag"), timing)


def test_nobody_free_at_that_time_leaves_the_visit_open_and_says_why(tmp_path, schedule):
    plan = small_plan([("v1", "c1", ["s1"], "08:00-08:45"), ("v2", "c2", ["s2"], "08:15-09:00"),
                       ("v3", "c3", [], "08:30-09:00")], staff=("s1", "s2"))
    day, proposal = proposal_for(plan, Records(tmp_path), schedule)
    assert proposal.moves == ()
    assert [(u.visit_id, u.missing, u.reason) for u in proposal.unplaced] == \
        [("v3", 1, "ingen i dagpasset är ledig 08:30–09:00")]


def test_the_travel_margin_keeps_visits_apart(tmp_path, schedule):
    plan = small_plan([("v1", "c1", ["s1"], "08:00-08:45"), ("v2", "c2", [], "08:50-09:20"),
                       ("v3", "c3", ["s2"], "08:40-09:30")], staff=("s1", "s2"))
    _, tight = proposal_for(plan, Records(tmp_path), schedule, Timing(travel_minutes=10))
    _, loose = proposal_for(plan, Records(tmp_path), schedule, Timing(travel_minutes=0))
    assert tight.moves == () and tight.unplaced[0].visit_id == "v2"
    assert [(m.visit_id, m.added) for m in loose.moves] == [("v2", ("s1",))]


def test_continuity_first_then_even_load(tmp_path, schedule):
    history = [("h1", "c1", ["s2"], None), ("h2", "c1", ["s2"], None), ("h3", "c1", ["s3"], None)]
    working = [(f"f{n}", "c8", [s], None) for n, s in enumerate(("s1", "s2", "s3"))]
    plan = small_plan([*working, ("v1", "c1", [], None), ("v2", "c9", [], None), ("v3", "c9", [], None),
                       ("v4", "c9", [], None)], history=history)
    day, proposal = proposal_for(plan, Records(tmp_path), schedule)
    moves = {m.visit_id: m for m in proposal.moves}
    assert moves["v1"].added == ("s2",)  # visits c1 most, though everyone has as much to do
    assert moves["v1"].reason.startswith("Person s2: besöker Brukare c1 oftast (2 av 4 besök)")
    loads = [entry.visits for entry in proposal.load]
    assert sum(loads) == 7 and max(loads) - min(loads) <= 1  # the rest evenly


def test_an_open_double_staffed_visit_gets_two_different_people(tmp_path, schedule):
    plan = small_plan([("v1", "c1", ["s1", "s2"], "10:00-10:30"), ("v2", "c2", ["s3"], None),
                       ("v3", "c3", ["s4"], None)], staff=("s1", "s2", "s3", "s4"))
    records = Records(tmp_path)
    records.append("absence", author="t", date=TODAY, body={"staff_id": "s1", "shift": ""})
    records.append("absence", author="t", date=TODAY, body={"staff_id": "s2", "shift": "dag"})
    day, proposal = proposal_for(plan, records, schedule)
    move, = proposal.moves
    assert move.visit_id == "v1" and len(move.added) == 2 and len(set(move.added)) == 2
    assert "dubbelbemanning med" in move.reason


def test_a_visit_is_placed_by_moving_another_out_of_its_way(tmp_path, schedule):
    """Greedily V goes to s1 (least to do), leaving W nobody; moving V to s3 frees s1 for W."""
    plan = small_plan([("f1", "c9", ["s1"], "11:05-11:30"), ("f2", "c9", ["s2"], "09:30-09:55"),
                       ("f3", "c9", ["s3"], "10:50-11:30"), ("f4", "c9", ["s3"], None), ("f5", "c9", ["s3"], None),
                       ("x", "c1", [], "10:45-11:00"), ("v", "c2", [], "10:00-10:30"), ("w", "c3", [], "10:15-10:45")])
    _, proposal = proposal_for(plan, Records(tmp_path), schedule)
    assert proposal.unplaced == ()
    assert {m.visit_id: m.added for m in proposal.moves} == {"x": ("s2",), "v": ("s3",), "w": ("s1",)}


def test_the_most_frequent_visitor_busy_then_is_named(tmp_path, schedule):
    history = [("h1", "c1", ["s1"], None), ("h2", "c1", ["s1"], None)]
    plan = small_plan([("v1", "c1", [], "09:00-09:30"), ("v2", "c2", ["s1"], "09:00-10:00"),
                       ("v3", "c3", ["s2"], None)], staff=("s1", "s2"), history=history)
    _, proposal = proposal_for(plan, Records(tmp_path), schedule)
    assert "Person s1 besöker oftare men är upptagen 09:00–10:00" in proposal.moves[0].reason


def test_a_shift_nobody_works_places_nothing(tmp_path, schedule):
    plan = small_plan([("v1", "c1", [], None)], staff=("s1",))
    _, proposal = proposal_for(plan, Records(tmp_path), schedule)
    assert proposal.moves == () and proposal.unplaced[0].reason == "ingen arbetar dagpasset"


# -- the hard rules, on any day ------------------------------------------------------------------------

TIMES = [f"{h:02d}:{m:02d}" for h in range(7, 15) for m in (0, 15, 30, 45)]
visit_strategy = st.tuples(st.integers(0, 3), st.lists(st.integers(0, 4), max_size=2, unique=True),
                           st.one_of(st.none(), st.tuples(st.sampled_from(TIMES), st.sampled_from([15, 30, 45, 60]))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(visits=st.lists(visit_strategy, min_size=1, max_size=14), staff=st.integers(2, 5),
       absent=st.sets(st.integers(0, 4), max_size=2), history=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)),
                                                                       max_size=10),
       margin=st.sampled_from([0, 10, 20]))
def test_the_proposal_keeps_the_hard_rules_on_any_day(tmp_path_factory, schedule, visits, staff, absent, history,
                                                      margin):
    people = [f"s{n}" for n in range(staff)]

    def window(spec):
        if spec is None:
            return None
        start = dt.datetime.combine(TODAY, dt.time.fromisoformat(spec[0]))
        return f"{start:%H:%M}-{start + dt.timedelta(minutes=spec[1]):%H:%M}"
    plan = small_plan([(f"v{n}", f"c{c}", list(dict.fromkeys(people[s % staff] for s in who)), window(w))
                       for n, (c, who, w) in enumerate(visits)], staff=people,
                      history=[(f"h{n}", f"c{c}", [people[s % staff]], None) for n, (c, s) in enumerate(history)])
    records = Records(tmp_path_factory.mktemp("records"))
    for n in absent:
        records.append("absence", author="t", date=TODAY, body={"staff_id": people[n % staff], "shift": "dag"})
    timing = Timing(travel_minutes=margin)
    day, proposal = proposal_for(plan, records, schedule, timing)
    check_hard_rules(plan, day, proposal, timing)
    assert proposal_for(plan, records, schedule, timing)[1] == proposal  # deterministic
    check_locally_best(plan, day, proposal, timing)


def check_locally_best(plan, day, proposal, timing):
    """No single placement, given to someone else who could take it, or two swapped, would cost less."""
    problem = Problem(plan, day, proposal.shift, timing)
    taken = {m.visit_id: list(m.added) for m in proposal.moves}
    best = problem.cost(taken)
    visits = {v.id: v for v, _ in problem.open}
    placements = [(v, p) for v, people in taken.items() for p in people]
    for visit_id, person in placements:
        for other in problem.crew:
            trial = {v: [p for p in people if (v, p) != (visit_id, person)] for v, people in taken.items()}
            if other != person and problem.can_take(visits[visit_id], other, trial):
                trial[visit_id].append(other)
                assert problem.cost(trial) >= best, (visit_id, person, other)
    for (v, p), (w, q) in itertools.combinations(placements, 2):
        if p == q or v == w:
            continue
        trial = {x: [p2 for p2 in people if (x, p2) not in ((v, p), (w, q))] for x, people in taken.items()}
        if problem.can_take(visits[v], q, trial):
            trial[v].append(q)
            if problem.can_take(visits[w], p, trial):
                trial[w].append(p)
                assert problem.cost(trial) >= best, ("swap", v, p, w, q)


def test_the_demo_plan_scaled_up_keeps_the_rules(tmp_path, schedule):
    plan = parse_plan(demo_plan(TODAY, clients=120, staff=21))
    records = Records(tmp_path)
    day = team_day(plan, records, TODAY)
    for staff_id in day.crew("dag")[::4]:
        records.append("absence", author="t", date=TODAY, body={"staff_id": staff_id, "shift": "dag"})
    day, proposal = proposal_for(plan, records, schedule)
    check_hard_rules(plan, day, proposal, Timing())
    assert len(proposal.moves) > 20
