"""Rough edges of the command line: negative values, the band used, data files given as models."""

import json

import numpy as np
import pytest

from cellsim.cli import build_parser, join_negative_values, main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_negative_values_reach_the_option(capsys):
    # before the fix argparse said "--params: expected one argument"
    for args in (["--params", "-1,2e-6"], ["--params=-1,2e-6"]):
        code, _, err = run_cli(capsys, "eis", "--circuit", "R0-C1", *args, "--points", "2")
        assert code == 2 and "expected one argument" not in err
        assert "R0 = -1.0" in err  # the circuit's own check: a resistance > 0
    code, out, _ = run_cli(capsys, "eis", "--circuit", "R0-C1", "--params", "1,2e-6", "--points", "2", "--json")
    assert code == 0 and json.loads(out)["parameters"] == {"R0": 1.0, "C1": 2e-6}
    code, _, err = run_cli(capsys, "eis", "--circuit", "R0-C1", "--params", "1,2e-6", "--fmin", "-1e-3")
    assert code == 2 and "--fmin" in err and "expected one argument" not in err


def test_join_negative_values_only_joins_value_options():
    p = build_parser()
    assert join_negative_values(["fit", "x", "--guess", "-1,2"], p) == ["fit", "x", "--guess=-1,2"]
    assert join_negative_values(["eis", "--params", "-1e-3,2"], p) == ["eis", "--params=-1e-3,2"]
    assert join_negative_values(["eis", "--json", "-1"], p) == ["eis", "--json", "-1"]  # a flag takes no value
    assert join_negative_values(["eis", "--params", "--json"], p) == ["eis", "--params", "--json"]


@pytest.fixture
def spectrum_file(tmp_path):
    """An R-(R||C) spectrum with 10 points per decade from 3.16228 MHz to 1 Hz (cellsim CSV)."""
    f = np.logspace(6.5, 0, 66)
    z = 10 + 100 / (1 + 1j * 2 * np.pi * f * 100 * 1e-6)
    path = tmp_path / "rc.csv"
    path.write_text("frequency_Hz,z_real_ohm,z_imag_ohm\n" + "".join(f"{float(a)!r},{float(b.real)!r},{float(b.imag)!r}\n"
                                                                      for a, b in zip(f, z)))
    assert 316e3 < f[10] < 317e3  # 316,228 Hz is in the file
    return path, f


@pytest.mark.parametrize("command", [["fit", "--circuit", "R0-p(R1,C1)"], ["kk"], ["drt"], ["validate-model"]])
def test_band_and_points_used_are_reported(capsys, spectrum_file, command):
    path, f = spectrum_file
    if command == ["validate-model"]:
        args = ["validate", "ss-latp-ss", str(path)]
    else:
        args = [command[0], str(path), *command[1:]]
    code, out, err = run_cli(capsys, *args, "--fmax", "316e3", "--json")
    assert code == 0, err
    b = json.loads(out)["band"]
    kept = f[f <= 316e3]
    assert b["n_points_used"] == kept.size == f.size - 11 and b["n_points_file"] == f.size
    assert b["n_points_dropped"] == 11
    assert b["band_Hz"] == pytest.approx([kept.min(), kept.max()], rel=1e-12)
    code, out, _ = run_cli(capsys, *args, "--fmax", "316e3")
    assert f"band used {kept.max():.6g} Hz .. 1 Hz: 55 of 66 points (11 outside fmax 316000 Hz dropped" in out


def test_info_on_a_data_file_says_what_it_is(capsys, spectrum_file):
    path, _ = spectrum_file
    code, _, err = run_cli(capsys, "info", str(path))
    assert code == 2 and err.count("\n") == 1
    assert "is a measured impedance spectrum" in err and "not a cell model" in err and "cellsim fit" in err
    assert "cell.area" not in err


def test_unknown_material_names_file_and_line(capsys, tmp_path):
    m = tmp_path / "m.toml"
    m.write_text('[cell]\narea = { value = "1 cm2", source = "x" }\n[electrodes.left]\nkind = "li"\n'
                 '[electrodes.right]\nkind = "li"\n\n[[layers]]\nname = "A"\nmaterial = "latpx"\n'
                 'thickness = { value = "1 um", source = "x" }\n')
    code, _, err = run_cli(capsys, "info", str(m))
    assert code == 2 and f"{m}:10:" in err and "unknown material 'latpx'" in err


@pytest.mark.parametrize("command", [["read"], ["fit", "--circuit", "R0-p(R1,C1)"], ["kk"], ["drt"], ["validate"]])
def test_columns_flag_on_the_data_commands(capsys, tmp_path, command):
    f = np.logspace(5, 0, 26)
    z = 10 + 100 / (1 + 1j * 2 * np.pi * f * 100 * 1e-6)
    path = tmp_path / "odd.txt"
    path.write_text("n hz resistive reactive\n" + "".join(f"{k} {float(a)!r} {float(b.real)!r} {float(b.imag)!r}\n"
                                                         for k, (a, b) in enumerate(zip(f, z))))
    args = ["validate", "ss-latp-ss", str(path)] if command == ["validate"] else [command[0], str(path), *command[1:]]
    code, _, err = run_cli(capsys, *args, "--json")
    assert code == 2 and "no frequency column" in err
    code, out, err = run_cli(capsys, *args, "--columns", "1,resistive,3", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["points"] == 26 if command == ["read"] else d["band"]["n_points_used"] == 26
