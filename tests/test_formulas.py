import math

import numpy as np
import pytest

from cellsim import formulas as fm
from cellsim.constants import F, R
from cellsim.errors import InputError


def test_eq1_both_ways_seed_latp_cell():
    # seed Fig. S8: LATP 1360 um on 1.33 cm2, sigma = 3.58e-5 S/cm
    r = fm.resistance_from_conductivity(3.58e-3, 1360e-6, 1.33e-4)
    assert r == pytest.approx(0.136 / (3.58e-5 * 1.33), rel=1e-12)
    assert round(r) == 2856
    assert fm.conductivity_from_resistance(r, 1360e-6, 1.33e-4) == pytest.approx(3.58e-3, rel=1e-12)


def test_eq2_both_ways_lvo_electronic():
    # seed Fig. S15a: LVO 675 um, 3 V, sigma_e = 7.54e-6 S/cm on 1.33 cm2
    i = fm.current_from_electronic_conductivity(7.54e-4, 675e-6, 3.0, 1.33e-4)
    assert i == pytest.approx(7.54e-4 * 3.0 * 1.33e-4 / 675e-6, rel=1e-12)
    assert fm.electronic_conductivity_from_current(i, 675e-6, 3.0, 1.33e-4) == pytest.approx(7.54e-4, rel=1e-12)


def test_recipe_concentration():
    c = fm.salt_concentration_from_recipe(0.2857, 0.28709, 1250.0)
    assert c == pytest.approx(0.2857 * 1250.0 / 0.28709, rel=1e-12)
    with pytest.raises(InputError, match="salt_mass_fraction"):
        fm.salt_concentration_from_recipe(28.57, 0.28709, 1250.0)


def test_limiting_current_and_sand_closed_forms():
    D, c0, tp, L = 1e-11, 1000.0, 0.4, 50e-6
    jl = fm.limiting_current_density(D, c0, tp, L)
    assert jl == pytest.approx(2 * F * D * c0 / ((1 - tp) * L), rel=1e-12)
    # physics.md §2.1.6 table: 6.4 mA/cm2 for these values
    assert jl / 10 == pytest.approx(6.43, abs=0.01)
    ts = fm.sand_time(D, c0, 90.0, tp)
    assert ts == pytest.approx(math.pi * D * (c0 * F) ** 2 / (4 * (90.0 * (1 - tp)) ** 2), rel=1e-12)
    assert ts == pytest.approx(25.0, abs=1.0)  # physics.md table: ~25 s at 9 mA/cm2


def test_diffusion_resistance_and_apparent_tplus():
    rd = fm.diffusion_resistance(50e-6, 1e-11, 1000.0, 0.4, 298.15)
    assert rd == pytest.approx(2 * R * 298.15 * 50e-6 * 0.36 / (F ** 2 * 1e-11 * 1000.0), rel=1e-12)
    # physics.md §2.3 example: R_d ~ 9.5 ohm cm2
    assert rd * 1e4 == pytest.approx(9.6, abs=0.2)
    # physics.md §2.2: two 50 um UVEA layers, t+ = 0.4, R_b,c = 0 gives 0.40 (ideal t+)
    rb_p = 2 * 6.5e-4
    rd_p = rb_p * (1 - 0.4) / 0.4
    assert fm.apparent_transference_number(rb_p, 0.0, rd_p) == pytest.approx(0.4, rel=1e-12)
    assert fm.apparent_transference_number(rb_p, 10e-4, rd_p) > 0.4


def test_nernst_einstein_consistency():
    kappa, c0, tp, T = 0.0773, 1244.0, 0.4, 295.15
    D = fm.nernst_einstein_diffusivity(kappa, c0, tp, T)
    # ideal electrolyte: R_b / (R_b + R_d) = t+ for any thickness (physics.md §2.3)
    L = 100e-6
    rb = L / kappa
    rd = fm.diffusion_resistance(L, D, c0, tp, T)
    assert rb / (rb + rd) == pytest.approx(tp, rel=1e-12)


def test_series_conductivity_and_vector_inputs():
    s = fm.series_conductivity([100e-6, 400e-6, 100e-6], [0.0773, 0.00358, 0.0773])
    assert s == pytest.approx(600e-6 / (200e-6 / 0.0773 + 400e-6 / 0.00358), rel=1e-12)
    L = np.array([20e-6, 50e-6])
    np.testing.assert_allclose(fm.limiting_current_density(1e-11, 1000.0, 0.4, L),
                               2 * F * 1e-11 * 1000.0 / (0.6 * L), rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda: fm.resistance_from_conductivity(0.01, -1e-6, 1e-4),
    lambda: fm.resistance_from_conductivity(0.01, 1e-6, 0.0),
    lambda: fm.limiting_current_density(1e-11, 1000.0, 1.2, 1e-4),
    lambda: fm.sand_time(1e-11, float("nan"), 10.0, 0.4),
])
def test_formula_inputs_checked(call):
    with pytest.raises(InputError):
        call()
