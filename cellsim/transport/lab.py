"""Simulated lab experiments on a stack (SPEC C9; physics.md §2.2; seed Table S1, Eq. 2).

* :func:`bruce_vincent` — potentiostatic polarisation, analysed with the Bruce-Vincent
  formula as a lab would (physics.md §2.2).
* :func:`polarize` — galvanostatic current steps and the DC resistance between
  consecutive steps (seed Table S1, Fig. S6).
* :func:`electronic_conductivity_test` — a constant voltage across blocking electrodes; the
  current decays to its electronic part, sigma_e = I L / (U S) (seed Eq. 2, Figs. S5b, S15a).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import F, R
from ..errors import InputError
from .solution import Solution
from .solver import SolverOptions, TransportProblem


def _slowest_diffusion_time(stack) -> float:
    """Slowest relaxation time L^2/(pi^2 D) [s] over the polymer layers (0 if none)."""
    T = stack.temperature
    return max((l.thickness ** 2 / (math.pi ** 2 * l.salt_diffusivity(T)) for _, l in stack.polymer_layers()),
               default=0.0)


def interfacial_resistance(problem: TransportProblem, sol: Solution, index: int) -> float:
    """Linear interfacial resistance [ohm] of the stack at output point ``index``.

    What EIS at that state reads as the interfacial arcs: sum over interfaces of
    ``1 / (d jf/d eta)`` at the face concentration and overpotential of that state (the
    Butler-Volmer slope ``i0(c) f [alpha e^{alpha f eta} + (1-alpha) e^{-(1-alpha) f eta}]``,
    physics.md §2.4) plus the series SEI resistance, divided by the area.
    """
    f = F / (R * problem.T)
    total = 0.0
    for k, name in enumerate(problem.interface_names):
        kind = problem.ikind[k]
        if kind in (1, 2):
            i0 = problem.i0[k]
            p = problem.ip[k]
            if p >= 0:
                layer = problem.layer_names[p]
                side = "left" if problem.iside[k] == 0 else "right"
                c = max(sol.face_concentration(layer, side)[index], problem.options.concentration_floor * problem.c0p[p])
                i0 = i0 * (c / problem.cref[k]) ** problem.alpha[k]
            a = problem.alpha[k]
            eta = sol.overpotentials[name][index] if kind == 1 else 0.0
            slope = i0 * f * (a * math.exp(a * f * eta) + (1 - a) * math.exp(-(1 - a) * f * eta)) if kind == 1 else i0 * f
            total += 1.0 / slope
        total += problem.Rs[k]
    return total / problem.stack.area


@dataclass
class TransferenceResult:
    """A simulated Bruce-Vincent experiment (SI units).

    Attributes
    ----------
    t_plus : float
        Bruce-Vincent transference number (apparent t+ for a sandwich).
    i0_A, iss_A : float
        Initial current (after the double-layer spike, extrapolated to t = 0 from the
        sqrt(t) window) and steady-state current [A].
    r0_ohm, rss_ohm : float
        Interfacial resistances before polarisation and at steady state [ohm].
    dv_V : float
        Applied voltage step [V].
    i0_window_s : tuple
        The time window [s] used for the I0 extrapolation.
    solution : Solution
    """

    t_plus: float
    i0_A: float
    iss_A: float
    r0_ohm: float
    rss_ohm: float
    dv_V: float
    duration_s: float
    i0_window_s: tuple
    solution: Solution

    def as_dict(self) -> dict:
        return {"t_plus": self.t_plus, "i0_A": self.i0_A, "iss_A": self.iss_A, "r0_ohm": self.r0_ohm,
                "rss_ohm": self.rss_ohm, "dv_V": self.dv_V, "duration_s": self.duration_s,
                "i0_window_s": list(self.i0_window_s)}


def bruce_vincent(stack, dv: float = 0.010, duration: float | None = None,
                  options: SolverOptions | None = None) -> TransferenceResult:
    """Simulated Bruce-Vincent experiment (physics.md §2.2).

    A potentiostatic step ``dv`` is held for ``duration``; then

    ``t+ = I_ss (dV - I_0 R_0) / (I_0 (dV - I_ss R_ss))``

    with R_0 and R_ss the interfacial resistances "from EIS" before the step and at steady
    state (:func:`interfacial_resistance`), I_ss the final current and I_0 the initial
    current after the double-layer spike: the current is fitted as ``a + b sqrt(t)`` over
    ``[t1, 4 t1]`` (t1 = 20 double-layer time constants, at least 1e-4 of the diffusion
    time) and extrapolated to t = 0, which removes the first-order sqrt(t) decay of the
    diffusion polarisation. For a sandwich the result is the apparent t+
    ``(R_b,p + R_b,c)/(R_b,p + R_b,c + R_d,p)`` of physics.md §2.2.

    Parameters
    ----------
    stack : Stack
    dv : float
        Voltage step [V] (> 0; <= 10 mV keeps it linear).
    duration : float, optional
        Hold time [s]; default 8 L^2/(pi^2 D) of the slowest polymer layer (steady to ~3e-4).
    options : SolverOptions, optional
    """
    if not (isinstance(dv, (int, float)) and math.isfinite(dv) and dv > 0):
        raise InputError("dv", dv, "a voltage step > 0 V, e.g. 10 mV")
    tau_d = _slowest_diffusion_time(stack)
    if tau_d == 0:
        raise InputError("stack", stack.name, "a stack with at least one binary polymer layer (nothing polarises)")
    if duration is None:
        duration = 8.0 * tau_d
    if not (isinstance(duration, (int, float)) and math.isfinite(duration) and duration > 0):
        raise InputError("duration", duration, "a hold time > 0 s")
    options = options or SolverOptions(rtol=1e-6)
    problem = TransportProblem(stack, options)
    tau_dl = 0.0
    for k in range(problem.ikind.size):
        if problem.Cdl[k] > 0 and problem.ikind[k] in (1, 2):
            r_ct = R * problem.T / (F * problem.i0[k])
            tau_dl = max(tau_dl, problem.Cdl[k] * r_ct)
    t1 = max(20.0 * tau_dl, 1e-4 * tau_d)
    t2 = 4.0 * t1
    if t2 > 0.01 * tau_d:
        raise InputError("stack", stack.name, "a double-layer time much shorter than the diffusion time "
                         f"(20 R_ct C = {t1:.3g} s vs L^2/(pi^2 D) = {tau_d:.3g} s)")
    window = np.linspace(math.sqrt(t1), math.sqrt(t2), 21) ** 2
    out_t = np.concatenate([window, np.geomspace(t2 * 1.5, duration, 200)])
    out_t = np.unique(np.clip(out_t, 0, duration))
    sol = problem.run(f"Hold at {float(dv)!r} V for {float(duration)!r} s", output_times=out_t)
    I = sol.current
    sel = (sol.time >= t1 * (1 - 1e-12)) & (sol.time <= t2 * (1 + 1e-12))
    b, a = np.polyfit(np.sqrt(sol.time[sel]), I[sel], 1)
    i0 = float(a)
    iss = float(I[-1])
    r0 = interfacial_resistance(problem, sol, 0)
    rss = interfacial_resistance(problem, sol, sol.time.size - 1)
    t_plus = iss * (dv - i0 * r0) / (i0 * (dv - iss * rss))
    return TransferenceResult(t_plus=float(t_plus), i0_A=i0, iss_A=iss, r0_ohm=r0, rss_ohm=rss, dv_V=dv,
                              duration_s=duration, i0_window_s=(t1, t2), solution=sol)


@dataclass
class PolarizationResult:
    """Galvanostatic current steps (seed Table S1).

    Attributes
    ----------
    currents_A : ndarray
        Applied currents [A], in order.
    voltages_V : ndarray
        Voltage at the end of each step [V].
    dcr_ohm : ndarray
        DC resistance between consecutive steps, (V_k - V_{k-1})/(I_k - I_{k-1}) [ohm]
        (one fewer than the currents).
    hold_s : float
        How long each step was held [s].
    solution : Solution
    """

    currents_A: np.ndarray
    voltages_V: np.ndarray
    dcr_ohm: np.ndarray
    hold_s: float
    solution: Solution

    def as_dict(self) -> dict:
        return {"currents_A": self.currents_A, "voltages_V": self.voltages_V, "dcr_ohm": self.dcr_ohm,
                "hold_s": self.hold_s}


def polarize(stack, currents, hold: float | None = None, options: SolverOptions | None = None) -> PolarizationResult:
    """Galvanostatic steps at the given currents, held one after the other (Table S1, Fig. S6).

    Each current is applied for ``hold`` seconds directly after the previous one (no rest)
    and the voltage is read at the end of the step. The seed gives no step duration; the
    default holds each step to steady state, 10 L^2/(pi^2 D) of the slowest polymer layer
    (the slowest diffusion mode has decayed to e^-10 = 5e-5), or 60 s for stacks without
    polymer layers.

    Parameters
    ----------
    stack : Stack
    currents : sequence of float
        Currents [A] (sign: plating from left to right is positive).
    hold : float, optional
        Duration of each step [s].
    """
    cur = np.asarray(currents, dtype=float).ravel()
    if cur.size == 0 or not np.all(np.isfinite(cur)):
        raise InputError("currents", list(currents), "one or more finite currents, e.g. 0.1,1,2 uA")
    if hold is None:
        tau = _slowest_diffusion_time(stack)
        hold = 10.0 * tau if tau > 0 else 60.0
    if not (isinstance(hold, (int, float)) and math.isfinite(hold) and hold > 0):
        raise InputError("hold", hold, "a step duration > 0 s")
    steps = []
    for i in cur:
        verb = "Plate" if i >= 0 else "Strip"
        steps.append(f"{verb} at {float(abs(i))!r} A for {float(hold)!r} s")
    problem = TransportProblem(stack, options or SolverOptions())
    sol = problem.run("; ".join(steps), output_times=[])
    v = np.array([sol.voltage[sol.step == k][-1] for k in range(cur.size)])
    dcr = np.diff(v) / np.diff(cur) if cur.size > 1 else np.zeros(0)
    return PolarizationResult(currents_A=cur, voltages_V=v, dcr_ohm=dcr, hold_s=float(hold), solution=sol)


@dataclass
class ElectronicConductivityResult:
    """Constant-voltage test across blocking electrodes (seed Eq. 2).

    Attributes
    ----------
    voltage_V : float
    current_A : float
        Current at the end of the hold [A] (its electronic part once the ionic
        double-layer charging has decayed).
    conductivity_S_m : float
        sigma_e = I L / (U S) [S/m] with L the total electrolyte thickness.
    initial_current_A : float
        Current just after the step (double-layer charging through the ionic path) [A].
    solution : Solution
    """

    voltage_V: float
    current_A: float
    conductivity_S_m: float
    initial_current_A: float
    duration_s: float
    solution: Solution

    def as_dict(self) -> dict:
        return {"voltage_V": self.voltage_V, "current_A": self.current_A, "conductivity_S_m": self.conductivity_S_m,
                "initial_current_A": self.initial_current_A, "duration_s": self.duration_s}


def electronic_conductivity_test(stack, voltage: float = 0.15, duration: float = 600.0,
                                 options: SolverOptions | None = None) -> ElectronicConductivityResult:
    """Hold ``voltage`` across the stack and read the current it decays to (seed Eq. 2).

    With blocking electrodes (SS) the ionic current only charges the double layers and
    decays; what remains is the electronic current U / R_e. The seed uses 0.15 V for the
    UVEA film and 3 V for the LIC pellets. ``sigma_e = I L / (U S)``.
    """
    if not (isinstance(voltage, (int, float)) and math.isfinite(voltage) and voltage != 0):
        raise InputError("voltage", voltage, "a non-zero voltage, e.g. 0.15 V or 3 V")
    if not (isinstance(duration, (int, float)) and math.isfinite(duration) and duration > 0):
        raise InputError("duration", duration, "a hold time > 0 s")
    problem = TransportProblem(stack, options or SolverOptions())
    out_t = np.geomspace(duration * 1e-9, duration, 181)
    sol = problem.run(f"Hold at {float(voltage)!r} V for {float(duration)!r} s", output_times=out_t)
    i_end = float(sol.current[-1])
    sigma = i_end * stack.total_thickness / (voltage * stack.area)
    return ElectronicConductivityResult(voltage_V=voltage, current_A=i_end, conductivity_S_m=sigma,
                                        initial_current_A=float(sol.current[1]), duration_s=duration, solution=sol)


def calibrate_interface_resistance(stack, currents, voltages, interfaces=(0, -1), hold: float | None = None,
                                   options: SolverOptions | None = None) -> dict:
    """Fit the charge-transfer ASR of ``interfaces`` (all set equal) to measured current steps.

    The measured voltages are reduced to their least-squares line ``V = V_off + R_dc I``
    (the seed's Table S1 has an offset V_off that no resistive model reproduces); the ASR is
    chosen so that the simulated :func:`polarize` gives the same slope R_dc (secant
    iteration; the model is nearly linear, the slope is ``R_b + R_d + sum R_ct + ...``).

    Returns
    -------
    dict
        ``resistance_ohm_m2`` (the fitted ASR per interface), ``slope_ohm`` (measured R_dc),
        ``offset_V`` (measured V_off), ``model_slope_ohm``, ``model_voltages_V``,
        ``residuals_V`` (model - measured), ``iterations``.
    """
    from dataclasses import replace as _replace

    from ..materials import Parameter

    cur = np.asarray(currents, float)
    vol = np.asarray(voltages, float)
    if cur.shape != vol.shape or cur.size < 2:
        raise InputError("voltages", list(voltages), "as many voltages as currents (at least two)")
    slope, offset = np.polyfit(cur, vol, 1)
    idx = [k % len(stack.interfaces) for k in interfaces]

    def with_asr(asr):
        ifs = list(stack.interfaces)
        for k in idx:
            params = dict(ifs[k].parameters)
            params.pop("exchange_current_density", None)
            params["resistance"] = Parameter(float(asr), "ohm m2", "calibrate_interface_resistance", "calibrated")
            ifs[k] = _replace(ifs[k], parameters=params)
        return stack.replace(interfaces=tuple(ifs))

    def model_slope(asr):
        res = polarize(with_asr(asr), cur, hold=hold, options=options)
        return float(np.polyfit(cur, res.voltages_V, 1)[0]), res

    base = sum(stack.interface_resistances()[k] for k in idx)
    x0 = max(base * stack.area / len(idx), 1e-8)
    s0, _ = model_slope(x0)
    x1 = max(x0 + (slope - s0) * stack.area / len(idx), 1e-8)
    s1, res = model_slope(x1)
    it = 2
    while abs(s1 - slope) > 1e-9 * abs(slope) and it < 30:
        x0, s0, x1 = x1, s1, max(x1 + (slope - s1) * (x1 - x0) / (s1 - s0), 1e-8)
        s1, res = model_slope(x1)
        it += 1
    return {"resistance_ohm_m2": x1, "slope_ohm": float(slope), "offset_V": float(offset), "model_slope_ohm": s1,
            "model_voltages_V": res.voltages_V, "residuals_V": res.voltages_V - vol, "iterations": it,
            "dcr_ohm": res.dcr_ohm}
