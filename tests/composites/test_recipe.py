"""Volume fractions from mass recipes (cellsim.composites.recipe)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellsim.composites import recipe
from cellsim.errors import InputError


def test_volume_fractions_closed_form():
    vf = recipe.volume_fractions({"latp": 1.0, "uvea": 10.0}, {"latp": 2940.0, "uvea": 1200.0})
    v_c, v_p = 1 / 2940, 10 / 1200
    assert vf["latp"] == pytest.approx(v_c / (v_c + v_p), rel=1e-14)
    assert vf["uvea"] == pytest.approx(v_p / (v_c + v_p), rel=1e-14)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdef"), st.one_of(st.just(0.0), st.floats(1e-6, 1e3)), min_size=1),
       st.floats(100.0, 2e4))
def test_volume_fractions_sum_to_one(masses, rho):
    if sum(masses.values()) <= 0:
        with pytest.raises(InputError):
            recipe.volume_fractions(masses, {k: rho for k in masses})
        return
    vf = recipe.volume_fractions(masses, {k: rho * (1 + i) for i, k in enumerate(masses)})
    assert sum(vf.values()) == pytest.approx(1.0, rel=1e-12)
    assert all(0 <= v <= 1 for v in vf.values())


def test_equal_densities_give_mass_fractions():
    vf = recipe.volume_fractions({"a": 1.0, "b": 10.0}, {"a": 1000.0, "b": 1000.0})
    assert vf["a"] == pytest.approx(1 / 11, rel=1e-14)


def test_composite_polymer_fraction_of_the_seed_recipe():
    rho_p = 1250.0
    for rho_c in (2940.0, 3470.0, 3480.0, 2200.0):
        eps = recipe.composite_polymer_fraction(recipe.SEED_COMPOSITE_MASS_RATIO, rho_c, rho_p)
        vf = recipe.volume_fractions({"c": 0.1, "p": 1.0}, {"c": rho_c, "p": rho_p})
        assert eps == pytest.approx(vf["p"], rel=1e-14)
    # the lead's model-file comment: (1/2.94)/(1/2.94 + 10/1.25) = 0.0408 LATP by volume
    eps = recipe.composite_polymer_fraction(0.1, 2940.0, 1250.0)
    assert round(1 - eps, 4) == 0.0408
    # with unfilled porosity p the solid + polymer take (1 - p)
    eps_p = recipe.composite_polymer_fraction(0.1, 2940.0, 1250.0, porosity=0.1)
    assert eps_p == pytest.approx(0.9 * eps, rel=1e-14)
    assert recipe.composite_polymer_fraction(0.0, 2940.0, 1250.0) == 1.0


def test_mixture_density_and_uvea_estimate():
    assert recipe.mixture_density({"a": 1.0}, {"a": 1234.0}) == pytest.approx(1234.0)
    # 1/rho = sum w/rho
    assert recipe.mixture_density({"a": 1, "b": 1}, {"a": 1000.0, "b": 2000.0}) == pytest.approx(1 / (0.5e-3 + 0.25e-3))
    rho = recipe.uvea_precursor_density()
    dens = recipe.UVEA_COMPONENT_DENSITIES.values()
    assert min(dens) < rho < max(dens)
    assert set(recipe.UVEA_PRECURSOR_MASS_PERCENT) == set(recipe.UVEA_COMPONENT_DENSITIES)


@pytest.mark.parametrize("call", [
    lambda: recipe.volume_fractions({}, {}),
    lambda: recipe.volume_fractions({"a": 1.0}, {}),
    lambda: recipe.volume_fractions({"a": -1.0}, {"a": 1000.0}),
    lambda: recipe.volume_fractions({"a": 1.0}, {"a": 0.0}),
    lambda: recipe.composite_polymer_fraction(0.1, 2940.0, 1250.0, porosity=1.0),
    lambda: recipe.composite_polymer_fraction(-0.1, 2940.0, 1250.0),
    lambda: recipe.composite_polymer_fraction(0.1, float("nan"), 1250.0),
    lambda: recipe.mixture_density({"a": 0.0}, {"a": 1000.0}),
])
def test_validation(call):
    with pytest.raises(InputError):
        call()
