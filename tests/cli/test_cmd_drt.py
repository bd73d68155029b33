"""``cellsim drt``: JSON keys of SPEC §3, two peaks, plot, bad input."""

import json

import numpy as np

from cellsim.circuits import Circuit
from cellsim.cli import main
from cellsim.data import Spectrum, write_csv


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_drt_json_two_peaks_and_plot(tmp_path, capsys):
    f = np.logspace(6, -2, 61)
    z = Circuit("R0-p(R1,C1)-p(R2,C2)").impedance(f, [10, 100, 1e-6, 300, 1e-3])
    write_csv(tmp_path / "d.csv", Spectrum(f, z))
    png = tmp_path / "drt.png"
    code, out, _ = run_cli(capsys, "drt", tmp_path / "d.csv", "--plot", png, "--json")
    assert code == 0
    d = json.loads(out)
    for key in ("tau_s", "gamma_ohm", "peaks"):
        assert key in d
    assert len(d["tau_s"]) == len(d["gamma_ohm"])
    taus = sorted(p["tau_s"] for p in d["peaks"])
    assert len(taus) == 2
    assert abs(np.log10(taus[0] / 1e-4)) < 0.1 and abs(np.log10(taus[1] / 0.3)) < 0.1
    assert png.is_file()
    code, out, _ = run_cli(capsys, "drt", tmp_path / "d.csv", "--lambda", "1e-4")
    assert code == 0 and "fixed" in out


def test_drt_bad_lambda(tmp_path, capsys):
    f = np.logspace(3, 0, 10)
    write_csv(tmp_path / "d.csv", Spectrum(f, 10 + 0 * f - 1j * f * 1e-3))
    code, _, err = run_cli(capsys, "drt", tmp_path / "d.csv", "--lambda", "big")
    assert code == 2 and "--lambda" in err
