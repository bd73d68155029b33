"""``cellsim fit``: JSON keys of SPEC §3, recovery, options, plot, bad input."""

import json

import numpy as np

from cellsim.circuits import Circuit
from cellsim.cli import main
from cellsim.data import write_csv, Spectrum

CIRCUIT = "R0-p(R1,CPE1)"
TRUE = [10.0, 100.0, 1e-6, 0.9]


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def data_file(tmp_path, seed=0):
    f = np.logspace(5, -1, 31)
    z = Circuit(CIRCUIT).impedance(f, TRUE)
    rng = np.random.default_rng(seed)
    z = z + 0.01 * np.abs(z) * (rng.standard_normal(31) + 1j * rng.standard_normal(31))
    p = tmp_path / "d.csv"
    write_csv(p, Spectrum(f, z))
    return p


def test_fit_json_keys_and_recovery(tmp_path, capsys):
    p = data_file(tmp_path)
    code, out, _ = run_cli(capsys, "fit", p, "--circuit", CIRCUIT, "--json")
    assert code == 0
    d = json.loads(out)
    for key in ("success", "parameters", "weighted_ssr", "n_points"):
        assert key in d
    assert d["success"] is True and d["n_points"] == 31
    assert list(d["parameters"]) == ["R0", "R1", "CPE1_0", "CPE1_1"]
    for name, true in zip(d["parameters"], TRUE):
        v = d["parameters"][name]
        assert abs(v["value"] - true) < 4 * v["stderr"]


def test_fit_options_fix_guess_band_weight_plot(tmp_path, capsys):
    p = data_file(tmp_path)
    png = tmp_path / "fit.png"
    code, out, _ = run_cli(capsys, "fit", p, "--circuit", CIRCUIT, "--fix", "R0=10,CPE1_1=0.9",
                           "--guess", "R1=80", "--fmin", "100 mHz", "--fmax", "1e4", "--weight", "proportional",
                           "--plot", png, "--json")
    assert code == 0
    d = json.loads(out)
    assert d["parameters"]["R0"] == {"value": 10.0, "stderr": 0.0, "fixed": True, "unit": "ohm"}
    assert d["n_points"] == 26 and d["weighting"] == "proportional"
    assert png.is_file() and png.stat().st_size > 1000
    code, out, _ = run_cli(capsys, "fit", p, "--circuit", CIRCUIT, "--guess", "10,100,1e-6,0.9")
    assert code == 0 and "success: True" in out and "CPE1_1" in out


def test_fit_bad_input(tmp_path, capsys):
    p = data_file(tmp_path)
    for args, needle in [(("--circuit", "R0-p(R1"), "circuit"), (("--circuit", CIRCUIT, "--fix", "R7=1"), "R7"),
                         (("--circuit", CIRCUIT, "--fix", "R0"), "--fix"), (("--circuit", CIRCUIT, "--guess", "1,2"),
                                                                            "--guess"),
                         (("--circuit", CIRCUIT, "--fmin", "-3"), "--fmin"),
                         (("--circuit", CIRCUIT, "--fmin", "1e9"), "fmin")]:
        code, out, err = run_cli(capsys, "fit", p, *args)
        assert code == 2, args
        assert needle in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
