"""Helpers shared by the command modules: JSON output, tables, model arguments."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from ..tables import format_table  # noqa: F401 (re-exported for the commands)


def _clean(obj: Any) -> Any:
    """Make ``obj`` JSON-serialisable: numpy scalars/arrays to Python, NaN/inf to None."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if np is not None:
        if isinstance(obj, np.ndarray):
            return _clean(obj.tolist())
        if isinstance(obj, np.generic):
            return _clean(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def print_json(obj: Any) -> None:
    """Print one JSON object on stdout (keys carry SI-unit suffixes)."""
    json.dump(_clean(obj), sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object (SI units) instead of a table")


def frequency_arg(text, flag: str):
    """A frequency flag (``3e6``, ``'100 mHz'``) -> Hz; None when not given."""
    from ..errors import InputError

    if text is None:
        return None
    try:
        v = float(text)
    except ValueError:
        from ..units import parse_quantity

        v = parse_quantity(text, "frequency", flag)
    if not (math.isfinite(v) and v > 0):
        raise InputError(flag, text, "a frequency > 0 Hz, e.g. 1 or '100 mHz'")
    return v
