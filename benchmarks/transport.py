"""Benchmark: the transport solver, cellsim vs the same problem as a PyBaMM model (SPEC §5).

Li | 20 um polymer | 1040 um ceramic | 20 um polymer | Li; polymer D = 1e-12 m2/s,
kappa = 1e-2 S/m, t+ = 0.2, c0 = 1000 mol/m3; ceramic 0.06 S/m; ideal interfaces;
1 mA/cm2 for 1 h, output every 10 s. PyBaMM side: :mod:`cellsim.transport.pybamm_reference`
(one concentration per polymer layer on its own domain) solved with ``pybamm.IDAKLUSolver``.

Matched accuracy: for each code the grid and tolerances are searched over a fixed set of
candidates, every candidate whose four face concentrations are within 1e-4 relative of the
exact series of physics.md §2.1.3 at every output time t > 0 qualifies (t = 0 is excluded:
there the face gradient jumps from 0 to its flux value, and PyBaMM's flux-based boundary
extrapolation reports c0 + q dx0 / D), and the fastest qualifying candidate is timed. Both
codes are also checked to agree with each other (voltage and faces within 1e-3).

cellsim has two paths, each matched on its own: the exact eigenmode integration of
galvanostatic steps (``exact_galvanostatic``, leak-free stacks; candidates on both spatial
schemes, the second-order face-refined one and the fourth-order compact one, whose fastest
second-order figure is reported beside the judged one) and the general
time-stepped path (``exact_galvanostatic=False``: what the CCD, every leaky stack and every
potentiostatic step use). The time-stepped path has several schemes (:data:`TS_SCHEMES`:
the integrators of ``SolverOptions.method``, adaptive variable-step BDF2 and the
fourth-order SDIRK4, on the second-order finite volumes, and SDIRK4 on the fourth-order
compact finite volumes, ``SolverOptions.spatial_order = 4``, uniform grids); each is matched
on its own (grid and tolerance searched as above), and the fastest qualifying one is the
time-stepped figure. The CCD engines integrate with BDF2 on the second-order scheme: the
fastest second-order figure is reported beside the judged one
(``ratio_vs_pybamm_solve_second_order``). ``ratio_vs_pybamm_solve`` is judged on the
time-stepped path (target >= 20x), the eigenmode path on its own (target >= 100x);
``time_stepped_methods`` in the JSON has every scheme's figures.

Timings (same process, medians): cellsim (numba compiled) ``simulate`` — stack to
Solution (concentration profiles kept, the default) plus reading the voltage and the four
face concentrations; the time-stepped path also with ``SolverOptions(profiles=False)`` (only
the time series, as PyBaMM's ``output_variables``; reported, not judged) — in two cache states:
"cached" (``simulate`` of the same Stack object again: the discretised problem is reused
from ``solver._problem``'s cache, and with it what the problem keeps: the eigenmodes of its
layers and the prepared protocol (``TransportProblem._plan``: step parameters and output
times per protocol text and output grid); the integration, the output arrays, the Solution
and the read-out are done in every call) and "uncached" (that cache and the eigenmode cache
cleared before every call: the discretisation, the eigenvectors for the eigenmode path and
the protocol plan are built in the timed call); and ``TransportProblem.run`` (discretised
once, same read-out), all on one thread; PyBaMM solve-only (model built and discretised, solver set up; the IDAKLU solve with
``output_variables`` = the voltage and the four face concentrations, PyBaMM's fast path,
plus reading them out) and build+solve (model, mesh,
discretisation, a new solver with its set-up, and the solve). The last line printed is one
JSON object with all figures and ratios.

Candidates are ranked by their shortest of 7 runs (robust to load from other processes on a
shared machine). The reported figures come from ``--repeats`` rounds; in every round each
code runs a block of BLOCK calls, the codes in turn, so that both see the same load. Three
conditions are reported: "warm" (calls 2..BLOCK of each block, back to back as timeit would
run them; the target is judged on this one), "after the other code" (the first call of a
block, on caches the other code has just filled) and "cache flushed" (every call after
touching 64 MB). The last two matter for cellsim, whose whole solve is a few tens of
microseconds of Python and numba dispatch that slow down several-fold on cold caches;
PyBaMM's milliseconds barely change. The machine's load average is printed: on a loaded
machine the medians of both codes spread several-fold, the minima much less.

Run: ``python benchmarks/transport.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
# Both codes run single-threaded: idle OpenMP threads of PyBaMM's compiled solver stack
# (spinning with the default active wait policy) would otherwise compete with the timed solve
# of either code on a 2-core machine. Set before numpy and pybamm are imported.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402


J = 10.0            # 1 mA/cm2 [A/m2]
T_END = 3600.0      # 1 h [s]
DT_OUT = 10.0       # [s]
PROTOCOL = "Plate at 1 mA/cm2 for 1 h"
TOL = 1e-4          # matched accuracy of the face concentrations (relative to the exact series)
AGREE = 1e-3        # the two codes agree (issue 5)
BLOCK = 5           # calls per timed block (the first one right after the other code)
FLUSH_BYTES = 64 * 2**20  # touched before every "cache flushed" call (2x this machine's L3)

PYBAMM_N = (32, 40, 48, 56, 64, 80, 96)
PYBAMM_RTOL = (1e-4, 3e-5, 1e-5, 1e-6, 1e-7, 1e-8)
CELLSIM_N = (24, 32, 40, 48, 64, 80)
CELLSIM_STRETCH = (1.0, 1.5, 2.0, 3.0, 10.0)
CELLSIM_RTOL = (3e-4, 1e-4, 1e-5, 1e-6, 1e-7)
CELLSIM_N4 = (12, 16, 20, 24, 32, 48)   # cells per layer of the fourth-order compact scheme (uniform grids)
#: schemes of the time-stepped path: name -> (SolverOptions.method, SolverOptions.spatial_order)
TS_SCHEMES = {"bdf2": ("bdf2", 2), "sdirk4": ("sdirk4", 2), "sdirk4, compact 4th-order space": ("sdirk4", 4)}


def run_times(fn, repeats: int) -> list[float]:
    """Wall times of ``repeats`` runs of ``fn()`` [s]."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def median_time(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs [s]."""
    return statistics.median(run_times(fn, repeats))


def best_time(fn, repeats: int = 7) -> float:
    """Shortest of ``repeats`` runs [s]: robust to load from other processes (candidate choice)."""
    return min(run_times(fn, repeats))


def face_error(faces, exact) -> float:
    """Max relative error of the four face concentrations against the exact series, t > 0."""
    return max(float(np.max(np.abs(f[1:] / e[1:] - 1.0))) for f, e in zip(faces, exact))


def match_cellsim(stack, exact, t_out, exact_galvanostatic: bool, method: str = "bdf2", spatial_order: int = 2):
    """Cheapest (n_cells, grid_stretch, rtol) whose faces are within TOL of ``exact`` (t > 0),
    with its error and best time [s]; None when no candidate qualifies. Candidates ranked by
    their best of 7 runs; ``method`` is the time integrator (``SolverOptions.method``),
    ``spatial_order`` the finite-volume scheme (4: uniform grids, :data:`CELLSIM_N4` cells)."""
    from cellsim.errors import CellsimError
    from cellsim.transport import SolverOptions, simulate

    found = []
    stretches = CELLSIM_STRETCH if spatial_order == 2 else (1.0,)
    cells = CELLSIM_N if spatial_order == 2 else CELLSIM_N4
    for rtol in CELLSIM_RTOL:
        for stretch in stretches:
            for n in cells:
                opts = SolverOptions(n_cells=n, grid_stretch=stretch, rtol=rtol, atol=1e-2 * rtol,
                                     exact_galvanostatic=exact_galvanostatic, method=method,
                                     spatial_order=spatial_order)
                try:
                    sol = simulate(stack, PROTOCOL, options=opts, output_dt=DT_OUT)
                except CellsimError as exc:
                    print(f"  (cellsim candidate n={n}, stretch={stretch:g}, rtol={rtol:g} failed: {exc})")
                    continue
                if sol.time.shape != t_out.shape or not np.allclose(sol.time, t_out, rtol=0, atol=1e-9):
                    continue
                faces = [sol.face_concentration(f"polymer {k}", s) for k in (1, 2) for s in ("left", "right")]
                err = face_error(faces, exact)
                if err < TOL:
                    t = best_time(lambda: simulate(stack, PROTOCOL, options=opts, output_dt=DT_OUT))
                    found.append((t, n, stretch, rtol, err))
                    break   # finer grids at this (rtol, stretch) only cost more
    if not found:
        return None
    best = min(found)
    return best[1:] + (best[0],)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=21, help="timed repetitions of each solve (median taken)")
    args = ap.parse_args(argv)
    repeats = max(3, args.repeats)

    import pybamm

    from cellsim.transport.pybamm_reference import (DEFAULT_PARAMS, DEFAULT_STRETCH, FACE_KEYS, build_reference,
                                                    exact_face_concentration, solve_built, stack_from_params)

    p = dict(DEFAULT_PARAMS)
    L, D, tp, c0 = p["polymer_thickness"], p["salt_diffusivity"], p["transference_number"], p["salt_concentration"]
    t_out = np.arange(0.0, T_END + DT_OUT / 2, DT_OUT)
    ex_left = exact_face_concentration(t_out, c0, D, tp, L, J, "left")
    ex_right = exact_face_concentration(t_out, c0, D, tp, L, J, "right")
    exact = (ex_left, ex_right, ex_left, ex_right)

    # --- PyBaMM: cheapest candidate at matched accuracy --------------------------------------
    pb_candidates = []
    for rtol in PYBAMM_RTOL:
        for n in PYBAMM_N:
            ref = build_reference(p, n_points_per_layer=n)
            out = solve_built(ref, J, T_END, DT_OUT, rtol=rtol, atol=rtol, parts=False)
            err = face_error([out[k] for k in FACE_KEYS], exact)
            if err < TOL:
                t = best_time(lambda: solve_built(ref, J, T_END, DT_OUT, rtol=rtol, atol=rtol, parts=False))
                pb_candidates.append((t, n, rtol, err))
                break   # finer grids at this rtol only cost more
    if not pb_candidates:
        print("no PyBaMM candidate reached the matched accuracy", file=sys.stderr)
        return 1
    _, pb_n, pb_rtol, pb_err = min(pb_candidates)
    pb_ref = build_reference(p, n_points_per_layer=pb_n)
    pb_out = solve_built(pb_ref, J, T_END, DT_OUT, rtol=pb_rtol, atol=pb_rtol, parts=False)

    def pb_solve():
        return solve_built(pb_ref, J, T_END, DT_OUT, rtol=pb_rtol, atol=pb_rtol, parts=False)

    def pb_build_solve():
        ref = build_reference(p, n_points_per_layer=pb_n)
        return solve_built(ref, J, T_END, DT_OUT, rtol=pb_rtol, atol=pb_rtol, parts=False)

    # the bare integrator call (full state, no outputs extracted), for reference
    pb_solver = pybamm.IDAKLUSolver(rtol=pb_rtol, atol=pb_rtol)
    inputs = {"Current density [A.m-2]": J}

    def pb_integrate():
        return pb_solver.solve(pb_ref.model, t_eval=[0.0, T_END], t_interp=t_out, inputs=inputs)

    pb_integrate()

    pb_solve_times = run_times(pb_solve, repeats)
    t_pb_solve, t_pb_solve_min = statistics.median(pb_solve_times), min(pb_solve_times)
    t_pb_integrate = median_time(pb_integrate, repeats)
    pb_bs_times = run_times(pb_build_solve, max(3, repeats // 3))
    t_pb_build_solve, t_pb_build_solve_min = statistics.median(pb_bs_times), min(pb_bs_times)

    result = {
        "benchmark": "transport",
        "problem": "Li | 20 um polymer | 1040 um ceramic | 20 um polymer | Li, 1 mA/cm2 for 1 h, output every 10 s",
        "matched_face_tolerance": TOL,
        "pybamm_version": pybamm.__version__,
        "pybamm_solver": "IDAKLUSolver",
        "pybamm_points_per_layer": pb_n,
        "pybamm_mesh": f"face-refined (tanh, stretch {DEFAULT_STRETCH:g}), quadratic flux-based face extrapolation",
        "pybamm_rtol": pb_rtol,
        "pybamm_atol": pb_rtol,
        "pybamm_max_face_rel_error": pb_err,
        "pybamm_solve_s": t_pb_solve,
        "pybamm_integrate_only_s": t_pb_integrate,
        "pybamm_build_solve_s": t_pb_build_solve,
        "pybamm_solve_min_s": t_pb_solve_min,
        "pybamm_build_solve_min_s": t_pb_build_solve_min,
        "python": platform.python_version(),
    }

    # --- cellsim --------------------------------------------------------------------------
    try:
        from cellsim.transport import SolverOptions, TransportProblem, simulate
    except ImportError as exc:
        print(f"cellsim's transport solver is not available ({exc}); PyBaMM alone:")
        print(f"  PyBaMM {pybamm.__version__} IDAKLU, {pb_n} cells/layer, rtol = atol = {pb_rtol:g}: "
              f"face error {pb_err:.2e}; solve {t_pb_solve * 1e3:.2f} ms, build+solve {t_pb_build_solve * 1e3:.1f} ms")
        result["cellsim_available"] = False
        print(json.dumps(result))
        return 0

    stack = stack_from_params(p)
    from cellsim.transport import solver as solver_module

    def clear_caches():
        solver_module._PROBLEMS.clear()
        solver_module._layer_modes.cache_clear()
        solver_module._compact_layer_modes.cache_clear()

    ts_found = {}
    for scheme, (method, order) in TS_SCHEMES.items():
        m = match_cellsim(stack, exact, t_out, exact_galvanostatic=False, method=method, spatial_order=order)
        if m is None:
            print(f"  (no time-stepped {scheme} candidate reached the matched accuracy)")
            continue
        n_, st_, rt_, err_, tbest = m
        o_ = SolverOptions(n_cells=n_, grid_stretch=st_, rtol=rt_, atol=1e-2 * rt_, exact_galvanostatic=False,
                           method=method, spatial_order=order)
        s_ = simulate(stack, PROTOCOL, options=o_, output_dt=DT_OUT)
        if s_.stats.get("time_steps", 0) <= 0:
            print(f"the time-stepped {scheme} candidate took no time steps", file=sys.stderr)
            return 1
        ts_found[scheme] = dict(n=n_, stretch=st_, rtol=rt_, err=err_, best=tbest, opts=o_, sol=s_, order=order)
    if not ts_found:
        print("no time-stepped cellsim candidate reached the matched accuracy", file=sys.stderr)
        return 1
    ts_method = min(ts_found, key=lambda k: ts_found[k]["best"])  # fastest qualifying scheme
    ts_n, ts_stretch, ts_rtol, ts_err = (ts_found[ts_method][k] for k in ("n", "stretch", "rtol", "err"))
    ts_opts, ts_sol = ts_found[ts_method]["opts"], ts_found[ts_method]["sol"]

    # the eigenmode path on both spatial schemes (time-stepped steps, if any: BDF2 / SDIRK4)
    cs_candidates = []
    for order, method in ((2, "bdf2"), (4, "sdirk4")):
        m = match_cellsim(stack, exact, t_out, exact_galvanostatic=True, method=method, spatial_order=order)
        if m is not None:
            n_, st_, rt_, err_, tbest = m
            cs_candidates.append((tbest, n_, st_, rt_, err_, order))
    if not cs_candidates:
        print("no cellsim candidate reached the matched accuracy", file=sys.stderr)
        return 1
    _, cs_n, cs_stretch, cs_rtol, cs_err, cs_order = min(cs_candidates)
    opts = SolverOptions(n_cells=cs_n, grid_stretch=cs_stretch, rtol=cs_rtol, atol=1e-2 * cs_rtol,
                         method="sdirk4" if cs_order == 4 else "bdf2", spatial_order=cs_order)
    # the fastest second-order eigenmode candidate, reported beside the judged one
    c2 = min((c for c in cs_candidates if c[5] == 2), default=None)
    opts2 = None if c2 is None else SolverOptions(n_cells=c2[1], grid_stretch=c2[2], rtol=c2[3], atol=1e-2 * c2[3])
    sol = simulate(stack, PROTOCOL, options=opts, output_dt=DT_OUT)
    problem = TransportProblem(stack, opts)

    # the two codes agree (t > 0: at t = 0 cellsim reports the rest state before the step)
    agree_v = float(np.max(np.abs(sol.voltage[1:] / pb_out["voltage_V"][1:] - 1)))
    agree_c = max(float(np.max(np.abs(sol.face_concentration(f"polymer {k}", s)[1:]
                                      / pb_out[f"c_polymer_{k}_{s}_mol_m3"][1:] - 1)))
                  for k in (1, 2) for s in ("left", "right"))
    if not (agree_v < AGREE and agree_c < AGREE):
        print(f"cellsim and PyBaMM disagree: voltage {agree_v:.2e}, faces {agree_c:.2e}", file=sys.stderr)
        return 1

    # What is timed on the cellsim side: the Solution plus the same five outputs PyBaMM's
    # solve_built reads out (voltage and the four face concentrations).
    faces = [(f"polymer {k}", s) for k in (1, 2) for s in ("left", "right")]

    def cs_simulate():
        out = simulate(stack, PROTOCOL, options=opts, output_dt=DT_OUT)
        return out.voltage, [out.face_concentration(l, s) for l, s in faces]

    def cs_run():
        out = problem.run(PROTOCOL, output_dt=DT_OUT)
        return out.voltage, [out.face_concentration(l, s) for l, s in faces]

    def cs_uncached():
        clear_caches()
        return cs_simulate()

    def cs_second_order():
        out = simulate(stack, PROTOCOL, options=opts2, output_dt=DT_OUT)
        return out.voltage, [out.face_concentration(l, s) for l, s in faces]

    def cs_ts():
        out = simulate(stack, PROTOCOL, options=ts_opts, output_dt=DT_OUT)
        return out.voltage, [out.face_concentration(l, s) for l, s in faces]

    def ts_runner(o_):
        def fn():
            out = simulate(stack, PROTOCOL, options=o_, output_dt=DT_OUT)
            return out.voltage, [out.face_concentration(l, s) for l, s in faces]
        return fn

    def cs_ts_uncached():
        clear_caches()
        return cs_ts()

    # the same with SolverOptions(profiles=False): no concentration profiles kept, only the
    # time series, as PyBaMM's output_variables (reported, not judged)
    ts_opts_np = dataclasses.replace(ts_opts, profiles=False)

    def cs_ts_no_profiles():
        out = simulate(stack, PROTOCOL, options=ts_opts_np, output_dt=DT_OUT)
        return out.voltage, [out.face_concentration(l, s) for l, s in faces]

    agree_ts_v = float(np.max(np.abs(ts_sol.voltage[1:] / pb_out["voltage_V"][1:] - 1)))
    if not agree_ts_v < AGREE:
        print(f"cellsim (time-stepped) and PyBaMM disagree: voltage {agree_ts_v:.2e}", file=sys.stderr)
        return 1

    # Rounds of blocks, every block BLOCK calls of one code, the codes in turn, so that both
    # see the same load from other processes. The first call of a block runs right after the
    # other code (its caches hold the other code's data: "after the other code"); the others
    # run back to back ("warm", as timeit measures). A third figure flushes the CPU caches
    # (touching FLUSH_BYTES) before every call of either code ("cache flushed").
    fns = {"cs_ts": cs_ts, "cs_ts_uncached": cs_ts_uncached, "cs_ts_no_profiles": cs_ts_no_profiles,
           "cs": cs_simulate, "cs_uncached": cs_uncached, "cs_run": cs_run, "pb_solve": pb_solve,
           "pb_integrate": pb_integrate}
    for method, rec in ts_found.items():  # every scheme at its own matched candidate
        fns[f"cs_ts_{method}"] = ts_runner(rec["opts"])
    if opts2 is not None:
        fns["cs_2"] = cs_second_order
    warm = {k: [] for k in fns}
    after_other = {k: [] for k in fns}
    flushed = {k: [] for k in ("cs", "pb_solve")}
    flush_buf = np.ones(FLUSH_BYTES // 8)

    def flush():
        flush_buf[::8] += 1.0  # one write per 64-byte line

    for _ in range(repeats):
        for key, fn in fns.items():
            times = run_times(fn, BLOCK)
            after_other[key].append(times[0])
            warm[key] += times[1:]
    for _ in range(repeats):  # a loop of its own: a flush must not precede an "after the other code" call
        for key, fn in (("cs", cs_simulate), ("pb_solve", pb_solve)):
            flush()
            flushed[key] += run_times(fn, 1)
    med = {k: statistics.median(v) for k, v in warm.items()}
    t_pb_solve, t_pb_solve_min = med["pb_solve"], min(warm["pb_solve"])
    t_pb_integrate = med["pb_integrate"]
    t_cs, t_cs_min = med["cs"], min(warm["cs"])
    t_cs_run, t_cs_run_min = med["cs_run"], min(warm["cs_run"])
    t_after = {k: statistics.median(v) for k, v in after_other.items()}
    t_flush = {k: statistics.median(v) for k, v in flushed.items()}
    result.update({"pybamm_solve_s": t_pb_solve, "pybamm_solve_min_s": t_pb_solve_min,
                   "pybamm_integrate_only_s": t_pb_integrate})
    steps = int(sol.stats.get("time_steps", -1))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    result["load_average_1min"] = load
    print(f"transport benchmark: {result['problem']}  (load average {load:.1f}, {os.cpu_count()} CPUs)")
    print(f"matched accuracy: face concentrations within {TOL:g} of the exact series (physics.md §2.1.3), t > 0")
    print(f"  PyBaMM {pybamm.__version__} IDAKLU: {pb_n} cells/layer, rtol = atol = {pb_rtol:g}  -> max error {pb_err:.2e}")
    print(f"  cellsim: {cs_n} cells/layer, grid_stretch {cs_stretch:g}, spatial order {cs_order}, rtol {cs_rtol:g}, "
          f"atol {1e-2 * cs_rtol:g}, time steps (solver stats) {steps}  -> max error {cs_err:.2e}")
    if c2 is not None:
        print(f"  cellsim, second-order scheme: {c2[1]} cells/layer, grid_stretch {c2[2]:g}, rtol {c2[3]:g}  "
              f"-> max error {c2[4]:.2e}")
    for method, rec in ts_found.items():
        mark = "  <- fastest" if method == ts_method else ""
        print(f"  cellsim time-stepped ({method}): {rec['n']} cells/layer, grid_stretch {rec['stretch']:g}, "
              f"rtol {rec['rtol']:g}, atol {1e-2 * rec['rtol']:g}, time steps "
              f"{int(rec['sol'].stats.get('time_steps', -1))}  -> max error {rec['err']:.2e}{mark}")
    print(f"  cellsim vs PyBaMM: voltage {agree_v:.1e}, faces {agree_c:.1e} (relative, max over t > 0)")
    print(f"  medians over {repeats} rounds of {BLOCK}-call blocks [ms]:      warm   after the other code   cache flushed")
    rows = [("PyBaMM IDAKLU, solve (model built)", "pb_solve"),
            ("PyBaMM IDAKLU, integrator call only", "pb_integrate"),
            (f"cellsim time-stepped simulate ({ts_method}), cached", "cs_ts"),
            ("cellsim time-stepped simulate, uncached", "cs_ts_uncached"),
            ("cellsim time-stepped, cached, profiles not kept", "cs_ts_no_profiles"),
            ("cellsim eigenmode simulate, cached problem", "cs"),
            ("cellsim eigenmode simulate, uncached", "cs_uncached"),
            ("cellsim eigenmode TransportProblem.run", "cs_run")]
    if opts2 is not None:
        rows.append(("cellsim eigenmode, second-order scheme, cached", "cs_2"))
    rows += [(f"  time-stepped {method}, cached problem", f"cs_ts_{method}") for method in ts_found]
    for name, key in rows:
        fl = f"{t_flush[key] * 1e3:10.3f}" if key in t_flush else f"{'':10s}"
        print(f"  {name:<46s} {med[key] * 1e3:10.3f} {t_after[key] * 1e3:14.3f} {fl:>19s}   "
              f"(warm min {min(warm[key]) * 1e3:.3f}, max {max(warm[key]) * 1e3:.3f})")
    print(f"  {'PyBaMM IDAKLU, build + solve':<46s} {t_pb_build_solve * 1e3:10.3f}")
    print("  warm [min, max] [ms]: " + "; ".join(
        f"{name} [{min(warm[key]) * 1e3:.3f}, {max(warm[key]) * 1e3:.3f}]"
        for name, key in (("PyBaMM solve", "pb_solve"), ("eigenmode cached", "cs"),
                          ("eigenmode uncached", "cs_uncached"), ("time-stepped cached", "cs_ts"))))
    ratio = t_pb_solve / t_cs
    ratio_after = t_after["pb_solve"] / t_after["cs"]
    ratio_flush = t_flush["pb_solve"] / t_flush["cs"]
    ratio_ts = t_pb_solve / med["cs_ts"]
    ratio_ts_unc = t_pb_solve / med["cs_ts_uncached"]
    ratio_unc = t_pb_solve / med["cs_uncached"]
    ts_methods = {}
    for method, rec in ts_found.items():
        key = f"cs_ts_{method}"
        ts_methods[method] = {
            "method": rec["opts"].method, "spatial_order": rec["order"],
            "n_cells": rec["n"], "grid_stretch": rec["stretch"], "rtol": rec["rtol"], "atol": 1e-2 * rec["rtol"],
            "max_face_rel_error": rec["err"], "time_steps": int(rec["sol"].stats.get("time_steps", -1)),
            "cached_s": med[key], "cached_min_s": min(warm[key]), "cached_max_s": max(warm[key]),
            "ratio_vs_pybamm_solve": t_pb_solve / med[key]}
        print(f"  time-stepped {method}: {t_pb_solve / med[key]:.1f}x PyBaMM solve (median "
              f"{med[key] * 1e3:.3f} ms, min {min(warm[key]) * 1e3:.3f}, max {max(warm[key]) * 1e3:.3f})")
    print(f"  fastest qualifying time-stepped scheme: {ts_method}")
    second = [k for k in ts_found if ts_found[k]["order"] == 2]
    ratio_ts_2 = max((ts_methods[k]["ratio_vs_pybamm_solve"] for k in second), default=float("nan"))
    print(f"  fastest second-order time-stepped scheme (the CCD engines' finite volumes): {ratio_ts_2:.1f}x "
          f"PyBaMM solve (reported, not judged)")
    ratio_ts_np = t_pb_solve / med["cs_ts_no_profiles"]
    print(f"  time-stepped with SolverOptions(profiles=False) (the time series only, as PyBaMM's output_variables): "
          f"{ratio_ts_np:.1f}x PyBaMM solve (reported, not judged)")
    print(f"  TIME-STEPPED path vs PyBaMM solve: {ratio_ts:.1f}x cached problem, {ratio_ts_unc:.1f}x uncached "
          f"(target >= 20x: {'met' if ratio_ts >= 20 else 'NOT met'}; best-of-runs "
          f"{t_pb_solve_min / min(warm['cs_ts']):.1f}x)")
    print(f"  EIGENMODE path vs PyBaMM solve: {ratio:.1f}x cached problem, {ratio_unc:.1f}x uncached (target >= 100x: "
          f"{'met' if ratio >= 100 else 'NOT met'}; best-of-runs {t_pb_solve_min / t_cs_min:.1f}x); "
          f"{ratio_after:.1f}x each right after the other code; {ratio_flush:.1f}x both after a cache flush")
    ratio_2 = t_pb_solve / med["cs_2"] if opts2 is not None else float("nan")
    print(f"  eigenmode path on the second-order scheme: {ratio_2:.1f}x PyBaMM solve (reported, not judged)")
    print(f"  vs PyBaMM build+solve: {t_pb_build_solve / t_cs:.0f}x; discretised once on both sides "
          f"(TransportProblem.run vs PyBaMM solve): {t_pb_solve / t_cs_run:.1f}x warm")
    if ratio_after < 100 or ratio_flush < 100:
        print("  note: on cold caches cellsim's fixed cost (Python, numba dispatch) grows several-fold while "
              "PyBaMM's solve changes little; the warm figure is the one judged against the target")
    result.update({
        "cellsim_available": True,
        "cellsim_n_cells": cs_n,
        "cellsim_grid_stretch": cs_stretch,
        "cellsim_rtol": cs_rtol,
        "cellsim_spatial_order": cs_order,
        "eigenmode_ratio_second_order": ratio_2,
        "cellsim_atol": 1e-2 * cs_rtol,
        "cellsim_time_steps": steps,
        "cellsim_max_face_rel_error": cs_err,
        "agreement_voltage_rel": agree_v,
        "agreement_face_rel": agree_c,
        "cellsim_simulate_s": t_cs,
        "cellsim_run_s": t_cs_run,
        "cellsim_simulate_min_s": t_cs_min,
        "ratio_min_vs_pybamm_solve_min": t_pb_solve_min / t_cs_min,
        "ratio_vs_pybamm_solve": ratio_ts,
        "ratio_vs_pybamm_solve_uncached": ratio_ts_unc,
        "ratio_vs_pybamm_solve_no_profiles": ratio_ts_np,
        "time_stepped_method": ts_method,
        "time_stepped_spatial_order": ts_found[ts_method]["order"],
        "ratio_vs_pybamm_solve_second_order": ratio_ts_2,
        "time_stepped_methods": ts_methods,
        "time_stepped_cached_min_s": min(warm["cs_ts"]),
        "time_stepped_cached_max_s": max(warm["cs_ts"]),
        "pybamm_solve_max_s": max(warm["pb_solve"]),
        "time_stepped_n_cells": ts_n,
        "time_stepped_grid_stretch": ts_stretch,
        "time_stepped_rtol": ts_rtol,
        "time_stepped_max_face_rel_error": ts_err,
        "time_stepped_time_steps": int(ts_sol.stats.get("time_steps", -1)),
        "time_stepped_cached_s": med["cs_ts"],
        "time_stepped_uncached_s": med["cs_ts_uncached"],
        "agreement_time_stepped_voltage_rel": agree_ts_v,
        "eigenmode_ratio_vs_pybamm_solve": ratio,
        "eigenmode_ratio_vs_pybamm_solve_uncached": ratio_unc,
        "eigenmode_uncached_s": med["cs_uncached"],
        "eigenmode_cached_min_s": min(warm["cs"]),
        "eigenmode_cached_max_s": max(warm["cs"]),
        "eigenmode_uncached_min_s": min(warm["cs_uncached"]),
        "eigenmode_uncached_max_s": max(warm["cs_uncached"]),
        "ratio_vs_pybamm_build_solve": t_pb_build_solve / t_cs,
        "ratio_vs_pybamm_integrate_only": t_pb_integrate / t_cs,
        "ratio_run_vs_pybamm_solve": t_pb_solve / t_cs_run,
        "cellsim_run_min_s": t_cs_run_min,
        "ratio_run_min_vs_pybamm_solve_min": t_pb_solve_min / t_cs_run_min,
        "timing": f"warm: medians of calls 2..{BLOCK} of {BLOCK}-call blocks, the codes in turn",
        "cellsim_simulate_after_other_code_s": t_after["cs"],
        "pybamm_solve_after_other_code_s": t_after["pb_solve"],
        "ratio_after_other_code": ratio_after,
        "cellsim_simulate_cache_flushed_s": t_flush["cs"],
        "pybamm_solve_cache_flushed_s": t_flush["pb_solve"],
        "ratio_cache_flushed": ratio_flush,
        "target_ratio_time_stepped": 20,
        "target_ratio_eigenmode": 100,
        "target_met": bool(ratio_ts >= 20 and ratio >= 100),
        "ratio": ratio_ts,
    })
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
