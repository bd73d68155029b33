"""Numbers of a stack, as one dictionary with SI-suffixed keys (used by ``cellsim info``)."""

from __future__ import annotations

import math
from typing import Any

from .formulas import limiting_current_density, sand_time
from .stack import Stack


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def stack_summary(stack: Stack) -> dict[str, Any]:
    """Summary of ``stack`` with keys ``area_m2``, ``temperature_K``, ``layers[]``, ...

    For binary polymer layers the limiting current density J_lim = 2 F D c0 / ((1 - t+) L)
    (physics.md §2.1.4) is included. For composite layers the polymer fraction and the
    naive bulk-ceramic conductivity are given next to the effective one.
    """
    T = stack.temperature
    layers = []
    for layer in stack.layers:
        sigma = layer.ionic_conductivity(T)
        entry: dict[str, Any] = {
            "name": layer.name,
            "kind": layer.kind,
            "material": layer.material.label,
            "thickness_m": layer.thickness,
            "ionic_conductivity_S_m": sigma,
            "electronic_conductivity_S_m": layer.electronic_conductivity(T),
            "bulk_resistance_ohm": _finite(layer.bulk_resistance(stack.area, T)),
            "asr_ohm_m2": _finite(layer.asr(T)),
        }
        if layer.kind == "polymer":
            D, c0, tp = layer.salt_diffusivity(T), layer.salt_concentration(), layer.transference_number()
            entry.update({
                "salt_concentration_mol_m3": c0,
                "diffusivity_m2_s": D,
                "transference_number": tp,
                "limiting_current_density_A_m2": limiting_current_density(D, c0, tp, layer.thickness),
            })
        if layer.kind == "composite":
            comp = layer.composite
            sc = comp.ceramic.get("ionic_conductivity", T)
            entry.update({
                "polymer_fraction": comp.polymer_fraction,
                "polymer_fraction_source": comp.source,
                "polymer_fraction_status": comp.status,
                "mixing_model": comp.model,
                "bulk_ceramic_conductivity_S_m": sc,
                "naive_bulk_resistance_ohm": _finite(layer.thickness / (sc * stack.area)) if sc > 0 else None,
            })
        layers.append(entry)
    interfaces = []
    for itf in stack.interfaces:
        interfaces.append({
            "name": itf.name,
            "kind": itf.kind,
            "asr_ohm_m2": itf.resistance(T),
            "resistance_ohm": itf.resistance(T) / stack.area,
            "capacitance_F_m2": itf.capacitance,
            "cpe_q": itf.cpe_q,
            "cpe_n": itf.cpe_n,
            "sources": {k: p.source for k, p in itf.parameters.items()},
        })
    r_total = stack.total_bulk_resistance(T)
    r_e = stack.electronic_resistance(T)
    out = {
        "model": stack.name,
        "title": stack.title or stack.label,
        "cell": stack.label,
        "source_file": stack.source_file,
        "area_m2": stack.area,
        "temperature_K": T,
        "pressure_Pa": stack.pressure,
        "provenance": dict(stack.provenance),
        "layers": layers,
        "interfaces": interfaces,
        "total_thickness_m": stack.total_thickness,
        "total_bulk_resistance_ohm": _finite(r_total),
        "total_interface_resistance_ohm": sum(stack.interface_resistances(T)),
        "apparent_conductivity_S_m": stack.apparent_conductivity(T),
        "electronic_resistance_ohm": _finite(r_e),
    }
    naive = naive_series_conductivity(stack)
    if naive is not None:
        out["naive_series_conductivity_S_m"] = naive
    return out


def naive_series_conductivity(stack: Stack) -> float | None:
    """Series conductivity with every composite layer replaced by its bulk ceramic [S/m].

    This is what the seed's own measured layer conductivities give without infiltration
    (physics.md §2.6); None when the stack has no composite layer.
    """
    if not any(l.kind == "composite" for l in stack.layers):
        return None
    T = stack.temperature
    total = 0.0
    for l in stack.layers:
        s = l.composite.ceramic.get("ionic_conductivity", T) if l.kind == "composite" else l.ionic_conductivity(T)
        if s <= 0:
            return 0.0
        total += l.thickness / s
    return stack.total_thickness / total


def layer_sand_times(stack: Stack, current_density: float) -> dict[str, float | None]:
    """Sand's time [s] of each polymer layer at ``current_density`` [A/m2] (None below J_lim)."""
    out = {}
    T = stack.temperature
    for _, l in stack.polymer_layers():
        D, c0, tp = l.salt_diffusivity(T), l.salt_concentration(), l.transference_number()
        jl = limiting_current_density(D, c0, tp, l.thickness)
        out[l.name] = sand_time(D, c0, current_density, tp) if current_density > jl else None
    return out
