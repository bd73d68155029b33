"""``cellsim fullcell``: JSON keys, table, plot, one-line errors with exit 2."""

import json
import subprocess
import sys

import pytest

from cellsim.cli import main

pytest.importorskip("pybamm")


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_keys_and_values(capsys):
    code, out, _ = run_cli(capsys, "fullcell", "li-uvea-lvo-uvea-nmc811", "--c-rate", "0.2", "--json")
    assert code == 0
    d = json.loads(out)
    for key in ("capacity_mAh_g", "mean_voltage_V", "time_s", "voltage_V", "n_p_ratio", "self_discharge_A",
                "capacity_loss_per_day"):
        assert key in d
    assert len(d["time_s"]) == len(d["voltage_V"]) == len(d["step"]) > 100
    assert d["vmin_V"] == 2.7 and d["vmax_V"] == 4.2
    assert min(d["voltage_V"]) >= 2.7 - 1e-6 and max(d["voltage_V"]) <= 4.2 + 1e-6
    assert d["self_discharge_A"] == pytest.approx(4.2 / d["electronic_resistance_ohm"], rel=1e-12)
    # 1 C = 210 mA/g of 7.4 mg/cm2 x 0.9 over 1.33 cm2
    assert d["current_A"] == pytest.approx(0.2 * 0.210 * 7.4e-3 * 0.9 * 1.33, rel=1e-12)
    assert 100 < d["capacity_mAh_g"] < 230


def test_plated_li_anode_and_window(capsys, tmp_path):
    png = tmp_path / "fc.png"
    code, out, _ = run_cli(capsys, "fullcell", "li-uvea-latp-uvea-nmc811", "--anode", "2 mAh/cm2", "--vmax", "4.2 V",
                           "--pybamm-model", "SPMe", "--plot", str(png), "--json")
    assert code == 0
    d = json.loads(out)
    assert d["n_p_ratio"] == pytest.approx(2 / (7.4 * 0.9 * 0.210), rel=1e-12)
    assert d["n_p_ratio_seed_convention"] == pytest.approx(1 + 2 / (7.4 * 0.9 * 0.210), rel=1e-12)
    assert d["vmax_V"] == 4.2
    assert png.stat().st_size > 1000


def test_table_output(capsys):
    code, out, _ = run_cli(capsys, "fullcell", "li-uvea-lvo-uvea-nmc811", "--pybamm-model", "SPMe")
    assert code == 0
    assert "discharge capacity" in out and "mAh/g" in out and "N/P" in out and "%/day" in out


@pytest.mark.parametrize("args", [
    ["--c-rate", "abc"],
    ["--c-rate", "-0.2"],
    ["--vmax", "5.5"],
    ["--vmin", "4.3", "--vmax", "4.2"],
    ["--vmax", "4.2 A"],
    ["--anode", "3 V"],
])
def test_bad_input_exits_2_with_one_line(capsys, args):
    code, out, err = run_cli(capsys, "fullcell", "li-uvea-latp-uvea-nmc811", *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("cellsim: error:")


def test_not_a_full_cell_exits_2(capsys):
    code, _, err = run_cli(capsys, "fullcell", "li-uvea-li")
    assert code == 2 and "nmc811" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(capsys, "fullcell", "no-such-model")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_console_script_bad_input_no_traceback():
    cmd = [sys.executable, "-c", "import sys; from cellsim.cli import main; sys.exit(main())",
           "fullcell", "li-uvea-latp-uvea-nmc811", "--c-rate", "x"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_sweep_and_compare(capsys):
    code, out, _ = run_cli(capsys, "fullcell", "li-uvea-lvo-uvea-nmc811", "--pybamm-model", "SPMe",
                           "--sweep", "UVEA-1=20um,300um", "--compare", "li-uvea-latp-uvea-nmc811", "--json")
    assert code == 0
    d = json.loads(out)
    caps = [r["capacity_mAh_g"] for r in d["sweep"]]
    assert [r["thickness_m"] for r in d["sweep"]] == pytest.approx([20e-6, 300e-6])
    assert caps[0] > d["capacity_mAh_g"] > caps[1]  # 20 um > the model's 100 um > 300 um
    (other,) = d["compare"]
    assert other["model"] == "li-uvea-latp-uvea-nmc811"
    assert other["series_resistance_ohm"] < d["series_resistance_ohm"]  # the LATP pellet resists less


@pytest.mark.parametrize("args", [["--sweep", "FOO=20um"], ["--sweep", "UVEA-1"], ["--sweep", "UVEA-1=-3um"],
                                  ["--compare", "no-such-model"]])
def test_bad_sweep_or_compare_exits_2(capsys, args):
    code, out, err = run_cli(capsys, "fullcell", "li-uvea-lvo-uvea-nmc811", *args)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_cycles_json_retention(capsys, tmp_path):
    png = tmp_path / "ret.png"
    code, out, _ = run_cli(capsys, "fullcell", "li-uvea-latp-uvea-nmc811", "--cycles", "3", "--rate", "0.2C",
                           "--plot", str(png), "--json")
    assert code == 0
    d = json.loads(out)
    assert len(d["retention"]) == 3 and d["retention"][0] == 1.0
    assert d["retention_final"] == d["retention"][-1] < 1.0
    assert all(a >= b for a, b in zip(d["retention"], d["retention"][1:]))
    assert d["first_cycle_coulombic_efficiency"] <= 1.0 and d["pybamm_model"] == "SPMe"
    assert png.stat().st_size > 1000


def test_cycles_table(capsys):
    code, out, _ = run_cli(capsys, "fullcell", "li-uvea-latp-uvea-nmc811", "--cycles", "2", "--c-rate", "C/5")
    assert code == 0
    assert "retention after 2 cycles" in out and "Coulombic efficiency" in out


@pytest.mark.parametrize("args", [
    ["--cycles", "-3"], ["--cycles", "0"], ["--cycles", "2.5"], ["--cycles", "many"],
    ["--cycles", "3", "--rate", "fastC"], ["--cycles", "3", "--rate", "-0.2C"], ["--rate", "C/0"],
    ["--cycles", "3", "--sweep", "UVEA-1=20um"], ["--cycles", "3", "--protocol", "discharge"],
])
def test_bad_cycles_or_rate_exit_2(capsys, args):
    code, out, err = run_cli(capsys, "fullcell", "li-uvea-latp-uvea-nmc811", *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("cellsim: error:")


@pytest.mark.slow
def test_350_cycles_json_has_retention_and_seed_comparison(capsys):
    """The issue's 'done when' command: 350 cycles at 0.2 C of the seed's Fig. S24 cell."""
    code, out, _ = run_cli(capsys, "fullcell", "li-uvea-latp-uvea-nmc811", "--cycles", "350", "--rate", "0.2C",
                           "--json")
    assert code == 0
    d = json.loads(out)
    assert len(d["retention"]) == 350 and 0 < d["retention_final"] < 1
    c = d["seed_comparison"]
    assert c["seed_retention"] == 0.87 and c["simulated_retention"] == d["retention"][349]
    assert d["li_limited_cycles"] == [] and d["calibrated_on_seed"] == []
