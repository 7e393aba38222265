"""The plan mirror: the team's plan, what staff write at the base, and the box's clock.

Everything else in Hembas (web UI, printer, firmware) reads and writes
through this package's API — mainly :func:`sync.box.open_box` — never
through its files.
"""
