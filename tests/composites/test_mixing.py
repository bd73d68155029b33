"""Mixing rules: closed forms, bounds, percolation, limits, validation (cellsim.composites.mixing)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from cellsim.composites import mixing
from cellsim.composites.mixing import MODELS, effective_conductivity
from cellsim.errors import InputError

RTOL = 1e-12
SIG = st.floats(min_value=1e-9, max_value=1e3, allow_nan=False, allow_infinity=False)
FRAC = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
PARAMS = {"archie": {"archie_exponent": 1.7},
          "coated-particle": {"shell_conductivity": 0.5, "shell_thickness_ratio": 0.05}}


def ec(model, sp, sc, eps, **kw):
    return effective_conductivity(model, sp, sc, eps, **(kw or PARAMS.get(model, {})))


# ------------------------------------------------------------------ closed forms

def test_parallel_and_series_closed_forms():
    rng = np.random.default_rng(1)
    sp, sc, eps = 10 ** rng.uniform(-6, 1, 50), 10 ** rng.uniform(-6, 1, 50), rng.uniform(0, 1, 50)
    np.testing.assert_allclose(ec("parallel", sp, sc, eps), eps * sp + (1 - eps) * sc, rtol=RTOL)
    np.testing.assert_allclose(ec("series", sp, sc, eps), 1.0 / (eps / sp + (1 - eps) / sc), rtol=RTOL)


def test_maxwell_garnett_closed_form_both_matrices():
    sp, sc, eps = 0.0773, 0.00358, np.linspace(0, 1, 11)
    f = 1 - eps  # ceramic inclusions in polymer
    expect_pm = sp * (sc + 2 * sp + 2 * f * (sc - sp)) / (sc + 2 * sp - f * (sc - sp))
    expect_cm = sc * (sp + 2 * sc + 2 * eps * (sp - sc)) / (sp + 2 * sc - eps * (sp - sc))
    np.testing.assert_allclose(ec("maxwell-garnett-polymer-matrix", sp, sc, eps), expect_pm, rtol=RTOL)
    np.testing.assert_allclose(ec("maxwell-garnett-ceramic-matrix", sp, sc, eps), expect_cm, rtol=RTOL)


def test_maxwell_garnett_dilute_limit_slope():
    # s/sm = 1 + 3 f (si - sm)/(si + 2 sm) + O(f^2): the classic dilute-sphere result
    sm, si, f = 1.0, 5.0, 1e-7
    s = mixing.maxwell_garnett(sm, si, f)
    assert (s - 1.0) / f == pytest.approx(3 * (si - sm) / (si + 2 * sm), rel=1e-6)


@settings(max_examples=200, deadline=None)
@given(SIG, SIG, FRAC)
def test_bruggeman_solves_its_implicit_equation(sp, sc, eps):
    s = ec("bruggeman", sp, sc, eps)

    def g(x):
        return eps * (sp - x) / (sp + 2 * x) + (1 - eps) * (sc - x) / (sc + 2 * x)

    lo, hi = min(sp, sc), max(sp, sc)
    if lo == hi:
        assert s == pytest.approx(lo, rel=1e-12)
        return
    ref = brentq(g, lo, hi, xtol=1e-300, rtol=1e-15)
    assert s == pytest.approx(ref, rel=1e-10)


def test_bruggeman_no_cancellation_when_b_negative():
    # b < 0 (the good phase below percolation): the naive (b + sqrt(b^2 + 8 s1 s2))/4 loses all
    # digits; compare with the root computed in 50-digit decimal arithmetic
    from decimal import Decimal, getcontext

    getcontext().prec = 50
    for sp, sc, eps in [(1.0, 1e-12, 0.1), (2.0, 3e-9, 0.25), (1e-3, 1e-3 * 1e-10, 0.0)]:
        s = ec("bruggeman", sp, sc, eps)
        d1, d2, f = Decimal(sp), Decimal(sc), Decimal(eps)
        b = (3 * f - 1) * d1 + (2 - 3 * f) * d2
        ref = (b + (b * b + 8 * d1 * d2).sqrt()) / 4
        assert s == pytest.approx(float(ref), rel=1e-14)


def test_archie_closed_form_and_bruggeman_tortuosity():
    sp, sc, eps = 0.0773, 0.00358, np.linspace(0, 1, 21)
    for m in (1.0, 1.5, 2.5):
        np.testing.assert_allclose(ec("archie", sp, sc, eps, archie_exponent=m), sp * eps ** m + sc * (1 - eps) ** m,
                                   rtol=RTOL)
    np.testing.assert_allclose(ec("archie", sp, sc, eps, archie_exponent=1.0), ec("parallel", sp, sc, eps), rtol=RTOL)


def _coated_sphere_by_boundary_value_problem(s_core, s_shell, ratio):
    """Effective conductivity of a coated sphere from the Laplace problem (independent of the formula).

    Potentials: core A r cos, shell (B r + C/r^2) cos, outside medium s_eff: -E r cos with no
    dipole term (the coated sphere is 'invisible' in a medium of its own effective
    conductivity). Unknowns A, B, C, s_eff; r_core = 1, r_out = 1 + ratio. Continuity of
    potential and normal current at both radii; solved by bisection on s_eff of the dipole.
    """
    r1, r2 = 1.0, 1.0 + ratio

    def dipole(s_eff):
        # outside: -r + D/r^2 (E = 1). Unknowns A, B, C, D: 4 linear equations.
        M = np.array([
            [r1, -r1, -1 / r1 ** 2, 0.0],
            [s_core, -s_shell, 2 * s_shell / r1 ** 3, 0.0],
            [0.0, r2, 1 / r2 ** 2, -1 / r2 ** 2],
            [0.0, s_shell, -2 * s_shell / r2 ** 3, 2 * s_eff / r2 ** 3],
        ])
        rhs = np.array([0.0, 0.0, -r2, -s_eff])
        return np.linalg.solve(M, rhs)[3]

    lo, hi = min(s_core, s_shell), max(s_core, s_shell)
    return brentq(dipole, lo, hi, xtol=1e-300, rtol=1e-14)


@pytest.mark.parametrize("s_core,s_shell,ratio", [(3.58e-3, 1.0, 0.02), (1.0, 1e-3, 0.3), (2.0, 7.0, 1.0)])
def test_coated_particle_formula_against_boundary_value_problem(s_core, s_shell, ratio):
    assert mixing.coated_particle_conductivity(s_core, s_shell, ratio) == pytest.approx(
        _coated_sphere_by_boundary_value_problem(s_core, s_shell, ratio), rel=1e-10)


def test_coated_particle_physics_md_example():
    # physics.md §2.6: a 2 % shell at 1e-2 S/cm raises LATP (3.58e-5 S/cm) to 4.3e-4 S/cm (2 digits)
    s = mixing.coated_particle_conductivity(3.58e-3, 1.0, 0.02) / 100
    assert round(s, 5) == 4.3e-4


def test_coated_particle_reduces_to_bruggeman_without_shell():
    sp, sc, eps = 0.0773, 0.00358, np.linspace(0, 1, 21)
    np.testing.assert_allclose(ec("coated-particle", sp, sc, eps, shell_conductivity=5.0, shell_thickness_ratio=0.0),
                               ec("bruggeman", sp, sc, eps), rtol=RTOL)


def test_coated_particle_by_hand():
    sp, sc, eps, s_int, tr = 0.0773, 0.00358, 0.3, 0.8, 0.05
    a = (1 / 1.05) ** 3
    phi = 0.7 / a
    spart = s_int * (sc + 2 * s_int + 2 * a * (sc - s_int)) / (sc + 2 * s_int - a * (sc - s_int))
    b = (3 * phi - 1) * spart + (2 - 3 * phi) * sp
    ref = (b + math.sqrt(b * b + 8 * spart * sp)) / 4
    assert ec("coated-particle", sp, sc, eps, shell_conductivity=s_int, shell_thickness_ratio=tr) == pytest.approx(ref, rel=RTOL)


def test_coated_particle_continuous_where_the_shell_fills_the_pores():
    tr = 0.05
    e_star = 1 - (1 / 1.05) ** 3  # below this the whole polymer is interface
    e = e_star + np.array([-1e-9, 0.0, 1e-9])
    s = ec("coated-particle", 0.0773, 0.00358, e, shell_conductivity=0.8, shell_thickness_ratio=tr)
    assert np.all(np.abs(np.diff(s)) < 1e-6 * s[1])


def test_coated_particle_increases_with_shell_conductivity():
    s = ec("coated-particle", 0.0773, 0.00358, 0.2, shell_conductivity=np.logspace(-4, 2, 30))
    assert np.all(np.diff(s) > 0)


# ------------------------------------------------------------------ bounds

def _ordered(sp, sc, eps):
    vals = {m: ec(m, sp, sc, eps) for m in MODELS if m not in ("archie", "coated-particle")}
    return vals


@settings(max_examples=300, deadline=None)
@given(SIG, SIG, FRAC)
def test_wiener_and_hashin_shtrikman_bounds(sp, sc, eps):
    v = _ordered(sp, sc, eps)
    tol = 1e-12 * max(sp, sc)
    lower_hs, upper_hs = mixing.hashin_shtrikman_bounds(sp, sc, eps)
    # Wiener bounds contain the HS bounds, which contain Bruggeman
    assert v["series"] - tol <= lower_hs <= upper_hs <= v["parallel"] + tol
    assert lower_hs - tol <= v["bruggeman"] <= upper_hs + tol
    # the two Maxwell-Garnett models are the two HS bounds
    mg = sorted([v["maxwell-garnett-polymer-matrix"], v["maxwell-garnett-ceramic-matrix"]])
    assert mg[0] == pytest.approx(float(lower_hs), rel=1e-12, abs=1e-300)
    assert mg[1] == pytest.approx(float(upper_hs), rel=1e-12, abs=1e-300)
    if sp >= sc:
        assert v["maxwell-garnett-polymer-matrix"] >= v["maxwell-garnett-ceramic-matrix"] - tol
    for m in MODELS:
        s = ec(m, sp, sc, eps)
        assert s <= v["parallel"] + tol or m == "coated-particle"
        if m not in ("archie", "coated-particle"):
            assert s >= v["series"] - tol


@settings(max_examples=200, deadline=None)
@given(SIG, SIG, FRAC, st.floats(0.0, 1.0), SIG)
def test_coated_particle_within_three_phase_wiener_bounds(sp, sc, eps, tr, s_int):
    s = ec("coated-particle", sp, sc, eps, shell_conductivity=s_int, shell_thickness_ratio=tr)
    a = (1 / (1 + tr)) ** 3
    phi = min(1.0, (1 - eps) / a)
    f_core, f_shell, f_pol = 1 - eps, phi - (1 - eps), 1 - phi
    fr = np.array([f_pol, f_shell, f_core])
    sg = np.array([sp, s_int, sc])
    upper = float(fr @ sg)
    lower = 1.0 / float(fr @ (1.0 / sg))
    assert lower * (1 - 1e-10) <= s <= upper * (1 + 1e-10)


@settings(max_examples=100, deadline=None)
@given(SIG, SIG, FRAC, st.floats(1.0, 3.0))
def test_archie_below_parallel(sp, sc, eps, m):
    assert ec("archie", sp, sc, eps, archie_exponent=m) <= ec("parallel", sp, sc, eps) * (1 + 1e-12)


def test_archie_can_fall_below_series_when_phases_are_alike():
    # documented property of the empirical law: with sp == sc it gives eps^m + (1-eps)^m < 1
    assert ec("archie", 1.0, 1.0, 0.5, archie_exponent=2.0) == pytest.approx(0.5, rel=RTOL)
    assert ec("series", 1.0, 1.0, 0.5) == pytest.approx(1.0, rel=RTOL)


@settings(max_examples=100, deadline=None)
@given(SIG, SIG, st.floats(0.0, 0.999))
def test_all_rules_increase_with_polymer_fraction_when_polymer_is_better(sp, sc, eps):
    if sp <= sc * 1.001:
        sp, sc = max(sp, sc) * 2.0, min(sp, sc)
    for m in ("parallel", "series", "maxwell-garnett-polymer-matrix", "maxwell-garnett-ceramic-matrix", "bruggeman"):
        assert ec(m, sp, sc, min(eps + 1e-3, 1.0)) >= ec(m, sp, sc, eps) * (1 - 1e-12)


# ------------------------------------------------------------------ percolation and limits

def test_bruggeman_percolation_threshold_one_third():
    sp = 0.0773
    eps = np.linspace(0, 1, 301)
    s = ec("bruggeman", sp, 0.0, eps)
    expect = np.where(eps > 1 / 3, sp * (3 * eps - 1) / 2, 0.0)
    np.testing.assert_allclose(s, expect, rtol=1e-12, atol=1e-15 * sp)
    assert ec("bruggeman", sp, 0.0, 1 / 3 - 1e-9) == 0.0
    assert ec("bruggeman", sp, 0.0, 1 / 3 + 1e-6) > 0.0
    # the ceramic percolates at its own 1/3 when the polymer is the insulator
    assert ec("bruggeman", 0.0, 1.0, 2 / 3 + 1e-9) == 0.0
    assert ec("bruggeman", 0.0, 1.0, 2 / 3 - 1e-6) > 0.0
    # with a weakly conducting second phase the crossover sharpens around 1/3
    s_small = ec("bruggeman", 1.0, 1e-10, np.array([0.2, 0.3, 0.4]))
    assert s_small[0] < 1e-9 and s_small[2] == pytest.approx(0.1, rel=1e-6)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("sp,sc", [(0.0773, 0.00358), (1e-6, 2.0), (0.0, 0.5), (0.3, 0.0), (0.0, 0.0), (1.0, 1.0)])
def test_limits_at_fraction_zero_and_one(model, sp, sc):
    p = PARAMS.get(model, {})
    if model == "coated-particle":
        p = {"shell_conductivity": 0.5, "shell_thickness_ratio": 0.05}
    assert effective_conductivity(model, sp, sc, 0.0, **p) == pytest.approx(sc, rel=1e-12, abs=1e-300)
    assert effective_conductivity(model, sp, sc, 1.0, **p) == pytest.approx(sp, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("model", [m for m in MODELS if m != "archie"])  # Archie: see test_archie_can_fall_below...
def test_equal_phases_give_the_phase_value(model):
    p = {"shell_conductivity": 0.25, "shell_thickness_ratio": 0.1} if model == "coated-particle" else {}
    s = effective_conductivity(model, 0.25, 0.25, np.linspace(0, 1, 11), **p)
    np.testing.assert_allclose(s, 0.25, rtol=1e-12)


# ------------------------------------------------------------------ API

def test_vectorised_broadcasting_and_scalar_float():
    s = effective_conductivity("bruggeman", np.array([[0.1], [0.2]]), 0.01, np.linspace(0, 1, 5))
    assert s.shape == (2, 5)
    assert isinstance(effective_conductivity("bruggeman", 0.1, 0.01, 0.4), float)
    s2 = effective_conductivity("archie", 0.1, 0.01, 0.4, archie_exponent=np.array([1.5, 2.0, 2.5]))
    assert s2.shape == (3,)
    s3 = effective_conductivity("parallel", [0.1, 0.2, 0.3], 0.01, 0.5)
    np.testing.assert_allclose(s3, 0.5 * np.array([0.1, 0.2, 0.3]) + 0.005, rtol=RTOL)


def test_unknown_model_lists_allowed_names():
    with pytest.raises(InputError) as exc:
        effective_conductivity("maxwell", 0.1, 0.01, 0.4)
    for name in MODELS:
        assert name in str(exc.value)


@pytest.mark.parametrize("args,field", [
    ((0.1, 0.01, 1.2), "polymer_fraction"),
    ((0.1, 0.01, -0.1), "polymer_fraction"),
    ((0.1, 0.01, [0.2, math.nan]), "polymer_fraction"),
    ((-0.1, 0.01, 0.4), "sigma_polymer"),
    ((0.1, math.inf, 0.4), "sigma_ceramic"),
    ((0.1, "abc", 0.4), "sigma_ceramic"),
])
def test_input_validation(args, field):
    with pytest.raises(InputError) as exc:
        effective_conductivity("parallel", *args)
    assert exc.value.field == field


def test_parameter_validation():
    with pytest.raises(InputError, match="shell_conductivity"):
        effective_conductivity("coated-particle", 0.1, 0.01, 0.4)
    with pytest.raises(InputError, match="archie_exponent"):
        effective_conductivity("archie", 0.1, 0.01, 0.4, archie_exponent=0.5)
    with pytest.raises(InputError, match="archie.m"):
        effective_conductivity("archie", 0.1, 0.01, 0.4, m=1.5)
    with pytest.raises(InputError, match="none"):
        effective_conductivity("bruggeman", 0.1, 0.01, 0.4, archie_exponent=1.5)
    with pytest.raises(InputError, match="shell_thickness_ratio"):
        effective_conductivity("coated-particle", 0.1, 0.01, 0.4, shell_conductivity=1.0, shell_thickness_ratio=-1)
    with pytest.raises(InputError, match="broadcast"):
        effective_conductivity("parallel", [0.1, 0.2], 0.01, [0.1, 0.2, 0.3])


def test_effective_conductivities_ionic_and_electronic():
    ion, el = mixing.effective_conductivities("coated-particle", 0.0773, 0.00358, 6.65e-7, 8.07e-5, 0.2,
                                              shell_conductivity=1.0)
    assert ion == pytest.approx(ec("coated-particle", 0.0773, 0.00358, 0.2, shell_conductivity=1.0), rel=RTOL)
    # the shell's electronic conductivity defaults to the polymer's
    assert el == pytest.approx(ec("coated-particle", 6.65e-7, 8.07e-5, 0.2, shell_conductivity=6.65e-7), rel=RTOL)
    ion2, el2 = mixing.effective_conductivities("bruggeman", 0.0773, 0.00358, 6.65e-7, 8.07e-5, 0.2)
    assert el2 == pytest.approx(ec("bruggeman", 6.65e-7, 8.07e-5, 0.2), rel=RTOL)


# ------------------------------------------------------------------ pore channel

def test_pore_tortuosity_closed_forms():
    eps = np.array([0.2, 0.5, 0.8, 1.0])
    np.testing.assert_allclose(mixing.pore_tortuosity("parallel", eps), 1.0, rtol=RTOL)
    np.testing.assert_allclose(mixing.pore_tortuosity("archie", eps, archie_exponent=1.5), eps ** -0.5, rtol=RTOL)
    np.testing.assert_allclose(mixing.pore_tortuosity("maxwell-garnett-polymer-matrix", eps), (3 - eps) / 2, rtol=RTOL)
    br = mixing.pore_tortuosity("bruggeman", eps)
    assert math.isinf(br[0])
    np.testing.assert_allclose(br[1:], 2 * eps[1:] / (3 * eps[1:] - 1), rtol=RTOL)
    assert math.isinf(mixing.pore_tortuosity("series", 0.5))
    assert math.isinf(mixing.pore_tortuosity("maxwell-garnett-ceramic-matrix", 0.5))
    assert math.isnan(mixing.pore_tortuosity("parallel", 0.0))
    # coated particle: the pore geometry without interface enhancement; t/r = 0 is Bruggeman
    assert mixing.pore_tortuosity("coated-particle", 0.6, shell_conductivity=9.0, shell_thickness_ratio=0.0) == \
        pytest.approx(2 * 0.6 / (1.8 - 1), rel=RTOL)


def test_pore_channel_effective_transport():
    ch = mixing.pore_channel("bruggeman", 0.6)
    assert ch.tortuosity == pytest.approx(1.2 / 0.8, rel=RTOL)
    assert ch.transport_factor == pytest.approx(0.6 / 1.5, rel=RTOL)
    assert ch.effective_diffusivity(1e-11) == pytest.approx(0.4e-11, rel=RTOL)
    assert ch.effective_conductivity(0.0773) == pytest.approx(0.4 * 0.0773, rel=RTOL)
    np.testing.assert_allclose(ch.effective_diffusivity(np.array([1e-11, 2e-11])), [0.4e-11, 0.8e-11], rtol=RTOL)
    blocked = mixing.pore_channel("bruggeman", 0.3)
    assert blocked.transport_factor == 0.0 and blocked.effective_diffusivity(1e-11) == 0.0
    assert mixing.pore_channel("parallel", 0.0).transport_factor == 0.0
    with pytest.raises(InputError):
        mixing.PoreChannel(0.5, 0.9)
    with pytest.raises(InputError):
        mixing.PoreChannel(1.5, 2.0)


def test_conduction_paths_and_effective_transference():
    sp, sc, eps = 0.0773, 0.00358, 0.6
    sp_eff, sc_eff = mixing.conduction_paths("bruggeman", sp, sc, eps)
    total = ec("bruggeman", sp, sc, eps)
    assert sp_eff == pytest.approx(0.4 * sp, rel=RTOL)
    assert sp_eff + sc_eff == pytest.approx(total, rel=RTOL)
    # parallel: the split is exact: eps sp and (1 - eps) sc
    a, b = mixing.conduction_paths("parallel", sp, sc, eps)
    assert a == pytest.approx(eps * sp, rel=RTOL) and b == pytest.approx((1 - eps) * sc, rel=RTOL)
    t = mixing.effective_transference_number(0.4, sp_eff, sc_eff)
    assert t == pytest.approx((sc_eff + 0.4 * sp_eff) / (sc_eff + sp_eff), rel=RTOL)
    assert mixing.effective_transference_number(0.4, 1.0, 0.0) == pytest.approx(0.4)
    assert mixing.effective_transference_number(0.4, 0.0, 1.0) == pytest.approx(1.0)
    with pytest.raises(InputError):
        mixing.effective_transference_number(1.4, 1.0, 1.0)
    with pytest.raises(InputError):
        mixing.effective_transference_number(0.4, 0.0, 0.0)
