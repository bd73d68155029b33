"""``cellsim read``: summary, CSV output, loops, JSON keys, bad input."""

import json
from pathlib import Path

import numpy as np

from cellsim.circuits import Circuit
from cellsim.cli import main
from cellsim.data import Spectrum, read_spectra, write_csv

EIS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "eis"


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def spectrum_file(tmp_path, loops=1):
    f = np.logspace(5, -1, 25)
    c = Circuit("R0-p(R1,CPE1)")
    spectra = [Spectrum(f, c.impedance(f, [10, 100 * (k + 1), 1e-6, 0.9]), loop=k) for k in range(loops)]
    p = tmp_path / "data.csv"
    write_csv(p, spectra)
    return p, spectra


def test_read_json_and_csv_roundtrip(tmp_path, capsys):
    p, spectra = spectrum_file(tmp_path, loops=3)
    out_csv = tmp_path / "out.csv"
    code, out, _ = run_cli(capsys, "read", p, "--out", out_csv, "--json")
    assert code == 0
    d = json.loads(out)
    assert d["points"] == 75 and d["loops"] == 3
    back = read_spectra(out_csv)
    assert len(back) == 3
    for a, b in zip(back, spectra):
        assert np.array_equal(a.frequency, b.frequency) and np.array_equal(a.z, b.z)
    code, out, _ = run_cli(capsys, "read", p, "--loop", "1", "--json")
    assert json.loads(out)["loops"] == 1 and json.loads(out)["points"] == 25


def test_read_table(tmp_path, capsys):
    p, _ = spectrum_file(tmp_path)
    code, out, _ = run_cli(capsys, "read", p)
    assert code == 0 and "25 points in 1 loop" in out


def test_read_bad_input_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("frequency_Hz,z_real_ohm,z_imag_ohm\n1000,1,2\n100,nan,3\n")
    code, out, err = run_cli(capsys, "read", bad)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "bad.csv:3" in err
    code, _, err = run_cli(capsys, "read", tmp_path / "missing.mpt")
    assert code == 2 and "no such file" in err
    p, _ = spectrum_file(tmp_path)
    code, _, err = run_cli(capsys, "read", p, "--loop", "5")
    assert code == 2 and "--loop" in err
    code, _, err = run_cli(capsys, "read", p, "--out", tmp_path / "nodir" / "x.csv")
    assert code == 2 and "--out" in err


def test_read_real_multiloop_mpr(capsys):
    path = EIS / "li-tegdme-li_geis_45loops.mpr"
    if not path.is_file():
        import pytest

        pytest.skip(f"shared EIS data not found at {path}")
    code, out, _ = run_cli(capsys, "read", path, "--json")
    d = json.loads(out)
    assert code == 0 and d["loops"] == 45 and d["points"] == 405 and d["format"] == "biologic-mpr"
