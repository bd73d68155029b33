"""Benchmark: the step-up (CCD) protocol of SPEC §5, compiled engine against the Python reference.

The LATP sandwich (``li-uvea-latp-uvea-li``) from 0.1 mA/cm2 in 0.1 mA/cm2 steps up to
15 mA/cm2, 0.5 h per half cycle, until short or end: ``run_ccd`` as the CLI calls it
(``explain=True``: the margins and the counterfactual second simulation with a transparent
middle layer, i.e. two simulations of up to 300 half cycles each).

* ``warm_s``: median wall time of ``run_ccd`` (compiled engine: one numba call per
  simulation, the fronts' feedback on the solver included; the counterfactual simulation
  runs on a second thread beside the first, ``cellsim.threads.run_beside``, as it does for
  every user on a machine with two cores) in this process after a warm-up run, with min and
  max over ``--repeats``; ``warm_cpu_s`` its CPU time (both threads) and ``warm_serial_s``
  the same call with the two simulations one after the other (what a sweep worker, which
  has one core, would see);
  interleaved run for run with ``engine="python"`` (the reference driver: the same transport
  kernel called per half cycle, fronts tracked in Python), whose result must be identical.
* ``sim_s``: the same for one simulation alone (``explain=False``, what a sweep point costs).
* ``cold_s``: wall time of a new Python process that imports cellsim and runs the same
  ``run_ccd``, with the numba cache on disk (median of ``--cold`` processes).

``engine`` (in the JSON) is ``CCDResult.engine`` of the run: the engine that ran, its solver runs
and the half cycles it ran sample by sample (the fronts fed back on the solver).

No open code simulates this protocol (physics.md §4); the Python engine is the comparison.
Targets (issue 17): ``warm_s`` <= 0.03 s, ``cold_s`` <= 3 s. The last line is one JSON object.

Run: ``python benchmarks/step_up.py [--repeats N] [--cold N]``.
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


def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}


def same(a, b) -> bool:
    import numpy as np

    return (a.ccd == b.ccd and a.kind == b.kind and a.mechanism == b.mechanism and a.short_time == b.short_time
            and np.array_equal(a.voltage, b.voltage) and np.array_equal(a.front_left, b.front_left))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7, help="timed warm repetitions per engine (median taken)")
    ap.add_argument("--cold", type=int, default=3, help="new processes timed (median taken)")
    args = ap.parse_args(argv)

    from cellsim.models import load_model
    from cellsim.shortcircuit.ccd import StepUpProtocol, run_ccd

    stack = load_model("li-uvea-latp-uvea-li")
    proto = StepUpProtocol.parse(start="0.1 mA/cm2", increment="0.1 mA/cm2", stop="15 mA/cm2", step_time="0.5 h")
    t0 = time.perf_counter()
    res = run_ccd(stack, proto)  # warm-up (loads the numba cache, or compiles)
    t_first = time.perf_counter() - t0
    ref = run_ccd(stack, proto, engine="python")
    if not same(res, ref):
        print("the compiled engine disagrees with the Python reference", file=sys.stderr)
        return 1
    import cellsim.threads as threads

    beside = threads.run_beside
    times = {(e, x): [] for e in ("compiled", "python", "serial") for x in (True, False)}
    cpu = []
    for _ in range(max(1, args.repeats)):
        for explain in (True, False):
            for engine in ("compiled", "serial", "python"):   # interleaved
                threads.run_beside = (lambda *a: None) if engine == "serial" else beside
                t0, c0 = time.perf_counter(), time.process_time()
                r = run_ccd(stack, proto, explain=explain, engine="compiled" if engine == "serial" else engine)
                times[engine, explain].append(time.perf_counter() - t0)
                if engine == "compiled" and explain:
                    cpu.append(time.process_time() - c0)
                threads.run_beside = beside
                if r.ccd != res.ccd or (explain and r.ccd_transparent_middle != res.ccd_transparent_middle):
                    print("non-deterministic result", file=sys.stderr)
                    return 1
    cold, inner = [], []
    for _ in range(max(1, args.cold)):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=900)
        cold.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        inner.append(float(proc.stdout.split()[0]))
    w, wp = stats(times["compiled", True]), stats(times["python", True])
    s, sp = stats(times["compiled", False]), stats(times["python", False])
    ws, wc = stats(times["serial", True]), stats(cpu)
    c = stats(cold)
    n_nuc = sum(1 for e in res.events if e["kind"] == "nucleation")
    print(f"{stack.title}: {proto.describe()}")
    print(f"  result: CCD {'none' if res.ccd is None else f'{res.ccd / 10:g} mA/cm2'} ({res.kind}); "
          f"{res.time.size} samples; {n_nuc} dendrite nucleations; identical in both engines")
    print(f"  engine: {res.engine}")
    print(f"  first run in this process (numba cache load or compile)  {t_first:8.3f} s")
    print(f"  {'median [min, max] of ' + str(len(cold)) + ' / ' + str(args.repeats):<44s} compiled"
          f"                      python engine           ratio")
    for label, a, b in (("run_ccd, explain (2 simulations + margins)", w, wp), ("one simulation (a sweep point)", s, sp)):
        print(f"  {label:<44s} {a['median']:.4f} [{a['min']:.4f}, {a['max']:.4f}] s   "
              f"{b['median']:.4f} [{b['min']:.4f}, {b['max']:.4f}] s   {b['median'] / a['median']:.2f}x")
    print(f"  {'run_ccd, explain, the 2 simulations serial':<44s} {ws['median']:.4f} [{ws['min']:.4f}, "
          f"{ws['max']:.4f}] s   (CPU time of the threaded call: {wc['median']:.4f} s)")
    print(f"  cold new process (import + run_ccd; cache on disk)  {c['median']:.3f} [{c['min']:.3f}, {c['max']:.3f}] s"
          f"   ({statistics.median(inner):.3f} s inside the process)")
    print(f"  targets: warm_s <= 0.03 s ({'met' if w['median'] <= 0.03 else 'NOT met'}), "
          f"cold_s <= 3 s ({'met' if c['median'] <= 3 else 'NOT met'})")
    print(json.dumps({"benchmark": "step_up", "model": stack.name, "ccd_A_m2": res.ccd, "kind": res.kind,
                      "samples": int(res.time.size), "warm_s": w["median"], "warm_min_s": w["min"],
                      "warm_max_s": w["max"], "warm_cpu_s": wc["median"], "warm_serial_s": ws["median"],
                      "warm_python_engine_s": wp["median"],
                      "ratio_python_over_compiled": wp["median"] / w["median"], "sim_s": s["median"],
                      "sim_min_s": s["min"], "sim_max_s": s["max"], "sim_python_engine_s": sp["median"],
                      "first_run_s": t_first, "cold_s": c["median"], "cold_min_s": c["min"], "cold_max_s": c["max"],
                      "cold_inside_process_s": statistics.median(inner), "warm_target_s": 0.03,
                      "cold_target_s": 3.0, "warm_ok": w["median"] <= 0.03, "cold_ok": c["median"] <= 3.0,
                      "engines_identical": True, "engine": res.engine, "repeats": args.repeats}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
