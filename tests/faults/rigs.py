"""What a power-cut scenario needs around the store: a printer for the print queue, a hub for sync.

A rig gives the writer processes their settings (:meth:`env`), checks the
store after each cut (:meth:`check`) and, after the last cut, lets the box
finish its work undisturbed and checks the end state (:meth:`finish`):

* :class:`PrinterRig`: every acknowledged print job is printed, and none
  twice except a job the queue found ``printing`` after a cut (the one case
  docs/printing.md admits may come out twice).
* :class:`HubRig`: the plan is always one the hub published; after a clean
  cycle the newest plan is current and every acknowledged note is at the hub.
"""

import time

from bench.relay import Relay
from bench.sync_poll import TEAM, HubBench
from loopback_printer import LoopbackPrinter


class PrinterRig:
    writer = "print_queue"

    def __init__(self, folder):
        self.printer = LoopbackPrinter()
        self.jobs, self.maybe_twice = {}, set()

    def env(self):
        return {"HEMBAS_PRINTER_BACKEND": "network", "HEMBAS_PRINTER_HOST": "127.0.0.1",
                "HEMBAS_PRINTER_PORT": str(self.printer.port), "HEMBAS_PRINTER_TIMEOUT_SECONDS": "2"}

    def setup(self, data_dir):
        pass

    def before_cut(self):
        pass

    def note(self, lines):
        self.jobs.update(line.split()[1:3] for line in lines if line.startswith("ACK "))

    def _queue(self, data_dir):
        from printer.queue import PrintQueue
        from sync.box import open_box
        from sync.config import load_config

        return PrintQueue(open_box(load_config(data_dir, environ=self.env())))

    def _printed(self, code):
        return sum(code.encode() in job.data for job in self.printer.whole_jobs())

    def check(self, data_dir):
        jobs = {j["id"]: j for j in self._queue(data_dir).jobs(limit=10**6)}
        self.maybe_twice |= {job_id for job_id, j in jobs.items() if j["state"] == "printing"}
        lost = [code for job_id, code in self.jobs.items() if job_id not in jobs and not self._printed(code)]
        return [f"{len(lost)} acknowledged print job(s) gone from the queue unprinted, e.g. {lost[0]}"] if lost else []

    def finish(self, data_dir, records=()):
        queue = self._queue(data_dir)
        deadline = time.monotonic() + 60
        while queue.status()["pending"] and time.monotonic() < deadline:
            queue.process_once()
        time.sleep(0.5)  # the printer files the last job
        never = [code for code in self.jobs.values() if not self._printed(code)]
        twice = [code for job_id, code in self.jobs.items()
                 if self._printed(code) > 1 and job_id not in self.maybe_twice]
        problems = [f"{len(never)} acknowledged print job(s) never printed, e.g. {never[0]}"] if never else []
        if twice:
            problems.append(f"{len(twice)} print job(s) printed twice without warning, e.g. {twice[0]}")
        self.figures = {"acked": len(self.jobs), "printed": len(self.printer.whole_jobs()),
                        "maybe_twice": len(self.maybe_twice),
                        "twice": sum(self._printed(c) > 1 for c in self.jobs.values())}
        return problems

    def close(self):
        self.printer.close()


class HubRig:
    writer = "sync"

    def __init__(self, folder):
        self.hub = HubBench(folder)
        self.hub.wait_listening()
        self.relay = Relay(self.hub.port)
        self.versions = []

    def env(self):
        return self.hub.environ(self.relay.url, timeout=2)

    def setup(self, data_dir):
        self.box = self.hub.box(data_dir, self.relay.url, timeout=2)
        self.today = self.box.current_shift().date
        self.before_cut()

    def before_cut(self):
        """A new plan on the hub for every cut, so there is always a download to interrupt."""
        from sync.plan.model import document_version

        self.versions.append(document_version(self.hub.publish_new_plan(self.today)))

    def note(self, lines):
        pass  # the notes are ordinary records: powercut.Acknowledged checks them

    def check(self, data_dir):
        from sync.store.mirror import PlanMirror
        from sync.network.status import SyncStatus

        SyncStatus(data_dir).read()
        current = PlanMirror(data_dir).current()
        if current is not None and current.version not in self.versions:
            return [f"plan {current.version} is current but the hub never published it"]
        return []

    def finish(self, data_dir, records=()):
        from sync.network.keys import box_public_key
        from sync.network.poller import run_cycle
        from sync.network.signing import as_verify_key, key_id

        report = run_cycle(self.box)
        problems = [] if report.ok else [f"the sync after the last cut failed: {report.messages}"]
        if self.box.mirror.current().version != self.versions[-1]:
            problems.append("the newest plan is not current after a clean sync")
        box_id = key_id(as_verify_key(box_public_key(data_dir)))
        at_hub = {row["item"]["id"] for row in self.hub.store.journal(TEAM, box_id)}
        missing = set(records) - at_hub
        if missing:
            problems.append(f"{len(missing)} acknowledged note(s) never reached the hub")
        self.figures = {"plans": len(self.versions), "notes_at_hub": len(set(records) & at_hub)}
        return problems

    def close(self):
        self.relay.close()
        self.hub.close()
