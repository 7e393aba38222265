"""``make faults``: run every fault scenario, print what was tried and what survived.

    PYTHONPATH=tests python -m faults                    # everything, full scale
    PYTHONPATH=tests python -m faults --only powercut --scale smoke --seed 1

Exit status 1 when any scenario found a problem (the list is printed).
"""

import argparse
import importlib
import logging
import random
import sys
import tempfile
import traceback

SCENARIOS = ["powercut", "fuzz_import", "fuzz_web", "diskfull", "printer_faults", "hub_faults", "attacks"]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Hembas fault harness")
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="run just this one (repeatable)")
    parser.add_argument("--scale", choices=("full", "smoke"), default="full")
    parser.add_argument("--seed", type=int, help="random seed (default: a fresh one, printed)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the box's own warnings are expected under faults
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    print(f"fault harness, seed {seed} (repeat with --seed {seed})")
    summary = []
    for name in args.only or SCENARIOS:
        module = importlib.import_module(f"faults.{name}")
        print(f"\n== {name} ==", flush=True)
        try:
            with tempfile.TemporaryDirectory(prefix=f"hembas-faults-{name}-") as workdir:
                outcome = module.run(workdir, scale=args.scale, rng=random.Random(seed))
        except Exception:
            traceback.print_exc()
            summary.append((name, "harness error", ["the scenario itself crashed (see above)"]))
            continue
        print(outcome["table"], flush=True)
        summary.append((name, outcome["tried"], outcome["problems"]))
    print("\n== summary ==")
    for name, tried, problems in summary:
        print(f"{name}: tried {tried}: {'survived' if not problems else f'{len(problems)} PROBLEM(S)'}")
        for problem in problems:
            print(f"  - {problem}")
    return 1 if any(problems for _, _, problems in summary) else 0


if __name__ == "__main__":
    sys.exit(main())
