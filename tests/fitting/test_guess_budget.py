"""The automatic guess's default sample budget reaches the optimum the former 1500 samples reach.

With every term separable, :func:`cellsim.fitting.guess.default_samples` draws 100 samples per
sampled non-linear quantity (>= 200) instead of ~2e5 / n_freq (200..1500). The fits from the
automatic guess must end at the same optimum (chi^2 within 0.1 %) on the benchmark's 20 noisy
spectra and on the real spectra of ../shared/data/eis.
"""

from pathlib import Path

import numpy as np
import pytest

import cellsim.fitting.guess as guess_module
from cellsim.circuits import Circuit
from cellsim.data import read_spectra, read_spectrum
from cellsim.fitting import fit
from cellsim.fitting.guess import _classify, default_samples

EIS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "eis"
BENCH = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
TRUE = [10, 100, 1e-8, 0.90, 500, 1e-6, 0.80, 5e-5, 0.80]


def former_budget(monkeypatch):
    """Make auto_guesses draw the former ~2e5 / n_freq (200..1500) samples by default."""
    orig = guess_module.auto_guesses

    def patched(circuit, frequency, *a, n_samples=None, **k):
        if n_samples is None:
            n_samples = int(np.clip(200000 // max(np.size(frequency), 1), 200, 1500))
        return orig(circuit, frequency, *a, n_samples=n_samples, **k)

    monkeypatch.setattr(guess_module, "auto_guesses", patched)


def same_optimum(cases, monkeypatch):
    new = [fit(c, *args).weighted_ssr for c, args in cases]
    with monkeypatch.context() as m:
        former_budget(m)
        old = [fit(c, *args).weighted_ssr for c, args in cases]
    worse = [(c, n, o) for (c, _), n, o in zip(cases, new, old) if n > 1.001 * o]
    assert not worse, worse


def test_budget_rule():
    c = Circuit(BENCH)
    terms = [_classify(ch, c, np.zeros(c.n_params, dtype=bool)) for ch in c.tree.children]
    assert default_samples(terms, np.zeros(c.n_params, dtype=bool), 60) == 500  # tau, n twice and n: 5 x 100
    assert default_samples(terms, np.zeros(c.n_params, dtype=bool), 1000) == 200  # never above the former
    nested = Circuit("R0-p(R1-p(R2,CPE2),CPE1)")
    t2 = [_classify(ch, nested, np.zeros(nested.n_params, dtype=bool)) for ch in nested.tree.children]
    assert default_samples(t2, np.zeros(nested.n_params, dtype=bool), 60) == 1500  # opaque term: former budget


def test_benchmark_spectra_reach_the_same_optimum(monkeypatch):
    f = np.logspace(0, np.log10(3e6), 60)
    z0 = Circuit(BENCH).impedance(f, TRUE)
    cases = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n1, n2 = rng.standard_normal(60), rng.standard_normal(60)
        cases.append((BENCH, (f, z0 + 0.01 * np.abs(z0) * (n1 + 1j * n2))))
    same_optimum(cases, monkeypatch)


def test_real_spectra_reach_the_same_optimum(monkeypatch):
    if not EIS.is_dir():
        pytest.skip(f"shared EIS data not found at {EIS}")
    pre = read_spectrum(EIS / "li-tegdme-li_geis_prerun.mpr")
    gam = read_spectrum(EIS / "gamry_example.DTA")
    com = read_spectrum(EIS / "commercial-li-ion_drt-benchmark.txt")
    loops = read_spectra(EIS / "li-tegdme-li_geis_45loops.mpr")
    cases = [("R0-p(R1,CPE1)-p(R2,CPE2)", (pre,)), ("R0-p(R1,CPE1)", (pre,)),
             ("p(R1,CPE1)-p(R2,CPE2)", (gam,)), ("R0-p(R1,CPE1)-p(R2,CPE2)", (gam,)),
             ("L0-R0-p(R1,CPE1)-p(R2,CPE2)-CPE3", (com,)), ("L0-R0-Zarc1-Zarc2-W1", (com,))]
    cases += [(c, (loops[i],)) for i in range(0, 45, 5) for c in ("p(R1,CPE1)-CPE2", "R0-p(R1,CPE1)-CPE2")]
    same_optimum(cases, monkeypatch)
