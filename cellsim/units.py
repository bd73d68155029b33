"""Units at the boundary: parse quantities people write, convert to SI, show lab units.

Everything inside cellsim is SI (m, s, A, V, ohm, S/m, mol/m3, K). Text from TOML files and
command-line flags is parsed here with pint, checked for its dimension, and converted.
The pint registry is built lazily on first use (it costs about 0.3 s).

Accepted spellings include ``"340 um"``, ``"340 µm"``, ``"0.034 cm"``, ``"7.73e-4 S/cm"``,
``"0.773 mS/cm"``, ``"22 degC"``, ``"295.15 K"``, ``"2 cm2"``, ``"1 mA/cm2"``,
``"20 ohm cm2"``, ``"1e-7 cm2/s"``, ``"1 M"``.
"""

from __future__ import annotations

import functools
import math
import re

from .errors import UnitError

# Named physical dimensions used by cellsim, as pint dimensionality strings.
DIMENSIONS: dict[str, str] = {
    "length": "[length]",
    "area": "[length]**2",
    "volume": "[length]**3",
    "time": "[time]",
    "temperature": "[temperature]",
    "conductivity": "[current]**2*[time]**3/[mass]/[length]**3",
    "resistance": "[mass]*[length]**2/[time]**3/[current]**2",
    "area_resistance": "[mass]*[length]**4/[time]**3/[current]**2",
    "concentration": "[substance]/[length]**3",
    "diffusivity": "[length]**2/[time]",
    "current": "[current]",
    "current_density": "[current]/[length]**2",
    "charge_density": "[current]*[time]/[length]**2",
    "specific_capacity": "[current]*[time]/[mass]",
    "voltage": "[mass]*[length]**2/[time]**3/[current]",
    "capacitance": "[current]**2*[time]**4/[mass]/[length]**2",
    "area_capacitance": "[current]**2*[time]**4/[mass]/[length]**4",
    "energy": "[mass]*[length]**2/[time]**2",
    "molar_energy": "[mass]*[length]**2/[time]**2/[substance]",
    "density": "[mass]/[length]**3",
    "areal_mass": "[mass]/[length]**2",
    "pressure": "[mass]/[length]/[time]**2",
    "toughness": "[mass]/[length]**0.5/[time]**2",
    "molar_mass": "[mass]/[substance]",
    "molar_volume": "[length]**3/[substance]",
    "frequency": "1/[time]",
    "mass": "[mass]",
    "dimensionless": "",
}

# Lab display units per dimension (what a battery researcher reads).
LAB_UNITS: dict[str, str] = {
    "length": "um",
    "area": "cm2",
    "time": "s",
    "temperature": "K",
    "conductivity": "mS/cm",
    "resistance": "ohm",
    "area_resistance": "ohm cm2",
    "concentration": "mol/L",
    "diffusivity": "cm2/s",
    "current": "uA",
    "current_density": "mA/cm2",
    "charge_density": "mAh/cm2",
    "specific_capacity": "mAh/g",
    "voltage": "mV",
    "capacitance": "uF",
    "area_capacitance": "uF/cm2",
    "density": "g/cm3",
    "areal_mass": "mg/cm2",
    "pressure": "GPa",
    "toughness": "MPa m0.5",
    "molar_energy": "kJ/mol",
    "frequency": "Hz",
}

_POWER = re.compile(r"(?<=[A-Za-zµμ])([23])(?![\d.])")
_POWER_FRAC = re.compile(r"(?<=[A-Za-zµμ])0\.5(?![\d])")
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_OFFSET_UNITS = {"degc": "degC", "°c": "degC", "celsius": "degC", "degf": "degF", "°f": "degF"}


def _preprocess(text: str) -> str:
    text = text.replace("μ", "u").replace("µ", "u").replace("Ω", "ohm").replace("²", "**2")
    text = text.replace("³", "**3").replace("·", "*")
    text = _POWER_FRAC.sub("**0.5", text)
    return _POWER.sub(r"**\1", text)


@functools.lru_cache(maxsize=1)
def registry():
    """Return the shared pint UnitRegistry (built on first call)."""
    import pint

    ureg = pint.UnitRegistry(preprocessors=[_preprocess], autoconvert_offset_to_baseunit=True)
    return ureg


def _dimension_of(ureg, name: str):
    return ureg.get_dimensionality(DIMENSIONS[name]) if DIMENSIONS[name] else ureg.get_dimensionality("")


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str, dimension: str) -> float:
    ureg = registry()
    m = _NUMBER.match(text)
    if not m:
        raise ValueError("no number")
    number, unit = float(m.group(1)), m.group(2)
    if unit.lower() in _OFFSET_UNITS:
        q = ureg.Quantity(number, _OFFSET_UNITS[unit.lower()])
    elif unit == "":
        q = ureg.Quantity(number, "")
    else:
        q = number * ureg.parse_units(unit) if "/" not in unit and " " not in unit and "*" not in unit else number * ureg.parse_expression(unit)
    target = _dimension_of(ureg, dimension)
    if q.dimensionality != target:
        raise TypeError(str(q.dimensionality))
    return float(q.to_base_units().magnitude)


def parse_quantity(value: object, dimension: str, field: str, where: str | None = None) -> float:
    """Parse a quantity written with a unit and return its SI magnitude.

    Parameters
    ----------
    value : str or number
        Text such as ``"340 um"``. A bare number is accepted only for
        ``dimension="dimensionless"``.
    dimension : str
        One of :data:`DIMENSIONS`, e.g. ``"length"``.
    field : str
        Name of the field, used in error messages.
    where : str, optional
        File (and line) the value came from, used in error messages.

    Returns
    -------
    float
        The value in SI base units [m, s, K, S/m, ...].

    Raises
    ------
    UnitError
        Missing or unknown unit, wrong dimension, or a non-finite number.
    """
    if dimension not in DIMENSIONS:
        raise KeyError(dimension)
    allowed_unit = LAB_UNITS.get(dimension, "SI")
    if isinstance(value, bool):
        raise UnitError(field, value, f"a {dimension.replace('_', ' ')} such as '1 {allowed_unit}'", where)
    if isinstance(value, (int, float)):
        if dimension == "dimensionless":
            v = float(value)
            if not math.isfinite(v):
                raise UnitError(field, value, "a finite number", where)
            return v
        raise UnitError(field, value, f"a {dimension.replace('_', ' ')} with a unit, e.g. '{value} {allowed_unit}'", where)
    if not isinstance(value, str):
        raise UnitError(field, value, f"a {dimension.replace('_', ' ')} with a unit, e.g. '1 {allowed_unit}'", where)
    m = _NUMBER.match(value)
    if m and m.group(2) == "" and dimension != "dimensionless":
        raise UnitError(field, value, f"a {dimension.replace('_', ' ')} with a unit (missing unit), "
                        f"e.g. '{value.strip()} {allowed_unit}'", where)
    try:
        out = _parse_cached(value.strip(), dimension)
    except TypeError as exc:
        raise UnitError(field, value, f"a {dimension.replace('_', ' ')} (e.g. '1 {allowed_unit}'), "
                        f"not a quantity of dimension {exc}", where) from None
    except Exception:
        if dimension != "dimensionless" and _NUMBER.match(value) and _NUMBER.match(value).group(2) == "":
            raise UnitError(field, value, f"a {dimension.replace('_', ' ')} with a unit, e.g. '{value.strip()} {allowed_unit}'", where) from None
        raise UnitError(field, value, f"a number and a known unit of {dimension.replace('_', ' ')}, e.g. '1 {allowed_unit}'", where) from None
    if not math.isfinite(out):
        raise UnitError(field, value, "a finite value", where)
    return out


def to_unit(value_si: float, unit: str) -> float:
    """Convert an SI magnitude to ``unit`` (e.g. ``to_unit(3.4e-4, "um") == 340``)."""
    ureg = registry()
    target = ureg.parse_units(unit) if "/" not in unit and " " not in unit else ureg.parse_expression(unit).units
    base = ureg.Quantity(1.0, target).to_base_units()
    return value_si / base.magnitude


def lab(value_si: float, dimension: str) -> tuple[float, str]:
    """Return ``(value, unit)`` in the lab unit of ``dimension``."""
    unit = LAB_UNITS[dimension]
    return to_unit(value_si, unit), unit
