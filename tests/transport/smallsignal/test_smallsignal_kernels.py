"""numba kernels of the small-signal model against dense NumPy references."""

import numpy as np
import pytest

from cellsim.transport.smallsignal._kernels import dc_solve, salt_response, thomas_complex


def random_tridiagonal(rng, n, complex_=True):
    lo = rng.normal(size=n) + (1j * rng.normal(size=n) if complex_ else 0)
    up = rng.normal(size=n) + (1j * rng.normal(size=n) if complex_ else 0)
    dg = (np.abs(lo) + np.abs(up) + 0.5 + rng.random(n)) * np.exp(1j * rng.uniform(-1, 1, n) if complex_ else 0)
    lo[0] = up[-1] = 0.0
    return lo.astype(complex), dg.astype(complex), up.astype(complex)


def dense(lo, dg, up):
    return np.diag(dg) + np.diag(lo[1:], -1) + np.diag(up[:-1], 1)


@pytest.mark.parametrize("n", [1, 2, 3, 57])
def test_thomas_complex_vs_numpy_solve(n):
    rng = np.random.default_rng(n)
    lo, dg, up = random_tridiagonal(rng, n)
    rhs = rng.normal(size=n) + 1j * rng.normal(size=n)
    x = thomas_complex(lo, dg, up, rhs)
    ref = np.linalg.solve(dense(lo, dg, up), rhs)
    assert np.max(np.abs(x - ref)) <= 1e-12 * np.max(np.abs(ref))


def flux_operator(rng, sizes):
    """Stacked finite-volume salt operators (zero-flux ends), the shape the model assembles:
    rows sum to zero over a domain's columns, rhs sums to zero per domain."""
    los, dgs, ups, rs, ms = [], [], [], [], []
    for n in sizes:
        G = rng.uniform(0.5, 2.0, n - 1)          # face conductances
        b = rng.uniform(-0.2, 0.2, n - 1)         # advection at faces
        s = rng.uniform(0.5, 1.5, n - 1)          # face sources
        wl = rng.uniform(0.3, 0.7, n - 1)
        wr = 1 - wl
        dg, lo, up, r = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
        dg[:-1] += G - b * wl
        up[:-1] = -(G + b * wr)
        r[:-1] += s
        dg[1:] += G + b * wr
        lo[1:] = -G + b * wl
        r[1:] -= s
        los.append(lo); dgs.append(dg); ups.append(up); rs.append(r); ms.append(rng.uniform(0.1, 1.0, n))
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    cat = np.concatenate
    return cat(los), cat(dgs), cat(ups), cat(rs), cat(ms), starts


def test_dc_solve_vs_constrained_least_squares():
    rng = np.random.default_rng(7)
    lo, dg, up, r, m, starts = flux_operator(rng, [5, 1 + 1, 40])
    x = dc_solve(lo, dg, up, r, m, starts)
    K = dense(lo, dg, up)
    for a, b in zip(starts[:-1], starts[1:]):
        Kd = K[a:b, a:b]
        assert np.allclose(K[a:b, :a], 0) and np.allclose(K[a:b, b:], 0)
        A = np.vstack([Kd, m[a:b]])             # consistent: K c = r and sum(m c) = 0
        ref = np.linalg.lstsq(A, np.concatenate([r[a:b], [0.0]]), rcond=None)[0]
        assert np.max(np.abs(x[a:b] - ref)) <= 1e-11 * np.max(np.abs(ref))
        assert abs(np.sum(m[a:b] * x[a:b])) <= 1e-12 * np.sum(np.abs(m[a:b] * x[a:b]))


def test_salt_response_vs_dense_solves():
    rng = np.random.default_rng(3)
    lo, dg, up, r, m, starts = flux_operator(rng, [30, 12])
    n = dg.size
    W = rng.normal(size=(4, n))
    omegas = np.array([0.0, 1e-3, 0.7, 50.0, 1e6])
    out = salt_response(lo, dg, up, r, m, W, omegas, starts)
    K = dense(lo, dg, up)
    dc = dc_solve(lo, dg, up, r, m, starts)
    for i, w in enumerate(omegas):
        c = dc if w == 0 else np.linalg.solve(1j * w * np.diag(m) + K, r)
        ref = W @ c
        assert np.max(np.abs(out[i] - ref)) <= 1e-10 * np.max(np.abs(ref))
    # the w -> 0 limit of the complex solves is the constrained DC solution
    small = salt_response(lo, dg, up, r, m, W, np.array([1e-9]), starts)[0]
    assert np.max(np.abs(small - out[0])) <= 1e-6 * np.max(np.abs(out[0]))
