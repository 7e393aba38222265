"""Benchmarks of Hembas: ``make bench`` (``PYTHONPATH=tests python -m bench``).

Each benchmark module has ``run(workdir, *, scale)`` returning a dict of
rows for ``bench/results.json`` and a table for the terminal.  *scale* is
``"full"`` for ``make bench`` and ``"smoke"`` for the CI test, which only
checks that every figure is produced and sane (never how fast).
Docs: docs/benchmarks.md.
"""
