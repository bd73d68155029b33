"""Independent closed-form estimate of the sandwich's polarization under a constant current.

Used to quantify the PyBaMM mapping (separator + series resistance) against the real layer
structure. For each binary polymer layer i of thickness L_i between anion-blocking faces
(Li metal, a single-ion ceramic, the cathode), at current I through area S:

* ohmic drop ``I R_b,i`` with ``R_b,i = L_i / (sigma S)``;
* concentration (diffusion) polarization ``I R_d,i(t)`` with the steady finite-length
  diffusion resistance (physics.md §2.3)

  .. math:: R_{d,i} = \\frac{2 R T \\chi L_i (1 - t_+)^2}{F^2 D c_0 S}

  reached as the galvanostatic profile of a layer with the same salt flux at both faces
  builds up (physics.md §2.1.3: the face-to-face difference is twice its depleting-face term):

  .. math:: R_{d,i}(t) = R_{d,i}\\left[1 - \\frac{8}{\\pi^2}\\sum_{n\\,\\mathrm{odd}}
            \\frac{1}{n^2} e^{-n^2 \\pi^2 D t / L_i^2}\\right]

  (linearised: valid while the concentration swing stays small against c0);
* the series terms (middle layer, interfaces) ``I R_s``.

The PyBaMM mapping lumps the polymer layers into one separator of thickness sum L_i: the
steady R_d is the same (it is linear in L), the ohmic part is the same, but the build-up is
slower (time constant (sum L_i)^2 / (pi^2 D) instead of L_i^2 / (pi^2 D)).
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import F, R


def diffusion_resistance(L: float, D: float, c0: float, t_plus: float, T: float, area: float,
                         chi: float = 1.0) -> float:
    """Steady finite-length diffusion resistance R_d = 2RT chi L (1-t+)^2 / (F^2 D c0 S) [ohm]."""
    return 2.0 * R * T * chi * L * (1.0 - t_plus) ** 2 / (F ** 2 * D * c0 * area)


def diffusion_buildup(t, L: float, D: float, terms: int = 200) -> np.ndarray:
    """Fraction of the steady concentration polarization reached after time ``t`` [s].

    ``1 - (8/pi^2) sum_{n odd} exp(-n^2 pi^2 D t / L^2) / n^2`` (0 at t = 0, -> 1).
    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    n = np.arange(1, 2 * terms, 2, dtype=float)[:, None]
    s = np.sum(np.exp(-(n ** 2) * math.pi ** 2 * D * t[None, :] / L ** 2) / n ** 2, axis=0)
    return 1.0 - 8.0 / math.pi ** 2 * s


def sandwich_polarization(sandwich, T: float, area: float, current: float, t, lumped: bool = False) -> dict:
    """Polarization of the electrolyte (not the electrodes) at constant ``current`` [A].

    Parameters
    ----------
    sandwich : cellsim.fullcell.design.Sandwich
    T : float
        Temperature [K].
    area : float
        [m2].
    current : float
        [A] (magnitude).
    t : array_like
        Times since the current was switched on [s].
    lumped : bool
        True: one polymer layer of the summed thickness (PyBaMM's view); False: each real
        polymer layer on its own (the sandwich).

    Returns
    -------
    dict
        ``ohmic_V`` (float), ``diffusion_V`` (array over t), ``series_V`` (float), ``total_V``
        (array), ``R_b_ohm``, ``R_d_ohm`` (steady, summed).
    """
    s = sandwich
    layers = [("separator", s.thickness)] if lumped else list(s.polymer_layers)
    I = abs(current)
    R_b = sum(L / (s.conductivity * area) for _, L in layers)
    R_d = 0.0
    eta_d = np.zeros_like(np.atleast_1d(np.asarray(t, dtype=float)))
    for _, L in layers:
        r = diffusion_resistance(L, s.diffusivity, s.salt_concentration, s.transference_number, T, area,
                                 s.thermodynamic_factor)
        R_d += r
        eta_d = eta_d + I * r * diffusion_buildup(t, L, s.diffusivity)
    out = {"ohmic_V": I * R_b, "diffusion_V": eta_d, "series_V": I * s.series_resistance,
           "R_b_ohm": R_b, "R_d_ohm": R_d}
    out["total_V"] = out["ohmic_V"] + eta_d + out["series_V"]
    return out
