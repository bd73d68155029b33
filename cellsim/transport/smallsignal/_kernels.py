"""numba kernels of the small-signal (frequency-domain) transport model.

The linearised salt balance of every diffusion domain, discretised by finite volumes
(physics.md §5 item 5), is one tridiagonal system per angular frequency w::

    (j w m_k + d_k) c_k + lo_k c_(k-1) + up_k c_(k+1) = r_k ,   k = 0 .. N-1

with m_k = eps_k h_k the salt capacity of cell k [m], d, lo, up the (real) flux operator
[m/s] and r the (real) source per unit current density [mol/(m2 s) per A/m2]. Several
domains are stacked into one system with zero couplings between them. Only linear
functionals ``W @ c`` of the solution are returned (face concentrations, ohmic weights).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def thomas_complex(lower, diag, upper, rhs):
    """Solve a complex tridiagonal system by the Thomas algorithm (no pivoting).

    Parameters
    ----------
    lower, diag, upper, rhs : complex ndarray, shape (n,)
        ``lower[k]`` multiplies x[k-1] in row k (``lower[0]`` unused), ``upper[k]``
        multiplies x[k+1] (``upper[n-1]`` unused).

    Returns
    -------
    complex ndarray, shape (n,)
        x with A x = rhs. Stable for (weakly) diagonally dominant A, which the
        finite-volume salt operator plus j w m is.
    """
    n = diag.shape[0]
    cp = np.empty(n, dtype=np.complex128)
    dp = np.empty(n, dtype=np.complex128)
    x = np.empty(n, dtype=np.complex128)
    b = diag[0]
    cp[0] = upper[0] / b if n > 1 else 0.0
    dp[0] = rhs[0] / b
    for k in range(1, n):
        b = diag[k] - lower[k] * cp[k - 1]
        if k < n - 1:
            cp[k] = upper[k] / b
        dp[k] = (rhs[k] - lower[k] * dp[k - 1]) / b
    x[n - 1] = dp[n - 1]
    for k in range(n - 2, -1, -1):
        x[k] = dp[k] - cp[k] * x[k + 1]
    return x


@njit(cache=True)
def dc_solve(lower, diag, upper, rhs, mass, starts):
    """Steady (w = 0) solution of the salt operator of stacked zero-flux domains.

    Each domain's operator is singular (salt is conserved); its solution is fixed by
    ``sum(mass * c) = 0`` over the domain (the w -> 0 limit of the j w m term). The operator
    is in conservative flux form (its columns sum to zero within a domain), so the sum of
    rows s..k involves only c[k] and c[k+1]: it is the flux through the face between them,
    ``-lower[k+1] c[k] + upper[k] c[k+1] = sum(rhs[s..k])``. This first-order recurrence
    (no cancellation of large terms on strongly stretched grids) gives c = A c[s] + B, and the
    constraint fixes c[s].

    Parameters
    ----------
    lower, diag, upper, rhs, mass : float ndarray, shape (n,)
        ``diag`` is implied by the zero column sums and not used.
    starts : int ndarray, shape (n_domains + 1,)
        First row of each domain and n at the end.

    Returns
    -------
    float ndarray, shape (n,)
    """
    n = diag.shape[0]
    a = np.zeros(n)
    bb = np.zeros(n)
    x = np.zeros(n)
    for d in range(starts.shape[0] - 1):
        s = starts[d]
        e = starts[d + 1]
        a[s] = 1.0
        bb[s] = 0.0
        acc = 0.0
        for k in range(s, e - 1):
            acc += rhs[k]
            a[k + 1] = lower[k + 1] * a[k] / upper[k]
            bb[k + 1] = (acc + lower[k + 1] * bb[k]) / upper[k]
        sa = 0.0
        sb = 0.0
        for k in range(s, e):
            sa += mass[k] * a[k]
            sb += mass[k] * bb[k]
        c0 = -sb / sa
        for k in range(s, e):
            x[k] = a[k] * c0 + bb[k]
    return x


@njit(cache=True)
def salt_response(lower, diag, upper, rhs, mass, weights, omegas, starts):
    """Linear functionals of the salt response at every angular frequency.

    For each w = ``omegas[i]`` solve (j w diag(mass) + T) c = rhs (T tridiagonal from
    ``lower, diag, upper``) with :func:`thomas_complex`, or with :func:`dc_solve` when
    w == 0, and return ``weights @ c``.

    Parameters
    ----------
    lower, diag, upper, rhs, mass : float ndarray, shape (n,)
    weights : float ndarray, shape (n_out, n)
    omegas : float ndarray, shape (n_w,)
        Angular frequencies [rad/s], >= 0.
    starts : int ndarray
        Domain starts (for the w = 0 case), see :func:`dc_solve`.

    Returns
    -------
    complex ndarray, shape (n_w, n_out)
    """
    n = diag.shape[0]
    n_out = weights.shape[0]
    out = np.zeros((omegas.shape[0], n_out), dtype=np.complex128)
    # sparse rows of the weights (most functionals touch one or two cells)
    nnz = 0
    for m in range(n_out):
        for k in range(n):
            if weights[m, k] != 0.0:
                nnz += 1
    ptr = np.zeros(n_out + 1, dtype=np.int64)
    idx = np.empty(nnz, dtype=np.int64)
    val = np.empty(nnz)
    q = 0
    for m in range(n_out):
        for k in range(n):
            if weights[m, k] != 0.0:
                idx[q] = k
                val[q] = weights[m, k]
                q += 1
        ptr[m + 1] = q
    cp = np.empty(n, dtype=np.complex128)
    dp = np.empty(n, dtype=np.complex128)
    x = np.empty(n, dtype=np.complex128)
    for i in range(omegas.shape[0]):
        w = omegas[i]
        if w == 0.0:
            xr = dc_solve(lower, diag, upper, rhs, mass, starts)
            for k in range(n):
                x[k] = xr[k]
        else:
            # Thomas sweep in place with the diagonal diag + j w mass (same algorithm as thomas_complex)
            inv = 1.0 / complex(diag[0], w * mass[0])
            cp[0] = upper[0] * inv
            dp[0] = rhs[0] * inv
            for k in range(1, n):
                inv = 1.0 / (complex(diag[k], w * mass[k]) - lower[k] * cp[k - 1])
                cp[k] = upper[k] * inv
                dp[k] = (rhs[k] - lower[k] * dp[k - 1]) * inv
            x[n - 1] = dp[n - 1]
            for k in range(n - 2, -1, -1):
                x[k] = dp[k] - cp[k] * x[k + 1]
        for m in range(n_out):
            acc = 0.0 + 0.0j
            for t in range(ptr[m], ptr[m + 1]):
                acc += val[t] * x[idx[t]]
            out[i, m] = acc
    return out
