"""Views: ranking tables, Pareto fronts (against brute force), heat maps with units."""

import numpy as np
import pandas as pd
import pytest

from cellsim.errors import InputError
from cellsim.sweeps import load_results, load_spec, run_sweep
from cellsim.sweeps.views import (heatmap, lab_unit, pareto_front, pareto_mask, pivot, plot_pareto, ranking,
                                  unit_label)


@pytest.fixture(scope="module")
def screening(tmp_path_factory):
    out = tmp_path_factory.mktemp("views") / "s.sqlite"
    run_sweep(load_spec("lic-screening"), out)
    return load_results(out)


def _brute_force(v, senses):
    v = np.where(np.array(senses) == "max", -v, v)
    keep = []
    for i, a in enumerate(v):
        if np.isnan(a).any():
            keep.append(False)
            continue
        dominated = any(not np.isnan(b).any() and (b <= a).all() and (b < a).any() for j, b in enumerate(v) if j != i)
        keep.append(not dominated)
    return np.array(keep)


def test_pareto_mask_equals_brute_force():
    rng = np.random.default_rng(1)
    for trial in range(20):
        n, k = int(rng.integers(1, 60)), int(rng.integers(2, 4))
        v = rng.integers(0, 6, size=(n, k)).astype(float)  # many ties
        v[rng.random((n, k)) < 0.05] = np.nan
        v[rng.random((n, k)) < 0.05] = np.inf
        senses = list(rng.choice(["min", "max"], size=k))
        np.testing.assert_array_equal(pareto_mask(v, senses), _brute_force(v, senses))
    with pytest.raises(InputError, match="min or max"):
        pareto_mask(np.ones((2, 2)), ["min", "best"])


def test_ranking_of_lics_at_a_thickness(screening):
    tab = ranking(screening, "total_resistance_ohm", at={"uvea_thickness_m": 20e-6, "temperature_K": 295.15})
    assert len(tab) == screening["lic"].nunique()
    assert tab["rank"].tolist() == list(range(1, len(tab) + 1))
    r = tab["total_resistance_ohm"].to_numpy()
    assert (np.diff(r[np.isfinite(r)]) >= 0).all()
    assert tab["lic"].iloc[-1] == "sio2"  # dense SiO2: no ionic path, R = inf, last
    sel = screening[(screening["uvea_thickness_m"].sub(20e-6).abs() < 1e-12) & (screening["temperature_K"] == 295.15)]
    assert tab["lic"].iloc[0] == sel.loc[sel["total_resistance_ohm"].idxmin(), "lic"]
    up = ranking(screening, "limiting_current_density_A_m2")  # more is better: descending
    j = up["limiting_current_density_A_m2"].to_numpy()
    assert (np.diff(j) <= 0).all()
    with pytest.raises(InputError, match="one of the values present"):
        ranking(screening, "total_resistance_ohm", at={"uvea_thickness_m": 33e-6})
    with pytest.raises(InputError, match="a column of the results"):
        ranking(screening, "ccd_A_m2")


def test_pareto_front_resistance_vs_cost(screening):
    front = pareto_front(screening, at={"uvea_thickness_m": 20e-6, "temperature_K": 295.15})
    assert list(front.columns) == list(screening.columns)
    sub = screening[(screening["uvea_thickness_m"].sub(20e-6).abs() < 1e-12) & (screening["temperature_K"] == 295.15)]
    v = sub[["total_resistance_ohm", "material_cost_USD_m2"]].to_numpy(float)
    want = set(sub["lic"][_brute_force(v, ["min", "min"])])
    assert set(front["lic"]) == want and "sio2" in want  # the cheapest, even with no ionic path
    assert (np.diff(front["total_resistance_ohm"].to_numpy()) >= 0).all()


def test_units_of_columns():
    assert lab_unit("uvea_thickness_m") == ("um", 1e6)
    assert lab_unit("bulk_asr_ohm_m2") == ("ohm cm2", 1e4)
    assert lab_unit("apparent_conductivity_S_m") == ("mS/cm", 10.0)
    assert lab_unit("limiting_current_density_A_m2") == ("mA/cm2", 0.1)
    assert lab_unit("area_m2") == ("cm2", 1e4)
    assert lab_unit("lic") == ("", 1.0)
    assert unit_label("total_resistance_ohm") == "R_total [ohm]"
    assert unit_label("uvea_thickness_m") == "uvea_thickness [um]"


def test_heatmap_and_pareto_plots_are_labelled_with_units(tmp_path):
    out = tmp_path / "t.sqlite"
    run_sweep(load_spec("uvea-thickness"), out)
    df = load_results(out)
    grid = pivot(df, "uvea_thickness_m", "pellet_thickness_m", "total_resistance_ohm")
    assert grid.shape == (4, 12)
    png = tmp_path / "heat.png"
    fig = heatmap(df, "uvea_thickness_m", "pellet_thickness_m", "apparent_conductivity_S_m", png)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "uvea_thickness [um]" and ax.get_ylabel() == "pellet_thickness [um]"
    assert fig.axes[1].get_ylabel() == "sigma_app [mS/cm]"
    assert png.stat().st_size > 1000
    fig2 = plot_pareto(df, "total_resistance_ohm", "material_cost_USD_m2", tmp_path / "p.png")
    assert fig2.axes[0].get_xlabel() == "R_total [ohm]" and fig2.axes[0].get_ylabel() == "cost [USD/m2]"


def test_heatmap_over_a_material_axis_needs_the_other_axes_fixed(screening, tmp_path):
    with pytest.raises(InputError, match=r"a value for each other axis \(temperature_K\)"):
        pivot(screening, "lic", "uvea_thickness_m", "total_resistance_ohm")
    fig = heatmap(screening, "lic", "uvea_thickness_m", "bulk_resistance_ohm", tmp_path / "h.png",
                  at={"temperature_K": 333.15})
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][:2] == ["lagp", "latp"]
    assert fig.axes[1].get_ylabel() == "R_bulk [ohm]"


def test_screen_lics_ranks_every_library_lic_at_the_seed_geometry(tmp_path):
    from cellsim.sweeps.screening import screen_lics
    from cellsim.sweeps.spec import lic_materials

    df, tab = screen_lics(tmp_path / "s.sqlite")
    assert sorted(tab["lic"]) == sorted(lic_materials())
    sel = df[(df["uvea_thickness_m"].sub(100e-6).abs() < 1e-12) & (df["temperature_K"] == 295.15)]
    assert tab["total_resistance_ohm"].tolist() == sorted(sel["total_resistance_ohm"].tolist())
    df2, tab2 = screen_lics(tmp_path / "s.sqlite")  # resumed: nothing recomputed
    pd.testing.assert_frame_equal(df, df2)
