"""The sourced parameters of the slow mechanisms (``parameters/lifetime.toml``).

The file has the format of ``parameters/shortcircuit.toml``: every entry a value with unit,
source, status and range (checked at load, errors name the file, line and field). Exactly
one entry is calibrated on the seed (``sei_growth_constant``, on the 2500 h lifetime of
UVEA-LATP-UVEA at 0.5 mA/cm2); everything else is an estimate with a range.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..constants import T_ROOM
from ..errors import InputError

__all__ = ["LifetimeParameters", "load_lifetime_parameters", "lifetime_ranges", "PARAMETERS"]

#: name -> (unit text, allowed, dimension for TOML parsing, check)
PARAMETERS = {
    "sei_growth_constant": ("m2/s", "> 0 m2/s", "diffusivity", lambda v: v > 0),
    "sei_activation_energy": ("J/mol", ">= 0 J/mol", "molar_energy", lambda v: v >= 0),
    "sei_initial_thickness": ("m", ">= 0 m", "length", lambda v: v >= 0),
    "sei_ionic_conductivity": ("S/m", "> 0 S/m", "conductivity", lambda v: v > 0),
    "inactive_fraction": ("", "in [0, 1)", "dimensionless", lambda v: 0 <= v < 1),
    "dead_li_porosity": ("", "in (0, 1)", "dimensionless", lambda v: 0 < v < 1),
    "front_focusing": ("", ">= 1", "dimensionless", lambda v: v >= 1),
}


@dataclass(frozen=True)
class LifetimeParameters:
    """Parameters of the slow mechanisms (SI).

    Attributes
    ----------
    sei_growth_constant : float
        k_SEI at 22 degC [m2/s] of ``delta^2 = delta0^2 + k t``.
    sei_activation_energy : float
        E_a of k_SEI [J/mol] (Arrhenius about 22 degC).
    sei_initial_thickness : float
        delta0 [m], already part of the calibrated Li|polymer interface resistance.
    sei_ionic_conductivity : float
        Li+ conductivity of the SEI [S/m]; R_SEI = (delta - delta0) / sigma_SEI.
    inactive_fraction : float
        Fraction of each plated charge left as inactive (dead) Li, 1 - Coulombic efficiency.
    dead_li_porosity : float
        Porosity of the dead-Li layer (filled by the polymer electrolyte).
    front_focusing : float
        Deposit-front advance / mean dead-Li layer growth (>= 1).
    reference_temperature : float
        Temperature of k_SEI [K] (the seed's 22 degC).
    sources : dict
        name -> source text and [status].
    """

    sei_growth_constant: float = 1e-20
    sei_activation_energy: float = 50e3
    sei_initial_thickness: float = 20e-9
    sei_ionic_conductivity: float = 1e-6
    inactive_fraction: float = 0.01
    dead_li_porosity: float = 0.5
    front_focusing: float = 1.0
    reference_temperature: float = T_ROOM
    sources: dict = field(default_factory=dict)

    def __post_init__(self):
        for name, (_, allowed, _, ok) in PARAMETERS.items():
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and ok(v)):
                raise InputError(f"lifetime.{name}", v, allowed)

    def with_values(self, **values) -> "LifetimeParameters":
        """A copy with some values replaced (their source becomes 'set by the user')."""
        for k in values:
            if k not in PARAMETERS:
                raise InputError("lifetime parameter", k, "one of " + ", ".join(PARAMETERS))
        src = dict(self.sources)
        src.update({k: "set by the user [assumed]" for k in values})
        return replace(self, sources=src, **values)

    def status(self, name: str) -> str:
        """The status tag of a parameter's source (``calibrated``, ``estimate``, ...)."""
        s = self.sources.get(name, "")
        return s.rsplit("[", 1)[-1].rstrip("]") if "[" in s else "?"


def load_lifetime_parameters(path=None) -> LifetimeParameters:
    """The shipped ``parameters/lifetime.toml`` (or a file's), parsed once per version."""
    from ..paths import data_dir

    p = Path(data_dir("parameters") / "lifetime.toml" if path is None else path)
    try:
        stamp = p.stat().st_mtime_ns
    except OSError:
        stamp = None   # read_toml reports the missing file
    values, sources = _parse(str(p), stamp)
    return LifetimeParameters(sources=dict(sources), **values)


def lifetime_ranges(path=None) -> dict:
    """name -> :class:`~cellsim.uncertainty.ranges.Range` of every entry of ``[lifetime]`` with a range.

    The names are those of :meth:`LifetimeParameters.with_values`; the uncertainty space
    (:func:`cellsim.uncertainty.space.discover` with ``lifetime=True``) calls them ``lifetime.<name>``.
    """
    from ..paths import data_dir, read_toml
    from ..uncertainty.ranges import parse_entry_range

    p = Path(data_dir("parameters") / "lifetime.toml" if path is None else path)
    table = read_toml(p).get("lifetime", {})
    if not isinstance(table, dict):
        raise InputError(f"{p}: [lifetime]", table, "a table of parameters")
    out = {}
    for name, entry in table.items():
        r = parse_entry_range(entry, f"lifetime.{name}", str(p))
        if r is not None:
            out[name] = r
    return out


@functools.lru_cache(maxsize=8)
def _parse(path: str, stamp) -> tuple[dict, dict]:
    """``(values [SI], sources)`` of a lifetime parameter file (cached per version)."""
    from ..paths import read_toml
    from ..uncertainty.ranges import parse_entry_range
    from ..units import parse_quantity

    table = read_toml(Path(path)).get("lifetime", {})
    if not isinstance(table, dict):
        raise InputError(f"{path}: [lifetime]", table, "a table of parameters")
    values, sources = {}, {}
    for name, raw in table.items():
        if name not in PARAMETERS:
            raise InputError(f"{path}: lifetime.{name}", raw, "one of " + ", ".join(PARAMETERS))
        if not isinstance(raw, dict) or "value" not in raw or "source" not in raw:
            raise InputError(f"{path}: lifetime.{name}", raw, "{ value = ..., source = ..., status = ... }")
        parse_entry_range(raw, f"lifetime.{name}", path)
        dim = PARAMETERS[name][2]
        v = raw["value"]
        values[name] = float(v) if dim == "dimensionless" and isinstance(v, (int, float)) else \
            parse_quantity(v, dim, f"{path}: lifetime.{name}")
        sources[name] = f"{raw['source']} [{raw.get('status', 'estimate')}]"
    return values, sources
