"""Uncertainty ranges of parameter values: the file format, its parsing and its sampling.

Format
------
Any parameter entry of a TOML file (materials ``parameters/*.toml``,
``parameters/interfaces.toml``, ``parameters/shortcircuit.toml`` and the value tables of
``models/*.toml``) may carry::

    flaw_size = { value = "1 um", source = "...", status = "estimate",
                  range = ["0.1 um", "10 um"], distribution = "loguniform",
                  range_reason = "pressed pellets: surface flaws 0.1-10 um (physics.md §2.5.3)" }

``range = [low, high]``
    Two quantities of the same dimension as ``value`` (written with units like the value;
    bare numbers for a dimensionless value). ``low < high`` and ``low <= value <= high``
    (the value may sit on an end only where it is a physical bound, e.g. ``focusing = 1``,
    the no-focusing limit). Stored in SI.
``distribution``
    ``uniform`` (default) – flat between low and high;
    ``loguniform`` – flat in ln between low and high (needs ``low > 0``);
    ``normal`` – ``[low, high]`` is the central 95 % interval: mean ``(low + high)/2``,
    standard deviation ``(high - low)/(2 x 1.959964)``;
    ``lognormal`` – the same in ln (needs ``low > 0``): median ``sqrt(low high)``.
    Normal and lognormal draws are truncated at 3 standard deviations from the centre
    (99.73 % of the mass), so that a sample is never absurdly far out.
``range_reason``
    Required with ``range``: why these ends (a physics.md section, the literature spread).
``stderr``
    On a calibrated value: the standard error of its fit (same dimension as ``value``).
    It is sampled as a normal distribution ``N(value, stderr)`` truncated at 3 standard
    errors (and at 0 for a positive quantity), unless an explicit ``range`` is also given.

Validation happens when the file is loaded: an error is an
:class:`~cellsim.errors.InputError` that names the file and line, the field
(``parameters.flaw_size.range``), the value and what is allowed.

Sampling maps a point ``u`` of the unit interval (from a quasi-Monte-Carlo design) to a
value with :meth:`Range.ppf` (inverse cumulative distribution).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputError, UnitError

#: Allowed distributions and what ``range`` means for them.
DISTRIBUTIONS = {
    "uniform": "flat between low and high",
    "loguniform": "flat in ln between low and high (low > 0)",
    "normal": "range = central 95 % interval; truncated at 3 sigma",
    "lognormal": "range = central 95 % interval in ln (low > 0); truncated at 3 sigma",
}
#: Keys of a parameter entry that belong to the range format.
RANGE_KEYS = ("range", "distribution", "range_reason", "stderr")
#: z of the central 95 % interval of a normal distribution.
Z95 = 1.959963984540054
#: Truncation of normal / lognormal draws [standard deviations].
TRUNCATION = 3.0


@dataclass(frozen=True)
class Range:
    """The uncertainty of one value.

    Attributes
    ----------
    low, high : float
        Ends of the range [SI]; for normal/lognormal the central 95 % interval.
    distribution : str
        One of :data:`DISTRIBUTIONS`.
    reason : str
        Why these ends.
    unit : str
        SI unit of ``low``/``high`` ("" or "-" for dimensionless).
    text : tuple of str
        The ends as written in the file.
    """

    low: float
    high: float
    distribution: str = "uniform"
    reason: str = ""
    unit: str = ""
    text: tuple = ()

    def __post_init__(self):
        if self.distribution not in DISTRIBUTIONS:
            raise InputError("distribution", self.distribution, "one of " + ", ".join(DISTRIBUTIONS))
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise InputError("range", [self.low, self.high], "two finite ends with low < high")
        if self.distribution in ("loguniform", "lognormal") and self.low <= 0:
            raise InputError("range", [self.low, self.high], f"low > 0 for a {self.distribution} distribution")

    # --- the distribution ------------------------------------------------------------------
    @property
    def _log(self) -> bool:
        return self.distribution in ("loguniform", "lognormal")

    def _centre_sigma(self) -> tuple[float, float]:
        a, b = (math.log(self.low), math.log(self.high)) if self._log else (self.low, self.high)
        return 0.5 * (a + b), (b - a) / (2.0 * Z95)

    def ppf(self, u):
        """Value [SI] at the quantile ``u`` in [0, 1] (array or float).

        uniform: ``low + u (high - low)``; loguniform: ``exp(ln low + u ln(high/low))``;
        normal: ``mu + sigma Phi^-1(p)`` with ``p = Phi(-3) + u (Phi(3) - Phi(-3))`` (truncated);
        lognormal: ``exp`` of the same in ln.
        """
        import numpy as np

        u = np.asarray(u, dtype=float)
        if self.distribution == "uniform":
            return self.low + u * (self.high - self.low)
        if self.distribution == "loguniform":
            return np.exp(math.log(self.low) + u * math.log(self.high / self.low))
        from scipy.special import ndtr, ndtri

        mu, sigma = self._centre_sigma()
        lo, hi = ndtr(-TRUNCATION), ndtr(TRUNCATION)
        x = mu + sigma * ndtri(lo + u * (hi - lo))
        return np.exp(x) if self._log else x

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take [SI]."""
        return float(self.ppf(0.0)), float(self.ppf(1.0))

    def width(self) -> float:
        """high - low [SI]."""
        return self.high - self.low

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "distribution": self.distribution, "reason": self.reason,
                "unit": self.unit, "as_written": list(self.text)}

    def describe(self) -> str:
        """``"0.1 um .. 10 um (loguniform)"`` as written in the file."""
        lo, hi = self.text if len(self.text) == 2 else (f"{self.low:g}", f"{self.high:g}")
        return f"{lo} .. {hi} ({self.distribution})"


def stderr_range(value: float, stderr: float, positive: bool, reason: str, unit: str = "") -> Range:
    """The range a calibrated ``value`` with standard error ``stderr`` is sampled from.

    A normal distribution ``N(value, stderr)``: its central 95 % interval is
    ``value +- 1.96 stderr`` (truncated at 3 stderr, and the low end at a tenth of the
    value for a ``positive`` quantity whose interval would cross 0).
    """
    low, high = value - Z95 * stderr, value + Z95 * stderr
    if positive and value - TRUNCATION * stderr <= 0:
        # keep positivity: the same 95 % interval in ln around the value
        ratio = min(high / value, 1e3)
        return Range(value / ratio, value * ratio, "lognormal", reason, unit,
                     (f"{value / ratio:.6g} {unit}".strip(), f"{value * ratio:.6g} {unit}".strip()))
    return Range(low, high, "normal", reason, unit, (f"{low:.6g} {unit}".strip(), f"{high:.6g} {unit}".strip()))


# --- parsing -------------------------------------------------------------------------------
def locate(where: str | None, field_name: str) -> str | None:
    """``"path:line"`` of the entry ``field_name`` (dotted) in the TOML file ``where``.

    TOML parsers keep no positions, so the line is found by the entry's key (the part of the
    field before ``.range`` etc.) after its table header; ``where`` unchanged when not found.
    """
    if not where or re.search(r":\d+$", where):
        return where
    p = Path(where)
    if not p.is_file():
        return where
    parts = [x.strip() for x in re.split(r"[.\[\]]", field_name)]
    parts = [x for x in parts if x and not x.isdigit() and x not in RANGE_KEYS and not x.startswith("(")]
    if not parts:
        return where
    key = parts[-1].split(" ")[0]
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError:
        return where
    pat = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    m = re.match(r"^\s*(\w+)\[(\d+)\]", field_name)
    if m:  # an entry of the k-th [[name]] table (model files: layers[1], interfaces[0])
        header = re.compile(rf"^\s*\[\[\s*{re.escape(m.group(1))}\s*\]\]")
        k, seen = int(m.group(2)), -1
        for i, text in enumerate(lines, 1):
            if header.match(text):
                seen += 1
                if seen > k:
                    break
            elif seen == k and pat.match(text):
                return f"{where}:{i}"
    section = parts[-2] if len(parts) >= 2 else None
    in_section = section is None
    for i, text in enumerate(lines, 1):
        s = text.strip()
        if s.startswith("["):
            in_section = section is None or section in s
            continue
        if in_section and pat.match(text):
            return f"{where}:{i}"
    for i, text in enumerate(lines, 1):
        if pat.match(text):
            return f"{where}:{i}"
    return where


def dimension_of(value: Any, field_name: str = "value", where: str | None = None) -> str:
    """Name of the dimension (a key of :data:`cellsim.units.DIMENSIONS`) of a written value.

    A bare number is dimensionless; ``"1 um"`` is a length. Used where no registry gives
    the dimension (e.g. the short-circuit parameters).
    """
    from ..units import DIMENSIONS, parse_quantity

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "dimensionless"
    for name in DIMENSIONS:
        try:
            parse_quantity(value, name, field_name, where)
            return name
        except UnitError:
            continue
    raise InputError(field_name, value, "a number or a quantity with a known unit", where)


def _end(x: Any, dimension: str, field_name: str, where: str | None) -> float:
    from ..units import parse_quantity

    if dimension == "dimensionless" and isinstance(x, str):
        try:
            return float(x)
        except ValueError:
            pass
    return parse_quantity(x, dimension, field_name, where)


def parse_range(entry: Mapping[str, Any], value: float, dimension: str, field_name: str,
                where: str | None = None, unit: str = "", positive: bool = False) -> Range | None:
    """The :class:`Range` of a parameter entry, or None when it has neither range nor stderr.

    Parameters
    ----------
    entry : mapping
        The TOML table of the parameter (``value``, ``source``, ``range``, ...).
    value : float
        Its parsed SI value.
    dimension : str
        Its dimension (a key of :data:`cellsim.units.DIMENSIONS`).
    field_name : str
        Dotted name for error messages (e.g. ``"parameters.flaw_size"``).
    where : str, optional
        The file; the line of the entry is added to error messages.
    unit : str
        SI unit, stored with the range.
    positive : bool
        The quantity must stay > 0 (used for a ``stderr``-only range).

    Raises
    ------
    InputError
        Malformed range, unknown distribution, ends of another dimension, ``low >= high``,
        value outside ``[low, high]``, ``low <= 0`` with a log distribution, missing
        ``range_reason``, ``stderr <= 0``.
    """
    if not isinstance(entry, Mapping):
        return None
    has_range, has_err = "range" in entry, "stderr" in entry
    for key in ("distribution", "range_reason"):
        if key in entry and not has_range and not (key == "range_reason" and has_err):
            raise InputError(f"{field_name}.{key}", entry[key], "a range = [low, high] beside it",
                             locate(where, field_name))
    if not has_range and not has_err:
        return None
    loc = locate(where, field_name)
    stderr = None
    if has_err:
        stderr = _end(entry["stderr"], dimension, f"{field_name}.stderr", loc)
        if not stderr > 0:
            raise InputError(f"{field_name}.stderr", entry["stderr"], "a standard error > 0", loc)
    if not has_range:
        reason = str(entry.get("range_reason", f"standard error of the fit: {entry['stderr']}"))
        return stderr_range(value, stderr, positive, reason, unit)
    raw = entry["range"]
    if not (isinstance(raw, list) and len(raw) == 2):
        raise InputError(f"{field_name}.range", raw, "two ends [low, high], e.g. [\"0.1 um\", \"10 um\"]", loc)
    low = _end(raw[0], dimension, f"{field_name}.range[0]", loc)
    high = _end(raw[1], dimension, f"{field_name}.range[1]", loc)
    dist = entry.get("distribution", "uniform")
    if dist not in DISTRIBUTIONS:
        raise InputError(f"{field_name}.distribution", dist, "one of " + ", ".join(DISTRIBUTIONS), loc)
    reason = entry.get("range_reason")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError(f"{field_name}.range_reason", reason, "a text saying why these ends", loc)
    if not low < high:
        raise InputError(f"{field_name}.range", raw, "low < high", loc)
    if not low <= value <= high:
        raise InputError(f"{field_name}.range", raw, f"ends around the value {entry.get('value')!r} "
                         f"(low <= value <= high)", loc)
    if dist in ("loguniform", "lognormal") and not low > 0:
        raise InputError(f"{field_name}.range", raw, f"low > 0 for a {dist} distribution", loc)
    return Range(low, high, dist, reason.strip(), unit, (str(raw[0]), str(raw[1])))


def parse_entry_range(entry: Any, field_name: str, where: str | None = None) -> Range | None:
    """The range of an entry whose dimension is known only from its value (short-circuit file).

    ``value`` a number -> dimensionless; a quantity -> its dimension (:func:`dimension_of`).
    """
    if not isinstance(entry, Mapping) or "value" not in entry:
        return None
    from ..units import parse_quantity

    loc = locate(where, field_name)
    dim = dimension_of(entry["value"], f"{field_name}.value", loc)
    value = parse_quantity(entry["value"], dim, f"{field_name}.value", loc)
    return parse_range(entry, value, dim, field_name, where, positive=value > 0)


def shortcircuit_ranges(path=None) -> dict[str, Range]:
    """name -> :class:`Range` of every entry of ``[shortcircuit]`` that carries one.

    Generic: any entry with ``range`` (or ``stderr``) is returned, whatever its name, so
    parameters added to ``parameters/shortcircuit.toml`` are picked up as soon as they get
    a range. The names are those of
    :meth:`cellsim.shortcircuit.ccd.ShortCircuitParameters.with_values`.
    """
    from ..paths import data_dir, read_toml

    p = Path(data_dir("parameters") / "shortcircuit.toml" if path is None else path)
    data = read_toml(p)
    table = data.get("shortcircuit", {})
    if not isinstance(table, Mapping):
        raise InputError("[shortcircuit]", table, "a table of parameters", str(p))
    out = {}
    for name, entry in table.items():
        r = parse_entry_range(entry, f"shortcircuit.{name}", str(p))
        if r is not None:
            out[name] = r
    return out
