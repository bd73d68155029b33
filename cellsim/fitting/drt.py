"""Distribution of relaxation times (DRT) by Tikhonov regularisation with non-negativity.

The impedance is written as a series resistance, an optional series inductance and a
continuous Voigt chain,

    Z(w) = R_inf + j w L + integral gamma(ln tau) / (1 + j w tau) d ln tau
         ~ R_inf + j w L + sum_k gamma_k Delta / (1 + j w tau_k),

on a log-spaced tau grid (uniform step Delta in ln tau). gamma [ohm] is found from the
weighted, regularised, non-negative least-squares problem

    min  || W (A x - Z) ||^2 + lambda || D gamma ||^2,   gamma >= 0, R_inf >= 0,

stacking real and imaginary rows, with W = 1/|Z| and D the second-difference (default),
first-difference or identity matrix. lambda is chosen by generalised cross-validation
(GCV, Golub, Heath & Wahba 1979) or by the corner of the L-curve (Hansen 1992); for the
non-negative solution the influence matrix is evaluated on the free (non-zero) variables.
The problem is solved by scipy.optimize.nnls on the augmented system.

Sources: T. H. Wan, M. Saccoccio, C. Chen, F. Ciucci, "Influence of the Discretization
Methods on the Distribution of Relaxation Times Deconvolution", Electrochim. Acta 184
(2015) 483-499; G. H. Golub, M. Heath, G. Wahba, Technometrics 21 (1979) 215-223.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ._spectrum import checked_spectrum

__all__ = ["DRTResult", "drt"]


@dataclass(frozen=True)
class DRTResult:
    """Result of :func:`drt`.

    Attributes
    ----------
    tau : numpy.ndarray
        Time constants [s] (log-spaced).
    gamma : numpy.ndarray
        gamma(ln tau) [ohm]; the resistance of a peak is the sum of gamma * d_ln_tau over it.
    d_ln_tau : float
        Grid step in ln tau.
    r_inf : float
        Series resistance [ohm].
    inductance : float
        Series inductance [H] (0 when not fitted).
    lam : float
        Regularisation parameter used.
    method : str
        ``"gcv"``, ``"lcurve"`` or ``"fixed"``.
    frequency, z_fit : numpy.ndarray
        [Hz], the DRT model's impedance [ohm].
    residuals_real, residuals_imag : numpy.ndarray
        (Z - Z_fit)/|Z|.
    peaks : list of dict
        Each with ``tau_s``, ``frequency_Hz`` (= 1/(2 pi tau)), ``gamma_ohm`` (peak height) and
        ``resistance_ohm`` (area between the neighbouring minima), in order of increasing tau.
    lambdas, scores : numpy.ndarray
        The lambda grid searched and the criterion value at each (GCV score, or L-curve curvature).
    """

    tau: np.ndarray
    gamma: np.ndarray
    d_ln_tau: float
    r_inf: float
    inductance: float
    lam: float
    method: str
    frequency: np.ndarray
    z_fit: np.ndarray
    residuals_real: np.ndarray
    residuals_imag: np.ndarray
    peaks: list
    lambdas: np.ndarray = field(default_factory=lambda: np.empty(0))
    scores: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def polarisation_resistance(self) -> float:
        """Total area of gamma [ohm] (R_pol = sum gamma_k * d_ln_tau)."""
        return float(np.sum(self.gamma) * self.d_ln_tau)


def _difference(k: int, order: str) -> np.ndarray:
    if order == "identity":
        return np.eye(k)
    if order == "first":
        return np.diff(np.eye(k), n=1, axis=0)
    return np.diff(np.eye(k), n=2, axis=0)


def drt(frequency, z, lam: float | str = "gcv", penalty: str = "second", n_tau: int | None = None,
        tau_range: tuple[float, float] | None = None, inductance: bool | None = None,
        peak_threshold: float = 0.05) -> DRTResult:
    """Distribution of relaxation times of an impedance spectrum.

    Parameters
    ----------
    frequency : array_like
        [Hz], positive.
    z : array_like
        Complex impedance [ohm] (``z.imag < 0`` capacitive).
    lam : float or {"gcv", "lcurve"}
        Regularisation parameter (dimensionless: the data are weighted by 1/|Z| and gamma is
        scaled by max |Z|), or the rule that chooses it.
    penalty : {"second", "first", "identity"}
        Regularisation operator on gamma.
    n_tau : int, optional
        Number of tau points; default 10 per decade over ``tau_range``.
    tau_range : (float, float), optional
        [s]; default one decade beyond 1/(2 pi f_max) and 1/(2 pi f_min).
    inductance : bool, optional
        Fit a series inductance; default: when any point has ``z.imag > 0``.
    peak_threshold : float
        Peaks lower than this fraction of max(gamma) (by prominence) are ignored.

    Returns
    -------
    DRTResult

    Raises
    ------
    cellsim.errors.InputError
        For fewer than 5 points, invalid frequencies or impedances, or bad options.
    """
    from scipy.optimize import nnls

    f, z = checked_spectrum(frequency, z, 5, "a DRT")
    _check_options(lam, penalty, peak_threshold)

    w = 2.0 * np.pi * f
    if tau_range is None:
        tmin, tmax = 0.1 / w.max(), 10.0 / w.min()
    else:
        tmin, tmax = (float(t) for t in tau_range)
        if not (0 < tmin < tmax < np.inf):
            raise InputError("tau_range", tau_range, "0 < tau_min < tau_max [s]")
    if n_tau is None:
        n_tau = max(int(round(10 * np.log10(tmax / tmin))) + 1, 10)
    if not (isinstance(n_tau, (int, np.integer)) and 5 <= n_tau <= 2000):
        raise InputError("n_tau", n_tau, "an integer 5..2000")
    if inductance is None:
        inductance = bool(np.any(z.imag > 0))

    tau = np.logspace(np.log10(tmin), np.log10(tmax), n_tau)
    dln = float(np.log(tau[1] / tau[0]))
    weight = 1.0 / np.abs(z)
    zscale = float(np.max(np.abs(z)))
    lscale = zscale / w.max()
    # unknowns (scaled): [R_inf, (L+, L-), gamma_1..gamma_K], all >= 0
    kern = dln / (1.0 + 1j * w[:, None] * tau[None, :])
    cols = [np.full((f.size, 1), zscale, dtype=complex)]
    if inductance:
        cols += [(1j * w)[:, None] * lscale, -(1j * w)[:, None] * lscale]
    n_extra = 1 + 2 * int(inductance)
    a_c = np.concatenate(cols + [kern * zscale], axis=1) * weight[:, None]
    a = np.concatenate([a_c.real, a_c.imag], axis=0)
    b = np.concatenate([(z * weight).real, (z * weight).imag])
    dg = _difference(n_tau, penalty)
    d = np.concatenate([np.zeros((dg.shape[0], n_extra)), dg], axis=1)
    n_rows = a.shape[0]

    def solve(lmb: float) -> np.ndarray:
        aa = np.concatenate([a, np.sqrt(lmb) * d], axis=0)
        bb = np.concatenate([b, np.zeros(d.shape[0])])
        x, _ = nnls(aa, bb, maxiter=50 * aa.shape[1])
        return x

    # GCV uses the influence matrix of the unconstrained regularised problem,
    # H = A (A^T A + lambda D^T D)^-1 A^T (the L- column is dropped: L is one variable).
    # (The trace restricted to the non-zero NNLS variables under-counts the degrees of
    # freedom of sparse small-lambda solutions and drives lambda to the bottom of the grid.)
    keep = np.ones(n_extra + n_tau, dtype=bool)
    if inductance:
        keep[2] = False
    ata = a[:, keep].T @ a[:, keep]
    dtd = (d.T @ d)[np.ix_(keep, keep)]

    def gcv_and_norms(lmb: float, x: np.ndarray) -> tuple[float, float, float]:
        r = a @ x - b
        rss = float(r @ r)
        try:
            h_tr = float(np.trace(np.linalg.solve(ata + lmb * dtd, ata)))
        except np.linalg.LinAlgError:
            h_tr = float(keep.sum())
        denom = max(n_rows - h_tr, 1e-12)
        gcv = n_rows * rss / denom ** 2
        return gcv, rss, float(np.sum((d @ x) ** 2))

    if isinstance(lam, str):
        lambdas = np.logspace(-10, 1, 45)
        sols = [solve(lmb) for lmb in lambdas]
        gcvs, rsss, pens = zip(*(gcv_and_norms(lmb, x) for lmb, x in zip(lambdas, sols)))
        i, scores = _choose_lambda(lam, lambdas, gcvs, rsss, pens)
        lam_used, x, method = float(lambdas[i]), sols[i], lam
    else:
        lambdas, scores = np.array([float(lam)]), np.array([np.nan])
        lam_used, x, method = float(lam), solve(float(lam)), "fixed"

    r_inf = float(x[0] * zscale)
    lval = float((x[1] - x[2]) * lscale) if inductance else 0.0
    gamma = x[n_extra:] * zscale
    z_fit = r_inf + 1j * w * lval + kern @ gamma
    res = (z - z_fit) / np.abs(z)
    return DRTResult(tau=tau, gamma=gamma, d_ln_tau=dln, r_inf=r_inf, inductance=lval, lam=lam_used, method=method,
                     frequency=f, z_fit=z_fit, residuals_real=res.real, residuals_imag=res.imag,
                     peaks=_peaks(tau, gamma, dln, peak_threshold), lambdas=lambdas, scores=scores)


def _check_options(lam, penalty: str, peak_threshold: float) -> None:
    if penalty not in ("second", "first", "identity"):
        raise InputError("penalty", penalty, "'second', 'first' or 'identity'")
    if isinstance(lam, str):
        if lam not in ("gcv", "lcurve"):
            raise InputError("lam", lam, "a number > 0, 'gcv' or 'lcurve'")
    elif not (np.isfinite(lam) and lam > 0):
        raise InputError("lam", lam, "a number > 0, 'gcv' or 'lcurve'")
    if not (0 <= peak_threshold < 1):
        raise InputError("peak_threshold", peak_threshold, "0 <= value < 1")


def _choose_lambda(rule: str, lambdas: np.ndarray, gcvs, rsss, pens) -> tuple[int, np.ndarray]:
    """Index of the chosen lambda and the score of every lambda on the grid.

    ``"gcv"``: the minimum of the GCV function. ``"lcurve"``: the interior point of largest
    curvature of the L-curve (log residual norm, log penalty), parametrised by ln lambda.
    """
    if rule == "gcv":
        scores = np.array(gcvs)
        return int(np.argmin(scores)), scores
    lr = np.log(np.maximum(rsss, 1e-300))
    lp = np.log(np.maximum(pens, 1e-300))
    t = np.log(lambdas)
    d1r, d1p = np.gradient(lr, t), np.gradient(lp, t)
    d2r, d2p = np.gradient(d1r, t), np.gradient(d1p, t)
    scores = (d1r * d2p - d2r * d1p) / np.maximum((d1r ** 2 + d1p ** 2) ** 1.5, 1e-300)
    interior = np.arange(2, lambdas.size - 2)
    return int(interior[np.argmax(scores[interior])]), scores


def _peaks(tau: np.ndarray, gamma: np.ndarray, dln: float, threshold: float) -> list[dict]:
    from scipy.signal import find_peaks

    gmax = float(np.max(gamma)) if gamma.size else 0.0
    if gmax <= 0:
        return []
    padded = np.concatenate([[0.0], gamma, [0.0]])  # peaks at the grid edge count too
    idx, _ = find_peaks(padded, prominence=threshold * gmax)
    idx = idx - 1
    peaks = []
    for j, k in enumerate(idx):
        lo = 0 if j == 0 else idx[j - 1] + int(np.argmin(gamma[idx[j - 1]:k + 1])) + 1
        hi = gamma.size - 1 if j == len(idx) - 1 else k + int(np.argmin(gamma[k:idx[j + 1] + 1]))
        # quadratic interpolation of the apex in ln tau
        lt = np.log(tau[k])
        if 0 < k < gamma.size - 1:
            y0, y1, y2 = gamma[k - 1], gamma[k], gamma[k + 1]
            den = y0 - 2 * y1 + y2
            if den < 0:
                lt += 0.5 * dln * (y0 - y2) / den
        t = float(np.exp(lt))
        peaks.append({"tau_s": t, "frequency_Hz": 1.0 / (2 * np.pi * t), "gamma_ohm": float(gamma[k]),
                      "resistance_ohm": float(np.sum(gamma[lo:hi + 1]) * dln)})
    return peaks
