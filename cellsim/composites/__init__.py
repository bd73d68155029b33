"""Composite and polymer-infiltrated layers: mixing rules, calibration, recipes.

* :mod:`cellsim.composites.mixing` -- effective conductivity by parallel, series,
  Maxwell-Garnett (Hashin-Shtrikman bounds), Bruggeman, Archie and coated-particle
  (Nan-Smith) rules; the pore channel (eps, tau) and the parallel-path t+.
* :mod:`cellsim.composites.calibrate` -- porosity (or interface-shell conductivity) implied
  by a measured sandwich conductivity, with a plausibility flag.
* :mod:`cellsim.composites.recipe` -- volume fractions from a mass recipe.
"""

from __future__ import annotations

from .mixing import (MODELS, MODEL_PARAMETERS, PoreChannel, conduction_paths, effective_conductivities,
                     effective_conductivity, effective_transference_number, pore_channel, pore_tortuosity)

__all__ = [
    "MODELS", "MODEL_PARAMETERS", "PoreChannel", "conduction_paths", "effective_conductivities",
    "effective_conductivity", "effective_transference_number", "pore_channel", "pore_tortuosity",
]
