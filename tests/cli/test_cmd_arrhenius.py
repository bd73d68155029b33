"""``cellsim arrhenius``: table, JSON, plot, errors, resistance and spectra tables."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from cellsim.cli import main
from cellsim.temperature import EV_PER_PARTICLE_TO_J_PER_MOL, VTF, Arrhenius

EA_EV = 0.33
T_C = np.arange(0.0, 81.0, 10.0)


def _table(tmp_path, law=None, noise=0.02, seed=0, err=False):
    law = law or Arrhenius.from_ev(EA_EV)
    T = T_C + 273.15
    rng = np.random.default_rng(seed)
    s_cm = np.asarray(law.scale(7.73e-4, T)) * np.exp(noise * rng.standard_normal(T.size))
    p = tmp_path / "s7.csv"
    lines = ["T_degC,sigma_S_cm" + (",sigma_err_S_cm" if err else "")]
    for t, s in zip(T_C, s_cm):
        lines.append(f"{t},{s:.6e}" + (f",{noise * s:.6e}" if err else ""))
    p.write_text("\n".join(lines) + "\n")
    return p


def test_table_output(tmp_path, capsys):
    p = _table(tmp_path)
    assert main(["arrhenius", str(p)]) == 0
    out = capsys.readouterr().out
    assert "Arrhenius" in out and "kJ/mol" in out and "eV" in out and "mS/cm" in out
    assert "9 points" in out


def test_json_output_recovers_ea(tmp_path, capsys):
    p = _table(tmp_path, err=True)
    assert main(["arrhenius", str(p), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    for key in ("activation_energy_J_mol", "activation_energy_stderr_J_mol", "activation_energy_eV",
                "sigma_ref_S_m", "reference_temperature_K", "covariance", "temperature_K", "sigma_S_m",
                "sigma_fit_S_m", "chi2", "dof"):
        assert key in d
    assert d["law"] == "arrhenius" and d["n_points"] == 9 and d["absolute_sigma"] is True
    assert abs(d["activation_energy_eV"] - EA_EV) < 3 * d["activation_energy_stderr_eV"]
    assert d["reference_temperature_K"] == pytest.approx(295.15)
    assert d["activation_energy_J_mol"] == pytest.approx(d["activation_energy_eV"] * EV_PER_PARTICLE_TO_J_PER_MOL)
    np.testing.assert_allclose(d["temperature_K"], T_C + 273.15)


def test_vtf_and_sigmaT_and_reference_temperature(tmp_path, capsys):
    p = _table(tmp_path, law=VTF(1100.0, 190.0), noise=0.005)
    assert main(["arrhenius", str(p), "--law", "vtf", "--json", "--reference-temperature", "25 degC"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["law"] == "vtf" and d["reference_temperature_K"] == pytest.approx(298.15)
    assert abs(d["B_K"] - 1100.0) < 3 * d["B_stderr_K"]
    assert main(["arrhenius", str(p), "--law", "vtf"]) == 0
    assert "T0" in capsys.readouterr().out
    assert main(["arrhenius", str(_table(tmp_path)), "--form", "sigmaT", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["form"] == "sigmaT"


def test_plot_is_written_atomically(tmp_path, capsys):
    p = _table(tmp_path, err=True)
    png = tmp_path / "fig.png"
    assert main(["arrhenius", str(p), "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".arrhenius-*"))  # no temporary left behind
    capsys.readouterr()
    assert main(["arrhenius", str(p), "--plot", str(tmp_path / "fig.jpg")]) == 2
    assert "--plot" in capsys.readouterr().err


@pytest.mark.parametrize("args,needle", [
    (["missing.csv"], "cannot read"),
    (["BAD"], "temperature column"),
    (["GOOD", "--reference-temperature", "300"], "--reference-temperature"),
    (["GOOD", "--law", "exp"], "invalid choice"),
])
def test_errors_exit_2_with_one_line(tmp_path, capsys, args, needle):
    good = _table(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("sigma_S_cm\n1e-3\n")
    args = [str(good) if a == "GOOD" else str(bad) if a == "BAD" else str(tmp_path / a) if a.endswith(".csv") else a
            for a in args]
    assert main(["arrhenius", *args]) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err


def test_resistance_table_needs_geometry(tmp_path, capsys):
    p = tmp_path / "r.csv"
    T = T_C + 273.15
    sig = np.asarray(Arrhenius.from_ev(EA_EV).scale(7.73e-2, T))  # S/m
    R = 340e-6 / (sig * 2e-4)
    p.write_text("T_K,R_ohm\n" + "\n".join(f"{t},{r:.10e}" for t, r in zip(T, R)) + "\n")
    assert main(["arrhenius", str(p)]) == 2
    assert "thickness" in capsys.readouterr().err
    assert main(["arrhenius", str(p), "--thickness", "340 um", "--area", "2 cm2", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["activation_energy_eV"] == pytest.approx(EA_EV, rel=1e-8)
    assert d["sigma_ref_S_m"] == pytest.approx(7.73e-2, rel=1e-8)
    np.testing.assert_allclose(d["bulk_resistance_ohm"], R, rtol=1e-9)


def test_spectra_at_several_temperatures(tmp_path, capsys):
    from cellsim.data import Spectrum, write_csv

    T = T_C + 273.15
    sig = np.asarray(Arrhenius.from_ev(EA_EV).scale(7.73e-2, T))
    R = 340e-6 / (sig * 2e-4)
    f = np.logspace(6.5, 0, 60)
    rows = ["file,T_K"]
    for k, (t, r) in enumerate(zip(T, R)):
        w = 2 * np.pi * f
        z = r / (1 + 1j * w * r * 5e-11) + 1 / (1e-5 * (1j * w) ** 0.9)
        name = f"spec_{k}.csv"
        write_csv(tmp_path / name, Spectrum(f, z))
        rows.append(f"{name},{t}")
    man = tmp_path / "manifest.csv"
    man.write_text("\n".join(rows) + "\n")
    assert main(["arrhenius", str(man), "--thickness", "340 um", "--area", "2 cm2", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    # R_b read graphically from each spectrum (a few % high at the spike's foot), Ea recovered to ~1 %
    np.testing.assert_allclose(d["bulk_resistance_ohm"], R, rtol=0.03)
    assert d["activation_energy_eV"] == pytest.approx(EA_EV, rel=0.02)


def test_subprocess(tmp_path):
    p = _table(tmp_path)
    exe = shutil.which("cellsim")
    cmd = [exe] if exe else [sys.executable, "-c", "import sys; from cellsim.cli import main; sys.exit(main())"]
    r = subprocess.run([*cmd, "arrhenius", str(p), "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["law"] == "arrhenius"
    r = subprocess.run([*cmd, "arrhenius", str(tmp_path / "nope.csv")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
