"""The stack and protocol of one sweep point: material swaps, then property changes.

Below both :mod:`cellsim.sweeps.spec` (which checks that every material swap builds) and
:mod:`cellsim.sweeps.runner` (which computes the points); imports neither.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Sequence

# ``SweepSpec`` in the annotations is :class:`cellsim.sweeps.spec.SweepSpec` (not imported:
# the spec module imports this one).
_STRUCTURES: dict[tuple, Any] = {}


def _materials_of(spec: SweepSpec, values: Mapping[str, Any]) -> tuple:
    """The material-axis part of a point (what changes the stack's structure)."""
    return tuple((a.name, values[a.name]) for a in spec.axes if a.is_material and a.name in values)


def _swap_layer(layer, material, form: str):
    from ..stack import Layer

    old = layer.material
    name = layer.name
    if name.lower() in (old.name.lower(), old.label.lower()):
        name = material.label
    if layer.kind == "composite" and form == "as-model" and material.kind != "polymer":
        comp = replace(layer.composite, ceramic=material)
        return Layer(name, material, layer.thickness, "composite", comp, layer.thickness_source,
                     layer.thickness_status)
    return Layer(name, material, layer.thickness, "", None, layer.thickness_source, layer.thickness_status)


def structure_stack(spec: SweepSpec, materials: Sequence[tuple[str, str]] = ()):
    """The base stack with the material swaps ``materials`` (``(axis name, material key)``) applied.

    A swapped layer keeps its thickness; it takes the new material's kind (``form =
    "dense"``, or a plain layer) or, for a composite layer with ``form = "as-model"``, only
    its ceramic phase is replaced (polymer fraction and mixing rule kept). A layer named
    after its material is renamed after the new one. The interfaces next to a swapped layer
    are the library defaults for the new neighbours (an interface the model file set
    explicitly is kept when its kind still applies). Cached per process.
    """
    key = (spec.spec_hash, spec.model_hash, tuple(materials))
    s = _STRUCTURES.get(key)
    if s is not None:
        return s
    from ..library import load_material
    from ..stack import Stack, default_interface, default_interface_kind

    base = spec.base_stack()
    if not materials:
        _STRUCTURES[key] = base
        return base
    layers = list(base.layers)
    touched: set[int] = set()
    for name, mat_key in materials:
        axis = spec.axis(name)
        material = load_material(mat_key)
        for t in axis.targets:
            layers[t.layer] = _swap_layer(layers[t.layer], material, axis.form)
            touched.add(t.layer)
    names = [l.name for l in layers]
    if len(set(names)) != len(names):  # renaming made a clash: keep the base names
        layers = [replace(l, name=b.name) if l.name != b.name else l for l, b in zip(layers, base.layers)]
    chain_old = [base.left, *base.layers, base.right]
    chain = [base.left, *layers, base.right]
    interfaces = list(base.interfaces)
    for pos in sorted({p for i in touched for p in (i, i + 1)}):
        old = base.interfaces[pos]
        explicit = old != default_interface(chain_old[pos], chain_old[pos + 1])
        if explicit and old.kind == default_interface_kind(chain[pos], chain[pos + 1]):
            interfaces[pos] = replace(old, name=f"{_label(chain[pos])}|{_label(chain[pos + 1])}")
        else:
            interfaces[pos] = default_interface(chain[pos], chain[pos + 1])
    s = Stack(layers=tuple(layers), interfaces=tuple(interfaces), left=base.left, right=base.right, area=base.area,
              temperature=base.temperature, pressure=base.pressure, name=base.name, title=base.title,
              description=base.description, provenance=base.provenance, source_file=base.source_file, seed=base.seed)
    _STRUCTURES[key] = s
    return s


def _label(x) -> str:
    return x.label if hasattr(x, "blocking") else x.name


def point_stack(spec: SweepSpec, values: Mapping[str, Any]):
    """The :class:`~cellsim.stack.Stack` of one point (validated at construction)."""
    s = structure_stack(spec, _materials_of(spec, values))
    layer_changes: dict[int, dict[str, float]] = {}
    cell: dict[str, float] = {}
    for a in spec.axes:
        if a.is_material or a.name not in values:
            continue
        v = values[a.name]
        for t in a.targets:
            if t.kind == "layer":
                layer_changes.setdefault(t.layer, {})[t.prop] = v
            elif t.kind in ("temperature", "area", "pressure"):
                cell[t.kind] = v
    if layer_changes:
        layers = list(s.layers)
        for i, ch in layer_changes.items():
            layer = layers[i]
            if "polymer_fraction" in ch:
                layer = replace(layer, composite=replace(layer.composite, polymer_fraction=ch["polymer_fraction"]))
            if "thickness" in ch:
                layer = replace(layer, thickness=ch["thickness"])
            layers[i] = layer
        s = replace(s, layers=tuple(layers))
    if cell:
        s = replace(s, **cell)
    return s


def point_protocol(spec: SweepSpec, values: Mapping[str, Any]) -> dict[str, float] | None:
    """The step-up protocol of a point: the spec's ``[protocol]`` with its protocol axes applied."""
    proto = dict(spec.protocol or {})
    for a in spec.axes:
        for t in a.targets:
            if t.kind == "protocol" and a.name in values:
                proto[t.prop] = values[a.name]
    return proto or None


