"""Electronic leakage through a layer that Li is turning into a mixed conductor.

A Li-unstable Li-ion conductor (LATP, LTO, LVO: physics.md §2.5.5) in contact with Li
(a pressed foil, or a dendrite that crossed a polymer layer) is reduced or lithiated to a
mixed-conducting interphase that grows from the contact, parabolic in time with an
Arrhenius growth constant (the material's ``interphase_growth_constant``, x^2 = k(T) t;
Zhu, He, Mo, ACS AMI 7 (2015) 23685; Hartmann et al., J. Phys. Chem. C 117 (2013) 21064):

    x(t) = sqrt(k(T) (t - t_contact))                               [m]

(:func:`~cellsim.shortcircuit.mechanisms.interphase_thickness`). The layer's electronic
area-specific resistance is that of the unreacted conductor and the interphase in series,

    R_e = rho_LIC (L - x_int - x_Li) + rho_int x_int                [ohm m2],

with ``rho_LIC = 1 / sigma_e`` of the material (``electronic_conductivity``, e.g. LATP
8.07e-7 S/cm, seed Table S2), ``rho_int = 1 / interphase_electronic_conductivity`` (LATP
1e-3 S/cm, Hartmann 2013, estimate with a range in the material file) and ``x_Li`` the
depth Li metal (a crack filament) has reached, which conducts without resistance. The
stack's electronic leakage is the series sum over its layers (``_Tracker.leak_asr`` in
:mod:`~cellsim.shortcircuit.ccd`;
a dendrite's length in a polymer layer takes that length out of the polymer's electronic
path too); when the interphases from both sides span the layer (``x >= L``) the cell has an
electronic short (mechanism ``interphase``, decided by the short-circuit tracker).
"""

from __future__ import annotations

import math

__all__ = ["layer_electronic_asr", "leak_conductance"]


def layer_electronic_asr(thickness: float, interphase: float, metal: float, rho_layer: float,
                         rho_interphase: float) -> float:
    """Electronic ASR of a layer partly turned into interphase and Li metal [ohm m2].

    ``R_e = rho_layer (L - x_int - x_Li) + rho_interphase x_int`` (module docstring); the
    unreacted part is clipped at 0, an insulating part (``rho = inf``) of zero length adds 0.

    Parameters
    ----------
    thickness : float
        L [m].
    interphase : float
        Total interphase thickness x_int [m] (from both faces).
    metal : float
        Total depth of Li metal x_Li (filaments, dendrites) [m].
    rho_layer, rho_interphase : float
        Electronic resistivities of the unreacted layer and of the interphase [ohm m]
        (``inf`` for an electronic insulator).
    """
    rest = max(thickness - interphase - metal, 0.0)
    r = 0.0
    if rest > 0:
        r += rho_layer * rest
    if interphase > 0:
        r += rho_interphase * min(interphase, thickness)
    return r


def leak_conductance(asr: float) -> float:
    """Electronic conductance per area of a leak of ASR ``asr`` [S/m2] (0 for ``inf``)."""
    return 0.0 if math.isinf(asr) else math.inf if asr <= 0 else 1.0 / asr
