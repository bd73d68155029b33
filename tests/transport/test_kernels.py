"""Each numba kernel against a NumPy / SciPy / closed-form reference."""

import math

import numpy as np
import pytest
from scipy.linalg import solve_banded
from scipy.optimize import brentq

from cellsim.transport import _kernels as K

rng = np.random.default_rng(0)


def _tridiag(n):
    lower = rng.uniform(-1, 0, n)
    upper = rng.uniform(-1, 0, n)
    diag = 2.5 + rng.uniform(0, 1, n)
    lower[0] = upper[-1] = 0.0
    return lower, diag, upper


def _dense(lower, diag, upper):
    return np.diag(diag) + np.diag(lower[1:], -1) + np.diag(upper[:-1], 1)


@pytest.mark.parametrize("n", [1, 2, 7, 50])
def test_thomas_vs_scipy(n):
    lower, diag, upper = _tridiag(n)
    b = rng.standard_normal(n)
    x = K.thomas(lower, diag, upper, b, np.empty(n))
    ab = np.zeros((3, n))
    ab[0, 1:] = upper[:-1]
    ab[1] = diag
    ab[2, :-1] = lower[1:]
    assert np.allclose(x, solve_banded((1, 1), ab, b), rtol=1e-13, atol=1e-14)
    cp, inv = np.empty(n), np.empty(n)
    K.thomas_factor(lower, diag, upper, cp, inv)
    y = K.thomas_apply(lower, cp, inv, b.copy(), np.empty(n))
    assert np.allclose(y, x, rtol=1e-14, atol=1e-15)


def _layers():
    vol = np.array([1.0, 2.0, 3.0, 2.0, 0.5, 0.5, 1.0, 1.5])
    off = np.array([0, 4], dtype=np.int64)
    ncell = np.array([4, 4], dtype=np.int64)
    D = np.array([2.0, 0.5])
    klo, khi = np.zeros(8), np.zeros(8)
    for p in range(2):
        a, n = off[p], ncell[p]
        dist = 0.5 * (vol[a + 1:a + n] + vol[a:a + n - 1])
        khi[a:a + n - 1] = D[p] / dist
        klo[a + 1:a + n] = D[p] / dist
    betaL, betaR = np.array([0.3, 0.1]), np.array([0.3, 0.0])
    return vol, klo, khi, off, ncell, D, betaL, betaR


def _operator(vol, klo, khi, off, ncell, betaL, betaR):
    """Dense A (dc/dt = A c + J b) built independently of the kernels."""
    n = vol.size
    A = np.zeros((n, n))
    b = np.zeros(n)
    for p in range(off.size):
        a, m = off[p], ncell[p]
        for i in range(a, a + m - 1):
            k = khi[i]
            A[i, i] -= k / vol[i]
            A[i, i + 1] += k / vol[i]
            A[i + 1, i + 1] -= k / vol[i + 1]
            A[i + 1, i] += k / vol[i + 1]
        b[a] += betaL[p] / vol[a]
        b[a + m - 1] -= betaR[p] / vol[a + m - 1]
    return A, b


def test_diffusion_rhs_vs_dense_operator():
    vol, klo, khi, off, ncell, D, bL, bR = _layers()
    c = rng.uniform(500, 1500, vol.size)
    A, b = _operator(vol, klo, khi, off, ncell, bL, bR)
    out = K.diffusion_rhs(c, vol, klo, khi, off, ncell, bL, bR, 3.0, np.empty(vol.size))
    assert np.allclose(out, A @ c + 3.0 * b, rtol=1e-13)


@pytest.mark.parametrize("a0,b1,b2", [(1.0, 1.0, 0.0), (1.5, 2.0, 0.5), ((1 + 2 * 1.7) / 2.7, 2.7, 1.7 ** 2 / 2.7)])
def test_implicit_step_vs_dense_solve(a0, b1, b2):
    vol, klo, khi, off, ncell, D, bL, bR = _layers()
    cn = rng.uniform(500, 1500, vol.size)
    cnm1 = rng.uniform(500, 1500, vol.size)
    h, J = 0.37, 2.5
    A, b = _operator(vol, klo, khi, off, ncell, bL, bR)
    M = a0 * np.eye(vol.size) - h * A
    expected = np.linalg.solve(M, b1 * cn - b2 * cnm1 + h * J * b)
    d, g = np.empty(vol.size), np.empty(vol.size)
    K.implicit_step(cn, cnm1, h, a0, b1, b2, vol, klo, khi, off, ncell, bL, bR, d, g)
    assert np.allclose(cn + d + J * g, expected, rtol=1e-12)
    assert np.allclose(g, np.linalg.solve(M, h * b), rtol=1e-12, atol=1e-15)


def test_face_value_exact_for_quadratics():
    a, b, d = 3.0, -2.0, 5.0
    h1, h2 = 0.3, 0.7
    avg = lambda x0, x1: a + b * (x0 + x1) / 2 + d * (x1 ** 3 - x0 ** 3) / (3 * (x1 - x0))
    got = K.face_value(avg(0, h1), avg(h1, h1 + h2), h1, h2, b)
    assert got == pytest.approx(a, rel=1e-13)


def test_layer_faces_use_flux_condition():
    vol, klo, khi, off, ncell, D, bL, bR = _layers()
    # linear profiles with the flux slope -betaL J / D are reproduced at both faces
    J = 4.0
    c = np.empty(vol.size)
    for p in range(2):
        a, n = off[p], ncell[p]
        x = np.cumsum(vol[a:a + n]) - vol[a:a + n] / 2
        c[a:a + n] = 100 - bL[p] * J / D[p] * x
    fl, fr = np.empty(2), np.empty(2)
    K.layer_faces(c, vol, off, ncell, D, bL, bR, J, fl, fr)
    assert fl[0] == pytest.approx(100, rel=1e-13)
    L0 = vol[:4].sum()
    assert fr[0] == pytest.approx(100 - bL[0] * J / D[0] * L0, rel=1e-13)


@pytest.mark.parametrize("alpha", [0.5, 0.3, 0.7])
@pytest.mark.parametrize("j", [-50.0, -1e-3, 0.0, 2.0, 300.0])
def test_bv_inversion_roundtrip(alpha, j):
    f = 96485.33212 / (8.314462618 * 298.15)
    i0 = 1.7
    eta = K.bv_overpotential(j, i0, alpha, f)
    assert K.bv_current(eta, i0, alpha, f) == pytest.approx(j, rel=1e-11, abs=1e-14)
    if j != 0:
        ref = brentq(lambda e: i0 * (math.exp(alpha * f * e) - math.exp(-(1 - alpha) * f * e)) - j, -2, 2, xtol=1e-15)
        assert eta == pytest.approx(ref, rel=1e-9)


def test_interface_eta_with_double_layer_vs_brentq():
    f = 96485.33212 / (8.314462618 * 298.15)
    C, a0, h, hist, J, i0, alpha = 0.05, 1.5, 1e-4, 3e-3, 12.0, 2.0, 0.4
    eta, ok = K.interface_eta(1, J, i0, alpha, f, C, a0, h, hist, 0.0)
    assert ok
    g = lambda e: C * (a0 * e - hist) / h + i0 * (math.exp(alpha * f * e) - math.exp(-(1 - alpha) * f * e)) - J
    assert eta == pytest.approx(brentq(g, -1, 1, xtol=1e-16), rel=1e-10)
    # blocking: pure capacitor
    eb, ok = K.interface_eta(3, J, i0, alpha, f, C, a0, h, hist, 0.0)
    assert eb == pytest.approx((J * h / C + hist) / a0, rel=1e-14)


def test_voltage_parts_vs_numpy():
    vol, klo, khi, off, ncell, D, bL, bR = _layers()
    c = rng.uniform(500, 1500, vol.size)
    T, J = 300.0, 7.0
    fl, fr = np.array([1200.0, 900.0]), np.array([800.0, 1100.0])
    eta = np.array([1e-3, 0.0, -2e-3])
    tminus, chi, c0 = np.array([0.6, 0.7]), np.array([1.0, 1.3]), np.array([1000.0, 1000.0])
    kappa0, Lp = np.array([0.1, 0.05]), np.array([vol[:4].sum(), vol[4:].sum()])
    layer_R = np.array([0.0, 0.02, 0.0])
    layer_poly = np.array([0, -1, 1], dtype=np.int64)
    Rs = np.array([1e-3, 0.0, 2e-3])
    parts = np.empty(3 + 2 + 3)
    RT_F = 8.314462618 * T / 96485.33212
    for law in (0, 1):
        tot = K.voltage_parts(c, fl, fr, J, eta, T, vol, off, ncell, tminus, chi, c0, kappa0, Lp, law, layer_R,
                              layer_poly, Rs, 1e-9, parts)
        if law == 0:
            ohm = [J * Lp[0] / kappa0[0], J * 0.02, J * Lp[1] / kappa0[1]]
        else:
            ohm = [J * np.sum(vol[:4] / (kappa0[0] * c[:4] / c0[0])), J * 0.02,
                   J * np.sum(vol[4:] / (kappa0[1] * c[4:] / c0[1]))]
        conc = [2 * RT_F * tminus[p] * chi[p] * np.log(fl[p] / fr[p]) for p in range(2)]
        itf = list(eta + J * Rs)
        expected = np.array(ohm + conc + itf)
        assert np.allclose(parts, expected, rtol=1e-13)
        assert tot == pytest.approx(expected.sum(), rel=1e-13)


@pytest.mark.parametrize("law", [0, 1])
@pytest.mark.parametrize("double_layer", [False, True])
@pytest.mark.parametrize("J", [-9.0, 0.0, 7.0])
def test_voltage_slope_vs_central_difference(law, double_layer, J):
    """The analytic dV/dJ of the Newton iteration on the current (leaky stacks, potentiostatic
    steps) against a central difference of _state_at + voltage_parts."""
    vol, klo, khi, off, ncell, D, bL, bR = _layers()
    c = rng.uniform(800, 1200, vol.size)
    c_hom = rng.uniform(-5, 5, vol.size)
    g = rng.uniform(-2, 2, vol.size)
    T, floor, a0, h = 300.0, 1e-4, 1.5, 0.3
    tminus, chi, c0 = np.array([0.6, 0.7]), np.array([1.0, 1.3]), np.array([1000.0, 1000.0])
    kappa0, Lp = np.array([0.1, 0.05]), np.array([vol[:4].sum(), vol[4:].sum()])
    layer_R = np.array([0.0, 0.02, 0.0])
    layer_poly = np.array([0, -1, 1], dtype=np.int64)
    ikind = np.array([1, 2, 1, 3], dtype=np.int64)
    i0, alpha = np.array([3.0, 5.0, 0.7, 1.0]), np.array([0.4, 0.5, 0.5, 0.5])
    ip, iside = np.array([0, 0, 1, 1], dtype=np.int64), np.array([0, 1, 0, 1], dtype=np.int64)
    cref, Rs = np.array([1000.0, 1000.0, 1000.0, 1.0]), np.array([1e-3, 0.0, 2e-3, 0.0])
    Cdl = np.array([0.05, 0.02, 0.0, 0.1]) if double_layer else np.array([0.0, 0.0, 0.0, 0.1])
    ehist = np.array([1e-3, -2e-3, 0.0, 4e-3])
    fl_h, fr_h, fl_g, fr_g = (np.empty(2) for _ in range(4))
    K.layer_faces(c + c_hom, vol, off, ncell, D, bL, bR, 0.0, fl_h, fr_h)
    K.layer_faces(g, vol, off, ncell, D, bL, bR, 1.0, fl_g, fr_g)
    parts = np.empty(3 + 2 + 4)

    def state(j):
        c_new, fl, fr, eta = np.empty(vol.size), np.empty(2), np.empty(2), np.empty(4)
        ok = K._state_at(j, c, c_hom, g, c_new, fl, fr, fl_h, fr_h, fl_g, fr_g,
                         ikind, i0, alpha, ip, iside, cref, floor, c0, T, Cdl, a0, h, ehist, np.zeros(4), eta, True)
        assert ok
        v = K.voltage_parts(c_new, fl, fr, j, eta, T, vol, off, ncell, tminus, chi, c0, kappa0, Lp, law, layer_R,
                            layer_poly, Rs, floor, parts)
        return v, c_new, fl, fr, eta

    _, c_new, fl, fr, eta = state(J)
    slope = K.voltage_slope(J, c_new, g, fl, fr, fl_g, fr_g, eta, T, vol, off, ncell, tminus, chi, c0, kappa0, Lp,
                            law, layer_R, layer_poly, ikind, i0, alpha, ip, iside, cref, Rs, Cdl, floor, a0 / h)
    d = 1e-4
    fd = (state(J + d)[0] - state(J - d)[0]) / (2 * d)
    assert slope == pytest.approx(fd, rel=1e-7)


def test_face_weights_of_the_modal_path_match_face_value():
    from cellsim.transport.solver import _face_weights
    h1, h2 = 0.3, 0.7
    w = _face_weights(h1, h2)
    for A1, A2, s in ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (2.0, -3.0, 0.5)):
        assert w[0] * A1 + w[1] * A2 + w[2] * s == pytest.approx(K.face_value(A1, A2, h1, h2, s), rel=1e-14, abs=1e-15)


def test_modal_face_recurrence_matches_direct_exponentials():
    rng_ = np.random.default_rng(3)
    off, ncell = np.array([0, 5], dtype=np.int64), np.array([5, 4], dtype=np.int64)
    N = 9
    lam = -np.abs(rng_.uniform(0.01, 5.0, N))
    A, B, Bt = rng_.standard_normal(N), rng_.standard_normal(N), np.zeros(N)
    phiL, phiR = rng_.standard_normal(N), rng_.standard_normal(N)
    sL, sR = np.array([0.1, 0.2]), np.array([0.3, 0.4])
    E, G, st_rec = np.ones(N), np.ones(N), np.array([0.0, -1.0])
    fl, fr, zt = np.empty(2), np.empty(2), np.empty(N)
    fl2, fr2, zt2 = np.empty(2), np.empty(2), np.empty(N)
    for tau in (0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 20.0):
        K._modal_faces_rec(tau, st_rec, E, G, lam, A, B, Bt, phiL, phiR, off, ncell, sL, sR, 2.0, fl, fr, zt)
        K._modal_faces(tau, lam, A, B, Bt, phiL, phiR, off, ncell, sL, sR, 2.0, fl2, fr2, zt2, 0.0)
        z_ref = A * np.exp(lam * tau) + B
        assert np.allclose(zt, z_ref, rtol=1e-13, atol=1e-15) and np.allclose(zt2, z_ref, rtol=1e-13, atol=1e-15)
        assert np.allclose(fl, [phiL[:5] @ z_ref[:5] + 0.2, phiL[5:] @ z_ref[5:] + 0.4], rtol=1e-12)
        assert np.allclose(fr, fr2, rtol=1e-12)


def _safe_reference(t_len, phAL, phAR, F0L, F0R, FtL, FtR, off, ncell, c0p, dep_rel, armed):
    """NumPy form of the lower bound F0 + min(0, Ft t) + sum min(phA, 0) of a modal face."""
    ok = True
    P = off.size
    for j in range(2 * P):
        p = j % P
        ph = (phAL if j < P else phAR)[off[p]:off[p] + ncell[p]]
        f0, ft = (F0L[p], FtL[p]) if j < P else (F0R[p], FtR[p])
        low = f0 + min(0.0, ft * t_len) + np.minimum(ph, 0.0).sum()
        scale = abs(f0) + abs(ft) * t_len + np.abs(ph).sum()
        thr = dep_rel * c0p[p] * (1.0 if armed[j] else 10.0)
        ok = ok and low > thr + 1e-10 * scale
    return ok


@pytest.mark.parametrize("seed", range(40))
def test_modal_faces_safe_vs_numpy_and_sampling(seed):
    r = np.random.default_rng(seed)
    P, n = 2, 6
    off, ncell = np.array([0, n]), np.array([n, n])
    lam = -np.sort(r.uniform(0.01, 5.0, 2 * n))
    phAL, phAR = r.normal(0, 300, 2 * n), r.normal(0, 300, 2 * n)
    F0L, F0R = r.uniform(200, 1500, P), r.uniform(200, 1500, P)
    FtL, FtR = r.normal(0, 0.1, P), r.normal(0, 0.1, P)
    c0p = np.full(P, 1000.0)
    armed = r.integers(0, 2, 2 * P).astype(np.int64)
    t_len, dep_rel = 3600.0, r.choice([1e-3, 0.3])
    want = _safe_reference(t_len, phAL, phAR, F0L, F0R, FtL, FtR, off, ncell, c0p, dep_rel, armed)
    a = armed.copy()
    got = K.modal_faces_safe(t_len, phAL, phAR, F0L, F0R, FtL, FtR, off, ncell, c0p, dep_rel, a)
    assert got == want
    np.testing.assert_array_equal(a, np.ones(2 * P) if got else armed)
    if got:  # the bound holds at every time: no face goes below the threshold of its state
        tau = np.geomspace(1e-6, t_len, 400)
        for j in range(2 * P):
            p = j % P
            sl = slice(off[p], off[p] + ncell[p])
            ph = (phAL if j < P else phAR)[sl]
            f0, ft = (F0L[p], FtL[p]) if j < P else (F0R[p], FtR[p])
            face = f0 + ft * tau + np.exp(np.outer(tau, lam[sl])) @ ph
            assert face.min() > dep_rel * c0p[p] * (1.0 if armed[j] else 10.0)


def test_modal_project_and_cells_vs_numpy_blocks():
    """z = Q^T V^(1/2) c and c = V^(-1/2) Q z per layer block, against NumPy matrix products."""
    r = np.random.default_rng(11)
    off, ncell = np.array([0, 5], dtype=np.int64), np.array([5, 7], dtype=np.int64)
    N = 12
    Qf = np.zeros((N, N))
    for a, n in zip(off, ncell):
        Qf[a:a + n, a:a + n] = np.linalg.qr(r.standard_normal((n, n)))[0]
    sq = np.sqrt(r.uniform(0.5, 2.0, N))
    c = r.uniform(100.0, 2000.0, N)
    z = np.empty(N)
    K.modal_project(c, Qf, sq, off, ncell, z)
    z_ref = np.concatenate([Qf[a:a + n, a:a + n].T @ (sq[a:a + n] * c[a:a + n]) for a, n in zip(off, ncell)])
    np.testing.assert_allclose(z, z_ref, rtol=1e-13, atol=1e-12)
    back = np.empty(N)
    K.modal_cells(z, Qf, sq, off, ncell, back)
    back_ref = np.concatenate([Qf[a:a + n, a:a + n] @ z[a:a + n] / sq[a:a + n] for a, n in zip(off, ncell)])
    np.testing.assert_allclose(back, back_ref, rtol=1e-13)
    np.testing.assert_allclose(back, c, rtol=1e-13)  # Q orthogonal: the round trip is the identity


# ---- event location (Illinois bracketing, the stalled clamped secant) ----------------


def _illinois_ref(b_lo, f_lo, b_hi, f_hi):
    frac = np.clip(-f_lo / (f_hi - f_lo), 1e-3, 0.999)
    return b_lo + (b_hi - b_lo) * frac


@pytest.mark.parametrize("b_lo, f_lo, b_hi, f_hi", [(0.0, 3.0, 2.0, -1.0), (1.0, -2.0, 5.0, 6.0),
                                                     (0.0, 1e-9, 1.0, -5.0), (0.0, 5.0, 1.0, -1e-12)])
def test_illinois_point_vs_numpy(b_lo, f_lo, b_hi, f_hi):
    assert K.illinois_point(b_lo, f_lo, b_hi, f_hi) == pytest.approx(_illinois_ref(b_lo, f_lo, b_hi, f_hi),
                                                                     rel=1e-15)


@pytest.mark.parametrize("f", [lambda h: math.exp(-h) - 0.3, lambda h: (h - 0.7) ** 3 + 1e-3 * (h - 0.7),
                               lambda h: math.tanh(20 * (h - 0.25))])
def test_illinois_iteration_converges_superlinearly_to_the_root(f):
    """The update rule of ``_run_step`` (halve the retained end's value) finds the root to
    1e-9 in at most 25 evaluations; the former secant from the last accepted point (trials
    short of the root accepted as steps) needs 26, 132 and 14 on these three functions."""
    root = brentq(f, 0.0, 2.0, xtol=1e-15)
    lo, flo, hi, fhi, near, side = 0.0, f(0.0), 2.0, f(2.0), f(0.0), 0
    n = 0
    while n < 60:
        h = K.illinois_point(lo, flo, hi, fhi)
        if abs(h - hi) <= 1e-12:
            break  # the step-size criterion of _run_step (t = 0)
        v = f(h)
        n += 1
        if v * fhi > 0:
            hi, fhi = h, v
            flo = flo * 0.5 if side == 1 else flo
            side = 1
            if abs(v) <= 1e-9 * (abs(near) + abs(v)):
                break
        else:
            lo, flo, near = h, v, v
            fhi = fhi * 0.5 if side == -1 else fhi
            side = -1
    assert n <= 25
    assert abs(hi - root) <= 1e-9


def _stalled_ref(h, f0, f1, t, attempt):
    frac = 0.999 if abs(f1) < abs(f0) else 1e-3
    while attempt < 55 and h >= 1e-12:
        if abs(h * frac - h) <= 1e-12 * max(t, 1.0):
            break
        h *= frac
        attempt += 1
    return h


@pytest.mark.parametrize("h, f0, f1, t, attempt", [(600.0, -70.0, -51.0, 0.0, 0), (600.0, -70.0, -51.0, 1e5, 3),
                                                    (3e-3, 2.0, 5.0, 10.0, 0), (1e-12, 2.0, 1.0, 0.0, 0),
                                                    (5.0, 1.0, 0.5, 0.0, 55)])
def test_stalled_secant_step_vs_python_loop(h, f0, f1, t, attempt):
    assert K.stalled_secant_step(h, f0, f1, t, attempt) == _stalled_ref(h, f0, f1, t, attempt)


def test_event_value_vs_numpy():
    fl = np.array([3.0, 40.0])
    fr = np.array([7.0, 0.5])
    c0p = np.array([100.0, 50.0])
    for trk, ref in ((0, 3.0 - 2.0), (1, 40.0 - 1.0), (2, 7.0 - 2.0), (3, 0.5 - 1.0)):
        assert K.event_value(trk, fl, fr, 2, 0.02, c0p, 0, 0.0, 1.0, 0.0, 0.0, 0.0) == pytest.approx(ref, rel=1e-15)
    assert K.event_value(100, fl, fr, 2, 0.02, c0p, 1, 0.2, -1.0, 0.5, 0.0, 0.0) == pytest.approx(-0.3, rel=1e-15)
    assert K.event_value(100, fl, fr, 2, 0.02, c0p, 2, 4.0, 1.0, 2.0, -3.0, 0.5) == pytest.approx(-2.0, rel=1e-15)


def test_modal_step_outputs_vs_numpy():
    """run_modal_step's output rows against NumPy: faces from the mode amplitudes
    (z = A e^(lam tau) + B + Bt tau, face = phi . z + s J), concentration parts
    (2RT/F) t- chi ln(c_left/c_right), Butler-Volmer overpotentials with i0 (c/c_ref)^alpha at
    the face (closed form for alpha = 1/2), constant ohmic parts, V = sum of the parts."""
    from cellsim.constants import F as F_, R as R_
    from cellsim.transport import TransportProblem
    from cellsim.stack import Electrode, Layer, Stack

    from .stacks import ceramic, ideal, li_bv, polymer

    p = polymer()
    stack = Stack.build([Layer("P1", p, 20e-6), Layer("C", ceramic(), 100e-6), Layer("P2", p, 30e-6)],
                        Electrode("li"), Electrode("li"), 1e-4,
                        interfaces=[li_bv(1e-3, name="a"), ideal("b"), li_bv(5e-4, name="c"), ideal("d")])
    prob = TransportProblem(stack)
    assert prob.modal_ok
    J = 30.0
    sol = prob.run("Plate at 3 mA/cm2 for 20 min", output_dt=7.0)
    (i0_, i1_, t0_, (A, B, Bt)), = sol._modal[0]
    tau = sol.time[i0_:i1_] - t0_
    P, nK, nl = prob.off.size, prob.ikind.size, prob.layer_R.size
    z = A[None, :] * np.exp(np.clip(prob.lam[None, :] * tau[:, None], -745.0, 0.0)) + B + Bt * tau[:, None]
    fl = np.array([z[:, a:a + n] @ prob.phiL[a:a + n] + prob.sL[q] * J
                   for q, (a, n) in enumerate(zip(prob.off, prob.ncell))])
    fr = np.array([z[:, a:a + n] @ prob.phiR[a:a + n] + prob.sR[q] * J
                   for q, (a, n) in enumerate(zip(prob.off, prob.ncell))])
    out = sol._out[:, i0_:i1_]
    scale = np.max(np.abs(fl))
    assert np.max(np.abs(out[4:4 + P] - fl)) < 1e-12 * scale
    assert np.max(np.abs(out[4 + P:4 + 2 * P] - fr)) < 1e-12 * scale
    T = prob.T
    floor = prob.options.concentration_floor * prob.c0p[:, None]
    conc = 2 * R_ * T / F_ * (prob.tminus * prob.chi)[:, None] * np.log(np.maximum(out[4:4 + P], floor)
                                                                        / np.maximum(out[4 + P:4 + 2 * P], floor))
    parts = sol._out[prob.r_parts:, i0_:i1_]
    assert np.allclose(parts[nl:nl + P], conc, rtol=1e-13, atol=1e-16)
    f = F_ / (R_ * T)
    for k in range(nK):
        if prob.ikind[k] == 0:
            eta = np.zeros_like(tau)
        else:
            q, side = prob.ip[k], prob.iside[k]
            c = np.maximum(out[4 + q + (P if side else 0)], floor[q])
            i0 = prob.i0[k] * (c / prob.cref[k]) ** prob.alpha[k]
            eta = 2.0 / f * np.arcsinh(J / (2.0 * i0))
        assert np.allclose(out[prob.r_eta + k], eta, rtol=1e-13, atol=1e-16)
        assert np.allclose(parts[nl + P + k], eta + J * prob.Rs[k], rtol=1e-13, atol=1e-16)
    ohmic = [J * prob.layer_R[l] if prob.layer_poly[l] < 0 else J * prob.Lp[prob.layer_poly[l]] /
             prob.kappa0[prob.layer_poly[l]] for l in range(nl)]
    assert np.allclose(parts[:nl], np.array(ohmic)[:, None], rtol=1e-15, atol=0)
    assert np.allclose(out[3], parts.sum(axis=0), rtol=1e-13, atol=1e-15)
    assert np.array_equal(out[1], np.full(tau.size, J)) and np.array_equal(out[2], out[1])


@pytest.mark.parametrize("alpha", [0.5, 0.3, 0.7])
def test_concentration_factor_is_the_power_law(alpha):
    """(c/c_ref)^alpha of the exchange current: sqrt at alpha = 1/2 (within one rounding of pow), pow
    otherwise (bit for bit)."""
    ratios = np.array([1e-6, 0.013, 0.5, 1.0, 1.7, 123.4])
    for r in ratios:
        got = K.concentration_factor(r, alpha)
        if alpha == 0.5:
            assert got == pytest.approx(r ** 0.5, rel=2.3e-16)
        else:
            assert got == r ** alpha
