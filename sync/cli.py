"""The ``hembas`` command.

Each part of Hembas contributes its own subcommands through the entry-point
group ``hembas.commands`` (see pyproject.toml): a function
``register(subparsers)`` that adds parsers whose ``handler`` default is
called as ``handler(args, config)``.  The plan mirror therefore knows
nothing about the web UI or the printer, yet one command serves them all.

Exit codes: 0 ok; 1 refused (a one-line reason on stderr); 2 bad usage.
"""

import argparse
import json
import logging
import sys
from importlib.metadata import entry_points

from .config import load_config
from .errors import HembasError

logger = logging.getLogger(__name__)


def _common_options(suppress):
    common = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    common.add_argument("--data", metavar="DIR", default=default,
                        help="where the store lives (default $HEMBAS_DATA, else ./var)")
    common.add_argument("--config", metavar="FILE", default=default,
                        help="settings file (default DIR/hembas.toml)")
    return common


_LEAF_OPTIONS = _common_options(suppress=True)


def add_command(subparsers, name, *, help, handler=None):
    """Add a subcommand that accepts the common options (``--data``, ``--config``) too."""
    parser = subparsers.add_parser(name, help=help, description=help, parents=[_LEAF_OPTIONS])
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def print_json(value):
    """What ``--json`` options print: indented UTF-8 JSON and a newline."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    print()


def build_parser():
    parser = argparse.ArgumentParser(prog="hembas", description="Hembas – hemtjänstens reservbas.",
                                     parents=[_common_options(suppress=False)])
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for ep in sorted(entry_points(group="hembas.commands"), key=lambda e: e.name):
        try:
            register = ep.load()
        except Exception as exc:  # one broken part must not take the plan commands with it
            logger.debug("loading %s failed", ep.value, exc_info=True)
            print(f"hembas: delen {ep.name!r} kunde inte laddas ({exc}); dess kommandon saknas", file=sys.stderr)
            continue
        register(subparsers)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    try:
        config = load_config(args.data, args.config)
        return args.handler(args, config) or 0
    except HembasError as exc:
        print(f"hembas: {exc}", file=sys.stderr)
        problems = getattr(exc, "problems", [])
        for problem in problems[1:]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
