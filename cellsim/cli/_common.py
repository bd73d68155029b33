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


def add_cell_flag(parser, conditions: bool = False) -> None:
    """Add the repeatable ``--cell KEY=VALUE`` override (and, with ``conditions``, the
    ``--temperature``/``--pressure`` shorthands) to a model command's parser."""
    parser.add_argument("--cell", metavar="KEY=VALUE", action="append", default=[],
                        help="override the model's cell (repeatable): area=2cm2, temperature=60degC, "
                             "pressure=20MPa, LAYER.thickness=50um, LAYER.material=llzo (LAYER = a layer name "
                             "of the model, any case)")
    if conditions:
        parser.add_argument("--temperature", metavar="T", help="cell temperature, e.g. '60 degC' "
                                                               "(same as --cell temperature=T)")
        parser.add_argument("--pressure", metavar="P", help="stack pressure, e.g. '20 MPa' (same as --cell pressure=P)")


def cell_items(args) -> list[str]:
    """The ``--cell`` items of ``args`` plus its ``--temperature``/``--pressure`` shorthands."""
    items = list(getattr(args, "cell", None) or [])
    for key in ("temperature", "pressure"):
        value = getattr(args, key, None)
        if value is not None:
            items.append(f"{key}={value}")
    return items


def load_cell(args, model: str | None = None):
    """Load ``args.model`` (or ``model``) and apply the cell overrides given on the command line."""
    from ..models import load_model
    from ..overrides import apply_cell_overrides

    stack = load_model(args.model if model is None else model)
    return apply_cell_overrides(stack, cell_items(args))


def band_used(f_file, f_used, fmin=None, fmax=None) -> dict:
    """What part of a measured spectrum an analysis used: the band [Hz] and point counts.

    ``f_file`` are the file's (loop's) frequencies, ``f_used`` the ones analysed, ``fmin`` and
    ``fmax`` the limits given [Hz] (None when not given).
    """
    import numpy as np

    f_file, f_used = np.asarray(f_file, dtype=float), np.asarray(f_used, dtype=float)
    return {"band_Hz": [float(f_used.min()), float(f_used.max())], "n_points_used": int(f_used.size),
            "n_points_file": int(f_file.size), "n_points_dropped": int(f_file.size - f_used.size),
            "file_band_Hz": [float(f_file.min()), float(f_file.max())], "fmin_Hz": fmin, "fmax_Hz": fmax}


def band_line(b: dict) -> str:
    """One line saying which band and how many points were used (see :func:`band_used`)."""
    lo, hi = b["band_Hz"]
    text = f"band used {hi:.6g} Hz .. {lo:.6g} Hz: {b['n_points_used']} of {b['n_points_file']} points"
    if b["n_points_dropped"]:
        limits = ", ".join(f"{k} {b[k + '_Hz']:.6g} Hz" for k in ("fmin", "fmax") if b[k + "_Hz"] is not None)
        flo, fhi = b["file_band_Hz"]
        text += (f" ({b['n_points_dropped']} outside {limits} dropped; the file spans {fhi:.6g} Hz .. "
                 f"{flo:.6g} Hz)")
    return text


def add_columns_flag(parser) -> None:
    """Add ``--columns f,re,im`` (which columns of a text file hold f, Re Z and Im Z)."""
    parser.add_argument("--columns", metavar="F,RE,IM", default=None,
                        help="text files: the columns of frequency [Hz], Re Z and Im Z [ohm] as header names or "
                             "0-based indices, e.g. 'freq,zre,zim' or '0,1,2' (a '-' before the third when it "
                             "holds -Im Z, e.g. '0,1,-2'); default: recognised by name")


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
