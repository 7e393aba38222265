"""Subcommands of this part of Hembas (see sync/cli.py)."""


def register(subparsers):
    """No subcommands yet."""
