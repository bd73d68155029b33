"""Benchmark (SPEC §5, "circuit fitting"): cellsim.fitting.fit vs impedance.py CustomCircuit.fit.

Circuit R0-p(R1,CPE1)-p(R2,CPE2)-CPE3, true parameters
[10, 100, 1e-8, 0.90, 500, 1e-6, 0.80, 5e-5, 0.80], 60 log-spaced frequencies 1 Hz..3 MHz,
data Z + 0.01 |Z| (n1 + j n2), n1 and n2 two successive ``standard_normal(60)`` draws of
``numpy.random.default_rng(seed)``, seeds 0..19; initial guess
[20, 50, 5e-8, 0.85, 1000, 5e-7, 0.85, 1e-4, 0.85]; modulus weighting (impedance.py:
``weight_by_modulus=True``, i.e. sigma = |Z|).

"Reached the optimum": the weighted cost sum |Z_fit - Z|^2/|Z|^2 is within 1.01x of the
reference cost, the lower of the costs of fits started at the true values by either code.
Timings are wall-clock per fit (median over the seeds), both codes in this one process,
after one warm-up fit each (numba compilation and imports excluded), with a
single-threaded BLAS for both (set below, before numpy is imported).

Run: ``python benchmarks/circuit_fitting.py``. The last line is one JSON object.
"""

from __future__ import annotations

import os

# Both codes solve small dense problems; a multi-threaded BLAS on a shared machine makes
# every small SVD/solve (scipy's least_squares and curve_fit) up to 100x slower through
# thread contention, so the comparison runs both on a single-threaded BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
TRUE = [10, 100, 1e-8, 0.90, 500, 1e-6, 0.80, 5e-5, 0.80]
GUESS = [20, 50, 5e-8, 0.85, 1000, 5e-7, 0.85, 1e-4, 0.85]
SEEDS = range(20)
TOL = 1.01


def data(seed: int):
    from cellsim.circuits import Circuit

    f = np.logspace(0, np.log10(3e6), 60)
    z = Circuit(CIRCUIT).impedance(f, TRUE)
    rng = np.random.default_rng(seed)
    n1 = rng.standard_normal(60)
    n2 = rng.standard_normal(60)
    return f, z + 0.01 * np.abs(z) * (n1 + 1j * n2)


def cost(z_fit, z) -> float:
    return float(np.sum(np.abs(z_fit - z) ** 2 / np.abs(z) ** 2))


def cellsim_fit(f, z, guess):
    from cellsim.fitting import fit

    r = fit(CIRCUIT, f, z, guess=guess, weight="modulus")
    return r.z_fit, r.success


def impedance_fit(f, z, guess):
    from impedance.models.circuits import CustomCircuit

    m = CustomCircuit(CIRCUIT, initial_guess=list(guess))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            m.fit(f, z, weight_by_modulus=True)
        except RuntimeError:  # curve_fit gives up: counts as not reached
            return None, False
    return m.predict(f), True


def timed(fn, *a):
    t0 = time.perf_counter()
    out = fn(*a)
    return out, time.perf_counter() - t0


def main() -> None:
    from cellsim.fitting import fit

    f0, z0 = data(0)
    cellsim_fit(f0, z0, GUESS)  # warm-up (numba compile / cache load)
    fit(CIRCUIT, f0, z0)
    impedance_fit(f0, z0, GUESS)

    rows = []
    for seed in SEEDS:
        f, z = data(seed)
        refs = []
        (zc, _), _ = timed(cellsim_fit, f, z, TRUE)
        refs.append(cost(zc, z))
        (zi, ok), _ = timed(impedance_fit, f, z, TRUE)
        if ok:
            refs.append(cost(zi, z))
        ref = min(refs)
        (zc, c_ok), t_c = timed(cellsim_fit, f, z, GUESS)
        (zi, i_ok), t_i = timed(impedance_fit, f, z, GUESS)
        (za, a_ok), t_a = timed(cellsim_fit, f, z, None)
        c_cost = cost(zc, z)
        i_cost = cost(zi, z) if i_ok else float("inf")
        a_cost = cost(za, z)
        rows.append(dict(seed=seed, ref=ref, cellsim=c_cost, impedance=i_cost, auto=a_cost,
                         t_cellsim=t_c, t_impedance=t_i, t_auto=t_a,
                         ok_cellsim=c_cost <= TOL * ref, ok_impedance=i_cost <= TOL * ref,
                         ok_auto=a_cost <= TOL * ref))

    print(f"{'seed':>4}  {'ref cost':>10}  {'cellsim/ref':>11}  {'imp.py/ref':>10}  {'auto/ref':>9}  "
          f"{'t cellsim':>10}  {'t imp.py':>10}  {'t auto':>9}")
    for r in rows:
        print(f"{r['seed']:>4}  {r['ref']:>10.5g}  {r['cellsim'] / r['ref']:>11.4f}  {r['impedance'] / r['ref']:>10.4f}  "
              f"{r['auto'] / r['ref']:>9.4f}  {r['t_cellsim'] * 1e3:>8.2f}ms  {r['t_impedance'] * 1e3:>8.1f}ms  "
              f"{r['t_auto'] * 1e3:>7.2f}ms")
    n_c = sum(r["ok_cellsim"] for r in rows)
    n_i = sum(r["ok_impedance"] for r in rows)
    n_a = sum(r["ok_auto"] for r in rows)
    med_c = float(np.median([r["t_cellsim"] for r in rows]))
    med_i = float(np.median([r["t_impedance"] for r in rows]))
    med_a = float(np.median([r["t_auto"] for r in rows]))
    print()
    print(f"reached the optimum (cost <= {TOL} x reference): cellsim {n_c}/{len(rows)}, impedance.py {n_i}/{len(rows)}, "
          f"cellsim automatic guess {n_a}/{len(rows)}")
    print(f"median time per fit: cellsim {med_c * 1e3:.2f} ms, impedance.py {med_i * 1e3:.1f} ms "
          f"(ratio {med_i / med_c:.1f}x), cellsim automatic guess {med_a * 1e3:.2f} ms")
    print(json.dumps({
        "benchmark": "circuit_fitting", "circuit": CIRCUIT, "n_spectra": len(rows),
        "cellsim_reached": n_c, "impedance_py_reached": n_i, "cellsim_auto_reached": n_a,
        "cellsim_median_s": med_c, "impedance_py_median_s": med_i, "cellsim_auto_median_s": med_a,
        "speedup_median": med_i / med_c, "speedup_auto_median": med_i / med_a,
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "target_reached": "20/20", "target_speedup": 30.0,
        "targets_met": bool(n_c == len(rows) and n_a == len(rows) and med_i / med_c >= 30.0),
    }))


if __name__ == "__main__":
    main()
