"""Large spectra: log-frequency binning and memory estimates before large allocations.

A spectrum of 10^6 points carries no more information about a handful of relaxations
than a few thousand points do, but the analyses' work arrays grow with the number of
points (the circuit fit's automatic guess evaluates hundreds of candidate parameter sets
at every point). Two tools keep them bounded:

* :func:`log_bin` reduces a spectrum to at most ``max_points`` points by binning in
  log-frequency: the band [f_min, f_max] is cut into ``max_points`` bins of equal width
  in ln f, and each non-empty bin is replaced by the mean of its impedances at the
  geometric mean of its frequencies,

      f_b = exp(mean_{i in b} ln f_i),   Z_b = mean_{i in b} Z_i.

  The mean is a linear operation: a Kramers-Kronig compliant spectrum stays compliant up to
  the curvature of Z within a bin, (1/24) (Delta ln f)^2 |d^2 Z / d(ln f)^2| ~ 4e-6 |Z| for
  2,000 bins over 8 decades, and uncorrelated noise of the bin's points is averaged down by
  sqrt(n_b). Bins keep their point counts (``counts``).
* :func:`check_memory` compares an estimate of the bytes an analysis will allocate with a
  limit (``CELLSIM_MEMORY_LIMIT`` in bytes, or 2 GiB) and refuses in one line naming the
  size and the option to use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

__all__ = ["DEFAULT_MAX_POINTS", "Decimation", "log_bin", "memory_limit", "check_memory", "fit_bytes",
           "kk_bytes"]

#: Default ``--max-points`` of ``cellsim fit``, ``kk`` and ``drt``.
DEFAULT_MAX_POINTS = 2000
_DEFAULT_LIMIT = 2 * 2**30


@dataclass(frozen=True)
class Decimation:
    """A spectrum reduced by :func:`log_bin` (or passed through unchanged).

    Attributes
    ----------
    frequency : numpy.ndarray
        [Hz], in the order of the input (descending if the input was descending).
    z : numpy.ndarray
        [ohm].
    counts : numpy.ndarray
        Number of input points in each output point.
    n_in, n_out : int
        Points before and after.
    max_points : int
        The limit asked for (0: no limit).
    """

    frequency: np.ndarray
    z: np.ndarray
    counts: np.ndarray
    n_in: int
    n_out: int
    max_points: int

    @property
    def decimated(self) -> bool:
        """True when points were merged."""
        return self.n_out < self.n_in

    @property
    def message(self) -> str:
        """One line for the command output, e.g. 'decimated 1,000,000 -> 2,000 points by ...'."""
        if not self.decimated:
            return f"{self.n_in:,} points used (no decimation, --max-points {self.max_points or 'all'})"
        return (f"decimated {self.n_in:,} -> {self.n_out:,} points by log-frequency binning "
                f"(mean Z in {self.max_points:,} equal bins of ln f; --max-points {self.max_points})")

    def as_dict(self) -> dict:
        """JSON form: n_points_in, n_points_out, max_points, method, message."""
        return {"n_points_in": self.n_in, "n_points_out": self.n_out, "max_points": self.max_points,
                "method": "log-frequency binning" if self.decimated else "none", "message": self.message}


def log_bin(frequency, z, max_points: int = DEFAULT_MAX_POINTS) -> Decimation:
    """Reduce a spectrum to at most ``max_points`` points by log-frequency binning.

    Parameters
    ----------
    frequency : array_like
        [Hz], finite and > 0.
    z : array_like
        Complex impedance [ohm].
    max_points : int
        Largest number of points kept (>= 5); 0 keeps every point.

    Returns
    -------
    Decimation
        Unchanged data when there are at most ``max_points`` points.

    Raises
    ------
    cellsim.errors.InputError
        For ``max_points`` not 0 and below 5, or frequencies that are not finite and > 0.
    """
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or (
            max_points != 0 and max_points < 5):
        raise InputError("--max-points", max_points, "an integer >= 5, or 0 for every point")
    f = np.asarray(frequency, dtype=float).ravel()
    z = np.asarray(z, dtype=complex).ravel()
    if f.size != z.size:
        raise InputError("z", f"{z.size} values", f"one per frequency ({f.size})")
    n = f.size
    if max_points == 0 or n <= max_points:
        return Decimation(f, z, np.ones(n, dtype=int), n, n, int(max_points))
    if not np.all(np.isfinite(f) & (f > 0)):
        raise InputError("frequency", "non-positive or non-finite values", "finite frequencies > 0 Hz")
    lf = np.log(f)
    lo, hi = float(lf.min()), float(lf.max())
    if hi == lo:  # one frequency repeated: one bin
        b = np.zeros(n, dtype=np.intp)
    else:
        b = np.minimum(((lf - lo) / (hi - lo) * max_points).astype(np.intp), max_points - 1)
    counts = np.bincount(b, minlength=max_points)
    used = np.flatnonzero(counts)
    cnt = counts[used]
    f_out = np.exp(np.bincount(b, weights=lf, minlength=max_points)[used] / cnt)
    z_out = (np.bincount(b, weights=z.real, minlength=max_points)[used]
             + 1j * np.bincount(b, weights=z.imag, minlength=max_points)[used]) / cnt
    if f[0] > f[-1]:  # keep the measurement's direction (usually high to low)
        f_out, z_out, cnt = f_out[::-1], z_out[::-1], cnt[::-1]
    return Decimation(f_out, z_out, cnt.astype(int), n, int(used.size), int(max_points))


def memory_limit() -> int:
    """Bytes an analysis may allocate: ``CELLSIM_MEMORY_LIMIT`` (bytes) or 2 GiB."""
    text = os.environ.get("CELLSIM_MEMORY_LIMIT")
    if text:
        try:
            v = int(float(text))
        except ValueError:
            raise InputError("CELLSIM_MEMORY_LIMIT", text, "a number of bytes, e.g. 4e9") from None
        if v > 0:
            return v
        raise InputError("CELLSIM_MEMORY_LIMIT", text, "a number of bytes > 0")
    return _DEFAULT_LIMIT


def _gb(nbytes: float) -> str:
    return f"{nbytes / 2**30:.3g} GiB"


def check_memory(nbytes: float, what: str, n_points: int, option: str = "--max-points N (e.g. 2000)") -> None:
    """Refuse an analysis whose estimated allocation exceeds :func:`memory_limit`.

    Raises
    ------
    cellsim.errors.InputError
        One line: the size of the input, the estimate, the limit and the option to use.
    """
    limit = memory_limit()
    if nbytes > limit:
        raise InputError("points", f"{n_points:,}",
                         f"a {what} of {n_points:,} points needs about {_gb(nbytes)} (limit {_gb(limit)}, "
                         f"CELLSIM_MEMORY_LIMIT): decimate with {option}")


def fit_bytes(n_points: int, n_params: int, n_starts: int) -> float:
    """Estimated peak allocation [bytes] of :func:`cellsim.fitting.fit` on ``n_points`` points.

    The automatic guess evaluates S = clip(200000 / N, 200, 1500) candidate sets at every
    point (complex targets, bases and their real weighted rows: about 36 (1 + n_params)
    bytes per candidate and point, measured 31 on R0-p(R1,CPE1)-CPE2); the multi-start Levenberg-Marquardt holds the Jacobians
    of all starts, 16 n_starts (n_params + 2) bytes per point.
    """
    s = int(np.clip(200000 // max(n_points, 1), 200, 1500))
    return float(n_points) * (36.0 * s * (1 + n_params) + 16.0 * n_starts * (n_params + 2) * 4)


def kk_bytes(n_points: int, max_rc: int) -> float:
    """Estimated peak allocation [bytes] of :func:`cellsim.fitting.lin_kk` (design matrices
    of 2N rows and up to max_rc + 3 columns, complex and real copies, the least-squares work; measured 111 MB at 20,000 points)."""
    return float(n_points) * (max_rc + 3) * 16.0 * 7
