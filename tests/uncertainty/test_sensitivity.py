"""Sobol' and Morris indices: the Ishigami function and a cellsim output with analytic indices."""

import math

import numpy as np
import pytest

from cellsim.errors import InputError
from cellsim.uncertainty.ranges import Range
from cellsim.uncertainty.sensitivity import morris_analysis, sensitivity, sobol_analysis

A, B = 7.0, 0.1


def ishigami(x):
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices():
    pi = math.pi
    v1 = 0.5 * (1 + B * pi ** 4 / 5) ** 2
    v2 = A ** 2 / 8
    v13 = 8 * B ** 2 * pi ** 8 / 225
    var = v1 + v2 + B ** 2 * pi ** 8 / 18 - B ** 2 * pi ** 8 / 50
    return {"x1": v1 / var, "x2": v2 / var, "x3": 0.0}, {"x1": (v1 + v13) / var, "x2": v2 / var, "x3": v13 / var}


def test_ishigami_closed_form_variance():
    """The closed-form total variance: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2."""
    s1, st = ishigami_indices()
    pi = math.pi
    var = A ** 2 / 8 + B * pi ** 4 / 5 + B ** 2 * pi ** 8 / 18 + 0.5
    v1 = 0.5 * (1 + B * pi ** 4 / 5) ** 2
    assert s1["x1"] == pytest.approx(v1 / var, rel=1e-12)
    assert s1["x1"] == pytest.approx(0.3139, abs=1e-4) and s1["x2"] == pytest.approx(0.4424, abs=1e-4)
    assert st["x3"] == pytest.approx(0.2437, abs=1e-4)


def test_ishigami_sobol_within_salib_confidence():
    names = ["x1", "x2", "x3"]
    r = [Range(-math.pi, math.pi)] * 3
    res = sobol_analysis(names, r, ishigami, 4096, seed=1)
    s1, st = ishigami_indices()
    for n in names:
        assert abs(res["S1"][n] - s1[n]) <= res["S1_conf"][n], (n, res["S1"][n], s1[n], res["S1_conf"][n])
        assert abs(res["ST"][n] - st[n]) <= res["ST_conf"][n], (n, res["ST"][n], st[n], res["ST_conf"][n])
        assert res["S1_conf"][n] < 0.05
    assert res["ranking"] == ["x1", "x2", "x3"] and res["runs"] == 4096 * 5


def test_ishigami_morris_ranks_x3_as_interacting():
    names = ["x1", "x2", "x3"]
    res = morris_analysis(names, [Range(-math.pi, math.pi)] * 3, ishigami, 200, seed=1)
    # x3 acts only through its interaction with x1: a large sigma relative to its mean effect
    assert res["sigma"]["x3"] > 0.5 * res["mu_star"]["x3"] > 0
    assert set(res["ranking"]) == set(names) and res["runs"] == 200 * 4


def _three_layer_model(tmp_path):
    p = tmp_path / "three.toml"
    p.write_text("""
[cell]
area = { value = "1 cm2", source = "test", status = "seed" }
[electrodes.left]
kind = "li"
[electrodes.right]
kind = "li"
[[layers]]
name = "P1"
material = "uvea"
thickness = { value = "100 um", source = "test", status = "assumed", range = ["50 um", "150 um"], range_reason = "test" }
[[layers]]
name = "C"
material = "latp"
thickness = { value = "400 um", source = "test", status = "assumed", range = ["300 um", "500 um"], range_reason = "test" }
[[layers]]
name = "P2"
material = "uvea"
thickness = { value = "100 um", source = "test", status = "assumed", range = ["80 um", "120 um"], range_reason = "test" }
""")
    return p


def test_bulk_resistance_indices_analytic(tmp_path):
    """R = sum_i L_i/(sigma_i S) with independent uniform L_i: S1_i = ST_i = Var_i / sum Var."""
    from cellsim.models import load_model

    path = _three_layer_model(tmp_path)
    st = load_model(path)
    S = st.area
    var = {}
    for layer, (lo, hi) in zip(st.layers, [(50e-6, 150e-6), (300e-6, 500e-6), (80e-6, 120e-6)]):
        var[f"layers.{layer.name}.thickness"] = ((hi - lo) / (layer.ionic_conductivity() * S)) ** 2 / 12
    total = sum(var.values())
    res = sensitivity(str(path), "bulk_resistance", method="sobol", samples=512, seed=2, screening=True)
    assert set(res["active"]) == set(var)  # every other ranged parameter is screened out (Morris) as inactive
    assert res["inactive"] and all(res["ST"][n] == 0.0 for n in res["inactive"])
    for n, v in var.items():
        want = v / total
        assert abs(res["S1"][n] - want) <= res["S1_conf"][n], (n, res["S1"][n], want, res["S1_conf"][n])
        assert abs(res["ST"][n] - want) <= res["ST_conf"][n], (n, res["ST"][n], want, res["ST_conf"][n])
    assert res["ranking"][0] == "layers.C.thickness"  # LATP's low conductivity dominates


def test_sensitivity_rejects_bad_method(tmp_path):
    with pytest.raises(InputError, match="--method"):
        sensitivity("li-uvea-li", "asr", method="fast")
    with pytest.raises(InputError, match="protocol"):
        sensitivity("li-uvea-li", "ccd")


def test_bulk_resistance_indices_without_screening(tmp_path):
    """The same analytic indices with every ranged parameter in the design (the default)."""
    from cellsim.models import load_model

    path = _three_layer_model(tmp_path)
    st = load_model(path)
    res = sensitivity(str(path), "bulk_resistance", method="sobol", samples=128, seed=3)
    assert res["inactive"] == [] and res["screening_runs"] == 0
    S = st.area
    var = {f"layers.{l.name}.thickness": ((hi - lo) / (l.ionic_conductivity() * S)) ** 2 / 12
           for l, (lo, hi) in zip(st.layers, [(50e-6, 150e-6), (300e-6, 500e-6), (80e-6, 120e-6)])}
    total = sum(var.values())
    for n in res["ST"]:
        want = var.get(n, 0.0) / total
        assert abs(res["ST"][n] - want) <= res["ST_conf"][n] + 1e-12, (n, res["ST"][n], want, res["ST_conf"][n])


def test_sensitivity_resumes_into_its_store(tmp_path):
    """A design kept in --out resumes (no 'new file' refusal) and gives the same indices."""
    path = _three_layer_model(tmp_path)
    out = tmp_path / "s.sqlite"
    first = sensitivity(str(path), "bulk_resistance", method="sobol", samples=16, seed=4, out=out)
    with pytest.raises(InputError, match="--resume"):
        sensitivity(str(path), "bulk_resistance", method="sobol", samples=16, seed=4, out=out)
    again = sensitivity(str(path), "bulk_resistance", method="sobol", samples=16, seed=4, out=out, resume=True)
    assert again["ST"] == first["ST"] and again["S1"] == first["S1"]
