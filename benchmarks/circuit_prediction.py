"""Benchmark: circuit prediction, cellsim vs plain NumPy vs impedance.py (SPEC §5, issue #17 item 6).

Circuit ``R0-p(R1,CPE1)-p(R2,CPE2)-CPE3`` with parameters
[10, 100, 1e-8, 0.90, 500, 1e-6, 0.80, 5e-5, 0.80] (CPE Z = 1/(Q (j w)^n)) at 1000
log-spaced frequencies 1 Hz..3 MHz.

What is timed (wall clock, ``time.perf_counter``):

* **numpy**: :func:`numpy_formula`, the same circuit written by hand as vectorised NumPy
  complex arithmetic, Z = R0 + 1/(1/R1 + Y1) + 1/(1/R2 + Y2) + 1/Y3 with the CPE admittance
  Y = Q w^n e^(j n pi/2) (w^n = exp(n ln w): the cheapest NumPy form; ``(1j*w)**n`` is 3x
  slower). It takes the frequencies and the parameter vector, like cellsim.
* **cellsim**: ``Circuit.impedance(f, p)`` of a circuit parsed once (the parsed circuit is
  reused, as a program would); the call checks the frequencies.
* **impedance.py**: ``CustomCircuit.predict(f, use_initial=True)``.
* **batch**: 10^4 parameter sets (log-normal around the values above) in one
  ``Circuit.impedance`` call: numba ``prange`` over chunks of sets on the threads of
  ``cellsim.threads.kernel_threads()`` (numba's thread count, ``NUMBA_NUM_THREADS``, 2 on the
  reference machine; 1 inside a sweep worker), with whatever threading layer numba picks
  (printed; the default ``workqueue`` of a plain install works too), against a **loop** of 10^4
  single ``Circuit.impedance`` calls over the same rows, each result stored in a (10^4, 1000)
  array allocated in the timed region, as the batch allocates its result (both then write the
  same 160 MB; a loop that dropped its results would reuse one small, cache-hot buffer).
  ``batch_serial`` is the same call with ``parallel=False`` (one thread). The batch only gains
  from its threads when the process gets both cores: the CPU time / wall time of the threaded
  batch is printed (about 2 on an idle machine; about 1 when other processes keep one core
  busy, and then ``batch_vs_loop`` falls to the one-thread ratio).

What is cached: the parsed and compiled circuit (``Circuit`` object reused, as a program
would) and numba's compiled kernels (loaded once per process, from the on-disk cache).
Nothing else: every call validates its input, allocates its result and evaluates every
element.

The codes are interleaved: every round times each of them once (the order rotates), and the
figures are the medians over the rounds with min and max. Every result is checked first
(cellsim against NumPy and impedance.py to 1e-12 relative; batch rows equal the single
calls bit for bit).

Warm vs cold: "warm" figures come after a first call in this process (numba's compiled
kernel loaded); "cold" runs one first call in a new Python process (imports, parsing, and
loading the compiled kernel from numba's on-disk cache, which is present after any earlier
run; an empty cache adds the compilation, several seconds).

Run: ``python benchmarks/circuit_prediction.py [--rounds N] [--no-cold]``. The last line is
one JSON object: ``ratio_vs_numpy`` (numpy time / cellsim time, one set), ``batch_vs_loop``
(loop time / batch time, 10^4 sets), ``ratio_vs_impedance_py``.
"""

from __future__ import annotations

import argparse
import cmath
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
PARAMS = [10.0, 100.0, 1e-8, 0.90, 500.0, 1e-6, 0.80, 5e-5, 0.80]
FREQ = np.logspace(0.0, np.log10(3e6), 1000)
N_BATCH = 10_000


def numpy_formula(f: np.ndarray, p) -> np.ndarray:
    """Z [ohm] of R0-p(R1,CPE1)-p(R2,CPE2)-CPE3 in vectorised NumPy (the floor cellsim is held to)."""
    r0, r1, q1, n1, r2, q2, n2, q3, n3 = p
    lw = np.log(2.0 * np.pi * f)
    y1 = np.exp(n1 * lw) * (q1 * cmath.exp(0.5j * np.pi * n1))
    y2 = np.exp(n2 * lw) * (q2 * cmath.exp(0.5j * np.pi * n2))
    return r0 + 1.0 / (1.0 / r1 + y1) + 1.0 / (1.0 / r2 + y2) + np.exp(-n3 * lw) * (cmath.exp(-0.5j * np.pi * n3) / q3)


def batch_parameters() -> np.ndarray:
    rng = np.random.default_rng(0)
    p = np.array(PARAMS)
    batch = p * np.exp(rng.normal(0.0, 0.2, size=(N_BATCH, p.size)))
    for j in (3, 6, 8):  # exponents stay in (0, 1]
        batch[:, j] = np.clip(PARAMS[j] + rng.normal(0.0, 0.03, N_BATCH), 0.5, 1.0)
    return batch


def per_call(fn, inner: int) -> float:
    """Wall time of ``fn()`` [s per call], averaged over ``inner`` back-to-back calls."""
    t0 = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - t0) / inner


def stats(ts: list[float]) -> dict:
    return {"median_s": statistics.median(ts), "min_s": min(ts), "max_s": max(ts), "n": len(ts)}


COLD = {
    "cellsim": ("import numpy as np, time; t0 = time.perf_counter(); from cellsim.circuits import Circuit; "
                "z = Circuit({c!r}).impedance(np.logspace(0, np.log10(3e6), 1000), {p!r}); "
                "print(time.perf_counter() - t0)"),
    "numpy": ("import time; t0 = time.perf_counter(); import sys; sys.path.insert(0, {here!r}); "
              "import numpy as np; from circuit_prediction import numpy_formula; "
              "z = numpy_formula(np.logspace(0, np.log10(3e6), 1000), {p!r}); print(time.perf_counter() - t0)"),
    "impedance_py": ("import numpy as np, time, warnings; warnings.simplefilter('ignore'); t0 = time.perf_counter(); "
                     "from impedance.models.circuits import CustomCircuit; "
                     "z = CustomCircuit({c!r}, initial_guess={p!r}).predict(np.logspace(0, np.log10(3e6), 1000), "
                     "use_initial=True); print(time.perf_counter() - t0)"),
}


def cold_times(rounds: int) -> dict:
    """First call in a new process [s] (imports included; numba's on-disk cache present), interleaved."""
    here = os.path.dirname(os.path.abspath(__file__))
    out: dict[str, list[float]] = {k: [] for k in COLD}
    for r in range(rounds):
        names = list(COLD)
        names = names[r % len(names):] + names[:r % len(names)]
        for name in names:
            code = COLD[name].format(c=CIRCUIT, p=PARAMS, here=here)
            res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            out[name].append(float(res.stdout.strip().splitlines()[-1]))
    return {k: stats(v) for k, v in out.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=21, help="interleaved rounds of the single-set timings")
    ap.add_argument("--batch-rounds", type=int, default=7, help="interleaved rounds of batch vs loop")
    ap.add_argument("--cold-rounds", type=int, default=3, help="new-process rounds (0: skip)")
    ap.add_argument("--no-cold", action="store_true", help="skip the new-process timings")
    args = ap.parse_args(argv)

    import numba

    from cellsim.circuits import Circuit

    warnings.filterwarnings("ignore", message="Simulating circuit based on initial parameters")
    from impedance.models.circuits import CustomCircuit

    cs = Circuit(CIRCUIT)
    p = np.array(PARAMS)
    peer = CustomCircuit(CIRCUIT, initial_guess=list(PARAMS))

    # correctness first (also the first, compiling/cache-loading call of each)
    z_cs = cs.impedance(FREQ, p)
    z_np = numpy_formula(FREQ, p)
    z_peer = peer.predict(FREQ, use_initial=True)
    rel_np = float(np.max(np.abs(z_cs - z_np) / np.abs(z_np)))
    rel_peer = float(np.max(np.abs(z_cs - z_peer) / np.abs(z_peer)))
    if not (rel_np < 1e-12 and rel_peer < 1e-12):
        print(f"disagreement: vs numpy {rel_np:.3e}, vs impedance.py {rel_peer:.3e}", file=sys.stderr)
        return 1
    batch = batch_parameters()
    zb = cs.impedance(FREQ, batch)
    for i in (0, 1, N_BATCH // 2, N_BATCH - 1):
        if not np.array_equal(zb[i], cs.impedance(FREQ, batch[i])):
            print(f"batch row {i} differs from the single call", file=sys.stderr)
            return 1
        if not np.max(np.abs(zb[i] - numpy_formula(FREQ, batch[i])) / np.abs(zb[i])) < 1e-12:
            print(f"batch row {i} disagrees with numpy", file=sys.stderr)
            return 1

    single = {
        "numpy": (lambda: numpy_formula(FREQ, p), 200),
        "cellsim": (lambda: cs.impedance(FREQ, p), 200),
        "impedance_py": (lambda: peer.predict(FREQ, use_initial=True), 5),
    }
    t: dict[str, list[float]] = {k: [] for k in single}
    for r in range(args.rounds):
        names = list(single)
        names = names[r % 3:] + names[:r % 3]
        for name in names:
            fn, inner = single[name]
            t[name].append(per_call(fn, inner))

    def loop():  # keeps every result, like the batch (an array of 10^4 spectra)
        out = np.empty((N_BATCH, FREQ.size), dtype=np.complex128)
        for i in range(N_BATCH):
            out[i] = cs.impedance(FREQ, batch[i])
        return out

    batch_fns = {
        "batch": lambda: cs.impedance(FREQ, batch),
        "batch_serial": lambda: cs.impedance(FREQ, batch, parallel=False),
        "loop": loop,
    }
    for name in batch_fns:
        t[name] = []
    cpu_per_wall = []  # process CPU time / wall time of the parallel batch: ~2 when both cores were ours
    for r in range(args.batch_rounds):
        names = list(batch_fns)
        names = names[r % 3:] + names[:r % 3]
        for name in names:
            c0 = time.process_time()
            t[name].append(per_call(batch_fns[name], 1))
            if name == "batch":
                cpu_per_wall.append((time.process_time() - c0) / t[name][-1])

    s = {k: stats(v) for k, v in t.items()}
    med = {k: v["median_s"] for k, v in s.items()}
    cold = {} if args.no_cold or args.cold_rounds <= 0 else cold_times(args.cold_rounds)

    def us(x):
        return f"{x * 1e6:10.1f} us"

    print(f"circuit {CIRCUIT}, {FREQ.size} frequencies 1 Hz..3 MHz; max |dZ|/|Z|: vs numpy {rel_np:.1e}, "
          f"vs impedance.py {rel_peer:.1e}")
    print(f"{os.cpu_count()} CPUs, {numba.get_num_threads()} numba threads ({numba.threading_layer()}), "
          f"load average {os.getloadavg()[0]:.2f}; {args.rounds} interleaved rounds (single set), "
          f"{args.batch_rounds} (batch); medians [min, max]")
    labels = {"numpy": "numpy formula, 1 set", "cellsim": "cellsim Circuit.impedance, 1 set",
              "impedance_py": "impedance.py predict, 1 set", "batch": f"cellsim, {N_BATCH} sets in one call",
              "batch_serial": f"cellsim, {N_BATCH} sets in one call, 1 thread",
              "loop": f"cellsim, loop of {N_BATCH} single calls"}
    for k, lab in labels.items():
        print(f"  {lab:<44s} {us(s[k]['median_s'])}  [{s[k]['min_s'] * 1e6:.1f}, {s[k]['max_s'] * 1e6:.1f}]")
    ratio_np = med["numpy"] / med["cellsim"]
    ratio_peer = med["impedance_py"] / med["cellsim"]
    bvl = med["loop"] / med["batch"]
    print(f"  numpy / cellsim (1 set): {ratio_np:.2f} (target >= 1); impedance.py / cellsim: {ratio_peer:.0f}; "
          f"loop / batch: {bvl:.2f} (target >= 1.5; 1 thread: {med['loop'] / med['batch_serial']:.2f})")
    print(f"  CPU time / wall time of the {numba.get_num_threads()}-thread batch: median "
          f"{statistics.median(cpu_per_wall):.2f} (the cores this process actually got)")
    for k, v in cold.items():
        print(f"  cold (new process, first call incl. imports) {k:<13s} {v['median_s'] * 1e3:8.1f} ms  "
              f"[{v['min_s'] * 1e3:.1f}, {v['max_s'] * 1e3:.1f}]")
    result = {
        "benchmark": "circuit_prediction",
        "circuit": CIRCUIT,
        "n_frequencies": int(FREQ.size),
        "batch_sets": N_BATCH,
        "max_rel_difference_numpy": rel_np,
        "max_rel_difference_impedance_py": rel_peer,
        "warm": s,
        "cold": cold,
        "ratio_vs_numpy": ratio_np,
        "ratio_vs_impedance_py": ratio_peer,
        "batch_vs_loop": bvl,
        "batch_vs_loop_one_thread": med["loop"] / med["batch_serial"],
        "batch_cpu_per_wall": statistics.median(cpu_per_wall),
        "numba_threads": numba.get_num_threads(),
        "cpus": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
        "cached": "parsed circuit reused across calls; numba kernels from the on-disk cache (cold: new process)",
        "targets": {"ratio_vs_numpy": 1.0, "batch_vs_loop": 1.5},
        "targets_met": bool(ratio_np >= 1.0 and bvl >= 1.5),
        "python": platform.python_version(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
