"""A run continued from an earlier one with the solver's step memory (``TransportProblem.run(memory=)``)."""

import numpy as np
import pytest

from cellsim.constants import F
from cellsim.errors import InputError
from cellsim.transport import SolverOptions, TransportProblem
from cellsim.transport import _kernels as K
from cellsim.transport.protocol import Protocol, Step

from .stacks import benchmark_stack, exact_face

J = 10.0  # 1 mA/cm2 [A/m2]
OPTS = SolverOptions(n_cells=24, grid_stretch=1.5, rtol=1e-5, atol=1e-7, exact_galvanostatic=False)


def _pieces(prob, n, total, memory_on, leak=None):
    """``total`` [s] at J in ``n`` runs, each from the last one's state (and memory); the
    leak conductance ``leak(k)`` [S/m2] set before run k. Returns the right face of P1 at
    the end of every run [mol/m3] and the time steps taken."""
    state = memory = None
    faces, steps = [], 0
    for k in range(n):
        if leak is not None:
            prob.set_leakage(leak(k))
        sol = prob.run(Protocol([Step("current", J, duration=total / n)]), output_dt=total / n, state=state,
                       memory=memory if memory_on else None)
        state, memory = sol.final_state, sol.step_memory
        faces.append(sol.face_concentration("P1", "right")[-1])
        steps += sol.stats["time_steps"]
    return np.array(faces), steps


def test_pieces_with_memory_follow_the_exact_face_with_fewer_steps():
    """10 min of plating as 10 runs of 1 min: with the memory each run goes on with the step
    size and error estimate the last one had (no restart from a small step); the depleting
    face stays as close to the exact series as in one run, in about half the steps."""
    stack = benchmark_stack()
    p = stack.layers[0].material
    D, tp, c0 = p.get("salt_diffusivity"), p.get("transference_number"), p.get("salt_concentration")
    exact = exact_face(np.arange(1, 11) * 60.0, c0, (1 - tp) * J / F, 20e-6, D)
    prob = TransportProblem(stack, OPTS)
    one = prob.run(Protocol([Step("current", J, duration=600.0)]), output_dt=60.0)
    err_one = np.max(np.abs(one.face_concentration("P1", "right")[1:] / exact - 1))
    with_mem, n_mem = _pieces(prob, 10, 600.0, True)
    without, n_fresh = _pieces(prob, 10, 600.0, False)
    err_mem = np.max(np.abs(with_mem / exact - 1))
    err_fresh = np.max(np.abs(without / exact - 1))
    # measured: one run 9.9e-5 (24 cells), the pieces with memory 7.7e-5, without 9.4e-5
    assert err_mem < 1.2 * err_one and err_fresh < 1.2 * err_one
    # measured: 204 steps with memory, 441 without (one run: 190)
    assert n_mem < 0.6 * n_fresh


def test_a_new_leak_between_runs_is_allowed_for_in_the_first_step():
    """A leak that changes between runs makes the ionic current, and with it the face values
    (their flux-slope term), jump where the carried history ends; the first step's error
    estimate shifts the history by that jump, so the run neither stalls nor loses accuracy."""
    prob = TransportProblem(benchmark_stack(), OPTS)
    leak = lambda k: 0.05 * (1 + k)   # S/m2: 5 to 50 % of the ionic conductance of the stack
    with_mem, n_mem = _pieces(prob, 10, 600.0, True, leak)
    without, n_fresh = _pieces(prob, 10, 600.0, False, leak)
    tight = TransportProblem(benchmark_stack(), SolverOptions(n_cells=24, grid_stretch=1.5, rtol=1e-9, atol=1e-11,
                                                             exact_galvanostatic=False))
    ref, _ = _pieces(tight, 10, 600.0, False, leak)
    # measured against rtol 1e-9: 3.02e-4 with memory, 3.05e-4 without (the global error of
    # rtol 1e-5 in the first minutes of depletion, the same with and without)
    err_mem = np.max(np.abs(with_mem / ref - 1))
    err_fresh = np.max(np.abs(without / ref - 1))
    assert err_mem < 1.1 * err_fresh
    # measured: 383 steps with memory, 516 without
    assert n_mem < 0.85 * n_fresh


def test_memory_saved_and_loaded():
    """save_memory keeps the next step, current and the two older history points (times
    relative to the end); load_memory restores them (BDF2) or only the step (SDIRK4)."""
    P, nK = 2, 3
    st = np.zeros(20)
    st[1], st[3], st[4] = 2.5, 3, -7.0
    th = np.array([4.0, 6.0, 9.0])
    fh = np.arange(12.0).reshape(3, 4)
    eh = -np.arange(9.0).reshape(3, 3)
    mem = np.empty(K.memory_size(P, nK))
    K.save_memory(st, th, fh, eh, mem)
    assert mem.size == 5 + 4 * P + 2 * nK
    st2, th2, fh2, eh2 = np.zeros(20), np.zeros(3), np.zeros((3, 4)), np.zeros((3, 3))
    K.load_memory(mem, True, st2, th2, fh2, eh2)
    assert (st2[1], st2[3], st2[K.ST_CARRIED], st2[K.ST_J_CARRIED], st2[4]) == (2.5, 3.0, 1.0, -7.0, 0.0)
    np.testing.assert_array_equal(th2, [-5.0, -3.0, 0.0])
    np.testing.assert_array_equal(fh2[:2], fh[:2])
    np.testing.assert_array_equal(eh2[:2], eh[:2])
    st3, th3 = np.zeros(20), np.zeros(3)
    K.load_memory(mem, False, st3, th3, np.zeros((3, 4)), np.zeros((3, 3)))
    assert st3[1] == 2.5 and st3[3] == 0.0 and st3[K.ST_CARRIED] == 0.0 and not th3.any()


def test_a_memory_of_another_problem_is_refused():
    prob = TransportProblem(benchmark_stack(), OPTS)
    sol = prob.run(Protocol([Step("current", J, duration=60.0)]))
    state = sol.final_state
    for bad in (sol.step_memory[:-1], np.zeros_like(sol.step_memory), np.full_like(sol.step_memory, np.nan)):
        with pytest.raises(InputError, match="memory"):
            prob.run(Protocol([Step("current", J, duration=60.0)]), state=state, memory=bad)
