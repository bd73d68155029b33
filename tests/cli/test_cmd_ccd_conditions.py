"""``cellsim ccd``: conditions (--pressure, --temperature), margins and the middle-layer question."""

import json

import pytest

from cellsim.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _ccd(capsys, *extra):
    code, out, _ = run_cli(capsys, "ccd", "li-uvea-latp-uvea-li", "--step-time", "0.5 h", "--json", *extra)
    assert code == 0
    return json.loads(out)


def test_json_keys_of_the_issue(capsys):
    d = _ccd(capsys)
    assert isinstance(d["ccd_A_m2"], (int, float)) or d["ccd_A_m2"] is None
    assert isinstance(d["mechanism"], str) and d["mechanism"]
    assert set(d["margins"]) >= {"polymer_dendrite", "crack_initiation", "void_formation", "polarization"}
    assert all(v is None or v > 0 for v in d["margins"].values())
    assert isinstance(d["depends_on_middle_layer"], bool)
    assert d["pressure_Pa"] == pytest.approx(20e6) and d["temperature_K"] == pytest.approx(295.15)


def test_pressure_and_temperature_flags_change_the_result(capsys):
    base = _ccd(capsys)
    low_p = _ccd(capsys, "--pressure", "2 MPa")
    cold = _ccd(capsys, "--temperature", "10 degC")
    assert low_p["pressure_Pa"] == pytest.approx(2e6)
    assert cold["temperature_K"] == pytest.approx(283.15)
    assert low_p["ccd_A_m2"] != base["ccd_A_m2"]
    assert cold["ccd_A_m2"] != base["ccd_A_m2"]


def test_capacity_protocol_says_it_cannot_discriminate(capsys):
    code, out, _ = run_cli(capsys, "ccd", "li-uvea-latp-uvea-li", "--step-capacity", "0.5 mAh/cm2", "--json")
    d = json.loads(out)
    assert d["depends_on_middle_layer"] is False
    assert any("cannot push a dendrite across" in n for n in d["notes"])
    code, out, _ = run_cli(capsys, "ccd", "li-uvea-latp-uvea-li", "--step-capacity", "0.5 mAh/cm2")
    assert "depends on the middle layer: no" in out and "mechanism" in out


@pytest.mark.parametrize("flag,value,word", [("--pressure", "=-2MPa", "pressure"), ("--temperature", "0 K", "temperature"),
                                             ("--pressure", "3 m", "pressure")])
def test_bad_conditions_exit_2_with_one_line(capsys, flag, value, word):
    args = ["ccd", "li-uvea-latp-uvea-li", "--step-time", "0.5 h"]
    args += [flag + value] if value.startswith("=") else [flag, value]
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and word in err and "Traceback" not in err
