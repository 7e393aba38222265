"""The plan format ``hembas.plan/1``: the objects, their validation, CSV import and the demo plan."""
