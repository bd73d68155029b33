"""Input checks shared by the analyses of one measured spectrum (DRT, lin-KK)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def checked_spectrum(frequency, z, min_points: int, purpose: str) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies [Hz] and impedances [ohm] as flat float and complex arrays, checked.

    Raises
    ------
    InputError
        Not one impedance per frequency; fewer than ``min_points`` points (``purpose``
        names the analysis, e.g. ``"a DRT"``); a frequency not finite and > 0 Hz; an
        impedance not finite or zero.
    """
    f = np.asarray(frequency, dtype=float).ravel()
    zz = np.asarray(z, dtype=complex).ravel()
    if f.size != zz.size:
        raise InputError("z", f"{zz.size} values", f"one per frequency ({f.size})")
    if f.size < min_points:
        raise InputError("frequency", f"{f.size} points", f"at least {min_points} points for {purpose}")
    if not np.all(np.isfinite(f) & (f > 0)):
        raise InputError("frequency", "non-positive or non-finite values", "finite frequencies > 0 Hz")
    if not np.all(np.isfinite(zz)) or np.any(zz == 0):
        raise InputError("z", "non-finite or zero values", "finite, non-zero impedances")
    return f, zz
