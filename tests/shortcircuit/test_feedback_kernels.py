"""The numba kernels of the fronts' feedback on the solver against the Python/NumPy functions they
mirror (``TransportProblem.set_fronts`` / ``_fast_scale``, ``_Tracker.leak_asr`` /
``feedback_active`` / ``touched`` / ``polymer_fronts``, NumPy's sum, Python's round).

The compiled step-up engine (``_kernels.step_up``) regrids the polymer layers and changes the
leak inside one numba call; these are its pieces, compared to 1e-12 relative (in practice bit
for bit)."""

import copy
import math
from dataclasses import replace

import numpy as np
import pytest

from cellsim.models import load_model
from cellsim.shortcircuit import _kernels as K
from cellsim.shortcircuit import compiled
from cellsim.shortcircuit.ccd import ccd_solver_options, load_parameters
from cellsim.shortcircuit.tracker import _Layers, _Tracker
from cellsim.transport import SolverOptions, TransportProblem

REL = 1e-12


def _close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    assert np.allclose(a, b, rtol=REL, atol=0.0, equal_nan=True), np.max(np.abs(a - b))


@pytest.mark.parametrize("n", [1, 3, 7, 8, 9, 15, 16, 17, 40, 128, 129, 300, 1001])
def test_np_sum_kernel_equals_numpy_sum_bit_for_bit(n):
    rng = np.random.default_rng(n)
    for _ in range(20):
        a = rng.uniform(size=n) * 10.0 ** rng.uniform(-3, 3, size=n)
        assert K.np_sum(a, 0, n) == a.sum()
        assert K.np_sum(a, 1, n) == a[1:].sum()


@pytest.mark.parametrize("x", [0.5, 1.5, 2.5, -0.5, -1.5, 15.999999999, 16.0, 16.5, 17.5, 3.49999, 1e6 + 0.5])
def test_round_half_even_is_python_round(x):
    assert K.round_half_even(x) == float(round(x))


def _problem(model, **opt):
    stack = load_model(model)
    prm = load_parameters()
    o = replace(ccd_solver_options(), on_depletion="continue", depletion_threshold=prm.nucleation_threshold, **opt)
    return TransportProblem(stack, o)


@pytest.mark.parametrize("model, opt", [("li-uvea-latp-uvea-li", {}), ("li-uvea-latp-uvea-li", {"double_layer": True}),
                                        ("li-uvea-li", {"n_cells": 9, "grid_stretch": 3.0}),
                                        ("ss-uvea-ss", {})])
def test_set_fronts_and_fast_scale_kernels_equal_the_solver(model, opt):
    """The packed arrays, the remapped state and the time scale after a sequence of front moves
    (grow, grow on the other side, recede, cross back to the full layer)."""
    prob = _problem(model, **opt)
    P = prob.off.size
    sol = prob.run("Plate at 1 mA/cm2 for 20 min", output_dt=600.0)
    c, eta = sol.final_state
    eta = eta + 0.01     # nonzero overpotentials: those of double layers at a moved front are discharged
    state = (c.copy(), eta.copy())
    cellf, layf = prob.cellf.copy(), prob.layf.copy()
    L0 = layf[7].copy()
    fronts = np.zeros((2, P))
    kc, keta = c.copy(), eta.copy()
    L = prob.Lp.copy()
    rng = np.random.default_rng(7)
    moves = [(0.1, 0.0), (0.1, 0.0), (0.25, 0.05), (0.2, 0.3), (0.0, 0.3), (0.0, 0.0), (0.9995, 0.0)] + \
        [(rng.uniform(0, 0.5), rng.uniform(0, 0.4) * (rng.uniform() < 0.5)) for _ in range(200)]
    for xl, xr in moves:
        left, right = xl * L, np.full(P, xr) * L
        expect = not np.array_equal(prob.fronts, [left, right])
        ref = prob.set_fronts(left, right, state)
        changed = K.set_fronts(np.array([left, right]), fronts, L0, int(prob.options.n_cells),
                               float(prob.options.grid_stretch), kc, keta, cellf, layf, prob.layi, prob.iff, prob.ifi)
        assert changed == expect
        state = ref
        _close(kc, ref[0])
        _close(keta, ref[1])
        _close(cellf, prob.cellf)
        _close(layf, prob.layf)
        _close(fronts, prob.fronts)
        fs = K.fast_scale(cellf, layf, prob.layer_R, prob.iff, prob.ifi, float(prob.T), 2.0)
        assert fs == prob.fast_scale
    if opt.get("double_layer"):
        assert np.any(keta != eta)      # a double layer at a moved front was discharged


def _tracker(model, transparent=False):
    stack = load_model(model)
    prm = load_parameters()
    layers = _Layers(stack, prm, transparent_middle=transparent)
    return stack, prm, layers, _Tracker(stack, prm, layers)


def _fronts_states(layers, n):
    """Front configurations covering every branch of leak_asr / feedback_active."""
    L = layers.L
    out = []
    for kind in ("rest", "dendrite", "both", "crossed", "interphase", "crack", "met", "grow-contact"):
        left = dict(layer=0, depth=0.0, chem=0.0, crack=0.0, spanned=[], contact=None)
        right = dict(layer=n - 1, depth=0.0, chem=0.0, crack=0.0, spanned=[], contact=None)
        if kind == "dendrite":
            left["depth"] = 0.3 * L[0]
        elif kind == "both":
            left["depth"], right["depth"] = 0.3 * L[0], 0.2 * L[n - 1]
        elif kind == "crossed" and n > 1:
            left.update(layer=1, spanned=[(0, layers.how[0])], contact=100.0)
        elif kind == "interphase" and n > 1:
            left.update(layer=1, spanned=[(0, layers.how[0])], contact=100.0, chem=0.2 * L[1], depth=0.2 * L[1])
        elif kind == "crack" and n > 1:
            left.update(layer=1, spanned=[(0, layers.how[0])], contact=100.0, chem=0.1 * L[1], crack=0.3 * L[1],
                        depth=0.3 * L[1])
        elif kind == "met" and n > 2:
            left.update(layer=2, spanned=[(0, layers.how[0]), (1, "crack")], contact=None, depth=0.5 * L[2])
            right.update(depth=0.5 * L[2])
        elif kind == "grow-contact":
            left.update(contact=0.0)
            right.update(contact=0.0, chem=0.01 * L[n - 1])
        out.append((kind, left, right))
    return out


@pytest.mark.parametrize("model", ["li-uvea-latp-uvea-li", "li-latp-li", "li-uvea-lvo-uvea-li", "li-uvea-li",
                                   "li-uvea-lto-uvea-li", "li-uvea-sio2-uvea-li"])
def test_tracker_feedback_kernels_equal_the_tracker(model):
    stack, prm, layers, tr0 = _tracker(model)
    n = len(layers.names)
    prob = _problem(model)
    pr = compiled._parameter_vector(layers, prm, stack)
    lyf = compiled._layer_rows(layers, prob)
    for kind, left, right in _fronts_states(layers, n):
        tr = copy.copy(tr0)
        tr.left, tr.right = copy.deepcopy(tr0.left), copy.deepcopy(tr0.right)
        for fr, d in ((tr.left, left), (tr.right, right)):
            fr.layer, fr.depth, fr.chem_depth, fr.crack_depth = d["layer"], d["depth"], d["chem"], d["crack"]
            fr.spanned = list(d["spanned"])
            if d["contact"] is not None or layers.kind[fr.layer] == 0:
                fr.contact = d["contact"]
        fs, span_i, span_how = compiled._pack_fronts(tr, layers)
        ref = tr.leak_asr()
        got = K.leak_asr(fs, span_i, span_how, lyf)
        assert (math.isinf(ref) and math.isinf(got)) or math.isclose(got, ref, rel_tol=REL), kind
        assert K.touched(fs) == tr.touched(), kind
        for t, horizon in ((0.0, 0.0), (100.0, 1800.0), (5e3, 3600.0), (1e5, 1e5)):
            assert K.feedback_active(fs, span_i, span_how, lyf, pr, t, horizon) == tr.feedback_active(t, horizon), \
                (kind, t, horizon)
        assert np.array_equal(fs, compiled._pack_fronts(tr, layers)[0], equal_nan=True)   # chem depths restored
        x = np.full((2, len(prob.poly_index)), -1.0)
        K.polymer_fronts(fs, prob.layer_poly, x)
        lref, rref = tr.polymer_fronts(prob.poly_index)
        assert np.array_equal(x, np.array([lref, rref], dtype=float).reshape(2, -1)), kind


@pytest.mark.parametrize("asr", [0.0, -1.0, 2.5e-3, math.inf])
def test_leak_conductance_kernel(asr):
    from cellsim.shortcircuit.interphase import leak_conductance

    assert K.leak_conductance(asr) == leak_conductance(asr)


@pytest.mark.parametrize("args", [(1e-5, 0.0, 0.0, 2.0, 5.0), (1e-5, 3e-6, 1e-6, 2.0, 5.0), (1e-5, 2e-5, 0.0, 2.0, 5.0),
                                  (1e-5, 0.0, 2e-5, math.inf, 5.0), (1e-5, 1e-6, 0.0, 2.0, math.inf)])
def test_layer_electronic_asr_kernel(args):
    from cellsim.shortcircuit.interphase import layer_electronic_asr

    assert K.layer_electronic_asr(*args) == layer_electronic_asr(*args)


def test_a_leaky_half_cycle_starts_its_current_iteration_from_the_ionic_current():
    """Regression (sweep point found by benchmarks/sweep.py --full-ccd): at the start of a half cycle the
    last voltage belongs to the previous current; a Newton start J_ext - g_e V from it diverged with the
    large leak of spanned dendrites ("Newton iteration did not converge" at 4.1 mA/cm2). The kernel starts
    from the last step's J."""
    from cellsim.shortcircuit.ccd import StepUpProtocol, run_ccd
    from cellsim.sweeps import load_spec, point_stack

    spec = load_spec({"sweep": {"name": "regression", "base_model": "li-uvea-latp-uvea-li", "outputs": ["ccd"]},
                      "axes": [{"name": "lic", "target": "middle.material", "values": ["latp"], "form": "dense"},
                               {"name": "uvea", "target": ["layers.UVEA-1.thickness", "layers.UVEA-2.thickness"],
                                "values": ["140 um"]},
                               {"name": "pellet", "target": "middle.thickness", "values": ["100 um"]},
                               {"name": "temperature", "target": "temperature", "values": ["290.927777777778 K"]}],
                      "protocol": {"start": "0.1 mA/cm2", "increment": "0.1 mA/cm2", "stop": "15 mA/cm2",
                                   "step_time": "0.5 h"}},
                     where="test")
    stack = point_stack(spec, next(iter(spec.points()))[1])
    p = StepUpProtocol.parse(start="0.1 mA/cm2", increment="0.1 mA/cm2", stop="15 mA/cm2", step_time="0.5 h")
    a, b = run_ccd(stack, p, explain=False), run_ccd(stack, p, explain=False, engine="python")
    assert a.engine["engine"] == "compiled" and a.ccd == b.ccd and a.ccd is not None


def test_a_cycling_current_iteration_falls_back_to_bisection():
    """Regression (the demo's LATP-thickness trend, 800 um): with a face at the concentration floor
    and the large leak of grown dendrites, Newton on the ionic current cycles across the kink the
    floor makes ("Newton iteration did not converge" at 6 mA/cm2, at any step size). The residual
    rises with J, so the iterates on either side bracket the root; after 30 Newton iterations the
    kernel bisects that bracket. Both engines run the protocol through."""
    from cellsim.models import load_model
    from cellsim.shortcircuit.ccd import StepUpProtocol, run_ccd

    stack = load_model("li-uvea-latp-uvea-li").with_layer("LATP", thickness=800e-6)
    p = StepUpProtocol(start=5.0, increment=5.0, stop=200.0, step_time=1800.0)
    a, b = run_ccd(stack, p, explain=False), run_ccd(stack, p, explain=False, engine="python")
    assert a.engine["engine"] == "compiled" and a.ccd == b.ccd == 60.0
