"""Lifetime intervals: lifetime parameters in the uncertainty space, the per-sample k_SEI re-fit, censoring, CLI."""

import json
import math

import numpy as np
import pytest

from cellsim.errors import CellsimError, InputError
from cellsim.lifetime import load_lifetime_parameters, run_cycle
from cellsim.lifetime.interval import (RECALIBRATION_RTOL, interval_keys, lifetime_interval, recalibrate_sei_growth,
                                       sample_lifetime)
from cellsim.lifetime.mechanisms import sei_thickness
from cellsim.lifetime.parameters import PARAMETERS, lifetime_ranges
from cellsim.models import load_model
from cellsim.shortcircuit.ccd import load_parameters
from cellsim.uncertainty.outputs import check_output
from cellsim.uncertainty.space import apply, discover, lifetime_values

H = 3600.0
SEED_CAL = {"current": 5.0, "step_time": H, "target": 2500 * H}


@pytest.fixture(scope="module")
def sandwich():
    return load_model("li-uvea-latp-uvea-li")


def test_every_lifetime_parameter_has_a_range_around_its_value():
    prm = load_lifetime_parameters()
    ranges = lifetime_ranges()
    assert set(ranges) == set(PARAMETERS)
    for name, r in ranges.items():
        lo, hi = r.ppf(np.array([0.0, 1.0]))
        assert lo <= getattr(prm, name) <= hi, name


def test_lifetime_parameters_join_the_space_only_when_asked(sandwich):
    plain = discover(sandwich, shortcircuit=True)
    full = discover(sandwich, shortcircuit=True, lifetime=True)
    extra = [p for p in full.parameters if p.name not in plain.names]
    assert sorted(p.name for p in extra) == sorted(f"lifetime.{n}" for n in PARAMETERS)
    assert {p.kind for p in extra} == {"lifetime"}
    # apply leaves them out of the stack; lifetime_values hands them to LifetimeParameters.with_values
    vals = {"lifetime.inactive_fraction": 0.03, "lifetime.sei_ionic_conductivity": 2e-6}
    st, prm = apply(sandwich, full, vals)
    assert st == sandwich and prm is None
    assert lifetime_values(full, vals) == {"inactive_fraction": 0.03, "sei_ionic_conductivity": 2e-6}


def test_lifetime_output_needs_a_cycling_protocol():
    with pytest.raises(InputError, match="cycling protocol"):
        check_output("lifetime", {})


def test_refit_keeps_the_nominal_calibration(sandwich):
    """The shipped k_SEI already gives 2500 h: the re-fit stops after its first run."""
    lt = load_lifetime_parameters()
    p, runs = recalibrate_sei_growth(sandwich, lt, load_parameters(), SEED_CAL)
    assert runs == 1 and p.sei_growth_constant == lt.sei_growth_constant


def test_refit_reproduces_the_seed_lifetime_with_another_sei_conductivity(sandwich):
    """A 3x more conductive SEI needs ~9x the growth constant (R_SEI(t) depends on k t / sigma^2 when
    delta >> delta0); the re-fit finds the k whose lifetime is the seed's 2500 h."""
    lt = load_lifetime_parameters().with_values(sei_ionic_conductivity=3e-6)
    p, runs = recalibrate_sei_growth(sandwich, lt, load_parameters(), SEED_CAL)
    r = run_cycle(sandwich, 5.0, H, 4 * 2500 * H, parameters=p)
    assert abs(r.lifetime - 2500 * H) <= RECALIBRATION_RTOL * 2500 * H
    assert 2 <= runs <= 6
    ratio = p.sei_growth_constant / lt.sei_growth_constant
    # closed form (sei_time_to_resistance): the same R_SEI at the same t with sigma x3 needs
    # k'/k = 3x (2 delta0 + 3x) / (x (2 delta0 + x)), x = delta(2500 h) - delta0 of the nominal fit
    d0 = lt.sei_initial_thickness
    x = sei_thickness(2500 * H, lt.sei_growth_constant, d0) - d0
    expected = (3 * x) * (2 * d0 + 3 * x) / (x * (2 * d0 + x))
    assert ratio == pytest.approx(expected, rel=0.01)   # both lifetimes within 0.2 %; dead Li adds ~0.1 % of R


def test_refit_rejects_a_sample_that_shorts_before_the_target():
    """A single polymer layer whose dead-Li front crosses it shorts whatever k_SEI is: not calibratable."""
    cell = load_model("li-uvea-li")
    lt = load_lifetime_parameters().with_values(inactive_fraction=0.05, front_focusing=10.0)
    r = run_cycle(cell, 5.0, H, 4 * 2500 * H, parameters=lt)
    assert r.failure in ("hard_short", "soft_short") and r.lifetime < 2500 * H
    with pytest.raises(CellsimError, match="cannot reproduce the calibration"):
        recalibrate_sei_growth(cell, lt, load_parameters(), SEED_CAL)


def test_a_sample_surviving_until_is_censored_there(sandwich):
    opts = {"cycle": {"current": 5.0, "step_time": H, "until": 100 * H, "voltage_limit": None}}
    assert sample_lifetime(sandwich, load_parameters(), {}, opts) == (100 * H, True)
    life, cens = sample_lifetime(sandwich, load_parameters(), {"sei_growth_constant": 1e-19},
                                 {"cycle": {**opts["cycle"], "until": 3000 * H}})
    assert not cens and life < 2500 * H     # a faster-growing SEI fails before the calibrated 2500 h


def test_interval_keys_are_hours():
    res = {"q05": 3600.0, "median": 7200.0, "q95": math.nan, "q05_stderr": 36.0, "median_stderr": 0.0,
           "q95_stderr": math.nan, "samples": 3, "n_failed": 1, "n_censored": 0,
           "censored": {"q05": False, "median": False, "q95": False}, "parameters": [], "calibration": "c",
           "errors": {}, "elapsed_s": 1.0}
    k = interval_keys(res)
    assert (k["lifetime_h_q05"], k["lifetime_h_q50"], k["lifetime_h_q95"]) == (1.0, 2.0, None)
    assert k["lifetime_interval"]["q05_stderr_h"] == 0.01


def test_interval_refuses_overrides(sandwich):
    with pytest.raises(InputError, match="--interval"):
        lifetime_interval(sandwich, "li-uvea-latp-uvea-li", 5.0, H, 100 * H, overridden=True)
    with pytest.raises(InputError, match="--interval"):
        lifetime_interval(sandwich, "li-uvea-latp-uvea-li", 5.0, H, 100 * H, samples=1)


@pytest.mark.slow
def test_cli_interval_at_the_calibration_point_is_the_seed_number(capsys):
    """At the calibrating protocol every re-fitted sample lives 2500 h: the interval collapses onto it."""
    from cellsim.cli import main

    rc = main(["cycle", "li-uvea-latp-uvea-li", "--current", "0.5mA/cm2", "--step-time", "1h", "--until", "3000h",
               "--interval", "3", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    iv = out["lifetime_interval"]
    assert iv["samples"] + iv["n_failed"] == 3 and iv["samples"] >= 2
    assert "lifetime.sei_growth_constant" not in iv["parameters"]
    assert "lifetime.inactive_fraction" in iv["parameters"] and "shortcircuit.voltage_limit" in iv["parameters"]
    for key in ("lifetime_h_q05", "lifetime_h_q50", "lifetime_h_q95"):
        assert out[key] == pytest.approx(2500.0, rel=RECALIBRATION_RTOL)


def test_cli_interval_with_set_exits_2(capsys):
    from cellsim.cli import main

    rc = main(["cycle", "li-uvea-latp-uvea-li", "--current", "0.5mA/cm2", "--step-time", "1h", "--until", "10h",
               "--interval", "2", "--set", "inactive_fraction=0.02"])
    assert rc == 2
    assert "--interval" in capsys.readouterr().err


def test_refit_only_for_the_shipped_calibration_model(tmp_path):
    from cellsim.lifetime.interval import _calibration_for
    from cellsim.models import resolve_model

    assert _calibration_for("li-uvea-latp-uvea-li") == SEED_CAL
    assert _calibration_for(str(resolve_model("li-uvea-latp-uvea-li"))) == SEED_CAL
    copy = tmp_path / "li-uvea-latp-uvea-li.toml"        # an edited copy may change what the 2500 h assumed
    copy.write_text(resolve_model("li-uvea-latp-uvea-li").read_text(encoding="utf-8"), encoding="utf-8")
    assert _calibration_for(str(copy)) is None
    assert _calibration_for("li-uvea-lvo-uvea-li") is None
