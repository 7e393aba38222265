"""Hub faults: down, hanging, slow, failing and lying; the box keeps its plan and catches up after.

The reference hub (``hembas hub serve``) runs in a subprocess on 127.0.0.1;
the box talks to it through a misbehaving proxy (``syncnet.helpers.FaultyProxy``)
or a relay that refuses or hangs (:mod:`bench.relay`), or the hub itself
serves a lie (a bundle signed with another key, for another team, or an
older plan replayed).  While the fault lasts, a new plan is published and
staff write notes; every sync cycle must fail with a clear reason (never an
unexpected exception) and leave ``plan.json`` and the records untouched.
Once the fault clears, one cycle must bring the new plan and deliver every
note to the hub.

Run alone: ``PYTHONPATH=tests python -m faults --only hub_faults --scale smoke``
"""

import random
import traceback
from pathlib import Path

from bench.measure import table
from bench.relay import Relay
from bench.sync_poll import TEAM, HubBench

# fault -> how the box reaches the hub during it ("proxy" mode, "relay" mode or a lie at the hub)
FAULTS = {"down": ("relay", "down"), "hang": ("relay", "hang"), "slow": ("proxy", "slow"),
          "500": ("proxy", "500"), "garbage": ("proxy", "garbage"), "truncated": ("proxy", "truncate"),
          "wrong key": ("lie", "key"), "other team": ("lie", "team"), "replayed old plan": ("lie", "replay")}
CYCLES = {"full": 3, "smoke": 1}  # sync cycles tried during each fault


def lie(hub, kind, today, old_bundle):
    """Make the hub serve a bundle the box must refuse; returns the honest document it replaces."""
    import nacl.signing

    from sync.network.bundle import make_bundle

    honest = hub.publish_new_plan(today)
    if kind == "key":
        hub.store.put_bundle(TEAM, make_bundle(honest, nacl.signing.SigningKey.generate()))
    elif kind == "team":
        other = dict(honest, team={**honest["team"], "id": "annat-team"})
        hub.store.put_bundle(TEAM, make_bundle(other, hub.store.signing_key()))
    else:
        hub.store.put_bundle(TEAM, old_bundle)
    return honest


def one_fault(hub, box, proxy, relay, name, cycles, today, oldest):
    """Run *name* from start to clearing; returns (row, problems)."""
    from sync.network.bundle import make_bundle
    from sync.network.poller import run_cycle

    how, mode = FAULTS[name]
    problems, plan_path = [], box.data_dir / "plan.json"
    if how == "lie":
        published = lie(hub, mode, today, oldest)
    else:
        published = hub.publish_new_plan(today)
        (relay if how == "relay" else proxy).mode = mode
        box.config["hub"]["url"] = relay.url if how == "relay" else proxy.url
    plan_before, reasons, crashed = plan_path.read_bytes(), [], 0
    for n in range(cycles):
        box.records.append("note", author="s2", client_id="c01", body={"text": f"under felet {name} {n}"})
        records_before = {r["id"] for r in box.records.find()}
        try:
            report = run_cycle(box)
        except Exception as exc:  # the finding: a cycle must report, not raise
            crashed += 1
            problems.append(f"{name}: run_cycle raised {type(exc).__name__}: {exc} "
                            f"({traceback.extract_tb(exc.__traceback__)[-1].name})")
            continue
        if report.ok and report.plan_changed:
            problems.append(f"{name}: the box took a plan during the fault")
        if how != "lie" and report.ok:
            problems.append(f"{name}: the cycle reported success during the fault")
        reasons.append(report.messages[0] if report.messages else "")  # the pull's outcome
        if plan_path.read_bytes() != plan_before:
            problems.append(f"{name}: plan.json changed during the fault")
        if not records_before <= {r["id"] for r in box.records.find()}:
            problems.append(f"{name}: records lost during the fault")
    relay.mode = proxy.mode = "pass"
    box.config["hub"]["url"] = relay.url
    if how == "lie":
        hub.store.put_bundle(TEAM, make_bundle(published, hub.store.signing_key()))
    after = run_cycle(box)
    current = box.mirror.current()
    if not after.ok or current.generated_at.isoformat() != published["generated_at"]:
        problems.append(f"{name}: after the fault the box did not catch up ({after.messages})")
    unsent = box.records.unsent()
    if unsent:
        problems.append(f"{name}: {len(unsent)} note(s) not delivered after the fault")
    row = {"fault": name, "cycles": cycles, "crashes": crashed, "reason": (reasons[-1] if reasons else "")[:60],
           "caught_up": "yes" if after.ok and not unsent and not problems else "NO"}
    return row, problems


def hub_received(hub, box):
    """Ids of every record the hub stored from *box*."""
    from sync.network.keys import box_public_key
    from sync.network.signing import as_verify_key, key_id

    box_id = key_id(as_verify_key(box_public_key(box.data_dir)))
    return {row["item"]["id"] for row in hub.store.journal(TEAM, box_id) if row["type"] == "record"}


def run(workdir, *, scale="full", rng=None):
    from syncnet.helpers import FaultyProxy

    from sync.network.poller import run_cycle

    rng = rng or random.Random()
    hub, rows, problems = HubBench(workdir), [], []
    try:
        hub.wait_listening()
        with Relay(hub.port) as relay:
            proxy = FaultyProxy(f"http://127.0.0.1:{hub.port}")
            proxy.server.handle_error = lambda *args: None  # a box that timed out closed the socket: expected
            try:
                box = hub.box(Path(workdir) / "box", relay.url, timeout=1)
                today = box.current_shift().date
                hub.publish_new_plan(today)
                if not run_cycle(box).ok:
                    raise RuntimeError("the first sync failed")
                oldest = hub.store.bundle_path(TEAM).read_bytes()  # replayed later as a lie
                hub.publish_new_plan(today)
                if not run_cycle(box).plan_changed:
                    raise RuntimeError("the second plan did not arrive")
                names = list(FAULTS)
                rng.shuffle(names)
                for name in names:
                    row, found = one_fault(hub, box, proxy, relay, name, CYCLES[scale], today, oldest)
                    rows.append(row)
                    problems += found
                written = {r["id"] for r in box.records.find()}
                lost = written - hub_received(hub, box)
                if lost:
                    problems.append(f"{len(lost)} note(s) never reached the hub")
            finally:
                proxy.close()
    finally:
        hub.close()
    columns = [("fault", "fault", "{}"), ("cycles during", "cycles", "{}"), ("crashes", "crashes", "{}"),
               ("reason the box gave", "reason", "{}"), ("caught up after", "caught_up", "{}")]
    return {"tried": f"{len(rows)} hub faults (down, hang, slow, 500, garbage, truncated, lying)", "rows": rows,
            "problems": problems, "table": table("Hub faults (reference hub on 127.0.0.1, real sync cycle)", columns, rows)}
