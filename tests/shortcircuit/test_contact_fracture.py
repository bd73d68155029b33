"""Closed forms of the Li | ceramic contact, creep, void, flaw and crack mechanisms."""

import math

import numpy as np
import pytest

from cellsim.constants import F, R
from cellsim.errors import InputError
from cellsim.shortcircuit.contact import (P_REF, T_REF, arrhenius_factor, contact_fraction, creep_supply_current,
                                          diffusion_supply_current, li_creep_rate, pressure_for_stripping_current,
                                          resistance_at, void_contact, void_critical_current)
from cellsim.shortcircuit.fracture import (AREA_REF, filament_velocity, initiation_current, largest_flaw,
                                           propagation_time)
from cellsim.shortcircuit.mechanisms import (G_LI, OMEGA_LI, griffith_overpotential, monroe_newman_ratio,
                                             reinforced_shear_modulus)


def test_contact_fraction_is_pressure_over_hardness_clipped():
    assert contact_fraction(1.2e6, 2.4e6, 0.05) == pytest.approx(0.5, rel=1e-15)
    assert contact_fraction(20e6, 2.4e6, 0.05) == 1.0
    assert contact_fraction(0.0, 2.4e6, 0.05) == 0.05
    with pytest.raises(InputError, match="pressure"):
        contact_fraction(-1.0, 2.4e6, 0.05)
    with pytest.raises(InputError, match="contact_floor"):
        contact_fraction(1e6, 2.4e6, 1.5)


def test_creep_rate_power_law_and_arrhenius():
    a, n, q = 1e-30, 6.6, 37e3
    e1 = li_creep_rate(1e6, 300.0, a, n, q)
    assert e1 == pytest.approx(a * 1e6 ** n * math.exp(-q / (R * 300.0)), rel=1e-13)
    assert li_creep_rate(2e6, 300.0, a, n, q) / e1 == pytest.approx(2 ** n, rel=1e-13)
    assert li_creep_rate(1e6, 330.0, a, n, q) / e1 == pytest.approx(math.exp(-q / R * (1 / 330 - 1 / 300)), rel=1e-13)


def test_arrhenius_factor_and_resistance():
    assert arrhenius_factor(5e4, T_REF) == 1.0
    f = arrhenius_factor(5e4, 333.15)
    assert f == pytest.approx(math.exp(-5e4 / R * (1 / 333.15 - 1 / T_REF)), rel=1e-14)
    assert f > 1
    assert resistance_at(5e-4, 5e4, 333.15) == pytest.approx(5e-4 / f, rel=1e-14)
    assert resistance_at(5e-4, 5e4, T_REF) == 5e-4


def test_void_critical_current_is_diffusion_plus_creep():
    d, ed, lam = 5e-15, 55e3, 5e-6
    jd = diffusion_supply_current(T_REF, d, ed, lam)
    assert jd == pytest.approx(F * d / (OMEGA_LI * lam), rel=1e-14)
    jc = creep_supply_current(2 * P_REF, 320.0, 1.0, 6.6, 37e3)
    assert jc == pytest.approx(2 ** 6.6 * math.exp(-37e3 / R * (1 / 320 - 1 / T_REF)), rel=1e-13)
    total = void_critical_current(2 * P_REF, 320.0, 1.0, 6.6, 37e3, d, ed, lam)
    assert total == pytest.approx(diffusion_supply_current(320.0, d, ed, lam) + jc, rel=1e-14)
    # no stack pressure: only diffusion resupplies
    assert void_critical_current(0.0, T_REF, 1.0, 6.6, 37e3, d, ed, lam) == pytest.approx(jd, rel=1e-14)


def test_pressure_for_stripping_current_inverts_the_stripping_limit():
    d, ed, lam = 5e-15, 55e3, 5e-6
    for n in (0.7, 1.0, 6.6):
        for p in (0.3e6, 2e6, 17e6):
            for T in (280.0, T_REF, 350.0):
                j = void_critical_current(p, T, 1.5, n, 37e3, d, ed, lam)
                assert pressure_for_stripping_current(j, T, 1.5, n, 37e3, d, ed, lam) == pytest.approx(p, rel=1e-12)
    jd = diffusion_supply_current(T_REF, d, ed, lam)
    # diffusion alone resupplies it: no pressure needed; no creep supply: no pressure helps
    assert pressure_for_stripping_current(0.5 * jd, T_REF, 1.5, 1.0, 37e3, d, ed, lam) == 0.0
    assert pressure_for_stripping_current(2 * jd, T_REF, 0.0, 1.0, 37e3, d, ed, lam) is None
    with pytest.raises(InputError):
        pressure_for_stripping_current(-1.0, T_REF, 1.5, 1.0, 37e3, d, ed, lam)


def test_void_contact_decays_exponentially():
    assert void_contact(0.8, 0.0, 1e-6) == 0.8
    assert void_contact(0.8, 2e-6, 1e-6) == pytest.approx(0.8 * math.exp(-2.0), rel=1e-15)


def test_largest_flaw_weibull_scaling():
    assert largest_flaw(AREA_REF, 1e-6, 10.0) == pytest.approx(1e-6, rel=1e-15)
    assert largest_flaw(4 * AREA_REF, 1e-6, 10.0) == pytest.approx(1e-6 * 4 ** 0.2, rel=1e-14)
    # a larger Weibull modulus (a narrower flaw population) grows slower with area
    assert largest_flaw(4 * AREA_REF, 1e-6, 20.0) < largest_flaw(4 * AREA_REF, 1e-6, 10.0)


def test_initiation_current_reaches_the_griffith_overpotential():
    kic, a, rc, contact, f = 1.0e6, 2e-6, 1e-3, 0.4, 2.0
    j = initiation_current(kic, a, rc, contact, f)
    eta = griffith_overpotential(kic, a)
    assert eta == pytest.approx(OMEGA_LI * kic / (F * 1.12 * math.sqrt(math.pi * a)), rel=1e-14)
    # the local overpotential f J R / a equals eta_crit at J_init
    assert f * j * rc / contact == pytest.approx(eta, rel=1e-14)


def test_filament_velocity_and_propagation_time():
    v = filament_velocity(50.0, 0.02)
    assert v == pytest.approx(OMEGA_LI * 50.0 / (F * 0.02), rel=1e-14)
    assert propagation_time(4e-4, 50.0, 0.02) == pytest.approx(4e-4 / v, rel=1e-14)
    assert propagation_time(4e-4, 0.0, 0.02) == math.inf
    with pytest.raises(InputError, match="filament_fraction"):
        filament_velocity(1.0, 0.0)


def test_halpin_tsai_between_reuss_and_voigt_and_limits():
    gm, gf = 1e6, 30e9
    for phi in (0.0, 0.05, 0.1, 0.3):
        g = reinforced_shear_modulus(gm, gf, phi)
        reuss = 1.0 / ((1 - phi) / gm + phi / gf)
        voigt = (1 - phi) * gm + phi * gf
        assert reuss * (1 - 1e-12) <= g <= voigt
    assert reinforced_shear_modulus(gm, gf, 0.0) == gm
    # xi -> infinity tends to the Voigt average
    assert reinforced_shear_modulus(gm, gf, 0.1, shape_factor=1e12) == pytest.approx(0.9 * gm + 0.1 * gf, rel=1e-6)
    # equal phases: no change
    assert reinforced_shear_modulus(gm, gm, 0.4) == pytest.approx(gm, rel=1e-15)
    # a glass-fibre gel is still far from Monroe-Newman's 2 G_Li
    assert monroe_newman_ratio(reinforced_shear_modulus(gm, gf, 0.1)) < 1e-2
    assert monroe_newman_ratio(2 * G_LI) == 2.0


def test_tip_contact_resistance_limits_and_current_share():
    from cellsim.shortcircuit.fracture import tip_contact_resistance, tip_current_share

    rp, rc = 1.8e-3, 5e-4
    for phi in (1e-4, 0.1, 1.0):
        reff = tip_contact_resistance(rp, rc, phi)
        s = tip_current_share(rp, rc, phi)
        # the tip carries s J over phi of the area: its overpotential (s J / phi) R_c equals J R_eff
        assert s / phi * rc == pytest.approx(reff, rel=1e-14)
        # and the parallel polymer path has the same drop: (1 - s) J R_p
        assert (1 - s) * rp == pytest.approx(reff, rel=1e-13)
    assert tip_contact_resistance(rp, rc, 1e-9) == pytest.approx(rp, rel=1e-5)    # small tip: the polymer's IR drop
    assert tip_contact_resistance(rp, rc, 1.0) == pytest.approx(rp * rc / (rp + rc), rel=1e-15)
