"""The numba circuit kernel against a plain NumPy evaluation of the same tree; the Circuit API."""

import numpy as np
import pytest

from cellsim.circuits import ELEMENTS, Circuit, _kernels, elements
from cellsim.circuits.circuit import compile_program
from cellsim.circuits.parser import iter_elements
from cellsim.errors import InputError

from .test_circuit_elements import random_params

FREQ = np.logspace(-3, 7, 97)


def test_opcodes_match():
    for name in dir(elements):
        if name.startswith("OP_"):
            assert getattr(_kernels, name) == getattr(elements, name), name
    assert len({et.opcode for et in ELEMENTS.values()}) == len(ELEMENTS)


def test_ctanh_against_numpy():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-30, 30, 2000), rng.uniform(-1e-3, 1e-3, 200), [0.0, 21.9, 22.1, -22.1, 700.0]])
    y = np.concatenate([rng.uniform(-50, 50, 2000), rng.uniform(-1e-3, 1e-3, 200), [0.0, np.pi / 2, 1.0, -2.0, 3.0]])
    z = x + 1j * y
    ours = _kernels.ctanh_array(z)
    ref = np.tanh(z)
    assert np.all(np.isfinite(ours))
    err = np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-300)
    assert np.max(err) < 1e-13
    # huge arguments (diffusion elements at MHz with tau ~ 1e3 s): no overflow
    big = np.array([1e6 + 1e6j, -3e5 + 3e5j])
    assert np.allclose(_kernels.ctanh_array(big), [1.0, -1.0])


def random_tree(rng, depth=0, counter=None):
    """A random circuit string using every element type."""
    counter = counter if counter is not None else [0]
    prefixes = list(ELEMENTS)

    def leaf():
        counter[0] += 1
        return f"{prefixes[rng.integers(len(prefixes))]}{counter[0]}"

    n = int(rng.integers(2, 4))
    parts = []
    for _ in range(n):
        r = rng.random()
        if depth < 3 and r < 0.35:
            branches = [random_tree(rng, depth + 1, counter) for _ in range(int(rng.integers(2, 4)))]
            parts.append("p(" + ",".join(branches) + ")")
        else:
            parts.append(leaf())
    return "-".join(parts)


def params_for(circuit, rng):
    p = []
    for name, prefix in circuit.elements:
        p.extend(random_params(prefix, rng))
    return np.array(p)


@pytest.mark.parametrize("seed", range(25))
def test_kernel_matches_numpy_tree_evaluation(seed):
    rng = np.random.default_rng(seed)
    c = Circuit(random_tree(rng))
    p = params_for(c, rng)
    ours = c.impedance(FREQ, p)
    ref = c.numpy_impedance(FREQ, p)
    assert ours.shape == (FREQ.size,)
    assert np.max(np.abs(ours - ref) / np.abs(ref)) < 1e-12, str(c)


def test_batch_equals_single_sets():
    rng = np.random.default_rng(7)
    c = Circuit("R0-p(R1,CPE1)-p(R2-Wo2,CPE2)-Zd3-p(G4,Zarc4)")
    P = np.array([params_for(c, rng) for _ in range(40)])
    Z = c.impedance(FREQ, P)
    assert Z.shape == (40, FREQ.size)
    for i in range(40):
        assert np.array_equal(Z[i], c.impedance(FREQ, P[i]))
    ref = c.numpy_impedance(FREQ, P)
    assert np.max(np.abs(Z - ref) / np.abs(ref)) < 1e-12


def test_program_is_postfix_with_correct_depth():
    c = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)-CPE3")
    offsets = {"R0": 0, "R1": 1, "CPE1": 2, "R2": 4, "CPE2": 5, "CPE3": 7}
    ops, args, depth, needs_log = compile_program(c.tree, offsets)
    assert list(ops) == [10, 10, 13, 1, 10, 13, 1, 13, 0]
    assert list(args) == [0, 1, 2, 2, 4, 5, 2, 7, 4]
    assert depth == 4 and needs_log
    assert not compile_program(Circuit("R0-p(R1,C1)").tree, {"R0": 0, "R1": 1, "C1": 2})[3]


def test_spec_benchmark_circuit_values():
    c = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)-CPE3")
    p = [10, 100, 1e-8, 0.90, 500, 1e-6, 0.80, 5e-5, 0.80]
    f = np.logspace(0, np.log10(3e6), 1000)
    w = 2 * np.pi * f
    cpe = lambda q, n: 1 / (q * (1j * w) ** n)
    ref = 10 + 1 / (1 / 100 + 1 / cpe(1e-8, 0.9)) + 1 / (1 / 500 + 1 / cpe(1e-6, 0.8)) + cpe(5e-5, 0.8)
    assert np.max(np.abs(c.impedance(f, p) - ref) / np.abs(ref)) < 1e-13


def test_mapping_parameters_and_scalar_frequency():
    c = Circuit("R0-p(R1,C1)")
    d = {"R0": 5.0, "R1": 20.0, "C1": 1e-6}
    assert abs(c.impedance(1e9, d) - 5.0) < 2e-4  # 1/(w C) = 1.6e-4 ohm
    assert np.ndim(c.impedance(1.0, d)) == 0
    assert c.as_dict([5.0, 20.0, 1e-6]) == d
    with pytest.raises(InputError, match="missing C1"):
        c.impedance([1.0], {"R0": 5.0, "R1": 20.0})
    with pytest.raises(InputError, match="unknown X"):
        c.impedance([1.0], {**d, "X": 1.0})


@pytest.mark.parametrize("freq", [[1.0, 0.0], [1.0, -5.0], [np.nan], [[1.0, 2.0]], [np.inf]])
def test_bad_frequencies(freq):
    with pytest.raises(InputError, match="frequencies"):
        Circuit("R0").impedance(freq, [1.0])


@pytest.mark.parametrize("params", [[1.0], [1.0, 2.0, 3.0, 4.0], np.ones((2, 2)), np.ones((2, 3, 3)), ["a", 1, 2]])
def test_bad_parameter_shapes(params):
    with pytest.raises(InputError):
        Circuit("R0-p(R1,C1)").impedance([1.0], params)


def test_kinds_bounds_and_checks():
    c = Circuit("R0-p(R1,CPE1)-Zarc2")
    assert c.parameter_kinds == ["positive", "positive", "positive", "exponent", "positive", "positive", "exponent"]
    assert c.log_mask().tolist() == [True, True, True, False, True, True, False]
    lo, hi = c.bounds()
    assert lo.tolist() == [0.0] * 7
    assert hi.tolist() == [np.inf, np.inf, np.inf, 1.0, np.inf, np.inf, 1.0]
    assert c.parameter_labels == ["R", "R", "Q", "n", "R", "tau_k", "gamma"]
    assert c.parameter_elements == ["R0", "R1", "CPE1", "CPE1", "Zarc2", "Zarc2", "Zarc2"]
    assert c.index("CPE1_1") == 3
    good = [1, 2, 1e-6, 0.9, 3, 1e-3, 0.7]
    assert c.check_parameters(good).tolist() == good
    with pytest.raises(InputError, match="CPE1_1"):
        c.check_parameters([1, 2, 1e-6, 1.2, 3, 1e-3, 0.7])
    with pytest.raises(InputError, match="R1"):
        c.check_parameters([1, -2, 1e-6, 0.9, 3, 1e-3, 0.7])
    with pytest.raises(InputError):
        c.index("nope")


def test_every_element_evaluates_in_a_circuit():
    # each opcode reached through a full tree (not only alone)
    text = "-".join(f"p({p}{i},R{i})" for i, p in enumerate(ELEMENTS) if p != "R")
    c = Circuit(text)
    rng = np.random.default_rng(3)
    p = params_for(c, rng)
    assert len(list(iter_elements(c.tree))) == 2 * (len(ELEMENTS) - 1)
    ref = c.numpy_impedance(FREQ, p)
    assert np.max(np.abs(c.impedance(FREQ, p) - ref) / np.abs(ref)) < 1e-12


def test_reciprocal_against_numpy():
    rng = np.random.default_rng(1)
    mag = 10.0 ** rng.uniform(-200, 200, 3000)
    ang = rng.uniform(-np.pi, np.pi, 3000)
    z = np.concatenate([mag * np.exp(1j * ang), [1.0, 1j, -1.0, -1j, 1e-300 + 1e-300j, 1e300 - 1e300j]])
    ours = _kernels.reciprocal_array(z)
    ref = 1.0 / z
    assert np.all(np.isfinite(ours))
    assert np.max(np.abs(ours - ref) / np.abs(ref)) < 1e-15


def test_admittance_flags_mark_the_children_of_parallels():
    c = Circuit("R0-p(R1,CPE1)-p(R2-p(R3,C3),CPE2)-CPE4")
    # program: R0 R1 CPE1 P2 | R2 R3 C3 P2 S2 CPE2 P2 | CPE4 S4
    flags = _kernels.admittance_flags(c._ops, c._args)
    assert list(flags) == [0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0]


@pytest.mark.parametrize("seed", range(8))
def test_parallel_kernel_equals_serial_and_numpy(seed):
    rng = np.random.default_rng(100 + seed)
    c = Circuit(random_tree(rng))
    P = np.array([params_for(c, rng) for _ in range(37)])
    serial = c.impedance(FREQ, P, parallel=False)
    par = c.impedance(FREQ, P, parallel=True)
    assert np.array_equal(serial, par), str(c)
    ref = c.numpy_impedance(FREQ, P)
    assert np.max(np.abs(par - ref) / np.abs(ref)) < 1e-12, str(c)


def test_large_batches_run_in_parallel_by_default():
    from cellsim.circuits.circuit import PARALLEL_MIN_POINTS

    c = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)-CPE3")
    rng = np.random.default_rng(5)
    n = PARALLEL_MIN_POINTS // FREQ.size + 3
    P = np.array([params_for(c, rng) for _ in range(n)])
    z = c.impedance(FREQ, P)  # parallel path
    assert np.array_equal(z, c.impedance(FREQ, P, parallel=False))
    assert np.array_equal(z[n // 2], c.impedance(FREQ, P[n // 2]))


def _batch(n=64, seed=7):
    c = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)-CPE3")
    rng = np.random.default_rng(seed)
    return c, np.array([params_for(c, rng) for _ in range(n)])


def test_batches_run_serially_in_a_sweep_worker(monkeypatch):
    from cellsim import threads

    c, P = _batch()
    ref = c.impedance(FREQ, P, parallel=False)
    monkeypatch.setattr(threads, "_WORKER", [True])

    def no_threads(*a):
        raise AssertionError("the parallel kernel ran in a sweep worker")

    monkeypatch.setattr(_kernels, "evaluate_program_parallel", no_threads)
    assert threads.kernel_threads() == 1
    assert np.array_equal(c.impedance(FREQ, P, parallel=True), ref)
    with pytest.raises(InputError, match="-5"):  # the serial path still checks the frequencies
        c.impedance([1.0, -5.0], P, parallel=True)


def test_one_parallel_batch_at_a_time(monkeypatch):
    """A batch asked for while another parallel batch holds the slot runs serially (same result)."""
    from cellsim import threads

    c, P = _batch()
    ref = c.impedance(FREQ, P, parallel=False)
    monkeypatch.setattr(threads, "kernel_threads", lambda: 2)
    calls = []
    real = _kernels.evaluate_program_parallel
    monkeypatch.setattr(_kernels, "evaluate_program_parallel", lambda *a: calls.append(1) or real(*a))
    with threads.parallel_slot() as first:
        assert first
        with threads.parallel_slot() as second:
            assert not second
        assert np.array_equal(c.impedance(FREQ, P, parallel=True), ref)
        assert calls == []
    assert np.array_equal(c.impedance(FREQ, P, parallel=True), ref)
    assert calls == [1]


def test_concurrent_batches_from_threads_equal_serial():
    from concurrent.futures import ThreadPoolExecutor

    c, P = _batch(n=400)
    ref = c.impedance(FREQ, P, parallel=False)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: c.impedance(FREQ, P, parallel=True), range(8)))
    assert all(np.array_equal(z, ref) for z in results)


def test_kernel_threads_follow_numba():
    import numba

    from cellsim import threads

    n = numba.get_num_threads()
    assert threads.kernel_threads() == n
    numba.set_num_threads(1)
    try:
        assert threads.kernel_threads() == 1
        with threads.parallel_slot() as ok:
            assert not ok
    finally:
        numba.set_num_threads(n)


def test_batch_with_the_workqueue_threading_layer():
    """The default layer of a plain ``pip install`` (no TBB, no OpenMP) runs the batch in threads."""
    import os
    import subprocess
    import sys

    code = ("import numpy as np, numba; from cellsim.circuits import Circuit; "
            "c = Circuit('R0-p(R1,CPE1)'); f = np.logspace(0, 6, 200); "
            "P = np.tile([10.0, 100.0, 1e-6, 0.9], (500, 1)) * np.linspace(1, 2, 500)[:, None]; "
            "P[:, 3] = 0.9; z = c.impedance(f, P, parallel=True); "
            "assert np.array_equal(z, c.impedance(f, P, parallel=False)); print(numba.threading_layer())")
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue", NUMBA_NUM_THREADS="2")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split()[-1] == "workqueue"


def test_vectorised_exp_against_numpy():
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.uniform(-700, 700, 5000), rng.uniform(-1e-8, 1e-8, 100), [0.0, 1.0, -1.0, 708.0, -708.0]])
    for a, b in ((1.0, 0.0), (-0.8, 0.3), (0.5, -2.0)):
        out, bits = np.empty_like(x), np.empty(x.size, dtype=np.int64)
        _kernels.exp_affine(a, b, x, out, bits)
        ref = np.exp(a * x + b)
        assert np.max(np.abs(out - ref) / ref) < 1e-15
    # rows beyond +-708 (overflow, subnormal) or with NaN take the math.exp path
    for row in (np.array([1.0, 800.0]), np.array([1.0, -745.0]), np.array([1.0, np.nan]), np.array([np.inf, -np.inf])):
        out, bits = np.empty_like(row), np.empty(row.size, dtype=np.int64)
        _kernels.exp_affine(1.0, 0.0, row, out, bits)
        with np.errstate(over="ignore"):
            assert np.array_equal(out, np.exp(row), equal_nan=True)


def test_vectorised_log_against_numpy():
    rng = np.random.default_rng(5)
    x = np.concatenate([10.0 ** rng.uniform(-307, 308, 5000), 1.0 + rng.uniform(-1e-6, 1e-6, 100),
                        [1.0, 2.0, 0.5, np.sqrt(2.0), np.nextafter(np.sqrt(2.0), 2), 2.2250738585072014e-308]])
    out, bits = np.empty_like(x), np.empty(x.size, dtype=np.int64)
    _kernels.log_row(x, out, bits)
    ref = np.log(x)
    assert np.max(np.abs(out - ref) / np.maximum(np.abs(ref), 1.0)) < 1e-15
    for row in (np.array([1.0, 0.0]), np.array([1.0, -1.0]), np.array([1.0, 1e-310]), np.array([1.0, np.inf])):
        out, bits = np.empty_like(row), np.empty(row.size, dtype=np.int64)
        with np.errstate(divide="ignore", invalid="ignore"):
            _kernels.log_row(row, out, bits)
            assert np.array_equal(out, np.log(row), equal_nan=True)


@pytest.mark.parametrize("parallel", [False, True])
def test_bad_frequency_named_on_both_paths(parallel):
    with pytest.raises(InputError, match="-5"):
        Circuit("R0-p(R1,C1)").impedance([1.0, 2.0, -5.0, np.nan], np.ones((3, 3)), parallel=parallel)


@pytest.mark.parametrize("text", ["p(p(R1,C1),R2)", "p(R1-p(R2,C2),C1)", "p(R1,p(R2,p(R3,CPE3)))",
                                  "p(Wo1,p(L2,C2)-R3)", "R0-p(p(R1,CPE1),p(R2,CPE2),Zarc3)"])
def test_nested_parallels_against_numpy(text):
    c = Circuit(text)
    rng = np.random.default_rng(len(text))
    P = np.array([params_for(c, rng) for _ in range(5)])
    ref = c.numpy_impedance(FREQ, P)
    assert np.max(np.abs(c.impedance(FREQ, P) - ref) / np.abs(ref)) < 1e-12
