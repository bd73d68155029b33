"""Benchmark: the lifetime interval of ``cellsim cycle --interval N`` (issue 20, second pass).

The LATP sandwich (``li-uvea-latp-uvea-li``) at 0.1 mA/cm2 with 1 h half cycles (the seed's
7000 h prediction, Table S3), ``N`` Sobol' samples of every ranged parameter, each re-fitted to
the calibrated 2500 h at 0.5 mA/cm2 and then cycled to failure with time compression
(:func:`cellsim.lifetime.interval.lifetime_interval`), run two ways, interleaved:

* serial: every sample in this process (``executor="inprocess"``);
* parallel: the samples in 2 local processes (``--processes 2``), as the sweep machinery runs them.

Pre-check: both ways give the same quantiles (the design is seeded; each sample is
deterministic). Medians (min, max) of ``--repeats`` runs after a warm-up; no open code
computes this interval, so serial vs parallel is the comparison. The last line printed is one
JSON object.

Run: ``python benchmarks/cycle_interval.py [--samples N] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import json

from _timing import stats, timed

H = 3600.0
MODEL = "li-uvea-latp-uvea-li"


def _interval(samples: int, parallel: bool) -> dict:
    from cellsim.lifetime.interval import lifetime_interval
    from cellsim.models import load_model

    ex = {"executor": "processes", "workers": 2} if parallel else {"executor": "inprocess"}
    return lifetime_interval(load_model(MODEL), MODEL, 1.0, H, 100000 * H, samples=samples, seed=0, **ex)



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    _interval(2, False)   # warm-up: numba kernels and parameter files
    serial, parallel, res = [], [], {}
    for _ in range(a.repeats):
        t, res["serial"] = timed(lambda: _interval(a.samples, False))
        serial.append(t)
        t, res["parallel"] = timed(lambda: _interval(a.samples, True))
        parallel.append(t)
    q = {k: [res[k][x] for x in ("q05", "median", "q95")] for k in res}
    if q["serial"] != q["parallel"]:
        raise SystemExit(f"serial and parallel quantiles differ: {q}")
    s, p = stats(serial, "_s"), stats(parallel, "_s")
    print(f"{MODEL}, 0.1 mA/cm2, 1 h steps: {a.samples} samples ({res['serial']['samples']} kept, "
          f"{res['serial']['n_failed']} rejected)")
    print(f"  serial    median {s['median_s']:.2f} s (min {s['min_s']:.2f}, max {s['max_s']:.2f})")
    print(f"  2 procs   median {p['median_s']:.2f} s (min {p['min_s']:.2f}, max {p['max_s']:.2f})")
    print(f"  q05 / q50 / q95 = {q['serial'][0] / H:.4g} / {q['serial'][1] / H:.4g} / {q['serial'][2] / H:.4g} h")
    print(json.dumps({"model": MODEL, "samples": a.samples, "kept": res["serial"]["samples"],
                      "rejected": res["serial"]["n_failed"], "serial": s, "parallel_2": p,
                      "ratio_serial_to_parallel": s["median_s"] / p["median_s"],
                      "per_sample_serial_s": s["median_s"] / a.samples,
                      "lifetime_h_q05": q["serial"][0] / H, "lifetime_h_q50": q["serial"][1] / H,
                      "lifetime_h_q95": q["serial"][2] / H}))


if __name__ == "__main__":
    main()
