"""Calibration of composite pellets to measured sandwich conductivities (cellsim.composites.calibrate)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellsim.composites import calibrate as cal
from cellsim.composites import mixing
from cellsim.errors import InputError

S2 = cal.SEED_TABLE_S2
LICS = ("latp", "lvo", "lto")


def sig3(x: float) -> str:
    """x to 3 significant digits, as the seed's Table S2 writes it."""
    return f"{x:.2e}"


def test_table_s2_values_are_the_seed_values():
    # the seed's Table S2 in S/cm, to the digits printed there
    expected_s_cm = {"uvea": "7.73e-04", "latp": "3.58e-05", "lvo": "3.18e-05", "lto": "2.97e-05",
                     "uvea-latp-uvea": "6.49e-04", "uvea-lvo-uvea": "5.68e-04", "uvea-lto-uvea": "3.98e-04"}
    assert {k: sig3(v / 100) for k, v in S2.items()} == expected_s_cm


# physics.md §2.6 table: porosity needed, 2 digits. model -> f_c -> (LATP, LVO, LTO)
PHYSICS_MD_TABLE = {
    ("parallel", 0.8): (0.80, 0.68, 0.44),
    ("maxwell-garnett-polymer-matrix", 0.8): (0.85, 0.75, 0.53),
    ("bruggeman", 0.8): (0.86, 0.78, 0.61),
    ("archie", 0.8): (0.87, 0.78, 0.59),
    ("maxwell-garnett-ceramic-matrix", 0.8): (0.97, 0.95, 0.88),
    ("parallel", 0.5): (0.71, 0.56, 0.32),
    ("bruggeman", 0.5): (0.80, 0.70, 0.52),
    ("parallel", 0.2): (0.49, 0.33, 0.14),
    ("bruggeman", 0.2): (0.64, 0.53, 0.37),
}


@pytest.mark.parametrize("model,fc", list(PHYSICS_MD_TABLE))
def test_reproduces_physics_md_table(model, fc):
    params = {"archie_exponent": 1.5} if model == "archie" else {}
    got = []
    for lic in LICS:
        target = cal.required_pellet_conductivity(S2[f"uvea-{lic}-uvea"], S2["uvea"], fc)
        got.append(round(cal.solve_porosity(model, target, S2["uvea"], S2[lic], **params), 2))
    assert tuple(got) == PHYSICS_MD_TABLE[(model, fc)]


@pytest.mark.parametrize("geometry", [(400e-6, 100e-6), (400e-6, 340e-6), (500e-6, 50e-6)])
def test_calibrated_layers_reproduce_table_s2_sandwiches(geometry):
    pellet, polymer = geometry
    res = cal.calibrate_seed_sandwiches(pellet_thickness=pellet, polymer_thickness=polymer)
    assert set(res) == {"uvea-latp-uvea", "uvea-lvo-uvea", "uvea-lto-uvea"}
    fc = pellet / (pellet + 2 * polymer)
    for key, r in res.items():
        assert r.pellet_fraction == pytest.approx(fc, rel=1e-15)
        assert {m.model for m in r.models} == set(mixing.MODELS)
        for m in r.models:
            if m.value is None:
                continue
            # forward: the calibrated layer through the public entry point, then the sandwich in series
            s_pel = mixing.effective_conductivity(m.model, r.sigma_polymer, r.sigma_ceramic, m.polymer_fraction,
                                                  **m.params)
            total = pellet + 2 * polymer
            r_sandwich = 2 * polymer / r.sigma_polymer + pellet / s_pel  # ohm m2
            s_app = total / r_sandwich
            assert sig3(s_app / 100) == sig3(S2[key] / 100), (key, m.model)
            assert s_app == pytest.approx(S2[key], rel=1e-9)
            assert m.sigma_sandwich == pytest.approx(s_app, rel=1e-12)


def test_default_geometry_all_models_solve_and_flags():
    res = cal.calibrate_seed_sandwiches()
    for key, r in res.items():
        lic = key.split("-")[1]
        assert r.pellet_fraction == pytest.approx(2 / 3)
        # naive series estimate: dense, non-infiltrated pellet
        expect = 1.0 / ((1 / 3) / S2["uvea"] + (2 / 3) / S2[lic])
        assert r.sigma_series == pytest.approx(expect, rel=1e-12)
        assert r.ratio_measured_to_series == pytest.approx(S2[key] / expect, rel=1e-12)
        assert r.ratio_measured_to_series > 5  # the seed's sandwiches conduct far above series
        for m in r.models:
            assert m.value is not None
            if m.quantity == "porosity":
                lo, hi = cal.PLAUSIBLE_POROSITY
                assert m.plausible == (lo <= m.value <= hi)
                assert m.flag == ("plausible" if m.plausible else "above-pressed-pellet" if m.value > hi else "closed-pores")
            else:
                assert m.model == "coated-particle" and m.polymer_fraction == 0.2
                assert m.plausible == (m.value <= cal.MAX_PLAUSIBLE_SHELL_CONDUCTIVITY)
    # isolated-pore models need nearly all-polymer pellets
    for key in res:
        assert res[key].model("series").value > 0.9
        assert not res[key].model("maxwell-garnett-ceramic-matrix").plausible
    # the ordering of the rules: the more connected the polymer, the less porosity is needed
    for r in res.values():
        v = {m.model: m.value for m in r.models if m.quantity == "porosity"}
        assert v["parallel"] < v["maxwell-garnett-polymer-matrix"] < v["bruggeman"] < \
            v["maxwell-garnett-ceramic-matrix"] < v["series"]


def test_to_dict_is_plain():
    d = cal.calibrate_seed_sandwiches()["uvea-lto-uvea"].to_dict()
    assert d["name"] == "uvea-lto-uvea" and len(d["models"]) == len(mixing.MODELS)
    assert isinstance(d["models"][0], dict)


def test_infeasible_measurement_is_no_solution():
    # a sandwich conducting more than its polymer layers allow: no pellet can do it
    sp, fc = 0.0773, 2 / 3
    s_app = sp / (1 - fc) * 1.01
    assert math.isinf(cal.required_pellet_conductivity(s_app, sp, fc))
    r = cal.calibrate_sandwich(s_app, sp, 0.00358)
    assert all(m.value is None and m.flag == "no-solution" and not m.plausible for m in r.models)
    # a target above the polymer itself: still no porosity can reach it
    assert cal.solve_porosity("bruggeman", 0.1, 0.0773, 0.00358) is None
    assert cal.solve_porosity("bruggeman", 0.001, 0.0773, 0.00358) is None  # below the dense ceramic


def test_sandwich_formula_round_trip():
    sp, fc = 0.0773, np.array([0.2, 0.5, 0.8])
    s_pel = np.array([0.01, 0.02, 0.05])
    s_app = cal.sandwich_conductivity(sp, s_pel, fc)
    np.testing.assert_allclose(1 / s_app, (1 - fc) / sp + fc / s_pel, rtol=1e-14)
    for k in range(3):
        assert cal.required_pellet_conductivity(float(s_app[k]), sp, float(fc[k])) == pytest.approx(s_pel[k], rel=1e-12)
    assert cal.pellet_fraction(400e-6, 100e-6) == pytest.approx(2 / 3)
    assert cal.pellet_fraction(400e-6, 100e-6, n_polymer_layers=1) == pytest.approx(0.8)
    with pytest.raises(InputError):
        cal.pellet_fraction(-1e-6, 100e-6)
    with pytest.raises(InputError):
        cal.required_pellet_conductivity(0.05, 0.0773, 0.0)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([m for m in mixing.MODELS if m != "coated-particle"]),
       st.floats(1e-4, 1.0), st.floats(1e-3, 1.0), st.floats(0.0, 1.0))
def test_solve_porosity_round_trip(model, sp, ratio, eps):
    sc = sp * ratio * 0.999  # polymer the better conductor, as in the seed
    params = {"archie_exponent": 2.0} if model == "archie" else {}
    target = mixing.effective_conductivity(model, sp, sc, eps, **params)
    got = cal.solve_porosity(model, target, sp, sc, **params)
    assert got is not None
    assert mixing.effective_conductivity(model, sp, sc, got, **params) == pytest.approx(target, rel=1e-10)
    if model != "archie":  # monotone rules: the porosity itself is recovered
        assert got == pytest.approx(eps, abs=1e-7 + 1e-6 * abs(target))


def test_archie_non_monotone_returns_the_polymer_continuous_root():
    sp, sc, m = 1.0, 0.5, 2.0
    # s(eps) = eps^2 + 0.5 (1-eps)^2 has its minimum 1/3 at eps = 1/3; target 0.4 has two roots
    target = 0.4
    roots = np.roots([1.5, -1.0, 0.5 - target])
    got = cal.solve_porosity("archie", target, sp, sc, archie_exponent=m)
    assert got == pytest.approx(max(roots.real), rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(st.floats(1e-3, 10.0), st.floats(0.06, 0.9), st.floats(0.005, 0.2))
def test_solve_shell_conductivity_round_trip(s_int, eps, tr):
    sp, sc = 0.0773, 0.00358
    target = mixing.effective_conductivity("coated-particle", sp, sc, eps, shell_conductivity=s_int,
                                           shell_thickness_ratio=tr)
    got = cal.solve_shell_conductivity(target, sp, sc, eps, tr)
    assert got == pytest.approx(s_int, rel=1e-8)


def test_shell_calibration_edges():
    sp, sc = 0.0773, 0.00358
    # an insulating shell already conducts more than this target: no solution
    low = mixing.effective_conductivity("coated-particle", sp, sc, 0.6, shell_conductivity=0.0) * 0.5
    assert low > 0
    assert cal.solve_shell_conductivity(low, sp, sc, 0.6) is None
    r = cal.calibrate_sandwich(0.0649, sp, sc, models=("coated-particle",), coated_polymer_fraction=0.2,
                               shell_thickness_ratio=0.02, max_shell_conductivity=1e-3)
    m = r.models[0]
    assert m.flag == "above-fastest-conductor" and not m.plausible
    assert m.params["shell_conductivity"] == m.value


def test_unknown_model_in_calibration():
    with pytest.raises(InputError, match="bruggeman"):
        cal.calibrate_sandwich(0.0649, 0.0773, 0.00358, models=("effective",))
    with pytest.raises(InputError):
        cal.calibrate_sandwich(0.0649, 0.0773, 0.00358, plausible_porosity=(0.5, 0.1))
    with pytest.raises(InputError):
        cal.calibrate_seed_sandwiches()["uvea-latp-uvea"].model("nope")


def test_solve_porosity_target_reached_at_the_end_of_the_range():
    """Regression (hypothesis): a target computed at eps = 1 - 1 ulp equals the pure polymer to
    round-off, with no sign change on the grid; the root at eps = 1 is still found."""
    model, sp, sc, eps = "maxwell-garnett-polymer-matrix", 1.0, 0.999, 0.9999999999999999
    target = mixing.effective_conductivity(model, sp, sc, eps)
    got = cal.solve_porosity(model, target, sp, sc)
    assert got is not None and got == pytest.approx(eps, abs=1e-12)
