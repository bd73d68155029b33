"""Benchmark: 2500 h of symmetric cycling (issue 20 item 5: <= 10 s).

The LATP sandwich (``li-uvea-latp-uvea-li``) at 0.5 mA/cm2 with 1 h half cycles (seed Table S3,
Figs. S14/S16) for 2500 h, i.e. to its calibrated failure, run two ways, interleaved:

* compressed: :func:`cellsim.lifetime.run_cycle` as ``cellsim cycle`` runs it (jumps over cycles
  at the representative cycle's rates);
* full: every one of the 1250 cycles through the transport solver (``compress=False``), the
  reference the compression is verified against.

Warm: medians (min, max) in this process after one warm-up run; cold: a new Python process
that imports cellsim and runs the compressed 2500 h (numba cache on disk). No open code
simulates this, so the full run is the comparison. The last line printed is one JSON object.

Run: ``python benchmarks/cycle.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _timing import stats, timed

H = 3600.0
SCRIPT = """
import time
t0 = time.perf_counter()
from cellsim.models import load_model
from cellsim.lifetime import run_cycle
r = run_cycle(load_model("li-uvea-latp-uvea-li"), 5.0, 3600.0, 2500 * 3600.0)
print(time.perf_counter() - t0, r.cycles)
"""



def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed warm repetitions of each (median taken)")
    args = ap.parse_args(argv)

    from cellsim.lifetime import run_cycle
    from cellsim.models import load_model

    stack = load_model("li-uvea-latp-uvea-li")

    def comp():
        return run_cycle(stack, 5.0, H, 2500 * H)

    def full():
        return run_cycle(stack, 5.0, H, 2500 * H, compress=False)

    t_first, rc = timed(comp)       # warm-up: compiles or loads the numba cache
    _, rf = timed(full)
    tc, tf = [], []
    for _ in range(max(1, args.repeats)):   # interleaved
        t, r = timed(comp)
        tc.append(t)
        t2, r2 = timed(full)
        tf.append(t2)
        if r.lifetime != rc.lifetime or r2.lifetime != rf.lifetime:
            print("non-deterministic result", file=sys.stderr)
            return 1
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600)
    t_cold = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return 1
    inner = float(proc.stdout.split()[0])
    sc, sf = stats(tc, "_s"), stats(tf, "_s")
    life_c = None if rc.lifetime is None else rc.lifetime / H
    life_f = None if rf.lifetime is None else rf.lifetime / H
    rel = None if life_c is None or life_f is None else abs(life_c - life_f) / life_f
    print(f"{stack.title}: 0.5 mA/cm2, 1 h per half cycle, 2500 h")
    print(f"  lifetime compressed {life_c} h ({rc.failure}), full {life_f} h ({rf.failure}); relative difference {rel}")
    print(f"  cycles {rc.cycles:g}: compressed simulated {rc.simulated_cycles}, full {rf.simulated_cycles}")
    print(f"  first run in this process (numba cache load/compile) {t_first:8.3f} s")
    print(f"  compressed, warm median of {len(tc)} {sc['median_s']:8.3f} s (min {sc['min_s']:.3f}, max "
          f"{sc['max_s']:.3f})   (target <= 10 s)")
    print(f"  full,       warm median of {len(tf)} {sf['median_s']:8.3f} s (min {sf['min_s']:.3f}, max {sf['max_s']:.3f})")
    print(f"  full / compressed                 {sf['median_s'] / sc['median_s']:8.2f}")
    print(f"  cold new process (import + run)   {t_cold:8.3f} s ({inner:.3f} s inside the process)")
    print(json.dumps({"benchmark": "cycle", "model": stack.name, "hours": 2500, "current_A_m2": 5.0,
                      "lifetime_compressed_h": life_c, "lifetime_full_h": life_f, "lifetime_rel_difference": rel,
                      "cycles": rc.cycles, "simulated_cycles_compressed": rc.simulated_cycles,
                      "simulated_cycles_full": rf.simulated_cycles,
                      "compressed_warm_median_s": sc["median_s"], "compressed_warm_min_s": sc["min_s"],
                      "compressed_warm_max_s": sc["max_s"], "full_warm_median_s": sf["median_s"],
                      "full_warm_min_s": sf["min_s"], "full_warm_max_s": sf["max_s"],
                      "ratio_full_to_compressed": sf["median_s"] / sc["median_s"], "first_run_s": t_first,
                      "cold_process_s": t_cold, "cold_inside_process_s": inner, "target_s": 10.0,
                      "ok": sc["median_s"] <= 10.0 and t_cold <= 10.0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
