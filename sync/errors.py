"""Exceptions shared by every part of Hembas.

Each specific error also inherits the builtin it resembles, so callers that
only know Python's own exceptions still catch them sensibly.
"""


class HembasError(Exception):
    """Base class for every error Hembas raises on purpose."""


class PlanInvalid(HembasError, ValueError):
    """A plan document broke one or more rules of the plan format."""

    def __init__(self, problems):
        self.problems = list(problems)
        head = self.problems[0] if self.problems else "ogiltig plan"
        more = len(self.problems) - 1
        super().__init__(head + (f" (och {more} fel till)" if more > 0 else ""))


class PlanStale(HembasError, ValueError):
    """A plan older than the one already in the mirror was refused."""


class NoPlan(HembasError, LookupError):
    """The mirror holds no plan yet (or nothing to roll back to)."""


class StoreError(HembasError, OSError):
    """The store on disk could not be read or written."""


class ConfigError(HembasError, ValueError):
    """The configuration file or an environment override is wrong."""


class ClockUntrusted(HembasError, RuntimeError):
    """The box's clock cannot be trusted, so "today" is unknown."""
