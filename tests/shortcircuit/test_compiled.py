"""The compiled step-up engine against the Python reference (``run_ccd(engine="python")``).

Every shipped model, at its own conditions and two others, under a fixed-time protocol and a
fixed-capacity protocol with rests: CCD, kind, mechanism words, onset times, events, the
trace and the front depths agree to 1e-12 relative (in practice bit for bit: the same
operations in the same order). From the first half cycle in which a front leaves its electrode
the compiled run hands over to the Python engine (the fronts' feedback on the solver). Among these runs are hard and soft shorts, leaks, polarization
failures, void formation, crack initiation, fronts meeting inside a layer and no short at all.
"""

import math

import numpy as np
import pytest

from cellsim.errors import InputError
from cellsim.models import list_models, load_model
from cellsim.shortcircuit import _kernels as K
from cellsim.shortcircuit.ccd import StepUpProtocol, _with_path, run_ccd

PROTOCOLS = {
    "time": dict(start="0.1 mA/cm2", increment="0.1 mA/cm2", stop="15 mA/cm2", step_time="0.5 h"),
    "capacity+rest": dict(start="0.2 mA/cm2", increment="0.2 mA/cm2", stop="10 mA/cm2",
                          step_capacity="0.5 mAh/cm2", rest="5 min"),
}
CONDITIONS = {"own": {}, "hot, pressed": dict(temperature=333.15, pressure=5e6), "cold": dict(temperature=283.15)}
REL = 1e-12


def _close(a, b, what):
    if a is None or b is None:
        assert a is None and b is None, what
        return
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, what
    scale = np.max(np.abs(b)) if b.size else 0.0
    assert np.allclose(a, b, rtol=REL, atol=REL * 1e-3 * scale, equal_nan=True), what


def _same(a, b):
    for f in ("ccd", "survived", "short_time", "electronic_share", "path_asr", "ccd_transparent_middle",
              "time", "voltage", "current_density", "front_left", "front_right"):
        _close(getattr(a, f), getattr(b, f), f)
    for f in ("kind", "mechanism", "layer_names", "depends_on_middle_layer", "notes", "margins"):
        assert getattr(a, f) == getattr(b, f), f
    assert [e["kind"] for e in a.events] == [e["kind"] for e in b.events]
    for ea, eb in zip(a.events, b.events):
        assert set(ea) == set(eb)
        for k, v in eb.items():
            if isinstance(v, float):
                _close(ea[k], v, f"event {eb['kind']}.{k}")
            else:
                assert ea[k] == v, f"event {eb['kind']}.{k}"


@pytest.mark.parametrize("model", list_models())
def test_compiled_engine_equals_the_python_reference(model):
    base = load_model(model)
    for cond in CONDITIONS.values():
        stack = base.with_conditions(**cond) if cond else base
        for proto in PROTOCOLS.values():
            p = StepUpProtocol.parse(**proto)
            _same(run_ccd(stack, p, engine="compiled"), run_ccd(stack, p, engine="python"))


def test_engine_must_be_named():
    p = StepUpProtocol.parse(**PROTOCOLS["time"])
    with pytest.raises(InputError, match="engine"):
        run_ccd(load_model("li-uvea-li"), p, engine="fortran")


@pytest.mark.parametrize("r_path, r_stack", [(2e-3, 5.0), (0.0, 5.0), (math.inf, 0.5), (1e-2, math.inf)])
def test_with_path_kernel_equals_the_numpy_reference(r_path, r_stack):
    rng = np.random.default_rng(3)
    v = rng.uniform(-0.5, 0.5, 12)
    j_ion = rng.uniform(-30, 30, 12)
    j_ion[3] = 0.0
    j_ext = j_ion * 1.01
    ref_v, ref_share = _with_path(v, j_ion, j_ext, r_path, r_stack)
    out = np.empty(12)
    share = K.with_path(v, j_ion, j_ext, r_path, r_stack, out)
    assert share == ref_share
    assert np.array_equal(out, ref_v)


@pytest.mark.parametrize("t, t_len, dt", [(0.0, 1800.0, 112.5), (1800.0, 300.0, 112.5), (0.0, 7.3, 0.7)])
def test_step_times_equal_the_solver_plan(t, t_len, dt):
    from cellsim.transport.solver import TransportProblem

    ref = TransportProblem._step_times(t, t_len, dt, None, False)
    assert np.array_equal(K.step_times(t, t_len, dt), ref)


def test_the_compiled_engine_runs_without_the_python_driver(monkeypatch):
    import cellsim.shortcircuit.ccd as ccd

    def refuse(*a, **k):
        raise AssertionError("the Python driver ran")

    # a cell whose fronts never leave the electrodes under this protocol (no feedback on the solver)
    stack = load_model("li-uvea-nmc811-uvea-li")
    p = StepUpProtocol.parse(**PROTOCOLS["time"])
    ref = run_ccd(stack, p, explain=False, engine="python")
    monkeypatch.setattr(ccd, "_simulate", refuse)
    _same(run_ccd(stack, p, explain=False), ref)


def test_the_compiled_run_hands_over_where_a_front_leaves_its_electrode(monkeypatch):
    """The kernel stops before the first half cycle in which a dendrite nucleates; its trace up to
    there is the Python engine's, and the Python engine runs the rest from its state (the fronts
    fed back on the solver)."""
    from dataclasses import replace

    import cellsim.shortcircuit.ccd as ccd
    from cellsim.shortcircuit import compiled

    stack = load_model("li-uvea-li")
    p = StepUpProtocol.parse(**PROTOCOLS["capacity+rest"])
    prm = ccd.load_parameters()
    opt = replace(ccd.ccd_solver_options(), on_depletion="continue", depletion_threshold=prm.nucleation_threshold)
    h = compiled.simulate_compiled(stack, p, prm, opt, 16, False)
    assert isinstance(h, compiled.Handoff) and h.level > 0
    assert not np.any(h.front_left) and not np.any(h.front_right)
    ref = run_ccd(stack, p, explain=False, engine="python")
    n = h.time.size
    assert np.array_equal(h.time, ref.time[:n]) and np.array_equal(h.voltage, ref.voltage[:n])
    assert np.any(ref.front_left[n:]) or np.any(ref.front_right[n:])     # the fronts move after it
    calls = []
    real = ccd._simulate
    monkeypatch.setattr(ccd, "_simulate", lambda *a, **k: calls.append(k.get("start")) or real(*a, **k))
    _same(run_ccd(stack, p, explain=False), ref)
    assert len(calls) == 1 and isinstance(calls[0], compiled.Handoff)


def test_fronts_moved_kernel():
    dl = np.zeros((5, 3))
    dr = np.zeros((5, 3))
    evl = np.zeros((3, K.N_EV))
    evl[:, 0] = [K.EV_VOID, K.EV_NUCLEATION, K.EV_VOID]
    assert not K.fronts_moved(dl, dr, evl, 0, 1)
    assert not K.fronts_moved(dl, dr, evl, 2, 3)
    assert K.fronts_moved(dl, dr, evl, 0, 2)      # a nucleation
    dr[4, 1] = 1e-9
    assert K.fronts_moved(dl, dr, evl, 0, 1)      # a front depth


def test_batch_equals_single_runs_and_keeps_errors_per_cell(monkeypatch):
    from cellsim.errors import SolverError
    from cellsim.shortcircuit import compiled
    from cellsim.shortcircuit.ccd import load_parameters, run_ccd_batch

    p = StepUpProtocol.parse(**PROTOCOLS["capacity+rest"])
    base = load_model("li-uvea-latp-uvea-li")
    stacks = [base.with_conditions(temperature=t) for t in (283.15, 295.15, 313.15, 333.15)]
    prm = load_parameters()
    prms = [prm, prm.with_values(enhancement=3.0), prm, prm.with_values(dead_fraction=0.0)]
    batch = run_ccd_batch(stacks, p, prms, threads=2)
    for st, q, r in zip(stacks, prms, batch):
        single = run_ccd(st, p, q, explain=False)
        assert r.ccd == single.ccd and r.mechanism == single.mechanism and r.short_time == single.short_time
        assert np.array_equal(r.voltage, single.voltage)

    real = compiled.simulate_compiled

    def fail_second(stack, *a, **k):
        if stack is stacks[1]:
            raise SolverError("refused")
        return real(stack, *a, **k)

    monkeypatch.setattr(compiled, "simulate_compiled", fail_second)
    out = run_ccd_batch(stacks, p, prm, threads=2)
    assert isinstance(out[1], SolverError)
    assert out[0].ccd == batch[0].ccd and out[2].ccd == batch[2].ccd and out[3].mechanism


def test_batch_arguments_are_checked():
    from cellsim.shortcircuit.ccd import run_ccd_batch

    p = StepUpProtocol.parse(**PROTOCOLS["time"])
    with pytest.raises(InputError, match="threads"):
        run_ccd_batch([load_model("li-uvea-li")], p, threads=0)
    with pytest.raises(InputError, match="protocol"):
        run_ccd_batch([load_model("li-uvea-li")], "step up")


def test_a_stack_on_the_eigenmode_path_runs_in_the_python_engine(monkeypatch):
    """No electronic leak: the solver integrates galvanostatic steps exactly on eigenmodes, which
    the compiled engine does not cover; run_ccd falls back to the Python driver (same result)."""
    from dataclasses import replace

    from cellsim.shortcircuit import compiled
    from cellsim.shortcircuit.ccd import ccd_solver_options, load_parameters
    from tests.transport.stacks import single_layer

    stack = single_layer(L=40e-6, D=2e-11, tp=0.4)
    p = StepUpProtocol.parse(start="0.5 mA/cm2", increment="0.5 mA/cm2", stop="5 mA/cm2", step_time="0.5 h")
    prm = load_parameters()
    opt = replace(ccd_solver_options(), depletion_threshold=prm.nucleation_threshold)
    assert compiled.simulate_compiled(stack, p, prm, opt, 16, False) is None
    _same(run_ccd(stack, p, explain=False), run_ccd(stack, p, explain=False, engine="python"))
