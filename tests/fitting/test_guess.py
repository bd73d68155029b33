"""Automatic initial guesses (variable projection over sampled time constants)."""

import numpy as np

from cellsim.circuits import Circuit
from cellsim.fitting.guess import _jw_pow, auto_guesses, data_scales

C = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
TRUE = np.array([10, 100, 1e-8, 0.90, 500, 1e-6, 0.80, 5e-5, 0.80])
F = np.logspace(0, np.log10(3e6), 60)


def test_jw_pow_matches_complex_power():
    rng = np.random.default_rng(0)
    w = np.logspace(-1, 7, 50)
    tau = 10 ** rng.uniform(-8, 2, 20)
    n = rng.uniform(0.3, 1.0, 20)
    ref = (1j * w[None, :] * tau[:, None]) ** n[:, None]
    assert np.allclose(_jw_pow(w, tau, n), ref, rtol=1e-12, atol=0)


def test_candidates_ranked_distinct_and_close_to_the_data():
    c = Circuit(C)
    z = c.impedance(F, TRUE)
    s = np.abs(z)
    p, cost = auto_guesses(c, F, z, s, s, n_best=5, seed=1)
    assert p.shape == (5, c.n_params)
    assert np.all(np.diff(cost) >= 0)
    # the cost is the chi^2 of each candidate with the full circuit
    d = c.impedance(F, p) - z[None, :]
    assert np.allclose(cost, np.sum(np.abs(d) ** 2 / s**2, axis=1), rtol=1e-10)
    # the separable coefficients (R0, R1, R2 and 1/Q3) come from the data: the best candidate
    # is within a factor 3 of the truth in the resistances (the two arcs in either order)
    assert abs(np.log(p[0, 0] / TRUE[0])) < np.log(3)
    arcs = np.sort(p[0, [1, 4]])
    assert np.all(np.abs(np.log(arcs / np.array([100.0, 500.0]))) < np.log(3))
    kinds = c.parameter_kinds
    ex = np.array([k == "exponent" for k in kinds])
    assert np.all((p[:, ex] > 0) & (p[:, ex] <= 1)) and np.all(p[:, ~ex] > 0)
    # reproducible
    p2, _ = auto_guesses(c, F, z, s, s, n_best=5, seed=1)
    assert np.array_equal(p, p2)


def test_fixed_values_are_carried():
    c = Circuit(C)
    z = c.impedance(F, TRUE)
    p, _ = auto_guesses(c, F, z, np.abs(z), np.abs(z), fixed={"R1": 100.0, "CPE3_1": 0.8}, n_best=3)
    assert np.all(p[:, 1] == 100.0) and np.all(p[:, 8] == 0.8)


def test_data_scales():
    z = Circuit("R0-p(R1,C1)").impedance(F, [10, 100, 1e-6])
    sc = data_scales(F, z)
    assert sc["r_hf"] == z[-1].real and sc["r_lf"] == z[0].real
    assert sc["w_min"] == 2 * np.pi * F[0]
    apex = sc["apex_w"]
    assert len(apex) == 1 and abs(np.log10(apex[0] * 1e-4)) < 0.1  # apex at w = 1/(R C)
