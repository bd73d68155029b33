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


def parse_temperature(text):
    """``--temperature`` text -> K (None when not given)."""
    if text is None:
        return None
    from ..units import parse_quantity

    return parse_quantity(text, "temperature", "--temperature")


def parse_params(text: str, flag: str = "--params"):
    """'1,2,3' -> [1.0, 2.0, 3.0]; 'R0=1,C0=2e-6' -> {'R0': 1.0, 'C0': 2e-6}."""
    from ..errors import InputError

    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items:
        raise InputError(flag, text, "comma-separated numbers, e.g. 10,100,1e-6,0.9")
    named = ["=" in s for s in items]
    if any(named) and not all(named):
        raise InputError(flag, text, "either all plain numbers or all NAME=VALUE pairs")
    out_named: dict[str, float] = {}
    out_list: list[float] = []
    for s in items:
        key, _, val = s.partition("=") if "=" in s else ("", "", s)
        v = _finite_value(val, flag, s, "a number such as 1e-6 (SI units)")
        if key:
            out_named[key.strip()] = v
        else:
            out_list.append(v)
    return out_named if out_named else out_list


def parse_pairs(text: str, flag: str) -> dict:
    """'R0=1,C1=2e-6' -> {'R0': 1.0, 'C1': 2e-6}."""
    from ..errors import InputError

    out = {}
    for item in [s.strip() for s in text.split(",") if s.strip()]:
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise InputError(flag, item, "NAME=VALUE pairs separated by commas, e.g. R0=10,CPE1_1=0.9")
        out[key.strip()] = _finite_value(val, flag, item, "a number after '=' (SI units)")
    if not out:
        raise InputError(flag, text, "NAME=VALUE pairs separated by commas")
    return out


def _finite_value(text: str, flag: str, item: str, allowed: str) -> float:
    """``text`` as a finite float; InputError naming the flag and the whole ``item`` otherwise."""
    from ..errors import InputError

    try:
        v = float(text)
    except ValueError:
        raise InputError(flag, item, allowed) from None
    if not math.isfinite(v):
        raise InputError(flag, item, "a finite number")
    return v
