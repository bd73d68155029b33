"""Benchmark: circuit prediction, cellsim vs impedance.py (SPEC §5).

Circuit ``R0-p(R1,CPE1)-p(R2,CPE2)-CPE3`` with parameters
[10, 100, 1e-8, 0.90, 500, 1e-6, 0.80, 5e-5, 0.80] (CPE Z = 1/(Q (j w)^n)) at 1000
log-spaced frequencies 1 Hz..3 MHz. Both codes are timed in this one process run:

* median time per single evaluation: cellsim ``Circuit.impedance`` vs impedance.py
  ``CustomCircuit.predict`` (target: cellsim at least 50x faster);
* a batch of 10^4 parameter sets evaluated by cellsim in one call (vs 10^4 single calls
  of impedance.py, extrapolated from its median).

The two results are checked to agree (relative 1e-10) before anything is timed. The last
line printed is one JSON object with the figures and ratios.

Run: ``python benchmarks/circuit_prediction.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import warnings

import numpy as np

CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
PARAMS = [10.0, 100.0, 1e-8, 0.90, 500.0, 1e-6, 0.80, 5e-5, 0.80]
FREQ = np.logspace(0.0, np.log10(3e6), 1000)
N_BATCH = 10_000


def median_time(fn, repeats: int, inner: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs of ``inner`` calls [s per call]."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=51, help="timed repetitions (median taken)")
    args = ap.parse_args(argv)

    from cellsim.circuits import Circuit

    warnings.filterwarnings("ignore", message="Simulating circuit based on initial parameters")
    from impedance.models.circuits import CustomCircuit

    cs = Circuit(CIRCUIT)
    p = np.array(PARAMS)
    peer = CustomCircuit(CIRCUIT, initial_guess=list(PARAMS))

    # correctness first (also warms the numba kernel and its cache)
    z_cs = cs.impedance(FREQ, p)
    z_peer = peer.predict(FREQ, use_initial=True)
    rel = float(np.max(np.abs(z_cs - z_peer) / np.abs(z_peer)))
    if not rel < 1e-10:
        print(f"cellsim and impedance.py disagree: max relative difference {rel:.3e}", file=sys.stderr)
        return 1

    t_peer = median_time(lambda: peer.predict(FREQ, use_initial=True), max(5, args.repeats // 5))
    t_cs = median_time(lambda: cs.impedance(FREQ, p), args.repeats, inner=20)
    t_cs_nocheck = median_time(lambda: cs.impedance(FREQ, p, check=False), args.repeats, inner=20)

    rng = np.random.default_rng(0)
    batch = p * np.exp(rng.normal(0.0, 0.2, size=(N_BATCH, p.size)))
    for j in (3, 6, 8):  # exponents stay in (0, 1]
        batch[:, j] = np.clip(PARAMS[j] + rng.normal(0.0, 0.03, N_BATCH), 0.5, 1.0)
    zb = cs.impedance(FREQ, batch)
    # spot-check the batch against single evaluations of the peer
    for i in (0, N_BATCH // 2, N_BATCH - 1):
        zi = CustomCircuit(CIRCUIT, initial_guess=list(batch[i])).predict(FREQ, use_initial=True)
        if not np.max(np.abs(zb[i] - zi) / np.abs(zi)) < 1e-10:
            print(f"batch row {i} disagrees with impedance.py", file=sys.stderr)
            return 1
    t_batch = median_time(lambda: cs.impedance(FREQ, batch), 5)
    t_peer_batch = t_peer * N_BATCH

    rows = [
        ("impedance.py CustomCircuit.predict, 1 set", t_peer),
        ("cellsim Circuit.impedance, 1 set", t_cs),
        ("cellsim Circuit.impedance, 1 set, check=False", t_cs_nocheck),
        (f"cellsim, batch of {N_BATCH} sets in one call", t_batch),
        (f"impedance.py, {N_BATCH} single calls (extrapolated)", t_peer_batch),
    ]
    print(f"circuit {CIRCUIT}, {FREQ.size} frequencies 1 Hz..3 MHz; max |dZ|/|Z| vs impedance.py = {rel:.1e}")
    for name, t in rows:
        print(f"  {name:<52s} {t * 1e6:12.1f} us")
    ratio = t_peer / t_cs
    print(f"  speed-up per evaluation: {ratio:.0f}x (target >= 50x); "
          f"batch of {N_BATCH}: {t_peer_batch / t_batch:.0f}x vs single impedance.py calls")
    result = {
        "benchmark": "circuit_prediction",
        "circuit": CIRCUIT,
        "n_frequencies": int(FREQ.size),
        "max_rel_difference": rel,
        "impedance_py_median_s": t_peer,
        "cellsim_median_s": t_cs,
        "cellsim_nocheck_median_s": t_cs_nocheck,
        "ratio": ratio,
        "ratio_nocheck": t_peer / t_cs_nocheck,
        "target_ratio": 50,
        "batch_sets": N_BATCH,
        "cellsim_batch_s": t_batch,
        "cellsim_batch_per_set_s": t_batch / N_BATCH,
        "impedance_py_batch_extrapolated_s": t_peer_batch,
        "batch_ratio": t_peer_batch / t_batch,
        "python": platform.python_version(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
