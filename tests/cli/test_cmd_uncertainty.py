"""``cellsim uncertainty`` / ``cellsim sensitivity`` / ``validate --posterior``: JSON keys, SI values, errors."""

import json

import numpy as np
import pytest

from cellsim.cli import main

MODEL = "li-uvea-latp-uvea-li"


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_uncertainty_asr_json(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "uncertainty", MODEL, "--output", "asr", "--samples", 16, "--seed", 1,
                           "--target", "700 ohm cm2", "--out", tmp_path / "a.sqlite", "--json")
    assert code == 0
    d = json.loads(out)
    for k in ("median", "q05", "q95", "samples", "p_exceeds", "median_stderr", "q05_stderr", "q95_stderr"):
        assert k in d
    assert d["unit"] == "ohm m2" and d["samples"] == 16
    assert d["q05"] <= d["median"] <= d["q95"] and 0.05 < d["median"] < 0.1  # ohm m2: ~700 ohm cm2
    assert d["target"] == pytest.approx(0.07)
    # resume: nothing recomputed, the same answer
    code, out2, _ = run_cli(capsys, "uncertainty", MODEL, "--output", "asr", "--samples", 16, "--seed", 1,
                            "--target", "700 ohm cm2", "--out", tmp_path / "a.sqlite", "--resume", "--json")
    d2 = json.loads(out2)
    assert code == 0 and d2["median"] == d["median"] and d2["p_exceeds"] == d["p_exceeds"]


def test_uncertainty_ccd_json_short_protocol(capsys):
    code, out, _ = run_cli(capsys, "uncertainty", MODEL, "--output", "ccd", "--step-time", "0.5 h", "--start",
                           "2 mA/cm2", "--increment", "2 mA/cm2", "--stop", "6 mA/cm2", "--samples", 4,
                           "--seed", 1, "--target", "5 mA/cm2", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["unit"] == "A/m2" and d["samples"] + d["n_failed"] == 4
    assert {"median", "q05", "q95", "p_exceeds", "n_censored", "censored"} <= set(d)
    assert 20.0 <= d["q05"] <= d["q95"] <= 60.0 and 0.0 <= d["p_exceeds"] <= 1.0


@pytest.mark.parametrize("args, needle", [
    (["--output", "ccd"], "protocol"),
    (["--output", "asr", "--resume"], "--out"),
    (["--output", "z_at"], "--frequency"),
    (["--output", "asr", "--target", "5 mA/cm2"], "--target"),
    (["--output", "ccd", "--step-time", "0.5 h", "--stop", "1 mA/cm2", "--start", "1 mA/cm2", "--target",
      "5 mA/cm2", "--samples", "2"], "stop"),
    (["--output", "lifetime", "--step-time", "1 h"], "--current"),
    (["--output", "lifetime", "--current", "0.5 mA/cm2"], "--step-time"),
    (["--output", "lifetime", "--current", "-0.5 mA/cm2", "--step-time", "1 h"], "> 0"),
    (["--output", "lifetime", "--current", "0.5 mA/cm2", "--step-capacity", "1 mAh/cm2"], "--step-capacity"),
    (["--output", "asr", "--current", "1 mA/cm2"], "only with --output lifetime"),
])
def test_uncertainty_bad_input_exits_2(capsys, args, needle):
    code, out, err = run_cli(capsys, "uncertainty", MODEL, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


def test_uncertainty_from_bad_file(capsys, tmp_path):
    p = tmp_path / "p.json"
    p.write_text("[]")
    code, _, err = run_cli(capsys, "uncertainty", MODEL, "--output", "asr", "--from", p)
    assert code == 2 and "not a cellsim posterior" in err


def test_sensitivity_json(capsys):
    code, out, _ = run_cli(capsys, "sensitivity", MODEL, "--output", "bulk_resistance", "--method", "sobol",
                           "--samples", 64, "--seed", 1, "--json")
    assert code == 0
    d = json.loads(out)
    for k in ("S1", "ST", "S1_conf", "ST_conf"):
        assert isinstance(d[k], dict) and "layers.UVEA-1.thickness" in d[k]
    # two identical uniform UVEA terms and nothing else: 1/2 each
    for n in ("layers.UVEA-1.thickness", "layers.UVEA-2.thickness"):
        assert abs(d["ST"][n] - 0.5) <= d["ST_conf"][n]
    code, out, _ = run_cli(capsys, "sensitivity", MODEL, "--output", "bulk_resistance", "--method", "morris",
                           "--samples", 8, "--json")
    d = json.loads(out)
    assert code == 0 and {"mu_star", "sigma", "ranking"} <= set(d)


def test_uncertainty_lifetime_is_the_cycle_interval(capsys):
    """``--output lifetime``: the same study as ``cellsim cycle --interval`` (k_SEI re-fitted per sample
    to the seed's calibration, not sampled), so the same design gives the same quantiles."""
    from cellsim.lifetime.interval import lifetime_interval
    from cellsim.models import load_model

    code, out, _ = run_cli(capsys, "uncertainty", MODEL, "--output", "lifetime", "--current", "0.5 mA/cm2",
                           "--step-time", "1 h", "--until", "4000 h", "--samples", 2, "--json")
    assert code == 0
    d = json.loads(out)
    assert d["unit"] == "s" and "re-fit" in d["calibration"]
    assert "lifetime.sei_growth_constant" not in d["parameters"] and "lifetime.inactive_fraction" in d["parameters"]
    ref = lifetime_interval(load_model(MODEL), MODEL, 5.0, 3600.0, 4000 * 3600.0, samples=2, seed=0)
    for k in ("q05", "median", "q95"):
        assert d[k] == ref[k]


def test_sensitivity_lifetime_options(capsys, monkeypatch):
    """``sensitivity --output lifetime`` hands the cycling protocol and the calibrated space on."""
    import cellsim.uncertainty.sensitivity as sens

    seen = {}

    def fake(model, output, **kw):
        seen.update(kw, output=output)
        return {"runs": 0, "screening_runs": 0, "inactive": [], "ranking": [], "mu_star": {}, "mu_star_conf": {},
                "sigma": {}}

    monkeypatch.setattr(sens, "sensitivity", fake)
    code, _, _ = run_cli(capsys, "sensitivity", MODEL, "--output", "lifetime", "--method", "morris", "--current",
                         "0.1 mA/cm2", "--step-time", "1 h", "--until", "20000 h", "--voltage-limit", "3 V")
    assert code == 0 and seen["output"] == "lifetime"
    assert seen["options"]["cycle"] == {"current": pytest.approx(1.0), "step_time": 3600.0,
                                        "until": pytest.approx(2e4 * 3600), "voltage_limit": 3.0}
    assert seen["options"]["calibration"] is not None
    names = seen["space"].names
    assert "lifetime.sei_growth_constant" not in names and "shortcircuit.voltage_limit" not in names


def test_validate_posterior_file(capsys, tmp_path):
    from cellsim.circuits import compose_circuit
    from cellsim.data import Spectrum, write_csv
    from cellsim.models import load_model

    stack = load_model(MODEL)
    cc = compose_circuit(stack)
    f = np.logspace(6, 0, 61)
    z = cc.circuit.impedance(f, cc.parameters)
    rng = np.random.default_rng(1)
    z = z + 0.005 * np.abs(z) * (rng.standard_normal(61) + 1j * rng.standard_normal(61))
    write_csv(tmp_path / "m.csv", Spectrum(f, z))
    code, out, _ = run_cli(capsys, "validate", MODEL, tmp_path / "m.csv", "--posterior", tmp_path / "p.json", "--json")
    assert code == 0
    d = json.loads(out)
    post = json.loads((tmp_path / "p.json").read_text())
    assert post["kind"] == "cellsim-posterior" and post["names"] == d["posterior"]["names"]
    k = len(post["names"])
    assert np.array(post["covariance"]).shape == (k, k)
    code, out, _ = run_cli(capsys, "uncertainty", MODEL, "--output", "asr", "--samples", 8, "--from",
                           tmp_path / "p.json", "--json")
    assert code == 0 and json.loads(out)["posterior"]["names"] == post["names"]
    code, _, err = run_cli(capsys, "validate", MODEL, tmp_path / "m.csv", "--mcmc")
    assert code == 2 and "--posterior" in err


def test_materials_and_info_show_ranges(capsys):
    code, out, _ = run_cli(capsys, "materials", "latp", "--json")
    p = json.loads(out)["materials"][0]["parameters"]
    assert code == 0 and p["fracture_toughness"]["range"]["low"] == pytest.approx(0.8e6)
    assert p["ionic_conductivity"]["range"] is None  # a seed value
    code, out, _ = run_cli(capsys, "materials", "latp")
    assert "0.8 MPa m0.5 .. 1.4 MPa m0.5 (uniform)" in out
    code, out, _ = run_cli(capsys, "info", MODEL, "--json")
    names = {u["name"] for u in json.loads(out)["uncertain_parameters"]}
    assert {"uvea.transference_number", "layers.UVEA-1.thickness", "charge_transfer.resistance"} <= names
    code, out, _ = run_cli(capsys, "info", MODEL)
    assert "uncertain parameter" in out and "50 um .. 150 um (uniform)" in out
