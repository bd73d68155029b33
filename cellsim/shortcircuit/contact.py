"""Li | ceramic contact under stack pressure: contact fraction, Li creep, voids on stripping.

Where Li metal touches a ceramic (the bare pellet cells, and a dendrite tip that has crossed a
polymer layer), the real contact area and whether it survives stripping depend on the stack
pressure and the temperature through the plasticity and creep of Li:

* **Contact fraction at rest** (plastic asperity contact, Tabor): the real contact fraction of
  a soft metal pressed on a hard rough surface is ``a = p / H`` with the indentation hardness
  ``H ~ 3 sigma_y`` (Tabor 1951), capped at 1 and floored at the fraction a cell keeps from
  assembly, ``a_min``:  ``a_c = min(1, max(a_min, p / H))``. Li: sigma_y = 0.73-0.81 MPa
  (Masias et al. 2019, physics.md §3.2 [V]), so H ~ 2.4 MPa and 20 MPa gives full contact.
* **Li creep** (power law; LePage et al. 2019, Masias et al. 2019; physics.md §3.2 gives the
  stress exponent 6.6 [V]): ``eps_dot = A sigma^n exp(-Q / (R T))``, Q ~ 37 kJ/mol [L].
* **Critical stripping current** (Kasemchainan et al. 2019: voids form when Li is stripped
  faster than it is resupplied to the interface): the resupply is Li diffusion in the metal
  plus creep of the metal toward the interface under the stack pressure,

      J_void(p, T) = F D_Li(T) / (Omega_Li lambda) + J_ref (p / p_ref)^n_p exp[-Q/R (1/T - 1/T_ref)]

  The first term is the diffusion supply over a length lambda (Krauskopf et al. 2019 argue this
  limit at zero pressure); the second is the creep supply, the creep rate times an asperity
  height, with the unknown prefactor lumped into ``J_ref`` at p_ref = 1 MPa and 22 degC. Its
  pressure exponent n_p is *not* the bulk dislocation-creep exponent 6.6: with 6.6 the limit
  would rise ~2900x from 3 to 10 MPa, while measured critical stripping currents rise by
  factors of a few over that range (Wang et al. 2019, Kasemchainan et al. 2019); the stresses
  at void edges stay near or below the Li yield strength, where creep is diffusional (n ~ 1).
  lambda and J_ref are this mechanism's two calibrated numbers, each on one published
  measurement (their sources name them); the other published points are predictions
  (:mod:`cellsim.shortcircuit.trends`).
* **Void growth** while stripping above J_void: the thickness stripped but not resupplied,
  ``delta`` (``d delta/dt = Omega_Li (|J| - J_void) / F``), opens voids; the contact left is
  ``a = a_c exp(-delta / h_void)`` (h_void: asperity height over which a contact is lost). On
  plating and at rest creep closes voids at the resupply rate (``d delta/dt = -Omega_Li J_void / F``).

The current through a contact is focused by ``1 / a``: the local deposition overpotential that
presses Li into flaws (:mod:`cellsim.shortcircuit.fracture`) rises as contact is lost, which is
how pressure and temperature move the crack-initiation onset.
"""

from __future__ import annotations

import math

from ..constants import F, R
from ..checks import finite_number
from ..errors import InputError
from .mechanisms import OMEGA_LI

__all__ = ["P_REF", "T_REF", "contact_fraction", "li_creep_rate", "void_critical_current", "creep_supply_current",
           "diffusion_supply_current", "pressure_for_stripping_current", "void_contact", "arrhenius_factor",
           "resistance_at", "pressed_layers"]

#: Reference stack pressure of the creep-supply term [Pa].
P_REF = 1.0e6
#: Reference temperature of the Arrhenius laws here [K] (the seed's 22 degC).
T_REF = 295.15


def _pos(name: str, x, allow_zero: bool = False) -> float:
    return finite_number(x, name, low=0.0, low_open=not allow_zero)


def arrhenius_factor(activation_energy: float, temperature: float, reference_temperature: float = T_REF) -> float:
    """``exp[-Ea/R (1/T - 1/T_ref)]``: how a thermally activated rate scales from T_ref to T.

    Parameters
    ----------
    activation_energy : float
        Ea [J/mol] (>= 0).
    temperature, reference_temperature : float
        [K] (> 0).
    """
    ea = _pos("activation_energy", activation_energy, allow_zero=True)
    t = _pos("temperature", temperature)
    tr = _pos("reference_temperature", reference_temperature)
    return math.exp(-ea / R * (1.0 / t - 1.0 / tr))


def resistance_at(resistance_ref: float, activation_energy: float, temperature: float,
                  reference_temperature: float = T_REF) -> float:
    """A thermally activated interfacial resistance at T [same unit as ``resistance_ref``].

    ``R(T) = R_ref exp[+Ea/R (1/T - 1/T_ref)]`` (the rate ``1/R`` is Arrhenius).
    """
    r = _pos("resistance_ref", resistance_ref)
    return r / arrhenius_factor(activation_energy, temperature, reference_temperature)


def contact_fraction(pressure: float, hardness: float, floor: float) -> float:
    """Real Li | ceramic contact fraction at rest under a stack pressure (Tabor).

    ``a_c = min(1, max(a_min, p / H))``.

    Parameters
    ----------
    pressure : float
        Stack pressure p [Pa] (>= 0).
    hardness : float
        Indentation hardness of Li H [Pa] (~3 sigma_y).
    floor : float
        a_min in (0, 1]: the contact a cell keeps from assembly without pressure.
    """
    p = _pos("pressure", pressure, allow_zero=True)
    h = _pos("hardness", hardness)
    a0 = _pos("contact_floor", floor)
    if a0 > 1:
        raise InputError("contact_floor", floor, "in (0, 1]")
    return min(1.0, max(a0, p / h))


def li_creep_rate(stress: float, temperature: float, prefactor: float, exponent: float,
                  activation_energy: float) -> float:
    """Power-law creep rate of Li [1/s]: ``eps_dot = A sigma^n exp(-Q / (R T))``.

    Parameters
    ----------
    stress : float
        sigma [Pa] (>= 0).
    temperature : float
        T [K].
    prefactor : float
        A [Pa^-n s^-1].
    exponent : float
        n (LePage et al. 2019: 6.6).
    activation_energy : float
        Q [J/mol] (LePage et al. 2019: ~37 kJ/mol).
    """
    s = _pos("stress", stress, allow_zero=True)
    t = _pos("temperature", temperature)
    a = _pos("prefactor", prefactor, allow_zero=True)
    n = _pos("exponent", exponent)
    q = _pos("activation_energy", activation_energy, allow_zero=True)
    return a * s ** n * math.exp(-q / (R * t))


def diffusion_supply_current(temperature: float, self_diffusivity: float, diffusivity_activation_energy: float,
                             void_spacing: float) -> float:
    """Stripping current that Li self-diffusion can resupply [A/m2].

    ``J_diff = F D_Li(T) / (Omega_Li lambda)``, D_Li Arrhenius from its value at T_REF.
    """
    d = _pos("self_diffusivity", self_diffusivity, allow_zero=True)
    lam = _pos("void_spacing", void_spacing)
    return F * d * arrhenius_factor(diffusivity_activation_energy, temperature) / (OMEGA_LI * lam)


def creep_supply_current(pressure: float, temperature: float, reference_current: float, exponent: float,
                         activation_energy: float) -> float:
    """Stripping current that Li creep under the stack pressure can resupply [A/m2].

    ``J_creep = J_ref (p / p_ref)^n_p exp[-Q/R (1/T - 1/T_ref)]`` (p_ref = 1 MPa, T_ref = 22 degC).

    Parameters
    ----------
    pressure : float
        Stack pressure p [Pa].
    temperature : float
        T [K].
    reference_current : float
        J_ref at p_ref and T_ref [A/m2].
    exponent : float
        Pressure exponent n_p.
    activation_energy : float
        Q [J/mol].
    """
    p = _pos("pressure", pressure, allow_zero=True)
    j = _pos("reference_current", reference_current, allow_zero=True)
    n = _pos("exponent", exponent)
    return j * (p / P_REF) ** n * arrhenius_factor(activation_energy, temperature)


def void_critical_current(pressure: float, temperature: float, reference_current: float, exponent: float,
                          activation_energy: float, self_diffusivity: float, diffusivity_activation_energy: float,
                          void_spacing: float) -> float:
    """Critical stripping current above which voids open at a Li | ceramic contact [A/m2].

    ``J_void = J_diff(T) + J_creep(p, T)`` (module docstring; Kasemchainan et al. 2019).
    """
    return (diffusion_supply_current(temperature, self_diffusivity, diffusivity_activation_energy, void_spacing)
            + creep_supply_current(pressure, temperature, reference_current, exponent, activation_energy))


def pressure_for_stripping_current(current: float, temperature: float, reference_current: float, exponent: float,
                                   activation_energy: float, self_diffusivity: float,
                                   diffusivity_activation_energy: float, void_spacing: float) -> float | None:
    """Stack pressure at which the critical stripping current equals ``current`` [Pa].

    The inverse of :func:`void_critical_current` in p:
    ``p = p_ref [(J - J_diff(T)) / (J_ref exp[-Q/R (1/T - 1/T_ref)])]^(1/n_p)``.

    Parameters
    ----------
    current : float
        J [A/m2] (> 0).
    temperature : float
        T [K].
    reference_current, exponent, activation_energy, self_diffusivity, diffusivity_activation_energy, void_spacing
        As in :func:`void_critical_current`.

    Returns
    -------
    float or None
        p [Pa]; 0 when diffusion alone resupplies J; None when no pressure does (J_ref = 0).
    """
    j = _pos("current", current)
    j_diff = diffusion_supply_current(temperature, self_diffusivity, diffusivity_activation_energy, void_spacing)
    if j <= j_diff:
        return 0.0
    j_creep_ref = creep_supply_current(P_REF, temperature, reference_current, exponent, activation_energy)
    if j_creep_ref <= 0:
        return None
    return P_REF * ((j - j_diff) / j_creep_ref) ** (1.0 / exponent)


def void_contact(contact_at_rest: float, void_depth: float, asperity_height: float) -> float:
    """Contact fraction left after a not-resupplied stripped thickness ``delta`` [-].

    ``a = a_c exp(-delta / h_void)``.
    """
    a = _pos("contact_at_rest", contact_at_rest)
    d = _pos("void_depth", void_depth, allow_zero=True)
    h = _pos("asperity_height", asperity_height)
    return a * math.exp(-d / h)


def pressed_layers(stack) -> list[int]:
    """Indices of the layers a Li electrode foil is pressed on that are not polymers (the first
    and/or last layer): the contacts where voids can open on stripping (a dendrite tip that reached
    a ceramic through a polymer does not open voids)."""
    ends = sorted({0, len(stack.layers) - 1})
    return [i for i in ends if stack.layers[i].kind != "polymer"]
