"""Published short-circuit trends (parameters/trends/*.csv) beside the model.

Tolerance: INTERLAB_FACTOR = 3, the spread of independent measurements of the same quantity
(zero-pressure stripping limit of LLZO: 0.1 mA/cm2 by Wang et al. 2019 vs 0.28 mA/cm2 by
Flatscher et al. 2020; 0.6 vs 1.05 mA/cm2 at 32 ohm cm2 by two laboratories). A model cannot be
judged more finely than the data scatter; comparisons that fail it are reported as disagreements
in the result's verdict (and in the demo), not hidden by a looser test.
"""

import math

import pytest

from cellsim.shortcircuit.ccd import load_parameters
from cellsim.shortcircuit.trends import (INTERLAB_FACTOR, all_trends, interfacial_resistance_trend, load_table,
                                         polymer_onset_trend, pressure_trend)


def test_tables_are_cited_and_label_their_roles():
    for name in ("ccd_vs_pressure", "ccd_vs_interfacial_resistance", "polymer_dendrite_onset"):
        rows, header = load_table(name)
        assert rows and ("DOI" in header or "Joule" in header)
    rows, _ = load_table("ccd_vs_pressure")
    assert {r["role"] for r in rows} == {"calibration", "prediction"}


def test_pressure_calibration_points_are_reproduced_exactly():
    # the two calibrated numbers (void_spacing, void_reference_current) were fitted to these two points
    t = pressure_trend()
    cal = [r for r in t.rows if r["role"] == "calibration"]
    assert len(cal) == 2
    for r in cal:
        assert r["predicted"] == pytest.approx(r["measured"], rel=5e-3)


def test_pressure_predictions_within_the_interlab_factor():
    t = pressure_trend()
    preds = t.predictions()
    assert len(preds) >= 2
    for r in preds:
        assert 1 / INTERLAB_FACTOR <= r["ratio"] <= INTERLAB_FACTOR, r
    # and the stripping limit rises with pressure
    xs = sorted({r["x"] for r in t.rows})
    prm = load_parameters()
    from cellsim.shortcircuit.contact import void_critical_current

    vals = [void_critical_current(x * 1e6, 295.15, prm.void_reference_current, prm.void_pressure_exponent,
                                  prm.creep_activation_energy, prm.li_self_diffusivity,
                                  prm.li_diffusion_activation_energy, prm.void_spacing) for x in xs]
    assert all(b > a for a, b in zip(vals, vals[1:]))


def test_interfacial_resistance_same_paper_pair_direction():
    t = interfacial_resistance_trend()
    pair = sorted((r for r in t.rows if r["pair"] == "same_paper"), key=lambda r: r["x"])
    assert len(pair) == 2
    # lower ASR -> higher CCD, measured and predicted
    assert pair[0]["measured"] > pair[1]["measured"]
    assert pair[0]["predicted"] > pair[1]["predicted"]
    assert "same way as measured" in t.verdict


def test_disagreements_are_stated_not_hidden():
    t = interfacial_resistance_trend()
    outside = [r for r in t.rows if not 1 / INTERLAB_FACTOR <= r["ratio"] <= INTERLAB_FACTOR]
    assert (len(outside) > 0) == ("disagree" in t.verdict)
    p = polymer_onset_trend()
    assert "Disagreement" in p.verdict and math.isfinite(p.rows[0]["predicted"])


def test_all_trends_list():
    assert [t.name for t in all_trends()] == ["pressure", "interfacial_resistance", "polymer"]
