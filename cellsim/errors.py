"""One exception hierarchy for cellsim.

Every error a user can cause derives from :class:`CellsimError`. Its message names the
file, line or field, the offending value and what is allowed, so the command line can
print it as one line and exit with status 2.
"""

from __future__ import annotations


class CellsimError(Exception):
    """Base class of every error cellsim raises on purpose."""


class InputError(CellsimError, ValueError):
    """A physical or numerical input is out of its allowed range.

    Parameters
    ----------
    field : str
        Dotted name of the offending field, e.g. ``"layers[1].thickness"``.
    value : object
        The value that was given.
    allowed : str
        What is allowed, e.g. ``"> 0 m"``.
    where : str, optional
        File (and line) the value came from.
    """

    def __init__(self, field: str, value: object, allowed: str, where: str | None = None):
        self.field = field
        self.value = value
        self.allowed = allowed
        self.where = where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{field} = {value!r} is not allowed; expected {allowed}")


class UnitError(InputError):
    """A quantity has no unit, an unknown unit, or the wrong dimension."""


class NotFoundError(CellsimError, LookupError):
    """A named material, model or file does not exist."""

    def __str__(self) -> str:  # LookupError wraps the message in quotes otherwise
        return str(self.args[0]) if self.args else ""


class FileFormatError(CellsimError):
    """A data or configuration file cannot be parsed.

    Parameters
    ----------
    path : str
        The file.
    message : str
        What is wrong.
    line : int, optional
        1-based line number where the problem was found.
    """

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        loc = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{loc}: {message}")


class CircuitSyntaxError(CellsimError, ValueError):
    """A circuit string cannot be parsed; ``position`` is the 0-based column."""

    def __init__(self, text: str, position: int, message: str):
        self.text = text
        self.position = position
        pointer = " " * position + "^"
        super().__init__(f"circuit {text!r}: {message} at position {position}\n  {text}\n  {pointer}")


class SolverError(CellsimError, RuntimeError):
    """A numerical solution failed (non-convergence, non-finite state)."""
