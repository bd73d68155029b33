"""The compiled variable projection of the automatic guess against its NumPy reference."""

import numpy as np
import pytest

from cellsim.circuits import Circuit
from cellsim.fitting import _kernels as K
from cellsim.fitting.guess import (_basis, _BASIS_OF, _linear_coefficients, _separable_coefficients, _Term,
                                   auto_guesses)

W = 2 * np.pi * np.logspace(-2, 6, 41)

TERMS = [("R", []), ("L", []), ("C", []), ("W", []), ("CPE", ["n_series"]), ("Wo", ["tau_d"]), ("Ws", ["tau_d"]),
         ("Zd", ["tau_d"]), ("G", ["tau_d"]), ("K", ["tau"]), ("RC", ["tau"]), ("Zarc", ["tau", "n"]),
         ("RQ", ["tau", "n"])]


def samples_for(terms, S, rng):
    out = []
    for kind, nl in terms:
        s = {"_S": S}
        for q in nl:
            s[q] = 10 ** rng.uniform(-6, 1, S) if q.startswith("tau") else rng.uniform(0.4, 1.0, S)
        out.append(s)
    return out


@pytest.mark.parametrize("kind,nl", TERMS)
def test_basis_column_matches_numpy(kind, nl):
    rng = np.random.default_rng(0)
    S = 7
    (s,) = samples_for([(kind, nl)], S, rng)
    ref = _basis(_Term(kind, [], nl), W, s)
    code = getattr(K, _BASIS_OF[kind])
    for i in range(S):
        re, im = np.empty(W.size), np.empty(W.size)
        tau = s.get("tau", s.get("tau_d", np.ones(S)))[i]
        n = s.get("n", s.get("n_series", np.zeros(S)))[i]
        K._basis_column(code, W, np.log(W), tau, n, re, im, np.empty(W.size), np.empty(W.size, dtype=np.int64))
        assert np.max(np.abs(re + 1j * im - ref[i]) / np.abs(ref[i])) < 1e-12


@pytest.mark.parametrize("seed", range(4))
def test_separable_fit_matches_numpy_reference(seed):
    """Coefficients (including switched-off terms) and the weighted cost equal the NumPy solve."""
    rng = np.random.default_rng(seed)
    chosen = [TERMS[i] for i in rng.choice(len(TERMS), size=4, replace=False)]
    terms = [_Term(k, [], nl) for k, nl in chosen]
    S = 60
    samples = samples_for(chosen, S, rng)
    z = Circuit("R0-p(R1,CPE1)-W2").impedance(W / (2 * np.pi), [5.0, 80.0, 1e-5, 0.85, 20.0])
    target = z[None, :] * np.exp(rng.normal(0, 0.3, (S, 1)))  # one target per sample
    wr = wi = 1.0 / np.abs(z)
    coef, cost = _separable_coefficients(terms, samples, W, target, (wr, wi), float(np.max(np.abs(z))), True)
    B = np.stack([_basis(t, W, s) for t, s in zip(terms, samples)], axis=2)
    ref = _linear_coefficients(B, target, wr, wi, float(np.max(np.abs(z))))
    resid = np.einsum("snm,sm->sn", B, ref) - target
    ref_cost = np.sum((resid.real * wr) ** 2 + (resid.imag * wi) ** 2, axis=1)
    # normal equations solved by LAPACK vs Gaussian elimination: rounding x condition (measured 2e-12)
    assert np.max(np.abs(coef - ref) / np.abs(ref)) < 1e-10
    assert np.max(np.abs(cost - ref_cost) / ref_cost) < 1e-12
    assert (ref < 1e-3 * np.abs(ref).max()).any()  # some terms switched off: the active set is exercised


def test_small_solver():
    rng = np.random.default_rng(2)
    for m in (1, 2, 5):
        A = rng.normal(size=(m, m)) + m * np.eye(m)
        b = rng.normal(size=m)
        x = np.empty(m)
        K._solve_small(A.copy(), b.copy(), x)
        assert np.allclose(x, np.linalg.solve(A, b), rtol=1e-12, atol=0)


def test_costs_of_an_opaque_circuit_are_the_circuits():
    """With a nested (opaque) term and a bound that clips, the ranking costs are still the full circuit's."""
    c = Circuit("R0-p(R1-p(R2,CPE2),CPE1)-CPE3")
    f = W / (2 * np.pi)
    z = c.impedance(f, [5, 30, 100, 1e-4, 0.8, 1e-6, 0.9, 1e-3, 0.7])
    s = np.abs(z)
    lo = np.zeros(c.n_params)
    hi = np.full(c.n_params, np.inf)
    hi[0] = 4.0  # R0 below its best value: clipped candidates
    p, cost = auto_guesses(c, f, z, s, s, bounds=(lo, hi), n_best=4)
    d = c.impedance(f, p) - z[None, :]
    assert np.allclose(cost, np.sum(np.abs(d) ** 2 / s**2, axis=1), rtol=1e-10)
    assert np.all(p[:, 0] <= 4.0) and np.all(np.diff(cost) >= 0)
