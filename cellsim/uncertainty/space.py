"""The uncertain parameters of a cell: discovered from the ranges in its files, and applied.

Discovery is generic: every value that carries a :class:`~cellsim.uncertainty.ranges.Range`
becomes one :class:`UncertainParameter`, named

``<material>.<property>``
    a material property (e.g. ``uvea.transference_number``), shared by every layer and
    composite phase made of that material with that (same) value: the uncertainty is about
    the material, not about each layer;
``<interface kind>.<property>``
    an interface default (e.g. ``charge_transfer.resistance``), shared by every interface of
    that kind with the same value (Li|UVEA-1 and UVEA-2|Li of a sandwich); an interface the
    model overrides with its own range is named ``<interface name>.<property>``;
``layers.<name>.thickness``, ``layers.<name>.polymer_fraction``, ``area``, ``temperature``, ``pressure``
    the model file's own values;
``shortcircuit.<name>``
    every entry of ``parameters/shortcircuit.toml`` with a range (its name is passed to
    :meth:`~cellsim.shortcircuit.ccd.ShortCircuitParameters.with_values`), so parameters
    added to that file are picked up as soon as they carry a range.
``lifetime.<name>``
    with ``lifetime=True``: every entry of ``parameters/lifetime.toml`` with a range (the slow
    mechanisms of long cycling, :mod:`cellsim.lifetime`); :func:`apply` leaves them alone,
    :func:`lifetime_values` picks them out for
    :meth:`~cellsim.lifetime.parameters.LifetimeParameters.with_values`.

:func:`apply` builds the stack and short-circuit parameters of one sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from ..errors import InputError
from .ranges import Range


@dataclass(frozen=True)
class UncertainParameter:
    """One uncertain input.

    Attributes
    ----------
    name : str
        See the module docstring.
    kind : str
        ``material``, ``interface``, ``model``, ``shortcircuit`` or ``lifetime``.
    range : Range
    value : float
        Nominal value [SI].
    unit : str
        SI unit.
    status : str
        Status of the nominal value.
    source : str
    targets : tuple
        Where a sampled value goes (kind-specific).
    """

    name: str
    kind: str
    range: Range
    value: float
    unit: str = ""
    status: str = ""
    source: str = ""
    targets: tuple = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "value": self.value, "unit": self.unit, "status": self.status,
                "range": self.range.to_dict(), "source": self.source}


@dataclass(frozen=True)
class ParameterSpace:
    """The ordered uncertain parameters of a cell (``names`` give the columns of a design)."""

    parameters: tuple = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def __len__(self) -> int:
        return len(self.parameters)

    def __getitem__(self, name: str) -> UncertainParameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise InputError("parameter", name, "one of " + ", ".join(self.names))

    def subset(self, names: Sequence[str]) -> "ParameterSpace":
        return ParameterSpace(tuple(self[n] for n in names))

    def without(self, names: Sequence[str]) -> "ParameterSpace":
        drop = set(names)
        return ParameterSpace(tuple(p for p in self.parameters if p.name not in drop))


def _phases(layer):
    if layer.composite is not None:
        return [("polymer", layer.composite.polymer), ("ceramic", layer.composite.ceramic)]
    return [("material", layer.material)]


def discover(stack, shortcircuit: bool = True, shortcircuit_path=None, lifetime: bool = False,
             lifetime_path=None) -> ParameterSpace:
    """Every value of ``stack`` (and of the short-circuit and, with ``lifetime``, the lifetime file)
    that carries a range."""
    out: dict[str, UncertainParameter] = {}
    keys: dict[str, tuple] = {}

    def add(name, key, kind, param_range, value, unit, status, source, target, fallback):
        if name in out and keys[name] != key:
            name = fallback
        if name in out:
            p = out[name]
            out[name] = replace(p, targets=p.targets + (target,))
        else:
            keys[name] = key
            out[name] = UncertainParameter(name, kind, param_range, value, unit, status, source, (target,))

    for i, layer in enumerate(stack.layers):
        for phase, mat in _phases(layer):
            for prop, p in mat.parameters.items():
                if p.range is None:
                    continue
                add(f"{mat.name}.{prop}", (mat.name, prop, p.value, p.range), "material", p.range, p.value, p.unit,
                    p.status, p.source, (i, phase, prop), f"{layer.name}.{mat.name}.{prop}")
    for k, itf in enumerate(stack.interfaces):
        for prop, p in itf.parameters.items():
            if p.range is None:
                continue
            add(f"{itf.kind}.{prop}", (itf.kind, prop, p.value, p.range), "interface", p.range, p.value, p.unit,
                p.status, p.source, (k, prop), f"{itf.name}.{prop}")
    for key, r in stack.ranges.items():
        value = _model_value(stack, key)
        add(key, (key,), "model", r, value, r.unit, "", stack.provenance.get(key, "model file"), (key,), key)
    if shortcircuit:
        from ..shortcircuit.ccd import load_parameters
        from .ranges import shortcircuit_ranges

        prm = load_parameters(shortcircuit_path)
        for name, r in shortcircuit_ranges(shortcircuit_path).items():
            src = prm.sources.get(name, "")
            status = src.rsplit("[", 1)[-1].rstrip("]") if "[" in src else ""
            add(f"shortcircuit.{name}", (name,), "shortcircuit", r, float(getattr(prm, name)), r.unit, status, src,
                (name,), f"shortcircuit.{name}")
    if lifetime:
        _add_lifetime(add, lifetime_path)
    return ParameterSpace(tuple(out.values()))


def _add_lifetime(add, path=None) -> None:
    """Register the ranged entries of ``parameters/lifetime.toml`` as ``lifetime.<name>``."""
    from ..lifetime.parameters import PARAMETERS, lifetime_ranges, load_lifetime_parameters

    prm = load_lifetime_parameters(path)
    for name, r in lifetime_ranges(path).items():
        add(f"lifetime.{name}", (name,), "lifetime", r, float(getattr(prm, name)), PARAMETERS[name][0],
            prm.status(name), prm.sources.get(name, ""), (name,), f"lifetime.{name}")


def lifetime_values(space: ParameterSpace, values: Mapping[str, float]) -> dict[str, float]:
    """The ``lifetime.<name>`` entries of ``values`` as ``{name: value [SI]}`` (for
    :meth:`~cellsim.lifetime.parameters.LifetimeParameters.with_values`)."""
    return {space[n].targets[0][0]: float(v) for n, v in values.items() if space[n].kind == "lifetime"}


def _model_value(stack, key: str) -> float:
    if key in ("area", "temperature", "pressure"):
        return float(getattr(stack, key))
    _, name, prop = key.split(".", 2)
    layer = stack.layers[stack.layer_index(name)]
    return float(layer.thickness if prop == "thickness" else layer.composite.polymer_fraction)


def apply(stack, space: ParameterSpace, values: Mapping[str, float], shortcircuit_parameters=None):
    """The stack and short-circuit parameters with ``values`` (name -> SI) set.

    Returns
    -------
    (Stack, ShortCircuitParameters or None)

    Raises
    ------
    InputError
        A value outside what the property allows (e.g. a fraction above 1).
    """
    from ..stack import Interface

    mat_set: dict[tuple[int, str], dict[str, float]] = {}
    itf_set: dict[int, dict[str, float]] = {}
    sc_set: dict[str, float] = {}
    model_set: dict[str, float] = {}
    for name, v in values.items():
        p = space[name]
        v = float(v)
        if p.kind == "lifetime":
            continue   # not a property of the stack: lifetime_values()
        for t in p.targets:
            if p.kind == "material":
                mat_set.setdefault((t[0], t[1]), {})[t[2]] = v
            elif p.kind == "interface":
                itf_set.setdefault(t[0], {})[t[1]] = v
            elif p.kind == "model":
                model_set[t[0]] = v
            else:
                sc_set[t[0]] = v
    layers = list(stack.layers)
    sei: dict[int, float] = {}
    for (i, phase), props in mat_set.items():
        layer = layers[i]
        mats = dict(_phases(layer))
        mat = mats[phase]
        for prop, v in props.items():
            old = mat.parameters[prop]
            mat = mat.with_value(prop, v, "uncertainty sample", old.status)
        if "interphase_resistance" in props:
            sei[i] = props["interphase_resistance"]
        if phase == "material":
            layers[i] = replace(layer, material=mat)
        else:
            comp = replace(layer.composite, **{phase: mat})
            layers[i] = replace(layer, composite=comp, material=comp.ceramic)
    changes: dict[str, Any] = {}
    for key, v in model_set.items():
        if key in ("area", "temperature", "pressure"):
            changes[key] = v
            continue
        _, name, prop = key.split(".", 2)
        i = stack.layer_index(name)
        if prop == "thickness":
            layers[i] = replace(layers[i], thickness=v)
        else:
            layers[i] = replace(layers[i], composite=replace(layers[i].composite, polymer_fraction=v))
    interfaces = list(stack.interfaces)
    # a Li-unstable ceramic's interphase resistance sits on its Li contact as sei_resistance
    for i, v in sei.items():
        for k in (i, i + 1):
            itf = interfaces[k]
            if itf.kind == "interphase" and "sei_resistance" in itf.parameters:
                itf_set.setdefault(k, {}).setdefault("sei_resistance", v)
    for k, props in itf_set.items():
        itf = interfaces[k]
        params = dict(itf.parameters)
        for prop, v in props.items():
            params[prop] = replace(params[prop], value=v, source="uncertainty sample")
        interfaces[k] = Interface(itf.name, itf.kind, params)
    new = replace(stack, layers=tuple(layers), interfaces=tuple(interfaces), **changes)
    prm = shortcircuit_parameters
    if sc_set:
        if prm is None:
            from ..shortcircuit.ccd import load_parameters

            prm = load_parameters()
        prm = prm.with_values(**sc_set)
    return new, prm
