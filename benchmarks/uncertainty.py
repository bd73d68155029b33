"""Benchmark: a 1000-sample CCD interval (issue 16 item 7) on 2 cores.

``cellsim uncertainty li-uvea-latp-uvea-li --output ccd --step-time "0.5 h" --samples 1000``:
every parameter with a range (31 for this model: UVEA, LATP, interfaces, the two UVEA
thicknesses and the short-circuit parameters) sampled by a scrambled Sobol' design, each
sample a full step-up simulation (0.1 mA/cm2 steps to 15 mA/cm2, 0.5 h per half cycle;
:func:`cellsim.shortcircuit.ccd.run_ccd`) committed to the SQLite store of the sweep
machinery, in 2 worker processes.

Timed in this run:

* ``serial``: the first ``--serial`` samples of the same design in this process (after a
  warm-up that compiles the numba kernels), point by point: the per-sample cost without
  the store and the pool, median with min and max over ``--repeats`` runs;
* ``parallel``: the whole design through :func:`cellsim.uncertainty.propagate.propagate`
  with ``executor="processes"``, 2 workers, into a new SQLite file (workers start, compile
  from numba's cache, write every sample): wall time.

The samples of the two runs are checked to agree (relative 1e-12) before the figures are
printed. The serial-equivalent time of the whole design is the sum of the per-sample
computation times the workers stored (``elapsed_s`` of every row); ``speedup = that sum /
parallel wall time`` is the gain of 2 processes including start-up and the store. (The first
``--serial`` samples alone would misestimate it: the cost of a sample ranges from a few
steps to the whole protocol.) The last line is one JSON object.

Run: ``python benchmarks/uncertainty.py [--samples 1000] [--workers 2] [--serial 24]``;
``--quick`` (16 samples, 4 serial, stop 2 mA/cm2) is the smoke test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODEL = "li-uvea-latp-uvea-li"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--serial", type=int, default=24, help="samples timed serially (in this process)")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    stop = "15 mA/cm2"
    if args.quick:
        args.samples, args.serial, stop = 16, 4, "2 mA/cm2"

    import numpy as np

    from cellsim.models import load_model
    from cellsim.shortcircuit.ccd import StepUpProtocol, load_parameters, run_ccd
    from cellsim.sweeps import load_results
    from cellsim.uncertainty.propagate import propagate, unit_design, values_from_unit
    from cellsim.uncertainty.space import apply, discover
    from dataclasses import asdict

    proto = StepUpProtocol.parse(start="0.1 mA/cm2", increment="0.1 mA/cm2", stop=stop, step_time="0.5 h")
    options = {"protocol": asdict(proto)}
    stack = load_model(MODEL)
    prm = load_parameters()
    space = discover(stack, shortcircuit=True)
    x = values_from_unit(space, unit_design(args.samples, len(space), "sobol", args.seed))

    def serial_run():
        out = []
        for row in x[:args.serial]:
            st, p = apply(stack, space, dict(zip(space.names, row)), prm)
            r = run_ccd(st, proto, p)
            out.append(proto.stop if r.ccd is None else r.ccd)
        return out

    t0 = time.perf_counter()
    serial_run()  # warm-up: numba compilation / cache load
    warm = time.perf_counter() - t0
    times, serial_vals = [], None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        serial_vals = serial_run()
        times.append(time.perf_counter() - t0)
    per_sample = statistics.median(times) / args.serial

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "ccd.sqlite")
        t0 = time.perf_counter()
        res = propagate(MODEL, "ccd", samples=args.samples, seed=args.seed, options=options, target=min(50.0, proto.stop), out=db,
                        executor="processes", workers=args.workers, progress=False, space=space)
        wall = time.perf_counter() - t0
        df = load_results(db)
    df = df.sort_values("point_id")
    par = df["ccd_A_m2"].to_numpy()[:args.serial]
    assert np.allclose(par, serial_vals, rtol=1e-12, atol=0), "parallel and serial samples differ"
    serial_equivalent = float(df["elapsed_s"].sum())
    worker_first = float(df["elapsed_s"].to_numpy()[:args.serial].sum()) / args.serial
    print(f"{MODEL}: CCD interval from {args.samples} samples over {len(space)} ranged parameters "
          f"({proto.describe()})")
    print(f"  serial: {per_sample:.3f} s/sample (median of {args.repeats}, {args.serial} samples; min "
          f"{min(times) / args.serial:.3f}, max {max(times) / args.serial:.3f}); first run incl. compilation "
          f"{warm:.1f} s")
    print(f"  the same first {args.serial} samples in the workers: {worker_first:.3f} s/sample")
    print(f"  {args.workers} processes through the SQLite sweep store: {wall:.1f} s wall for {args.samples} samples "
          f"(sum of the samples' computation times {serial_equivalent:.1f} s, mean "
          f"{serial_equivalent / args.samples:.3f} s/sample; speed-up {serial_equivalent / wall:.2f})")
    print(f"  CCD median {res['median'] / 10:.3g} mA/cm2, 90 % interval {res['q05'] / 10:.3g} .. {res['q95'] / 10:.3g}"
          f" mA/cm2 ({res['n_censored']} censored at the stop), P(CCD >= {res['target'] / 10:g} mA/cm2) = {res['p_exceeds']:.3f}")
    print(json.dumps({"model": MODEL, "samples": args.samples, "parameters": len(space), "workers": args.workers,
                      "wall_s": wall, "serial_s_per_sample_median": per_sample,
                      "serial_s_per_sample_min": min(times) / args.serial,
                      "serial_s_per_sample_max": max(times) / args.serial, "serial_equivalent_s": serial_equivalent,
                      "worker_s_per_sample_first": worker_first, "mean_s_per_sample": serial_equivalent / args.samples,
                      "load_average_1min": os.getloadavg()[0],
                      "speedup": serial_equivalent / wall, "median_A_m2": res["median"], "q05_A_m2": res["q05"],
                      "q95_A_m2": res["q95"], "n_censored": res["n_censored"], "n_failed": res["n_failed"],
                      "cpu_count": os.cpu_count(), "quick": args.quick}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
