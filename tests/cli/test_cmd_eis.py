"""``cellsim eis``: model and circuit spectra, CSV, plots, JSON, errors."""

import csv
import json
import math
import shutil
import subprocess
import sys

import numpy as np
import pytest

from cellsim.circuits import Circuit, compose_circuit
from cellsim.cli import main
from cellsim.cli.cmd_eis import frequencies
from cellsim.models import load_model


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_frequencies_like_the_seed():
    f = frequencies()
    assert f[0] == 3e6 and f[-1] == 1.0
    assert np.all(np.diff(f) < 0)
    # 10 points per decade over log10(3e6) = 6.48 decades
    assert f.size == round(10 * math.log10(3e6)) + 1
    assert np.allclose(np.diff(np.log10(f)), -math.log10(3e6) / (f.size - 1))
    g = frequencies("10 mHz", "1 kHz", 11)
    assert g.size == 11 and g[0] == 1e3 and g[-1] == pytest.approx(0.01)


def test_circuit_json_matches_circuit(capsys):
    code, out, _ = run_cli(capsys, "eis", "--circuit", "R0-p(R1,CPE1)", "--params", "10,100,1e-6,0.9",
                           "--fmin", "1", "--fmax", "1e5", "--points", "21", "--json")
    assert code == 0
    d = json.loads(out)
    f = np.array(d["frequency_Hz"])
    assert f.size == 21 and d["n_points"] == 21
    z = Circuit("R0-p(R1,CPE1)").impedance(f, [10, 100, 1e-6, 0.9])
    assert np.allclose(d["z_real_ohm"], z.real, rtol=1e-14)
    assert np.allclose(d["z_imag_ohm"], z.imag, rtol=1e-14)
    assert max(d["z_imag_ohm"]) < 0  # capacitive: negative imaginary part
    assert d["parameters"] == {"R0": 10.0, "R1": 100.0, "CPE1_0": 1e-6, "CPE1_1": 0.9}


def test_named_params(capsys):
    code, out, _ = run_cli(capsys, "eis", "--circuit", "R0-C1", "--params", "C1=1e-6,R0=5", "--points", "3", "--json")
    assert code == 0 and json.loads(out)["parameters"] == {"R0": 5.0, "C1": 1e-6}


def test_model_csv_and_plots(tmp_path, capsys):
    out_csv, png, bode = tmp_path / "s.csv", tmp_path / "n.png", tmp_path / "b.png"
    code, out, _ = run_cli(capsys, "eis", "ss-latp-ss", "--out", str(out_csv), "--plot", str(png),
                           "--bode", str(bode), "--json")
    assert code == 0
    d = json.loads(out)
    assert d["circuit"] == "p(p(R0,C0)-CPE1-CPE2,R3)" and d["method"] == "circuit"
    with open(out_csv, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["frequency_Hz", "z_real_ohm", "z_imag_ohm"]
    data = np.array(rows[1:], dtype=float)
    assert data.shape == (len(d["frequency_Hz"]), 3)
    cc = compose_circuit(load_model("ss-latp-ss"))
    z = cc.impedance(data[:, 0])
    assert np.allclose(data[:, 1], z.real, rtol=1e-11) and np.allclose(data[:, 2], z.imag, rtol=1e-11)
    for p in (png, bode):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".")]  # no temp files left


def test_model_param_override_and_temperature(capsys):
    code, out, _ = run_cli(capsys, "eis", "ss-latp-ss", "--params", "R0=1000", "--points", "2", "--json")
    assert code == 0 and json.loads(out)["parameters"]["R0"] == 1000.0
    code, out, _ = run_cli(capsys, "eis", "ss-latp-ss", "--temperature", "60 degC", "--points", "2", "--json")
    d = json.loads(out)
    assert d["temperature_K"] == pytest.approx(333.15)
    assert d["parameters"]["R0"] < compose_circuit(load_model("ss-latp-ss")).parameters["R0"]


def test_table_output(capsys):
    code, out, _ = run_cli(capsys, "eis", "--circuit", "R0-p(R1,C1)", "--params", "10,100,1e-6", "--points", "4")
    assert code == 0
    assert "-Z'' [ohm]" in out and "R0-p(R1,C1)" in out and "phase [deg]" in out


@pytest.mark.parametrize("args,fragment", [
    (["--circuit", "R0-p(R1,C1", "--params", "1,2,3"], "never closed at position 4"),
    (["--circuit", "R0-p(R1,C1)", "--params", "1,2"], "3 values"),
    (["--circuit", "R0-p(R1,C1)"], "--params"),
    (["--circuit", "R0-p(R1,CPE1)", "--params", "1,2,1e-6,1.5"], "CPE1_1"),
    (["--circuit", "R0", "--params", "abc"], "a number"),
    (["--circuit", "R0", "--params", "1", "--fmin", "0"], "--fmin"),
    (["--circuit", "R0", "--params", "1", "--fmin", "1 kHz", "--fmax", "1 Hz"], "--fmin"),
    (["--circuit", "R0", "--params", "1", "--fmax", "3 m"], "--fmax"),
    (["--circuit", "R0", "--params", "1", "--points", "0"], "--points"),
    (["ss-latp-ss", "--circuit", "R0", "--params", "1"], "not both"),
    ([], "MODEL"),
    (["no-such-model"], "unknown model"),
    (["ss-latp-ss", "--params", "1,2"], "NAME=VALUE"),
    (["ss-latp-ss", "--params", "X9=1"], "X9"),
    (["--circuit", "R0", "--params", "1", "--physics"], "--physics"),
])
def test_bad_input_exits_2_with_one_line(capsys, args, fragment):
    code, out, err = run_cli(capsys, "eis", *args)
    assert code == 2
    assert err.startswith("cellsim: error:") and err.count("\n") == 1
    assert fragment in err


def test_physics_flag(capsys, tmp_path):
    from cellsim.transport.smallsignal import transport_impedance

    out_csv = tmp_path / "p.csv"
    code, out, err = run_cli(capsys, "eis", "li-uvea-li", "--physics", "--json", "--out", str(out_csv))
    assert code == 0, err
    d = json.loads(out)
    assert d["method"] == "physics" and d["bias_current_density_A_m2"] == 0.0
    f = np.array(d["frequency_Hz"])
    assert f[0] == 3e6 and f[-1] == 1.0 and f.size == round(10 * math.log10(3e6)) + 1  # SPEC §3 default
    z = transport_impedance(load_model("li-uvea-li"), f)
    assert np.allclose(d["z_real_ohm"], z.real, rtol=1e-14) and np.allclose(d["z_imag_ohm"], z.imag, rtol=1e-14)
    assert max(d["z_imag_ohm"]) < 0  # capacitive
    with open(out_csv, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["frequency_Hz", "z_real_ohm", "z_imag_ohm"]
    assert np.allclose(np.array(rows[1:], dtype=float)[:, 1], z.real, rtol=1e-11)
    # the transport model and the composed circuit describe the same cell
    zc = compose_circuit(load_model("li-uvea-li"), leakage_threshold=math.inf).impedance(f)
    assert np.max(np.abs(z - zc) / np.abs(zc)) < 1e-3


def test_physics_bias_and_cells(capsys):
    from cellsim.transport.smallsignal import transport_impedance

    code, out, err = run_cli(capsys, "eis", "li-uvea-li", "--physics", "--bias", "20 uA/cm2", "--cells", "60",
                             "--points", "4", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["bias_current_density_A_m2"] == pytest.approx(0.2, rel=1e-12)
    z = transport_impedance(load_model("li-uvea-li"), d["frequency_Hz"], bias_current_density=0.2, n_cells=60)
    assert np.allclose(d["z_real_ohm"], z.real, rtol=1e-14)
    code, out, _ = run_cli(capsys, "eis", "li-uvea-li", "--physics", "--points", "3")
    assert code == 0 and "[physics]" in out and "linearised at J = 0 mA/cm2" in out


@pytest.mark.parametrize("args,fragment", [
    (["li-uvea-li", "--physics", "--bias", "1 A/cm2"], "limiting current"),
    (["li-uvea-li", "--physics", "--bias", "3 m"], "--bias"),
    (["li-uvea-li", "--bias", "1 mA/cm2"], "only together with --physics"),
    (["li-uvea-li", "--cells", "50"], "only together with --physics"),
    (["li-uvea-li", "--physics", "--cells", "1"], "--cells"),
])
def test_physics_bad_input_exits_2_with_one_line(capsys, args, fragment):
    code, out, err = run_cli(capsys, "eis", *args)
    assert code == 2
    assert err.startswith("cellsim: error:") and err.count("\n") == 1
    assert fragment in err


def test_subprocess_csv(tmp_path):
    exe = shutil.which("cellsim")
    cmd = [exe] if exe else [sys.executable, "-c", "import sys; from cellsim.cli import main; sys.exit(main())"]
    out = tmp_path / "z.csv"
    r = subprocess.run(cmd + ["eis", "--circuit", "R0-p(R1,CPE1)", "--params", "10,100,1e-6,0.9", "--out", str(out),
                              "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["out"] == str(out)
    assert out.read_text().startswith("frequency_Hz,z_real_ohm,z_imag_ohm\n3000000,")
    r = subprocess.run(cmd + ["eis", "--circuit", "R0-X1", "--params", "1"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "unknown element 'X1'" in r.stderr and "Traceback" not in r.stderr
