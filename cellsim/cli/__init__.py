"""The ``cellsim`` command line.

Each command lives in its own module ``cellsim/cli/cmd_<name>.py`` exposing

``register(subparsers) -> argparse.ArgumentParser``
    adds the sub-command and its options (cheap: no heavy imports here), and
``run(args) -> int``
    does the work and returns the exit status.

Commands are discovered automatically, so a new command is a new file. Errors derived
from :class:`cellsim.errors.CellsimError` are printed as one line on stderr with exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys

from ..errors import CellsimError


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr (exit status 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(
        prog="cellsim",
        description="Physics-based simulator for layered solid-state electrolytes in Li-metal cells.",
    )
    parser.add_argument("--version", action="version", version=f"cellsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("cmd_"))
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        p = module.register(sub)
        p.set_defaults(_run=module.run)
    return parser


class _ArgumentParserExit(Exception):
    pass


_NEGATIVE = re.compile(r"^-(?:\d|\.\d)[^=]*$")


def _value_options(parser: argparse.ArgumentParser) -> set[str]:
    """Option strings (of the parser and its sub-commands) that take exactly one value."""
    out: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out |= _value_options(sub)
        elif action.option_strings and action.nargs is None:
            out.update(s for s in action.option_strings if s.startswith("--"))
    return out


def join_negative_values(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``["--params", "-1,2"]`` -> ``["--params=-1,2"]``.

    argparse takes a value that starts with '-' and is not a plain negative number (such as
    the list ``-1,2,3`` or ``-1e-3``) for an option, so ``--params -1,2`` would fail with
    "expected one argument". Joining such a value to its option keeps both spellings working.
    """
    options = _value_options(parser)
    out: list[str] = []
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok in options and i + 1 < len(argv) and _NEGATIVE.match(argv[i + 1]):
            out.append(f"{tok}={argv[i + 1]}")
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cellsim`` console script."""
    parser = build_parser()
    argv = join_negative_values(list(sys.argv[1:] if argv is None else argv), parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed a one-line usage error
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    from ..threads import pin_blas_threads

    pin_blas_threads()   # one BLAS thread: cellsim's linear algebra is small (cellsim/threads.py)
    try:
        return int(args._run(args) or 0)
    except CellsimError as exc:
        msg = " ".join(str(exc).split("\n")[0:1]) if not isinstance(exc, __import__("cellsim.errors").errors.CircuitSyntaxError) else str(exc).replace("\n", " |")
        print(f"cellsim: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cellsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
