"""``cellsim kk``: JSON keys of SPEC §3, valid vs drifting data, bad input."""

import json

import numpy as np

from cellsim.circuits import Circuit
from cellsim.cli import main
from cellsim.data import Spectrum, write_csv


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_kk_json_valid_and_drifting(tmp_path, capsys):
    f = np.logspace(6, -1, 71)
    c = Circuit("R0-p(R1,C1)-p(R2,C2)")
    rng = np.random.default_rng(0)
    z = c.impedance(f, [10, 100, 1e-6, 300, 1e-3])
    z = z + 0.002 * np.abs(z) * (rng.standard_normal(71) + 1j * rng.standard_normal(71))
    write_csv(tmp_path / "ok.csv", Spectrum(f, z))
    code, out, _ = run_cli(capsys, "kk", tmp_path / "ok.csv", "--json")
    assert code == 0
    d = json.loads(out)
    for key in ("n_rc", "residuals_real", "residuals_imag", "max_abs_residual"):
        assert key in d
    assert len(d["residuals_real"]) == 71 and d["passed"] is True
    assert d["max_abs_residual"] == max(abs(x) for x in d["residuals_real"] + d["residuals_imag"])
    t = np.cumsum(1 / f) / np.sum(1 / f)
    zd = np.array([c.impedance(fi, [10, 100, 1e-6, 300 * (1 + 0.5 * ti), 1e-3]) for fi, ti in zip(f, t)])
    write_csv(tmp_path / "drift.csv", Spectrum(f, zd))
    code, out, _ = run_cli(capsys, "kk", tmp_path / "drift.csv")
    assert code == 0 and "FLAGGED" in out


def test_kk_bad_input(tmp_path, capsys):
    p = tmp_path / "two.csv"
    p.write_text("frequency_Hz,z_real_ohm,z_imag_ohm\n10,1,-1\n1,2,-2\n")
    code, _, err = run_cli(capsys, "kk", p)
    assert code == 2 and "at least 3 points" in err
    code, _, err = run_cli(capsys, "kk", p, "--threshold", "2")
    assert code == 2 and "--threshold" in err
