"""Complex non-linear least-squares (CNLS) fitting of equivalent circuits to impedance data.

The fit minimises the weighted sum of squares of the real and imaginary residuals

    chi^2(p) = sum_i [ (Z'_i - Z'(w_i; p)) / s'_i ]^2 + [ (Z''_i - Z''(w_i; p)) / s''_i ]^2

with the weights (standard deviations) ``s'``, ``s''``

* ``"modulus"`` (default): s' = s'' = |Z_i|  (impedance.py ``weight_by_modulus=True``),
* ``"proportional"``: s' = |Z'_i|, s'' = |Z''_i| (each floored at 1e-3 |Z_i|),
* ``"unit"``: s' = s'' = 1 ohm,
* or given standard deviations ``sigma`` [ohm].

Positive parameters (resistances, capacitances, CPE Q, time constants, ...) are fitted as
their natural logarithm, so they stay positive and steps are relative; exponents (CPE n,
Zarc gamma, ...) are fitted linearly within (0, 1]. The problem is solved by
``scipy.optimize.least_squares`` (trust-region reflective) with a Jacobian by central
differences, all perturbed parameter sets of one Jacobian evaluated in one batched call
of the compiled circuit (:meth:`cellsim.circuits.Circuit.impedance`).

Multi-start (``n_starts``, default 6): the starting points are the given guess (if any),
the best distinct candidates of the automatic guess
(:func:`cellsim.fitting.guess.auto_guesses`: variable projection on the data, ranked by
chi^2 in one batched evaluation) and random log-normal perturbations of the first start.
All starts are run together by a projected Levenberg-Marquardt method (for one spectrum
the compiled kernel :func:`cellsim.fitting._kernels.multistart_lm`, whose Jacobians need
one circuit call for all k perturbed sets); the best (and the runner-up when it is a
distinct point of similar chi^2, not the best with two interchangeable arcs swapped) is
then polished by ``scipy.optimize.least_squares``,
whose convergence status enters ``success``. Interchangeable series terms (two ``p(R,CPE)``
arcs) are reported in the order closest to the given guess, else by increasing time
constant, left to right.

Uncertainties come from the full covariance at the optimum,

    C_theta = s^2 (J^T J)^-1,   s^2 = chi^2_min / (2N - k),

J the Jacobian of the weighted residuals in the fitted variables theta (k free parameters,
N complex points), transformed to natural units by C_p = D C_theta D with
D = diag(dp/dtheta) (= p for log-fitted parameters). With ``sigma`` given as absolute
standard deviations the scaling s^2 is omitted (``absolute_sigma=True``). AIC and BIC use
the Gaussian likelihood with an unknown common scale of the weights:
AIC = n ln(chi^2/n) + 2k, BIC = n ln(chi^2/n) + k ln n, n = 2N.

Sources: J. R. Macdonald, L. D. Potter, "A flexible procedure for analyzing impedance
spectroscopy results", Solid State Ionics 23 (1987) 61-79 (CNLS, weighting);
B. A. Boukamp, Solid State Ionics 20 (1986) 31-44; impedance.py 1.7.1 (parameter naming).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..errors import InputError

__all__ = ["FitResult", "fit", "fit_joint", "weights", "WEIGHTS"]

WEIGHTS = ("modulus", "proportional", "unit")
_SINGULAR = 1e-10
_LOGMAX = 230.0  # log-fitted parameters stay within exp(+-230) ~ 1e+-100 (no overflow to 0 or inf)  # relative singular-value threshold for identifiability


def weights(z: np.ndarray, weight: str = "modulus", sigma=None) -> tuple[np.ndarray, np.ndarray]:
    """Standard deviations (s', s'') [ohm] of the real and imaginary parts.

    Parameters
    ----------
    z : numpy.ndarray
        Measured impedance [ohm].
    weight : {"modulus", "proportional", "unit"}
        Weighting when ``sigma`` is not given (see the module docstring).
    sigma : float, array_like or (array_like, array_like), optional
        Given standard deviations [ohm]: a scalar, one real value per point (both parts),
        a complex array (s' + j s''), or a pair ``(s', s'')``.

    Raises
    ------
    cellsim.errors.InputError
        For an unknown weighting or non-positive sigma.
    """
    z = np.asarray(z, dtype=complex)
    n = z.size
    if sigma is not None:
        if isinstance(sigma, tuple) and len(sigma) == 2:
            sr, si = (np.broadcast_to(np.asarray(s, dtype=float), (n,)).copy() for s in sigma)
        else:
            s = np.asarray(sigma)
            if np.iscomplexobj(s):
                sr = np.broadcast_to(s.real.astype(float), (n,)).copy()
                si = np.broadcast_to(s.imag.astype(float), (n,)).copy()
            else:
                try:
                    sr = np.broadcast_to(s.astype(float), (n,)).copy()
                except (ValueError, TypeError):
                    raise InputError("sigma", f"shape {s.shape}", f"a scalar or {n} values [ohm]") from None
                si = sr.copy()
        for name, v in (("sigma (real)", sr), ("sigma (imag)", si)):
            if not np.all(np.isfinite(v) & (v > 0)):
                raise InputError(name, float(v[~(np.isfinite(v) & (v > 0))][0]), "finite standard deviations > 0 ohm")
        return sr, si
    mod = np.abs(z)
    if weight == "modulus":
        return mod.copy(), mod.copy()
    if weight == "proportional":
        floor = 1e-3 * mod
        return np.maximum(np.abs(z.real), floor), np.maximum(np.abs(z.imag), floor)
    if weight == "unit":
        return np.ones(n), np.ones(n)
    raise InputError("weight", weight, "one of " + ", ".join(WEIGHTS))


@dataclass(frozen=True, eq=False)
class FitResult:
    """Result of :func:`fit` or :func:`fit_joint`.

    Attributes
    ----------
    circuit : cellsim.circuits.Circuit
    names : list of str
        Parameter names (impedance.py convention: ``R0``, ``CPE1_0``, ``CPE1_1``).
    values : numpy.ndarray
        Fitted parameters [SI]; shape (n_params,) for one spectrum, (n_spectra, n_params)
        for a joint fit. Fixed parameters keep their given values.
    stderr : numpy.ndarray
        Standard errors (same shape) from the full covariance; 0 for fixed parameters, inf
        for parameters the data do not determine.
    fixed : numpy.ndarray of bool
        Same shape: True where a parameter was held fixed.
    free_names : list of str
        The fitted quantities in the order of ``covariance`` (``"R1"``, or ``"R1[2]"`` for
        a per-spectrum parameter of spectrum 2 in a joint fit).
    free_values : numpy.ndarray
        Their values [SI].
    covariance : numpy.ndarray
        (k, k) covariance of ``free_values`` [SI^2].
    correlation : numpy.ndarray
        (k, k) correlation matrix.
    weighted_ssr : float
        chi^2 at the optimum (dimensionless for relative weightings).
    reduced_chi2 : float
        chi^2 / (2N - k).
    n_points : int
        Number of complex data points N (all spectra).
    n_free : int
        k.
    aic, bic : float
        Information criteria (module docstring).
    frequency : numpy.ndarray or list
        [Hz] of the fitted points (a list of arrays for joint fits); likewise ``z``,
        ``z_fit`` [ohm] and ``residuals`` (z - z_fit) [ohm].
    weighted_residuals : numpy.ndarray
        The 2N weighted residuals (model - data)/s, real parts then imaginary parts per spectrum.
    success : bool
        The optimiser converged, chi^2 is finite and every free parameter is determined
        by the data (full-rank Jacobian); ``message`` says why not otherwise.
    message : str
    weighting : str
    n_starts : int
        Number of starts run; ``start_costs`` their final chi^2.
    nfev : int
        Total residual evaluations (Jacobian evaluations count once each).
    """

    circuit: object
    names: list
    values: np.ndarray
    stderr: np.ndarray
    fixed: np.ndarray
    free_names: list
    free_values: np.ndarray
    covariance: np.ndarray
    correlation: np.ndarray
    weighted_ssr: float
    reduced_chi2: float
    n_points: int
    n_free: int
    aic: float
    bic: float
    frequency: object
    z: object
    z_fit: object
    residuals: object
    weighted_residuals: np.ndarray
    success: bool
    message: str
    weighting: str
    n_starts: int = 1
    start_costs: list = field(default_factory=list)
    nfev: int = 0
    at_bound: list = field(default_factory=list)

    @property
    def parameters(self) -> dict:
        """``{name: value}`` (one spectrum) or ``{name: [values per spectrum]}`` (joint)."""
        if self.values.ndim == 1:
            return {n: float(v) for n, v in zip(self.names, self.values)}
        return {n: self.values[:, i].tolist() for i, n in enumerate(self.names)}

    @property
    def parameter_errors(self) -> dict:
        """``{name: stderr}`` like :attr:`parameters`."""
        if self.stderr.ndim == 1:
            return {n: float(v) for n, v in zip(self.names, self.stderr)}
        return {n: self.stderr[:, i].tolist() for i, n in enumerate(self.names)}

    def __repr__(self) -> str:
        return (f"FitResult({self.circuit}, success={self.success}, weighted_ssr={self.weighted_ssr:.4g}, "
                f"n_points={self.n_points}, n_free={self.n_free})")


# ------------------------------------------------------------------------------ the problem
class _Problem:
    """Weighted residuals of one or several spectra for a free-parameter vector theta.

    ``index[s, i]`` is the free-parameter number of parameter i in spectrum s (-1 = fixed at
    ``base[s, i]``); shared parameters have the same number in every spectrum.
    """

    def __init__(self, circuit, data, index, base, log_free, lo, hi):
        self.circuit = circuit
        self.data = data  # list of (f, z, sr, si)
        self.index = index
        self.base = base
        self.log_free = log_free
        self.lo, self.hi = lo, hi
        self.k = log_free.size
        self.cols = [np.flatnonzero(index[s] >= 0) for s in range(len(data))]
        self.used = [np.unique(index[s][index[s] >= 0]) for s in range(len(data))]
        self.nrows = [2 * d[0].size for d in data]
        self.offsets = np.concatenate([[0], np.cumsum(self.nrows)])
        self.nfev = 0

    def natural(self, theta: np.ndarray) -> np.ndarray:
        return np.where(self.log_free, np.exp(np.clip(np.where(self.log_free, theta, 0.0), -_LOGMAX, _LOGMAX)),
                        theta)

    def z(self, f: np.ndarray, P: np.ndarray) -> np.ndarray:
        """Circuit impedance; parameter sets that divide by zero give NaN instead of raising."""
        try:
            return self.circuit.impedance(f, P, check=False, parallel=False)
        except ZeroDivisionError:
            if P.ndim == 1:
                return np.full(f.size, np.nan, dtype=complex)
            out = np.empty((P.shape[0], f.size), dtype=complex)
            for i in range(P.shape[0]):
                try:
                    out[i] = self.circuit.impedance(f, P[i], check=False, parallel=False)
                except ZeroDivisionError:
                    out[i] = np.nan
            return out

    def rows(self, thetas: np.ndarray, s: int) -> np.ndarray:
        """Parameter sets of spectrum s for many theta vectors (B, k) -> (B, n_params)."""
        nat = np.where(self.log_free, np.exp(np.clip(np.where(self.log_free, thetas, 0.0), -_LOGMAX, _LOGMAX)),
                       thetas)
        P = np.tile(self.base[s], (thetas.shape[0], 1))
        c = self.cols[s]
        P[:, c] = nat[:, self.index[s, c]]
        return P

    def params(self, theta: np.ndarray) -> np.ndarray:
        P = self.base.copy()
        nat = self.natural(theta)
        for s, c in enumerate(self.cols):
            P[s, c] = nat[self.index[s, c]]
        return P

    def _res_block(self, s: int, zc: np.ndarray) -> np.ndarray:
        f, z, sr, si = self.data[s]
        d = zc - z
        return np.concatenate([(d.real / sr).T, (d.imag / si).T], axis=0)

    def residuals(self, theta: np.ndarray) -> np.ndarray:
        self.nfev += 1
        P = self.params(theta)
        out = np.empty(self.offsets[-1])
        for s, (f, z, sr, si) in enumerate(self.data):
            zc = self.z(f, P[s])
            out[self.offsets[s]:self.offsets[s + 1]] = self._res_block(s, zc)
        bad = ~np.isfinite(out)
        if bad.any():
            out[bad] = 1e150
        return out

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        J = np.zeros((self.offsets[-1], self.k))
        for s, (f, z, sr, si) in enumerate(self.data):
            ks = self.used[s]
            if ks.size == 0:
                continue
            h = 1e-6 * np.where(self.log_free[ks], 1.0, np.maximum(1.0, np.abs(theta[ks])))
            m = ks.size
            thetas = np.tile(theta, (2 * m, 1))
            thetas[np.arange(m), ks] += h
            thetas[m + np.arange(m), ks] -= h
            P = self.rows(thetas, s)
            zc = self.z(f, P)  # (2m, N) in one call
            d = zc[:m] - zc[m:]
            blk = np.concatenate([d.real / sr, d.imag / si], axis=1) / (2 * h[:, None])  # (m, 2N)
            blk[~np.isfinite(blk)] = 0.0
            J[self.offsets[s]:self.offsets[s + 1], ks] = blk.T
        return J

    def batch_cost(self, thetas: np.ndarray) -> np.ndarray:
        """chi^2 of many theta vectors (rows) with one batched evaluation per spectrum."""
        cost = np.zeros(thetas.shape[0])
        for s, (f, z, sr, si) in enumerate(self.data):
            zc = self.z(f, self.rows(thetas, s))
            d = zc - z[None, :]
            cost += np.sum((d.real / sr) ** 2 + (d.imag / si) ** 2, axis=1)
        return np.where(np.isfinite(cost), cost, np.inf)

    def batch_residuals(self, thetas: np.ndarray) -> np.ndarray:
        """Weighted residuals (B, n_res) of many theta vectors, one kernel call per spectrum."""
        out = np.empty((thetas.shape[0], self.offsets[-1]))
        for s, (f, z, sr, si) in enumerate(self.data):
            zc = self.z(f, self.rows(thetas, s))
            d = zc - z[None, :]
            out[:, self.offsets[s]:self.offsets[s + 1]] = np.concatenate([d.real / sr, d.imag / si], axis=1)
        out[~np.isfinite(out)] = 1e150
        return out

    def batch_jacobian(self, thetas: np.ndarray, r0: np.ndarray | None = None) -> np.ndarray:
        """Jacobians (B, n_res, k) of many theta vectors in one call per spectrum.

        Central differences; forward differences from the residuals ``r0`` (B, n_res) when given.
        """
        B = thetas.shape[0]
        J = np.zeros((B, self.offsets[-1], self.k))
        for s, (f, z, sr, si) in enumerate(self.data):
            ks = self.used[s]
            m = ks.size
            if m == 0:
                continue
            ar = np.arange(m)
            if r0 is not None:
                h = 1e-7 * np.where(self.log_free[ks], 1.0, np.maximum(1.0, np.abs(thetas[:, ks])))  # (B, m)
                th = np.repeat(thetas[:, None, :], m, axis=1)  # (B, m, k)
                th[:, ar, ks] += h
                zc = self.z(f, self.rows(th.reshape(-1, self.k), s)).reshape(B, m, -1)
                d = zc - z[None, None, :]
                rb = np.concatenate([d.real / sr, d.imag / si], axis=2)
                blk = (rb - r0[:, None, self.offsets[s]:self.offsets[s + 1]]) / h[:, :, None]
            else:
                h = 1e-6 * np.where(self.log_free[ks], 1.0, np.maximum(1.0, np.abs(thetas[:, ks])))  # (B, m)
                th = np.repeat(thetas[:, None, :], 2 * m, axis=1)  # (B, 2m, k)
                th[:, ar, ks] += h
                th[:, m + ar, ks] -= h
                zc = self.z(f, self.rows(th.reshape(-1, self.k), s)).reshape(B, 2 * m, -1)
                d = zc[:, :m] - zc[:, m:]
                blk = np.concatenate([d.real / sr, d.imag / si], axis=2) / (2 * h[:, :, None])  # (B, m, 2N)
            blk[~np.isfinite(blk)] = 0.0
            J[:, self.offsets[s]:self.offsets[s + 1], ks] = blk.transpose(0, 2, 1)
        return J

    def clip(self, theta: np.ndarray) -> np.ndarray:
        span = np.where(np.isfinite(self.hi - self.lo), self.hi - self.lo, 1.0)
        lo = np.where(np.isfinite(self.lo), self.lo + 1e-9 * span, -np.inf)
        hi = np.where(np.isfinite(self.hi), self.hi - 1e-9 * span, np.inf)
        return np.clip(theta, lo, hi)

    def theta_of(self, P: np.ndarray) -> np.ndarray:
        """Free vector from full parameter sets (first occurrence of each free parameter)."""
        theta = np.empty(self.k)
        seen = np.zeros(self.k, dtype=bool)
        for s in range(P.shape[0]):
            for i in self.cols[s]:
                k = self.index[s, i]
                if not seen[k]:
                    v = P[s, i]
                    theta[k] = np.log(max(v, 1e-300)) if self.log_free[k] else v
                    seen[k] = True
        return self.clip(theta)


def _batched_lm(problem: _Problem, thetas: np.ndarray, iterations: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Projected Levenberg-Marquardt run on many starts at once.

    Every iteration evaluates the Jacobians of all starts in one batched circuit call and
    solves the (k, k) damped normal equations (J^T J + lambda diag(J^T J)) d = -J^T r of all
    starts together; a step is accepted when it lowers that start's chi^2 (lambda / 3),
    otherwise lambda x 4. Steps are projected onto the bounds. This is the cheap global
    stage of the multi-start; the best result is then polished by scipy's trust-region
    solver, which also gives the convergence status.

    Returns
    -------
    thetas : (B, k) final points; costs : (B,) their chi^2.
    """
    th = problem.clip(thetas.copy())
    r = problem.batch_residuals(th)
    cost = np.einsum("bi,bi->b", r, r)
    lam = np.full(th.shape[0], 1e-3)
    active = np.isfinite(cost)
    k = problem.k
    eye = np.eye(k)[None]
    for it in range(iterations):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        J = problem.batch_jacobian(th[idx], r[idx])
        JT = J.transpose(0, 2, 1)
        jtj = JT @ J
        g = (JT @ r[idx][..., None])[..., 0]
        dg = np.diagonal(jtj, axis1=1, axis2=2)
        dg = np.where(dg > 0, dg, 1.0)
        A = jtj + lam[idx, None, None] * dg[:, :, None] * eye + 1e-14 * dg.max(axis=1)[:, None, None] * eye
        try:
            step = -np.linalg.solve(A, g[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = -g / (dg * (1.0 + lam[idx, None]))
        trial = problem.clip(th[idx] + step)
        rt = problem.batch_residuals(trial)
        ct = np.einsum("bi,bi->b", rt, rt)
        better = ct < cost[idx]
        gain = np.where(better, (cost[idx] - ct) / np.maximum(cost[idx], 1e-300), 0.0)
        acc = idx[better]
        th[acc], r[acc], cost[acc] = trial[better], rt[better], ct[better]
        lam[acc] = np.maximum(lam[acc] / 3.0, 1e-9)
        rej = idx[~better]
        lam[rej] *= 4.0
        # converged: tiny relative improvement, or the damping has run away
        done = np.zeros(th.shape[0], dtype=bool)
        done[acc[gain[better] < 1e-5]] = True
        done[lam > 1e8] = True
        if it >= 8:  # starts far above the best so far are abandoned (they sit in a worse basin)
            done |= cost > 10.0 * np.min(cost)
        active &= ~done
    return th, cost


def _multistart(problem: _Problem, thetas: np.ndarray, iterations: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Global stage of the multi-start: the compiled LM kernel for one spectrum, else NumPy."""
    if len(problem.data) != 1:
        return _batched_lm(problem, thetas, iterations)
    from . import _kernels

    c = problem.circuit
    f, z, sr, si = problem.data[0]
    cols = problem.cols[0].astype(np.int64)
    idx = problem.index[0, cols].astype(np.int64)
    th = np.ascontiguousarray(problem.clip(thetas.copy()), dtype=float)
    cost = np.empty(th.shape[0])
    iters = np.empty(th.shape[0], dtype=np.int64)
    _kernels.multistart_lm(c._ops, c._args, 2.0 * np.pi * f, c._needs_log, c._depth, np.ascontiguousarray(z.real),
                           np.ascontiguousarray(z.imag), sr, si, problem.base[0].copy(), cols, idx,
                           problem.log_free.copy(), problem.lo.astype(float), problem.hi.astype(float), th,
                           iterations, 1e-6, cost, iters)
    problem.nfev += int(iters.sum()) * 2
    return th, np.where(np.isfinite(cost), cost, np.inf)


@lru_cache(maxsize=64)
def _interchangeable(circuit) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Groups of top-level series terms with the same structure (e.g. two p(R,CPE) arcs).

    Each group is a tuple of terms, each term the tuple of its parameter indices in order;
    permuting the terms of a group leaves the impedance unchanged. Cached per circuit.
    """
    import re as _re

    from ..circuits.parser import Series, iter_elements, to_string

    tree = circuit.tree
    if not isinstance(tree, Series):
        return ()
    owner = circuit.parameter_elements
    by_sig: dict[str, list[list[int]]] = {}
    for ch in tree.children:
        els = list(iter_elements(ch))
        sig = to_string(ch)
        for el in els:
            sig = _re.sub(rf"(?<![A-Za-z0-9_]){_re.escape(el.name)}(?![A-Za-z0-9_])", el.prefix, sig)
        idx = tuple(i for el in els for i, o in enumerate(owner) if o == el.name)
        by_sig.setdefault(sig, []).append(idx)
    return tuple(tuple(g) for g in by_sig.values() if len(g) > 1)


def _term_tau(circuit, P: np.ndarray, idx: list[int]) -> float:
    """Characteristic time of a term [s]: (R Q)^(1/n), R C, or the product of its positive values."""
    labels = [circuit.parameter_labels[i] for i in idx]
    units = [circuit.parameter_units[i] for i in idx]
    vals = [P[i] for i in idx]
    r = next((v for v, u in zip(vals, units) if u == "ohm"), None)
    c = next((v for v, u in zip(vals, units) if u == "F"), None)
    q = next((v for v, u in zip(vals, units) if u.startswith("ohm^-1 s^")), None)
    n = next((v for v, lab in zip(vals, labels) if lab == "n"), None)
    t = next((v for v, u in zip(vals, units) if u == "s"), None)
    if t is not None:
        return float(t)
    if r is not None and c is not None:
        return float(r * c)
    if r is not None and q is not None and n:
        with np.errstate(over="ignore"):  # a far-off start (R Q > 1e300^n): tau = inf sorts last
            return float((r * q) ** (1.0 / n))
    return float(np.prod([v for v in vals if v > 0]))


def _canonical(circuit, P: np.ndarray, reference: np.ndarray | None) -> np.ndarray:
    """Permute interchangeable terms: closest to ``reference`` (the user's guess) in log
    distance, or else in order of increasing time constant, left to right."""
    from itertools import permutations

    P = P.copy()
    logm = circuit.log_mask()
    for group in _interchangeable(circuit):
        if len(group) > 6:
            continue
        group = [list(term) for term in group]
        blocks = [P[idx].copy() for idx in group]
        best, best_key = None, None
        for perm in permutations(range(len(group))):
            if reference is not None:
                key = 0.0
                for slot, src in enumerate(perm):
                    idx = group[slot]
                    a, b = blocks[src], reference[idx]
                    ok = np.isfinite(b) & (b > 0)
                    lm = logm[idx]
                    key += float(np.sum(np.where(ok & lm, np.log(np.abs(a) + 1e-300) - np.log(np.abs(b) + 1e-300),
                                                 np.where(ok, a - b, 0.0)) ** 2))
            else:
                taus = [_term_tau(circuit, P, group[src]) for src in perm]
                key = tuple(taus)
                if any(t2 < t1 for t1, t2 in zip(taus, taus[1:])):
                    continue
            if best_key is None or key < best_key:
                best, best_key = perm, key
        if best is not None:
            for slot, src in enumerate(best):
                P[group[slot]] = blocks[src]
    return P


def _solve(problem: _Problem, theta0: np.ndarray, max_nfev: int):
    from scipy.optimize import least_squares

    try:
        r = least_squares(problem.residuals, problem.clip(theta0), jac=problem.jacobian,
                          bounds=(problem.lo, problem.hi), method="trf", x_scale="jac",
                          ftol=1e-12, xtol=1e-12, gtol=1e-12, max_nfev=max_nfev)
    except (ValueError, np.linalg.LinAlgError) as exc:  # pragma: no cover - defensive
        return None, str(exc)
    return r, r.message


# ------------------------------------------------------------------------------ input handling
def _as_data(data, z, fmin, fmax, weight, sigma):
    from ..data.spectrum import Spectrum

    if isinstance(data, Spectrum):
        if z is not None:
            raise InputError("z", "given with a Spectrum", "either a Spectrum or (frequency, z)")
        spec = data
    else:
        if z is None:
            raise InputError("z", None, "complex impedances [ohm] when frequencies are given")
        spec = Spectrum(data, z)
    n_all = spec.n_points
    if fmin is not None or fmax is not None:
        keep = np.ones(n_all, dtype=bool)
        if fmin is not None:
            keep &= spec.frequency >= float(fmin)
        if fmax is not None:
            keep &= spec.frequency <= float(fmax)
        spec = spec.band(fmin, fmax)
        if sigma is not None and not isinstance(sigma, tuple) and np.ndim(sigma) == 1 and np.size(sigma) == n_all:
            sigma = np.asarray(sigma)[keep]
        elif isinstance(sigma, tuple):
            sigma = tuple(np.asarray(s)[keep] if np.ndim(s) == 1 and np.size(s) == n_all else s for s in sigma)
    sr, si = weights(spec.z, weight, sigma)
    return spec, sr, si


def _vector(circuit, value, field_name: str, allow_partial: bool = False) -> np.ndarray:
    """Parameter vector from a sequence or a mapping (partial mappings leave NaN)."""
    n = circuit.n_params
    if isinstance(value, Mapping):
        out = np.full(n, np.nan)
        for k, v in value.items():
            out[circuit.index(k)] = _number(v, f"{field_name}[{k}]")
        if not allow_partial and np.isnan(out).any():
            missing = [circuit.parameter_names[i] for i in np.flatnonzero(np.isnan(out))]
            raise InputError(field_name, f"missing {', '.join(missing)}", "a value for every parameter")
        return out
    try:
        arr = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError(field_name, value, f"{n} numbers ({', '.join(circuit.parameter_names)})") from None
    if arr.size != n:
        raise InputError(field_name, f"{arr.size} values", f"{n} values ({', '.join(circuit.parameter_names)})")
    return arr


def _number(v, field_name):
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise InputError(field_name, v, "a number") from None
    return x


def _check_value(circuit, i: int, v: float, field_name: str) -> None:
    kind = circuit.parameter_kinds[i]
    if not np.isfinite(v) or v <= 0 or (kind == "exponent" and v > 1):
        allowed = "a number in (0, 1]" if kind == "exponent" else \
            f"a finite number > 0 {circuit.parameter_units[i]}".rstrip()
        raise InputError(field_name, v, allowed)


def _bounds(circuit, bounds) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = circuit.bounds()
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    if bounds is None:
        return lo, hi
    if isinstance(bounds, Mapping):
        items = bounds.items()
    else:
        try:
            b_lo, b_hi = bounds
            items = [(n, (a, b)) for n, a, b in zip(circuit.parameter_names, b_lo, b_hi)]
        except (TypeError, ValueError):
            raise InputError("bounds", bounds, "a mapping name -> (lower, upper) or a pair of sequences") from None
    for name, pair in items:
        i = circuit.index(name)
        try:
            a, b = (float(x) for x in pair)
        except (TypeError, ValueError):
            raise InputError(f"bounds[{name}]", pair, "(lower, upper)") from None
        if np.isnan(a) or np.isnan(b) or not a < b:
            raise InputError(f"bounds[{name}]", pair, "lower < upper")
        lo[i] = max(lo[i], a)
        hi[i] = min(hi[i], b)
        if not lo[i] < hi[i]:
            raise InputError(f"bounds[{name}]", pair, f"an interval inside the natural range of {name}")
    return lo, hi


# ------------------------------------------------------------------------------ public API
def fit(circuit, data, z=None, *, guess=None, fixed: Mapping | None = None, bounds=None, weight: str = "modulus",
        sigma=None, fmin: float | None = None, fmax: float | None = None, n_starts: int = 6, seed: int = 0,
        absolute_sigma: bool | None = None, max_nfev: int = 400, tie: Sequence | None = None) -> FitResult:
    """Fit an equivalent circuit to one impedance spectrum (CNLS, module docstring).

    Parameters
    ----------
    circuit : str or cellsim.circuits.Circuit
        e.g. ``"R0-p(R1,CPE1)"``.
    data : cellsim.data.Spectrum or array_like
        The spectrum, or the frequencies [Hz] with ``z`` given.
    z : array_like, optional
        Complex impedance [ohm] (``z.imag < 0`` capacitive) when ``data`` is frequencies.
    guess : sequence or mapping, optional
        Initial values [SI]; a partial mapping fills the rest automatically. Default:
        automatic initial guesses from the data (:func:`cellsim.fitting.guess.auto_guesses`).
    fixed : mapping, optional
        name -> value [SI] of parameters held fixed.
    bounds : mapping name -> (lower, upper) or (lower_seq, upper_seq), optional
        Natural-unit bounds, intersected with (0, inf) for positive parameters and (0, 1]
        for exponents.
    weight : {"modulus", "proportional", "unit"}
        Weighting (ignored when ``sigma`` is given).
    sigma : float or array_like, optional
        Standard deviations of the data [ohm] (see :func:`weights`).
    fmin, fmax : float, optional
        Fit only the points with fmin <= f <= fmax [Hz].
    n_starts : int
        Number of optimiser starts (>= 1): the guess, automatic candidates and
        perturbations of the first start; the lowest chi^2 is kept.
    seed : int
        Seed of the perturbations and of the automatic guess (results are reproducible).
    absolute_sigma : bool, optional
        Treat ``sigma`` as absolute (no residual-variance scaling of the covariance).
        Default: True when ``sigma`` is given, False otherwise.
    max_nfev : int
        Limit of residual evaluations per start.
    tie : sequence of sequences of str, optional
        Groups of parameters constrained to one common value (see :func:`fit_joint`).

    Returns
    -------
    FitResult

    Raises
    ------
    cellsim.errors.InputError
        For invalid data, names, values, bounds or options; when the memory estimate
        (:func:`cellsim.fitting.decimate.fit_bytes`) exceeds the limit: decimate the spectrum
        first (:func:`cellsim.fitting.decimate.log_bin`).

    Examples
    --------
    >>> res = fit("R0-p(R1,CPE1)", f, z)          # doctest: +SKIP
    >>> res.parameters["R1"], res.parameter_errors["R1"]  # doctest: +SKIP
    """
    return fit_joint(circuit, [data] if z is None else [(data, z)], shared="all", guess=guess, fixed=fixed,
                     bounds=bounds, weight=weight, sigma=None if sigma is None else [sigma], fmin=fmin, fmax=fmax,
                     n_starts=n_starts, seed=seed, absolute_sigma=absolute_sigma, max_nfev=max_nfev, tie=tie,
                     _single=True)


def fit_joint(circuit, spectra: Sequence, shared="all", *, guess=None, fixed: Mapping | None = None, bounds=None,
              weight: str = "modulus", sigma=None, fmin=None, fmax=None, n_starts: int = 6, seed: int = 0,
              absolute_sigma: bool | None = None, max_nfev: int = 400, tie: Sequence | None = None,
              _single: bool = False) -> FitResult:
    """Fit one circuit to several spectra at once, some parameters shared.

    Parameters
    ----------
    circuit : str or Circuit
    spectra : sequence of Spectrum or (frequency, z)
        e.g. a temperature series or the loops of one file.
    shared : "all", "none" or sequence of str
        Names of the parameters that take one common value for all spectra; the others
        are fitted per spectrum.
    tie : sequence of sequences of str, optional
        Groups of parameter names constrained to one common value (within each spectrum,
        e.g. the two identical interfaces of a symmetric cell); the first name carries
        the value.
    guess, fixed, bounds, weight, fmin, fmax, n_starts, seed, absolute_sigma, max_nfev
        As in :func:`fit`; ``guess`` and ``fixed`` apply to every spectrum.
    sigma : sequence, optional
        One ``sigma`` (see :func:`weights`) per spectrum.

    Returns
    -------
    FitResult
        ``values`` and ``stderr`` of shape (n_spectra, n_params) (1-D for :func:`fit`).
    """
    from ..circuits import Circuit

    circuit = circuit if isinstance(circuit, Circuit) else _parsed(circuit) if isinstance(circuit, str) else \
        Circuit(circuit)
    if not isinstance(n_starts, (int, np.integer)) or isinstance(n_starts, bool) or n_starts < 1:
        raise InputError("n_starts", n_starts, "an integer >= 1")
    if not isinstance(max_nfev, (int, np.integer)) or max_nfev < 5:
        raise InputError("max_nfev", max_nfev, "an integer >= 5")
    spectra = list(spectra)
    data, specs = _spectra_data(spectra, sigma, fmin, fmax, weight)
    from .decimate import check_memory, fit_bytes

    n_max = max(d[0].size for d in data)
    check_memory(fit_bytes(n_max, circuit.n_params, int(n_starts)), "circuit fit", n_max)
    S = len(data)
    names = circuit.parameter_names
    log_mask = circuit.log_mask()
    fixed_vals = _fixed_values(circuit, fixed)
    is_fixed = ~np.isnan(fixed_vals)
    if is_fixed.all():
        raise InputError("fixed", "every parameter", "at least one free parameter")
    lo_nat, hi_nat = _bounds(circuit, bounds)
    shared_mask = _shared_mask(circuit, shared)
    leader = _tie_leaders(circuit, tie, is_fixed)
    index, free_names, free_param = _free_numbering(names, is_fixed, leader, shared_mask, S)
    log_free = log_mask[free_param]
    lo = np.where(log_free, np.log(np.maximum(lo_nat[free_param], 1e-300)), lo_nat[free_param])
    lo = np.where(log_free & (lo_nat[free_param] <= 0), -np.inf, lo)
    hi = np.where(log_free, np.log(np.where(np.isfinite(hi_nat[free_param]), hi_nat[free_param], np.inf)),
                  hi_nat[free_param])
    base = np.tile(np.where(is_fixed, fixed_vals, 0.0), (S, 1))
    problem = _Problem(circuit, data, index, base, log_free, lo, hi)

    user = None
    if guess is not None:
        user = _vector(circuit, guess, "guess", allow_partial=True)
        for i in np.flatnonzero(~np.isnan(user)):
            _check_value(circuit, i, user[i], f"guess[{names[i]}]")
    starts = _starting_points(problem, circuit, data, user, fixed_vals, shared_mask, (lo_nat, hi_nat), n_starts,
                              seed)
    th_all, costs = _multistart(problem, np.stack(starts))
    start_costs = [float(c) for c in costs]
    symmetric = S == 1 and not tie and not is_fixed.any()
    canon = None
    if symmetric and _interchangeable(circuit):
        def canon(th):
            return problem.theta_of(_canonical(circuit, problem.params(th)[0], None)[None, :])
    best, total_nfev = _polish_best(problem, th_all, costs, max_nfev, canon)
    tried = len(starts)
    if symmetric:
        # interchangeable arcs: report them in a canonical order (the guess's, else by tau)
        P0 = problem.params(best.x)
        Pc = _canonical(circuit, P0[0], None if user is None else user)
        if not np.array_equal(Pc, P0[0]):
            best.x = problem.theta_of(Pc[None, :])
    return _result(circuit, problem, best, specs, data, names, is_fixed, free_names, free_param, S, weight, sigma,
                   absolute_sigma, tried, start_costs, total_nfev, _single, lo, hi)


@lru_cache(maxsize=64)
def _parsed(text: str):
    """The :class:`~cellsim.circuits.Circuit` of a circuit string, parsed and compiled once per process."""
    from ..circuits import Circuit

    return Circuit(text)


def _spectra_data(spectra: list, sigma, fmin, fmax, weight: str) -> tuple[list, list]:
    """(frequency, z, sigma_real, sigma_imag) of each spectrum within [fmin, fmax], and the spectra."""
    if not spectra:
        raise InputError("spectra", "[]", "at least one spectrum")
    if sigma is not None and len(sigma) != len(spectra):
        raise InputError("sigma", f"{len(sigma)} entries", f"one per spectrum ({len(spectra)})")
    data, specs = [], []
    for j, sp in enumerate(spectra):
        if isinstance(sp, tuple) and len(sp) == 2:
            spec, sr, si = _as_data(sp[0], sp[1], fmin, fmax, weight, None if sigma is None else sigma[j])
        else:
            spec, sr, si = _as_data(sp, None, fmin, fmax, weight, None if sigma is None else sigma[j])
        data.append((spec.frequency, spec.z, sr, si))
        specs.append(spec)
    return data, specs


def _fixed_values(circuit, fixed: Mapping | None) -> np.ndarray:
    """Value of each fixed parameter, NaN for the free ones (checked against the parameter's kind)."""
    fixed_vals = np.full(circuit.n_params, np.nan)
    for name, v in (fixed or {}).items():
        i = circuit.index(name)
        v = _number(v, f"fixed[{name}]")
        _check_value(circuit, i, v, f"fixed[{name}]")
        fixed_vals[i] = v
    return fixed_vals


def _shared_mask(circuit, shared) -> np.ndarray:
    """True for the parameters with one common value for all spectra (``"all"``, ``"none"`` or names)."""
    n = circuit.n_params
    if shared == "all":
        return np.ones(n, dtype=bool)
    if shared == "none" or shared is None:
        return np.zeros(n, dtype=bool)
    if isinstance(shared, str):
        shared = [s.strip() for s in shared.split(",") if s.strip()]
    shared_mask = np.zeros(n, dtype=bool)
    for nm in shared:
        shared_mask[circuit.index(nm)] = True
    return shared_mask


def _tie_leaders(circuit, tie: Sequence | None, is_fixed: np.ndarray) -> np.ndarray:
    """Index of the parameter whose value each parameter takes (itself unless tied to a group's first)."""
    kinds = circuit.parameter_kinds
    leader = np.arange(circuit.n_params)
    for group in (tie or []):
        idx = [circuit.index(nm) for nm in group]
        if len({kinds[i] for i in idx}) > 1 or len({circuit.parameter_units[i] for i in idx}) > 1:
            raise InputError("tie", list(group), "parameters of the same kind and unit")
        for i in idx[1:]:
            leader[i] = idx[0]
            if is_fixed[i] != is_fixed[idx[0]]:
                raise InputError("tie", list(group), "all fixed or all free")
    return leader


def _free_numbering(names, is_fixed, leader, shared_mask, S: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Column of each (spectrum, parameter) in the free vector (-1 fixed), the free names and parameters."""
    n = len(names)
    index = -np.ones((S, n), dtype=int)
    free_names, free_param = [], []
    for i in range(n):
        if is_fixed[i] or leader[i] != i:
            continue
        if shared_mask[i] or S == 1:
            index[:, i] = len(free_names)
            free_names.append(names[i])
            free_param.append(i)
        else:
            for s in range(S):
                index[s, i] = len(free_names)
                free_names.append(f"{names[i]}[{s}]")
                free_param.append(i)
    for i in range(n):
        if leader[i] != i:
            index[:, i] = index[:, leader[i]]
    return index, free_names, np.array(free_param, dtype=int)


def _starting_points(problem, circuit, data, user, fixed_vals, shared_mask, bounds_nat, n_starts: int,
                     seed: int) -> list[np.ndarray]:
    """``n_starts`` free vectors: the user's guess (completed automatically), the automatic candidates
    ranked by cost, then perturbations of the first."""
    names = circuit.parameter_names
    log_mask = circuit.log_mask()
    is_fixed = ~np.isnan(fixed_vals)
    S = len(data)
    need_auto = user is None or np.isnan(user[~is_fixed]).any()
    starts: list[np.ndarray] = []
    auto_sets = []
    if need_auto or n_starts > 1:
        from .guess import auto_guesses

        fixed_d = {names[i]: fixed_vals[i] for i in np.flatnonzero(is_fixed)}
        n_best = max(2, n_starts if need_auto else n_starts // 2)
        per = []
        for s in range(S):
            f, z, sr, si = data[s]
            cand, _ = auto_guesses(circuit, f, z, sr, si, fixed=fixed_d, bounds=bounds_nat,
                                   n_best=n_best, seed=seed + s,
                                   n_samples=None if need_auto else max(100, 8 * n_best))
            per.append(cand)
        m = min(c.shape[0] for c in per)
        for r in range(m):
            P = np.stack([per[s][r] for s in range(S)])
            auto_sets.append(P)
    if user is not None:
        P = np.tile(user, (S, 1))
        if need_auto:
            P = np.where(np.isnan(P), auto_sets[0], P)
        starts.append(problem.theta_of(P))
    for P in auto_sets:
        if S > 1:  # shared parameters start at the median over the spectra's own guesses
            P = P.copy()
            for i in np.flatnonzero(shared_mask & ~is_fixed):
                P[:, i] = np.exp(np.median(np.log(P[:, i]))) if log_mask[i] else np.median(P[:, i])
        starts.append(problem.theta_of(P))
    # rank automatic candidates (after the user guess) by their cost; drop near-duplicates
    if len(starts) > 1:
        head = starts[:1] if user is not None else []
        rest = starts[len(head):]
        costs = problem.batch_cost(np.stack(rest))
        rest = [rest[i] for i in np.argsort(costs)]
        starts = head + rest

    # perturbations of the first start fill up to n_starts
    rng = np.random.default_rng(seed)
    starts = starts[:n_starts]
    while len(starts) < n_starts:
        jitter = rng.normal(0.0, 0.7, size=problem.k)
        starts.append(problem.clip(starts[0] + np.where(problem.log_free, jitter, 0.05 * jitter)))
    return starts


def _polish_best(problem, th_all: np.ndarray, costs: np.ndarray, max_nfev: int, canon=None):
    """Polish the best start (and the runner-up when it is a distinct point) with scipy's TRF.

    ``canon`` (theta -> theta) maps a point to its representative under the permutations of
    interchangeable terms: a runner-up that is the best point with two arcs swapped is the
    same optimum and is not polished again.

    Returns the best solution and the number of function evaluations used.
    """
    order = np.argsort(costs)
    best = None
    total_nfev = 0
    messages = []
    polished = 0
    for j in order[:2]:
        if polished:
            a, b = th_all[j], th_all[order[0]]
            if canon is not None:
                a, b = canon(a), canon(b)
            if not (np.max(np.abs(a - b)) > 0.05 and costs[j] < 1.5 * costs[order[0]]):
                break
        problem.nfev = 0
        r, msg = _solve(problem, th_all[j], max_nfev)
        total_nfev += problem.nfev
        polished += 1
        if r is None:
            messages.append(msg)
            continue
        if best is None or r.cost < best.cost:
            best = r
    if best is None:  # pragma: no cover - defensive
        from ..errors import SolverError

        raise SolverError("circuit fit: every start failed: " + "; ".join(messages))
    return best, total_nfev


def _result(circuit, problem, best, specs, data, names, is_fixed, free_names, free_param, S, weight, sigma,
            absolute_sigma, tried, start_costs, total_nfev, single, lo, hi) -> FitResult:
    theta = best.x
    P = problem.params(theta)
    res = problem.residuals(theta)
    chi2 = float(res @ res)
    n_res = res.size
    k = problem.k
    dof = n_res - k
    J = problem.jacobian(theta)
    nat = problem.natural(theta)
    dpdt = np.where(problem.log_free, nat, 1.0)
    identifiable = True
    try:
        U, sv, Vt = np.linalg.svd(J, full_matrices=False)
        ok_sv = sv > _SINGULAR * sv[0] if sv.size and sv[0] > 0 else np.zeros_like(sv, dtype=bool)
        identifiable = bool(ok_sv.all()) and dof > 0
        inv = np.where(ok_sv, 1.0 / np.where(ok_sv, sv, 1.0) ** 2, np.inf)
        with np.errstate(invalid="ignore", over="ignore"):
            if identifiable:
                cov_t = (Vt.T * inv) @ Vt
            else:
                cov_t = (Vt.T * np.where(ok_sv, inv, 0.0)) @ Vt
                # directions the data do not determine: infinite variance on the parameters they touch
                bad = np.any(np.abs(Vt[~ok_sv]) > 1e-6, axis=0)
                cov_t[bad, :] = np.inf
                cov_t[:, bad] = np.inf
    except np.linalg.LinAlgError:  # pragma: no cover
        cov_t = np.full((k, k), np.inf)
        identifiable = False
    if absolute_sigma is None:
        absolute_sigma = sigma is not None
    s2 = 1.0 if absolute_sigma else (chi2 / dof if dof > 0 else np.inf)
    with np.errstate(invalid="ignore", over="ignore"):
        cov = cov_t * s2 * np.outer(dpdt, dpdt)
        std = np.sqrt(np.abs(np.diag(cov)))
        corr = cov / np.outer(std, std)
    corr = np.where(np.isfinite(corr), corr, np.nan)
    np.fill_diagonal(corr, np.where(np.isfinite(std) & (std > 0), 1.0, np.nan))

    stderr = np.zeros_like(P)
    for s in range(S):
        for i in range(P.shape[1]):
            kk = problem.index[s, i]
            stderr[s, i] = std[kk] if kk >= 0 else 0.0
    fixed_full = np.tile(is_fixed, (S, 1))
    fixed_full |= problem.index < 0

    at_bound = [free_names[j] for j in range(k)
                if (np.isfinite(lo[j]) and theta[j] <= lo[j] + 1e-9 * max(1.0, abs(lo[j])))
                or (np.isfinite(hi[j]) and theta[j] >= hi[j] - 1e-9 * max(1.0, abs(hi[j])))]
    converged = bool(best.status > 0)
    msgs = []
    if not converged:
        msgs.append(f"optimiser did not converge ({best.message})")
    if not np.isfinite(chi2):
        msgs.append("non-finite weighted SSR")
    if dof <= 0:
        msgs.append(f"{k} free parameters for {n_res} residuals: no degrees of freedom")
    elif not identifiable:
        undetermined = []
        for j in range(k):
            if not np.isfinite(std[j]):
                tiny = problem.log_free[j] and theta[j] < -0.9 * _LOGMAX
                undetermined.append(f"{free_names[j]} = {nat[j]:.3g}" + (" (the data prefer 0)" if tiny else ""))
        msgs.append("parameters not determined by the data (singular Jacobian): " + ", ".join(undetermined))
    success = converged and np.isfinite(chi2) and identifiable
    if success:
        msgs.append("converged" + (f"; at a bound: {', '.join(at_bound)}" if at_bound else ""))

    fs, zs, zf, rs = [], [], [], []
    for s, (f, z, sr, si) in enumerate(data):
        zc = circuit.impedance(f, P[s], check=False)
        fs.append(f)
        zs.append(z)
        zf.append(zc)
        rs.append(z - zc)
    n_points = int(sum(f.size for f in fs))
    aic = float(n_res * np.log(chi2 / n_res) + 2 * k) if chi2 > 0 else -np.inf
    bic = float(n_res * np.log(chi2 / n_res) + k * np.log(n_res)) if chi2 > 0 else -np.inf
    if single:
        P, stderr, fixed_full = P[0], stderr[0], fixed_full[0]
        fs, zs, zf, rs = fs[0], zs[0], zf[0], rs[0]
    wname = "sigma" if sigma is not None else weight
    return FitResult(circuit=circuit, names=list(names), values=P, stderr=stderr, fixed=fixed_full,
                     free_names=free_names, free_values=nat, covariance=cov, correlation=corr,
                     weighted_ssr=chi2, reduced_chi2=chi2 / dof if dof > 0 else float("inf"),
                     n_points=n_points, n_free=k, aic=aic, bic=bic, frequency=fs, z=zs, z_fit=zf,
                     residuals=rs, weighted_residuals=res, success=bool(success), message="; ".join(msgs),
                     weighting=wname, n_starts=tried, start_costs=start_costs, nfev=total_nfev, at_bound=at_bound)
