"""The morning meeting's proposal: the heuristic against OR-Tools CP-SAT, time, memory and quality.

Each measurement runs in a fresh process that opens a prepared data folder
the way the web server does (the plan is imported beforehand), for the demo
base (40 clients, 7 staff; one carer of the day shift absent) and the 10×
base (400 clients, 70 staff; every tenth carer of the day shift absent).

* **heuristic**: :func:`sync.day.proposal.propose`, what the box runs, median
  of 5; *proposal RSS* is the peak during the proposals minus the resident
  size before them (the peak is reset first through ``/proc/self/clear_refs``),
  i.e. what a proposal adds to the web process.
* **CP-SAT** (only where ``ortools`` is installed; it is not a dependency):
  the same :class:`sync.day.solver.Problem` as a CP-SAT model with the same
  hard rules and objective, solved lexicographically (most placements, then
  least cost) with a time limit; *import s* and *import RSS* are what loading
  the library costs, *solve s* building and solving both phases.

*gap* is how much higher the heuristic's cost is than CP-SAT's (0 % when it
found the optimum; both place the same number of visits or the row says so).

Run alone: ``PYTHONPATH=tests python -m bench.day_proposal --scale smoke``
"""

import argparse
import json
import sys
from pathlib import Path

from .measure import Stopwatch, median, peak_rss_kb, rss_kb, run_child, table

SCALES = {"full": (1, 10), "smoke": (0.2,)}
REPEATS = 5
CPSAT_SECONDS = 20.0


def prepare(data_dir, factor):
    """A data folder with the scaled demo plan and the day shift's absences recorded; returns the absent."""
    from hembas_testing import TODAY, fixed_clock

    from sync.box import open_box
    from sync.config import load_config
    from sync.day.changes import audit_as, mark_absent
    from sync.plan.demo import demo_plan

    box = open_box(load_config(data_dir, environ={}))
    box.clock = fixed_clock(data_dir)
    box.mirror.import_document(demo_plan(TODAY, clients=max(2, round(40 * factor)), staff=max(3, round(7 * factor))),
                               source="bench", today=TODAY)
    dag = box.shifts.shift(TODAY, "dag")
    crew = box.day(TODAY).crew("dag")
    absent = [crew[1]] if factor <= 1 else crew[1::10]
    for staff_id in absent:
        mark_absent(box, staff_id, dag, author="bench", audit=audit_as(box, "bench"))
    return absent


def measure(data_dir, solver):
    """Child side: open the box, build the day, propose with *solver*; returns the figures."""
    from hembas_testing import TODAY, fixed_clock

    from sync.box import open_box
    from sync.config import load_config
    from sync.day.proposal import propose
    from sync.day.solver import Problem
    from sync.day.timing import Timing

    box = open_box(load_config(data_dir, environ={}))
    box.clock = fixed_clock(Path(data_dir))
    plan, day, dag = box.plan(), box.day(TODAY), box.shifts.shift(TODAY, "dag")
    timing = Timing.from_config(box.config)
    problem = Problem(plan, day, "dag", timing)
    figures = {"open": sum(need for _, need in problem.open), "crew": len(problem.crew),
               "visits": len(day.shift("dag")), "baseline_rss_kb": rss_kb()}
    if solver == "heuristic":
        Path("/proc/self/clear_refs").write_text("5")
        before = rss_kb()
        times = []
        for _ in range(REPEATS):
            with Stopwatch() as sw:
                proposal = propose(plan, day, dag, timing)
            times.append(sw.seconds)
        taken = {m.visit_id: list(m.added) for m in proposal.moves}
        figures.update(seconds=median(times), proposal_rss_kb=peak_rss_kb() - before, peak_rss_kb=peak_rss_kb())
    else:
        with Stopwatch() as imported:
            from ortools.sat.python import cp_model  # noqa: F401  (what loading the library costs)
        figures.update(import_s=imported.seconds, import_rss_kb=rss_kb() - figures["baseline_rss_kb"])
        with Stopwatch() as solved:
            taken, status = cpsat_solve(problem)
        figures.update(seconds=solved.seconds, status=status, peak_rss_kb=peak_rss_kb())
    left, cost = problem.cost(taken)
    figures.update(placed=figures["open"] - left, cost=cost)
    return figures


def cpsat_solve(problem, seconds=CPSAT_SECONDS):
    """*problem* as a CP-SAT model: the heuristic's hard rules and objective, most placements first."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = {(v.id, p): model.NewBoolVar(f"{v.id}:{p}") for v, _ in problem.open for p in sorted(problem.fits[v.id])}
    for visit, need in problem.open:
        model.Add(sum(x[visit.id, p] for p in problem.fits[visit.id]) <= need)
    for i, (v, _) in enumerate(problem.open):
        for w, _ in problem.open[i + 1:]:
            if problem.timing.collide(v, w):
                for p in problem.fits[v.id] & problem.fits[w.id]:
                    model.Add(x[v.id, p] + x[w.id, p] <= 1)
    placed = sum(x.values())
    cost = sum(problem.continuity_cost(v, p) * x[v.id, p] for v, _ in problem.open for p in problem.fits[v.id])
    for p in problem.crew:
        base_minutes, base_visits = problem.base[p]
        mine = [(v, x[v.id, p]) for v, _ in problem.open if p in problem.fits[v.id]]
        top_minutes = base_minutes + sum(problem.minutes[v.id] for v, _ in mine)
        minutes = model.NewIntVar(base_minutes, top_minutes, f"min:{p}")
        model.Add(minutes == base_minutes + sum(problem.minutes[v.id] * var for v, var in mine))
        visits = model.NewIntVar(base_visits, base_visits + len(mine), f"n:{p}")
        model.Add(visits == base_visits + sum(var for _, var in mine))
        weighted = model.NewIntVar(0, 30 * (base_visits + len(mine)), f"w:{p}")
        model.Add(weighted == 30 * visits)
        squares = [model.NewIntVar(0, top ** 2, f"sq{n}:{p}") for n, top in
                   enumerate((top_minutes, 30 * (base_visits + len(mine))))]
        model.AddMultiplicationEquality(squares[0], [minutes, minutes])
        model.AddMultiplicationEquality(squares[1], [weighted, weighted])
        cost += squares[0] + squares[1]
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds / 2
    solver.parameters.num_workers = 2  # the machine's cores; a Pi Zero 2 W has four slow ones
    model.Maximize(placed)
    status = solver.Solve(model)
    model.Add(placed == round(solver.ObjectiveValue()))
    model.ClearObjective()
    model.Minimize(cost)
    status = solver.Solve(model)
    taken = {}
    for (visit_id, p), var in x.items():
        if solver.Value(var):
            taken.setdefault(visit_id, []).append(p)
    return taken, solver.StatusName(status)


def has_ortools():
    try:
        import ortools  # noqa: F401
    except ImportError:
        return False
    return True


def run(workdir, *, scale="full"):
    """Measure every scale with both solvers; returns {"rows": [...], "table": str}."""
    rows = []
    solvers = ["heuristic"] + (["cp-sat"] if has_ortools() else [])
    for factor in SCALES[scale]:
        data_dir = Path(workdir) / f"data-{factor}"
        absent = prepare(data_dir, factor)
        results = {s: run_child("bench.day_proposal", "--child", data_dir, s) for s in solvers}
        for solver, result in results.items():
            row = {"factor": factor, "solver": solver, "absent": len(absent), **result,
                   "peak_rss_mb": result["peak_rss_kb"] / 1024, "baseline_rss_mb": result["baseline_rss_kb"] / 1024,
                   "ms": 1000 * result["seconds"]}
            if "proposal_rss_kb" in result:
                row["proposal_rss_mb"] = result["proposal_rss_kb"] / 1024
            if "import_rss_kb" in result:
                row["import_rss_mb"] = result["import_rss_kb"] / 1024
            rows.append(row)
        if "cp-sat" in results:
            best, ours = results["cp-sat"], results["heuristic"]
            gap = (ours["cost"] - best["cost"]) / best["cost"] * 100 if best["cost"] else 0.0
            for row in rows[-2:]:
                row["gap_pct"] = gap if ours["placed"] == best["placed"] else None
                row["same_placed"] = ours["placed"] == best["placed"]
    columns = [("scale", "factor", "{}×"), ("solver", "solver", "{}"), ("absent", "absent", "{}"),
               ("crew", "crew", "{}"), ("visits", "visits", "{}"), ("open", "open", "{}"), ("placed", "placed", "{}"),
               ("ms", "ms", "{:.1f}"), ("import s", "import_s", "{:.2f}"), ("base RSS MB", "baseline_rss_mb", "{:.0f}"),
               ("+proposal MB", "proposal_rss_mb", "{:.1f}"), ("+import MB", "import_rss_mb", "{:.0f}"),
               ("peak RSS MB", "peak_rss_mb", "{:.0f}"), ("cost", "cost", "{}"), ("gap %", "gap_pct", "{:.2f}"),
               ("status", "status", "{}")]
    notes = [] if "cp-sat" in solvers else ["  CP-SAT not measured: ortools is not installed (pip install ortools)"]
    notes += [f"  {r['factor']}×: the heuristic placed {r['placed']}, CP-SAT another number"
              for r in rows if r.get("same_placed") is False and r["solver"] == "heuristic"]
    return {"rows": rows, "table": "\n".join([table("Morning meeting proposal (fresh process each)", columns, rows),
                                              *notes])}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("DATA_DIR", "SOLVER"), help=argparse.SUPPRESS)
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    import tempfile
    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as workdir:
        print(run(workdir, scale=args.scale)["table"])


if __name__ == "__main__":
    sys.exit(main())
