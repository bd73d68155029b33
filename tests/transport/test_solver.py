"""The transport solver against closed forms (physics.md §2.1.3, §2.1.4; SPEC §4)."""

import math

import numpy as np
import pytest

from cellsim.constants import F
from cellsim.errors import InputError
from cellsim.transport import Protocol, SolverOptions, simulate
from cellsim.transport.grid import layer_grid

from .stacks import (benchmark_stack, ceramic, exact_cell_averages, exact_face, ideal, li_bv, polymer,
                     single_layer)
from cellsim.stack import Electrode, Layer, Stack


D, L, C0, TP = 1e-11, 50e-6, 1000.0, 0.4


def _q(J, tp=TP):
    return (1 - tp) * J / F


def test_face_concentration_matches_exact_series_and_error_shrinks():
    """Depleting face vs the exact series at several times; error falls with the grid."""
    J = 10.0  # A/m2, below J_lim = 2 F D c0 / (t- L) = 64 A/m2
    tau = L ** 2 / D
    times = tau * np.array([0.01, 0.05, 0.2, 0.5, 2.0])
    stack = single_layer(L=L, D=D, tp=TP, c0=C0)
    ex = exact_face(times, C0, _q(J), L, D)
    errs = []
    for n in (10, 20, 40, 80):
        sol = simulate(stack, f"Plate at {J} A/m2 for {times[-1]} s",
                       options=SolverOptions(n_cells=n, grid_stretch=4.0, rtol=1e-8, atol=1e-10), output_times=times)
        got = sol.face_concentration("P", "right")[1:]
        assert np.allclose(sol.time[1:], times)
        errs.append(np.max(np.abs(got - ex) / ex))
    errs = np.array(errs)
    assert np.all(np.diff(errs) < 0), errs
    assert errs[-1] < 2e-4, errs  # 80 cells: the relative error measured is ~1e-5..1e-4
    # the left face accumulates symmetrically: c(0) - c0 = c0 - c(L)
    got_left = sol.face_concentration("P", "left")[1:]
    assert np.allclose(got_left - C0, C0 - got, rtol=1e-9)


def test_second_order_convergence_in_space():
    """Cell averages vs exact cell averages at t = 0.05 L^2/D: error ratio ~4 per halving."""
    J = 10.0
    t_end = 0.05 * L ** 2 / D
    errs = []
    for n in (10, 20, 40, 80):
        for stretch in (3.0,):
            stack = single_layer(L=L, D=D, tp=TP, c0=C0)
            sol = simulate(stack, f"Plate at {J} A/m2 for {t_end} s",
                           options=SolverOptions(n_cells=n, grid_stretch=stretch, rtol=1e-10, atol=1e-12),
                           output_times=[t_end])
            w = sol.cell_widths("P")
            edges = np.concatenate([[0.0], np.cumsum(w)])
            exact = exact_cell_averages(t_end, edges, C0, _q(J), L, D)
            errs.append(np.max(np.abs(sol.concentration("P")[-1] - exact)) / C0)
    errs = np.array(errs)
    ratios = errs[:-1] / errs[1:]
    order = np.log2(ratios)
    assert np.all((order > 1.8) & (order < 2.3)), (errs, order)


def test_steady_profile_is_linear_with_slope_q_over_D():
    J = 20.0
    stack = single_layer(L=L, D=D, tp=TP, c0=C0)
    sol = simulate(stack, f"Plate at {J} A/m2 for {20 * L ** 2 / D} s", options=SolverOptions(n_cells=30))
    x = sol.x("P")
    c = sol.concentration("P")[-1]
    expected = C0 + _q(J) / D * (L / 2 - x)
    assert np.allclose(c, expected, rtol=1e-9, atol=0)
    slope = np.polyfit(x, c, 1)[0]
    assert slope == pytest.approx(-_q(J) / D, rel=1e-9)
    # the face extrapolation is exact on a linear profile
    assert sol.face_concentration("P", "right")[-1] == pytest.approx(C0 - _q(J) * L / (2 * D), rel=1e-9)


def test_sand_time_thick_layer_within_one_percent():
    """Semi-infinite regime: t_S = pi D (c0 F)^2 / (4 (J t-)^2) (physics.md §2.1.4)."""
    Lthick, J = 1e-3, 50.0
    t_sand = math.pi * D * (C0 * F) ** 2 / (4 * (J * (1 - TP)) ** 2)
    assert t_sand < 0.01 * Lthick ** 2 / (4 * D)
    stack = single_layer(L=Lthick, D=D, tp=TP, c0=C0)
    sol = simulate(stack, f"Plate at {J} A/m2 for {10 * t_sand} s",
                   options=SolverOptions(n_cells=80, grid_stretch=200.0, depletion_threshold=1e-4))
    ev = [e for e in sol.events if e.kind == "salt_depletion"]
    # one event: the right face depletes (plating side); the left one accumulates
    assert len(ev) == 1 and ev[0].layer == "P" and ev[0].detail.startswith("right face")
    t_event = ev[0].time_s
    assert abs(t_event / t_sand - 1) < 0.01, t_event / t_sand
    assert sol.time[-1] == pytest.approx(t_event)


def test_depletion_only_above_limiting_current():
    j_lim = 2 * F * D * C0 / ((1 - TP) * L)
    stack = single_layer(L=L, D=D, tp=TP, c0=C0)
    long = 10 * L ** 2 / D
    below = simulate(stack, f"Plate at {0.98 * j_lim} A/m2 for {long} s", options=SolverOptions(n_cells=30))
    assert below.events == []
    c_ss = C0 - _q(0.98 * j_lim) * L / (2 * D)
    assert below.face_concentration("P", "right")[-1] == pytest.approx(c_ss, rel=1e-6)
    assert below.time[-1] == pytest.approx(long)
    above = simulate(stack, f"Plate at {1.02 * j_lim} A/m2 for {long} s", options=SolverOptions(n_cells=30))
    kinds = [e.kind for e in above.events]
    assert kinds[0] == "salt_depletion" and above.events[0].layer == "P"
    assert above.time[-1] < long
    assert np.all(np.isfinite(above.voltage))


def test_mass_conserved_over_100_h_of_cycling():
    """Plating/stripping alternating for 100 h: salt per layer conserved to 1e-12 relative."""
    p = polymer(D=1e-12, kappa=1e-2, tp=0.3, c0=1000.0)
    layers = [Layer("P1", p, 20e-6), Layer("C", ceramic(), 200e-6), Layer("P2", p, 30e-6)]
    stack = Stack.build(layers, Electrode("li"), Electrode("li"), 1e-4,
                        interfaces=[li_bv(1e-3, 0.05, "Li|P1"), None, None, li_bv(1e-3, 0.05, "P2|Li")])
    proto = Protocol.parse("Plate at 0.5 mA/cm2 for 1 h; Strip at 0.5 mA/cm2 for 1 h") * 50
    sol = simulate(stack, proto, options=SolverOptions(n_cells=30), output_dt=600.0)
    assert sol.time[-1] == pytest.approx(100 * 3600)
    for name in ("P1", "P2"):
        m = sol.salt_amount(name)
        assert np.max(np.abs(m / m[0] - 1)) < 1e-12
    # the voltage alternates in sign with the current
    plating = sol.step % 2 == 0
    assert np.all(sol.voltage[plating & (sol.step >= 0)] > 0)
    assert np.all(sol.voltage[~plating & (sol.step >= 0)] < 0)


def test_voltage_parts_sum_and_ohmic_values():
    stack = benchmark_stack()
    sol = simulate(stack, "Plate at 1 mA/cm2 for 1 h", output_dt=10.0)
    total = sum(sol.voltage_parts.values())
    assert np.allclose(total, sol.voltage, rtol=1e-14, atol=0)
    assert sol.voltage_parts["ohmic C"][-1] == pytest.approx(10.0 * 1040e-6 / 0.06, rel=1e-12)
    assert sol.voltage_parts["ohmic P1"][-1] == pytest.approx(10.0 * 20e-6 / 1e-2, rel=1e-12)
    # concentration overpotential of P1 from its face values
    cl, cr = sol.face_concentration("P1", "left")[-1], sol.face_concentration("P1", "right")[-1]
    from cellsim.constants import R
    assert sol.voltage_parts["concentration P1"][-1] == pytest.approx(2 * R * stack.T / F * 0.8 * math.log(cl / cr), rel=1e-12)
    assert sol.time.size == 361 and np.allclose(np.diff(sol.time), 10.0)


def test_benchmark_problem_accuracy():
    """SPEC §5 transport problem: surface concentration within 1e-4 relative of the series."""
    stack = benchmark_stack()
    sol = simulate(stack, "Plate at 1 mA/cm2 for 1 h", options=SolverOptions(n_cells=160, grid_stretch=1.0, rtol=1e-6),
                   output_dt=10.0)
    ex = exact_face(sol.time[1:], 1000.0, 0.8 * 10.0 / F, 20e-6, 1e-12)
    for layer, side in (("P1", "right"), ("P2", "left")):
        got = sol.face_concentration(layer, side)[1:]
        target = ex if side == "right" else 2000.0 - ex
        assert np.max(np.abs(got - target) / target) < 1e-4


def test_potentiostatic_steady_current_ideal_interfaces():
    """Hold V on Li|P|Li with ideal interfaces: i_ss = V / (R_b + R_d) for small V (linear)."""
    from cellsim.constants import R
    T = 298.15
    stack = single_layer(L=L, D=D, tp=TP, c0=C0, kappa=0.05, T=T)
    V = 1e-4
    sol = simulate(stack, f"Hold at {V} V for {20 * L ** 2 / D} s", options=SolverOptions(n_cells=30))
    Rb = L / 0.05
    Rd = 2 * R * T * L * (1 - TP) ** 2 / (F ** 2 * D * C0)
    assert sol.ionic_current_density[-1] == pytest.approx(V / (Rb + Rd), rel=1e-3)
    assert np.allclose(sol.voltage[1:], V, rtol=1e-10)


def test_rejects_bad_options_and_output_times():
    with pytest.raises(InputError, match="n_cells"):
        SolverOptions(n_cells=2)
    with pytest.raises(InputError, match="method"):
        SolverOptions(method="rk4")
    stack = single_layer()
    for bad in (-1.0, 0, float("nan"), "10", [1.0]):  # [1.0] is unhashable: still an InputError
        with pytest.raises(InputError, match="output_dt"):
            simulate(stack, "Rest for 1 s", output_dt=bad)
    with pytest.raises(InputError, match="output_times"):
        simulate(stack, "Rest for 1 s", output_times=[2.0, 1.0])


def test_grid_is_symmetric_and_refined():
    w = layer_grid(1.0, 20, 10.0)
    assert w.sum() == pytest.approx(1.0, rel=1e-14)
    assert np.allclose(w, w[::-1])
    assert w[9] / w[0] == pytest.approx(10.0)
    assert np.allclose(layer_grid(2.0, 8, 1.0), 0.25)


def test_double_layer_spike_then_faradaic_current():
    """Hold V: at t = 0+ the double layers short the interfaces (i = V / R_ohm), then decay."""
    from .stacks import li_bv
    rct, C = 2e-3, 0.05
    # D = 1e-9 m2/s: at t << h_face^2/D the extrapolated face value jumps by q h_face/(2D) (the
    # grid cannot resolve a sub-nm diffusion layer); a large D keeps that artefact < 1e-4 of V
    stack = single_layer(L=L, D=1e-9, tp=TP, c0=C0, kappa=0.05,
                         interfaces=[li_bv(rct, C, "Li|P"), li_bv(rct, C, "P|Li")])
    V = 1e-3
    rb = L / 0.05
    # R_b in series with two (R_ct || C): a voltage step sees R_b + (2 R_ct || C/2)
    tau = (C / 2) * (2 * rct * rb) / (2 * rct + rb)
    i_0, i_inf = V / rb, V / (rb + 2 * rct)
    t = np.array([0.01, 0.05, 1.0, 50.0]) * tau
    sol = simulate(stack, f"Hold at {V} V for {50 * tau} s", output_times=t,
                   options=SolverOptions(n_cells=20, rtol=1e-8, voltage_atol=1e-10))
    exact = i_inf + (i_0 - i_inf) * np.exp(-t / tau)
    assert np.allclose(sol.current_density[1:], exact, rtol=2e-3)
    assert sol.current_density[1] > 0.95 * i_0  # the spike


def test_electronic_leakage_adds_to_the_external_current():
    """Mixed conductor: external J = ionic J + V / (R_e A) in galvanostatic and potentiostatic steps."""
    from cellsim.materials import Material, Parameter
    mixed = Material("m", kind="mixed", parameters={"ionic_conductivity": Parameter(0.01, "S/m", "t"),
                                                     "electronic_conductivity": Parameter(1e-3, "S/m", "t")})
    pol = polymer(D=D, kappa=0.05, tp=TP, c0=C0)
    p_el = pol.with_value("electronic_conductivity", 1e-2, "test")
    layers = [Layer("P", p_el, L), Layer("M", mixed, 100e-6)]
    stack = Stack.build(layers, Electrode("li"), Electrode("li"), 1e-4, interfaces=[ideal("a"), ideal("b"), ideal("c")])
    ge = 1.0 / (stack.electronic_resistance() * stack.area)
    sol = simulate(stack, "Plate at 1 A/m2 for 100 s; Hold at 5 mV for 100 s", output_dt=20.0)
    assert np.allclose(sol.current_density, sol.ionic_current_density + ge * sol.voltage, rtol=1e-10, atol=1e-12)
    galv = sol.step == 0
    assert np.allclose(sol.current_density[galv], 1.0, rtol=1e-10)
    assert np.all(sol.ionic_current_density[galv] < 1.0)
    # ohmic part of the ionic path: i_ion (L_P/kappa_P + L_M/sigma_M)
    assert sol.voltage_parts["ohmic M"][-1] == pytest.approx(sol.ionic_current_density[-1] * 100e-6 / 0.01, rel=1e-12)


def test_temperature_enters_through_the_material_laws():
    from cellsim.models import load_model
    cold, warm = load_model("li-uvea-li"), load_model("li-uvea-li").replace(temperature=333.15)
    for stack in (cold, warm):
        sol = simulate(stack, "Plate at 0.01 mA/cm2 for 10 s")
        layer = stack.layers[0]
        assert sol.voltage_parts["ohmic UVEA"][-1] == pytest.approx(
            sol.ionic_current_density[-1] * layer.thickness / layer.ionic_conductivity(stack.temperature), rel=1e-12)
        # UVEA leaks electrons a little (6.65e-9 S/cm): the ionic current is just below 0.1 A/m2
        assert 0.999 * 0.1 < sol.ionic_current_density[-1] < 0.1
    assert warm.layers[0].ionic_conductivity(333.15) > 2 * cold.layers[0].ionic_conductivity(295.15)


def test_exact_modal_steps_agree_with_bdf2():
    """The exact (eigenmode) galvanostatic path and BDF2 at tight tolerance give the same answer."""
    p = polymer(D=1e-11, kappa=0.02, tp=0.3, c0=1000.0)
    layers = [Layer("P1", p, 40e-6), Layer("C", ceramic(), 200e-6), Layer("P2", p, 60e-6)]
    stack = Stack.build(layers, Electrode("li"), Electrode("li"), 1e-4,
                        interfaces=[li_bv(2e-3, None, "Li|P1"), None, None, li_bv(2e-3, None, "P2|Li")])
    proto = "Plate at 1 mA/cm2 for 5 min; Rest for 2 min; Strip at 2 mA/cm2 for 3 min"
    kw = dict(n_cells=20, double_layer=False)
    exact = simulate(stack, proto, options=SolverOptions(**kw), output_dt=20.0)
    bdf = simulate(stack, proto, options=SolverOptions(exact_galvanostatic=False, rtol=1e-9, atol=1e-11, **kw),
                   output_dt=20.0)
    assert exact.stats["time_steps"] == 3 and bdf.stats["time_steps"] > 300
    assert np.allclose(exact.time, bdf.time)
    # measured: 3e-8 V and 3e-7 relative in c, the global error of BDF2 at rtol = 1e-9
    assert np.max(np.abs(exact.voltage - bdf.voltage)) < 1e-7
    for name in ("P1", "P2"):
        assert np.allclose(exact.concentration(name), bdf.concentration(name), rtol=1e-6)
        assert np.allclose(exact.face_concentration(name, "right"), bdf.face_concentration(name, "right"), rtol=1e-6)
        m = exact.salt_amount(name)
        assert np.max(np.abs(m / m[0] - 1)) < 1e-13


@pytest.mark.parametrize("method,order", [("bdf2", 2.0), ("euler", 1.0)])
def test_time_integration_order(method, order):
    """BDF2 is second order in time, implicit Euler first (fixed steps, same grid)."""
    stack = benchmark_stack()
    proto = "Plate at 1 mA/cm2 for 200 s"
    ref = simulate(stack, proto, options=SolverOptions(n_cells=20), output_dt=10.0)  # exact in time
    errs = []
    for h in (2.0, 1.0, 0.5):
        opt = SolverOptions(n_cells=20, exact_galvanostatic=False, method=method, rtol=1e3, atol=1e3,
                            voltage_atol=1e3, max_step=h, initial_step=h / 8)
        sol = simulate(stack, proto, options=opt, output_dt=10.0)
        errs.append(np.max(np.abs(sol.face_concentration("P1", "right") - ref.face_concentration("P1", "right"))))
    measured = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(measured - order) < 0.15), measured


def test_exact_steps_carry_mode_amplitudes_like_separate_runs():
    """A protocol of exact steps in one run (state carried as mode amplitudes) equals the same
    steps run one by one from each final_state (cell averages), to round-off."""
    stack = benchmark_stack()
    opt = SolverOptions(n_cells=24, grid_stretch=1.5)
    steps = ["Plate at 1 mA/cm2 for 10 min", "Rest for 5 min", "Strip at 0.5 mA/cm2 for 10 min"]
    whole = simulate(stack, "; ".join(steps), options=opt, output_dt=60.0)
    state, t0, v_parts, c_last = None, 0.0, [], None
    from cellsim.transport import TransportProblem
    prob = TransportProblem(stack, opt)
    for s in steps:
        part = prob.run(s, output_dt=60.0, state=state)
        v_parts.append(part.voltage[1:])
        state = part.final_state
        c_last = part.concentration("P2")[-1]
    np.testing.assert_allclose(np.concatenate(v_parts), whole.voltage[1:], rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(whole.final_state[0], state[0], rtol=1e-12)
    # the last profile row (rebuilt from the amplitudes) is the final state
    a, b = prob.offsets["P2"]
    np.testing.assert_allclose(whole.concentration("P2")[-1], whole.final_state[0][a:b], rtol=1e-12)
    np.testing.assert_allclose(c_last, state[0][a:b], rtol=1e-12)


def test_a_bdf2_step_after_exact_steps_starts_from_their_state():
    """Plate (exact step) then hold (BDF2): the hold starts from the cells rebuilt from the
    exact step's mode amplitudes, and agrees with BDF2 throughout at tight tolerance."""
    stack = benchmark_stack()
    proto = "Plate at 1 mA/cm2 for 10 min; Hold at 50 mV for 10 min"
    kw = dict(n_cells=24, grid_stretch=1.5, rtol=1e-9, atol=1e-11)
    mixed = simulate(stack, proto, options=SolverOptions(**kw), output_dt=30.0)
    bdf = simulate(stack, proto, options=SolverOptions(exact_galvanostatic=False, **kw), output_dt=30.0)
    hold = mixed.step == 1
    assert mixed.stats["time_steps"] > 10 and hold.sum() == 20
    np.testing.assert_allclose(mixed.time, bdf.time)
    # measured: 4.6e-8 (hold current) and 6.5e-7 (profiles) relative, the global error of BDF2 at rtol = 1e-9
    np.testing.assert_allclose(mixed.current_density[hold], bdf.current_density[hold], rtol=1e-6)
    np.testing.assert_allclose(mixed.concentration("P2"), bdf.concentration("P2"), rtol=1e-6)
    for name in ("P1", "P2"):
        m = mixed.salt_amount(name)
        assert np.max(np.abs(m / m[0] - 1)) < 1e-12


def test_run_rejects_a_state_of_the_wrong_shape():
    from cellsim.transport import TransportProblem
    prob = TransportProblem(benchmark_stack(), SolverOptions(n_cells=8))
    with pytest.raises(InputError, match="state"):
        prob.run("Rest for 1 s", state=(np.ones(3), np.zeros(4)))
    with pytest.raises(InputError, match="state"):
        prob.run("Rest for 1 s", state=5)


def test_protocol_plans_are_cached_per_output_request():
    """Equal requests reuse a plan; another output spacing or other times give their own."""
    from cellsim.transport import TransportProblem
    prob = TransportProblem(benchmark_stack(), SolverOptions(n_cells=8))
    a = prob.run("Plate at 1 mA/cm2 for 100 s", output_dt=10.0)
    b = prob.run(Protocol.parse("Plate at 1 mA/cm2 for 100 s"), output_dt=10.0)
    c = prob.run("Plate at 1 mA/cm2 for 100 s", output_dt=25.0)
    d = prob.run("Plate at 1 mA/cm2 for 100 s", output_times=[5.0, 50.0])
    np.testing.assert_array_equal(a.voltage, b.voltage)
    assert a.time.size == 11 and c.time.size == 5 and list(d.time) == [0.0, 5.0, 50.0, 100.0]
    # an exact step evaluates every output time directly: common times agree to round-off
    np.testing.assert_allclose(c.voltage[[0, 2, 4]], a.voltage[[0, 5, 10]], rtol=1e-13, atol=0)
    with pytest.raises(InputError, match="output_dt"):
        prob.run("Plate at 1 mA/cm2 for 100 s", output_dt=-1.0)
    with pytest.raises(InputError, match="output_dt"):  # an invalid request is never cached
        prob.run("Plate at 1 mA/cm2 for 100 s", output_dt=-1.0)


def test_solver_options_hash_survives_pickling():
    import pickle
    opt = SolverOptions(n_cells=16, rtol=1e-3, kinetics="linear")
    back = pickle.loads(pickle.dumps(opt))
    assert back == opt and hash(back) == hash(opt) and hash(SolverOptions(n_cells=16, rtol=1e-3, kinetics="linear")) == hash(opt)


@pytest.mark.parametrize("protocol, outputs, options", [
    ("Plate at 1 mA/cm2 for 1 h", {"output_dt": 10.0}, {}),
    ("Plate at 1 mA/cm2 for 10 min; Rest for 10 min; Strip at 2 mA/cm2 for 5 min", {}, {}),
    ("; ".join(["Plate at 1 mA/cm2 for 5 min", "Rest for 5 min"] * 4), {}, {}),   # the buffer grows
    ("Plate at 20 mA/cm2 for 1 h", {"output_times": np.linspace(0, 3000, 37)}, {"on_depletion": "continue"}),
    ("Plate at 20 mA/cm2 for 1 h; Rest for 1 min", {"output_dt": 7.0}, {}),    # stops at the depletion
])
def test_exact_run_from_rest_equals_the_general_loop(protocol, outputs, options):
    """TransportProblem._run_exact (from rest, every step exact) gives what run's general loop
    gives for the same plan, bit for bit."""
    from cellsim.transport import TransportProblem

    p = polymer()
    stack = Stack.build([Layer("P1", p, 20e-6), Layer("C", ceramic(), 100e-6), Layer("P2", p, 30e-6)],
                        Electrode("li"), Electrode("li"), 1e-4,
                        interfaces=[li_bv(1e-3, name="a"), ideal("b"), li_bv(5e-4, name="c"), ideal("d")])
    prob = TransportProblem(stack, SolverOptions(n_cells=16, **options))
    fast = prob.run(protocol, **outputs)
    plan = prob._plan(protocol, outputs.get("output_times"), outputs.get("output_dt"))
    assert plan.all_modal
    plan.all_modal = False  # the general loop (cell averages kept alongside)
    try:
        slow = prob.run(protocol, **outputs)
    finally:
        plan.all_modal = True
    for name in ("time", "voltage", "current_density", "ionic_current_density", "step"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    for d1, d2 in ((fast.voltage_parts, slow.voltage_parts), (fast.overpotentials, slow.overpotentials)):
        assert d1.keys() == d2.keys() and all(np.array_equal(d1[k], d2[k]) for k in d1)
    for layer in fast.layer_names:
        for side in ("left", "right"):
            assert np.array_equal(fast.face_concentration(layer, side), slow.face_concentration(layer, side))
        assert np.array_equal(fast.concentration(layer), slow.concentration(layer))
    assert fast.events == slow.events and fast.stats == slow.stats
    for a, b in zip(fast.final_state, slow.final_state):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("method", ["bdf2", "sdirk4"])
@pytest.mark.parametrize("law", ["constant", "nernst-einstein"])
def test_a_run_without_profiles_has_the_same_time_series(method, law):
    """SolverOptions(profiles=False): the kernels write no profile rows; the time series are
    identical to the last bit, and asking for a profile says that none was kept."""
    stack = benchmark_stack()
    proto = "Plate at 1 mA/cm2 for 20 min; Rest for 5 min; Hold at 50 mV for 5 min"
    kw = dict(n_cells=16, grid_stretch=1.5, rtol=1e-5, atol=1e-7, exact_galvanostatic=False, method=method,
              conductivity_law=law)
    kept = simulate(stack, proto, options=SolverOptions(**kw), output_dt=30.0)
    bare = simulate(stack, proto, options=SolverOptions(profiles=False, **kw), output_dt=30.0)
    assert kept.time.size > 40
    for name in ("time", "voltage", "current_density", "ionic_current_density"):
        np.testing.assert_array_equal(getattr(bare, name), getattr(kept, name))
    for layer in ("P1", "P2"):
        for side in ("left", "right"):
            np.testing.assert_array_equal(bare.face_concentration(layer, side), kept.face_concentration(layer, side))
    np.testing.assert_array_equal(bare.final_state[0], kept.final_state[0])
    with pytest.raises(InputError, match="profiles"):
        bare.concentration("P1")
    with pytest.raises(InputError, match="options.profiles"):
        SolverOptions(profiles="no")
