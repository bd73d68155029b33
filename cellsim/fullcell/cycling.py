"""Full-cell cycling on PyBaMM's Li-metal half-cell model (working electrode: positive).

What is taken from where (all SI):

* **Cathode** — Chen2020's NMC811 positive electrode (OCP, solid diffusivity, particle
  radius, exchange current, conductivity, porosity 0.335, active volume fraction 0.665,
  c_max = 63104 mol/m3). Chen2020 describes the whole LG M50 cell (5 A h); only the
  *per-area* electrode properties are kept. The thickness is set so that the electrode
  holds **this** cell's capacity ``Q_c = loading x active_fraction x 210 mAh/g``
  (7.4 mg/cm2 x 0.9 x 210 mAh/g = 1.3986 mAh/cm2) between the pristine stoichiometry
  ``x_pristine`` (0.98: fresh, nearly fully lithiated; x = 1 would make Chen2020's
  exchange current zero) and the stoichiometry where Chen2020's OCP equals the
  ``reference_voltage`` (4.3 V, the middle of the seed's two windows 4.2 and 4.4 V):

  .. math:: L_c = Q_c / (\\varepsilon_{am} c_{max} F (x_{pristine} - x(U_{ref})))

  giving L_c = 17.3 um. (The real coating is thicker, ~26 um for 7.4 mg/cm2 at ~30 %
  porosity, because Chen2020's c_max exceeds NMC811's crystallographic 4.9e4 mol/m3;
  what is matched is the capacity, not the geometry.) The cathode pores hold the
  polymer electrolyte (no catholyte).
* **Li metal** — PyBaMM's Li-metal interface with Butler-Volmer kinetics; i0 from the
  stack's Li|polymer charge-transfer resistance (i0 = R T / (F R_ct)) times Xu2019's
  concentration dependence (c_e/c0)^0.3, or Xu2019's own
  "Exchange-current density for lithium metal electrode [A.m-2]"
  (3.5e-8 F c_Li^0.7 c_e^0.3) with ``li_kinetics="xu2019"``.
* **Electrolyte** — :class:`~cellsim.fullcell.design.Sandwich`: polymer layers as the
  separator (porosity 1), everything else as "Contact resistance [Ohm]" (option
  ``"contact resistance": "true"``), an ``I R_s`` term in the terminal voltage.
* **Currents** — from this cell's capacity: 1 C = 210 mA/g x m_am (1.86 mA for 1.33 cm2),
  "Nominal cell capacity [A.h]" is set to it too.

Approximations (quantified by :func:`cellsim.fullcell.comparison.approximation_check` and
:func:`~cellsim.fullcell.comparison.transport_check`; seed cells at 0.2 C):

* the polymer layers are one continuous separator: steady diffusion polarization is the
  same (R_d is linear in L), its build-up is slower; effect on the mean discharge voltage
  0.4-0.5 mV (closed forms);
* the middle layer (and the polymer in its pores) is purely ohmic, the planar interfaces
  linear: exact for the series term (I R_s to 1e-9);
* the cathode pores hold the polymer (PyBaMM then adds ~3 mV of pore-electrolyte
  polarization that the transport solver, without a porous cathode, does not have);
* PyBaMM's Li metal is an unlimited reservoir: the Li inventory (N/P) is reported, not
  simulated (the seed's charge-first cycle plates Li before it strips it);
* no first-cycle irreversible capacity of NMC811, no SEI growth, isothermal;
* ``x_pristine`` is the cathode's full lithiation: a discharge ends at the voltage cut-off
  or when the particle mean is back at ``x_pristine``, whichever comes first (see
  :func:`_lithiation_limit`); so the first-cycle Coulombic efficiency is at most 100 %.

PyBaMM is imported inside the functions only.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..constants import F
from ..errors import InputError, SolverError
from .design import LI_MOLAR_VOLUME, FullCellDesign, mAh_g

#: fresh-cathode stoichiometry (x = c_s / c_max) at assembly
X_PRISTINE = 0.98
#: OCP [V] up to which the cathode holds 210 mAh/g (middle of the seed's 4.2 / 4.4 V windows)
REFERENCE_VOLTAGE = 4.3
MODELS = ("DFN", "SPMe", "SPM")
PROTOCOLS = ("cycle", "discharge")
LI_ELECTRONIC_CONDUCTIVITY = 1.1e7  # S/m (parameters/li.toml: 1.1e5 S/cm)
SERIES_INPUT = "Series resistance [Ohm]"


def _pybamm():
    os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
    import pybamm

    return pybamm


def chen2020():
    """A fresh copy of PyBaMM's Chen2020 parameter set."""
    return _pybamm().ParameterValues("Chen2020")


def ocp(x: float, pv=None) -> float:
    """Chen2020 NMC811 open-circuit potential U(x) [V] at stoichiometry ``x``."""
    pybamm = _pybamm()
    pv = chen2020() if pv is None else pv
    return float(pv.evaluate(pv["Positive electrode OCP [V]"](pybamm.Scalar(float(x)))))


def stoichiometry_at(voltage: float, pv=None, field_name: str = "voltage") -> float:
    """Stoichiometry x where Chen2020's NMC811 OCP equals ``voltage`` [V] (bisection on 0.02-0.999)."""
    from scipy.optimize import brentq

    pv = chen2020() if pv is None else pv
    lo, hi = 0.02, 0.999
    u_lo, u_hi = ocp(lo, pv), ocp(hi, pv)
    if not (u_hi < voltage < u_lo):
        raise InputError(field_name, voltage, f"a voltage inside Chen2020's NMC811 OCP range {u_hi:.3f}-{u_lo:.3f} V")
    return float(brentq(lambda x: ocp(x, pv) - voltage, lo, hi, xtol=1e-12))


def parameter_values(design: FullCellDesign, *, initial: str = "pristine", x_pristine: float = X_PRISTINE,
                     reference_voltage: float = REFERENCE_VOLTAGE):
    """PyBaMM parameter values of ``design`` and what was matched.

    Parameters
    ----------
    design : FullCellDesign
    initial : str
        ``"pristine"`` (x = x_pristine, the seed's first cycle starts with a charge) or
        ``"charged"`` (x where the OCP equals ``design.vmax``).
    x_pristine : float
        Stoichiometry of the fresh cathode (0 < x < 1).
    reference_voltage : float
        OCP [V] up to which the cathode holds Q_c (see the module docstring).

    Returns
    -------
    (pybamm.ParameterValues, dict)
        The dict holds ``cathode_thickness_m``, ``x_pristine``, ``x_reference``,
        ``x_initial``, ``x_at_vmax``, ``ocv_capacity_mAh_g`` (between x_pristine and vmax).
        The series resistance is the input ``"Series resistance [Ohm]"``.
    """
    pybamm = _pybamm()
    if initial not in ("pristine", "charged"):
        raise InputError("initial", initial, "'pristine' or 'charged'")
    if not 0 < x_pristine < 1:
        raise InputError("x_pristine", x_pristine, "a stoichiometry in (0, 1)")
    pv = chen2020()
    cmax = pv["Maximum concentration in positive electrode [mol.m-3]"]
    eps = pv["Positive electrode active material volume fraction"]
    x_ref = stoichiometry_at(reference_voltage, pv, "reference_voltage")
    if x_ref >= x_pristine:
        raise InputError("reference_voltage", reference_voltage, f"an OCP above U(x_pristine) = {ocp(x_pristine, pv):.3f} V")
    x_vmax = stoichiometry_at(design.vmax, pv, "vmax")
    L_c = design.cathode.areal_capacity / (eps * cmax * F * (x_pristine - x_ref))
    x0 = x_pristine if initial == "pristine" else x_vmax
    s = design.sandwich
    T = design.temperature
    c0 = s.salt_concentration
    if design.li_kinetics == "stack":
        i0 = s.li_exchange_current_density(T)
        i0 = 1e6 if math.isinf(i0) else i0  # ideal interface: i0 so large that eta ~ 0

        def li_i0(c_e, c_Li, T_):
            return i0 * (c_e / c0) ** 0.3
    else:
        li_i0 = pybamm.ParameterValues("Xu2019")["Exchange-current density for lithium metal electrode [A.m-2]"]
    capacity_Ah = design.capacity / 3600.0
    pv.update({
        "Positive electrode thickness [m]": L_c,
        "Initial concentration in positive electrode [mol.m-3]": x0 * cmax,
        "Separator thickness [m]": s.thickness,
        "Separator porosity": 1.0,
        "Electrolyte conductivity [S.m-1]": s.conductivity,
        "Electrolyte diffusivity [m2.s-1]": s.diffusivity,
        "Cation transference number": s.transference_number,
        "Thermodynamic factor": s.thermodynamic_factor,
        "Initial concentration in electrolyte [mol.m-3]": c0,
        "Electrode height [m]": design.area,
        "Electrode width [m]": 1.0,
        "Number of electrodes connected in parallel to make a cell": 1.0,
        "Nominal cell capacity [A.h]": capacity_Ah,
        "Ambient temperature [K]": T,
        "Initial temperature [K]": T,
        "Lower voltage cut-off [V]": design.vmin,
        "Upper voltage cut-off [V]": design.vmax,
        "Contact resistance [Ohm]": pybamm.InputParameter(SERIES_INPUT),
        "Exchange-current density for lithium metal electrode [A.m-2]": li_i0,
        "Lithium metal partial molar volume [m3.mol-1]": LI_MOLAR_VOLUME,
        "Negative electrode thickness [m]": design.anode_capacity * LI_MOLAR_VOLUME / F,
        "Negative electrode conductivity [S.m-1]": LI_ELECTRONIC_CONDUCTIVITY,
    }, check_already_exists=False)
    info = {"cathode_thickness_m": L_c, "x_pristine": x_pristine, "x_reference": x_ref,
            "reference_voltage_V": reference_voltage, "x_initial": x0, "x_at_vmax": x_vmax,
            "ocv_capacity_mAh_g": mAh_g(eps * cmax * F * L_c * (x_pristine - x_vmax) / design.cathode.active_loading)}
    return pv, info


@dataclass
class Step:
    """One constant-current step: ``charge`` or ``discharge``."""

    name: str
    time_s: np.ndarray
    voltage_V: np.ndarray
    capacity_mAh_g: np.ndarray
    termination: str = ""

    @property
    def capacity(self) -> float:
        """Capacity passed in the step [mAh/g of active material]."""
        return float(self.capacity_mAh_g[-1]) if self.capacity_mAh_g.size else 0.0

    @property
    def mean_voltage(self) -> float:
        """Capacity-weighted mean voltage, int V dQ / Q [V]."""
        q = self.capacity_mAh_g
        if q.size < 2 or q[-1] <= 0:
            return float("nan")
        return float(np.trapezoid(self.voltage_V, q) / q[-1])


@dataclass
class FullCellResult:
    """First-cycle result of :func:`simulate`.

    Attributes
    ----------
    design : FullCellDesign
    model, protocol : str
    c_rate : float
    current_A : float
        Current magnitude [A].
    series_resistance_ohm : float
        The R_s used (design's plus ``extra_series_resistance``).
    steps : list of Step
    matched : dict
        What the cathode was matched to (see :func:`parameter_values`).
    overpotentials : dict
        Discharge-step time series [V] from PyBaMM (positive = loss): ``electrolyte_ohmic_V``,
        ``concentration_V``, ``series_V``, ``li_reaction_V``; and ``time_s``.
    """

    design: FullCellDesign
    model: str
    protocol: str
    c_rate: float
    current_A: float
    series_resistance_ohm: float
    steps: list
    matched: dict
    overpotentials: dict = field(default_factory=dict)

    def step(self, name: str) -> Step:
        """The ``"charge"`` or ``"discharge"`` step."""
        for s in self.steps:
            if s.name == name:
                return s
        raise InputError("step", name, "one of " + ", ".join(s.name for s in self.steps))

    @property
    def charge_capacity_mAh_g(self) -> float | None:
        """First-cycle charge capacity [mAh/g of active material] (None for a discharge-only protocol)."""
        return self.step("charge").capacity if any(s.name == "charge" for s in self.steps) else None

    @property
    def discharge_capacity_mAh_g(self) -> float:
        """First-cycle discharge capacity [mAh/g of active material]."""
        return self.step("discharge").capacity

    @property
    def mean_discharge_voltage_V(self) -> float:
        """Capacity-weighted mean discharge voltage int V dQ / Q [V]."""
        return self.step("discharge").mean_voltage

    @property
    def discharge_areal_capacity_mAh_cm2(self) -> float:
        """Discharge capacity per cathode area [mAh/cm2]."""
        return self.discharge_capacity_mAh_g * self.design.cathode.active_loading * 0.1  # kg/m2 -> g/cm2

    @property
    def time_s(self) -> np.ndarray:
        """Time since the start of the protocol [s], all steps."""
        return np.concatenate([s.time_s for s in self.steps])

    @property
    def voltage_V(self) -> np.ndarray:
        """Cell voltage [V], all steps."""
        return np.concatenate([s.voltage_V for s in self.steps])

    @property
    def self_discharge_A(self) -> float:
        """I_sd = vmax / R_e [A] (see :meth:`FullCellDesign.self_discharge_current`)."""
        return self.design.self_discharge_current()

    @property
    def capacity_loss_per_day(self) -> float:
        """Fraction of the nominal capacity lost per day by electronic leakage at vmax [1/day]."""
        return self.design.capacity_loss_per_day()

    def to_dict(self, arrays: bool = True) -> dict[str, Any]:
        """JSON-ready summary (SI keys; capacities in mAh/g as the seed reports them)."""
        d = self.design
        out: dict[str, Any] = {
            "model": d.name, "pybamm_model": self.model, "protocol": self.protocol, "c_rate": self.c_rate,
            "current_A": self.current_A, "current_density_A_m2": self.current_A / d.area,
            "capacity_mAh_g": self.discharge_capacity_mAh_g,
            "charge_capacity_mAh_g": self.charge_capacity_mAh_g,
            "mean_voltage_V": self.mean_discharge_voltage_V,
            "vmin_V": d.vmin, "vmax_V": d.vmax, "temperature_K": d.temperature, "area_m2": d.area,
            "cell_capacity_C": d.capacity,
            "cathode_areal_capacity_C_m2": d.cathode.areal_capacity,
            "cathode_areal_capacity_seed_C_m2": d.cathode.seed_areal_capacity,
            "anode_areal_capacity_C_m2": d.anode_capacity,
            "n_p_ratio": d.n_p_ratio, "n_p_ratio_seed_convention": d.n_p_ratio_seed,
            "electronic_resistance_ohm": d.electronic_resistance,
            "self_discharge_A": self.self_discharge_A, "capacity_loss_per_day": self.capacity_loss_per_day,
            "series_resistance_ohm": self.series_resistance_ohm,
            "series_parts_ohm": dict(d.sandwich.series_parts),
            "separator_thickness_m": d.sandwich.thickness,
            "electrolyte_conductivity_S_m": d.sandwich.conductivity,
            "cathode_thickness_m": self.matched["cathode_thickness_m"],
            "ocv_capacity_mAh_g": self.matched["ocv_capacity_mAh_g"],
            "step_terminations": {s.name: s.termination for s in self.steps},
        }
        if arrays:
            out["time_s"] = self.time_s
            out["voltage_V"] = self.voltage_V
            out["step"] = [s.name for s in self.steps for _ in range(s.time_s.size)]
            out["capacity_curve_mAh_g"] = np.concatenate([s.capacity_mAh_g for s in self.steps])
        return out


_SIMS: dict = {}


def _cache_key(design: FullCellDesign, model: str, protocol: str, current: float, kw: Mapping) -> tuple:
    s = design.sandwich
    return (model, protocol, round(current, 15), design.vmin, design.vmax, design.temperature, design.area,
            design.cathode.loading, design.cathode.active_fraction, design.cathode.specific_capacity,
            design.anode_capacity, design.li_kinetics, s.thickness, s.conductivity, s.diffusivity,
            s.transference_number, s.salt_concentration, s.thermodynamic_factor, s.li_charge_transfer,
            tuple(sorted(kw.items())))


#: name of the discharge's second termination event (see :func:`_lithiation_limit`)
LITHIATION_LIMIT = "cathode back at its pristine lithiation"


def _lithiation_limit(x_full: float):
    """PyBaMM termination: the discharge ends when the cathode's mean stoichiometry reaches ``x_full``.

    Chen2020's NMC811 OCP stays above 3.49 V up to x = 1, so a discharge to a 2.7 V cut-off
    ends only when the particle *surfaces* saturate (x_surface -> 1); at 0.2 C the particle
    mean is then 0.982, above the pristine 0.98 the first charge started from. The Li metal
    is an unlimited reservoir, so without this limit the first discharge re-inserts more Li
    than the charge removed (202.7 vs 202.2 mAh/g on li-uvea-latp-uvea-nmc811: a Coulombic
    efficiency of 100.26 %). A pristine NMC811 is fully lithiated LiMO2 at assembly
    (``x_pristine`` stands for it); inserting Li beyond it (over-lithiation to Li1+yMO2) needs
    potentials far below the 2.7 V cut-off, so the discharge stops there: with no side
    reactions the first-cycle efficiency is at most 100 %.
    """
    pybamm = _pybamm()

    def event(variables):
        return x_full - variables["Average positive particle stoichiometry"]

    return pybamm.step.CustomTermination(LITHIATION_LIMIT, event)


def _simulation(design: FullCellDesign, model: str, protocol: str, current: float, **kw):
    """A built-once :class:`pybamm.Simulation` (cached per design, model, protocol, current)."""
    pybamm = _pybamm()
    key = _cache_key(design, model, protocol, current, kw)
    hit = _SIMS.get(key)
    if hit is not None:
        return hit
    pv, info = parameter_values(design, initial="pristine" if protocol == "cycle" else "charged", **kw)
    options = {"working electrode": "positive", "contact resistance": "true"}
    pb_model = getattr(pybamm.lithium_ion, model)(options)
    hours = 1.0 / max(current / (design.capacity / 3600.0), 1e-12)
    period = max(1.0, min(60.0, hours * 3600.0 / 400.0))
    limit = f"{2.0 * hours:.6g} hours"  # no step can pass twice the nominal capacity
    x_full = info["x_pristine"]
    steps = [pybamm.step.current(current, duration=2.0 * hours * 3600.0,
                                 termination=[f"{design.vmin:.6g} V", _lithiation_limit(x_full)])]
    if protocol == "cycle":
        steps.insert(0, f"Charge at {current:.12g} A for {limit} or until {design.vmax:.6g} V")
    experiment = pybamm.Experiment(steps, period=f"{period:.6g} seconds")
    sim = pybamm.Simulation(pb_model, parameter_values=pv, experiment=experiment, solver=pybamm.IDAKLUSolver())
    if len(_SIMS) > 32:
        _SIMS.clear()
    _SIMS[key] = (sim, info)
    return sim, info


def simulate(design: FullCellDesign, c_rate: float = 0.2, *, model: str = "DFN", protocol: str = "cycle",
             extra_series_resistance: float = 0.0, x_pristine: float = X_PRISTINE,
             reference_voltage: float = REFERENCE_VOLTAGE) -> FullCellResult:
    """First cycle of a full cell at ``c_rate`` (seed protocol: CC charge to vmax, CC discharge to vmin).

    Parameters
    ----------
    design : FullCellDesign
        See :meth:`FullCellDesign.from_stack`.
    c_rate : float
        C-rate of this cell (1 C = 210 mA/g x active mass).
    model : str
        ``"DFN"`` (default), ``"SPMe"`` or ``"SPM"`` (PyBaMM lithium_ion models).
    protocol : str
        ``"cycle"`` (from the pristine cathode: charge, then discharge) or ``"discharge"``
        (one discharge from the relaxed charged state, OCP = vmax).
    extra_series_resistance : float
        Added to the sandwich's series resistance [ohm] (e.g. for sensitivity tests).

    Returns
    -------
    FullCellResult
    """
    if model not in MODELS:
        raise InputError("model", model, "one of " + ", ".join(MODELS))
    if protocol not in PROTOCOLS:
        raise InputError("protocol", protocol, "one of " + ", ".join(PROTOCOLS))
    if not (isinstance(extra_series_resistance, (int, float)) and math.isfinite(extra_series_resistance)
            and extra_series_resistance >= 0):
        raise InputError("extra_series_resistance", extra_series_resistance, "a resistance >= 0 ohm")
    current = design.current(c_rate)
    r_s = design.sandwich.series_resistance + extra_series_resistance
    sim, info = _simulation(design, model, protocol, current, x_pristine=x_pristine,
                            reference_voltage=reference_voltage)
    pybamm = _pybamm()
    try:
        sol = sim.solve(inputs={SERIES_INPUT: r_s})
    except pybamm.SolverError as exc:  # pragma: no cover - depends on PyBaMM internals
        raise SolverError(f"PyBaMM failed for {design.name} at {c_rate} C: {exc}") from None
    raw_steps = [st for cyc in sol.cycles for st in cyc.steps]
    names = ["charge", "discharge"] if protocol == "cycle" else ["discharge"]
    if len(raw_steps) < len(names):
        raise SolverError(f"PyBaMM stopped after {len(raw_steps)} of {len(names)} steps for {design.name}: "
                          f"{sol.termination} (the series resistance may exceed the voltage window)")
    m_am_g = design.active_mass * 1e3
    steps = []
    for name, st in zip(names, raw_steps):
        t = np.asarray(st["Time [s]"].entries, dtype=float)
        V = np.asarray(st["Voltage [V]"].entries, dtype=float)
        q = current * (t - t[0]) / 3.6 / m_am_g  # mAh/g
        steps.append(Step(name, t, V, q, st.termination))
    dis = raw_steps[names.index("discharge")]
    td = np.asarray(dis["Time [s]"].entries, dtype=float)

    def var(name):
        return np.asarray(dis[name].entries, dtype=float)

    over = {"time_s": td - td[0],
            "electrolyte_ohmic_V": -var("X-averaged electrolyte ohmic losses [V]"),
            "concentration_V": -var("X-averaged concentration overpotential [V]"),
            "series_V": var("Contact overpotential [V]"),
            "li_reaction_V": var("Lithium metal interface reaction overpotential [V]")}
    return FullCellResult(design=design, model=model, protocol=protocol, c_rate=float(c_rate), current_A=current,
                          series_resistance_ohm=r_s, steps=steps, matched=info, overpotentials=over)
