"""Power cuts: SIGKILL writers at random moments, restart, check every acknowledged write.

The data folder is kept across all cuts of a scenario, as on a real box that
loses power again and again.  After each cut the store must open, and every
write a writer acknowledged (in this cut or any earlier one) must be there,
unchanged.  A write in flight at the cut may or may not be there: both are fine.

Run alone: ``PYTHONPATH=tests python -m faults --only powercut --scale smoke``
"""

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import REPO_DIR, child_env, table

from .rigs import HubRig, PrinterRig

# name -> the writers that run at once (each a process); full-scale cuts, smoke-scale cuts; rig (faults.rigs).
SCENARIOS = [
    ("records", ["records"], 60, 2, None),
    ("records, two processes", ["records", "records"], 40, 2, None),
    ("audit log", ["audit"], 50, 2, None),
    ("plan import", ["plan_import"], 60, 2, None),
    ("plan import + records", ["plan_import", "records"], 40, 2, None),
    ("print queue", ["print_queue"], 40, 2, PrinterRig),
    ("sync (notes, pull, push)", ["sync"], 40, 2, HubRig),
]
EARLY_CUT_SHARE = 0.1  # cuts during start-up, before the store is open
MAX_DELAY = 0.3


class Acknowledged:
    """Every write acknowledged so far in one data folder, and the checks after a cut."""

    def __init__(self, data_dir, rig=None):
        self.data_dir, self.rig = Path(data_dir), rig
        self.records, self.audit = {}, {}
        self.plan_versions, self.plans_acked = [], 0

    def note(self, writer, lines):
        acks = [line.split()[1:] for line in lines if line.startswith("ACK ")]
        if writer in ("records", "sync"):
            self.records.update((rid, n) for rid, n in acks)
        elif self.rig is not None and writer == self.rig.writer:
            self.rig.note(lines)
        elif writer == "audit":
            self.audit.update((eid, n) for eid, n in acks)
        elif writer == "plan_import":
            tries = [line.split()[1] for line in lines if line.startswith("TRY ")]
            done = [version for version, _ in acks]
            self.plans_acked += len(done)
            in_flight = tries[-1] if tries and (not done or tries[-1] != done[-1]) else None
            return {"last_ack": done[-1] if done else None, "in_flight": in_flight}
        return {}

    def check(self, plan_trial):
        """Open the store as a restarted box would; returns a list of problems."""
        from sync.store.audit import AuditLog
        from sync.errors import HembasError
        from sync.store.mirror import PlanMirror
        from sync.store.records import Records

        problems = []
        try:
            stored = {r["id"]: r["body"].get("n") for r in Records(self.data_dir).find()}
            entries = {e["id"]: e["detail"].get("n") for e in AuditLog(self.data_dir).entries()}
            mirror = PlanMirror(self.data_dir)
            current = mirror.current()
        except (HembasError, ValueError, KeyError) as exc:
            return [f"store did not open: {exc!r}"]
        lost = [rid for rid, n in self.records.items() if stored.get(rid) != n]
        if lost:
            problems.append(f"{len(lost)} acknowledged record(s) lost or changed, e.g. {lost[0]}")
        lost = [eid for eid, n in self.audit.items() if entries.get(eid) != n]
        if lost:
            problems.append(f"{len(lost)} acknowledged audit entr(y/ies) lost or changed, e.g. {lost[0]}")
        if plan_trial:
            allowed = {self.plan_versions[-1] if self.plan_versions else None}
            if plan_trial["last_ack"]:
                allowed = {plan_trial["last_ack"]}
            allowed.add(plan_trial["in_flight"])
            version = current.version if current else None
            if version not in allowed:
                problems.append(f"plan {version} is current; expected one of {sorted(map(str, allowed))}")
            self.plan_versions.append(version)
        if self.rig is not None:
            problems += self.rig.check(self.data_dir)
        return problems


def spawn(writer, data_dir, tag, folder, env):
    out, err = folder / f"{tag}.out", folder / f"{tag}.err"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "faults.writers", writer, str(data_dir), tag],
                                stdout=stdout, stderr=stderr, env=child_env(**env), cwd=REPO_DIR)
    return proc, out, err


def wait_ready(path, proc, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.read_text().startswith("READY"):
            return True
        time.sleep(0.005)
    return False


def cut(writers, state, folder, rng, cut_no):
    """Start *writers* on one data folder, cut the power, check; returns problems."""
    env = state.rig.env() if state.rig else {}
    if state.rig:
        state.rig.before_cut()
    procs = [spawn(w, state.data_dir, f"cut{cut_no}-{i}", folder, env) for i, w in enumerate(writers)]
    problems = []
    if rng.random() < EARLY_CUT_SHARE:
        time.sleep(rng.uniform(0, 0.25))
    else:
        for proc, out, err in procs:
            if not wait_ready(out, proc):
                problems.append(f"writer did not get ready (exit {proc.poll()})")
        time.sleep(rng.uniform(0, MAX_DELAY))
    for proc, _, _ in procs:
        if proc.poll() is not None:
            problems.append(f"writer stopped by itself (exit {proc.returncode})")
        proc.send_signal(signal.SIGKILL)
    plan_trial = None
    for writer, (proc, out, err) in zip(writers, procs):
        proc.wait()
        trial = state.note(writer, out.read_text().split("\n")[:-1])  # complete lines only
        plan_trial = trial or plan_trial
        if "Traceback" in err.read_text():
            problems.append(f"{writer} writer raised: {err.read_text().strip().splitlines()[-1]}")
    return problems + state.check(plan_trial)


def run(workdir, *, scale="full", rng=None):
    rng = rng or random.Random()
    rows, all_problems = [], []
    for name, writers, full, smoke, rig_class in SCENARIOS:
        folder = Path(workdir) / "".join(c if c.isalnum() else "_" for c in name)
        folder.mkdir(parents=True)
        rig = rig_class(folder) if rig_class else None
        state = Acknowledged(folder / "data", rig)
        cuts = full if scale == "full" else smoke
        failed, seen = 0, {}
        try:
            if rig:
                rig.setup(state.data_dir)
            for n in range(cuts):
                problems = cut(writers, state, folder, rng, n)
                failed += bool(problems)
                for problem in problems:
                    seen.setdefault(problem.replace(str(folder), "…"), []).append(n)
            if rig:
                for problem in rig.finish(state.data_dir, records=state.records):
                    seen.setdefault(f"after the last cut: {problem}", []).append(cuts)
                    failed += 1
        finally:
            if rig:
                rig.close()
        all_problems += [f"power cut, {name}: {p} (cuts {', '.join(map(str, ns[:8]))}{' …' if len(ns) > 8 else ''})"
                         for p, ns in seen.items()]
        rows.append({"scenario": name, "cuts": cuts, "processes": len(writers),
                     "acked_records": len(state.records), "acked_audit": len(state.audit),
                     "plan_imports": state.plans_acked, "failed_cuts": failed,
                     "rig": getattr(rig, "figures", {}),
                     "after": ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in getattr(rig, "figures", {}).items()),
                     "survived": "yes" if not failed else "NO"})
    columns = [("scenario", "scenario", "{}"), ("SIGKILLs", "cuts", "{}"), ("procs", "processes", "{}"),
               ("acked records", "acked_records", "{}"), ("acked audit", "acked_audit", "{}"),
               ("acked imports", "plan_imports", "{}"),
               ("failed cuts", "failed_cuts", "{}"), ("survived", "survived", "{}"),
               ("after the last cut", "after", "{}")]
    return {"tried": f"{sum(r['cuts'] for r in rows)} power cuts (SIGKILL) at random moments",
            "rows": rows, "problems": all_problems,
            "table": table("Power cut: SIGKILL during writes, then restart and check", columns, rows)}
