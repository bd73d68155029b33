"""The slow mechanisms against their closed forms and independent references."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellsim.constants import F, R
from cellsim.errors import InputError
from cellsim.lifetime.mechanisms import (arrhenius_factor, dead_li_resistance, dead_li_thickness,
                                         dendrite_advance_per_cycle, front_depth, li_thickness, sei_resistance,
                                         sei_thickness, sei_time_to_resistance)
from cellsim.shortcircuit.mechanisms import OMEGA_LI


def test_sei_parabolic_growth():
    k, d0 = 2.7e-20, 20e-9
    for t in (0.0, 1.0, 3600.0, 9e6):
        assert sei_thickness(t, k, d0) == pytest.approx(math.sqrt(d0 ** 2 + k * t), rel=1e-14)
    # doubling k t quadruples delta^2 - delta0^2
    a, b = sei_thickness(1e6, k, d0), sei_thickness(4e6, k, d0)
    assert (b ** 2 - d0 ** 2) / (a ** 2 - d0 ** 2) == pytest.approx(4.0, rel=1e-12)


def test_sei_resistance_and_its_inverse():
    k, d0, s = 2.7e-20, 20e-9, 1e-6
    t = 9e6
    r = sei_resistance(t, k, d0, s)
    assert r == pytest.approx((math.sqrt(d0 ** 2 + k * t) - d0) / s, rel=1e-12)
    assert sei_time_to_resistance(r, k, d0, s) == pytest.approx(t, rel=1e-12)
    assert sei_resistance(0.0, k, d0, s) == 0.0
    # without delta0 the resistance grows exactly as sqrt(t)
    assert sei_resistance(4e6, k, 0.0, s) / sei_resistance(1e6, k, 0.0, s) == pytest.approx(2.0, rel=1e-13)
    # tiny times: no cancellation (k t / (2 delta0 sigma) to first order)
    assert sei_resistance(1e-6, k, d0, s) == pytest.approx(k * 1e-6 / (2 * d0 * s), rel=1e-9)
    assert sei_time_to_resistance(1.0, 0.0, d0, s) == math.inf


def test_arrhenius_factor():
    ea, T, Tr = 50e3, 333.15, 295.15
    assert arrhenius_factor(ea, T, Tr) == pytest.approx(math.exp(-ea / R * (1 / T - 1 / Tr)), rel=1e-14)
    assert arrhenius_factor(ea, Tr, Tr) == 1.0
    assert arrhenius_factor(ea, T, Tr) * arrhenius_factor(ea, Tr, T) == pytest.approx(1.0, rel=1e-14)


def test_li_thickness_of_a_charge():
    # 1 mAh/cm2 of Li metal is 4.85 um (the textbook number: 3.6 C/cm2 x 13.0 cm3/mol / F)
    assert li_thickness(36000.0) == pytest.approx(4.85e-6, rel=2e-3)
    assert li_thickness(36000.0) == pytest.approx(OMEGA_LI * 36000.0 / F, rel=1e-15)


def test_dead_li_layer_and_its_resistance():
    q, f, e = 1800.0, 0.01, 0.5
    h = dead_li_thickness(q, f, e)
    assert h == pytest.approx(f * OMEGA_LI * q / (F * (1 - e)), rel=1e-14)
    kappa = 0.0773
    assert dead_li_resistance(h, kappa, e) == pytest.approx(h / (kappa * e ** 1.5) - h / kappa, rel=1e-12)
    assert dead_li_resistance(h, kappa, 1.0) == 0.0           # no tortuosity, nothing added
    with pytest.raises(InputError):
        dead_li_thickness(q, 1.0, e)
    with pytest.raises(InputError):
        dead_li_resistance(-1e-6, kappa, e)


def _tracker_rule(v, th, ts, f, n_steps=20000):
    """The step-up tracker's front rule integrated step by step over one cycle (independent reference)."""
    dt = th / n_steps
    x = 0.0
    for k in range(n_steps):            # plating half: grows after t_Sand
        t = (k + 0.5) * dt
        if t > ts:
            x += v * dt
    for _ in range(n_steps):            # stripping half: dissolves at (1 - f) v, never below zero
        x = max(0.0, x - (1 - f) * v * dt)
    return x


@pytest.mark.parametrize("ts", [0.0, 200.0, 900.0])
def test_dendrite_ratchet_matches_the_tracker_rule(ts):
    v, th, f = 1.75e-7, 1800.0, 0.3
    net = dendrite_advance_per_cycle(v, th, ts, f)
    assert net == pytest.approx(v * (f * th - ts), rel=1e-12)
    assert max(net, 0.0) == pytest.approx(_tracker_rule(v, th, ts, f), rel=1e-3, abs=v * th * 1e-4)
    assert dendrite_advance_per_cycle(v, th, math.inf, f) == pytest.approx(-(1 - f) * v * th, rel=1e-14)


def test_front_depth_and_bad_values():
    assert front_depth(2e-6, 3.0, 1e-6) == pytest.approx(7e-6, rel=1e-14)
    with pytest.raises(InputError):
        front_depth(1e-6, 0.5)
    with pytest.raises(InputError):
        sei_thickness(-1.0, 1e-20)
    with pytest.raises(InputError):
        sei_thickness(float("nan"), 1e-20)
    assert np.isfinite(sei_thickness(1e9, 1e-20))


@given(t=st.floats(1.0, 1e9), log_k=st.floats(-22.0, -16.0), d0=st.floats(0.0, 1e-7), log_s=st.floats(-9.0, -4.0))
def test_sei_time_inverts_sei_resistance(t, log_k, d0, log_s):
    k, s = 10 ** log_k, 10 ** log_s
    r = sei_resistance(t, k, d0, s)
    assert sei_time_to_resistance(r, k, d0, s) == pytest.approx(t, rel=1e-9)


def test_porous_sand_time_closed_form():
    from cellsim.formulas import sand_time
    from cellsim.lifetime.mechanisms import porous_depletion_length, porous_sand_time

    D, c0, J, tp = 7.86e-12, 1244.0, 5.0, 0.4
    assert porous_sand_time(D, c0, J, tp, 1.0) == pytest.approx(sand_time(D, c0, J, tp), rel=1e-14)
    assert porous_sand_time(D, c0, J, tp, 0.5) == pytest.approx(0.5 ** 2.5 * math.pi * D * (c0 * F) ** 2
                                                              / (4 * (J * (1 - tp)) ** 2), rel=1e-14)
    assert porous_depletion_length(D, 0.25, 100.0) == pytest.approx(math.sqrt(D * 0.5 * 100.0), rel=1e-14)
    with pytest.raises(InputError):
        porous_sand_time(D, c0, J, tp, 1.5)


def _porous_surface_depletion_time(D, c0, N, eps, length, n):
    """Crank-Nicolson for eps c_t = D eps^1.5 c_xx on [0, length], flux N out at x = 0, sealed far end;
    the time c(0) reaches 0, linearly interpolated [s]."""
    from scipy.linalg import solve_banded

    dx = length / n
    x_c = c0 * np.ones(n)                   # cell averages (finite volumes)
    deff = D * eps ** 1.5
    t_ref = eps ** 2.5 * math.pi * D * c0 ** 2 / (4 * N ** 2)
    dt = t_ref / 4000
    a = deff * dt / (eps * dx * dx)
    lap = np.zeros((3, n))                  # banded (I - a/2 L)
    lap[0, 1:] = -a / 2
    lap[2, :-1] = -a / 2
    lap[1, :] = 1 + a
    lap[1, 0] = lap[1, -1] = 1 + a / 2
    src = np.zeros(n)
    src[0] = -N * dt / (eps * dx)
    t, c_prev = 0.0, x_c[0] - N * dx / (2 * deff)
    while True:
        rhs = x_c.copy()
        rhs[1:-1] += a / 2 * (x_c[2:] - 2 * x_c[1:-1] + x_c[:-2])
        rhs[0] += a / 2 * (x_c[1] - x_c[0])
        rhs[-1] += a / 2 * (x_c[-2] - x_c[-1])
        x_c = solve_banded((1, 1), lap, rhs + src)
        t += dt
        c_face = x_c[0] - N * dx / (2 * deff)   # face value from the boundary flux
        if c_face <= 0:
            return t - dt * c_face / (c_face - c_prev)
        c_prev = c_face


def test_porous_sand_time_against_a_numerical_solution():
    """The closed form against a finite-volume Crank-Nicolson solution of the porous layer (error ~dx^2)."""
    from cellsim.lifetime.mechanisms import porous_depletion_length, porous_sand_time

    D, c0, J, tp, eps = 7.86e-12, 1244.0, 5.0, 0.4, 0.5
    t_s = porous_sand_time(D, c0, J, tp, eps)
    length = 10 * porous_depletion_length(D, eps, t_s)      # semi-infinite in practice
    N = J * (1 - tp) / F
    errs = [abs(_porous_surface_depletion_time(D, c0, N, eps, length, n) / t_s - 1) for n in (200, 400)]
    assert errs[1] < 1e-4                                    # measured 3.1e-4 (200 cells), 7.8e-5 (400)
    assert 3.5 < errs[0] / errs[1] < 4.5                     # second order in dx (and dt ~ dx^0 fixed small)
