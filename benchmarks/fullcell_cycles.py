"""Benchmark: 350 full-cell cycles at 0.2 C with degradation (issue 20 item 5: <= 2 min).

``li-uvea-latp-uvea-nmc811`` (seed Fig. S24 cell): 350 x (CC charge to 4.4 V, CV to C/20, CC
discharge to 2.7 V) through :func:`cellsim.fullcell.retention.simulate_cycles` (PyBaMM SPMe,
IDAKLU, summary variables only, NMC811 active-material loss, Li-side SEI, resistance hook).

* warm: median (min, max) wall time of ``simulate_cycles`` in this process after one warm-up
  (the PyBaMM model is built and discretised in every call: that is part of the cost);
* cold: wall time of a new Python process that imports cellsim and runs the same cycles;
* peer: the same experiment on PyBaMM's DFN (the model the SPMe is checked against),
  interleaved with the warm runs; the ratio DFN / SPMe time and the retention difference
  after 350 cycles are the price and the error of the cheaper model.

The last line printed is one JSON object.

Run: ``python benchmarks/fullcell_cycles.py [--repeats N] [--cycles N]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _timing import stats, timed

TARGET_S = 120.0
SCRIPT = """
import sys, time
t0 = time.perf_counter()
from cellsim.models import load_model
from cellsim.fullcell.design import FullCellDesign
from cellsim.fullcell.retention import simulate_cycles
r = simulate_cycles(FullCellDesign.from_stack(load_model("li-uvea-latp-uvea-nmc811")), int(sys.argv[1]), 0.2)
print(time.perf_counter() - t0, r.retention_final)
"""



def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="timed warm repetitions of each model (median taken)")
    ap.add_argument("--cycles", type=int, default=350, help="cycles per run (default 350, the seed's)")
    args = ap.parse_args(argv)

    from cellsim.fullcell.design import FullCellDesign
    from cellsim.fullcell.retention import simulate_cycles
    from cellsim.models import load_model

    design = FullCellDesign.from_stack(load_model("li-uvea-latp-uvea-nmc811"))
    n = args.cycles
    t_first, ref = timed(lambda: simulate_cycles(design, n, 0.2))   # warm-up: imports PyBaMM, IDAKLU
    spme, dfn = [], []
    dfn_result = None
    for _ in range(max(1, args.repeats)):
        t, r = timed(lambda: simulate_cycles(design, n, 0.2))
        spme.append(t)
        if abs(r.retention_final - ref.retention_final) > 1e-9:
            print("non-deterministic result", file=sys.stderr)
            return 1
        t, dfn_result = timed(lambda: simulate_cycles(design, n, 0.2, model="DFN"))
        dfn.append(t)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(n)], capture_output=True, text=True, timeout=1200)
    t_cold = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return 1
    inner = float(proc.stdout.split()[0])
    s, d = stats(spme), stats(dfn)
    diff = abs(ref.retention_final - dfn_result.retention_final)
    cap = abs(ref.discharge_capacity_mAh_g - dfn_result.discharge_capacity_mAh_g).max()
    print(f"{design.name}: {n} cycles at 0.2 C (CC-CV / CC, 2.7-4.4 V), retention {100 * ref.retention_final:.2f} % "
          f"(SPMe) vs {100 * dfn_result.retention_final:.2f} % (DFN)")
    print(f"  first run in this process (imports)        {t_first:8.2f} s")
    print(f"  warm SPMe, median of {len(spme)} (min-max)        {s['median']:8.2f} s  ({s['min']:.2f}-{s['max']:.2f}; "
          f"target < {TARGET_S:g} s)")
    print(f"  warm DFN (peer), median of {len(dfn)} (min-max)   {d['median']:8.2f} s  ({d['min']:.2f}-{d['max']:.2f})")
    print(f"  ratio DFN / SPMe                           {d['median'] / s['median']:8.2f}")
    print(f"  cold new process (import + run)            {t_cold:8.2f} s  ({inner:.2f} s inside the process)")
    print(f"  SPMe vs DFN: retention differs by {diff:.2e}, discharge capacity by at most {cap:.3f} mAh/g")
    print(json.dumps({"benchmark": "fullcell_cycles", "model": design.name, "cycles": n, "c_rate": 0.2,
                      "retention_final_spme": ref.retention_final, "retention_final_dfn": dfn_result.retention_final,
                      "retention_abs_difference": diff, "max_capacity_difference_mAh_g": float(cap),
                      "first_run_s": t_first, "warm_median_s": s["median"], "warm_min_s": s["min"],
                      "warm_max_s": s["max"], "dfn_median_s": d["median"], "dfn_min_s": d["min"], "dfn_max_s": d["max"],
                      "ratio_dfn_to_spme": d["median"] / s["median"], "cold_process_s": t_cold,
                      "cold_inside_process_s": inner, "target_s": TARGET_S, "warm_ok": s["median"] < TARGET_S,
                      "cold_ok": t_cold < TARGET_S}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
