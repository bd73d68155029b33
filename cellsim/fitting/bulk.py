"""Bulk resistance read from a blocking-electrode impedance spectrum (graphical estimate)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def bulk_resistance(frequency, z) -> float:
    """Bulk resistance [ohm] of a blocking-electrode spectrum (SS | electrolyte | SS).

    Read where the Nyquist plot meets the real axis between the bulk arc and the blocking
    spike: scanning from the highest frequency, (i) if -Z'' crosses zero (inductive high-
    frequency tail), Z' interpolated at the crossing; otherwise (ii) Z' at the first valley of
    -Z'' that follows a bulk arc; otherwise (iii, no arc in the window, the usual case for a
    polymer film above ~1e-4 S/cm) Z' of the highest-frequency point. This is the graphical
    reading of the seed's Eq. 1 measurements (Figs. S5a, S7a, S8), an estimate: a fit of an
    equivalent circuit (``cellsim fit``) is more accurate.

    Parameters
    ----------
    frequency : array_like
        Frequencies [Hz].
    z : array_like
        Complex impedance [ohm], ``z.imag < 0`` capacitive.
    """
    f = np.asarray(frequency, dtype=float).ravel()
    zz = np.asarray(z, dtype=complex).ravel()
    if f.size != zz.size or f.size < 2 or np.any(~np.isfinite(f)) or np.any(~np.isfinite(zz)):
        raise InputError("spectrum", f"{f.size} frequencies, {zz.size} impedances", ">= 2 finite points, one z per frequency")
    order = np.argsort(-f)
    zr, y = zz.real[order], -zz.imag[order]
    if y[0] <= 0:
        pos = np.nonzero(y > 0)[0]
        if pos.size == 0:
            raise InputError("spectrum", "no capacitive point (-Z'' > 0)", "a blocking-electrode impedance spectrum")
        k = int(pos[0])
        y0, y1 = y[k - 1], y[k]
        return float(zr[k - 1] + (zr[k] - zr[k - 1]) * (0.0 - y0) / (y1 - y0))
    seen_peak = False
    for i in range(1, y.size - 1):
        if y[i] >= y[i - 1] and y[i] > y[i + 1]:
            seen_peak = True
        elif seen_peak and y[i] <= y[i - 1] and y[i] < y[i + 1]:
            return float(zr[i])
    return float(zr[0])
