"""``make bench``: run every benchmark, print the tables, write bench/results.json.

    PYTHONPATH=tests python -m bench                 # everything, full scale
    PYTHONPATH=tests python -m bench --only plan_import --scale smoke
    PYTHONPATH=tests python -m bench --only web --baseline /tmp/main   # before and after in one run
"""

import argparse
import datetime as dt
import importlib
import json
import logging
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

from .measure import REPO_DIR

BENCHMARKS = ["plan_import", "printing", "binder", "web", "instructions", "https", "sync_poll", "day_proposal"]
COMPARED = {"web", "instructions"}  # those that take --baseline


def machine():
    """What the figures were measured on."""
    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "system": f"{platform.system()} {platform.release()}"}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Hembas benchmarks")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run just this one (repeatable)")
    parser.add_argument("--scale", choices=("full", "smoke"), default="full")
    parser.add_argument("--output", type=Path, default=REPO_DIR / "bench" / "results.json")
    parser.add_argument("--baseline", type=Path, help="another checkout (e.g. main's) for the benchmarks that "
                                                      "compare servers side by side (web, instructions)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    results = {"started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "scale": args.scale, "machine": machine(), "benchmarks": {}}
    failed = []
    for name in args.only or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n== {name} ==", flush=True)
        try:
            with tempfile.TemporaryDirectory(prefix=f"hembas-bench-{name}-") as workdir:
                extra = {"baseline": args.baseline} if args.baseline and name in COMPARED else {}
                outcome = module.run(workdir, scale=args.scale, **extra)
        except Exception:
            failed.append(name)
            traceback.print_exc()
            results["benchmarks"][name] = {"error": traceback.format_exc(limit=3)}
            continue
        print(outcome.pop("table"), flush=True)
        results["benchmarks"][name] = outcome
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
