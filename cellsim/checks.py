"""Checks of single input values shared across layers (raise :class:`~cellsim.errors.InputError`)."""

from __future__ import annotations

import math

from .errors import InputError


def finite_number(value, field_name: str, low: float | None = None, low_open: bool = False) -> float:
    """``value`` as a finite float, at least ``low`` (above it with ``low_open``).

    Raises
    ------
    InputError
        Naming ``field_name``, the value and what is allowed (a real number, finite,
        ``>= low`` or ``> low``).
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(field_name, value, "a real number") from None
    if not math.isfinite(v):
        raise InputError(field_name, value, "a finite number")
    if low is not None and (v < low or (low_open and v == low)):
        raise InputError(field_name, value, f"{'>' if low_open else '>='} {low:g}")
    return v
