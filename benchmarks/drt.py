"""Benchmark: cellsim.fitting.drt vs pyimpspec's DRT (TR-RBF and TR-NNLS) on the same data.

Cases
-----
* ``two_zarc_81``, ``two_zarc_300``, ``two_zarc_2000``: R0-Zarc1-Zarc2 with R0 = 5 ohm, (R1, tau1, g1) =
  (40 ohm, 1e-5 s, 0.9), (R2, tau2, g2) = (120 ohm, 0.1 s, 0.85), 81, 300 or 2,000 log-spaced
  points 1 MHz..10 mHz, Z + 0.001 |Z| (n1 + j n2) with n1, n2 two successive
  ``standard_normal`` draws of ``numpy.random.default_rng(0)``. Known answer: peaks at
  tau1, tau2 with heights gamma_max = R/(2 pi) cot((1 - g) pi/2) (the Fuoss-Kirkwood
  distribution of a Zarc at its centre): 40.2 and 79.5 ohm.
* ``commercial_li_ion``: the measured file ../shared/data/eis/commercial-li-ion_drt-benchmark.txt
  (107 points, inductive at the top; skipped when the folder is absent).

Methods
-------
* cellsim: ``drt(f, z)`` (Tikhonov + NNLS, second-difference penalty, lambda by GCV, a series
  L when a point is inductive).
* pyimpspec TR-RBF (``calculate_drt_tr_rbf``: Gaussian RBF discretisation, complex data,
  lambda by its default "mgcv" cross-validation; ``inductance=True`` on the inductive file;
  the same method as pyDRTtools; needs a convex optimiser, kvxopt).
* pyimpspec TR-NNLS (``calculate_drt_tr_nnls``: Kulikovsky's real-part method, lambda chosen
  automatically).

pyimpspec's methods take minutes per call at 2,000 points (their matrices grow with the
number of points: one RBF or tau per point), so there they run only with ``--peer-2000``;
by default they run on the 81- and 300-point cases.

Timings are wall-clock per call, rounds interleaved (cellsim, pyimpspec, cellsim, ...) after
one warm-up call each, single-threaded BLAS for all (set before numpy is imported); medians
with min and max; ratio = pyimpspec median / cellsim median (> 1: cellsim faster).
Peaks are each method's own peak list (tau, gamma); for the synthetic cases the peak nearest
each true tau is scored by |log10(tau_peak/tau_true)| [decades] and gamma_peak/gamma_max - 1.

Run: ``python benchmarks/drt.py [--repeats N] [--peer-2000]``. The last line is one JSON object.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / ".." / "shared" / "data" / "eis" / "commercial-li-ion_drt-benchmark.txt"
CIRCUIT = "R0-Zarc1-Zarc2"
TRUE = [5.0, 40.0, 1e-5, 0.9, 120.0, 0.1, 0.85]
TAUS = (1e-5, 0.1)
GMAX = tuple(r / (2 * math.pi) / math.tan((1 - g) * math.pi / 2) for r, g in ((40.0, 0.9), (120.0, 0.85)))


def synthetic(n: int):
    from cellsim.circuits import Circuit

    f = np.logspace(6, -2, n)
    z = Circuit(CIRCUIT).impedance(f, TRUE)
    rng = np.random.default_rng(0)
    n1 = rng.standard_normal(n)
    n2 = rng.standard_normal(n)
    return f, z + 0.001 * np.abs(z) * (n1 + 1j * n2)


def run_cellsim(f, z, inductive):
    from cellsim.fitting import drt

    d = drt(f, z)
    return [(p["tau_s"], p["gamma_ohm"]) for p in d.peaks], {"r_inf_ohm": d.r_inf, "inductance_H": d.inductance,
                                                              "lambda": d.lam}


def _dataset(f, z):
    from pyimpspec import DataSet

    return DataSet(np.asarray(f, dtype=float), np.asarray(z, dtype=complex))


def run_rbf(f, z, inductive):
    from pyimpspec.analysis.drt import calculate_drt_tr_rbf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = calculate_drt_tr_rbf(_dataset(f, z), inductance=bool(inductive), num_procs=1)
    tau, gam = r.get_peaks()
    return [(float(t), float(g)) for t, g in zip(tau, gam)], {"lambda": float(r.lambda_value)}


def run_nnls(f, z, inductive):
    from pyimpspec.analysis.drt import calculate_drt_tr_nnls

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = calculate_drt_tr_nnls(_dataset(f, z))
    tau, gam = r.get_peaks()
    return [(float(t), float(g)) for t, g in zip(tau, gam)], {"lambda": float(r.lambda_value)}


def score(peaks):
    """For each true tau: the nearest peak's distance [decades] and relative height error."""
    out = []
    for tau, gmax in zip(TAUS, GMAX):
        if not peaks:
            out.append({"tau_true_s": tau, "tau_s": None, "decades_off": None, "gamma_rel_error": None})
            continue
        t, g = min(peaks, key=lambda p: abs(math.log10(p[0] / tau)))
        out.append({"tau_true_s": tau, "tau_s": t, "decades_off": abs(math.log10(t / tau)), "gamma_ohm": g,
                    "gamma_true_ohm": gmax, "gamma_rel_error": g / gmax - 1.0})
    return out


def timed(fn, f, z, inductive):
    t0 = time.perf_counter()
    res = fn(f, z, inductive)
    return time.perf_counter() - t0, res


def stats(ts):
    return {"median_s": float(np.median(ts)), "min_s": float(np.min(ts)), "max_s": float(np.max(ts)), "n": len(ts)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--peer-2000", action="store_true",
                    help="also time pyimpspec's methods on 2,000 points (minutes per call)")
    args = ap.parse_args(argv)
    try:
        import pyimpspec  # noqa: F401
        have_pyimpspec = True
    except ImportError:
        have_pyimpspec = False
    cases = [("two_zarc_81", *synthetic(81), True), ("two_zarc_300", *synthetic(300), True),
             ("two_zarc_2000", *synthetic(2000), True)]
    if REAL.is_file():
        from cellsim.data import read_spectrum

        s = read_spectrum(REAL)
        cases.append(("commercial_li_ion", s.frequency, s.z, False))
    out = {"pyimpspec_available": have_pyimpspec, "repeats": args.repeats, "cases": {}}
    print(f"{'case':20s} {'method':18s} {'median [s]':>11s} {'min':>9s} {'max':>9s}  peaks (tau [s], gamma [ohm])")
    for name, f, z, synth in cases:
        inductive = bool(np.any(z.imag > 0))
        methods = [("cellsim", run_cellsim)]
        if have_pyimpspec:
            if f.size <= 300 or args.peer_2000:
                methods += [("pyimpspec_tr_rbf", run_rbf), ("pyimpspec_tr_nnls", run_nnls)]
        results, times = {}, {m: [] for m, _ in methods}
        for m, fn in methods:  # warm-up (imports, numba, caches)
            results[m] = fn(f, z, inductive)
        for _ in range(args.repeats):  # interleaved rounds
            for m, fn in methods:
                dt, results[m] = timed(fn, f, z, inductive)
                times[m].append(dt)
        case = {"n_points": int(f.size), "inductive": inductive, "methods": {}}
        for m, _ in methods:
            peaks, extra = results[m]
            entry = {**stats(times[m]), "peaks": [{"tau_s": t, "gamma_ohm": g} for t, g in peaks], **extra}
            if synth:
                entry["score"] = score(peaks)
            case["methods"][m] = entry
            pk = ", ".join(f"({t:.3g}, {g:.3g})" for t, g in peaks[:6])
            print(f"{name:20s} {m:18s} {entry['median_s']:11.4f} {entry['min_s']:9.4f} {entry['max_s']:9.4f}  {pk}")
        base = case["methods"]["cellsim"]["median_s"]
        case["ratios"] = {m: case["methods"][m]["median_s"] / base for m, _ in methods if m != "cellsim"}
        if synth:
            case["true_peaks"] = [{"tau_s": t, "gamma_ohm": g} for t, g in zip(TAUS, GMAX)]
        out["cases"][name] = case
        if case["ratios"]:
            print(f"{'':20s} ratios (pyimpspec / cellsim): "
                  + ", ".join(f"{m} {r:.3g}x" for m, r in case["ratios"].items()))
    print(json.dumps(out, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
