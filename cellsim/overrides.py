"""Cell overrides: change a loaded model's geometry, conditions or materials from text.

The command line's repeatable ``--cell KEY=VALUE`` and the sweeps use this module to state
the measured cell without writing a model file::

    from cellsim.overrides import apply_cell_overrides
    stack = apply_cell_overrides(load_model("li-uvea-latp-uvea-li"),
                                 ["UVEA-1.thickness=50 um", "area=2 cm2", "temperature=60 degC"])

Keys
----
``area``
    Electrode/electrolyte contact area (an area, e.g. ``2cm2``).
``temperature``
    Cell temperature (e.g. ``60degC``, ``333.15 K``).
``pressure``
    Stack pressure (e.g. ``20MPa``; ``0 Pa`` = none).
``LAYER.thickness``
    Thickness of the layer named LAYER (case-insensitive, e.g. ``uvea-1.thickness=50um``).
``LAYER.material``
    Material of LAYER from the library (``cellsim materials``) or a path to a material TOML.
    The new material must give the layer the same kind (a ceramic for a ceramic, a polymer
    for a polymer, ...): the interfaces and the transport model depend on the kind. For a
    ``composite`` layer (a ceramic infiltrated by a polymer) the material replaces the
    ceramic phase; the polymer phase and the polymer fraction stay, and the fraction's
    source says that it was set for the former ceramic. Interfaces that were the library
    defaults for the old material are rebuilt from the defaults of the new one (e.g. the
    Li|ceramic reaction layer); interfaces the model file set itself are kept.

Every changed value's provenance becomes ``set by the user (--cell KEY=VALUE)`` with status
``assumed``. Values are parsed with pint (:func:`cellsim.units.parse_quantity`).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Iterable

from .errors import InputError, NotFoundError
from .stack import Layer, Stack, _default_layer_kind, default_interface

CELL_KEYS = ("area", "temperature", "pressure")
LAYER_KEYS = ("thickness", "material")

_DIMENSIONS = {"area": "area", "temperature": "temperature", "pressure": "pressure", "thickness": "length"}


def allowed_keys(stack: Stack) -> list[str]:
    """Every override key ``stack`` accepts, e.g. ``["area", ..., "UVEA-1.thickness", ...]``."""
    out = list(CELL_KEYS)
    for layer in stack.layers:
        out += [f"{layer.name}.{k}" for k in LAYER_KEYS]
    return out


def parse_override(item: str, field: str = "--cell") -> tuple[str, str]:
    """Split ``"KEY=VALUE"`` into ``(KEY, VALUE)`` (both stripped, neither empty)."""
    if not isinstance(item, str) or "=" not in item:
        raise InputError(field, item, "KEY=VALUE, e.g. area=1.33cm2 or UVEA-1.thickness=50um")
    key, _, value = item.partition("=")
    key, value = key.strip(), value.strip()
    if not key or not value:
        raise InputError(field, item, "KEY=VALUE with both parts given, e.g. area=1.33cm2")
    return key, value


def apply_cell_overrides(stack: Stack, items: Iterable[str], field: str = "--cell") -> Stack:
    """A copy of ``stack`` with the overrides ``items`` (``"KEY=VALUE"`` strings) applied.

    Parameters
    ----------
    stack : Stack
        The loaded model.
    items : iterable of str
        Overrides in order; each key at most once (see the module docstring for the keys).
    field : str
        Name used in error messages (the command-line flag).

    Returns
    -------
    Stack
        The changed stack (``stack`` itself when ``items`` is empty).

    Raises
    ------
    InputError
        Malformed item, unknown key (the message lists the allowed keys), a value with the
        wrong unit or out of range, a key given twice, or a material of another kind.
    NotFoundError
        Unknown material name.
    """
    seen: dict[str, str] = {}
    for item in items:
        key, value = parse_override(item, field)
        norm = key.lower()
        if norm in seen:
            raise InputError(field, item, f"each key once ({key} is already set by {seen[norm]!r})")
        seen[norm] = item
        stack = _apply_one(stack, key, value, item, field)
    return stack


def _apply_one(stack: Stack, key: str, value: str, item: str, field: str) -> Stack:
    from .units import parse_quantity

    source = f"set by the user ({field} {item})"
    low = key.lower()
    if low in CELL_KEYS:
        v = parse_quantity(value, _DIMENSIONS[low], f"{field} {key}")
        if low == "area":
            if not (math.isfinite(v) and v > 0):
                raise InputError(f"{field} area", value, "an area > 0, e.g. 1.33cm2")
            prov = dict(stack.provenance)
            prov["area"] = source
            return replace(stack, area=v, provenance=prov)
        if low == "temperature":
            if not v > 0:
                raise InputError(f"{field} temperature", value, "a temperature above 0 K, e.g. 22degC")
            out = stack.with_conditions(temperature=v)
        else:
            if not v >= 0:
                raise InputError(f"{field} pressure", value, "a stack pressure >= 0 Pa, e.g. 20MPa")
            out = stack.with_conditions(pressure=v)
        prov = dict(out.provenance)
        prov[low] = source
        return replace(out, provenance=prov)
    layer_name, dot, prop = key.rpartition(".")
    if not dot or prop.lower() not in LAYER_KEYS or not _has_layer(stack, layer_name):
        raise InputError(field, key, "one of the keys " + ", ".join(allowed_keys(stack)))
    i = stack.layer_index(layer_name)
    layer = stack.layers[i]
    if prop.lower() == "thickness":
        L = parse_quantity(value, "length", f"{field} {key}")
        if not (math.isfinite(L) and L > 0):
            raise InputError(f"{field} {key}", value, "a thickness > 0, e.g. 50um")
        return stack.with_layer(i, thickness=L, thickness_source=source, thickness_status="assumed")
    return _replace_material(stack, i, value, key, source, field)


def _has_layer(stack: Stack, name: str) -> bool:
    return any(l.name.lower() == name.lower() for l in stack.layers)


def _replace_material(stack: Stack, i: int, name: str, key: str, source: str, field: str) -> Stack:
    from .library import load_material

    layer = stack.layers[i]
    try:
        material = load_material(name)
    except NotFoundError as exc:
        raise NotFoundError(f"{field} {key}: {exc}") from None
    new_kind = _default_layer_kind(material)
    if layer.kind == "composite":
        if new_kind not in ("ceramic", "mixed", "inert"):
            raise InputError(f"{field} {key}", name, f"a ceramic (the ceramic phase of the composite layer "
                             f"{layer.name}); {material.name} is a {material.kind}")
        comp = layer.composite
        frac_source = (f"{comp.source} [set for {comp.ceramic.name}; kept when {source} replaced the ceramic "
                       f"phase by {material.name}]")
        composite = replace(comp, ceramic=material, source=frac_source)
        new_layer = replace(layer, material=material, composite=composite)
    else:
        if new_kind != layer.kind:
            raise InputError(f"{field} {key}", name, f"a material that makes a {layer.kind} layer like "
                             f"{layer.name}; {material.name} makes a {new_kind} layer")
        new_layer = Layer(layer.name, material, layer.thickness, layer.kind, None, layer.thickness_source,
                          layer.thickness_status)
    layers = list(stack.layers)
    layers[i] = new_layer
    interfaces = list(stack.interfaces)
    old_chain = [stack.left, *stack.layers, stack.right]
    new_chain = [stack.left, *layers, stack.right]
    for pos in (i, i + 1):  # the interfaces on either face of the layer
        if interfaces[pos] == default_interface(old_chain[pos], old_chain[pos + 1]):
            interfaces[pos] = default_interface(new_chain[pos], new_chain[pos + 1])
    prov = dict(stack.provenance)
    prov[f"{layer.name}.material"] = source
    return replace(stack, layers=tuple(layers), interfaces=tuple(interfaces), provenance=prov)
