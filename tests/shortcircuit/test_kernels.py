"""numba kernels of the short-circuit model against NumPy references."""

import math

import numpy as np
import pytest

from cellsim.constants import F
from cellsim.shortcircuit import _kernels as K


def _drop_ref(t, q, L, D, terms=400):
    n = np.arange(1, 2 * terms, 2, dtype=float)
    return (q * L / D) * (0.5 - (4.0 / math.pi ** 2) * np.sum(np.exp(-n * n * math.pi ** 2 * D * t / L ** 2) / n ** 2))


def _depletion_ref(q, L, D, target, terms=400):
    """The bisection (80 halvings of [0, hi]) that margins.depletion_time used before the kernel."""
    if q == 0 or q * L / (2 * D) <= target:
        return math.inf
    lo, hi = 0.0, L * L / D
    while _drop_ref(hi, q, L, D, terms) < target:
        hi *= 2.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if _drop_ref(mid, q, L, D, terms) < target:
            lo = mid
        else:
            hi = mid
    return hi


@pytest.mark.parametrize("t", [1e-3, 1.0, 30.0, 1e3, 1e5])
def test_face_drop_matches_the_full_series_and_its_derivative(t):
    q, L, D = 0.6 * 50.0 / F, 60e-6, 2e-11
    drop, ddrop = K.face_drop(t, q, L, D, 400)
    assert drop == pytest.approx(_drop_ref(t, q, L, D), rel=1e-12, abs=1e-12 * q * L / D)
    h = 1e-6 * t
    fd = (_drop_ref(t + h, q, L, D) - _drop_ref(t - h, q, L, D)) / (2 * h)
    assert ddrop == pytest.approx(fd, rel=1e-5)


@pytest.mark.parametrize("j", [5.0, 20.0, 55.0, 150.0, 1500.0])
@pytest.mark.parametrize("L, D, thr", [(60e-6, 2e-11, 1e-3), (20e-6, 5e-12, 1e-3), (300e-6, 1e-10, 0.2),
                                       (60e-6, 2e-11, 1e-9)])
def test_depletion_time_equals_the_bisection_it_replaces(j, L, D, thr):
    c0, tp = 1000.0, 0.4
    q = (1 - tp) * j / F
    target = c0 * (1 - thr)
    ref = _depletion_ref(q, L, D, target)
    t = K.depletion_time(q, L, D, target, 400)
    if math.isinf(ref):
        assert math.isinf(t)
    else:
        assert t == pytest.approx(ref, rel=1e-12)
        assert _drop_ref(t, q, L, D) == pytest.approx(target, rel=1e-12)


# ---------------------------------------------------------------- the moving-front remap
@pytest.mark.parametrize("L, n, stretch", [(100e-6, 24, 10.0), (37e-6, 25, 3.0), (1e-3, 4, 1.0), (5e-6, 5, 40.0)])
def test_layer_grid_kernel_equals_the_numpy_grid(L, n, stretch):
    from cellsim.transport.grid import layer_grid

    ref = layer_grid(L, n, stretch)
    out = K.layer_grid(L, n, stretch)
    assert out.shape == ref.shape
    assert np.max(np.abs(out - ref)) <= 1e-12 * np.max(ref)
    assert math.isclose(out.sum(), L, rel_tol=1e-12)


@pytest.mark.parametrize("x_old, x_new, shrink", [
    (0.0, 12e-6, 12e-6),        # a left front advances: the swept salt joins the first cell
    (12e-6, 4e-6, -8e-6),       # it recedes: electrolyte re-opened, the salt kept
    (3e-6, 3e-6, 9e-6),         # a right front advances
    (5e-6, 9e-6, 1e-6),         # both move
    (20e-6, 0.0, -25e-6),       # a crossed layer gets its thickness back
])
def test_remap_kernel_equals_the_numpy_remap(x_old, x_new, shrink):
    from cellsim.transport.fronts import remap_cells
    from cellsim.transport.grid import layer_grid

    L = 100e-6
    rng = np.random.default_rng(7)
    w_old = layer_grid(L - 25e-6, 21, 8.0)
    w_new = layer_grid(L - 25e-6 - shrink, 24, 8.0)
    c_old = 1000.0 * (1.0 + 0.5 * rng.uniform(-1, 1, w_old.size))
    ref = remap_cells(c_old, x_old, w_old, x_new, w_new)
    out = K.remap_cells(c_old, x_old, w_old, x_new, w_new)
    assert out.shape == ref.shape
    assert np.max(np.abs(out - ref)) <= 1e-12 * np.max(np.abs(ref))
    assert math.isclose(out @ w_new, c_old @ w_old, rel_tol=1e-12)   # the salt is conserved
