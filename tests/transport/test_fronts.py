"""Feedback of the short-circuit model on the solver: dendrite fronts that shorten polymer
layers (TransportProblem.set_fronts, cellsim.transport.fronts) and a changing electronic
leakage (TransportProblem.set_leakage)."""

from __future__ import annotations

import numpy as np
import pytest

from cellsim.constants import F
from cellsim.errors import InputError
from cellsim.stack import Electrode, Layer, Stack
from cellsim.transport import SolverOptions, TransportProblem
from cellsim.transport.fronts import MIN_FRACTION, active_length, remap_cells
from cellsim.transport.grid import layer_grid

from .stacks import ceramic, exact_face, ideal, li_bv, polymer, single_layer

D, L, C0, TP = 1e-11, 50e-6, 1000.0, 0.4


def _sandwich(l1=30e-6, l2=50e-6, cap=None):
    """Li | polymer | ceramic | polymer | Li with Butler-Volmer at the Li faces."""
    p = polymer(D=D, kappa=0.05, tp=TP, c0=C0)
    layers = [Layer("P1", p, l1), Layer("C", ceramic(), 200e-6), Layer("P2", p, l2)]
    return Stack.build(layers, Electrode("li"), Electrode("li"), 1e-4,
                       interfaces=[li_bv(5e-4, cap, "a"), ideal("b"), ideal("c"), li_bv(5e-4, cap, "d")])


# ------------------------------------------------------------------------- remap
def test_remap_is_the_identity_on_the_same_grid():
    w = layer_grid(L, 16, 10.0)
    c = np.linspace(900.0, 1100.0, 16) ** 1.1
    assert np.allclose(remap_cells(c, 0.0, w, 0.0, w), c, rtol=1e-13, atol=0)


def test_remap_keeps_the_salt_a_front_sweeps_and_gives_it_to_the_front_cell():
    w = layer_grid(L, 16, 10.0)
    rng = np.random.default_rng(3)
    c = rng.uniform(10.0, 2000.0, 16)
    x = 0.37 * L
    w_new = layer_grid(L - x, 16, 10.0)
    c_new = remap_cells(c, 0.0, w, x, w_new)
    assert c_new @ w_new == pytest.approx(c @ w, rel=1e-13)
    # away from the front the new cells are overlap averages of the old profile
    e_old = np.concatenate([[0.0], np.cumsum(w)])
    e_new = x + np.concatenate([[0.0], np.cumsum(w_new)])
    s = np.interp(e_new, e_old, np.concatenate([[0.0], np.cumsum(c * w)]))
    assert np.allclose(c_new[1:-1], np.diff(s)[1:-1] / w_new[1:-1], rtol=1e-13)
    # the front cell holds its overlap average plus all the salt of [0, x]
    swept = np.interp(x, e_old, np.concatenate([[0.0], np.cumsum(c * w)]))
    assert c_new[0] == pytest.approx(np.diff(s)[0] / w_new[0] + swept / w_new[0], rel=1e-13)


def test_remap_of_a_receding_front_keeps_the_salt():
    w_cut = layer_grid(L - 10e-6, 16, 10.0)
    c = np.linspace(50.0, 1500.0, 16)
    w_full = layer_grid(L, 16, 10.0)
    c_new = remap_cells(c, 10e-6, w_cut, 0.0, w_full)
    assert c_new @ w_full == pytest.approx(c @ w_cut, rel=1e-13)
    assert np.all(np.diff(c_new) >= -1e-12 * c.max()) and c_new[0] < c[0]   # zero-gradient extension, scaled down


def test_active_length_keeps_a_minimum():
    assert active_length(L, 10e-6, 5e-6) == pytest.approx(L - 15e-6, rel=1e-15)
    assert active_length(L, 0.7 * L, 0.7 * L) == MIN_FRACTION * L


# ------------------------------------------------------------------------- set_fronts
@pytest.mark.parametrize("double_layer", [False, True])
def test_zero_fronts_reproduce_the_problem_as_built(double_layer):
    """The neutral value: fronts set and taken back give bitwise the arrays and results of a fresh problem."""
    st = _sandwich(cap=0.05)
    opt = SolverOptions(n_cells=16, double_layer=double_layer, on_depletion="continue")
    ref = TransportProblem(st, opt)
    pr = TransportProblem(st, opt)
    s = pr.set_fronts([5e-6, 0.0], [0.0, 7e-6], pr.initial_state())
    pr.set_fronts([0.0, 0.0], [0.0, 0.0], s)
    assert np.array_equal(pr.cellf, ref.cellf) and np.array_equal(pr.layf, ref.layf)
    assert pr.fast_scale == ref.fast_scale
    proto = "Plate at 2 mA/cm2 for 20 min; Strip at 2 mA/cm2 for 20 min"
    a = pr.run(proto, output_dt=60.0, state=pr.initial_state())
    b = ref.run(proto, output_dt=60.0, state=ref.initial_state())
    assert np.max(np.abs(a.voltage - b.voltage)) <= 1e-12 * np.max(np.abs(b.voltage))
    assert np.array_equal(a.face_concentration("P2", "right"), b.face_concentration("P2", "right"))


@pytest.mark.parametrize("double_layer", [False, True])
def test_a_frozen_front_is_a_thinner_layer(double_layer):
    """Verification (a): fronts held at x_L in P1 and x_R in P2 from the start give the concentrations
    and voltage of the stack whose polymer layers are thinner by x_L and x_R (an independent run)."""
    xl, xr = 12e-6, 21e-6
    st = _sandwich(cap=0.05)
    thin = st.with_layer("P1", thickness=30e-6 - xl).with_layer("P2", thickness=50e-6 - xr)
    opt = SolverOptions(n_cells=16, double_layer=double_layer, on_depletion="continue")
    pr = TransportProblem(st, opt)
    pr.set_fronts([xl, 0.0], [0.0, xr], pr.initial_state())
    ref = TransportProblem(thin, opt)
    proto = "Plate at 3 mA/cm2 for 30 min; Strip at 3 mA/cm2 for 30 min"
    a = pr.run(proto, output_dt=60.0, state=pr.initial_state())
    b = ref.run(proto, output_dt=60.0, state=ref.initial_state())
    assert np.allclose(a.voltage, b.voltage, rtol=1e-12, atol=1e-15)
    for name, side in (("P1", "left"), ("P2", "right")):
        assert np.allclose(a.face_concentration(name, side), b.face_concentration(name, side), rtol=1e-12)
    assert a.voltage_parts["ohmic P1"][-1] == pytest.approx(b.voltage_parts["ohmic P1"][-1], rel=1e-14)


def test_a_frozen_front_converges_to_the_thinner_layer_exact_series_at_second_order():
    """The face at a frozen front vs the exact series of a layer of thickness L - x_f: error ~ h^2."""
    J, xf = 10.0, 0.3 * L
    lt = L - xf
    times = lt ** 2 / D * np.array([0.01, 0.05, 0.2, 0.5])
    ex = exact_face(times, C0, (1 - TP) * J / F, lt, D)
    errs = []
    for n in (10, 20, 40, 80):
        pr = TransportProblem(single_layer(L=L, D=D, tp=TP, c0=C0),
                              SolverOptions(n_cells=n, grid_stretch=4.0, rtol=1e-9, atol=1e-11))
        pr.set_fronts([0.0], [xf], pr.initial_state())
        sol = pr.run(f"Plate at {J} A/m2 for {times[-1]} s", output_times=times, state=pr.initial_state())
        errs.append(np.max(np.abs(sol.face_concentration("P", "right")[1:] - ex) / ex))
    order = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(order > 1.7), (errs, order)
    assert errs[-1] < 2e-4, errs


def test_set_fronts_rejects_bad_depths():
    pr = TransportProblem(_sandwich(), SolverOptions(n_cells=8))
    s = pr.initial_state()
    for left, right in (([1e-6], [0.0, 0.0]), ([-1e-6, 0.0], [0.0, 0.0]), ([np.nan, 0.0], [0.0, 0.0])):
        with pytest.raises(InputError, match="fronts"):
            pr.set_fronts(left, right, s)


# ------------------------------------------------------------------------- set_leakage
def test_a_leak_set_during_a_run_is_a_resistor_in_parallel():
    """Ohmic stack (ceramic, ideal interfaces): V = J / (1/R_ion + g) for each leak, to 1e-12;
    None restores the stack's own (no) leakage and the exact galvanostatic steps."""
    st = Stack.build([Layer("C", ceramic(sigma=0.02), 400e-6)], Electrode("li"), Electrode("li"), 1e-4,
                     interfaces=[ideal("a"), ideal("b")])
    r_ion = 400e-6 / 0.02
    pr = TransportProblem(st, SolverOptions(double_layer=False))
    state = pr.initial_state()
    for g in (0.0, 1e-3, 0.05, 2.0, 0.0):
        pr.set_leakage(g)
        sol = pr.run("Plate at 1 mA/cm2 for 10 min", output_dt=120.0, state=state)
        state = sol.final_state
        assert np.allclose(sol.voltage[1:], 10.0 / (1.0 / r_ion + g), rtol=1e-12)
        assert np.allclose(sol.current_density[1:], sol.ionic_current_density[1:] + g * sol.voltage[1:], rtol=1e-12)
    pr.set_leakage(None)
    assert pr.g_e == 0.0
    with pytest.raises(InputError, match="leakage"):
        pr.set_leakage(-1.0)
