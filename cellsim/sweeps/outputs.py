"""The outputs of a sweep: a registry of named functions from a point to a dict of columns.

Each output has a *scalar* form, ``func(ctx) -> dict`` with ``ctx`` a :class:`PointContext`
(the point's :class:`~cellsim.stack.Stack`, its protocol and the spec's options), and may
have a *batch* form, ``batch(table) -> dict of arrays`` over a :class:`LayerTable` of many
points, used in-process when the physics is a closed form. Both must agree (tested).

Built-in outputs (columns in SI, suffixes as in the JSON of the CLI):

=======================  ==========================================================================
``bulk_resistance``      ``bulk_resistance_ohm`` = sum L_i/(sigma_i S) (seed Eq. 1 per layer),
                         ``bulk_asr_ohm_m2``
``total_resistance``     ``total_resistance_ohm`` = bulk + interfaces (sum ASR_k / S),
                         ``interface_resistance_ohm``
``apparent_conductivity`` ``apparent_conductivity_S_m`` = L_tot/(R_b S), ``total_thickness_m``
``j_lim``                ``limiting_current_density_A_m2`` = min over polymer layers of
                         2 F D c0/((1 - t+) L) (physics.md §2.1.4), ``limiting_layer``
``ccd``                  ``ccd_A_m2``, ``survived_A_m2``, ``short_kind``, ``mechanism``,
                         ``short_time_s`` of the step-up protocol ``[protocol]`` simulated by
                         :func:`cellsim.shortcircuit.ccd.run_ccd` (:data:`CCD_ENTRY_POINT`); a
                         spec error naming the missing model where it is not installed
``self_discharge``       ``electronic_resistance_ohm`` = sum L_i/(sigma_e,i S),
                         ``self_discharge_current_A`` = U/R_e and ``..._density_A_m2`` at
                         U = options.self_discharge_voltage (default 4.2 V, a charged NMC811 cell)
``cost``                 ``material_cost_USD_m2`` = sum over layers and phases of
                         (phase fraction) rho L c [USD/kg] for materials with a cost (element-basis,
                         ranking only, physics.md §3.3); ``costed_materials``
``scarcity``             ``scarcest_element`` and ``scarcest_abundance_ppm`` (crustal abundance) over
                         the materials that give one
``lifetime_h``           ``lifetime_h`` (None: survived), ``lifetime_s``, ``lifetime_failure``,
                         ``cumulative_capacity_mAh_cm2`` of symmetric cycling at ``options.cycle_current``
                         (default 0.5 mA/cm2) with ``options.cycle_step_time`` half cycles (1 h) until
                         ``options.cycle_until`` (10000 h) (:func:`cellsim.lifetime.run_cycle`)
``retention``            ``retention`` = Q_dis(N)/Q_dis(1) after N = options.retention_cycles cycles
                         (default 100) at options.retention_c_rate (default 0.2 C) of a Li | ... |
                         NMC811 stack (:func:`cellsim.fullcell.retention.simulate_cycles`, PyBaMM
                         SPMe, ~5 s per 100 cycles), ``retention_cycles``,
                         ``first_discharge_capacity_mAh_g``; not a default output
=======================  ==========================================================================

New outputs plug in with :func:`register_output` in a module named in the spec's
``[sweep] plugins = ["my.module"]``: it is imported when the spec is loaded and in every
worker process before it computes (so it must be importable there, e.g. on a Dask cluster).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from ..constants import F
from ..errors import CellsimError


@dataclass(frozen=True)
class Column:
    """One result column: name (with SI suffix), SQLite type, lab unit for display, meaning."""

    name: str
    type: str = "REAL"
    lab_unit: str = ""
    description: str = ""


@dataclass
class PointContext:
    """What an output function gets for one point."""

    stack: Any
    protocol: Mapping[str, float] | None
    options: Mapping[str, float]
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Output:
    """A registered output."""

    name: str
    columns: tuple
    func: Callable[[PointContext], dict]
    batch: Callable[[Any], dict] | None = None
    description: str = ""
    needs_protocol: bool = False
    available: Callable[[], str | None] | None = None
    default: bool = True


#: The registry: output name -> :class:`Output`.
OUTPUTS: dict[str, Output] = {}


def register_output(name: str, columns: Sequence[Column], *, description: str = "", batch=None,
                    needs_protocol: bool = False, available=None, default: bool = False):
    """Decorator registering ``func(ctx: PointContext) -> dict`` as the output ``name``.

    Parameters
    ----------
    name : str
        Output name used in ``[sweep] outputs``.
    columns : sequence of Column
        The columns the function returns (and only those).
    batch : callable, optional
        ``batch(table: LayerTable) -> {column: array}``, a vectorised form.
    needs_protocol : bool
        The output uses the spec's ``[protocol]``.
    available : callable, optional
        Returns None when the output can run, else the reason it cannot.
    default : bool
        Part of the default outputs (when a spec names none).
    """

    def deco(func):
        OUTPUTS[name] = Output(name, tuple(columns), func, batch, description or (func.__doc__ or "").strip().split(
            "\n")[0], needs_protocol, available, default)
        return func

    return deco


def output_columns(name: str) -> tuple:
    return OUTPUTS[name].columns


def default_outputs() -> list[str]:
    return [n for n, o in OUTPUTS.items() if o.default and check_available(n) is None]


def check_available(name: str) -> str | None:
    """None when output ``name`` can run, else why not."""
    o = OUTPUTS[name]
    return None if o.available is None else o.available()


# --- closed-form outputs ---------------------------------------------------------------------
def _bulk_batch(tb):
    r = tb.bulk_resistance()
    return {"bulk_resistance_ohm": r, "bulk_asr_ohm_m2": r * tb.area}


@register_output("bulk_resistance", [Column("bulk_resistance_ohm", "REAL", "ohm", "sum of the layers' bulk "
                                            "resistances L/(sigma S)"),
                                     Column("bulk_asr_ohm_m2", "REAL", "ohm cm2", "the same times the area")],
                 batch=_bulk_batch, default=True)
def bulk_resistance(ctx: PointContext) -> dict:
    """Total bulk (ionic) resistance of the layers in series [ohm] (seed Eq. 1 per layer)."""
    s = ctx.stack
    r = s.total_bulk_resistance()
    return {"bulk_resistance_ohm": r, "bulk_asr_ohm_m2": r * s.area}


def _total_batch(tb):
    rb = tb.bulk_resistance()
    ri = tb.interface_resistance()
    return {"total_resistance_ohm": rb + ri, "interface_resistance_ohm": ri}


@register_output("total_resistance", [Column("total_resistance_ohm", "REAL", "ohm", "bulk + interfacial resistance"),
                                      Column("interface_resistance_ohm", "REAL", "ohm", "sum of interface ASR / S")],
                 batch=_total_batch, default=True)
def total_resistance(ctx: PointContext) -> dict:
    """Bulk plus linear interfacial resistance [ohm]: sum L_i/(sigma_i S) + sum ASR_k/S."""
    s = ctx.stack
    ri = sum(s.interface_resistances())
    return {"total_resistance_ohm": s.total_bulk_resistance() + ri, "interface_resistance_ohm": ri}


def _sigma_batch(tb):
    import numpy as np

    rb = tb.bulk_resistance()
    L = tb.thickness.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sig = np.where(np.isinf(rb), 0.0, L / (rb * tb.area))
    return {"apparent_conductivity_S_m": sig, "total_thickness_m": L}


@register_output("apparent_conductivity", [Column("apparent_conductivity_S_m", "REAL", "mS/cm",
                                                  "L_total / (R_bulk S)"),
                                           Column("total_thickness_m", "REAL", "um", "electrolyte thickness")],
                 batch=_sigma_batch, default=True)
def apparent_conductivity(ctx: PointContext) -> dict:
    """Apparent (series) conductivity of the electrolyte L_tot/(R_b S) [S/m] (seed Eq. 1 on the stack)."""
    s = ctx.stack
    return {"apparent_conductivity_S_m": s.apparent_conductivity(), "total_thickness_m": s.total_thickness}


def _jlim_batch(tb):
    import numpy as np

    n = tb.n
    best = np.full(n, np.inf)
    which = np.full(n, None, dtype=object)
    for j in range(tb.n_layers):
        pol = tb.is_polymer[:, j]
        if not pol.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            jl = 2 * F * tb.diffusivity[:, j] * tb.concentration[:, j] / ((1 - tb.tplus[:, j]) * tb.thickness[:, j])
        jl = np.where(pol, jl, np.inf)
        better = jl < best
        best = np.where(better, jl, best)
        which = np.where(better, tb.layer_names[:, j], which)
    best = np.where(np.isinf(best), np.nan, best)
    return {"limiting_current_density_A_m2": best, "limiting_layer": which}


@register_output("j_lim", [Column("limiting_current_density_A_m2", "REAL", "mA/cm2",
                                  "lowest limiting current density of the polymer layers"),
                           Column("limiting_layer", "TEXT", "", "the polymer layer that limits")],
                 batch=_jlim_batch, default=True)
def j_lim(ctx: PointContext) -> dict:
    """Lowest limiting current density of the binary polymer layers [A/m2].

    J_lim = 2 F D c0 / ((1 - t+) L) per layer (physics.md §2.1.4); None without polymer layers.
    """
    from ..formulas import limiting_current_density

    s = ctx.stack
    best, which = None, None
    for _, layer in s.polymer_layers():
        T = s.temperature
        jl = limiting_current_density(layer.salt_diffusivity(T), layer.salt_concentration(),
                                      layer.transference_number(), layer.thickness)
        if best is None or jl < best:
            best, which = jl, layer.name
    return {"limiting_current_density_A_m2": best, "limiting_layer": which}


def _leak_batch(tb):
    import numpy as np

    U = tb.options["self_discharge_voltage"]
    re = tb.electronic_resistance()
    with np.errstate(divide="ignore"):
        i = np.where(np.isinf(re), 0.0, U / re)
    return {"electronic_resistance_ohm": re, "self_discharge_current_A": i,
            "self_discharge_current_density_A_m2": i / tb.area}


@register_output("self_discharge", [Column("electronic_resistance_ohm", "REAL", "ohm", "sum L_i/(sigma_e,i S)"),
                                    Column("self_discharge_current_A", "REAL", "uA",
                                           "electronic leakage current U/R_e at options.self_discharge_voltage"),
                                    Column("self_discharge_current_density_A_m2", "REAL", "mA/cm2",
                                           "the same per area")],
                 batch=_leak_batch, default=True)
def self_discharge(ctx: PointContext) -> dict:
    """Electronic leakage (self-discharge) current I = U/R_e [A] (seed Eq. 2 solved for I, layers in series)."""
    s = ctx.stack
    U = ctx.options["self_discharge_voltage"]
    re = s.electronic_resistance()
    i = s.leakage_current(U)
    return {"electronic_resistance_ohm": re, "self_discharge_current_A": i,
            "self_discharge_current_density_A_m2": i / s.area}


def layer_phases(layer) -> list[tuple[Any, float]]:
    """(material, volume fraction) of each phase of a layer."""
    if layer.kind == "composite":
        f = layer.composite.polymer_fraction
        return [(layer.composite.ceramic, 1.0 - f), (layer.composite.polymer, f)]
    return [(layer.material, 1.0)]


def cost_per_volume(layer) -> tuple[float, list[str]]:
    """Material cost per layer volume [USD/m3] = sum_phases fraction x density x cost, and the costed labels."""
    total, labels = 0.0, []
    for mat, frac in layer_phases(layer):
        if mat.has("cost") and mat.has("density"):
            total += frac * mat.get("density") * mat.get("cost")
            labels.append(mat.label)
    return total, labels


def _cost_batch(tb):
    cost = (tb.thickness * tb.cost_per_volume).sum(axis=1)
    return {"material_cost_USD_m2": cost, "costed_materials": tb.costed.copy()}


@register_output("cost", [Column("material_cost_USD_m2", "REAL", "USD/m2",
                                 "element-basis material cost per cell area (ranking only)"),
                          Column("costed_materials", "TEXT", "", "materials that carry a cost")],
                 batch=_cost_batch, default=True)
def cost(ctx: PointContext) -> dict:
    """Material cost per area [USD/m2]: sum over layers and phases of fraction x rho x L x cost [USD/kg].

    Element-basis costs of physics.md §3.3, for ranking only; materials without a cost
    (the polymers) count zero and are not listed in ``costed_materials``.
    """
    total, labels = 0.0, []
    for layer in ctx.stack.layers:
        c, lab = cost_per_volume(layer)
        total += c * layer.thickness
        labels += [x for x in lab if x not in labels]
    return {"material_cost_USD_m2": total, "costed_materials": ",".join(labels)}


def scarcest(layers) -> tuple[str | None, float | None]:
    """(element, abundance ppm) of the scarcest element over the layers' materials that give one."""
    best = (None, None)
    for layer in layers:
        for mat, _ in layer_phases(layer):
            if mat.has("abundance"):
                a = mat.get("abundance")
                if best[1] is None or a < best[1]:
                    best = (str(mat.info.get("scarcest_element", mat.label)), a)
    return best


def _scarcity_batch(tb):
    return {"scarcest_element": tb.scarcest_element.copy(), "scarcest_abundance_ppm": tb.scarcest_ppm.copy()}


@register_output("scarcity", [Column("scarcest_element", "TEXT", "", "scarcest element of the stack's materials"),
                              Column("scarcest_abundance_ppm", "REAL", "ppm", "its crustal abundance")],
                 batch=_scarcity_batch, default=True)
def scarcity(ctx: PointContext) -> dict:
    """Scarcest element over the stack's materials and its crustal abundance [ppm] (physics.md §3.3)."""
    el, ppm = scarcest(ctx.stack.layers)
    return {"scarcest_element": el, "scarcest_abundance_ppm": ppm}


# --- the short-circuit output ----------------------------------------------------------------
#: The short-circuit model the "ccd" output calls: ``run_ccd(stack, StepUpProtocol(start=,
#: increment=, stop=, step_time= | step_capacity=))`` of :mod:`cellsim.shortcircuit.ccd`
#: (SI: A/m2, s, C/m2), returning a result with ``ccd`` (None: no short within the
#: protocol), ``survived``, ``short_time``, ``kind`` and ``mechanism``.
CCD_ENTRY_POINT = ("cellsim.shortcircuit.ccd", "run_ccd", "StepUpProtocol")


def _ccd_available() -> str | None:
    try:
        _ccd_api()
    except CellsimError as exc:
        return str(exc)
    return None


def _ccd_api():
    """``(run_ccd, StepUpProtocol)`` of the short-circuit model (imported lazily), or CellsimError."""
    mod_name, fn_name, cls_name = CCD_ENTRY_POINT
    missing = CellsimError(f"the short-circuit model ({mod_name}.{fn_name}) is not available in this installation, "
                           f"so CCD cannot be computed; choose other outputs")
    try:
        found = importlib.util.find_spec(mod_name)
    except ModuleNotFoundError:  # the parent package is missing
        found = None
    if found is None:
        raise missing
    mod = importlib.import_module(mod_name)
    fn, cls = getattr(mod, fn_name, None), getattr(mod, cls_name, None)
    if not callable(fn) or cls is None:
        raise missing
    return fn, cls


@register_output("ccd", [Column("ccd_A_m2", "REAL", "mA/cm2", "critical current density (None: no short within the "
                                "protocol)"),
                         Column("survived_A_m2", "REAL", "mA/cm2", "highest current density fully survived"),
                         Column("short_kind", "TEXT", "", "hard, soft or polarization (None: no short)"),
                         Column("mechanism", "TEXT", "", "how the electronic path formed, or why none did"),
                         Column("short_time_s", "REAL", "s", "time of the short")],
                 needs_protocol=True, available=_ccd_available)
def ccd(ctx: PointContext) -> dict:
    """Critical current density of the step-up protocol and its mechanism (:mod:`cellsim.shortcircuit.ccd`)."""
    run_ccd, StepUpProtocol = _ccd_api()
    p = ctx.protocol or {}
    proto = StepUpProtocol(start=p["start"], increment=p["increment"], stop=p["stop"], step_time=p.get("step_time"),
                           step_capacity=p.get("step_capacity"))
    res = run_ccd(ctx.stack, proto, explain=False)   # margins and the middle-layer counterfactual: `cellsim ccd`
    return {"ccd_A_m2": res.ccd, "survived_A_m2": res.survived, "short_kind": res.kind, "mechanism": res.mechanism,
            "short_time_s": res.short_time}


@register_output("lifetime_h", [Column("lifetime_h", "REAL", "h", "lifetime under symmetric cycling (None: survived "
                                       "options.cycle_until)"),
                                Column("lifetime_s", "REAL", "s", "the same in seconds"),
                                Column("lifetime_failure", "TEXT", "", "voltage_limit, hard_short, soft_short, "
                                                                       "li_exhausted or None"),
                                Column("cumulative_capacity_mAh_cm2", "REAL", "mAh/cm2", "charge passed, J t")])
def lifetime_h(ctx: PointContext) -> dict:
    """Lifetime of a symmetric Li cell under galvanostatic cycling (:func:`cellsim.lifetime.run_cycle`)."""
    from ..lifetime import run_cycle

    o = ctx.options
    res = run_cycle(ctx.stack, o.get("cycle_current", 5.0), o.get("cycle_step_time", 3600.0),
                    o.get("cycle_until", 3.6e7))
    d = res.to_dict()
    return {"lifetime_h": d["lifetime_h"], "lifetime_s": d["lifetime_s"], "lifetime_failure": res.failure,
            "cumulative_capacity_mAh_cm2": d["cumulative_capacity_mAh_cm2"]}
# --- full-cell capacity retention (PyBaMM) ----------------------------------------------------
def _pybamm_available() -> str | None:
    if importlib.util.find_spec("pybamm") is None:
        return "PyBaMM is not installed, so the full-cell retention cannot be computed; choose other outputs"
    return None


@register_output("retention", [Column("retention", "REAL", "", "Q_dis(N) / Q_dis(1) after N = options.retention_cycles"),
                               Column("retention_cycles", "INTEGER", "", "N, the cycles simulated"),
                               Column("first_discharge_capacity_mAh_g", "REAL", "mAh/g",
                                      "first-cycle discharge capacity of the NMC811")],
                 available=_pybamm_available)
def retention(ctx: PointContext) -> dict:
    """Capacity retention of a Li | ... | NMC811 full cell after options.retention_cycles cycles (PyBaMM SPMe)."""
    from ..errors import InputError
    from ..fullcell.design import FullCellDesign
    from ..fullcell.retention import simulate_cycles

    n = ctx.options["retention_cycles"]
    if not float(n).is_integer() or n < 1:
        raise InputError("options.retention_cycles", n, "a whole number of cycles >= 1")
    res = simulate_cycles(FullCellDesign.from_stack(ctx.stack), int(n), ctx.options["retention_c_rate"])
    return {"retention": res.retention_final, "retention_cycles": int(n),
            "first_discharge_capacity_mAh_g": float(res.discharge_capacity_mAh_g[0])}
