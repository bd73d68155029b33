"""``cellsim transference``: simulated Bruce-Vincent experiment."""

import json

import pytest

from cellsim.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_keys_and_formula(capsys):
    code, out, _ = run_cli(capsys, "transference", "li-uvea-li", "--dv", "10mV", "--json")
    assert code == 0
    d = json.loads(out)
    assert set(d) >= {"t_plus", "i0_A", "iss_A", "r0_ohm", "rss_ohm"}
    dv = 0.01
    t = d["iss_A"] * (dv - d["i0_A"] * d["r0_ohm"]) / (d["i0_A"] * (dv - d["iss_A"] * d["rss_ohm"]))
    assert d["t_plus"] == pytest.approx(t, rel=1e-12)
    # UVEA's t+ = 0.4 in the library; the interface-dominated cell reads it within a few percent
    assert 0.37 < d["t_plus"] < 0.41
    # R0 = two Li|UVEA interfaces of 296.5 ohm cm2 (calibrated) on the 2 cm2 area
    assert d["r0_ohm"] == pytest.approx(2 * 296.5e-4 / 2e-4, rel=1e-3)


def test_sandwich_reads_a_higher_apparent_t_plus(capsys):
    code, out, _ = run_cli(capsys, "transference", "li-uvea-latp-uvea-li")
    assert code == 0 and "apparent t+" in out


@pytest.mark.parametrize("dv", ["-5 mV", "10 mA"])
def test_bad_dv(capsys, dv):
    code, _, err = run_cli(capsys, "transference", "li-uvea-li", "--dv", dv)
    assert code == 2 and "--dv" in err and len(err.strip().splitlines()) == 1
