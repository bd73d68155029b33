"""Crack initiation at surface flaws and Li-filament propagation through a ceramic.

* **Largest flaw on an area** (weakest link, Weibull): a ceramic's strength falls with the
  stressed area as ``sigma_f ~ A^(-1/m)`` (Weibull modulus m); with Griffith
  ``sigma_f ~ a^(-1/2)`` the largest flaw grows as

      a_max(A) = a_ref (A / A_ref)^(2/m)

  (a_ref: the largest flaw on A_ref = 1 cm2). Larger cells crack at lower currents.
* **Initiation** (Porz et al. 2017; physics.md §2.5.3): Li deposited into a flaw at the
  overpotential eta builds the pressure ``p = F |eta| / Omega_Li``; the flaw opens when
  ``Y p sqrt(pi a) >= K_IC``, i.e. at ``eta_crit = Omega_Li K_IC / (F Y sqrt(pi a_max))``.
  The overpotential at the flaw is the local current through the Li | ceramic contact
  resistance: the mean current focused by the lost contact ``1/a`` and by the tip geometry
  ``f`` (``focusing``): ``eta = f |J| R_c(T) / a``. Hence the initiation current

      J_init = eta_crit a / (f R_c(T)),    R_c(T) = R_c,ref exp[+Ea/R (1/T - 1/T_ref)]

  which rises with temperature (the interface conducts better) and with pressure (more contact).
* **A dendrite tip on the ceramic** (sandwiches): the metallic dendrite bypasses the polymer
  layer it crossed, so the current reaching the ceramic splits between the polymer path
  (ASR ``R_p = L_p / kappa_p + R_pc``, over the whole area) and the tip contact (ASR ``R_c``
  over the area fraction ``phi_t`` the tip covers). The tip carries the share
  ``s = phi_t R_p / (phi_t R_p + R_c)`` and the overpotential across its contact is

      eta_tip = |J| R_p R_c / (phi_t R_p + R_c) = |J| R_eff

  For a small tip the polymer's whole IR drop appears across the tip contact (``R_eff -> R_p``);
  a thicker or colder polymer layer therefore presses Li into the ceramic's flaws harder.
* **Propagation**: once open, the crack fills with Li deposited at its tip: the filament carries
  the current of the area it drains (``s |J|``, s = 1 for an electrode foil, the tip share above
  for a dendrite) into a cross-section fraction phi of that area, so the tip advances at
  ``v = Omega_Li s |J| / (F phi)`` while Li plates on that side (it stops while that side strips). The time to cross a ceramic of thickness L at constant J is
  ``L F phi / (Omega_Li |J|)``: thicker ceramics take longer, and a half cycle can end first.
"""

from __future__ import annotations

import math

from ..constants import F
from ..checks import finite_number
from ..errors import InputError
from .mechanisms import OMEGA_LI, griffith_overpotential

__all__ = ["AREA_REF", "largest_flaw", "initiation_current", "filament_velocity", "propagation_time",
           "tip_contact_resistance", "tip_current_share"]

#: Reference area of the flaw-size law [m2] (1 cm2).
AREA_REF = 1.0e-4


def _pos(name: str, x) -> float:
    return finite_number(x, name, low=0.0, low_open=True)


def _tip_args(polymer_resistance, contact_resistance, tip_fraction):
    rp = _pos("polymer_resistance", polymer_resistance)
    rc = _pos("contact_resistance", contact_resistance)
    phi = _pos("tip_fraction", tip_fraction)
    if phi > 1:
        raise InputError("tip_fraction", tip_fraction, "in (0, 1]")
    return rp, rc, phi


def largest_flaw(area: float, flaw_size_ref: float, weibull_modulus: float, area_ref: float = AREA_REF) -> float:
    """Expected largest surface flaw on an area [m]: ``a_ref (A / A_ref)^(2/m)``.

    Parameters
    ----------
    area : float
        Li | ceramic contact area A [m2].
    flaw_size_ref : float
        Largest flaw a_ref on ``area_ref`` [m].
    weibull_modulus : float
        m (dense ceramics ~5-20).
    area_ref : float
        [m2], default 1 cm2.
    """
    a = _pos("area", area)
    a0 = _pos("flaw_size", flaw_size_ref)
    m = _pos("weibull_modulus", weibull_modulus)
    return a0 * (a / _pos("area_ref", area_ref)) ** (2.0 / m)


def initiation_current(fracture_toughness: float, flaw_size: float, contact_resistance: float, contact: float = 1.0,
                       focusing: float = 1.0) -> float:
    """Mean current density at which Li opens the largest flaw [A/m2].

    ``J_init = eta_crit a / (f R_c)``, ``eta_crit = Omega_Li K_IC / (F Y sqrt(pi a_max))``.

    Parameters
    ----------
    fracture_toughness : float
        K_IC [Pa m^0.5].
    flaw_size : float
        a_max [m].
    contact_resistance : float
        R_c at the temperature of interest [ohm m2].
    contact : float
        Contact fraction a in (0, 1].
    focusing : float
        Geometric focusing f >= 1.
    """
    eta = griffith_overpotential(fracture_toughness, flaw_size)
    a = _pos("contact", contact)
    if a > 1:
        raise InputError("contact", contact, "in (0, 1]")
    f = _pos("focusing", focusing)
    return eta * a / (f * _pos("contact_resistance", contact_resistance))


def tip_contact_resistance(polymer_resistance: float, contact_resistance: float, tip_fraction: float) -> float:
    """Effective ASR that turns the mean current into the overpotential at a dendrite tip [ohm m2].

    ``R_eff = R_p R_c / (phi_t R_p + R_c)`` (module docstring).

    Parameters
    ----------
    polymer_resistance : float
        R_p of the polymer layer the dendrite crossed, with its polymer|ceramic transfer [ohm m2].
    contact_resistance : float
        R_c of Li deposition at the tip contact [ohm m2].
    tip_fraction : float
        phi_t in (0, 1], the area fraction the tip contact covers.
    """
    rp, rc, phi = _tip_args(polymer_resistance, contact_resistance, tip_fraction)
    return rp * rc / (phi * rp + rc)


def tip_current_share(polymer_resistance: float, contact_resistance: float, tip_fraction: float) -> float:
    """Share of the current that a dendrite tip on a ceramic carries: ``phi_t R_p / (phi_t R_p + R_c)``."""
    rp, rc, phi = _tip_args(polymer_resistance, contact_resistance, tip_fraction)
    return phi * rp / (phi * rp + rc)


def filament_velocity(current_density: float, filament_fraction: float) -> float:
    """Tip velocity of a Li filament in a crack [m/s]: ``v = Omega_Li |J| / (F phi)``."""
    j = abs(float(current_density))
    if not math.isfinite(j):
        raise InputError("current_density", current_density, "a finite number")
    return OMEGA_LI * j / (F * _pos("filament_fraction", filament_fraction))


def propagation_time(thickness: float, current_density: float, filament_fraction: float) -> float:
    """Time for a filament to cross a ceramic of thickness L at constant |J| [s]
    (``L F phi / (Omega_Li |J|)``; inf at J = 0)."""
    v = filament_velocity(current_density, filament_fraction)
    return math.inf if v == 0 else _pos("thickness", thickness) / v
