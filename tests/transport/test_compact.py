"""The fourth-order compact finite volumes of the polymer layers (``SolverOptions(spatial_order=4)``,
:func:`cellsim.transport._kernels.compact_mass`, :func:`cellsim.transport._kernels.face_value4`):
the mass matrix and the face formula against closed forms, the truncation error of the scheme on
exact cell averages, the kernel against a SciPy integration of the same semi-discrete system,
fourth-order convergence to the exact series (physics.md §2.1.3), salt conservation, the general
path (kinetics, double layers, leakage, a potentiostatic step) and the option's checks."""

import numpy as np
import pytest

from cellsim.errors import InputError
from cellsim.models import load_model
from cellsim.transport import SolverOptions, simulate
from cellsim.transport import _kernels as K

from .stacks import exact_cell_averages, exact_face, single_layer

F = 96485.33212


def _layers(*ns, L=20e-6):
    """Uniform widths of layers of ``ns`` cells (each L thick), with off and ncell."""
    vol = np.concatenate([np.full(n, L / n) for n in ns])
    off = np.cumsum([0] + list(ns[:-1])).astype(np.int64)
    return vol, off, np.array(ns, dtype=np.int64)


def test_mass_matrix_is_the_numerov_matrix_and_conserves():
    """Order 4: h (1, 10, 1)/12 inside, h (11, 1)/12 in the face rows, no coupling between layers,
    every column summing to its cell's width (salt conservation); order 2: diag(vol)."""
    vol, off, ncell = _layers(5, 6)
    ml, md, mu = np.empty(11), np.empty(11), np.empty(11)
    K.compact_mass(vol, off, ncell, 4, ml, md, mu)
    M = np.diag(md) + np.diag(ml[1:], -1) + np.diag(mu[:-1], 1)
    for a, n in zip(off, ncell):
        h = vol[a]
        ref = (np.diag(np.full(n, 10.0)) + np.diag(np.ones(n - 1), 1) + np.diag(np.ones(n - 1), -1)) * h / 12
        ref[0, 0] = ref[-1, -1] = 11 * h / 12
        np.testing.assert_allclose(M[a:a + n, a:a + n], ref, rtol=1e-15, atol=0)
    assert ml[off[1]] == 0.0 and mu[off[1] - 1] == 0.0  # layers uncoupled
    np.testing.assert_allclose(M.sum(axis=0), vol, rtol=1e-15)
    K.compact_mass(vol, off, ncell, 2, ml, md, mu)
    assert np.all(ml == 0) and np.all(mu == 0) and np.array_equal(md, vol)
    x = np.linspace(1.0, 2.0, 11)
    out = np.empty(11)
    K.compact_mass(vol, off, ncell, 4, ml, md, mu)
    K.mass_apply(ml, md, mu, x, off, ncell, out)
    np.testing.assert_allclose(out, M @ x, rtol=1e-15)


def test_face_value4_is_exact_for_cubics_and_fourth_order():
    """The face value from three cell averages and the face gradient: exact (to round-off) for
    any cubic; for a smooth non-polynomial profile the error falls as h^4."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b, d, e = rng.normal(size=4)
        h = 10 ** rng.uniform(-7, -5)
        P = lambda y: a * y + b * y ** 2 / 2 + d * y ** 3 / 3 + e * y ** 4 / 4  # noqa: E731 (antiderivative)
        avg = [(P((k + 1) * h) - P(k * h)) / h for k in range(3)]
        slope = b
        c0 = 1000.0
        got = K.face_value4(c0 + avg[0], c0 + avg[1], c0 + avg[2], h, slope)
        assert got == pytest.approx(c0 + a, rel=1e-13, abs=1e-13 * abs(a))
    errs = []
    for h in (1e-6, 5e-7, 2.5e-7):
        k = 1.0 / 4e-6
        avg = [(np.sin(k * (j + 1) * h) - np.sin(k * j * h)) / (k * h) for j in range(3)]   # u = cos(k y)
        errs.append(abs(K.face_value4(*avg, h, 0.0) - 1.0))
    order = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(order - 4.0) < 0.1), order


def test_truncation_error_on_exact_cell_averages():
    """``M w - A cbar - b`` on the exact averages of u = cos(kx + 0.3) and w = D avg(u''): per unit
    width O(h^4) in the interior rows and O(h^3) in the two face rows (measured orders 3.9-4.0 and
    3.2-3.4 at 8-64 cells), so that the scheme is fourth order overall."""
    L, D = 20e-6, 1e-12
    k, ph = 3.0 / L, 0.3
    U = lambda x: np.sin(k * x + ph) / k   # noqa: E731 (antiderivative of u)
    du = lambda x: -k * np.sin(k * x + ph)  # noqa: E731
    inner, face = [], []
    for n in (8, 16, 32, 64):
        h = L / n
        e = np.linspace(0.0, L, n + 1)
        vol, off, ncell = _layers(n, L=L)
        cbar = (U(e[1:]) - U(e[:-1])) / h
        w = D * (du(e[1:]) - du(e[:-1])) / h
        ml, md, mu, Mw, Ac = (np.empty(n) for _ in range(5))
        K.compact_mass(vol, off, ncell, 4, ml, md, mu)
        K.mass_apply(ml, md, mu, w, off, ncell, Mw)
        klo, khi = np.zeros(n), np.zeros(n)
        klo[1:], khi[:-1] = D / h, D / h
        K.diffusion_flux_apply(cbar, off, ncell, klo, khi, Ac)
        src = np.zeros(n)
        src[0], src[-1] = -D * du(0.0), D * du(L)   # the face fluxes into the layer
        r = (Mw - Ac - src) / h
        inner.append(np.max(np.abs(r[1:-1])))
        face.append(max(abs(r[0]), abs(r[-1])))
    o_in = np.log2(np.array(inner[:-1]) / np.array(inner[1:]))
    o_face = np.log2(np.array(face[:-1]) / np.array(face[1:]))
    assert np.all(np.abs(o_in - 4.0) < 0.15), o_in
    assert np.all((o_face > 2.9) & (o_face < 3.5)), o_face


def test_kernel_integrates_the_documented_system():
    """The SDIRK4 kernel with spatial_order 4 against SciPy's Radau on ``M dc/dt = A c + b J``
    built from the documented matrices (one layer, 12 cells, fixed current): cell averages agree
    to the time tolerances (rtol 1e-11 and 1e-12: within 1e-10 relative, measured 7e-13), and the
    faces are face_value4 of them (measured 1e-12)."""
    from scipy.integrate import solve_ivp

    L, D, tp, c0, J = 50e-6, 1e-12, 0.2, 1000.0, 1.0
    n = 12
    h = L / n
    stack = single_layer(L=L, D=D, tp=tp, c0=c0)
    t_out = np.array([30.0, 300.0, 1500.0])
    opt = SolverOptions(n_cells=n, grid_stretch=1.0, method="sdirk4", spatial_order=4, rtol=1e-11, atol=1e-13,
                        exact_galvanostatic=False)
    sol = simulate(stack, "Plate at 0.1 mA/cm2 for 25 min", options=opt, output_times=t_out)
    M = (np.diag(np.full(n, 10.0)) + np.diag(np.ones(n - 1), 1) + np.diag(np.ones(n - 1), -1)) * h / 12
    M[0, 0] = M[-1, -1] = 11 * h / 12
    A = (np.diag(np.full(n, -2.0)) + np.diag(np.ones(n - 1), 1) + np.diag(np.ones(n - 1), -1)) * D / h
    A[0, 0] = A[-1, -1] = -D / h
    b = np.zeros(n)
    b[0], b[-1] = (1 - tp) / F * J, -(1 - tp) / F * J
    Minv = np.linalg.inv(M)
    ref = solve_ivp(lambda t, c: Minv @ (A @ c + b), (0.0, t_out[-1]), np.full(n, c0), method="Radau",
                    t_eval=t_out, rtol=1e-12, atol=1e-10, jac=Minv @ A)
    m = np.isin(sol.time, t_out)
    C = sol.concentration("P")[m]
    np.testing.assert_allclose(C, ref.y.T, rtol=1e-10)
    g = (1 - tp) / F * J / D   # the face gradient into the layer: -g at the left face, +g at the right one
    left = [K.face_value4(c[0], c[1], c[2], h, -g) for c in ref.y.T]
    right = [K.face_value4(c[-1], c[-2], c[-3], h, g) for c in ref.y.T]
    np.testing.assert_allclose(sol.face_concentration("P", "left")[m], left, rtol=1e-10)
    np.testing.assert_allclose(sol.face_concentration("P", "right")[m], right, rtol=1e-10)


def _errors(order, cells, stretch=1.0):
    """Max relative error of the depleting face and of all cell averages against the exact series
    (50 um, 0.1 mA/cm2, t = 60 s to 40 min), SDIRK4 at rtol 1e-10 (time error far below)."""
    L, D, tp, c0, J = 50e-6, 1e-12, 0.2, 1000.0, 1.0
    q = (1 - tp) * J / F
    stack = single_layer(L=L, D=D, tp=tp, c0=c0)
    t = np.array([60.0, 300.0, 1200.0, 2400.0])
    out = []
    for n in cells:
        opt = SolverOptions(n_cells=n, grid_stretch=stretch, rtol=1e-10, atol=1e-12, exact_galvanostatic=False,
                            method="sdirk4", spatial_order=order)
        sol = simulate(stack, "Plate at 0.1 mA/cm2 for 40 min", options=opt, output_times=t)
        m = np.isin(sol.time, t)
        e_face = np.max(np.abs(sol.face_concentration("P", "right")[m] / exact_face(t, c0, q, L, D) - 1))
        edges = np.concatenate([[0.0], np.cumsum(sol.cell_widths("P"))])
        C = sol.concentration("P")[m]
        e_avg = max(np.max(np.abs(C[i] / exact_cell_averages(t[i], edges, c0, q, L, D) - 1)) for i in range(t.size))
        m_salt = sol.salt_amount("P")
        assert np.max(np.abs(m_salt / m_salt[0] - 1)) < 1e-13   # salt conserved to round-off
        out.append((e_face, e_avg))
    return np.array(out)


def test_fourth_order_convergence_to_the_exact_series():
    """Doubling the cells divides the face and cell-average errors by 2^4 (measured orders
    3.86, 3.99 from 16 to 32 cells); the second-order scheme on the same grids by 2^2 (1.94)."""
    e4 = _errors(4, (16, 32, 64))
    order4 = np.log2(e4[:-1] / e4[1:])
    assert np.all((order4 > 3.7) & (order4 < 4.3)), order4
    e2 = _errors(2, (16, 32))
    order2 = np.log2(e2[0] / e2[1])
    assert np.all((order2 > 1.8) & (order2 < 2.2)), order2
    assert e4[0, 0] < e2[1, 0] / 4   # 16 compact cells beat 32 second-order ones by 4x at the face


def test_matched_accuracy_of_the_transport_benchmark_with_16_cells():
    """The transport benchmark's problem (physics.md §2.1.3 series, 1 mA/cm2 for 1 h): 16 uniform
    compact cells per layer put every face within 1e-4 of the exact series at every output
    t > 0 (spatial error 6.6e-5 at rtol 1e-7); the second-order scheme needs 48-64 stretched
    cells for that (tests/transport/test_sdirk4.py)."""
    from cellsim.transport.pybamm_reference import DEFAULT_PARAMS, exact_face_concentration, stack_from_params
    p = dict(DEFAULT_PARAMS)
    stack = stack_from_params(p)
    t = np.arange(0.0, 3600.0 + 5.0, 10.0)
    args = (p["salt_concentration"], p["salt_diffusivity"], p["transference_number"], p["polymer_thickness"], 10.0)
    ex = {s: exact_face_concentration(t, *args, s) for s in ("left", "right")}
    errs = []
    for n in (12, 16):
        opt = SolverOptions(n_cells=n, grid_stretch=1.0, rtol=1e-7, atol=1e-9, exact_galvanostatic=False,
                            method="sdirk4", spatial_order=4)
        sol = simulate(stack, "Plate at 1 mA/cm2 for 1 h", options=opt, output_dt=10.0)
        errs.append(max(np.max(np.abs(sol.face_concentration(f"polymer {k}", s)[1:] / ex[s][1:] - 1))
                        for k in (1, 2) for s in ("left", "right")))
    assert errs[1] < 1e-4 < errs[0]


def test_general_path_kinetics_double_layers_leakage_potentiostatic():
    """A shipped model with Butler-Volmer interfaces, double layers and electronic leakage under
    plating, rest, a potentiostatic hold and a galvanostatic step to a voltage limit: 12 compact
    cells per layer agree with a 192-cell second-order reference better than 24 second-order
    cells do (measured: faces 2.9e-5 vs 8.6e-5, voltage 1.3e-5 vs 4.0e-5 of its range, the limit
    time 0.013 s vs 0.15 s off); salt conserved in both polymer layers."""
    stack = load_model("li-uvea-latp-uvea-li")
    proto = ("Plate at 0.5 mA/cm2 for 10 min; Rest for 5 min; Hold at 60 mV for 10 min; "
             "Strip at 0.3 mA/cm2 until -172 mV")
    runs = {}
    for key, n, order in (("ref", 192, 2), ("c4", 12, 4), ("fv2", 24, 2)):
        opt = SolverOptions(n_cells=n, grid_stretch=1.0, method="sdirk4", spatial_order=order, rtol=1e-9,
                            atol=1e-11, voltage_atol=1e-10, exact_galvanostatic=False)
        runs[key] = simulate(stack, proto, options=opt, output_dt=30.0)
    ref = runs["ref"]
    assert [e.kind for e in ref.events] == ["voltage_limit"] and ref.events[0].time_s > 1560.0
    errs = {}
    for key in ("c4", "fv2"):
        sol = runs[key]
        assert [e.kind for e in sol.events] == ["voltage_limit"]
        n = min(sol.time.size, ref.time.size) - 1   # (the last point: the limit)
        e = max(np.max(np.abs(sol.face_concentration(l, s)[:n] / ref.face_concentration(l, s)[:n] - 1))
                for l in ref.layer_names for s in ("left", "right"))
        ev = np.max(np.abs(sol.voltage[:n] - ref.voltage[:n])) / np.max(np.abs(ref.voltage))
        errs[key] = (e, ev, abs(sol.events[0].time_s - ref.events[0].time_s))
        for l in ref.layer_names:
            m = sol.salt_amount(l)
            assert np.max(np.abs(m / m[0] - 1)) < 1e-12
    assert errs["c4"][0] < errs["fv2"][0] / 2, errs
    assert errs["c4"][1] < errs["fv2"][1] / 2 and errs["c4"][1] < 1e-4, errs
    assert errs["c4"][2] < errs["fv2"][2] / 2, errs


def test_option_checks_name_the_field():
    with pytest.raises(InputError, match="spatial_order"):
        SolverOptions(spatial_order=3)
    with pytest.raises(InputError, match="spatial_order"):
        SolverOptions(spatial_order=True)
    with pytest.raises(InputError, match="spatial_order"):
        SolverOptions(spatial_order=4.0, method="sdirk4", grid_stretch=1.0)
    with pytest.raises(InputError, match="options.method.*sdirk4"):
        SolverOptions(spatial_order=4, grid_stretch=1.0)   # method bdf2 (the default)
    with pytest.raises(InputError, match="options.grid_stretch.*uniform"):
        SolverOptions(spatial_order=4, method="sdirk4")    # grid_stretch 10 (the default)
    SolverOptions(spatial_order=4, method="sdirk4", grid_stretch=1.0)


def test_exact_steps_on_the_compact_eigenmodes():
    """Galvanostatic steps integrated exactly on the eigenmodes of the compact pencil agree with
    SDIRK4 on the same scheme at rtol 1e-10 (faces, profiles, voltage within 1e-9; measured
    4e-11), conserve salt to round-off, and meet the exact series as the time-stepped run does;
    a potentiostatic hold (time-stepped) handing its state to an exact step (projection
    ``z = (M Phi)^T c``) gives the same answer as time-stepping throughout."""
    from cellsim.transport.pybamm_reference import DEFAULT_PARAMS, exact_face_concentration, stack_from_params
    p = dict(DEFAULT_PARAMS)
    stack = stack_from_params(p)
    t = np.arange(0.0, 3600.0 + 5.0, 10.0)
    args = (p["salt_concentration"], p["salt_diffusivity"], p["transference_number"], p["polymer_thickness"], 10.0)
    ex = {s: exact_face_concentration(t, *args, s) for s in ("left", "right")}
    sols = {}
    for exact in (True, False):
        opt = SolverOptions(n_cells=16, grid_stretch=1.0, method="sdirk4", spatial_order=4, rtol=1e-10, atol=1e-12,
                            exact_galvanostatic=exact)
        sols[exact] = simulate(stack, "Plate at 1 mA/cm2 for 1 h", options=opt, output_dt=10.0)
    a, b = sols[True], sols[False]
    assert a.stats["time_steps"] == 1 and b.stats["time_steps"] > 100
    for name in a.layer_names:
        for s in ("left", "right"):
            np.testing.assert_allclose(a.face_concentration(name, s), b.face_concentration(name, s), rtol=1e-9)
        np.testing.assert_allclose(a.concentration(name), b.concentration(name), rtol=1e-9)
        m = a.salt_amount(name)
        assert np.max(np.abs(m / m[0] - 1)) < 1e-13
    np.testing.assert_allclose(a.voltage, b.voltage, rtol=1e-9)
    err = max(np.max(np.abs(a.face_concentration(f"polymer {k}", s)[1:] / ex[s][1:] - 1))
              for k in (1, 2) for s in ("left", "right"))
    assert err < 1e-4
    np.testing.assert_allclose(a.final_state[0], b.final_state[0], rtol=1e-9)
    # a time-stepped hold hands its cell averages to an exact step
    proto = "Hold at 20 mV for 5 min; Plate at 0.2 mA/cm2 for 20 min; Rest for 10 min"
    runs = {}
    for exact in (True, False):
        opt = SolverOptions(n_cells=16, grid_stretch=1.0, method="sdirk4", spatial_order=4, rtol=1e-10, atol=1e-12,
                            exact_galvanostatic=exact)
        runs[exact] = simulate(single_layer(), proto, options=opt, output_dt=60.0)
    assert runs[True].stats["time_steps"] < runs[False].stats["time_steps"] / 2
    for s in ("left", "right"):
        np.testing.assert_allclose(runs[True].face_concentration("P", s), runs[False].face_concentration("P", s),
                                   rtol=1e-9)
    np.testing.assert_allclose(runs[True].voltage, runs[False].voltage, rtol=1e-8, atol=1e-12)
