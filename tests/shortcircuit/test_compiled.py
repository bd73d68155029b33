"""The compiled step-up engine against the Python reference (``run_ccd(engine="python")``).

Every shipped model, at its own conditions and two others, under a fixed-time protocol and a
fixed-capacity protocol with rests: CCD, kind, mechanism words, onset times, events, the
trace and the front depths agree to 1e-12 relative (in practice bit for bit: the same
operations in the same order). The compiled run covers the whole protocol, the fronts' feedback
on the solver (polymer layers regridded ahead of the dendrites, the leak through what the fronts
left, half cycles run sample by sample) included: no shipped model falls back to the Python
engine. Among these runs are hard and soft shorts, leaks, polarization failures, void formation,
crack initiation, fronts meeting inside a layer and no short at all.
"""

import math
from dataclasses import replace

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
            a = run_ccd(stack, p, engine="compiled")
            _same(a, run_ccd(stack, p, engine="python"))
            assert a.engine["engine"] == "compiled"     # one numba call, no fallback to the Python driver


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


def test_the_fronts_feedback_runs_in_the_kernel(monkeypatch):
    """Dendrites nucleate and grow in the polymer (half cycles sample by sample, the layer
    regridded ahead of them) and the Python driver never runs (it used to take over from the
    first half cycle in which a front left its electrode)."""
    import cellsim.shortcircuit.ccd as ccd

    stack = load_model("li-uvea-li")
    p = StepUpProtocol.parse(**PROTOCOLS["capacity+rest"])
    ref = run_ccd(stack, p, explain=False, engine="python")
    assert np.any(ref.front_left) or np.any(ref.front_right)
    assert any(e["kind"] == "nucleation" for e in ref.events)

    def refuse(*a, **k):
        raise AssertionError("the Python driver ran")

    monkeypatch.setattr(ccd, "_simulate", refuse)
    res = run_ccd(stack, p, explain=False)
    _same(res, ref)
    assert res.engine["engine"] == "compiled" and res.engine["sampled_half_cycles"] > 0
    assert res.engine["solver_runs"] > 2 * len(p.levels())


def test_a_leak_of_zero_on_the_eigenmode_problem_falls_back_to_python(monkeypatch):
    """A front that leaves an insulating remainder (leak 0 S/m2) would put the solver on its exact
    eigenmode path, which the kernel does not cover: it stops (RS_FALLBACK) and the run is the
    Python engine's."""
    from cellsim.shortcircuit import compiled
    from cellsim.shortcircuit.ccd import ccd_solver_options, load_parameters

    real = compiled._layer_rows

    def insulating(layers, problem):
        lyf = real(layers, problem)
        lyf[K.LY_RHO_E] = math.inf       # any layer a front enters leaves an infinite leak ASR
        return lyf

    monkeypatch.setattr(compiled, "_layer_rows", insulating)
    stack = load_model("li-uvea-li")
    p = StepUpProtocol.parse(**PROTOCOLS["capacity+rest"])
    prm = load_parameters()
    opt = replace(ccd_solver_options(), on_depletion="continue", depletion_threshold=prm.nucleation_threshold)
    assert compiled.simulate_compiled(stack, p, prm, opt, 16, False) is None
    assert run_ccd(stack, p, explain=False).engine == {"engine": "python"}
    # without the monkeypatch the same run is compiled
    monkeypatch.setattr(compiled, "_layer_rows", real)
    assert isinstance(compiled.simulate_compiled(stack, p, prm, opt, 16, False), dict)


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


def test_a_solver_failure_is_raised_as_in_the_python_engine():
    from cellsim.errors import SolverError
    from cellsim.shortcircuit.ccd import ccd_solver_options

    stack = load_model("li-uvea-latp-uvea-li")
    p = StepUpProtocol.parse(**PROTOCOLS["capacity+rest"])
    opt = replace(ccd_solver_options(), max_steps=3)
    msgs = []
    for engine in ("compiled", "python"):
        with pytest.raises(SolverError) as exc:
            run_ccd(stack, p, options=opt, explain=False, engine=engine)
        msgs.append(str(exc.value))
    head = [m.split(": ")[0] for m in msgs]
    assert head[0] == head[1] and "protocol step 1 (Plate at 0.2 mA/cm2)" in head[0], msgs


def test_a_method_the_kernel_does_not_carry_runs_in_the_python_engine():
    """options.method = "sdirk4": the compiled kernel integrates with BDF2 or Euler only, so the
    run goes to the Python engine (which calls the SDIRK4 kernel), never silently to another method."""
    from cellsim.shortcircuit.ccd import ccd_solver_options

    stack = load_model("li-uvea-li")
    p = StepUpProtocol.parse(start="1 mA/cm2", increment="1 mA/cm2", stop="8 mA/cm2", step_time="0.5 h")
    opt = replace(ccd_solver_options(), method="sdirk4")
    r = run_ccd(stack, p, options=opt, explain=False)
    assert r.engine == {"engine": "python"}
    _same(r, run_ccd(stack, p, options=opt, explain=False, engine="python"))
    bdf2 = run_ccd(stack, p, explain=False)
    assert bdf2.engine["engine"] == "compiled" and r.ccd == bdf2.ccd   # same physics, another integrator
