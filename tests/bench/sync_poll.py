"""Sync with the reference hub: an unchanged plan poll (304) and a changed one.

The reference hub (``hembas hub serve``) runs in a subprocess on 127.0.0.1
with the team's signed plan bundle; a counting relay (:mod:`bench.relay`)
sits between it and the box, so requests and bytes are what crossed the
wire, headers included.  One sync cycle is :func:`sync.network.poller.run_cycle`,
what ``hembas sync run`` repeats every ``poll_minutes``: a conditional GET
of the plan, then the journal push (which sends only what is new).  The
box's first cycle (no plan yet) is shown too.  Each kind of poll is timed
in-process (median of repeats) and once as ``hembas sync now`` (a fresh
process, what the systemd timer pays).

Run alone: ``PYTHONPATH=tests python -m bench.sync_poll --scale smoke``
"""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

from .http_load import free_port, hembas
from .measure import REPO_DIR, Stopwatch, child_env, median, table
from .relay import Relay

REPEATS = {"full": 10, "smoke": 2}
TEAM = "kalix-centrum"


class HubBench:
    """A reference hub in a subprocess, its store, and a box approved by it."""

    def __init__(self, workdir):
        from sync.hub.store import HubStore

        self.workdir = Path(workdir)
        self.store = HubStore(self.workdir / "hub")
        self.store.keygen()
        self.port = free_port()
        self.log = open(self.workdir / "hub.log", "w")
        self.proc = subprocess.Popen(hembas(self.workdir / "hubdata", "hub", "serve", "--hub-dir",
                                            self.store.folder, "--port", self.port),
                                     env=child_env(), cwd=REPO_DIR, stdout=self.log, stderr=subprocess.STDOUT)
        self.published = 0

    def wait_listening(self, timeout=30):
        deadline = time.monotonic() + timeout
        while "lyssnar på" not in (self.workdir / "hub.log").read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start: {(self.workdir / 'hub.log').read_text()[-500:]}")
            time.sleep(0.02)

    def environ(self, url, *, timeout=10):
        keys = self.store.public_keys()
        return {"HEMBAS_HUB_URL": url, "HEMBAS_HUB_PUBLIC_KEY": keys["public_key"],
                "HEMBAS_HUB_ENCRYPTION_KEY": keys["encryption_key"], "HEMBAS_TEAM_ID": TEAM,
                "HEMBAS_HUB_TIMEOUT_SECONDS": str(timeout)}

    def box(self, data_dir, url, *, timeout=10):
        """A box pointed at *url* with its clock confirmed and its key approved at the hub."""
        from sync.box import open_box
        from sync.config import load_config
        from sync.network.keys import box_public_key

        box = open_box(load_config(data_dir, environ=self.environ(url, timeout=timeout)))
        box.clock.confirm(dt.datetime.now(dt.timezone.utc), by="bench")
        self.store.add_box(box_public_key(data_dir), team=TEAM)
        return box

    def publish_new_plan(self, today):
        """A newer demo plan (one visit's note changed) signed into the hub."""
        from sync.network.bundle import make_bundle
        from sync.plan.demo import demo_plan

        self.published += 1
        document = demo_plan(today, team_id=TEAM)
        stamp = dt.datetime.fromisoformat(document["generated_at"]) + dt.timedelta(minutes=self.published)
        document["generated_at"] = min(stamp, dt.datetime.now(dt.timezone.utc)).isoformat()
        document["visits"][0]["note"] = f"Ändrad {self.published}"
        self.store.put_bundle(TEAM, make_bundle(document, self.store.signing_key()))
        return document

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def cycle(box, relay):
    """One sync cycle through *relay*; returns its figures."""
    from sync.network.poller import run_cycle

    relay.reset()
    with Stopwatch() as sw:
        report = run_cycle(box)
    if not report.ok:
        raise RuntimeError(f"sync cycle failed: {report.messages}")
    return {"changed": report.plan_changed, "seconds": sw.seconds, **relay.counts()}


def sync_now(data_dir, environ):
    """``hembas sync now`` in a fresh process; returns its wall time."""
    with Stopwatch() as sw:
        subprocess.run(hembas(data_dir, "sync", "now"), env=child_env(**environ), cwd=REPO_DIR, check=True,
                       capture_output=True, timeout=60)
    return sw.seconds


def summarise(kind, runs, cli_s):
    return {"poll": kind, "repeats": len(runs), "requests": median([r["connections"] for r in runs]),
            "sent": median([r["sent"] for r in runs]), "received": median([r["received"] for r in runs]),
            "ms": 1000 * median([r["seconds"] for r in runs]), "max_ms": 1000 * max(r["seconds"] for r in runs),
            "cli_s": cli_s}


def run(workdir, *, scale="full"):
    hub = HubBench(workdir)
    try:
        hub.wait_listening()
        with Relay(hub.port) as relay:
            data_dir = Path(workdir) / "box"
            box = hub.box(data_dir, relay.url)
            today = box.current_shift().date
            hub.publish_new_plan(today)
            first = cycle(box, relay)
            unchanged, changed = [], []
            for _ in range(REPEATS[scale]):
                unchanged.append(cycle(box, relay))
                hub.publish_new_plan(today)
                changed.append(cycle(box, relay))
            if any(r["changed"] for r in unchanged) or not all(r["changed"] for r in changed + [first]):
                raise RuntimeError("a poll did not see what the hub published")
            environ = hub.environ(relay.url)
            unchanged_cli = sync_now(data_dir, environ)
            hub.publish_new_plan(today)
            changed_cli = sync_now(data_dir, environ)
    finally:
        hub.close()
    rows = [summarise("first (no plan yet)", [first], None), summarise("unchanged (304)", unchanged, unchanged_cli),
            summarise("changed", changed, changed_cli)]
    columns = [("poll", "poll", "{}"), ("repeats", "repeats", "{}"), ("requests", "requests", "{:.0f}"),
               ("bytes up", "sent", "{:.0f}"), ("bytes down", "received", "{:.0f}"),
               ("cycle ms (median)", "ms", "{:.1f}"), ("max ms", "max_ms", "{:.1f}"),
               ("hembas sync now s", "cli_s", "{:.2f}")]
    return {"rows": rows, "table": table("Sync cycle against the reference hub on 127.0.0.1 (run_cycle: pull, then push)",
                                          columns, rows)}


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(REPEATS), default="full")
    with tempfile.TemporaryDirectory(prefix="hembas-bench-") as folder:
        print(run(folder, scale=parser.parse_args().scale)["table"])
    sys.exit(0)
