"""The PyBaMM reference model of the three-layer cell (cellsim.transport.pybamm_reference).

First the reference itself is verified against closed forms (physics.md §2.1.3 exact
series, the steady linear profile, the Sand-type semi-infinite solution for the series),
then cellsim's own solver is compared with it (issue 5: voltage and face concentrations
within 1e-3 relative).
"""

import math

import numpy as np
import pytest

pytest.importorskip("pybamm")

from cellsim.constants import F, R
from cellsim.errors import InputError, SolverError
from cellsim.transport.pybamm_reference import (DEFAULT_PARAMS, FACE_KEYS, INTERFACE_NAMES, build_reference,
                                                exact_face_concentration, face_refined_edges,
                                                solve_built, solve_reference)

J = 10.0          # 1 mA/cm2 [A/m2]
L = 20e-6
D = 1e-12
TP = 0.2
C0 = 1000.0


def _exact_faces(t, L1=L, L2=L, D1=D, D2=D, j=J):
    """Exact (left, right) face concentrations of both layers, in FACE_KEYS order."""
    return (exact_face_concentration(t, C0, D1, TP, L1, j, "left"),
            exact_face_concentration(t, C0, D1, TP, L1, j, "right"),
            exact_face_concentration(t, C0, D2, TP, L2, j, "left"),
            exact_face_concentration(t, C0, D2, TP, L2, j, "right"))


def _max_face_error(out, **kw):
    t = out["time_s"]
    ex = _exact_faces(t, **kw)
    keep = t >= 10.0
    return max(float(np.max(np.abs(out[k][keep] / e[keep] - 1.0))) for k, e in zip(FACE_KEYS, ex))


# --- the exact series itself ---------------------------------------------------------------

def test_exact_series_limits():
    q = (1 - TP) * J / F
    # t = 0: c0 at both faces; long times: the steady linear profile c0 -/+ qL/(2D)
    assert exact_face_concentration(0.0, C0, D, TP, L, J)[0] == C0
    late = exact_face_concentration(np.array([50 * L**2 / D]), C0, D, TP, L, J, "right")[0]
    assert late == pytest.approx(C0 - q * L / (2 * D), rel=1e-13)
    # short times: the semi-infinite (Sand) solution c0 - 2 q sqrt(t/(pi D)); the image of
    # the far face is ~exp(-L^2/(D t)) <= exp(-100) here
    t = np.array([1e-4, 1e-3, 3e-3, 1e-2]) * L**2 / D
    semi = C0 - 2 * q * np.sqrt(t / (math.pi * D))
    np.testing.assert_allclose(exact_face_concentration(t, C0, D, TP, L, J, "right"), semi, rtol=1e-12)
    np.testing.assert_allclose(exact_face_concentration(t, C0, D, TP, L, J, "left"), 2 * C0 - semi, rtol=1e-12)


def test_face_refined_edges():
    e = face_refined_edges(L, 40, 0.5)
    w = np.diff(e)
    assert e[0] == 0.0 and e[-1] == L and np.all(w > 0)
    np.testing.assert_allclose(w, w[::-1], rtol=1e-9)               # symmetric
    assert w.max() / w.min() == pytest.approx(math.cosh(0.5) ** 2, rel=0.02)
    np.testing.assert_allclose(face_refined_edges(L, 8, 0.0), np.linspace(0, L, 9), rtol=0, atol=1e-20)


# --- the PyBaMM model against the exact series --------------------------------------------

def test_face_concentrations_match_exact_series_at_several_times():
    out = solve_reference(DEFAULT_PARAMS, J, t_end=3600.0, dt_out=10.0, n_points_per_layer=48)
    t = out["time_s"]
    assert t[0] == 0.0 and t[-1] == 3600.0 and np.allclose(np.diff(t), 10.0)
    ex = _exact_faces(t)
    for k, e in zip(FACE_KEYS, ex):
        for when in (10.0, 30.0, 100.0, 400.0, 3600.0):
            i = int(np.argmin(np.abs(t - when)))
            assert out[k][i] == pytest.approx(e[i], rel=1.5e-4), (k, when)
    assert _max_face_error(out) < 1.5e-4
    # the depleting faces are on the right of each layer for J > 0
    assert out["c_polymer_1_right_mol_m3"][-1] < C0 < out["c_polymer_1_left_mol_m3"][-1]


@pytest.mark.slow
def test_face_concentration_error_is_second_order_in_space():
    errs = []
    for n in (12, 24, 48):
        ref = build_reference(DEFAULT_PARAMS, n_points_per_layer=n)
        errs.append(_max_face_error(solve_built(ref, J, 3600.0, 10.0, rtol=1e-10, atol=1e-10)))
    orders = [math.log2(a / b) for a, b in zip(errs, errs[1:])]
    assert all(1.8 < p < 2.2 for p in orders), (errs, orders)


def test_unequal_layers_and_diffusivities():
    params = dict(DEFAULT_PARAMS, polymer_thickness=(15e-6, 30e-6), salt_diffusivity=(1e-12, 2e-12))
    out = solve_reference(params, J, t_end=1200.0, dt_out=20.0, n_points_per_layer=48)
    assert _max_face_error(out, L1=15e-6, L2=30e-6, D1=1e-12, D2=2e-12) < 1.5e-4


def test_depletion_is_an_error_not_nan():
    # 30 um at D = 1e-12: J_lim = 8 A/m2 < J, the right face of polymer 2 runs out of salt
    params = dict(DEFAULT_PARAMS, polymer_thickness=(20e-6, 30e-6))
    with pytest.raises(SolverError, match="polymer 2"):
        solve_reference(params, J, t_end=1200.0, dt_out=20.0, n_points_per_layer=16)


def test_steady_voltage_closed_form_and_parts():
    r = (1e-4, 2e-4, 3e-4, 4e-4)   # interface ASRs [ohm m2]
    i0 = (5.0, math.inf, math.inf, 2.0)   # Butler-Volmer at the Li faces [A/m2]
    params = dict(DEFAULT_PARAMS, interface_resistances=r, exchange_current_densities=i0, temperature=330.0)
    out = solve_reference(params, J, t_end=20 * L**2 / D, dt_out=400.0, n_points_per_layer=16)
    q = (1 - TP) * J / F
    hi, lo = C0 + q * L / (2 * D), C0 - q * L / (2 * D)
    eta_c = 2 * R * 330.0 / F * (1 - TP) * math.log(hi / lo)
    # alpha = 0.5: eta = (2RT/F) asinh(J / (2 i0 (c/c0)^0.5)), Li|P1 sees the accumulating
    # face (hi) of polymer 1, P2|Li the depleting face (lo) of polymer 2
    bv_left = 2 * R * 330.0 / F * math.asinh(J / (2 * 5.0 * math.sqrt(hi / C0)))
    bv_right = 2 * R * 330.0 / F * math.asinh(J / (2 * 2.0 * math.sqrt(lo / C0)))
    assert out["part_interface_Li_polymer_1_V"][-1] == pytest.approx(J * r[0] + bv_left, rel=1e-9)
    assert out["part_interface_polymer_2_Li_V"][-1] == pytest.approx(J * r[3] + bv_right, rel=1e-9)
    v_ss = J * (2 * L / 1e-2 + 1040e-6 / 0.06 + sum(r)) + 2 * eta_c + bv_left + bv_right
    assert out["voltage_V"][-1] == pytest.approx(v_ss, rel=1e-9)
    assert out["c_polymer_2_right_mol_m3"][-1] == pytest.approx(lo, rel=1e-9)
    assert out["part_concentration_polymer_1_V"][-1] == pytest.approx(eta_c, rel=1e-9)
    assert out["part_ohmic_ceramic_V"][0] == pytest.approx(J * 1040e-6 / 0.06, rel=1e-14)
    parts = sum(v for k, v in out.items() if k.startswith("part_"))
    np.testing.assert_allclose(parts, out["voltage_V"], rtol=1e-13)


def test_sign_convention_and_mass_conservation():
    ref = build_reference(DEFAULT_PARAMS, n_points_per_layer=20)
    plus = solve_built(ref, J, 600.0, 60.0, profiles=True)
    minus = solve_built(ref, -J, 600.0, 60.0, profiles=True)
    assert np.all(plus["voltage_V"] > 0)
    np.testing.assert_allclose(minus["voltage_V"], -plus["voltage_V"], rtol=1e-7)
    # J < 0 mirrors each layer: left and right faces swap
    np.testing.assert_allclose(minus["c_polymer_1_left_mol_m3"], plus["c_polymer_1_right_mol_m3"], rtol=1e-7)
    w = np.diff(face_refined_edges(L, 20))
    for k in (1, 2):
        mean = plus[f"c_polymer_{k}_mol_m3"] @ w / L
        np.testing.assert_allclose(mean, C0, rtol=1e-10)


def test_concentration_dependent_conductivity():
    """kappa(c) = k0 c / c0: the steady ohmic drop of a linear profile is closed-form."""
    k0 = 1e-2
    params = dict(DEFAULT_PARAMS, ionic_conductivity=lambda c: k0 * c / C0)
    out = solve_reference(params, J, t_end=20 * L**2 / D, dt_out=800.0, n_points_per_layer=64, mesh="uniform")
    q = (1 - TP) * J / F
    hi, lo = C0 + q * L / (2 * D), C0 - q * L / (2 * D)
    # int_0^L J / (k0 c(x)/c0) dx with c linear from hi to lo
    ohm = J * C0 / k0 * L * math.log(hi / lo) / (hi - lo)
    # PyBaMM integrates J/kappa(c) by the midpoint rule over the cells; the discrete steady
    # profile is exactly linear at the cell centres, so that sum is known exactly ...
    e = np.linspace(0.0, L, 65)
    xc = 0.5 * (e[1:] + e[:-1])
    midpoint = np.sum(np.diff(e) * J / (k0 * (hi + (lo - hi) * xc / L) / C0))
    assert out["part_ohmic_polymer_1_V"][-1] == pytest.approx(midpoint, rel=1e-8)
    # ... and differs from the integral by the midpoint-rule error -h^2/24 [f'(L) - f'(0)]
    # (f = J c0 / (k0 c), uniform cells): a few 1e-4 relative here
    h = L / 64
    slope = (lo - hi) / L
    est = -h**2 / 24 * J * C0 / k0 * (-slope / lo**2 + slope / hi**2)
    assert (midpoint - ohm) / est == pytest.approx(1.0, abs=0.05)
    const = solve_reference(dict(DEFAULT_PARAMS, ionic_conductivity=lambda c: 0 * c + k0), J,
                            t_end=800.0, dt_out=800.0, n_points_per_layer=16)
    assert const["part_ohmic_polymer_1_V"][-1] == pytest.approx(J * L / k0, rel=1e-12)


def test_solved_with_idaklu():
    import pybamm

    ref = build_reference(DEFAULT_PARAMS, n_points_per_layer=10)
    solve_built(ref, J, 100.0, 10.0)
    assert any(isinstance(s, pybamm.IDAKLUSolver) for s in ref.solvers.values())


@pytest.mark.parametrize("bad", [{"polymer_thickness": -1e-6}, {"transference_number": 1.0},
                                 {"interface_resistances": (0, 0, 0)}, {"salt_diffusivity": (1e-12, 0.0)},
                                 {"interface_resistances": "none"}, {"exchange_current_densities": (1, 1, 1, 0)},
                                 {"no_such_key": 1.0}])
def test_bad_parameters_are_input_errors(bad):
    with pytest.raises(InputError):
        build_reference(dict(DEFAULT_PARAMS, **bad) if "no_such_key" not in bad else bad, n_points_per_layer=8)


# --- cellsim's transport solver against the PyBaMM reference (issue 5) ---------------------

def _compare(params, current_density, protocol, t_end, dt_out, n_pybamm=48, options=None):
    transport = pytest.importorskip("cellsim.transport")
    from cellsim.transport.pybamm_reference import stack_from_params

    ref = solve_reference(params, current_density, t_end=t_end, dt_out=dt_out, n_points_per_layer=n_pybamm)
    stack = stack_from_params(params)
    opts = options or transport.SolverOptions(n_cells=48, grid_stretch=1.5, rtol=1e-6, atol=1e-8)
    sol = transport.simulate(stack, protocol, options=opts, output_dt=dt_out)
    np.testing.assert_allclose(sol.time, ref["time_s"], rtol=0, atol=1e-9)
    # t = 0 is the rest state before the step in cellsim (J = 0) and the first instant of the
    # step in PyBaMM (J applied): compare from the first output time on
    k = slice(1, None)
    np.testing.assert_allclose(sol.current_density[k], current_density, rtol=1e-12)
    worst = {"voltage": float(np.max(np.abs(sol.voltage[k] / ref["voltage_V"][k] - 1)))}
    for key in FACE_KEYS:
        _, _, n, side, _, _ = key.split("_")
        c = sol.face_concentration(f"polymer {n}", side)
        worst[key] = float(np.max(np.abs(c[k] / ref[key][k] - 1)))
    for name, pb in (("ohmic polymer 1", "part_ohmic_polymer_1_V"), ("ohmic ceramic", "part_ohmic_ceramic_V"),
                     ("concentration polymer 1", "part_concentration_polymer_1_V"),
                     ("concentration polymer 2", "part_concentration_polymer_2_V")):
        worst[name] = float(np.max(np.abs(sol.voltage_parts[name][k] / ref[pb][k] - 1)))
    for name in INTERFACE_NAMES:
        pb = ref["part_interface_" + name.replace(" ", "_").replace("|", "_") + "_V"]
        cs = sol.voltage_parts[f"interface {name}"]
        if np.any(pb != 0):
            worst[f"interface {name}"] = float(np.max(np.abs(cs[k] / pb[k] - 1)))
        else:
            assert np.all(cs == 0), name
    return worst


def test_cellsim_matches_pybamm_on_the_benchmark_cell():
    """SPEC §5 cell, 1 mA/cm2 for 1 h, output every 10 s, ideal interfaces."""
    worst = _compare(DEFAULT_PARAMS, J, "Plate at 1 mA/cm2 for 1 h", 3600.0, 10.0)
    assert max(worst.values()) < 1e-3, worst


def test_cellsim_matches_pybamm_with_kinetics_unequal_layers_and_stripping():
    """Butler-Volmer Li faces (i0 ~ c^0.5), linear polymer|ceramic ASRs, unequal layers, 333 K, J < 0."""
    params = dict(DEFAULT_PARAMS, polymer_thickness=(15e-6, 25e-6), salt_diffusivity=(1.5e-12, 1e-12),
                  transference_number=(0.2, 0.35), thermodynamic_factor=(1.0, 1.4), temperature=333.0,
                  interface_resistances=(0.0, 2e-3, 5e-4, 0.0),
                  exchange_current_densities=(5.0, math.inf, math.inf, 2.0))
    worst = _compare(params, -8.0, "Strip at 0.8 mA/cm2 for 30 min", 1800.0, 20.0)
    assert max(worst.values()) < 1e-3, worst


def test_stack_from_params_round_trip():
    from cellsim.transport.pybamm_reference import params_from_stack, stack_from_params

    params = dict(DEFAULT_PARAMS, polymer_thickness=(15e-6, 25e-6), transference_number=(0.2, 0.35),
                  interface_resistances=(0.0, 2e-3, 0.0, 1e-4), exchange_current_densities=(5.0, math.inf, math.inf, 2.0))
    stack = stack_from_params(params)
    assert [i.kind for i in stack.interfaces] == ["charge_transfer", "ion_transfer", "ideal", "charge_transfer"]
    back = params_from_stack(stack)
    for key, value in params.items():
        want = tuple(value) if isinstance(value, (tuple, list)) else value
        got = back[key]
        if isinstance(got, tuple) and not isinstance(want, tuple):
            want = (want, want)
        assert got == pytest.approx(want, rel=1e-15), key
