"""Materials and their sourced parameters.

A :class:`Material` is an immutable bag of :class:`Parameter` objects, each an SI value
with its unit, its source and its status (seed measurement, verified literature,
unverified literature, computed, estimate, assumed, calibrated), optionally with a
temperature law (Arrhenius or VTF) that scales it away from its reference temperature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

from .constants import N_A, T_ROOM
from .errors import InputError, UnitError
from .properties import MATERIAL_PROPERTIES, PropertySpec, normalise
from .units import parse_quantity

#: Allowed values of :attr:`Parameter.status` and what they mean.
STATUSES = {
    "seed": "measured in the seed document (Zou, Wang, He, Xin, SI)",
    "verified": "[V] checked against a source text (physics.md)",
    "literature": "[L] standard literature value, not re-checked",
    "computed": "[C] computed from other values",
    "estimate": "estimate, to be calibrated",
    "assumed": "assumption where no source gives a number",
    "calibrated": "calibrated by cellsim against a measured value",
}


@dataclass(frozen=True)
class Parameter:
    """One sourced parameter value.

    Attributes
    ----------
    value : float
        Value in SI units at ``reference_temperature``.
    unit : str
        The SI unit of ``value``.
    source : str
        Where the value comes from.
    status : str
        One of :data:`STATUSES`.
    law : object, optional
        Temperature law with ``scale(value_ref, T)`` (see :mod:`cellsim.temperature`).
    note : str
        Free text (e.g. the text as written in the file).
    range : cellsim.uncertainty.ranges.Range, optional
        Uncertainty range of ``value`` (``range``/``distribution``/``range_reason`` or
        ``stderr`` in the file; see :mod:`cellsim.uncertainty.ranges`).
    """

    value: float
    unit: str
    source: str
    status: str = "literature"
    law: Any = None
    note: str = ""
    range: Any = None

    def at(self, temperature: float | None = None) -> float:
        """Value at ``temperature`` [K] (the reference value when None or no law)."""
        if temperature is None or self.law is None:
            return self.value
        return float(self.law.scale(self.value, temperature))


def _parse_activation_energy(text: Any, field_name: str, where: str | None) -> float:
    """Activation energy [J/mol] from ``"0.35 eV"`` (per particle) or ``"34 kJ/mol"``."""
    try:
        return parse_quantity(text, "molar_energy", field_name, where)
    except UnitError:
        return parse_quantity(text, "energy", field_name, where) * N_A


def parse_law(spec: Mapping[str, Any], field_name: str, where: str | None):
    """Build a temperature law from a TOML table (``law``, ``activation_energy``, ...)."""
    from . import temperature as tlaw

    kind = str(spec.get("law", "")).lower()
    t_ref = parse_quantity(spec.get("reference_temperature", f"{T_ROOM} K"), "temperature",
                           f"{field_name}.reference_temperature", where)
    if kind == "arrhenius":
        ea = _parse_activation_energy(spec.get("activation_energy"), f"{field_name}.activation_energy", where)
        form = str(spec.get("form", "sigma"))
        return tlaw.Arrhenius(activation_energy=ea, reference_temperature=t_ref, form=form)
    if kind == "vtf":
        b = parse_quantity(spec.get("B"), "temperature", f"{field_name}.B", where)
        t0 = parse_quantity(spec.get("T0"), "temperature", f"{field_name}.T0", where)
        return tlaw.VTF(B=b, T0=t0, reference_temperature=t_ref)
    raise InputError(f"{field_name}.law", spec.get("law"), "'arrhenius' or 'vtf'", where)


def parse_parameter(name: str, raw: Any, spec: PropertySpec, field_name: str, where: str | None,
                    default_source: str | None = None) -> Parameter:
    """Parse one parameter entry of a TOML file.

    ``raw`` is either a table ``{value = "3.58e-5 S/cm", source = "...", status = "seed"}``
    (optionally with ``law``/``activation_energy``/``B``/``T0``/``reference_temperature``)
    or, when ``default_source`` is given, a bare value that inherits it.
    """
    if isinstance(raw, Mapping):
        if "value" not in raw:
            raise InputError(f"{field_name}.value", None, "a value with a unit, e.g. value = \"1 um\"", where)
        value_text = raw["value"]
        source = raw.get("source", default_source)
        status = str(raw.get("status", "literature"))
    else:
        value_text, source, status = raw, default_source, "assumed"
    if not source or not isinstance(source, str):
        raise InputError(f"{field_name}.source", source, "a text naming where the value comes from", where)
    if status not in STATUSES:
        raise InputError(f"{field_name}.status", status, "one of " + ", ".join(STATUSES), where)
    value = parse_quantity(value_text, spec.dimension, field_name, where)
    if not spec.check(value):
        raise InputError(field_name, value_text, spec.allowed(), where)
    law = None
    if isinstance(raw, Mapping) and "law" in raw:
        law = parse_law(raw, field_name, where)
    rng = None
    if isinstance(raw, Mapping):
        from .uncertainty.ranges import parse_range

        rng = parse_range(raw, value, spec.dimension, field_name, where, unit=spec.si_unit,
                          positive=spec.low >= 0 and value > 0)
        if rng is not None:
            lo, hi = rng.support()
            for end in (lo, hi):
                if not spec.check(end):
                    from .uncertainty.ranges import locate

                    raise InputError(f"{field_name}.range", list(rng.text), f"ends that are allowed values "
                                     f"({spec.allowed()})", locate(where, field_name))
    return Parameter(value=value, unit=spec.si_unit, source=source, status=status, law=law,
                     note=str(value_text), range=rng)


@dataclass(frozen=True)
class Material:
    """An immutable material with sourced parameters.

    Attributes
    ----------
    name : str
        Library key, lower case (e.g. ``"latp"``).
    label : str
        Display name (e.g. ``"LATP"``).
    formula : str
        Chemical formula.
    kind : str
        Default layer kind: ``polymer``, ``ceramic``, ``mixed``, ``inert``, ``cathode`` or ``metal``.
    parameters : Mapping[str, Parameter]
        Properties by snake_case name (see :data:`cellsim.properties.MATERIAL_PROPERTIES`).
    info : Mapping[str, Any]
        Non-numeric facts (scarcest element, what forms at Li contact, passivating, ...).
    description : str
        One paragraph.
    source_file : str
        The TOML file it was loaded from ("" when built in Python).
    """

    name: str
    label: str = ""
    formula: str = ""
    kind: str = "ceramic"
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    info: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    source_file: str = ""

    def __post_init__(self):
        if not self.name:
            raise InputError("material.name", self.name, "a non-empty name")
        if self.kind not in MATERIAL_KINDS:
            raise InputError(f"material {self.name!r}.kind", self.kind, "one of " + ", ".join(MATERIAL_KINDS))
        for key, p in self.parameters.items():
            if key not in MATERIAL_PROPERTIES:
                raise InputError(f"material {self.name!r}.{key}", p, "a known property: " + ", ".join(MATERIAL_PROPERTIES))
            spec = MATERIAL_PROPERTIES[key]
            if not isinstance(p, Parameter):
                raise InputError(f"material {self.name!r}.{key}", p, "a Parameter")
            if not spec.check(p.value):
                raise InputError(f"material {self.name!r}.{key}", p.value, spec.allowed(), self.source_file or None)
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))
        if not self.label:
            object.__setattr__(self, "label", self.name.upper())

    def has(self, prop: str) -> bool:
        """Whether the material defines ``prop``."""
        return normalise(prop) in self.parameters

    def parameter(self, prop: str) -> Parameter:
        """The :class:`Parameter` for ``prop``; raises InputError naming what is missing."""
        key = normalise(prop)
        try:
            return self.parameters[key]
        except KeyError:
            have = ", ".join(sorted(self.parameters)) or "none"
            where = f" ({self.source_file})" if self.source_file else ""
            raise InputError(f"material {self.label}{where}.{key}", None,
                             f"a defined value; this material defines: {have}") from None

    def get(self, prop: str, T: float | None = None, default: float | None = None) -> float:
        """SI value of ``prop`` at temperature ``T`` [K] (reference value if None)."""
        key = normalise(prop)
        if key not in self.parameters:
            if default is not None:
                return default
            self.parameter(key)
        return self.parameters[key].at(T)

    def with_parameters(self, **params: Parameter) -> "Material":
        """A copy with some parameters replaced (values are :class:`Parameter`)."""
        merged = dict(self.parameters)
        merged.update({normalise(k): v for k, v in params.items()})
        return replace(self, parameters=merged)

    def with_value(self, prop: str, value: float, source: str, status: str = "assumed") -> "Material":
        """A copy with ``prop`` set to an SI ``value`` (keeping a temperature law if any)."""
        key = normalise(prop)
        spec = MATERIAL_PROPERTIES.get(key)
        if spec is None:
            raise InputError(f"material {self.label}.{key}", value, "a known property: " + ", ".join(MATERIAL_PROPERTIES))
        old = self.parameters.get(key)
        law = old.law if old is not None else None
        return self.with_parameters(**{key: Parameter(float(value), spec.si_unit, source, status, law)})


MATERIAL_KINDS = ("polymer", "ceramic", "mixed", "inert", "cathode", "metal")


def material_from_table(table: Mapping[str, Any], where: str) -> Material:
    """Build a :class:`Material` from a parsed parameter TOML document."""
    meta = table.get("material")
    if not isinstance(meta, Mapping):
        raise InputError("[material]", meta, "a [material] table with name, label, kind", where)
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise InputError("material.name", name, "a non-empty string", where)
    raw_params = table.get("parameters", {})
    if not isinstance(raw_params, Mapping):
        raise InputError("[parameters]", raw_params, "a table of parameters", where)
    params = parse_parameter_table(raw_params, MATERIAL_PROPERTIES, "parameters", where)
    info = table.get("info", {})
    if not isinstance(info, Mapping):
        raise InputError("[info]", info, "a table", where)
    kind = str(meta.get("kind", "ceramic"))
    if kind not in MATERIAL_KINDS:
        raise InputError("material.kind", kind, "one of " + ", ".join(MATERIAL_KINDS), where)
    return Material(name=name.lower(), label=str(meta.get("label", name)), formula=str(meta.get("formula", "")),
                    kind=kind, parameters=params, info=dict(info),
                    description=str(meta.get("description", "")), source_file=where)


def parse_parameter_table(raw: Mapping[str, Any], registry: Mapping[str, PropertySpec], prefix: str,
                          where: str | None, default_source: str | None = None) -> dict[str, Parameter]:
    """Parse a table of ``name = {value, source, status}`` entries against ``registry``."""
    out: dict[str, Parameter] = {}
    for key, entry in raw.items():
        norm = normalise(key)
        spec = registry.get(norm)
        if spec is None:
            raise InputError(f"{prefix}.{key}", entry if not isinstance(entry, Mapping) else entry.get("value"),
                             "a known property: " + ", ".join(registry), where)
        out[norm] = parse_parameter(norm, entry, spec, f"{prefix}.{key}", where, default_source)
    return out


def finite_positive(value: float, field_name: str, where: str | None = None, allow_zero: bool = False) -> float:
    """Check ``value`` is finite and > 0 (or >= 0); return it as float."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(field_name, value, "a number") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise InputError(field_name, value, ">= 0" if allow_zero else "> 0", where)
    return v
