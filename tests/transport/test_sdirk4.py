"""The SDIRK4 time integrator of the general path (``SolverOptions(method="sdirk4")``,
:func:`cellsim.transport._kernels.run_step_sdirk4`): tableau, convergence order on fixed steps
against the exact-in-time eigenmode solution, dense output, accuracy against the exact series
(physics.md §2.1.3) and agreement with BDF2 on shipped models."""

from fractions import Fraction

import numpy as np
import pytest

from cellsim.errors import InputError
from cellsim.models import load_model
from cellsim.transport import SolverOptions, simulate
from cellsim.transport import _kernels as K
from cellsim.transport.pybamm_reference import exact_face_concentration

from .stacks import benchmark_stack

# the tableau of Hairer & Wanner II, Table IV.6.5, in exact arithmetic
_G = Fraction(1, 4)
_A = [[_G, 0, 0, 0, 0],
      [Fraction(1, 2), _G, 0, 0, 0],
      [Fraction(17, 50), Fraction(-1, 25), _G, 0, 0],
      [Fraction(371, 1360), Fraction(-137, 2720), Fraction(15, 544), _G, 0],
      [Fraction(25, 24), Fraction(-49, 48), Fraction(125, 16), Fraction(-85, 12), _G]]
_BHAT = [Fraction(59, 48), Fraction(-17, 96), Fraction(225, 32), Fraction(-85, 12), Fraction(0)]


def _order_conditions(b, A):
    """Residuals of the 8 order conditions up to order 4 (Butcher trees), in exact arithmetic."""
    n = len(b)
    c = [sum(A[i]) for i in range(n)]
    Ac = [sum(A[i][j] * c[j] for j in range(n)) for i in range(n)]
    Acc = [sum(A[i][j] * c[j] ** 2 for j in range(n)) for i in range(n)]
    AAc = [sum(A[i][j] * Ac[j] for j in range(n)) for i in range(n)]
    dot = lambda u, v: sum(x * y for x, y in zip(u, v))  # noqa: E731
    return [dot(b, [1] * n) - 1, dot(b, c) - Fraction(1, 2),
            dot(b, [x * x for x in c]) - Fraction(1, 3), dot(b, Ac) - Fraction(1, 6),
            dot(b, [x ** 3 for x in c]) - Fraction(1, 4), dot(b, [x * y for x, y in zip(c, Ac)]) - Fraction(1, 8),
            dot(b, Acc) - Fraction(1, 12), dot(b, AAc) - Fraction(1, 24)]


def test_tableau_orders_and_the_kernel_constants():
    """b: order 4 (all 8 conditions); b-hat: order 3 exactly (its order-4 residuals are not 0);
    the kernel's float constants are the fractions; stiffly accurate with gamma = 1/4."""
    b = _A[-1]
    assert all(r == 0 for r in _order_conditions(b, _A))
    r_hat = _order_conditions(_BHAT, _A)
    assert all(r == 0 for r in r_hat[:4]) and any(r != 0 for r in r_hat[4:])
    np.testing.assert_array_equal(K.SD4_A, np.array(_A, dtype=float))
    np.testing.assert_array_equal(K.SD4_BHAT, np.array(_BHAT, dtype=float))
    np.testing.assert_array_equal(K.SD4_E, np.array([float(x - y) for x, y in zip(b, _BHAT)]))
    np.testing.assert_allclose(K.SD4_C, np.sum(K.SD4_A, axis=1), rtol=0, atol=1e-15)
    assert np.all(np.diag(K.SD4_A) == K.SD4_GAMMA)


def _stability(b, A, z):
    """R(z) = 1 + z b^T (I - z A)^-1 1 of a Runge-Kutta method (scalar z)."""
    n = len(b)
    return 1.0 + z * (np.asarray(b) @ np.linalg.solve(np.eye(n) - z * np.asarray(A), np.ones(n)))


def test_l_stability_and_bounded_dense_output():
    """|R(z)| <= 1 on the imaginary axis and the negative axis, R(-inf) = 0 (L-stable); the dense
    output's R_theta(z) stays within [-1, 1] on the negative axis (stiff components are not
    amplified between step ends) and tends to 1 - theta."""
    A = K.SD4_A
    b = A[-1]
    for y in np.geomspace(1e-3, 1e6, 200):
        assert abs(_stability(b, A, 1j * y)) <= 1.0 + 1e-12
    zs = -np.geomspace(1e-4, 1e12, 300)
    assert max(abs(_stability(b, A, z)) for z in zs) <= 1.0 + 1e-12
    assert abs(_stability(b, A, -1e12)) < 1e-9
    w = np.empty(5)
    for theta in np.linspace(0.0, 1.0, 21):
        K.sdirk4_dense_weights(theta, K.SD4_DENSE, w)
        r = [_stability(w, A, z) for z in zs]
        assert max(abs(x) for x in r) <= 1.0 + 1e-9, theta
        assert r[-1] == pytest.approx(1.0 - theta, abs=1e-9)


def test_dense_output_weights_are_third_order_and_match_b_at_theta_1():
    A = K.SD4_A
    c = A.sum(axis=1)
    w = np.empty(5)
    for theta in np.linspace(0.0, 1.0, 11):
        K.sdirk4_dense_weights(theta, K.SD4_DENSE, w)
        np.testing.assert_allclose([w.sum(), w @ c, w @ c ** 2, w @ (A @ c)],
                                   [theta, theta ** 2 / 2, theta ** 3 / 3, theta ** 3 / 6], atol=1e-13)
    K.sdirk4_dense_weights(1.0, K.SD4_DENSE, w)
    np.testing.assert_allclose(w, A[-1], atol=1e-13)


def _fixed_step_errors(steps, output_dt, t_min=0.0):
    """Max face error of SDIRK4 on fixed steps ``steps`` [s] against the eigenmode solution on
    the same grid (exact in time), at the output times >= t_min."""
    stack = benchmark_stack()
    proto = "Plate at 1 mA/cm2 for 200 s"
    ref = simulate(stack, proto, options=SolverOptions(n_cells=20), output_dt=output_dt)  # exact in time
    errs = []
    for h in steps:
        opt = SolverOptions(n_cells=20, exact_galvanostatic=False, method="sdirk4", rtol=1e3, atol=1e3,
                            voltage_atol=1e3, max_step=h, initial_step=h)
        sol = simulate(stack, proto, options=opt, output_dt=output_dt)
        assert sol.stats["time_steps"] == round(200 / h)
        m = sol.time >= t_min
        errs.append(max(np.max(np.abs(sol.face_concentration("P1", s) - ref.face_concentration("P1", s))[m])
                        for s in ("left", "right")))
    return np.array(errs)


def test_fourth_order_convergence_on_fixed_steps():
    """Halving a fixed step divides the error at the step ends by 2^4 (measured: 4.02, 4.01)."""
    errs = _fixed_step_errors((1.0, 0.5, 0.25), output_dt=10.0)
    measured = np.log2(errs[:-1] / errs[1:])
    assert np.all(np.abs(measured - 4.0) < 0.15), measured


def test_dense_output_converges_between_step_ends():
    """Outputs every 1 s from steps of 10/3 s and less (output times inside steps): the dense
    output's error falls at least at third order once the start-up transient has passed
    (t >= 20 s), and stays below the step-end error scale."""
    errs = _fixed_step_errors((10 / 3, 5 / 3, 5 / 6), output_dt=1.0, t_min=20.0)
    measured = np.log2(errs[:-1] / errs[1:])
    assert np.all(measured > 3.0), (errs, measured)
    assert errs[-1] < 1e-5


def test_matched_accuracy_against_the_exact_series_with_few_steps():
    """The transport benchmark: 48 cells/layer (stretch 1.5), rtol 1e-5: every face within 1e-4 of
    the exact series at every output t > 0 (the spatial error, 8.2e-5, dominates), in under a
    third of the steps BDF2 needs at its qualifying tolerance (rtol 1e-6: about 400)."""
    from cellsim.transport.pybamm_reference import DEFAULT_PARAMS, stack_from_params
    p = dict(DEFAULT_PARAMS)
    stack = stack_from_params(p)
    t = np.arange(0.0, 3600.0 + 5.0, 10.0)
    args = (p["salt_concentration"], p["salt_diffusivity"], p["transference_number"], p["polymer_thickness"], 10.0)
    ex = {s: exact_face_concentration(t, *args, s) for s in ("left", "right")}
    opt = SolverOptions(n_cells=48, grid_stretch=1.5, rtol=1e-5, atol=1e-7, exact_galvanostatic=False,
                        method="sdirk4")
    sol = simulate(stack, "Plate at 1 mA/cm2 for 1 h", options=opt, output_dt=10.0)
    np.testing.assert_allclose(sol.time, t)
    err = max(np.max(np.abs(sol.face_concentration(f"polymer {k}", s)[1:] / ex[s][1:] - 1))
              for k in (1, 2) for s in ("left", "right"))
    assert err < 1e-4
    assert sol.stats["time_steps"] < 130
    for k in (1, 2):  # salt conserved
        m = sol.salt_amount(f"polymer {k}")
        assert np.max(np.abs(m / m[0] - 1)) < 1e-12


@pytest.mark.parametrize("model", ["li-uvea-latp-uvea-li", "li-uvea-li"])
def test_agrees_with_bdf2_on_shipped_models(model):
    """Galvanostatic, rest, potentiostatic (Butler-Volmer, double layers, electronic leakage) and
    a voltage limit: SDIRK4 and BDF2 at rtol 1e-8 agree to the global error of BDF2 there
    (measured: 1e-6 relative and below); SDIRK4 at rtol 1e-5 stays within 2e-5 of them
    (measured 5e-6) with far fewer steps than BDF2 at 1e-8."""
    stack = load_model(model)
    proto = ("Plate at 0.1 mA/cm2 for 10 min; Rest for 5 min; Hold at 20 mV for 10 min; "
             "Strip at 0.05 mA/cm2 until -30 mV")
    sols = {}
    for m, rtol in (("bdf2", 1e-8), ("sdirk4", 1e-8), ("sdirk4", 1e-5)):
        opt = SolverOptions(n_cells=24, method=m, rtol=rtol, atol=1e-2 * rtol,
                            voltage_atol=1e-10 if rtol < 1e-6 else 1e-7)
        sols[m, rtol] = simulate(stack, proto, options=opt, output_dt=15.0)
    ref = sols["bdf2", 1e-8]
    for key, tol in ((("sdirk4", 1e-8)), 3e-6), ((("sdirk4", 1e-5)), 2e-5):
        sol = sols[key]
        assert [e.kind for e in sol.events] == [e.kind for e in ref.events] == ["voltage_limit"]
        assert sol.events[0].time_s == pytest.approx(ref.events[0].time_s, rel=1e-5)
        n = min(sol.time.size, ref.time.size)
        np.testing.assert_allclose(sol.time[:n], ref.time[:n], rtol=1e-6)  # the last: the limit
        for attr in ("voltage", "current_density"):
            x, y = getattr(sol, attr)[:n], getattr(ref, attr)[:n]
            assert np.max(np.abs(x - y)) < tol * np.max(np.abs(y)), (key, attr)
        for name in ref.layer_names:
            for s in ("left", "right"):
                x, y = sol.face_concentration(name, s)[:n], ref.face_concentration(name, s)[:n]
                assert np.max(np.abs(x / y - 1)) < tol, (key, name, s)
    assert sols["sdirk4", 1e-8].stats["time_steps"] < ref.stats["time_steps"] / 3


def test_depletion_event_located_like_bdf2():
    """Sand's time (physics.md §2.1.3): both integrators stop at the same depletion time."""
    from .stacks import single_layer
    stack = single_layer(L=50e-6, D=1e-12, tp=0.2, c0=1000.0)
    proto = "Plate at 2 mA/cm2 for 2 h"
    t_ev = []
    for m in ("bdf2", "sdirk4"):
        sol = simulate(stack, proto, options=SolverOptions(n_cells=40, method=m, rtol=1e-7, atol=1e-9,
                                                           exact_galvanostatic=False), output_dt=60.0)
        ev = [e for e in sol.events if e.kind == "salt_depletion"]
        assert len(ev) == 1
        t_ev.append(ev[0].time_s)
    assert t_ev[1] == pytest.approx(t_ev[0], rel=1e-5)


def test_bad_method_is_named():
    with pytest.raises(InputError, match="sdirk4"):
        SolverOptions(method="sdirk5")


@pytest.mark.parametrize("ncells", [[4], [5], [6, 6], [7, 7], [9, 6], [64, 64], [48, 48, 48], [5, 8, 5]])
def test_twisted_tridiagonal_solve_vs_thomas(ncells):
    """tri_factor_babe / tri_solve_babe (both ends of every layer toward its middle) solve the
    block-tridiagonal system like the Thomas algorithm, to round-off."""
    rng = np.random.default_rng(len(ncells) * 100 + sum(ncells))
    N = sum(ncells)
    off = np.cumsum([0] + ncells[:-1]).astype(np.int64)
    ncell = np.array(ncells, dtype=np.int64)
    lower, upper = -rng.uniform(0.1, 1.0, N), -rng.uniform(0.1, 1.0, N)
    for a, n in zip(off, ncells):
        lower[a], upper[a + n - 1] = 0.0, 0.0
    diag = 2.2 + rng.uniform(0.0, 1.0, N)
    rhs = rng.normal(size=N)
    ref = K.thomas(lower, diag, upper, rhs, np.empty(N))
    cp, inv, lw, out = np.empty(N), np.empty(N), np.empty(N), np.empty(N)
    K.tri_factor_babe(lower, diag, upper, cp, inv, lw, off, ncell)
    K.tri_solve_babe(rhs, lower, upper, lw, cp, inv, off, ncell, out)
    np.testing.assert_allclose(out, ref, rtol=1e-13, atol=1e-14)
