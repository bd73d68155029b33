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
(GCV, Golub, Heath & Wahba 1979) or by the corner of the L-curve (Hansen 1992); the GCV
influence matrix is that of the unconstrained regularised problem.

The 2N weighted rows are first reduced, block by block, to the square system R x = c
(A = Q R, c = Q^T b), which has the same minimiser for every lambda because
||A x - b||^2 = ||R x - c||^2 + (||b||^2 - ||c||^2); each lambda then costs one
scipy.optimize.nnls solve of [R; sqrt(lambda) D] x = [c; 0], whose size does not depend on
the number of points (2,000 points: 0.2 s for the 45-lambda search).

Sources: T. H. Wan, M. Saccoccio, C. Chen, F. Ciucci, "Influence of the Discretization
Methods on the Distribution of Relaxation Times Deconvolution", Electrochim. Acta 184
(2015) 483-499; G. H. Golub, M. Heath, G. Wahba, Technometrics 21 (1979) 215-223.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError

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


#: Bytes of one block of design-matrix rows held at a time (the data are processed in
#: blocks of points, so memory does not grow with the number of points beyond O(N) vectors).
BLOCK_BYTES = 64 * 2**20


def _block_points(n_cols: int) -> int:
    """Points per block: a complex kernel block and its two real row blocks, 32 bytes per entry."""
    return max(256, int(BLOCK_BYTES // (32 * max(n_cols, 1))))


def _voigt(w: np.ndarray, tau: np.ndarray, dln: float, gamma: np.ndarray) -> np.ndarray:
    """sum_k gamma_k dln / (1 + j w tau_k) [ohm] at every w, evaluated in blocks of points."""
    out = np.empty(w.size, dtype=complex)
    step = _block_points(tau.size)
    for i in range(0, w.size, step):
        wb = w[i:i + step]
        out[i:i + step] = (dln / (1.0 + 1j * wb[:, None] * tau[None, :])) @ gamma
    return out


def _reduce(w: np.ndarray, z: np.ndarray, tau: np.ndarray, dln: float, zscale: float, lscale: float,
            inductance: bool) -> tuple[np.ndarray, np.ndarray, float]:
    """QR reduction of the weighted least-squares rows, block by block.

    The stacked real system A x = b (rows Re and Im of W(Z_model - Z), W = 1/|Z|) is reduced
    to the square system R x = c with A = Q R, c = Q^T b, so that for every x

        ||A x - b||^2 = ||R x - c||^2 + (||b||^2 - ||c||^2).

    Blocks of points are folded in one at a time (QR of [R; A_block]), so the memory is
    that of one block however many points the spectrum has.

    Returns
    -------
    R : (n, n) array, c : (n,) array, and the constant ||b||^2 - ||c||^2 (>= 0).
    """
    n_cols = 1 + 2 * int(inductance) + tau.size
    r_mat = np.zeros((0, n_cols))
    c_vec = np.zeros(0)
    bb = 0.0
    step = _block_points(n_cols)
    for i in range(0, w.size, step):
        wb, zb = w[i:i + step], z[i:i + step]
        weight = 1.0 / np.abs(zb)
        cols = [np.full((wb.size, 1), zscale, dtype=complex)]
        if inductance:
            cols += [(1j * wb)[:, None] * lscale, -(1j * wb)[:, None] * lscale]
        cols.append((dln * zscale) / (1.0 + 1j * wb[:, None] * tau[None, :]))
        a_c = np.concatenate(cols, axis=1) * weight[:, None]
        b_c = zb * weight
        b_blk = np.concatenate([b_c.real, b_c.imag])
        bb += float(b_blk @ b_blk)
        a_blk = np.concatenate([r_mat, a_c.real, a_c.imag], axis=0)
        b_blk = np.concatenate([c_vec, b_blk])
        q, r_mat = np.linalg.qr(a_blk, mode="reduced")
        c_vec = q.T @ b_blk
    return r_mat, c_vec, max(bb - float(c_vec @ c_vec), 0.0)


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
        Fit a series inductance L (signed: L = L+ - L-, both >= 0); default: when any point
        has ``z.imag > 0``. Pass True when the top points are not inductive but L is expected
        (without inductive points L trades off against the small-tau end of gamma).
    peak_threshold : float
        Peaks lower than this fraction of max(gamma) (by prominence) are ignored.

    Returns
    -------
    DRTResult
        R_inf agrees with the series resistance of a circuit fit when the highest-frequency
        arc closes inside the measured band; when it is still open at f_max, R_inf and the
        small-tau end of gamma are not separable by the data.

    Raises
    ------
    cellsim.errors.InputError
        For fewer than 5 points, invalid frequencies or impedances, or bad options.

    Notes
    -----
    The weighted rows are reduced block by block to a square triangular system (QR), so
    memory does not grow with the number of points beyond O(N) vectors and each lambda of
    the search costs one small NNLS solve (module docstring, :func:`_reduce`).
    """
    from ._blas import single_thread

    with single_thread():
        return _drt(frequency, z, lam, penalty, n_tau, tau_range, inductance, peak_threshold)


def _drt(frequency, z, lam, penalty, n_tau, tau_range, inductance, peak_threshold) -> DRTResult:
    from scipy.optimize import nnls

    f = np.asarray(frequency, dtype=float).ravel()
    z = np.asarray(z, dtype=complex).ravel()
    if f.size != z.size:
        raise InputError("z", f"{z.size} values", f"one per frequency ({f.size})")
    if f.size < 5:
        raise InputError("frequency", f"{f.size} points", "at least 5 points for a DRT")
    if not np.all(np.isfinite(f) & (f > 0)):
        raise InputError("frequency", "non-positive or non-finite values", "finite frequencies > 0 Hz")
    if not np.all(np.isfinite(z)) or np.any(z == 0):
        raise InputError("z", "non-finite or zero values", "finite, non-zero impedances")
    if penalty not in ("second", "first", "identity"):
        raise InputError("penalty", penalty, "'second', 'first' or 'identity'")
    if isinstance(lam, str):
        if lam not in ("gcv", "lcurve"):
            raise InputError("lam", lam, "a number > 0, 'gcv' or 'lcurve'")
    elif not (np.isfinite(lam) and lam > 0):
        raise InputError("lam", lam, "a number > 0, 'gcv' or 'lcurve'")
    if not (0 <= peak_threshold < 1):
        raise InputError("peak_threshold", peak_threshold, "0 <= value < 1")

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
    zscale = float(np.max(np.abs(z)))
    lscale = zscale / w.max()
    # unknowns (scaled): [R_inf, (L+, L-), gamma_1..gamma_K], all >= 0
    n_extra = 1 + 2 * int(inductance)
    r_mat, c_vec, rss_floor = _reduce(w, z, tau, dln, zscale, lscale, inductance)
    dg = _difference(n_tau, penalty)
    d = np.concatenate([np.zeros((dg.shape[0], n_extra)), dg], axis=1)
    n_rows = 2 * f.size

    def solve(lmb: float) -> np.ndarray:
        aa = np.concatenate([r_mat, np.sqrt(lmb) * d], axis=0)
        bb = np.concatenate([c_vec, np.zeros(d.shape[0])])
        x, _ = nnls(aa, bb, maxiter=50 * aa.shape[1])
        return x

    # GCV uses the influence matrix of the unconstrained regularised problem,
    # H = A (A^T A + lambda D^T D)^-1 A^T (the L- column is dropped: L is one variable);
    # A^T A = R^T R from the QR reduction.
    # (The trace restricted to the non-zero NNLS variables under-counts the degrees of
    # freedom of sparse small-lambda solutions and drives lambda to the bottom of the grid.)
    keep = np.ones(n_extra + n_tau, dtype=bool)
    if inductance:
        keep[2] = False
    ata = r_mat[:, keep].T @ r_mat[:, keep]
    dtd = (d.T @ d)[np.ix_(keep, keep)]

    def gcv_and_norms(lmb: float, x: np.ndarray) -> tuple[float, float, float]:
        r = r_mat @ x - c_vec
        rss = float(r @ r) + rss_floor
        try:
            h_tr = float(np.trace(np.linalg.solve(ata + lmb * dtd, ata)))
        except np.linalg.LinAlgError:
            h_tr = float(keep.sum())
        denom = max(n_rows - h_tr, 1e-12)
        gcv = n_rows * rss / denom ** 2
        return gcv, rss, float(np.sum((d @ x) ** 2))

    if isinstance(lam, str):
        lambdas = np.logspace(-10, 1, 45)
        sols, gcvs, rsss, pens = [], [], [], []
        for lmb in lambdas:
            x = solve(lmb)
            g, rss, pen = gcv_and_norms(lmb, x)
            sols.append(x)
            gcvs.append(g)
            rsss.append(rss)
            pens.append(pen)
        if lam == "gcv":
            scores = np.array(gcvs)
            i = int(np.argmin(scores))
        else:
            lr = np.log(np.maximum(rsss, 1e-300))
            lp = np.log(np.maximum(pens, 1e-300))
            t = np.log(lambdas)
            d1r, d1p = np.gradient(lr, t), np.gradient(lp, t)
            d2r, d2p = np.gradient(d1r, t), np.gradient(d1p, t)
            scores = (d1r * d2p - d2r * d1p) / np.maximum((d1r ** 2 + d1p ** 2) ** 1.5, 1e-300)
            interior = np.arange(2, lambdas.size - 2)
            i = int(interior[np.argmax(scores[interior])])
        lam_used, x, method = float(lambdas[i]), sols[i], lam
    else:
        lambdas, scores = np.array([float(lam)]), np.array([np.nan])
        lam_used, x, method = float(lam), solve(float(lam)), "fixed"

    r_inf = float(x[0] * zscale)
    lval = float((x[1] - x[2]) * lscale) if inductance else 0.0
    gamma = x[n_extra:] * zscale
    z_fit = r_inf + 1j * w * lval + _voigt(w, tau, dln, gamma)
    res = (z - z_fit) / np.abs(z)
    return DRTResult(tau=tau, gamma=gamma, d_ln_tau=dln, r_inf=r_inf, inductance=lval, lam=lam_used, method=method,
                     frequency=f, z_fit=z_fit, residuals_real=res.real, residuals_imag=res.imag,
                     peaks=_peaks(tau, gamma, dln, peak_threshold), lambdas=lambdas, scores=scores)


def _prominences(y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Topographic prominence of the local maxima ``idx`` of ``y`` (as scipy.signal.peak_prominences).

    For each peak: its height minus the higher of the two minima of y between the peak and
    the nearest higher point on either side (or the end of the array).
    """
    out = np.empty(idx.size)
    for j, k in enumerate(idx):
        left = y[:k][::-1]
        hl = np.flatnonzero(left > y[k])
        lmin = left[:hl[0]].min() if hl.size else (left.min() if left.size else y[k])
        right = y[k + 1:]
        hr = np.flatnonzero(right > y[k])
        rmin = right[:hr[0]].min() if hr.size else (right.min() if right.size else y[k])
        out[j] = y[k] - max(lmin, rmin)
    return out


def _local_maxima(y: np.ndarray) -> np.ndarray:
    """Indices of strict local maxima of ``y``; a flat top counts once, at its middle."""
    d = np.diff(y)
    idx = []
    i = 1
    n = y.size
    while i < n - 1:
        if d[i - 1] > 0:
            j = i
            while j < n - 1 and y[j + 1] == y[i]:
                j += 1
            if j < n - 1 and y[j + 1] < y[i]:
                idx.append((i + j) // 2)
            i = j + 1
        else:
            i += 1
    return np.array(idx, dtype=int)


def _peaks(tau: np.ndarray, gamma: np.ndarray, dln: float, threshold: float) -> list[dict]:
    gmax = float(np.max(gamma)) if gamma.size else 0.0
    if gmax <= 0:
        return []
    padded = np.concatenate([[0.0], gamma, [0.0]])  # peaks at the grid edge count too
    idx = _local_maxima(padded)
    idx = idx[_prominences(padded, idx) >= threshold * gmax] if idx.size else idx
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
