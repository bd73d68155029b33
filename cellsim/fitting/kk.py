"""Linear Kramers-Kronig validity test (lin-KK).

The spectrum is fitted, by weighted *linear* least squares, with a Voigt circuit of M
RC elements whose time constants are fixed and log-spaced over the measured range,

    Z_KK(w) = R_0 + j w L + sum_k R_k / (1 + j w tau_k),
    tau_1 = 1/w_max, tau_M = 1/w_min, tau_k log-spaced,

with weights 1/|Z|. Every such circuit satisfies the Kramers-Kronig relations, so
residuals well above the noise level flag a non-causal, non-linear or drifting measurement.
M is chosen automatically with the mu criterion: M grows until

    mu = 1 - sum_{R_k<0} |R_k| / sum_{R_k>=0} |R_k|  <=  c     (c = 0.85),

i.e. until over-fitting starts producing negative resistances. The search starts at the
first M from which the pseudo chi^2 stays within a factor 4 of the best attainable (``chi2_factor``):
for smaller M the chain is under-resolved and rings around sharp (near-Debye) relaxations,
which also gives negative R_k but is not over-fitting; without this guard the plain
criterion stops there with residuals of tens of percent on ideal RC spectra.

Source: M. Schönleber, D. Klotz, E. Ivers-Tiffée, "A Method for Improving the Robustness
of linear Kramers-Kronig Validity Tests", Electrochimica Acta 131 (2014) 20-27,
doi:10.1016/j.electacta.2014.01.034.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ._spectrum import checked_spectrum

__all__ = ["KKResult", "lin_kk"]


@dataclass(frozen=True)
class KKResult:
    """Result of :func:`lin_kk`.

    Attributes
    ----------
    n_rc : int
        Number of RC elements M chosen by the mu criterion.
    mu : float
        The mu value at ``n_rc``.
    frequency : numpy.ndarray
        [Hz].
    residuals_real, residuals_imag : numpy.ndarray
        (Z - Z_KK) / |Z|, real and imaginary parts (fractions of |Z|).
    max_abs_residual : float
        Largest absolute residual (fraction of |Z|).
    z_fit : numpy.ndarray
        The KK-compliant fit [ohm].
    tau : numpy.ndarray
        Time constants [s]; ``resistances`` the R_k [ohm]; ``r_series`` R_0 [ohm];
        ``inductance`` L [H]; ``capacitance`` series C [F] or None.
    threshold : float
        Residual limit used for ``passed``.
    passed : bool
        ``max_abs_residual <= threshold``.
    """

    n_rc: int
    mu: float
    frequency: np.ndarray
    residuals_real: np.ndarray
    residuals_imag: np.ndarray
    max_abs_residual: float
    z_fit: np.ndarray
    tau: np.ndarray
    resistances: np.ndarray
    r_series: float
    inductance: float
    capacitance: float | None
    threshold: float
    passed: bool
    mu_history: list = field(default_factory=list)
    m_min: int = 1

    @property
    def rms_residual(self) -> float:
        """Root-mean-square of all residuals (fraction of |Z|)."""
        r = np.concatenate([self.residuals_real, self.residuals_imag])
        return float(np.sqrt(np.mean(r * r)))


def _design(w: np.ndarray, tau: np.ndarray, inductance: bool, capacitance: bool) -> np.ndarray:
    """Complex design matrix, columns [R0, (L), (1/C), R_1..R_M]."""
    cols = [np.ones_like(w, dtype=complex)]
    if inductance:
        cols.append(1j * w)
    if capacitance:
        cols.append(-1j / w)  # 1/(j w C) = (1/C) * (-j/w)
    base = np.stack(cols, axis=1)
    rc = 1.0 / (1.0 + 1j * w[:, None] * tau[None, :])
    return np.concatenate([base, rc], axis=1)


def lin_kk(frequency, z, c: float = 0.85, max_rc: int = 50, inductance: bool = True, capacitance: bool = False,
           threshold: float = 0.01, chi2_factor: float = 4.0) -> KKResult:
    """Linear Kramers-Kronig test with automatic choice of the number of RC elements.

    Parameters
    ----------
    frequency : array_like
        Frequencies [Hz], positive.
    z : array_like
        Complex impedance [ohm] (``z.imag < 0`` capacitive).
    c : float
        mu threshold in (0, 1); Schönleber et al. recommend 0.85.
    max_rc : int
        Upper limit of M (also limited by the number of points).
    inductance : bool
        Fit a series inductance (recommended when the high-frequency points turn inductive).
    capacitance : bool
        Fit a series capacitance (for blocking electrodes).
    threshold : float
        ``passed`` is ``max_abs_residual <= threshold`` (fraction of |Z|).
    chi2_factor : float
        Under-resolution guard: mu is only tested from the first M from which the pseudo
        chi^2 (sum of squared relative residuals) stays, for every larger M, within this
        factor of the best attainable. Below that M the Voigt chain rings around sharp relaxations
        and produces negative R_k that are not over-fitting (set 1e300 to disable the guard
        and reproduce the plain Schönleber search from M = 1).

    Returns
    -------
    KKResult

    Raises
    ------
    cellsim.errors.InputError
        For fewer than 3 points, non-positive frequencies, non-finite impedances, or c outside (0, 1);
        when the memory estimate (:func:`cellsim.fitting.decimate.kk_bytes`) exceeds the limit
        (:func:`cellsim.fitting.decimate.memory_limit`): decimate first (:func:`~cellsim.fitting.decimate.log_bin`).
    """
    f, z = checked_spectrum(frequency, z, 3, "a lin-KK test")
    if not (0.0 < c < 1.0):
        raise InputError("c", c, "0 < c < 1 (0.85 recommended)")
    if not (isinstance(max_rc, (int, np.integer)) and max_rc >= 1):
        raise InputError("max_rc", max_rc, "an integer >= 1")
    from ._blas import single_thread
    from .decimate import check_memory, kk_bytes

    check_memory(kk_bytes(f.size, int(max_rc)), "lin-KK test", f.size)
    with single_thread():
        return _lin_kk(f, z, c, max_rc, inductance, capacitance, threshold, chi2_factor)


def _lin_kk(f, z, c, max_rc, inductance, capacitance, threshold, chi2_factor) -> KKResult:
    w = 2.0 * np.pi * f
    weight = 1.0 / np.abs(z)
    n_extra = 1 + int(inductance) + int(capacitance)
    m_max = int(min(max_rc, 2 * f.size - n_extra - 1))
    if m_max < 1:
        raise InputError("frequency", f"{f.size} points", "enough points for at least one RC element")
    tmin, tmax = 1.0 / w.max(), 1.0 / w.min()
    b = np.concatenate([z.real * weight, z.imag * weight])
    fits = []
    for m in range(1, m_max + 1):
        tau = np.logspace(np.log10(tmin), np.log10(tmax), m) if m > 1 else np.array([np.sqrt(tmin * tmax)])
        a = _design(w, tau, inductance, capacitance) * weight[:, None]
        amat = np.concatenate([a.real, a.imag], axis=0)
        # column scaling for conditioning (the L and 1/C columns span many decades)
        scale = np.linalg.norm(amat, axis=0)
        scale[scale == 0] = 1.0
        x, *_ = np.linalg.lstsq(amat / scale, b, rcond=None)
        x = x / scale
        rk = x[n_extra:]
        pos = np.sum(rk[rk >= 0])
        neg = -np.sum(rk[rk < 0])
        mu = 1.0 - neg / pos if pos > 0 else -np.inf
        r = amat @ x - b
        fits.append((m, tau, x, float(mu), float(r @ r)))
    # Lower limit: below it the Voigt chain is under-resolved and negative R_k come from
    # ringing around sharp relaxations, not from over-fitting the noise. It is the first M
    # from which the pseudo chi^2 stays within a factor `chi2_factor` of the best attainable.
    chi2 = np.array([ft[4] for ft in fits])
    # worst chi^2 at this M or any larger one: a lucky alignment of a coarse tau grid with
    # the true time constants (a dip in chi^2 followed by worse fits) does not count
    worst_after = np.maximum.accumulate(chi2[::-1])[::-1]
    # (floor: round-off of the least-squares solve, for data a chain fits exactly)
    floor = max(chi2_factor * chi2.min(), 1e-20 * float(b @ b))
    ok = np.flatnonzero(worst_after <= floor)
    m_lo = int(ok[0]) + 1 if ok.size else int(np.argmin(chi2)) + 1
    history = [ft[3] for ft in fits]
    chosen = fits[-1]
    for ft in fits[m_lo - 1:]:
        if ft[3] <= c:
            chosen = ft
            break
    m, tau, x, mu, _ = chosen
    zfit = _design(w, tau, inductance, capacitance) @ x
    res = (z - zfit) / np.abs(z)
    k = 1
    lval = 0.0
    cval = None
    if inductance:
        lval = float(x[k])
        k += 1
    if capacitance:
        inv_c = float(x[k])
        cval = 1.0 / inv_c if inv_c != 0 else float("inf")
        k += 1
    max_res = float(np.max(np.abs(np.concatenate([res.real, res.imag]))))
    return KKResult(n_rc=int(m), mu=float(mu), frequency=f, residuals_real=res.real, residuals_imag=res.imag,
                    max_abs_residual=max_res, z_fit=zfit, tau=tau, resistances=x[n_extra:], r_series=float(x[0]),
                    inductance=lval, capacitance=cval, threshold=float(threshold),
                    passed=bool(max_res <= threshold), mu_history=history, m_min=m_lo)
