"""Lab formulas of the seed and of binary-electrolyte transport (SI in, SI out).

Sources: the seed's Eq. 1 and Eq. 2 (Zou, Wang, He, Xin, SI, methods); physics.md §2.1.4
(limiting current, Sand's time), §2.3 (diffusion resistance), §2.6 (series stack).
All functions accept scalars or NumPy arrays and check that their inputs are physical.
"""

from __future__ import annotations

import math

import numpy as np

from .constants import F, R, T_ROOM
from .errors import InputError


def _as_array(name: str, x, allowed: str):
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise InputError(name, x, allowed) from None


def _pos(name: str, x, allow_zero: bool = False):
    if isinstance(x, float) or type(x) is int:  # scalars (incl. numpy float64; the CCD hot path): no NumPy
        if math.isfinite(x) and (x >= 0 if allow_zero else x > 0):
            return float(x)
        raise InputError(name, x, ">= 0" if allow_zero else "> 0")
    a = _as_array(name, x, "a number " + (">= 0" if allow_zero else "> 0"))
    bad = ~np.isfinite(a) | (a < 0 if allow_zero else a <= 0)
    if np.any(bad):
        raise InputError(name, x if np.ndim(x) == 0 else a[bad][0].item(), ">= 0" if allow_zero else "> 0")
    return a if np.ndim(x) else float(a)


def conductivity_from_resistance(resistance, thickness, area):
    """Seed Eq. 1: sigma = L / (R_b S) [S/m].

    Parameters
    ----------
    resistance : float
        Bulk resistance R_b [ohm].
    thickness : float
        Sample thickness L [m].
    area : float
        Contact area S [m2].
    """
    return _pos("thickness", thickness) / (_pos("resistance", resistance) * _pos("area", area))


def resistance_from_conductivity(conductivity, thickness, area):
    """Seed Eq. 1 solved for R_b: R_b = L / (sigma S) [ohm]."""
    return _pos("thickness", thickness) / (_pos("conductivity", conductivity) * _pos("area", area))


def electronic_conductivity_from_current(current, thickness, voltage, area):
    """Seed Eq. 2: sigma_e = I L / (U S) [S/m] from the steady current I [A] at voltage U [V]."""
    return _pos("current", current, True) * _pos("thickness", thickness) / (_pos("voltage", voltage) * _pos("area", area))


def current_from_electronic_conductivity(conductivity, thickness, voltage, area):
    """Seed Eq. 2 solved for I: I = sigma_e U S / L [A]."""
    return _pos("conductivity", conductivity, True) * _pos("voltage", voltage, True) * _pos("area", area) / _pos("thickness", thickness)


def salt_concentration_from_recipe(salt_mass_fraction, salt_molar_mass, density):
    """Salt concentration c = w rho / M [mol/m3] of a recipe with salt mass fraction w.

    Parameters
    ----------
    salt_mass_fraction : float
        Mass fraction of the salt in the final electrolyte, in (0, 1) (28.57 wt% -> 0.2857).
    salt_molar_mass : float
        Molar mass of the salt [kg/mol] (LiTFSI: 0.28709).
    density : float
        Density of the electrolyte [kg/m3] (an assumption unless measured).
    """
    w = np.asarray(salt_mass_fraction, dtype=float)
    if np.any(~np.isfinite(w) | (w <= 0) | (w >= 1)):
        raise InputError("salt_mass_fraction", salt_mass_fraction, "a mass fraction in (0, 1)")
    out = w * _pos("density", density) / _pos("salt_molar_mass", salt_molar_mass)
    return out if np.ndim(out) else float(out)


def _tplus(t):
    if isinstance(t, float) or type(t) is int:  # scalars (incl. numpy float64): no NumPy
        if math.isfinite(t) and 0 <= t < 1:
            return float(t)
        raise InputError("transference_number", t, "0 <= t+ < 1")
    a = _as_array("transference_number", t, "a number, 0 <= t+ < 1")
    if np.any(~np.isfinite(a) | (a < 0) | (a >= 1)):
        raise InputError("transference_number", t, "0 <= t+ < 1")
    return a if np.ndim(t) else float(a)


def limiting_current_density(diffusivity, concentration, transference_number, thickness):
    """Limiting current density of one binary layer between anion-blocking faces [A/m2].

    J_lim = 2 F D c0 / ((1 - t+) L)   (physics.md §2.1.4; Chazalviel/Brissot J*).
    """
    return 2 * F * _pos("diffusivity", diffusivity) * _pos("concentration", concentration) / (
        (1 - _tplus(transference_number)) * _pos("thickness", thickness))


def sand_time(diffusivity, concentration, current_density, transference_number):
    """Sand's time of a semi-infinite binary electrolyte [s].

    t_Sand = pi D (c0 F)^2 / (4 (J (1 - t+))^2)   (physics.md §2.1.4). Valid when
    t_Sand << L^2/(4 D); in a finite layer depletion happens only for J > J_lim.
    """
    ta = 1 - _tplus(transference_number)
    return math.pi * _pos("diffusivity", diffusivity) * (_pos("concentration", concentration) * F) ** 2 / (
        4 * (_pos("current_density", current_density) * ta) ** 2)


def diffusion_resistance(thickness, diffusivity, concentration, transference_number, temperature,
                         thermodynamic_factor=1.0):
    """Area-specific diffusion resistance of one binary layer [ohm m2].

    R_d = 2 R T L (1 - t+)^2 chi / (F^2 D c0)   (physics.md §2.3).
    """
    ta = 1 - _tplus(transference_number)
    return 2 * R * _pos("temperature", temperature) * _pos("thickness", thickness) * ta ** 2 * _pos(
        "thermodynamic_factor", thermodynamic_factor) / (F ** 2 * _pos("diffusivity", diffusivity) * _pos("concentration", concentration))


def nernst_einstein_diffusivity(conductivity, concentration, transference_number, temperature):
    """Ambipolar salt diffusivity from Nernst–Einstein [m2/s] (ideal 1:1 salt).

    D+ + D- = kappa R T / (F^2 c);  D = 2 D+ D- / (D+ + D-) = 2 t+ (1 - t+) (D+ + D-)
    (physics.md §2.1.1, §2.1.6).
    """
    t = _tplus(transference_number)
    dsum = _pos("conductivity", conductivity) * R * _pos("temperature", temperature) / (F ** 2 * _pos("concentration", concentration))
    return 2 * t * (1 - t) * dsum


def series_conductivity(thicknesses, conductivities):
    """Apparent conductivity of layers in series, sum L_i / sum(L_i / sigma_i) [S/m]."""
    L = np.atleast_1d(_pos("thickness", thicknesses))
    s = np.atleast_1d(_pos("conductivity", conductivities))
    if L.shape != s.shape:
        raise InputError("conductivities", len(s), f"{len(L)} values, one per thickness")
    return float(L.sum() / np.sum(L / s))


def leakage_current(voltage, electronic_resistance):
    """Electronic leakage (self-discharge) current I = U / R_e [A]."""
    r = _pos("electronic_resistance", electronic_resistance)
    return _pos("voltage", voltage, True) / r


def apparent_transference_number(polymer_bulk_asr, ceramic_bulk_asr, polymer_diffusion_asr):
    """Apparent t+ of a sandwich measured by Bruce–Vincent (physics.md §2.2).

    t+_app = (R_b,p + R_b,c) / (R_b,p + R_b,c + R_d,p): only the polymer layers carry a
    diffusion resistance.
    """
    rb = _pos("polymer_bulk_asr", polymer_bulk_asr) + _pos("ceramic_bulk_asr", ceramic_bulk_asr, True)
    return rb / (rb + _pos("polymer_diffusion_asr", polymer_diffusion_asr, True))


def polymer_diffusion_parameters(diffusivity: float, transference_number: float, concentration: float,
                                 thickness: float, area: float = 1.0, temperature: float = T_ROOM,
                                 thermodynamic_factor: float = 1.0) -> tuple[float, float]:
    """``(R_d, tau)`` of the finite-length diffusion impedance ``Zd`` of a binary polymer layer.

    The layer (thickness L) lies between two faces that block the anion (Li metal or a
    single-ion ceramic). Linearising the concentrated-binary-electrolyte equations about a
    uniform salt concentration gives (physics.md §2.3; Sørensen and Jacobsen,
    Electrochim. Acta 27 (1982) 1671)

    .. math::

        Z_d = R_d \\frac{\\tanh\\sqrt{j \\omega \\tau}}{\\sqrt{j \\omega \\tau}},\\quad
        R_d = \\frac{2 R T L (1 - t_+)^2 \\chi}{F^2 D c_0 A},\\quad
        \\tau = \\frac{L^2}{4 D}

    (the half-thickness L/2 acts as the transmissive diffusion length).

    Parameters
    ----------
    diffusivity : float
        Salt diffusion coefficient D [m2/s].
    transference_number : float
        Cation transference number t+ [1], in [0, 1).
    concentration : float
        Salt concentration c0 [mol/m3].
    thickness : float
        Layer thickness L [m].
    area : float, optional
        Electrode area A [m2]; 1 gives the area-specific R_d [ohm m2].
    temperature : float, optional
        T [K], default the seed's 295.15 K.
    thermodynamic_factor : float, optional
        chi = 1 + dln(f+-)/dln(c) [1], default 1 (ideal solution).

    Returns
    -------
    R_d : float
        Diffusion resistance [ohm] (the low-frequency limit of Zd).
    tau : float
        Diffusion time constant [s].
    """
    values = {"diffusivity": diffusivity, "concentration": concentration, "thickness": thickness,
              "area": area, "temperature": temperature, "thermodynamic_factor": thermodynamic_factor}
    units = {"diffusivity": "m2/s", "concentration": "mol/m3", "thickness": "m", "area": "m2",
             "temperature": "K", "thermodynamic_factor": ""}
    for key, v in values.items():
        if not (isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(v) and v > 0):
            raise InputError(key, v, f"a finite number > 0 {units[key]}".rstrip())
    t = transference_number
    if not (isinstance(t, (int, float, np.floating, np.integer)) and math.isfinite(t) and 0 <= t < 1):
        raise InputError("transference_number", t, "a number in [0, 1)")
    r_d = (2.0 * R * temperature * thickness * (1.0 - t) ** 2 * thermodynamic_factor
           / (F ** 2 * diffusivity * concentration * area))
    tau = thickness ** 2 / (4.0 * diffusivity)
    return float(r_d), float(tau)
