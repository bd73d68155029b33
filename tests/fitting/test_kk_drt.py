"""lin-KK and DRT on synthetic spectra (closed-form circuits, seeded noise) and real files."""

from pathlib import Path

import numpy as np
import pytest

from cellsim.circuits import Circuit
from cellsim.errors import InputError
from cellsim.fitting import drt, lin_kk

EIS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "eis"
RC2 = "R0-p(R1,C1)-p(R2,C2)"
P_RC2 = [10.0, 100.0, 1e-6, 300.0, 1e-3]  # tau1 = 1e-4 s, tau2 = 0.3 s


def noisy(z, sigma, seed):
    rng = np.random.default_rng(seed)
    return z + sigma * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))


@pytest.mark.parametrize("circuit, p", [(RC2, P_RC2), ("R0-p(R1,CPE1)-p(R2,CPE2)", [10, 100, 1e-6, 0.8, 300, 1e-3, 0.9]),
                                        ("L0-R0-p(R1,CPE1)-Ws1", [1e-7, 5, 50, 1e-5, 0.85, 80, 2.0])])
@pytest.mark.parametrize("seed", [0, 1])
def test_lin_kk_passes_valid_spectra(circuit, p, seed):
    """Causal, stable, time-invariant spectra with 0.2 % noise: residuals at the noise level."""
    f = np.logspace(6, -1, 71)
    z = noisy(Circuit(circuit).impedance(f, p), 0.002, seed)
    r = lin_kk(f, z)
    assert r.passed, (r.n_rc, r.max_abs_residual)
    assert r.max_abs_residual < 0.01
    # residuals are noise-like: rms close to the noise level (0.002 per part)
    assert 0.001 < r.rms_residual < 0.004
    assert r.mu <= 0.85 and r.n_rc >= r.m_min


def test_lin_kk_blocking_spectrum_needs_the_series_capacitance():
    """A blocking (open) Warburg diverges like 1/(j w) at low f: with the series capacitance
    of the lin-KK circuit it passes; without, the residuals are large."""
    f = np.logspace(6, -1, 71)
    z = noisy(Circuit("R0-p(R1,CPE1)-Wo1").impedance(f, [5, 50, 1e-5, 0.85, 80, 2.0]), 0.002, 0)
    assert lin_kk(f, z, capacitance=True).passed
    assert lin_kk(f, z).max_abs_residual > 0.02


def test_lin_kk_noiseless_spectrum_is_fitted_closely():
    f = np.logspace(6, -1, 71)
    r = lin_kk(f, Circuit(RC2).impedance(f, P_RC2))
    assert r.max_abs_residual < 1e-3


def test_lin_kk_flags_a_drifting_measurement():
    """The low-frequency arc grows by 50 % during the sweep (high to low f): not time-invariant."""
    f = np.logspace(6, -1, 71)
    t = np.cumsum(1.0 / f)
    t /= t[-1]
    c = Circuit(RC2)
    z = np.array([c.impedance(fi, [10, 100, 1e-6, 300 * (1 + 0.5 * ti), 1e-3]) for fi, ti in zip(f, t)])
    r = lin_kk(f, noisy(z, 0.002, 0))
    assert not r.passed
    assert r.max_abs_residual > 0.03


def test_lin_kk_input_errors():
    with pytest.raises(InputError):
        lin_kk([1.0, 2.0], [1 + 0j, 2 + 0j])
    with pytest.raises(InputError):
        lin_kk([1.0, 2.0, -3.0], [1 + 0j, 2 + 0j, 3 + 0j])
    with pytest.raises(InputError):
        lin_kk([1.0, 2.0, 3.0], [1 + 0j, 2 + 0j, 3 + 0j], c=1.5)


def test_drt_finds_the_time_constants_of_two_arcs():
    """Two RC arcs, tau = 1e-4 s and 0.3 s, 0.2 % noise: two peaks at those tau (within the
    grid step of 10 per decade) with areas R1 = 100 and R2 = 300 ohm (within 5 %)."""
    f = np.logspace(6, -2, 81)
    z = noisy(Circuit(RC2).impedance(f, P_RC2), 0.002, 3)
    d = drt(f, z)
    assert d.method == "gcv"
    assert len(d.peaks) == 2, d.peaks
    p1, p2 = d.peaks
    assert abs(np.log10(p1["tau_s"] / 1e-4)) < 0.1
    assert abs(np.log10(p2["tau_s"] / 0.3)) < 0.1
    assert p1["resistance_ohm"] == pytest.approx(100.0, rel=0.05)
    assert p2["resistance_ohm"] == pytest.approx(300.0, rel=0.05)
    assert d.r_inf == pytest.approx(10.0, rel=0.05)
    assert d.polarisation_resistance == pytest.approx(400.0, rel=0.03)
    assert np.all(d.gamma >= 0)
    assert np.max(np.abs(np.concatenate([d.residuals_real, d.residuals_imag]))) < 0.02


def test_drt_of_a_single_zarc_matches_its_analytic_distribution():
    """Zarc R/(1+(j w tau)^g): gamma(ln t) = R/(2 pi) sin((1-g) pi)/(cosh(g ln(t/tau)) - cos((1-g) pi))
    (Fuoss-Kirkwood). With noiseless data and a small fixed lambda the DRT follows it."""
    R, tau, g = 100.0, 1e-3, 0.8
    f = np.logspace(6, -3, 91)
    z = 5.0 + Circuit("Zarc0").impedance(f, [R, tau, g])
    d = drt(f, z, lam=1e-6)
    x = np.log(d.tau / tau)
    exact = R / (2 * np.pi) * np.sin((1 - g) * np.pi) / (np.cosh(g * x) - np.cos((1 - g) * np.pi))
    inner = (d.tau > 1e-5) & (d.tau < 1e-1)
    assert np.max(np.abs(d.gamma[inner] - exact[inner])) < 0.05 * exact.max()


def test_drt_lcurve_and_errors():
    f = np.logspace(6, -2, 61)
    z = noisy(Circuit(RC2).impedance(f, P_RC2), 0.002, 1)
    d = drt(f, z, lam="lcurve")
    assert d.method == "lcurve" and len(d.peaks) >= 2
    with pytest.raises(InputError):
        drt(f, z, lam="best")
    with pytest.raises(InputError):
        drt(f[:3], z[:3])


@pytest.fixture
def eis():
    if not EIS.is_dir():
        pytest.skip(f"shared EIS data not found at {EIS}")
    return EIS


def test_real_files_kk_and_drt(eis):
    from cellsim.data import read_spectrum

    lib = read_spectrum(eis / "commercial-li-ion_drt-benchmark.txt")
    k = lin_kk(lib.frequency, lib.z)
    assert k.passed and k.max_abs_residual < 0.01  # a clean commercial-cell measurement
    d = drt(lib.frequency, lib.z)
    assert len(d.peaks) >= 2
    assert d.inductance > 0  # inductive high-frequency points
    pre = read_spectrum(eis / "li-tegdme-li_geis_prerun.mpr")
    assert lin_kk(pre.frequency, pre.z).max_abs_residual < 0.02
    # the Gamry example drifts at the lowest frequencies: flagged there, clean above 1 Hz
    g = read_spectrum(eis / "gamry_example.DTA")
    kg = lin_kk(g.frequency, g.z)
    worst = g.frequency[np.argmax(np.hypot(kg.residuals_real, kg.residuals_imag))]
    assert not kg.passed and worst < 1.0
    assert np.median(np.hypot(kg.residuals_real, kg.residuals_imag)) < 0.015
