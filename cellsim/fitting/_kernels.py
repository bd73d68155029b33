"""numba kernels of the circuit fit: weighted residuals and a multi-start Levenberg-Marquardt.

Functions of arrays and scalars only. The circuit is the compiled postfix program of
:class:`cellsim.circuits.Circuit` (``ops``, ``args``, ``depth``, ``needs_log``), evaluated by
:func:`cellsim.circuits._kernels.evaluate_program`. The free-parameter vector ``theta``
maps to the full parameter vector by ``p = base; p[cols[j]] = exp(theta[idx[j]])`` where
``log_free[idx[j]]`` (positive parameters fitted as their logarithm), else ``theta[idx[j]]``.

The weighted residuals are r = [(Re Z(p) - Re Z_data)/s', (Im Z(p) - Im Z_data)/s''].
"""

from __future__ import annotations

import cmath
import math

import numpy as np
from numba import njit

from ..circuits._kernels import ctanh, evaluate_program, exp_affine, reciprocal
from .. import _kernels as _shared_kernels
from ..circuits import _kernels as _circuit_kernels
from .._kernels import refresh_cache

LOGMAX = 230.0  # log-fitted parameters are clamped to exp(+-230): no overflow to 0 or inf


@njit(cache=True, error_model="numpy")
def params_of(theta, base, cols, idx, log_free, out):
    """Full parameter vector ``out`` (n_params,) of the free vector ``theta`` (k,)."""
    for i in range(base.shape[0]):
        out[i] = base[i]
    for j in range(cols.shape[0]):
        t = theta[idx[j]]
        if log_free[idx[j]]:
            if t > LOGMAX:
                t = LOGMAX
            elif t < -LOGMAX:
                t = -LOGMAX
            out[cols[j]] = math.exp(t)
        else:
            out[cols[j]] = t


@njit(cache=True, error_model="numpy")
def residuals(ops, args, omega, needs_log, depth, z_re, z_im, sr, si, base, cols, idx, log_free, thetas, out):
    """Weighted residuals ``out`` (B, 2N) of the free vectors ``thetas`` (B, k); non-finite -> 1e150."""
    B = thetas.shape[0]
    n = base.shape[0]
    N = omega.shape[0]
    P = np.empty((B, n))
    for b in range(B):
        params_of(thetas[b], base, cols, idx, log_free, P[b])
    zc = np.empty((B, N), dtype=np.complex128)
    evaluate_program(ops, args, omega, P, needs_log, depth, zc)
    for b in range(B):
        for q in range(N):
            a = (zc[b, q].real - z_re[q]) / sr[q]
            c = (zc[b, q].imag - z_im[q]) / si[q]
            out[b, q] = a if math.isfinite(a) else 1e150
            out[b, N + q] = c if math.isfinite(c) else 1e150


@njit(cache=True, error_model="numpy")
def _clip(theta, lo, hi):
    for j in range(theta.shape[0]):
        if theta[j] < lo[j]:
            theta[j] = lo[j]
        elif theta[j] > hi[j]:
            theta[j] = hi[j]


@njit(cache=True, error_model="numpy")
def multistart_lm(ops, args, omega, needs_log, depth, z_re, z_im, sr, si, base, cols, idx, log_free, lo, hi,
                  thetas, max_iter, rtol, out_cost, out_iter):
    """Projected Levenberg-Marquardt from every row of ``thetas`` (B, k), in place.

    Each iteration: forward-difference Jacobian J (all k perturbed sets in one circuit call),
    the damped normal equations (J^T J + lambda diag(J^T J)) d = -J^T r (Marquardt 1963),
    the trial theta + d projected onto [lo, hi]; accepted when chi^2 decreases
    (lambda / 3), otherwise lambda x 4. A start stops after ``max_iter`` iterations, when
    an accepted step improves chi^2 by less than ``rtol`` (relative), or when lambda > 1e8.

    Returns (in ``out_cost``, ``out_iter``) the final chi^2 = r.r and the iterations used.
    """
    B, k = thetas.shape
    N = omega.shape[0]
    m = 2 * N
    r = np.empty((1, m))
    rt = np.empty((1, m))
    rj = np.empty((k, m))
    J = np.empty((m, k))
    th1 = np.empty((1, k))
    thp = np.empty((k, k))
    A = np.empty((k, k))
    g = np.empty(k)
    for b in range(B):
        for j in range(k):
            th1[0, j] = thetas[b, j]
        _clip(th1[0], lo, hi)
        residuals(ops, args, omega, needs_log, depth, z_re, z_im, sr, si, base, cols, idx, log_free, th1, r)
        cost = 0.0
        for q in range(m):
            cost += r[0, q] * r[0, q]
        lam = 1e-3
        it = 0
        gain = 0.0
        while it < max_iter and math.isfinite(cost):
            it += 1
            # forward-difference Jacobian
            for j in range(k):
                for jj in range(k):
                    thp[j, jj] = th1[0, jj]
                h = 1e-7 if log_free[j] else 1e-7 * max(1.0, abs(th1[0, j]))
                thp[j, j] += h
            residuals(ops, args, omega, needs_log, depth, z_re, z_im, sr, si, base, cols, idx, log_free, thp, rj)
            for j in range(k):
                h = thp[j, j] - th1[0, j]
                for q in range(m):
                    d = (rj[j, q] - r[0, q]) / h
                    J[q, j] = d if math.isfinite(d) else 0.0
            JtJ = J.T @ J
            for j in range(k):
                s = 0.0
                for q in range(m):
                    s += J[q, j] * r[0, q]
                g[j] = -s
            improved = False
            while lam <= 1e8:
                for j in range(k):
                    for jj in range(k):
                        A[j, jj] = JtJ[j, jj]
                    dj = JtJ[j, j] if JtJ[j, j] > 0 else 1.0
                    A[j, j] += lam * dj + 1e-14 * dj
                ok = True
                try:
                    step = np.linalg.solve(A, g)
                except Exception:  # singular system: raise the damping
                    ok = False
                    step = g
                if ok:
                    for j in range(k):
                        thp[0, j] = th1[0, j] + step[j]
                    _clip(thp[0], lo, hi)
                    residuals(ops, args, omega, needs_log, depth, z_re, z_im, sr, si, base, cols, idx, log_free,
                              thp[0:1], rt)
                    ct = 0.0
                    for q in range(m):
                        ct += rt[0, q] * rt[0, q]
                    if ct < cost:
                        gain = (cost - ct) / cost if cost > 0 else 0.0
                        for j in range(k):
                            th1[0, j] = thp[0, j]
                        for q in range(m):
                            r[0, q] = rt[0, q]
                        cost = ct
                        lam = max(lam / 3.0, 1e-9)
                        improved = True
                        break
                lam *= 4.0
            if not improved or gain < rtol:
                break
        for j in range(k):
            thetas[b, j] = th1[0, j]
        out_cost[b] = cost
        out_iter[b] = it


# ------------------------------------------------------------------ automatic guess (variable projection)
#: basis kinds of the separable series terms (cellsim.fitting.guess): coefficient x basis(w; tau, n)
BASIS_R, BASIS_L, BASIS_C, BASIS_W, BASIS_CPE, BASIS_WO, BASIS_WS, BASIS_G, BASIS_DEBYE, BASIS_COLE = range(10)


@njit(cache=True, error_model="numpy")
def _basis_column(kind, w, logw, tau, n, re, im, mag, bits):
    """Basis function (coefficient 1) of one separable term at every frequency, into ``re``, ``im``.

    R: 1; L: j w; C: 1/(j w); W: (1 - j)/sqrt(w); CPE: (j w)^-n; Wo: coth(x)/x, Ws and Zd:
    tanh(x)/x with x = sqrt(j w tau); G: 1/sqrt(1 + j w tau); Debye (K, p(R,C)): 1/(1 + j w tau);
    Cole (Zarc, p(R,CPE)): 1/(1 + (j w tau)^n). ``mag`` (float) and ``bits`` (int64) are
    scratch rows for the vectorised power w^n (:func:`cellsim.circuits._kernels.exp_affine`).
    """
    N = w.shape[0]
    if kind == BASIS_R:
        for q in range(N):
            re[q] = 1.0
            im[q] = 0.0
    elif kind == BASIS_L:
        for q in range(N):
            re[q] = 0.0
            im[q] = w[q]
    elif kind == BASIS_C:
        for q in range(N):
            re[q] = 0.0
            im[q] = -1.0 / w[q]
    elif kind == BASIS_W:
        for q in range(N):
            v = 1.0 / math.sqrt(w[q])
            re[q] = v
            im[q] = -v
    elif kind == BASIS_CPE:
        cr = math.cos(n * 0.5 * math.pi)
        ci = math.sin(n * 0.5 * math.pi)
        exp_affine(-n, 0.0, logw, mag, bits)
        for q in range(N):
            re[q] = mag[q] * cr
            im[q] = -mag[q] * ci
    elif kind == BASIS_WO or kind == BASIS_WS:
        for q in range(N):
            h = math.sqrt(0.5 * w[q] * tau)
            x = complex(h, h)
            v = 1.0 / (x * ctanh(x)) if kind == BASIS_WO else ctanh(x) / x
            re[q] = v.real
            im[q] = v.imag
    elif kind == BASIS_G:
        for q in range(N):
            v = 1.0 / cmath.sqrt(complex(1.0, w[q] * tau))
            re[q] = v.real
            im[q] = v.imag
    elif kind == BASIS_DEBYE:
        for q in range(N):
            v = reciprocal(complex(1.0, w[q] * tau))
            re[q] = v.real
            im[q] = v.imag
    else:  # BASIS_COLE
        lt = math.log(tau)
        cr = math.cos(n * 0.5 * math.pi)
        ci = math.sin(n * 0.5 * math.pi)
        exp_affine(n, n * lt, logw, mag, bits)
        for q in range(N):
            v = reciprocal(complex(1.0 + mag[q] * cr, mag[q] * ci))
            re[q] = v.real
            im[q] = v.imag


@njit(cache=True, error_model="numpy")
def _solve_small(A, b, x):
    """x = A^-1 b for a small dense system (Gaussian elimination, partial pivoting; A, b overwritten).

    A zero pivot gives NaN in x (the candidate is then discarded by its non-finite cost).
    """
    m = b.shape[0]
    for c in range(m):
        p = c
        for r in range(c + 1, m):
            if abs(A[r, c]) > abs(A[p, c]):
                p = r
        if p != c:
            for j in range(m):
                A[c, j], A[p, j] = A[p, j], A[c, j]
            b[c], b[p] = b[p], b[c]
        piv = A[c, c]
        for r in range(c + 1, m):
            fct = A[r, c] / piv
            for j in range(c, m):
                A[r, j] -= fct * A[c, j]
            b[r] -= fct * b[c]
    for c in range(m - 1, -1, -1):
        s = b[c]
        for j in range(c + 1, m):
            s -= A[c, j] * x[j]
        x[c] = s / A[c, c]


@njit(cache=True, error_model="numpy")
def _normal_equations(Bre, Bim, t_re, t_im, w2r, w2i, ata, atb):
    """A^T A and A^T b of the weighted real system: rows Re and Im of each frequency, weights w^2."""
    m, N = Bre.shape
    for j in range(m):
        for l in range(j, m):
            acc = 0.0
            for q in range(N):
                acc += Bre[j, q] * Bre[l, q] * w2r[q] + Bim[j, q] * Bim[l, q] * w2i[q]
            ata[j, l] = acc
            ata[l, j] = acc
        acc = 0.0
        for q in range(N):
            acc += Bre[j, q] * t_re[q] * w2r[q] + Bim[j, q] * t_im[q] * w2i[q]
        atb[j] = acc


@njit(cache=True, error_model="numpy")
def _nonnegative_solve(ata, atb, M, rhs, c, active):
    """Coefficients ``c`` of the normal equations with up to three active-set passes.

    Each pass solves the system restricted to the active terms (ridge 1e-12 trace; an inactive
    term's row is the identity with right-hand side 0) and switches off the terms whose
    coefficient comes out <= 0 (Lawson & Hanson 1974, NNLS, simplified).
    """
    m = atb.shape[0]
    for j in range(m):
        active[j] = True
    for _ in range(3):
        tr = 0.0
        for j in range(m):
            if active[j]:
                tr += ata[j, j]
        for j in range(m):
            for l in range(m):
                M[j, l] = ata[j, l] if active[j] and active[l] else 0.0
            M[j, j] += 1e-12 * tr if active[j] else 1.0
            rhs[j] = atb[j] if active[j] else 0.0
        _solve_small(M, rhs, c)
        neg = False
        for j in range(m):
            if active[j] and c[j] <= 0:
                active[j] = False
                neg = True
        if not neg:
            break


@njit(cache=True, error_model="numpy")
def _weighted_cost(coef, Bre, Bim, t_re, t_im, w2r, w2i):
    """sum_q w2r_q (Re r_q)^2 + w2i_q (Im r_q)^2, r = sum_j coef_j basis_j - target; inf if not finite."""
    m, N = Bre.shape
    acc = 0.0
    for q in range(N):
        rr = -t_re[q]
        ri = -t_im[q]
        for j in range(m):
            rr += coef[j] * Bre[j, q]
            ri += coef[j] * Bim[j, q]
        acc += rr * rr * w2r[q] + ri * ri * w2i[q]
    return acc if math.isfinite(acc) else math.inf


@njit(cache=True, error_model="numpy")
def separable_fit(kinds, w, logw, tau, n, t_re, t_im, wr, wi, z_scale, coef, cost):
    """Non-negative weighted linear least squares of the separable terms, one sampled set per row.

    For sample s the term j has the impedance ``coef[s, j] * basis_j(w; tau[s, j], n[s, j])``
    (:func:`_basis_column`); the coefficients minimise sum_q wr_q^2 (Re r_q)^2 + wi_q^2 (Im r_q)^2,
    r = sum_j coef_j basis_j - target (``t_re``, ``t_im``: one row, or one per sample), by the
    normal equations (:func:`_normal_equations`, :func:`_nonnegative_solve`); a switched-off
    term gets the tiny coefficient 1e-6 z_scale / max_q |basis_j|. ``cost[s]`` is the weighted
    sum of squares with the final coefficients (:func:`_weighted_cost`).
    """
    S, m = tau.shape
    N = w.shape[0]
    Bre = np.empty((m, N))
    Bim = np.empty((m, N))
    ata = np.empty((m, m))
    atb = np.empty(m)
    M = np.empty((m, m))
    rhs = np.empty(m)
    c = np.empty(m)
    active = np.empty(m, dtype=np.bool_)
    mag = np.empty(N)
    bits = np.empty(N, dtype=np.int64)
    w2r = wr * wr
    w2i = wi * wi
    one_target = t_re.shape[0] == 1
    for s in range(S):
        row = 0 if one_target else s
        for j in range(m):
            _basis_column(kinds[j], w, logw, tau[s, j], n[s, j], Bre[j], Bim[j], mag, bits)
        _normal_equations(Bre, Bim, t_re[row], t_im[row], w2r, w2i, ata, atb)
        _nonnegative_solve(ata, atb, M, rhs, c, active)
        for j in range(m):
            if c[j] > 0:
                coef[s, j] = c[j]
            else:
                big = 0.0
                for q in range(N):
                    big = max(big, math.hypot(Bre[j, q], Bim[j, q]))
                coef[s, j] = 1e-6 * z_scale / max(big, 1e-300)
        cost[s] = _weighted_cost(coef[s], Bre, Bim, t_re[row], t_im[row], w2r, w2i)


# the numba cache of this module: the fitting kernels call the circuit kernels (and through them log_row); numba would not notice edits there
refresh_cache(residuals._cache._cache_path, _circuit_kernels.__file__, _shared_kernels.__file__)
