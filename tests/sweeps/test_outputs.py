"""Outputs per point against closed forms written out here, vectorised vs point by point."""

import math

import numpy as np
import pytest

from cellsim.sweeps import load_spec
from cellsim.sweeps.runner import compute_chunk, point_stack

F = 96485.33212
R = 8.314462618
EV_MOL = 1.602176634e-19 * 6.02214076e23  # 1 eV per particle in J/mol (e N_A; constants.F is rounded)

SPEC = """
[sweep]
base_model = "li-uvea-latp-uvea-li"
outputs = ["bulk_resistance", "total_resistance", "apparent_conductivity", "j_lim", "self_discharge", "cost"]
[options]
self_discharge_voltage = "4.2 V"

[[axes]]
name = "lic"
target = "middle.material"
values = ["latp", "llzo"]
form = "dense"

[[axes]]
name = "uvea_thickness"
target = ["layers.UVEA-1.thickness", "layers.UVEA-2.thickness"]
values = ["20 um", "100 um"]

[[axes]]
name = "pellet_thickness"
target = "middle.thickness"
values = ["400 um", "1 mm"]

[[axes]]
name = "temperature"
target = "temperature"
values = ["22 degC", "60 degC"]

[[axes]]
name = "area"
target = "area"
values = ["1.33 cm2", "2 cm2"]
"""

# library values (parameters/*.toml), SI: (sigma_ref [S/m], Ea [eV], T_ref [K], sigma_e [S/m], density, cost)
UVEA = (7.73e-2, 0.30, 295.15, 6.65e-7)
LIC = {"latp": (3.58e-3, 0.35, 295.15, 8.07e-5, 2940.0, 5.0),
       "llzo": (3.4e-2, 0.40, 298.15, 1e-6, 5100.0, 14.9)}
D_UVEA, C0_UVEA, TP_UVEA = 7.86e-12, 1244.0, 0.4


def _interface_asr() -> float:
    """Sum of the interface ASRs [ohm m2] as written in the input files: the model's explicit
    Li|UVEA interfaces (at 0 and 3) and the library default UVEA|LIC Li+ transfer (twice)."""
    import tomllib

    from cellsim.models import resolve_model
    from cellsim.paths import data_dir

    def ohm_cm2(entry):
        number, unit = entry["value"].split(" ", 1)
        assert unit == "ohm cm2"
        return float(number) * 1e-4

    model = tomllib.loads(resolve_model("li-uvea-latp-uvea-li").read_text(encoding="utf-8"))
    li = {i["at"]: ohm_cm2(i["parameters"]["resistance"]) for i in model["interfaces"]}
    assert sorted(li) == [0, 3]
    lib = tomllib.loads((data_dir("parameters") / "interfaces.toml").read_text(encoding="utf-8"))
    return li[0] + li[3] + 2 * ohm_cm2(lib["ion_transfer"]["parameters"]["resistance"])


INTERFACE_ASR = _interface_asr()


def arrhenius(v, ea_ev, t_ref, T):
    return v * math.exp(-ea_ev * EV_MOL / R * (1 / T - 1 / t_ref))


def expected(p):
    T, S, Lu, Lm = p["temperature"], p["area"], p["uvea_thickness"], p["pellet_thickness"]
    su = arrhenius(UVEA[0], UVEA[1], UVEA[2], T)
    s0, ea, tr, se, rho, cost = LIC[p["lic"]]
    sm = arrhenius(s0, ea, tr, T)
    rb = 2 * Lu / (su * S) + Lm / (sm * S)  # R = L/(sigma S) per layer, in series
    d = arrhenius(D_UVEA, UVEA[1], UVEA[2], T)
    re = 2 * Lu / (UVEA[3] * S) + Lm / (se * S)
    return {
        "bulk_resistance_ohm": rb, "bulk_asr_ohm_m2": rb * S,
        "total_resistance_ohm": rb + INTERFACE_ASR / S, "interface_resistance_ohm": INTERFACE_ASR / S,
        "apparent_conductivity_S_m": (2 * Lu + Lm) / (rb * S), "total_thickness_m": 2 * Lu + Lm,
        "limiting_current_density_A_m2": 2 * F * d * C0_UVEA / ((1 - TP_UVEA) * Lu),  # J_lim = 2FDc0/((1-t+)L)
        "electronic_resistance_ohm": re, "self_discharge_current_A": 4.2 / re,
        "self_discharge_current_density_A_m2": 4.2 / re / S,
        "material_cost_USD_m2": rho * Lm * cost,  # UVEA carries no cost
    }


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    p = tmp_path_factory.mktemp("spec") / "closed.toml"
    p.write_text(SPEC, encoding="utf-8")
    return load_spec(p)


@pytest.mark.parametrize("vectorise", [True, False])
def test_outputs_match_closed_forms(spec, vectorise):
    assert spec.n_points == 32
    rows = compute_chunk(spec, list(range(spec.n_points)), vectorise=vectorise)
    worst = 0.0
    for (pid, values), row in zip(spec.points(), rows):
        assert row["point_id"] == pid and row["status"] == "ok"
        assert row["limiting_layer"] == "UVEA-1"
        assert row["costed_materials"] == values["lic"].upper()
        for col, want in expected(values).items():
            worst = max(worst, abs(row[col] - want) / abs(want))
    assert worst < 1e-12, worst


def test_vectorised_equals_point_by_point_on_the_shipped_screening():
    spec = load_spec("lic-screening")
    ids = list(range(spec.n_points))
    a, b = compute_chunk(spec, ids, vectorise=True), compute_chunk(spec, ids, vectorise=False)
    n_inf = 0
    for ra, rb in zip(a, b):
        assert ra.keys() == rb.keys()
        for k in ra:
            if k in ("elapsed_s", "finished_at"):
                continue
            if isinstance(ra[k], float) and isinstance(rb[k], float):
                if math.isinf(ra[k]):
                    n_inf += 1
                    assert ra[k] == rb[k]
                else:
                    assert ra[k] == pytest.approx(rb[k], rel=1e-12, abs=0.0), k
            else:
                assert ra[k] == rb[k], k
    assert n_inf > 0  # dense SiO2 is an ionic insulator: R_bulk = inf in both paths


def test_material_swaps(spec):
    s = point_stack(spec, dict(next(iter(spec.points()))[1], lic="llzo"))
    mid = s.layers[1]
    assert (mid.name, mid.kind, mid.material.name, mid.composite) == ("LLZO", "ceramic", "llzo", None)
    assert [i.kind for i in s.interfaces] == ["charge_transfer", "ion_transfer", "ion_transfer", "charge_transfer"]
    assert s.interfaces[1].name == "UVEA-1|LLZO"
    as_model = load_spec({"sweep": {"base_model": "li-uvea-latp-uvea-li", "outputs": ["bulk_resistance"]},
                          "axes": [{"name": "lic", "target": "middle.material", "values": ["lvo"]}]})
    s2 = point_stack(as_model, {"lic": "lvo"})
    base = as_model.base_stack().layers[1]
    mid2 = s2.layers[1]
    assert mid2.kind == "composite" and mid2.composite.ceramic.name == "lvo"
    assert mid2.composite.polymer_fraction == base.composite.polymer_fraction
    assert mid2.composite.polymer.name == "uvea"


def test_polymer_fraction_axis_changes_the_composite():
    spec = load_spec({"sweep": {"base_model": "li-uvea-latp-uvea-li", "outputs": ["bulk_resistance"]},
                      "axes": [{"name": "porosity", "target": "middle.polymer_fraction", "values": [0.2, 0.5, 0.8]}]})
    rows = compute_chunk(spec, [0, 1, 2], vectorise=True)
    ref = compute_chunk(spec, [0, 1, 2], vectorise=False)
    r = [x["bulk_resistance_ohm"] for x in rows]
    assert r[0] > r[1] > r[2]  # more of the better-conducting polymer in the pellet
    np.testing.assert_allclose(r, [x["bulk_resistance_ohm"] for x in ref], rtol=1e-12)
    for pid, v in spec.points():
        s = point_stack(spec, v)
        assert s.layers[1].composite.polymer_fraction == v["porosity"]
        assert rows[pid]["bulk_resistance_ohm"] == pytest.approx(s.total_bulk_resistance(), rel=1e-12)
