"""Comparisons on top of :func:`cellsim.fullcell.cycling.simulate`.

* :func:`compare` — several cells (e.g. different middle layers) under one protocol;
* :func:`thickness_sweep` — one layer's thickness varied;
* :func:`capacity_limits` — how much capacity the sandwich costs against an ideal
  electrolyte and against the open-circuit capacity;
* :func:`approximation_check` — the PyBaMM mapping (one lumped separator + series R)
  against the closed-form polarization of the real layer structure
  (:mod:`cellsim.fullcell.polarization`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import InputError
from ..stack import Stack
from .design import FullCellDesign
from .polarization import diffusion_buildup, diffusion_resistance
from .cycling import FullCellResult, simulate


def _design(item, vmin=None, vmax=None) -> FullCellDesign:
    if isinstance(item, FullCellDesign):
        return item if vmin is None and vmax is None else item.replace(
            vmin=item.vmin if vmin is None else vmin, vmax=item.vmax if vmax is None else vmax)
    if isinstance(item, (str, Path)):
        from ..models import load_model

        item = load_model(item)
    if isinstance(item, Stack):
        return FullCellDesign.from_stack(item, vmin=vmin, vmax=vmax)
    raise InputError("cells", type(item).__name__, "a model name, a Stack or a FullCellDesign")


def compare(cells: Iterable, c_rate: float = 0.2, vmin: float | None = None, vmax: float | None = None,
            **kw) -> list[FullCellResult]:
    """Simulate several cells (model names, stacks or designs) at one C-rate.

    Give ``vmin``/``vmax`` to put every cell in the same window (a fair comparison of
    middle layers); otherwise each keeps its own.
    """
    return [simulate(_design(c, vmin, vmax), c_rate, **kw) for c in cells]


def thickness_sweep(cell, layer: str | int, thicknesses: Sequence[float], c_rate: float = 0.2,
                    **kw) -> list[tuple[float, FullCellResult]]:
    """First cycle for each thickness [m] of one layer of ``cell`` (model name or Stack)."""
    if isinstance(cell, (str, Path)):
        from ..models import load_model

        cell = load_model(cell)
    if not isinstance(cell, Stack):
        raise InputError("cell", type(cell).__name__, "a model name or a Stack")
    out = []
    for L in thicknesses:
        stack = cell.with_layer(layer, thickness=L)
        out.append((float(L), simulate(FullCellDesign.from_stack(stack), c_rate, **kw)))
    return out


def ideal_electrolyte(design: FullCellDesign) -> FullCellDesign:
    """The same cell with a negligible electrolyte: sigma = 1000 S/m, D = 1e-6 m2/s, no series R, ideal Li kinetics."""
    s = design.sandwich.replace(conductivity=1e3, diffusivity=1e-6, series_resistance=0.0, series_parts={},
                                li_charge_transfer=0.0)
    return design.replace(sandwich=s, li_kinetics="stack")


def capacity_limits(design: FullCellDesign, c_rate: float = 0.2, **kw) -> dict:
    """Where the first-cycle discharge capacity goes [mAh/g].

    Returns ``ocv_mAh_g`` (OCV capacity between the pristine state and vmax),
    ``ideal_electrolyte_mAh_g`` (the cathode alone at ``c_rate``), ``sandwich_mAh_g``
    (with the sandwich), ``no_series_mAh_g`` (the sandwich without the series
    resistance R_s), and the losses ``cathode_loss_mAh_g`` = ocv - ideal,
    ``sandwich_loss_mAh_g`` = ideal - sandwich, ``series_loss_mAh_g`` = no_series - sandwich.
    """
    real = simulate(design, c_rate, **kw)
    ideal = simulate(ideal_electrolyte(design), c_rate, **kw)
    no_series = simulate(design.replace(sandwich=design.sandwich.replace(series_resistance=0.0, series_parts={})),
                         c_rate, **kw)
    ocv = real.matched["ocv_capacity_mAh_g"]
    return {"ocv_mAh_g": ocv, "ideal_electrolyte_mAh_g": ideal.discharge_capacity_mAh_g,
            "sandwich_mAh_g": real.discharge_capacity_mAh_g, "no_series_mAh_g": no_series.discharge_capacity_mAh_g,
            "cathode_loss_mAh_g": ocv - ideal.discharge_capacity_mAh_g,
            "sandwich_loss_mAh_g": ideal.discharge_capacity_mAh_g - real.discharge_capacity_mAh_g,
            "series_loss_mAh_g": no_series.discharge_capacity_mAh_g - real.discharge_capacity_mAh_g,
            "ideal_mean_voltage_V": ideal.mean_discharge_voltage_V,
            "sandwich_mean_voltage_V": real.mean_discharge_voltage_V,
            "results": {"sandwich": real, "ideal_electrolyte": ideal, "no_series": no_series}}


def _diffusion_history(layers, s, T, area, I, t, t_charge):
    """Concentration polarization during the discharge after a charge of length t_charge (superposition).

    Current history -I on [-t_charge, 0), +I after: eta(t) = I R_d [2 f(t) - f(t + t_charge)]
    with f the build-up of :func:`diffusion_buildup` (linear response); without a charge, I R_d f(t).
    """
    eta = np.zeros_like(t)
    for L in layers:
        r = diffusion_resistance(L, s.diffusivity, s.salt_concentration, s.transference_number, T, area,
                                 s.thermodynamic_factor)
        f = diffusion_buildup(t, L, s.diffusivity)
        if t_charge > 0:
            f = 2.0 * f - diffusion_buildup(t + t_charge, L, s.diffusivity)
        eta = eta + I * r * f
    return eta


def approximation_check(result: FullCellResult) -> dict:
    """The sandwich-as-separator approximation against closed forms, over the discharge [V].

    Three electrolyte polarizations (ohmic + concentration + series, positive = loss) at the
    discharge current, following the same current history (charge first for the seed's cycle):

    * ``pybamm``: PyBaMM's electrolyte ohmic losses + concentration overpotential + contact
      (series) overpotential — one lumped separator, plus the cathode's pore electrolyte;
    * ``lumped``: closed form for one polymer layer of the summed thickness (PyBaMM's
      geometry without the cathode pores);
    * ``layered``: closed form for each real polymer layer on its own (the sandwich:
      anion-blocking ceramic between them).

    Returns time-averaged values (= capacity-weighted at constant current) ``*_mean_V``,
    end-of-discharge values ``*_end_V``, and the estimated error of the mean discharge
    voltage caused by lumping, ``lumping_error_V`` = mean(layered) - mean(lumped) (a
    positive value: the real sandwich loses more), and ``pybamm_vs_lumped_V`` =
    mean(pybamm) - mean(lumped) (cathode pores + non-linearity). Also the steady
    resistances ``R_b_ohm``, ``R_d_lumped_ohm``, ``R_d_layered_ohm``, ``R_s_ohm``.
    """
    d = result.design
    s = d.sandwich
    o = result.overpotentials
    t = np.asarray(o["time_s"], dtype=float)
    I = result.current_A
    T, area = d.temperature, d.area
    t_charge = 0.0
    if result.protocol == "cycle":
        ch = result.step("charge")
        t_charge = float(ch.time_s[-1] - ch.time_s[0])
    R_b = s.thickness / (s.conductivity * area)
    R_s = result.series_resistance_ohm
    layered_L = [L for _, L in s.polymer_layers]
    lumped = I * (R_b + R_s) + _diffusion_history([s.thickness], s, T, area, I, t, t_charge)
    layered = I * (R_b + R_s) + _diffusion_history(layered_L, s, T, area, I, t, t_charge)
    pyb = o["electrolyte_ohmic_V"] + o["concentration_V"] + o["series_V"]

    def mean(y):
        return float(np.trapezoid(y, t) / (t[-1] - t[0])) if t.size > 1 else float(y[0])

    def rd(Ls):
        return sum(diffusion_resistance(L, s.diffusivity, s.salt_concentration, s.transference_number, T, area,
                                        s.thermodynamic_factor) for L in Ls)

    out = {"pybamm_mean_V": mean(pyb), "lumped_mean_V": mean(lumped), "layered_mean_V": mean(layered),
           "pybamm_end_V": float(pyb[-1]), "lumped_end_V": float(lumped[-1]), "layered_end_V": float(layered[-1]),
           "R_b_ohm": R_b, "R_s_ohm": R_s, "R_d_lumped_ohm": rd([s.thickness]), "R_d_layered_ohm": rd(layered_L),
           "series_pybamm_mean_V": mean(o["series_V"]), "series_closed_form_V": I * R_s}
    out["lumping_error_V"] = out["layered_mean_V"] - out["lumped_mean_V"]
    out["pybamm_vs_lumped_V"] = out["pybamm_mean_V"] - out["lumped_mean_V"]
    out["pybamm_vs_layered_V"] = out["pybamm_mean_V"] - out["layered_mean_V"]
    return out


def transport_check(stack: Stack, result: FullCellResult, output_dt: float = 30.0) -> dict:
    """The PyBaMM mapping against cellsim's own transport solver for the electrolyte alone [V].

    Runs :func:`cellsim.transport.simulate` on ``stack`` (the real layers: two polymer
    layers with their own salt profiles, the middle layer, every interface, no cathode
    thermodynamics) with the same current history as ``result`` (charge = "Strip",
    discharge = "Plate" at the same current density), and compares over the discharge:

    * ``electrolyte``: ohmic + concentration of every layer + every interface except the
      Li one (transport) against PyBaMM's electrolyte ohmic losses + concentration
      overpotential + series (contact) overpotential;
    * ``li``: the Li|polymer interface (transport's Butler-Volmer) against PyBaMM's
      Li-metal interface reaction overpotential.

    Returns ``*_transport_mean_V``, ``*_pybamm_mean_V``, their differences ``*_diff_V``
    (pybamm - transport) and the end-of-discharge values.
    """
    from ..transport import simulate as transport_simulate

    if result.design.name != stack.name:
        raise InputError("stack", stack.name, f"the stack of the result ({result.design.name})")
    J = result.current_A / stack.area * 0.1  # A/m2 -> mA/cm2
    t_dis = float(result.overpotentials["time_s"][-1])
    steps = []
    if result.protocol == "cycle":
        ch = result.step("charge")
        t_ch = float(ch.time_s[-1] - ch.time_s[0])
        steps.append(f"Strip at {J:.10g} mA/cm2 for {t_ch:.10g} s")
    else:
        t_ch = 0.0
    steps.append(f"Plate at {J:.10g} mA/cm2 for {t_dis:.10g} s")
    sol = transport_simulate(stack, "; ".join(steps), output_dt=output_dt)
    li_name = "interface " + stack.interfaces[0].name
    parts = sol.voltage_parts
    electrolyte = sum(v for k, v in parts.items() if k != li_name)
    li = parts[li_name]
    t = np.asarray(sol.time, dtype=float) - t_ch
    mask = t >= 0
    o = result.overpotentials
    tp = np.asarray(o["time_s"], dtype=float)
    pyb_e = o["electrolyte_ohmic_V"] + o["concentration_V"] + o["series_V"]
    pyb_li = o["li_reaction_V"]

    def mean(tt, y):
        return float(np.trapezoid(y, tt) / (tt[-1] - tt[0]))

    out = {"electrolyte_transport_mean_V": mean(t[mask], electrolyte[mask]),
           "electrolyte_pybamm_mean_V": mean(tp, pyb_e),
           "li_transport_mean_V": mean(t[mask], li[mask]), "li_pybamm_mean_V": mean(tp, pyb_li),
           "electrolyte_transport_end_V": float(electrolyte[-1]), "electrolyte_pybamm_end_V": float(pyb_e[-1]),
           "li_transport_end_V": float(li[-1]), "li_pybamm_end_V": float(pyb_li[-1])}
    out["electrolyte_diff_V"] = out["electrolyte_pybamm_mean_V"] - out["electrolyte_transport_mean_V"]
    out["li_diff_V"] = out["li_pybamm_mean_V"] - out["li_transport_mean_V"]
    return out
