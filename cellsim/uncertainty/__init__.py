"""Predictions with intervals: parameter ranges, their propagation, sensitivities, posteriors.

* :mod:`.ranges` – the ``range``/``distribution``/``range_reason``/``stderr`` format of the
  parameter files, parsed and validated at load;
* :mod:`.space` – the uncertain parameters of a cell, discovered from those ranges;
* :mod:`.outputs` – the scalar outputs (``ccd``, ``asr``, ``dcr``, ``bulk_resistance``, ``z_at``);
* :mod:`.propagate` – quasi-Monte-Carlo propagation through the sweep machinery, quantiles
  with bootstrap standard errors, exceedance probabilities;
* :mod:`.sensitivity` – Sobol' and Morris indices (SALib);
* :mod:`.posterior` – a measured spectrum's joint distribution of fitted parameters (CNLS
  covariance or an emcee chain), used in place of their ranges.
"""

from .ranges import DISTRIBUTIONS, Range, parse_range, shortcircuit_ranges

__all__ = ["DISTRIBUTIONS", "Range", "parse_range", "shortcircuit_ranges"]
