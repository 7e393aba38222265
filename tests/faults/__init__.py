"""The fault harness of Hembas: ``make faults`` (``PYTHONPATH=tests python -m faults``).

Each scenario module has ``run(workdir, *, scale, rng)`` returning a dict with
``tried`` (what was done to the box), ``survived`` and ``problems`` (a list
of findings, empty when the box held up) and a ``table`` for the terminal.
Docs: docs/benchmarks.md.
"""
