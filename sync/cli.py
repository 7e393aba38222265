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
import re
import sys
from importlib.metadata import entry_points

from .config import load_config
from .errors import HembasError

logger = logging.getLogger(__name__)


# argparse's own words (usage line, group titles, errors), said in Swedish.
ARGPARSE_ERRORS = (
    (r"^the following arguments are required: (.*)$", r"det här saknas: \1"),
    (r"^unrecognized arguments: (.*)$", r"okända argument: \1"),
    (r"invalid choice: (.*) \(choose from (.*)\)$", r"ogiltigt val \1 (välj bland \2)"),
    (r"^argument (\S+): ", r"\1: "),
    (r"expected one argument$", "ett värde behövs"),
    (r"expected at least one argument$", "minst ett värde behövs"),
    (r"invalid \S+ value: (.*)$", r"ogiltigt värde \1"),
    (r"not allowed with argument (.*)$", r"går inte ihop med \1"),
    (r"ambiguous option: (\S+) could match (.*)$", r"\1 kan betyda \2"),
    (r"ignored explicit argument (.*)$", r"tar inget värde (\1)"),
)


class SwedishHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="användning: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in Swedish, like the rest of ``hembas``."""

    def __init__(self, *args, add_help=True, **kwargs):
        kwargs.setdefault("formatter_class", SwedishHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")

    def error(self, message):
        for pattern, replacement in ARGPARSE_ERRORS:
            message = re.sub(pattern, replacement, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fel: {message}\n")


def _common_options(suppress):
    parser = Parser(add_help=False)
    common = parser.add_argument_group("för alla kommandon")
    default = argparse.SUPPRESS if suppress else None
    common.add_argument("--data", metavar="MAPP", default=default,
                        help="datamappen (standard $HEMBAS_DATA, annars ./var)")
    common.add_argument("--config", metavar="FIL", default=default,
                        help="inställningsfilen (standard MAPP/hembas.toml)")
    return parser


_LEAF_OPTIONS = _common_options(suppress=True)


def add_command(subparsers, name, *, help, handler=None):
    """Add a subcommand that accepts the common options (``--data``, ``--config``) too."""
    parser = subparsers.add_parser(name, help=help, description=help, parents=[_LEAF_OPTIONS])
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def read_input(path):
    """The bytes of a file named on the command line, or a Swedish :class:`HembasError` saying why not."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise HembasError(f"kan inte läsa {path}: {exc.strerror}") from None


def print_json(value):
    """What ``--json`` options print: indented UTF-8 JSON and a newline."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    print()


def build_parser():
    parser = Parser(prog="hembas", description="Hembas – hemtjänstens reservbas.",
                    parents=[_common_options(suppress=False)])
    parser.add_argument("-v", "--verbose", action="store_true", help="logga även felsökningsmeddelanden")
    subparsers = parser.add_subparsers(dest="command", metavar="KOMMANDO", required=True)
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
