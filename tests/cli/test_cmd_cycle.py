"""``cellsim cycle``: the issue's JSON keys, the seed comparison, the plot, bad input (exit 2, one line)."""

import json

import pytest

from cellsim.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_of_the_seed_protocol(capsys):
    code, out, _ = run_cli(capsys, "cycle", "li-uvea-latp-uvea-li", "--current", "0.5mA/cm2", "--step-time", "1h",
                           "--until", "10000h", "--json")
    assert code == 0
    d = json.loads(out)
    for key in ("lifetime_h", "failure", "cumulative_capacity_mAh_cm2", "lifetime_s", "cumulative_capacity_C_m2",
                "time_s", "v_max_V", "slow_asr_ohm_m2", "events", "seed"):
        assert key in d
    assert d["failure"] == "voltage_limit"
    assert d["cumulative_capacity_mAh_cm2"] == pytest.approx(0.5 * d["lifetime_h"], rel=1e-12)
    assert d["seed"]["role"] == "calibration" and d["seed"]["lifetime_h"] == 2500


def test_json_survival_is_null(capsys):
    code, out, _ = run_cli(capsys, "cycle", "li-uvea-latp-uvea-li", "--current", "0.1 mA/cm2", "--step-time", "1 h",
                           "--until", "200 h", "--json")
    d = json.loads(out)
    assert code == 0 and d["lifetime_h"] is None and d["failure"] is None
    assert d["cumulative_capacity_mAh_cm2"] == pytest.approx(20.0)
    assert d["seed"]["role"] == "prediction"


def test_table_plot_and_conditions(capsys, tmp_path):
    png = tmp_path / "cycle.png"
    code, out, _ = run_cli(capsys, "cycle", "li-uvea-li", "--current", "0.5mA/cm2", "--step-time", "1h", "--until",
                           "100h", "--temperature", "40degC", "--voltage-limit", "1V", "--plot", str(png))
    assert code == 0 and png.stat().st_size > 0
    assert "lifetime" in out and "40 degC" in out and "calibrated" in out


@pytest.mark.parametrize("args, needle", [
    (["--current", "abc", "--step-time", "1h"], "--current"),
    (["--current", "0.5 V", "--step-time", "1h"], "--current"),
    (["--current", "-0.5mA/cm2", "--step-time", "1h"], "--current"),
    (["--current", "0.5mA/cm2", "--step-time", "1h", "--until", "1h"], "--until"),
    (["--current", "0.5mA/cm2", "--step-time", "1h", "--voltage-limit", "0 V"], "--voltage-limit"),
])
def test_bad_values_exit_2_with_one_line(capsys, args, needle):
    code, out, err = run_cli(capsys, "cycle", "li-uvea-latp-uvea-li", *args)
    assert code == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_not_a_symmetric_cell(capsys):
    code, _, err = run_cli(capsys, "cycle", "li-uvea-latp-uvea-nmc811", "--current", "0.5mA/cm2", "--step-time", "1h")
    assert code == 2 and "Li on both sides" in err


def test_set_a_lifetime_parameter(capsys):
    code, out, _ = run_cli(capsys, "cycle", "li-uvea-latp-uvea-li", "--current", "0.5mA/cm2", "--step-time", "1h",
                           "--until", "3000h", "--set", "sei_ionic_conductivity=2e-8 S/cm", "--json")
    d = json.loads(out)
    # twice the SEI conductivity halves the SEI ASR: the life is longer, and no seed comparison is claimed
    assert code == 0 and (d["lifetime_h"] is None or d["lifetime_h"] > 2600) and d["seed"] is None
    assert d["parameter_sources"]["sei_ionic_conductivity"] == "set by the user [assumed]"
    code, _, err = run_cli(capsys, "cycle", "li-uvea-latp-uvea-li", "--current", "0.5mA/cm2", "--step-time", "1h",
                           "--set", "nope=1")
    assert code == 2 and "--set" in err and "inactive_fraction" in err
