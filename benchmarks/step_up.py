"""Benchmark: the step-up (CCD) protocol of SPEC §5.

The LATP sandwich (``li-uvea-latp-uvea-li``) from 0.1 mA/cm2 in 0.1 mA/cm2 steps up to
15 mA/cm2, 0.5 h per half cycle, until short or end (up to 300 half cycles through the
numba transport solver, fronts tracked between samples).

* warm: median wall time of ``run_ccd`` in this process after one warm-up run
  (target < 0.5 s);
* cold: wall time of a new Python process that imports cellsim and runs the same protocol
  with the numba cache already on disk (target < 5 s).

No open code simulates this protocol (physics.md §4), so there is no peer to compare with;
the targets are SPEC §5's. The last line printed is one JSON object.

Run: ``python benchmarks/step_up.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

SCRIPT = """
import time
t0 = time.perf_counter()
from cellsim.models import load_model
from cellsim.shortcircuit.ccd import StepUpProtocol, run_ccd
p = StepUpProtocol.parse(start="0.1 mA/cm2", increment="0.1 mA/cm2", stop="15 mA/cm2", step_time="0.5 h")
r = run_ccd(load_model("li-uvea-latp-uvea-li"), p)
print(time.perf_counter() - t0, r.ccd, len(r.time))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed warm repetitions (median taken)")
    args = ap.parse_args(argv)

    from cellsim.models import load_model
    from cellsim.shortcircuit.ccd import StepUpProtocol, run_ccd

    stack = load_model("li-uvea-latp-uvea-li")
    proto = StepUpProtocol.parse(start="0.1 mA/cm2", increment="0.1 mA/cm2", stop="15 mA/cm2", step_time="0.5 h")
    t0 = time.perf_counter()
    res = run_ccd(stack, proto)  # warm-up (compiles or loads the numba cache)
    t_first = time.perf_counter() - t0
    warm = []
    for _ in range(max(1, args.repeats)):
        t0 = time.perf_counter()
        r = run_ccd(stack, proto)
        warm.append(time.perf_counter() - t0)
        if r.ccd != res.ccd:
            print("non-deterministic result", file=sys.stderr)
            return 1
    t_warm = statistics.median(warm)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600)
    t_cold = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return 1
    inner = float(proc.stdout.split()[0])
    n_nuc = sum(1 for e in res.events if e["kind"] == "nucleation")
    print(f"{stack.title}: {proto.describe()}")
    print(f"  result: CCD {'none' if res.ccd is None else f'{res.ccd / 10:g} mA/cm2'} ({res.kind}); "
          f"{res.time.size} samples; {n_nuc} dendrite nucleations")
    print(f"  first run in this process (numba cache load/compile) {t_first:8.3f} s")
    print(f"  warm, median of {len(warm)}                        {t_warm:8.3f} s   (target < 0.5 s)")
    print(f"  cold new process (import + run; numba cache warm)  {t_cold:8.3f} s   (target < 5 s; "
          f"{inner:.3f} s inside the process)")
    print(json.dumps({"benchmark": "step_up", "model": stack.name, "ccd_A_m2": res.ccd, "kind": res.kind,
                      "samples": int(res.time.size), "warm_median_s": t_warm, "warm_target_s": 0.5,
                      "first_run_s": t_first, "cold_process_s": t_cold, "cold_inside_process_s": inner,
                      "cold_target_s": 5.0, "warm_ok": t_warm < 0.5, "cold_ok": t_cold < 5.0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
