"""CNLS circuit fits on synthetic spectra with known parameters and seeded noise.

Noise model: Z_data = Z_true + 0.01 |Z_true| (n1 + j n2), n1, n2 standard normal; with
modulus weighting the weighted residuals then have standard deviation ~0.01, so chi^2
should be ~1e-4 (2N - k) and the fitted values should scatter around the truth by their
reported standard errors.
"""

import numpy as np
import pytest

from cellsim.circuits import Circuit
from cellsim.data import Spectrum
from cellsim.errors import InputError
from cellsim.fitting import FitResult, fit, fit_joint
from cellsim.fitting.fit import _Problem, weights

C2 = "R0-p(R1,CPE1)-p(R2,CPE2)"
P2 = np.array([10.0, 100.0, 1e-6, 0.85, 400.0, 1e-4, 0.8])
F = np.logspace(5, -1, 49)
SIGMA = 0.01


def noisy(circuit, p, f, seed, sigma=SIGMA):
    z = Circuit(circuit).impedance(f, p)
    rng = np.random.default_rng(seed)
    return z + sigma * np.abs(z) * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))


def test_recovers_parameters_within_4_stderr_from_automatic_guess():
    z = noisy(C2, P2, F, seed=3)
    r = fit(C2, F, z)
    assert isinstance(r, FitResult) and r.success, r.message
    assert r.names == Circuit(C2).parameter_names
    dev = (r.values - P2) / r.stderr
    assert np.all(np.abs(dev) < 4), dev
    # chi^2 consistent with the noise: E[chi^2] = sigma^2 (2N - k)
    assert r.reduced_chi2 / SIGMA**2 == pytest.approx(1.0, abs=0.35)
    assert r.n_points == F.size and r.n_free == 7
    assert r.weighted_residuals.size == 2 * F.size


def test_stderr_matches_monte_carlo_scatter():
    """The covariance-based stderr equals the scatter of fits over 40 noise realisations.

    With 40 samples the sample standard deviation has a relative error of ~1/sqrt(80) = 11 %;
    the ratio must lie within 0.7..1.4 (about 3 standard errors of that estimate).
    """
    vals, errs = [], []
    for seed in range(40):
        r = fit(C2, F, noisy(C2, P2, F, seed=100 + seed), guess=P2 * 1.3 * np.array([1, 1, 1, 0.7, 1, 1, 0.7]))
        assert r.success
        vals.append(r.values)
        errs.append(r.stderr)
    vals, errs = np.array(vals), np.array(errs)
    ratio = vals.std(axis=0, ddof=1) / np.median(errs, axis=0)
    assert np.all((ratio > 0.7) & (ratio < 1.4)), ratio
    # unbiased to within the Monte-Carlo error of the mean
    bias = (vals.mean(axis=0) - P2) / (vals.std(axis=0, ddof=1) / np.sqrt(40))
    assert np.all(np.abs(bias) < 4), bias


def test_covariance_correlation_and_information_criteria_consistent():
    z = noisy(C2, P2, F, seed=5)
    r = fit(C2, F, z)
    assert np.allclose(np.sqrt(np.diag(r.covariance)), r.stderr, rtol=1e-12)
    assert np.allclose(r.correlation, r.correlation.T)
    assert np.allclose(np.diag(r.correlation), 1.0)
    assert np.all(np.abs(r.correlation) <= 1 + 1e-9)
    n = 2 * F.size
    assert r.aic == pytest.approx(n * np.log(r.weighted_ssr / n) + 2 * 7, rel=1e-12)
    assert r.bic == pytest.approx(n * np.log(r.weighted_ssr / n) + 7 * np.log(n), rel=1e-12)
    # weighted SSR and residuals are those of the returned values
    zc = Circuit(C2).impedance(F, r.values)
    assert np.allclose(r.z_fit, zc, rtol=1e-12)
    d = zc - z
    assert r.weighted_ssr == pytest.approx(float(np.sum(np.abs(d) ** 2 / np.abs(z) ** 2)), rel=1e-10)
    assert np.allclose(r.residuals, z - zc)


def test_covariance_equals_linear_least_squares_for_a_linear_model():
    """For R0-L0 the model is linear in (R0, L0); with unit weights the covariance must equal
    s^2 (A^T A)^-1 of ordinary least squares exactly (the log transform is undone)."""
    f = np.logspace(1, 5, 30)
    w = 2 * np.pi * f
    rng = np.random.default_rng(0)
    z = 5.0 + 1j * w * 2e-6 + 0.05 * (rng.standard_normal(30) + 1j * rng.standard_normal(30))
    r = fit("R0-L0", f, z, weight="unit")
    A = np.zeros((60, 2))
    A[:30, 0] = 1.0
    A[30:, 1] = w
    b = np.concatenate([z.real, z.imag])
    x, res, *_ = np.linalg.lstsq(A, b, rcond=None)
    s2 = float(res[0]) / (60 - 2)
    cov = s2 * np.linalg.inv(A.T @ A)
    assert np.allclose(r.values, x, rtol=1e-8)
    assert np.allclose(r.covariance, cov, rtol=1e-5)


def test_fixed_parameters_bounds_and_band():
    z = noisy(C2, P2, F, seed=7)
    r = fit(C2, Spectrum(F, z), fixed={"R0": 10.0, "CPE2_1": 0.8})
    assert r.success
    assert r.values[0] == 10.0 and r.values[6] == 0.8
    assert r.stderr[0] == 0.0 and r.fixed[0] and r.fixed[6] and not r.fixed[1]
    assert r.n_free == 5 and "R0" not in r.free_names
    rb = fit(C2, F, z, bounds={"R1": (50.0, 90.0)})
    assert 50.0 <= rb.values[1] <= 90.0 + 1e-9 and "R1" in rb.at_bound[0]
    band = fit(C2, F, z, fmin=1.0, fmax=1e4)
    keep = (F >= 1.0) & (F <= 1e4)
    assert band.n_points == keep.sum()
    assert np.all((band.frequency >= 1.0) & (band.frequency <= 1e4))


def test_weightings_and_given_sigma():
    z = noisy(C2, P2, F, seed=11)
    sr, si = weights(z, "proportional")
    assert np.allclose(sr, np.maximum(np.abs(z.real), 1e-3 * np.abs(z)))
    for w in ("unit", "proportional"):
        r = fit(C2, F, z, weight=w)
        assert r.success and r.weighting == w
        assert np.all(np.abs((r.values - P2) / r.stderr) < 5)
    # the true standard deviations given: absolute sigma, reduced chi^2 ~ 1, no rescaling
    sig = SIGMA * np.abs(Circuit(C2).impedance(F, P2))
    r = fit(C2, F, z, sigma=sig)
    assert r.weighting == "sigma"
    assert r.reduced_chi2 == pytest.approx(1.0, abs=0.35)
    r_rel = fit(C2, F, z, weight="modulus")
    # modulus weighting with the rescaled covariance gives nearly the same stderr
    assert np.allclose(r.stderr, r_rel.stderr, rtol=0.3)
    with pytest.raises(InputError):
        weights(z, "square")
    with pytest.raises(InputError):
        weights(z, sigma=-1.0)


def test_multistart_escapes_a_bad_start():
    """From a start with the two arcs swapped, one start ends in a worse local minimum;
    the default multi-start reaches the optimum of a fit started at the truth."""
    c = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
    true = np.array([10, 100, 1e-8, 0.90, 500, 1e-6, 0.80, 5e-5, 0.80])
    f = np.logspace(0, np.log10(3e6), 60)
    z = noisy(c, true, f, seed=1)
    ref = fit(c, f, z, guess=true, n_starts=1).weighted_ssr
    bad = [1000, 5, 1e-4, 0.99, 5, 1e-9, 0.99, 1e-9, 0.99]
    single = fit(c, f, z, guess=bad, n_starts=1)
    multi = fit(c, f, z, guess=bad)
    assert single.weighted_ssr > 1.01 * ref
    assert multi.weighted_ssr <= 1.01 * ref and multi.success
    assert multi.n_starts == 6 and len(multi.start_costs) == 6


def test_unidentifiable_parameters_give_success_false():
    f = np.logspace(0, 4, 20)
    z = np.full(20, 30.0 + 0j) + 0.1 * np.random.default_rng(0).standard_normal(20)
    r = fit("R0-R1", f, z)
    assert not r.success
    assert "not determined" in r.message
    assert not np.all(np.isfinite(r.stderr))


def test_joint_fit_shares_parameters():
    """Three spectra with different R1 (a temperature series): R0 and the CPE exponents shared."""
    c = "R0-p(R1,CPE1)"
    r1s = [50.0, 120.0, 300.0]
    f = np.logspace(5, 0, 31)
    spectra = [(f, noisy(c, [10.0, r1, 1e-6, 0.85], f, seed=20 + i)) for i, r1 in enumerate(r1s)]
    j = fit_joint(c, spectra, shared=["R0", "CPE1_1"])
    assert j.success, j.message
    assert j.values.shape == (3, 4)
    assert np.all(j.values[:, 0] == j.values[0, 0]) and np.all(j.values[:, 3] == j.values[0, 3])
    assert j.n_free == 2 + 2 * 3
    assert j.free_names[:2] == ["R0", "R1[0]"] or "R1[0]" in j.free_names
    assert np.all(np.abs((j.values[:, 1] - r1s) / j.stderr[:, 1]) < 4)
    assert abs(j.values[0, 0] - 10.0) < 4 * j.stderr[0, 0]
    # a shared parameter is better determined than from any one spectrum alone
    single = fit(c, *spectra[0])
    assert j.stderr[0, 3] < single.stderr[3]
    # loops of one file: every parameter shared = one fit of the concatenated data
    k = fit_joint(c, spectra[:2], shared="all")
    assert k.values.shape == (2, 4) and np.allclose(k.values[0], k.values[1])


def test_ties_within_a_spectrum():
    c = "R0-p(R1,CPE1)-p(R2,CPE2)"
    p = [10.0, 100.0, 1e-6, 0.9, 100.0, 1e-6, 0.9]
    z = noisy(c, p, F, seed=2)
    r = fit(c, F, z, tie=[["R1", "R2"], ["CPE1_0", "CPE2_0"], ["CPE1_1", "CPE2_1"]])
    assert r.success and r.n_free == 4
    assert r.values[1] == r.values[4] and r.values[2] == r.values[5]
    assert abs(r.values[1] - 100.0) < 4 * r.stderr[1]


@pytest.mark.parametrize("kwargs, field", [
    ({"weight": "square"}, "weight"),
    ({"fixed": {"R9": 1.0}}, "parameter"),
    ({"fixed": {"CPE1_1": 1.5}}, "fixed[CPE1_1]"),
    ({"guess": [1, 2, 3]}, "guess"),
    ({"guess": {"R0": -1}}, "guess[R0]"),
    ({"bounds": {"R1": (5.0, 1.0)}}, "bounds[R1]"),
    ({"n_starts": 0}, "n_starts"),
    ({"fmin": 1e7}, "fmin/fmax"),
])
def test_bad_input_raises_input_error(kwargs, field):
    z = noisy(C2, P2, F, seed=0)
    with pytest.raises(InputError) as e:
        fit(C2, F, z, **kwargs)
    assert e.value.field == field


def test_fixing_everything_is_rejected():
    z = noisy("R0", [5.0], F, seed=0)
    with pytest.raises(InputError):
        fit("R0", F, z, fixed={"R0": 5.0})


def test_numba_kernels_match_numpy_reference():
    from cellsim.fitting import _kernels
    from cellsim.fitting.fit import _batched_lm

    c = Circuit(C2)
    z = noisy(C2, P2, F, seed=4)
    sr, si = weights(z)
    n = c.n_params
    index = np.arange(n)[None, :].copy()
    index[0, 0] = -1  # R0 fixed
    index[0, 1:] -= 1
    base = np.zeros((1, n))
    base[0, 0] = 10.0
    log_free = c.log_mask()[1:]
    lo = np.where(log_free, -np.inf, 0.0)
    hi = np.where(log_free, np.inf, 1.0)
    prob = _Problem(c, [(F, z, sr, si)], index, base, log_free, lo, hi)
    rng = np.random.default_rng(0)
    th = np.where(log_free, np.log(P2[1:]), P2[1:])[None, :] + rng.normal(0, 0.3, (5, n - 1)) * \
        np.where(log_free, 1.0, 0.1)
    th = prob.clip(th)
    out = np.empty((5, 2 * F.size))
    cols = np.arange(1, n)
    _kernels.residuals(c._ops, c._args, 2 * np.pi * F, c._needs_log, c._depth, z.real.copy(), z.imag.copy(), sr, si,
                       base[0].copy(), cols, cols - 1, log_free.copy(), th, out)
    assert np.allclose(out, prob.batch_residuals(th), rtol=1e-12, atol=1e-14)
    p = np.empty(n)
    _kernels.params_of(th[0], base[0], cols, cols - 1, log_free, p)
    assert np.allclose(p, prob.params(th[0])[0], rtol=1e-14)
    # the compiled multi-start LM and the NumPy one reach the same minima
    t1 = th.copy()
    cost = np.empty(5)
    its = np.empty(5, dtype=np.int64)
    _kernels.multistart_lm(c._ops, c._args, 2 * np.pi * F, c._needs_log, c._depth, z.real.copy(), z.imag.copy(),
                           sr, si, base[0].copy(), cols, cols - 1, log_free.copy(), lo, hi, t1, 200, 1e-12, cost, its)
    t2, cost2 = _batched_lm(prob, th.copy(), iterations=200)
    assert np.allclose(cost, prob.batch_cost(t1), rtol=1e-10)
    assert np.allclose(np.sort(cost), np.sort(cost2), rtol=1e-6)
