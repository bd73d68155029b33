"""The symmetric-cell SEI law as a full cell's ``resistance_growth`` hook.

:func:`cellsim.fullcell.retention.simulate_cycles` takes ``resistance_growth(t_s) -> added ASR
[ohm m2]``. :class:`SymmetricCellSEI` gives it the SEI law of ``cellsim cycle`` (one Li | polymer
interface, the full cell's anode side):

    R_add(t) = (delta(t) - delta0) / sigma_SEI,   delta(t) = sqrt(delta0^2 + k(T) t),
    k(T) = k_ref exp[-E_a/R (1/T - 1/T_ref)]

with ``k_ref``, ``E_a``, ``delta0``, ``sigma_SEI`` from ``parameters/lifetime.toml`` (Pinson &
Bazant, J. Electrochem. Soc. 160 (2013) A243). ``k_ref`` is calibrated there on the seed's
2500 h symmetric-cell lifetime at 0.5 mA/cm2 (read as the time the voltage passes 5 V), so this
hook carries that calibration into the full cell: a prediction of the full cell from the
symmetric cell, not a second calibration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mechanisms import arrhenius_factor

__all__ = ["SymmetricCellSEI"]


@dataclass(frozen=True)
class SymmetricCellSEI:
    """``resistance_growth`` hook: the SEI of one Li | polymer interface [ohm m2] against time [s].

    Parameters
    ----------
    growth_constant : float
        k(T) at the cell's temperature [m2/s].
    initial_thickness : float
        delta0 [m].
    conductivity : float
        Li+ conductivity of the SEI [S/m].
    """

    growth_constant: float
    initial_thickness: float
    conductivity: float

    def __call__(self, t_s):
        t = np.maximum(np.asarray(t_s, dtype=float), 0.0)
        d0 = self.initial_thickness
        d = np.sqrt(d0 * d0 + self.growth_constant * t)
        with np.errstate(invalid="ignore", divide="ignore"):
            grown = np.where(d + d0 > 0, self.growth_constant * t / (d + d0), 0.0)
        return grown / self.conductivity

    @classmethod
    def at(cls, temperature: float, parameters=None) -> "SymmetricCellSEI":
        """The hook at ``temperature`` [K] from ``parameters/lifetime.toml`` (or ``parameters``)."""
        from .parameters import load_lifetime_parameters

        p = load_lifetime_parameters() if parameters is None else parameters
        k = p.sei_growth_constant * arrhenius_factor(p.sei_activation_energy, temperature, p.reference_temperature)
        return cls(k, p.sei_initial_thickness, p.sei_ionic_conductivity)

    #: the seed number this hook's growth constant is calibrated on (parameters/lifetime.toml)
    calibrated_on_seed = ("sei_growth_constant: the 2500 h symmetric-cell lifetime of UVEA-LATP-UVEA at 0.5 mA/cm2 "
                          "(seed Table S3), via cellsim cycle",)

    def describe(self) -> str:
        """The name the retention result reports for this hook."""
        return (f"symmetric-cell SEI (cellsim.lifetime): k = {self.growth_constant:.4g} m2/s, "
                f"delta0 = {self.initial_thickness * 1e9:.3g} nm, sigma = {self.conductivity * 1e-2:.3g} S/cm")
