"""Each short-circuit mechanism on its own: the current density at which it alone triggers.

:func:`mechanism_margins` evaluates, for every level J_k of a step-up protocol, the closed-form
condition of each mechanism (the same physics the time simulation of
:mod:`cellsim.shortcircuit.ccd` integrates) and reports the lowest J_k that meets it, or None
when no level of the protocol does. The simulated CCD is where these stages *combine* in time
(a dendrite must first cross the polymer before a crack can start at the ceramic, both fronts
must meet, ...); the margins say which stage is the bottleneck and how far the others are.

Mechanisms (names are the keys of ``margins``):

``polymer_dendrite``
    A dendrite nucleates (Sand: the plating face of a polymer layer next to an electrode runs
    out of salt, finite-layer exact series of physics.md §2.1.3) and crosses that layer
    (velocity ``beta (1 - t+) |J| / (F c0)``) within one half cycle:
    ``t_dep(J) + L / v(J) <= t_half(J)``; never for J <= J_lim.
``crack_initiation``
    ``J >= eta_crit(a_max) a_c / (f R_c(T))`` at the ceramic next to an electrode (bare cells:
    the electrode's Li | ceramic charge transfer) or behind a polymer layer (a dendrite tip:
    ``R_eff = R_p R_c / (phi_t R_p + R_c)``, the polymer it bypasses in parallel with the tip
    contact) — :mod:`cellsim.shortcircuit.fracture`.
``crack_propagation``
    A filament crosses the ceramic within one plating half cycle:
    ``L F phi / (Omega_Li s J) <= t_half(J)`` (s: the share of the current the contact carries).
``void_formation``
    ``J > J_void(p, T)``: stripping faster than creep and diffusion resupply Li to an electrode
    foil pressed on a ceramic — :mod:`cellsim.shortcircuit.contact` (None when no electrode
    touches a ceramic).
``interphase_growth``
    A reduction / lithiation interphase spans the ceramic (``x^2 = k(T) t``) by the end of level
    J_k, counting the protocol time from the first contact at t = 0 (a lower bound for a
    sandwich, where contact starts only when a dendrite arrives).
``polarization``
    The steady ohmic + Butler-Volmer voltage of the stack reaches ``V_limit``
    (:func:`stack_voltage`; the salt polarization of the polymer layers comes on top).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import F, R
from .contact import contact_fraction, pressed_layers, resistance_at
from .fracture import (initiation_current, largest_flaw, propagation_time, tip_contact_resistance,
                       tip_current_share)
from .mechanisms import (MONROE_NEWMAN_RATIO, griffith_overpotential, interphase_time, layer_shear_modulus,
                         middle_layer_path, monroe_newman_ratio)

__all__ = ["Margins", "mechanism_margins", "depletion_time", "stack_voltage", "tip_contact", "MECHANISMS"]

MECHANISMS = ("polymer_dendrite", "crack_initiation", "crack_propagation", "void_formation", "interphase_growth",
              "polarization")
MAH_CM2 = 36000.0


def depletion_time(current_density: float, thickness: float, diffusivity: float, concentration: float,
                   transference_number: float, threshold: float = 1e-3, terms: int = 400) -> float:
    """Time at which the depleting face of a binary layer between anion-blocking faces reaches
    ``threshold c0`` at constant |J| [s] (inf when it never does: J <= J_lim (1 - threshold)).

    Exact series (physics.md §2.1.3), with q = (1 - t+) |J| / F:
    ``c(L, t) = c0 - (q L / D) [1/2 - (4/pi^2) sum_{n odd} exp(-n^2 pi^2 D t / L^2) / n^2]``
    solved for t by a bracketed Newton iteration (the drop rises and is concave in t;
    :func:`cellsim.shortcircuit._kernels.depletion_time`).
    """
    from ._kernels import depletion_time as kernel

    j = abs(float(current_density))
    L, D, c0 = float(thickness), float(diffusivity), float(concentration)
    q = (1.0 - float(transference_number)) * j / F
    return kernel(q, L, D, c0 * (1.0 - threshold), int(terms))


@dataclass
class Margins:
    """Per-mechanism onset current densities under a protocol (see the module docstring).

    Attributes
    ----------
    margins : dict
        mechanism -> lowest protocol level J_k [A/m2] at which it alone triggers, or None.
    onset : dict
        mechanism -> the continuous threshold [A/m2] where one exists (None otherwise).
    notes : list of str
        Statements in words (e.g. when the protocol cannot discriminate middle layers).
    details : dict
        The intermediate numbers (largest flaw, eta_crit, contact fraction, J_void, ...).
    """

    margins: dict
    onset: dict
    notes: list = field(default_factory=list)
    details: dict = field(default_factory=dict)


def _first(levels: np.ndarray, ok: np.ndarray):
    idx = np.flatnonzero(ok)
    return None if idx.size == 0 else float(levels[idx[0]])


def _polymer_dendrite(stack, protocol, prm, levels, halves, notes, details):
    T = stack.temperature
    out = None
    for pos in sorted({0, len(stack.layers) - 1}):
        layer = stack.layers[pos]
        if layer.kind != "polymer":
            continue
        g = layer_shear_modulus(layer)
        if g is not None:
            ratio = monroe_newman_ratio(g)
            details[f"{layer.name}.effective_shear_modulus_Pa"] = g
            details[f"{layer.name}.monroe_newman_ratio"] = ratio
            if ratio >= MONROE_NEWMAN_RATIO:
                notes.append(f"{layer.name} is stiff enough to suppress dendrites (Monroe-Newman G/G_Li = "
                             f"{ratio:.3g} >= {MONROE_NEWMAN_RATIO:g})")
                continue
        L, D = layer.thickness, layer.salt_diffusivity(T)
        c0, tp = layer.salt_concentration(), layer.transference_number()
        vcoef = prm.enhancement * (1.0 - tp) / (F * c0)
        qcross = L * F * c0 / (prm.enhancement * (1.0 - tp))
        jlim = 2 * F * D * c0 / ((1 - tp) * L)
        ok = np.array([depletion_time(j, L, D, c0, tp, prm.nucleation_threshold) + L / (vcoef * j) <= h
                       for j, h in zip(levels, halves)])
        details[f"{layer.name}.limiting_current_A_m2"] = jlim
        details[f"{layer.name}.crossing_charge_C_m2"] = qcross
        first = _first(levels, ok)
        if first is None:
            if protocol.step_capacity is not None and qcross > protocol.step_capacity:
                notes.append(f"this protocol cannot push a dendrite across {layer.name} in one half cycle: crossing "
                             f"its {L * 1e6:.4g} um needs {qcross / MAH_CM2:.3g} mAh/cm2, more than the "
                             f"{protocol.step_capacity / MAH_CM2:g} mAh/cm2 per half cycle, at any current")
            else:
                notes.append(f"no level of this protocol nucleates and grows a dendrite across {layer.name} "
                             f"({L * 1e6:.4g} um, J_lim {jlim / 10:.3g} mA/cm2) within one half cycle")
        out = first if out is None or (first is not None and first < out) else out
    return out


def _ceramics(stack, prm, levels, halves, cumulative_end, out, onset, details):
    """crack_initiation, crack_propagation, interphase_growth of the non-polymer layers."""
    T = stack.temperature
    a_max = largest_flaw(stack.area, prm.flaw_size, prm.flaw_weibull_modulus)
    a_c = contact_fraction(stack.pressure, prm.li_hardness, prm.contact_floor)
    details.update({"largest_flaw_m": a_max, "contact_fraction": a_c})
    for i, layer in enumerate(stack.layers):
        if layer.kind == "polymer":
            continue
        path = middle_layer_path(layer, T)
        if path.fracture_toughness:
            for rc, share in _contacts(stack, prm, i, T):
                j0 = initiation_current(path.fracture_toughness, a_max, rc, a_c, prm.focusing)
                details[f"{layer.name}.contact_resistance_ohm_m2"] = max(
                    rc, details.get(f"{layer.name}.contact_resistance_ohm_m2", 0.0))
                _keep_min(onset, "crack_initiation", j0)
                _keep_min(out, "crack_initiation", _first(levels, levels >= j0 * (1 - 1e-12)))
                tprop = np.array([propagation_time(layer.thickness, j * share, prm.filament_fraction)
                                  for j in levels])
                _keep_min(out, "crack_propagation", _first(levels, tprop <= halves))
            details[f"{layer.name}.griffith_overpotential_V"] = griffith_overpotential(path.fracture_toughness, a_max)
        if path.kind in ("reduction", "lithiation") and path.growth_constant > 0:
            tc = interphase_time(layer.thickness, path.growth_constant, path.law)
            details[f"{layer.name}.interphase_crossing_time_s"] = tc
            _keep_min(out, "interphase_growth", _first(levels, cumulative_end >= tc))


def tip_contact(stack, prm, i: int, side: str, T: float):
    """``(R_eff [ohm m2], current share)`` of a dendrite tip reaching middle layer ``i`` through
    the polymer on its ``side`` ("left" = layer i-1, "right" = layer i+1), or None when that
    neighbour is no polymer (:func:`~cellsim.shortcircuit.fracture.tip_contact_resistance`)."""
    j, itf = (i - 1, i) if side == "left" else (i + 1, i + 1)
    if not (0 <= j < len(stack.layers) and stack.layers[j].kind == "polymer"):
        return None
    rc_tip = resistance_at(prm.contact_resistance, prm.contact_activation_energy, T)
    rp = stack.layers[j].asr(T) + stack.interfaces[itf].resistance(T)
    return (tip_contact_resistance(rp, rc_tip, prm.tip_contact_fraction),
            tip_current_share(rp, rc_tip, prm.tip_contact_fraction))


def _contacts(stack, prm, i, T):
    """(effective contact ASR [ohm m2], current share) of each way Li can touch middle layer i:
    an electrode foil pressed on it, or a dendrite tip arriving through a neighbouring polymer."""
    n = len(stack.layers)
    out = []
    if i == 0:
        out.append((electrode_contact_resistance(stack.interfaces[0], prm, T), 1.0))
    if i == n - 1:
        out.append((electrode_contact_resistance(stack.interfaces[n], prm, T), 1.0))
    out += [c for c in (tip_contact(stack, prm, i, side, T) for side in ("left", "right")) if c is not None]
    return out or [(resistance_at(prm.contact_resistance, prm.contact_activation_energy, T), 1.0)]


def _keep_min(d, key, value):
    if value is None:
        d.setdefault(key, None)
        return
    cur = d.get(key)
    d[key] = value if cur is None else min(cur, value)


def electrode_contact_resistance(interface, prm, T: float) -> float:
    """Li | ceramic charge-transfer ASR at T [ohm m2] of an electrode's interface: its value at
    the reference temperature scaled with the contact activation energy (unless the interface
    parameter carries its own temperature law)."""
    p = interface.parameters.get("resistance")
    if p is not None and getattr(p, "law", None) is not None:
        return interface.charge_transfer_resistance(T)
    r = interface.charge_transfer_resistance(None)
    if not r > 0:
        r = prm.contact_resistance
    return resistance_at(r, prm.contact_activation_energy, T)


def mechanism_margins(stack, protocol, prm) -> Margins:
    """Onset current density of each mechanism alone under ``protocol`` (module docstring)."""
    T = stack.temperature
    levels = protocol.levels()
    halves = np.array([protocol.half_time(j) for j in levels])
    cumulative_end = np.cumsum(2 * (halves + protocol.rest))
    notes: list[str] = []
    details: dict = {}
    out: dict = {k: None for k in MECHANISMS}
    onset: dict = {k: None for k in MECHANISMS}
    out["polymer_dendrite"] = _polymer_dendrite(stack, protocol, prm, levels, halves, notes, details)
    _ceramics(stack, prm, levels, halves, cumulative_end, out, onset, details)
    jv = prm.pressed_stripping_limit(stack)
    details["void_critical_current_A_m2"] = jv
    if pressed_layers(stack):   # an electrode foil pressed on a ceramic
        onset["void_formation"] = jv
        out["void_formation"] = _first(levels, levels > jv)
    volts = np.array(_stack_voltages(stack, levels))
    details["stack_voltage_at_levels_V"] = volts.tolist()
    out["polarization"] = _first(levels, volts >= prm.voltage_limit)
    return Margins(out, onset, notes, details)


def stack_voltage(stack, current_density: float) -> float:
    """Steady ohmic + kinetic voltage of a stack at |J| [V], without concentration polarization.

    ``V = |J| sum(L_i / sigma_i) + sum_interfaces (2 R T / F) asinh(|J| / (2 i0))`` (symmetric
    Butler-Volmer; ohmic SEI/interphase layers add ``|J| R_sei``). A lower bound on what the
    transport solver gives (it adds the salt polarization of the polymer layers).
    """
    return _stack_voltages(stack, [current_density])[0]


def _stack_voltages(stack, current_densities) -> list:
    """:func:`stack_voltage` at several current densities [V] (the stack's resistances and
    exchange currents looked up once)."""
    T = stack.temperature
    r_bulk, area = stack.total_bulk_resistance(), stack.area
    kinetic = []
    for itf in stack.interfaces:
        if itf.kind in ("blocking", "ideal"):
            continue
        i0 = itf.exchange_current_density(T)
        kinetic.append((i0 if math.isfinite(i0) and i0 > 0 else None, itf._get("sei_resistance", T) or 0.0))
    out = []
    for jj in current_densities:
        j = abs(float(jj))
        v = j * r_bulk * area
        for i0, r_sei in kinetic:
            if i0 is not None:
                v += 2 * R * T / F * math.asinh(j / (2 * i0))
            v += j * r_sei
        out.append(v)
    return out
