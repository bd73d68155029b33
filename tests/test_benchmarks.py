"""Benchmarks stay runnable: each script runs (few repeats) and ends with one JSON line.

No timing is asserted here (speed is shown by running the scripts); only that they run,
that their correctness pre-checks pass and that the JSON carries the ratios.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_benchmark(name, *args, timeout=600):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / name), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_circuit_prediction_benchmark_runs():
    pytest.importorskip("impedance")
    out = run_benchmark("circuit_prediction.py", "--rounds", "3", "--batch-rounds", "1", "--cold-rounds", "0")
    assert out["max_rel_difference_numpy"] < 1e-12 and out["max_rel_difference_impedance_py"] < 1e-12
    assert out["batch_sets"] == 10_000
    for key in ("ratio_vs_numpy", "batch_vs_loop", "ratio_vs_impedance_py"):
        assert out[key] > 0
    assert out["warm"]["cellsim"]["n"] == 3


@pytest.mark.slow
def test_circuit_fitting_benchmark_runs():
    pytest.importorskip("impedance")
    out = run_benchmark("circuit_fitting.py", "--seeds", "2", "--rounds", "1", "--cold-rounds", "0")
    assert out["n_spectra"] == 2 and out["auto_reached"] == 2
    assert out["auto_ratio"] > 0 and out["warm"]["cellsim_auto"]["n"] == 2


def test_step_up_benchmark_runs():
    out = run_benchmark("step_up.py", "--repeats", "1", "--cold", "1")
    assert out["model"] == "li-uvea-latp-uvea-li" and out["samples"] > 1000 and out["engines_identical"]
    assert out["warm_s"] > 0 and out["cold_s"] > 0 and out["sim_s"] > 0


def test_transport_benchmark_runs():
    pytest.importorskip("pybamm")
    out = run_benchmark("transport.py", "--repeats", "3")
    assert out["cellsim_available"]
    assert out["pybamm_max_face_rel_error"] < 1e-4 and out["cellsim_max_face_rel_error"] < 1e-4
    assert out["agreement_voltage_rel"] < 1e-3 and out["agreement_face_rel"] < 1e-3
    for key in ("ratio", "ratio_vs_pybamm_build_solve", "cellsim_simulate_s", "pybamm_solve_s"):
        assert out[key] > 0
    # every time-stepped scheme matched on its own; the fastest is the time-stepped figure
    methods = out["time_stepped_methods"]
    compact = "sdirk4, compact 4th-order space"
    assert set(methods) == {"bdf2", "sdirk4", compact} and out["time_stepped_method"] in methods
    for m in methods.values():
        assert m["max_face_rel_error"] < 1e-4 and m["time_steps"] > 0 and m["ratio_vs_pybamm_solve"] > 0
    assert methods["sdirk4"]["time_steps"] < methods["bdf2"]["time_steps"]
    # the fourth-order scheme reaches the matched accuracy with fewer cells than the second-order one
    assert methods[compact]["spatial_order"] == 4 and methods[compact]["grid_stretch"] == 1.0
    assert methods[compact]["n_cells"] < methods["sdirk4"]["n_cells"]
    assert out["ratio_vs_pybamm_solve_second_order"] > 0
    assert out["cellsim_spatial_order"] in (2, 4) and out["eigenmode_ratio_second_order"] > 0


def test_sweep_benchmark_runs():
    out = run_benchmark("sweep.py", "--quick", "--repeats", "1")
    assert out["n_points"] == 180 and out["max_rel_difference"] < 1e-12
    for key in ("inprocess_vectorised_s", "dask_speedup_1_to_2"):
        assert out[key] > 0


@pytest.mark.slow
def test_drt_benchmark_runs():
    pytest.importorskip("pyimpspec")
    out = run_benchmark("drt.py", "--repeats", "1")
    assert out["pyimpspec_available"]
    assert out["cases"]["two_zarc_2000"]["n_points"] == 2000
    ratios = out["cases"]["two_zarc_300"]["ratios"]
    assert ratios["pyimpspec_tr_nnls"] > 0 and ratios["pyimpspec_tr_rbf"] > 0
    for name in ("two_zarc_81", "two_zarc_300", "two_zarc_2000"):
        sc = out["cases"][name]["methods"]["cellsim"]["score"]
        # cellsim's peaks at the true time constants (0.05 decade = half its grid step)
        assert all(s["decades_off"] < 0.05 for s in sc), sc
    assert "pyimpspec_tr_rbf" in out["cases"]["two_zarc_81"]["methods"]


def test_uncertainty_benchmark_runs():
    out = run_benchmark("uncertainty.py", "--quick")
    assert out["samples"] == 16 and out["parameters"] > 20 and out["n_failed"] == 0
    for key in ("wall_s", "serial_s_per_sample_median", "speedup"):
        assert out[key] > 0


def test_cycle_benchmark_runs():
    out = run_benchmark("cycle.py", "--repeats", "1")
    assert out["model"] == "li-uvea-latp-uvea-li" and out["cycles"] > 1000
    assert out["lifetime_rel_difference"] < 1e-9
    assert out["simulated_cycles_compressed"] < out["simulated_cycles_full"]
    for key in ("compressed_warm_median_s", "full_warm_median_s", "ratio_full_to_compressed", "cold_process_s"):
        assert out[key] > 0


@pytest.mark.slow
def test_fullcell_cycles_benchmark_runs():
    pytest.importorskip("pybamm")
    out = run_benchmark("fullcell_cycles.py", "--repeats", "1", "--cycles", "5")
    assert out["cycles"] == 5 and out["retention_abs_difference"] < 1e-4
    assert out["retention_final_spme"] < 1.0
    for key in ("warm_median_s", "dfn_median_s", "ratio_dfn_to_spme", "cold_process_s"):
        assert out[key] > 0


@pytest.mark.slow
def test_cycle_interval_benchmark_runs():
    out = run_benchmark("cycle_interval.py", "--samples", "4", "--repeats", "1")
    assert out["model"] == "li-uvea-latp-uvea-li" and out["samples"] == 4
    assert out["kept"] + out["rejected"] == 4
    assert out["lifetime_h_q05"] <= out["lifetime_h_q50"] <= out["lifetime_h_q95"]
    assert out["ratio_serial_to_parallel"] > 0
