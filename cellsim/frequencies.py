"""Log-spaced frequency grids [Hz], descending like an impedance analyser's sweep.

One place for the grids of predicted spectra (``cellsim eis``) and of the smooth model
curves drawn over measured points (``cellsim fit --plot``, :meth:`Validation.plot
<cellsim.fitting.validate.Validation.plot>`).
"""

from __future__ import annotations

import math

import numpy as np


def log_frequencies(f_high: float, f_low: float, points: int) -> np.ndarray:
    """``points`` log-spaced frequencies from ``f_high`` down to ``f_low`` [Hz].

    ``f_k = 10^(log10 f_high - k (log10 f_high - log10 f_low)/(points - 1))``; the two ends
    are exactly the values given (not 10^log10 of them). One point: ``[f_high]``.
    """
    if points == 1:
        return np.array([float(f_high)])
    out = np.logspace(math.log10(f_high), math.log10(f_low), points)
    out[0], out[-1] = f_high, f_low
    return out


def dense_frequencies(frequency, per_decade: int = 20) -> np.ndarray:
    """Log-spaced frequencies over the range of ``frequency`` [Hz] for a smooth model curve.

    ``max(2, floor(per_decade log10(f_max/f_min)) + 1)`` points from f_max down to f_min;
    ``[f_max]`` when all frequencies are equal.
    """
    lo, hi = float(np.min(frequency)), float(np.max(frequency))
    if not hi > lo:
        return np.array([hi])
    return log_frequencies(hi, lo, max(2, int(per_decade * np.log10(hi / lo)) + 1))
