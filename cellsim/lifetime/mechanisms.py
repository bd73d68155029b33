"""Closed forms of the slow mechanisms that end a Li | polymer (| LIC | polymer) | Li cell's life.

* **SEI at Li | polymer** (time-driven): diffusion-limited growth
  ``delta(t)^2 = delta0^2 + k_SEI(T) t`` (Pinson & Bazant, J. Electrochem. Soc. 160 (2013)
  A243 [L]), ``k_SEI(T) = k_ref exp[-E_a/R (1/T - 1/T_ref)]``; the grown part adds the ohmic
  ASR ``R_SEI = (delta - delta0) / sigma_SEI`` in series with charge transfer (delta0 is
  already in the calibrated Li|polymer resistance). Not current-enhanced: the charge-driven
  losses are the inactive Li below (most inactive Li is metallic, not SEI: Fang et al.,
  Nature 572 (2019) 511 [L]).
* **Inactive (dead) Li** (charge-driven): a fraction ``f_in = 1 - CE`` of every plated charge
  q is cut off as metal; it piles up at the plating face as a porous layer of thickness
  ``h = f_in Omega_Li q / (F (1 - eps))``, whose polymer-filled pores conduct with Bruggeman's
  ``kappa eps^1.5``. The layer replaces polymer of the same thickness, so it adds
  ``R_dead = h (eps^-1.5 - 1) / kappa`` (Chen et al., J. Mater. Chem. A 5 (2017) 11671 [L]:
  dead Li raises the cell's overpotential through tortuosity). The Li it locks up is lost from
  the electrode's inventory.
* **Deposit-front ratchet**: the front of the Li deposits into the polymer is the top of the
  dead-Li layer, ``x = beta h`` (beta >= 1 where deposits concentrate on protrusions); it
  advances in every plating half cycle and stripping never takes it back. Where the salt at
  the plating face runs out (Sand) a dendrite grows on top of it at the anion drift velocity
  and dissolves back at ``(1 - f_dead)`` of it while stripping, exactly as the step-up tracker
  (:mod:`cellsim.shortcircuit.ccd`) moves it: net ``v_a (f_dead t_h - t_Sand)`` per cycle
  (:func:`dendrite_advance_per_cycle`).
* **Reduction interphase** where the front touches a Li-unstable LIC (LATP): parabolic,
  ``x^2 = k_MCI (t - t_contact)`` (:func:`cellsim.shortcircuit.mechanisms.interphase_thickness`,
  constants in the material files).
"""

from __future__ import annotations

import math

from ..constants import F, R
from ..errors import InputError
from ..shortcircuit.mechanisms import OMEGA_LI

__all__ = ["arrhenius_factor", "sei_thickness", "sei_resistance", "sei_time_to_resistance", "dead_li_thickness",
           "dead_li_resistance", "li_thickness", "dendrite_advance_per_cycle", "front_depth", "porous_sand_time",
           "porous_depletion_length"]


def _finite(name, v, low=None, strict=False):
    if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)):
        raise InputError(name, v, "a finite number")
    if low is not None and (v <= low if strict else v < low):
        raise InputError(name, v, f"{'>' if strict else '>='} {low:g}")
    return float(v)


def arrhenius_factor(activation_energy, temperature, reference_temperature) -> float:
    """``exp[-E_a/R (1/T - 1/T_ref)]`` [-] (E_a [J/mol], temperatures [K])."""
    ea = _finite("activation_energy", activation_energy, 0.0)
    T = _finite("temperature", temperature, 0.0, strict=True)
    Tr = _finite("reference_temperature", reference_temperature, 0.0, strict=True)
    return math.exp(-ea / R * (1.0 / T - 1.0 / Tr))


def sei_thickness(time, growth_constant, initial_thickness=0.0) -> float:
    """SEI thickness after ``time`` [s]: ``delta = sqrt(delta0^2 + k t)`` [m].

    Parameters
    ----------
    time : float
        Time since the cell was assembled [s] (>= 0).
    growth_constant : float
        k_SEI [m2/s] at the cell's temperature.
    initial_thickness : float
        delta0 [m].

    Source: diffusion-limited SEI growth, Pinson & Bazant 2013 [L].
    """
    t = _finite("time", time, 0.0)
    k = _finite("growth_constant", growth_constant, 0.0)
    d0 = _finite("initial_thickness", initial_thickness, 0.0)
    return math.sqrt(d0 * d0 + k * t)


def sei_resistance(time, growth_constant, initial_thickness, conductivity) -> float:
    """ASR the SEI has added since assembly [ohm m2]: ``(delta(t) - delta0) / sigma_SEI``.

    The difference is formed as ``k t / (delta + delta0)`` (no cancellation at small t).
    """
    d0 = _finite("initial_thickness", initial_thickness, 0.0)
    s = _finite("conductivity", conductivity, 0.0, strict=True)
    d = sei_thickness(time, growth_constant, d0)
    grown = growth_constant * time / (d + d0) if d + d0 > 0 else 0.0
    return grown / s


def sei_time_to_resistance(resistance, growth_constant, initial_thickness, conductivity) -> float:
    """Time at which the SEI has added ``resistance`` [ohm m2] (inverse of :func:`sei_resistance`) [s].

    ``t = ((delta0 + R sigma)^2 - delta0^2) / k = R sigma (2 delta0 + R sigma) / k``; inf when k = 0.
    """
    r = _finite("resistance", resistance, 0.0)
    k = _finite("growth_constant", growth_constant, 0.0)
    d0 = _finite("initial_thickness", initial_thickness, 0.0)
    s = _finite("conductivity", conductivity, 0.0, strict=True)
    if k == 0:
        return 0.0 if r == 0 else math.inf
    x = r * s
    return x * (2.0 * d0 + x) / k


def li_thickness(charge) -> float:
    """Thickness of dense Li metal holding the areal charge ``q`` [C/m2]: ``Omega_Li q / F`` [m]."""
    return OMEGA_LI * _finite("charge", charge, 0.0) / F


def dead_li_thickness(plated_charge, inactive_fraction, porosity) -> float:
    """Thickness of the porous dead-Li layer left by plating ``q`` [C/m2] [m].

    ``h = f_in Omega_Li q / (F (1 - eps))`` (Fang et al. 2019; Chen et al. 2017 [L]).
    """
    f = _finite("inactive_fraction", inactive_fraction, 0.0)
    e = _finite("porosity", porosity, 0.0, strict=True)
    if f >= 1 or e >= 1:
        raise InputError("inactive_fraction/porosity", (f, e), "both < 1")
    return f * li_thickness(plated_charge) / (1.0 - e)


def dead_li_resistance(thickness, conductivity, porosity) -> float:
    """ASR the dead-Li layer adds over the polymer it replaces [ohm m2].

    ``R_dead = h (eps^-1.5 - 1) / kappa`` (Bruggeman tortuosity, kappa_eff = kappa eps^1.5).
    """
    h = _finite("thickness", thickness, 0.0)
    k = _finite("conductivity", conductivity, 0.0, strict=True)
    e = _finite("porosity", porosity, 0.0, strict=True)
    if e > 1:
        raise InputError("porosity", porosity, "in (0, 1]")
    return h * (e ** -1.5 - 1.0) / k


def front_depth(dead_thickness, focusing, dendrite=0.0) -> float:
    """Depth of the deposit front in the polymer [m]: ``beta h + x_dendrite``."""
    return _finite("focusing", focusing, 1.0) * _finite("dead_thickness", dead_thickness, 0.0) + \
        _finite("dendrite", dendrite, 0.0)


def dendrite_advance_per_cycle(velocity, half_time, sand_time, dead_fraction) -> float:
    """Net advance of a Sand dendrite over one plate/strip cycle [m] (may be negative).

    It nucleates at ``t_Sand`` into the plating half cycle, grows at ``v`` until the half
    ends, and dissolves at ``(1 - f_dead) v`` through the whole stripping half (the step-up
    tracker's rule): ``v (t_h - t_Sand) - (1 - f_dead) v t_h = v (f_dead t_h - t_Sand)``.
    No nucleation (``t_Sand >= t_h``, e.g. inf) gives the stripping term alone,
    ``-(1 - f_dead) v t_h``.
    """
    v = _finite("velocity", velocity, 0.0)
    th = _finite("half_time", half_time, 0.0, strict=True)
    f = _finite("dead_fraction", dead_fraction, 0.0)
    if f > 1:
        raise InputError("dead_fraction", dead_fraction, "in [0, 1]")
    if not (isinstance(sand_time, (int, float)) and sand_time >= 0):
        raise InputError("sand_time", sand_time, ">= 0 s (inf: no nucleation)")
    grow = v * max(th - sand_time, 0.0)
    return grow - (1.0 - f) * v * th


def porous_sand_time(diffusivity, concentration, current_density, transference_number, porosity) -> float:
    """Sand time inside a porous (dead-Li) layer filled with the electrolyte [s] (not in the cycling model).

    Salt in the pores (pore-volume concentration c) obeys ``eps dc/dt = D eps^1.5 d2c/dx2``
    (Bruggeman) with the plating flux ``J (1 - t+) / F`` per cell area at the electrode, so the
    face depletes at ``t = eps^2.5 pi D (c0 F)^2 / (4 (J (1 - t+))^2)`` = ``eps^2.5`` times the
    bulk Sand time (:func:`cellsim.formulas.sand_time`; Chen et al., J. Mater. Chem. A 5 (2017)
    11671 [L] for dead Li slowing transport). Valid while the layer is thicker than
    :func:`porous_depletion_length`.

    Parameters
    ----------
    diffusivity : float
        Salt diffusivity of the electrolyte D [m2/s].
    concentration : float
        c0 [mol/m3].
    current_density : float
        |J| [A/m2].
    transference_number : float
        t+ [-].
    porosity : float
        eps of the layer, in (0, 1].
    """
    from ..formulas import sand_time

    e = _finite("porosity", porosity, 0.0, strict=True)
    if e > 1:
        raise InputError("porosity", porosity, "in (0, 1]")
    return e ** 2.5 * sand_time(diffusivity, concentration, current_density, transference_number)


def porous_depletion_length(diffusivity, porosity, time) -> float:
    """Diffusion length in the porous layer over ``time`` [m]: ``sqrt(D eps^0.5 t)`` (effective
    diffusivity over capacity, ``D eps^1.5 / eps``)."""
    e = _finite("porosity", porosity, 0.0, strict=True)
    return math.sqrt(_finite("diffusivity", diffusivity, 0.0) * math.sqrt(e) * _finite("time", time, 0.0))
