"""numba kernels of the circuit fit: weighted residuals and a multi-start Levenberg-Marquardt.

Functions of arrays and scalars only. The circuit is the compiled postfix program of
:class:`cellsim.circuits.Circuit` (``ops``, ``args``, ``depth``, ``needs_log``), evaluated by
:func:`cellsim.circuits._kernels.evaluate_program`. The free-parameter vector ``theta``
maps to the full parameter vector by ``p = base; p[cols[j]] = exp(theta[idx[j]])`` where
``log_free[idx[j]]`` (positive parameters fitted as their logarithm), else ``theta[idx[j]]``.

The weighted residuals are r = [(Re Z(p) - Re Z_data)/s', (Im Z(p) - Im Z_data)/s''].
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..circuits._kernels import evaluate_program

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
