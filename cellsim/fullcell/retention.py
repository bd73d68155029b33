"""Capacity retention of a Li | sandwich | NMC811 full cell over N cycles (PyBaMM experiment).

:func:`simulate_cycles` runs N cycles of CC charge to vmax, CV hold at vmax until
``cv_cutoff_c_rate``, CC discharge to vmin (or back to the cathode's pristine lithiation, see
:func:`cellsim.fullcell.cycling._lithiation_limit`) on the half-cell model of
:func:`cellsim.fullcell.cycling.parameter_values`, with the degradation of
:mod:`cellsim.fullcell.aging`:

* NMC811 active-material loss (PyBaMM ``"loss of active material": "current-driven"``);
* Li-side SEI growth (PyBaMM ``"SEI": "solvent-diffusion limited"`` at the Li interface) and
  dead Li (1 - CE_Li of each plated charge), booked against the anode's Li inventory
  (:func:`li_inventory`): PyBaMM's Li metal is an unlimited reservoir, so once the anode's Li
  runs out the discharge is capped at the Li left and the next charge at what the cathode got
  back (``li_limited`` marks those cycles; their voltages stay PyBaMM's, an approximation);
* the sandwich's series resistance R_s + R_add(t)/S, with ``resistance_growth(t_s) -> added ASR
  [ohm m2]`` (default :class:`cellsim.fullcell.aging.ParabolicGrowth`) tabulated on a time grid
  as PyBaMM's "Contact resistance [Ohm]" (a linear interpolant in sqrt-spaced time).

Retention of cycle n = Q_dis(n) / Q_dis(1) (discharge capacities). The default model is the
SPMe: against the DFN on the first cycles it differs by the figures stated in
``benchmarks/fullcell_cycles.py`` (see :func:`model_difference`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError, SolverError
from .aging import (AgingParameters, ParabolicGrowth, SEIGrowth, check_resistance_growth, lam_per_cycle,
                    lam_rate_function, load_aging)
from .cycling import MODELS, _lithiation_limit, _pybamm, parameter_values
from .design import FullCellDesign

#: longest step, in hours at 1 C: CC charge and CC discharge 2 h/C, CV 1 h/C (also the resistance table's span)
STEP_HOURS = {"charge": 2.0, "cv": 1.0, "discharge": 2.0}
#: points of the tabulated resistance_growth (sqrt-spaced in time)
GRID_POINTS = 2001
#: largest number of cycles accepted
MAX_CYCLES = 5000
#: IDAKLU tolerances (the SEI state is ~1e-4 mol/m2, so PyBaMM's default atol 1e-6 would be 1 % of it)
RTOL, ATOL = 1e-7, 1e-10
_SUMMARY = ("Discharge capacity [A.h]",)


@dataclass
class RetentionResult:
    """Per-cycle outcome of :func:`simulate_cycles` (arrays of length ``cycles``).

    Attributes
    ----------
    charge_capacity_mAh_g, discharge_capacity_mAh_g : ndarray
        CC + CV charge and CC discharge capacity [mAh/g of NMC811]; the discharge capped by the Li inventory.
    time_s : ndarray
        Time at the end of each cycle [s].
    added_asr_ohm_m2 : ndarray
        resistance_growth at the end of each cycle [ohm m2].
    active_material_loss : ndarray
        Fraction of the NMC811 active material lost at the end of each cycle [-].
    sei_li_loss_C_m2, dead_li_C_m2, li_reservoir_C_m2 : ndarray
        Li consumed by the Li-side SEI, dead Li, and the Li left on the anode after the discharge [C/m2].
    li_limited : ndarray of bool
        Cycles whose discharge the Li inventory capped.
    """

    design: FullCellDesign
    model: str
    c_rate: float
    current_A: float
    params: AgingParameters
    lam_per_cycle: float
    hook: str
    charge_capacity_mAh_g: np.ndarray
    discharge_capacity_mAh_g: np.ndarray
    time_s: np.ndarray
    added_asr_ohm_m2: np.ndarray
    active_material_loss: np.ndarray
    sei_li_loss_C_m2: np.ndarray
    dead_li_C_m2: np.ndarray
    li_reservoir_C_m2: np.ndarray
    li_limited: np.ndarray
    matched: dict = field(default_factory=dict)

    @property
    def cycles(self) -> int:
        return int(self.discharge_capacity_mAh_g.size)

    @property
    def retention(self) -> np.ndarray:
        """Q_dis(n) / Q_dis(1) [-]."""
        return self.discharge_capacity_mAh_g / self.discharge_capacity_mAh_g[0]

    @property
    def retention_final(self) -> float:
        return float(self.retention[-1])

    @property
    def seed_cell(self) -> bool:
        """True for the seed's retention cell (its model at its C-rate): its 87 % is then the comparison."""
        return self.design.name == SEED_RETENTION["model"] and math.isclose(self.c_rate, SEED_RETENTION["c_rate"])

    @property
    def coulombic_efficiency(self) -> np.ndarray:
        """Q_dis(n) / Q_ch(n) [-]."""
        return self.discharge_capacity_mAh_g / self.charge_capacity_mAh_g

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (SI-suffixed keys; capacities in mAh/g as the seed reports them)."""
        d = self.design
        out = {
            "model": d.name, "pybamm_model": self.model, "cycles": self.cycles, "c_rate": self.c_rate,
            "current_A": self.current_A, "current_density_A_m2": self.current_A / d.area,
            "vmin_V": d.vmin, "vmax_V": d.vmax, "temperature_K": d.temperature,
            "retention": self.retention.tolist(), "retention_final": self.retention_final,
            "discharge_capacity_mAh_g": self.discharge_capacity_mAh_g.tolist(),
            "charge_capacity_mAh_g": self.charge_capacity_mAh_g.tolist(),
            "coulombic_efficiency": self.coulombic_efficiency.tolist(),
            "first_cycle_coulombic_efficiency": float(self.coulombic_efficiency[0]),
            "time_s": self.time_s.tolist(), "added_asr_ohm_m2": self.added_asr_ohm_m2.tolist(),
            "active_material_loss": self.active_material_loss.tolist(),
            "sei_li_loss_C_m2": self.sei_li_loss_C_m2.tolist(), "dead_li_C_m2": self.dead_li_C_m2.tolist(),
            "li_reservoir_C_m2": self.li_reservoir_C_m2.tolist(),
            "li_limited_cycles": [int(i) + 1 for i in np.flatnonzero(self.li_limited)],
            "anode_areal_capacity_C_m2": d.anode_capacity, "series_resistance_ohm": d.sandwich.series_resistance,
            "lam_per_cycle": self.lam_per_cycle, "resistance_growth": self.hook,
            "parameters": {k: {"value_SI": getattr(self.params, k), "source": s}
                           for k, s in self.params.sources.items()},
            "calibrated_on_seed": [],
        }
        seed = SEED_RETENTION
        if self.seed_cell and self.cycles >= seed["cycles"]:
            out["seed_comparison"] = {"cycles": seed["cycles"], "seed_retention": seed["retention"],
                                      "simulated_retention": float(self.retention[seed["cycles"] - 1]),
                                      "source": seed["source"], "status": "prediction (no ageing rate is calibrated on it)"}
        return out


#: The seed's number (Table S3, Fig. S24): a comparison, never a calibration target here.
SEED_RETENTION = {"cycles": 350, "retention": 0.87, "c_rate": 0.2, "model": "li-uvea-latp-uvea-nmc811",
                  "source": "seed Table S3 / Fig. S24: UVEA-LATP-UVEA vs NMC811 (7.4 mg/cm2), 87 % after 350 cycles "
                            "at 0.2 C, 2.7-4.4 V, room temperature"}


def _check_inputs(cycles, model):
    if isinstance(cycles, bool) or not isinstance(cycles, (int, np.integer)) or not 1 <= cycles <= MAX_CYCLES:
        raise InputError("cycles", cycles, f"a whole number of cycles, 1-{MAX_CYCLES}")
    if model not in MODELS:
        raise InputError("model", model, "one of " + ", ".join(MODELS))


def _steps(design: FullCellDesign, current: float, c_rate: float, params: AgingParameters, x_full: float):
    pybamm = _pybamm()
    h = 1.0 / c_rate
    i_cut = params.cv_cutoff_c_rate * design.capacity / 3600.0
    return (f"Charge at {current:.12g} A for {STEP_HOURS['charge'] * h:.6g} hours or until {design.vmax:.6g} V",
            f"Hold at {design.vmax:.6g} V for {STEP_HOURS['cv'] * h:.6g} hours or until {i_cut:.12g} A",
            pybamm.step.current(current, duration=STEP_HOURS["discharge"] * h * 3600.0,
                                termination=[f"{design.vmin:.6g} V", _lithiation_limit(x_full)]))


def _resistance_table(design: FullCellDesign, hook, t_max: float):
    """(times [s], R_s + hook(t)/S [ohm]) on a sqrt-spaced grid up to ``t_max``."""
    t = t_max * np.linspace(0.0, 1.0, GRID_POINTS) ** 2
    return t, design.sandwich.series_resistance + np.asarray(hook(t), dtype=float) / design.area


def build_simulation(design: FullCellDesign, cycles: int, c_rate: float, *, model: str, params: AgingParameters,
                     resistance_growth):
    """The :class:`pybamm.Simulation` of :func:`simulate_cycles` and ``(matched, f_lam)``."""
    pybamm = _pybamm()
    pv, info = parameter_values(design, initial="pristine")
    f_lam = lam_per_cycle(params, design.vmax)
    eps0 = pv["Positive electrode active material volume fraction"]
    t_max = cycles * sum(STEP_HOURS.values()) / c_rate * 3600.0
    t_grid, r_grid = _resistance_table(design, resistance_growth, t_max)
    lam_rate = lam_rate_function(f_lam, eps0, design.cathode.areal_capacity)
    pv.update({"Positive electrode current-driven LAM rate": lam_rate,
               "Contact resistance [Ohm]": pybamm.Interpolant(t_grid, r_grid, pybamm.t, interpolator="linear"),
               **SEIGrowth(params.sei_li_loss, params.reference_time).pybamm_parameters()},
              check_already_exists=False)
    options = {"working electrode": "positive", "contact resistance": "true",
               "SEI": ("solvent-diffusion limited", "none"), "SEI film resistance": "none",
               "loss of active material": ("none", "current-driven")}
    pb_model = getattr(pybamm.lithium_ion, model)(options)
    pb_model.summary_variables = list(pb_model.summary_variables) + list(_SUMMARY)
    current = design.current(c_rate)
    steps = _steps(design, current, c_rate, params, info["x_pristine"])
    experiment = pybamm.Experiment([steps] * cycles, period=f"{max(60.0, 360.0 / c_rate):.6g} seconds")
    solver = pybamm.IDAKLUSolver(rtol=RTOL, atol=ATOL)
    return pybamm.Simulation(pb_model, parameter_values=pv, experiment=experiment, solver=solver), (info, f_lam)


def simulate_cycles(design: FullCellDesign, cycles: int, c_rate: float = 0.2, *, model: str = "SPMe",
                    params: AgingParameters | None = None, resistance_growth=None) -> RetentionResult:
    """Discharge capacity and retention over ``cycles`` CC-CV / CC cycles at ``c_rate``.

    Parameters
    ----------
    design : FullCellDesign
    cycles : int
        Number of cycles N (1-5000).
    c_rate : float
        C-rate of this cell (1 C = 210 mA/g x active mass), charge and discharge.
    model : str
        PyBaMM model: ``"SPMe"`` (default), ``"SPM"`` or ``"DFN"``.
    params : AgingParameters, optional
        Default :func:`cellsim.fullcell.aging.load_aging`.
    resistance_growth : callable, optional
        ``resistance_growth(t_s) -> added ASR [ohm m2]`` of the sandwich, t [s] since assembly
        (vectorised, 0 at t = 0). Default :class:`~cellsim.fullcell.aging.ParabolicGrowth` from ``params``.

    Returns
    -------
    RetentionResult
    """
    _check_inputs(cycles, model)
    params = load_aging() if params is None else params
    hook = ParabolicGrowth.from_parameters(params) if resistance_growth is None else resistance_growth
    current = design.current(c_rate)
    check_resistance_growth(hook, cycles * sum(STEP_HOURS.values()) / c_rate * 3600.0)
    sim, (info, f_lam) = build_simulation(design, cycles, c_rate, model=model, params=params,
                                                 resistance_growth=hook)
    pybamm = _pybamm()
    try:
        sol = sim.solve(save_at_cycles=[cycles])
    except pybamm.SolverError as exc:  # pragma: no cover - depends on PyBaMM internals
        raise SolverError(f"PyBaMM failed for {design.name} over {cycles} cycles at {c_rate} C: {exc}") from None
    summary = sol.summary_variables
    done = len(summary.cycle_number)
    if done < cycles:
        raise SolverError(f"PyBaMM stopped after {done} of {cycles} cycles for {design.name}: {sol.termination}")
    return _result(design, model, c_rate, current, params, f_lam, hook, summary, info)


def _summary(summary, name):
    return np.asarray(summary[name], dtype=float)


def _result(design, model, c_rate, current, params, f_lam, hook, summary, info) -> RetentionResult:
    thr = _summary(summary, "Change in throughput capacity [A.h]") * 3600.0
    net = _summary(summary, "Change in discharge capacity [A.h]") * 3600.0
    q_ch, q_dis_pb = (thr - net) / 2.0, (thr + net) / 2.0           # [C]
    time = _summary(summary, "Time [s]")
    sei = _summary(summary, "Loss of capacity to negative SEI [A.h]") * 3600.0
    lam = _summary(summary, "Loss of active material in positive electrode [%]") / 100.0
    q_ch, q_dis, reservoir, dead, limited = li_inventory(design.anode_capacity * design.area, q_ch, q_dis_pb, sei,
                                                         params.li_coulombic_efficiency)
    m_am_g = design.active_mass * 1e3
    A = design.area
    return RetentionResult(design=design, model=model, c_rate=float(c_rate), current_A=current, params=params,
                           lam_per_cycle=f_lam, hook=_hook_name(hook),
                           charge_capacity_mAh_g=q_ch / 3.6 / m_am_g, discharge_capacity_mAh_g=q_dis / 3.6 / m_am_g,
                           time_s=time, added_asr_ohm_m2=np.asarray(hook(time), dtype=float),
                           active_material_loss=lam, sei_li_loss_C_m2=sei / A, dead_li_C_m2=dead / A,
                           li_reservoir_C_m2=reservoir / A, li_limited=limited, matched=info)


def li_inventory(anode: float, q_ch, q_dis, sei, ce_li: float):
    """Book the Li-side losses against the anode's Li inventory [C]; cap the cycles it limits.

    PyBaMM's Li metal is unlimited, so its cathode is refilled every cycle. Here the anode holds
    Q_a at assembly; in cycle n the charge moves Q_ch(n) - D onto it (D: Li the cathode lacks
    after a capped discharge, so the charge to vmax extracts that much less), dead Li takes
    (1 - CE_Li) of it, the SEI its growth in the cycle, and the discharge takes
    min(Q_dis(n), Li left); D becomes the discharge's shortfall. Before the inventory runs out
    D = 0 and nothing changes. The voltages are PyBaMM's (the cathode's stoichiometry window
    is not shifted by D: an approximation once the inventory is exhausted).

    Returns
    -------
    (charge, discharge, Li left after each discharge, cumulative dead Li, capped flags), arrays [C]
    """
    n = len(q_ch)
    ch_out, dis_out, left, dead_c = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    limited = np.zeros(n, dtype=bool)
    li, dead, deficit, sei_prev = float(anode), 0.0, 0.0, 0.0
    for k in range(n):
        ch = max(q_ch[k] - deficit, 0.0)
        d_dead = (1.0 - ce_li) * ch
        dead += d_dead
        li += ch - d_dead - (sei[k] - sei_prev)
        sei_prev = sei[k]
        take = min(q_dis[k], max(li, 0.0))
        deficit = q_dis[k] - take
        limited[k] = deficit > 0
        li -= take
        ch_out[k], dis_out[k], left[k], dead_c[k] = ch, take, li, dead
    return ch_out, dis_out, left, dead_c, limited


def _hook_name(hook) -> str:
    if isinstance(hook, ParabolicGrowth):
        return f"parabolic: {hook.asr_ref * 1e4:.4g} ohm cm2 x sqrt(t / {hook.t_ref / 3600:.4g} h)"
    return getattr(hook, "__qualname__", type(hook).__name__)


def parse_c_rate(text) -> float:
    """A C-rate from '0.2C', '0.2 C', 'C/5' or '0.2' (> 0); InputError otherwise."""
    s = str(text).strip().replace(" ", "")
    allowed = "a C-rate such as 0.2C, C/5 or 0.2"
    try:
        if s.upper().startswith("C/"):
            v = 1.0 / float(s[2:])
        else:
            v = float(s[:-1] if s.upper().endswith("C") else s)
    except (ValueError, ZeroDivisionError):
        raise InputError("--rate", text, allowed) from None
    if not (math.isfinite(v) and v > 0):
        raise InputError("--rate", text, allowed)
    return v
