"""DRT and lin-KK quality: known time constants recovered, the series inductance of R-L-RC
spectra recovered by both, R_inf consistent with a circuit fit, the peak finder against
scipy.signal's, and a 2,000-point spectrum analysed like a 60-point one."""

import numpy as np
import pytest

from cellsim.circuits import Circuit
from cellsim.fitting import drt, fit, lin_kk
from cellsim.fitting.drt import _local_maxima, _prominences

from .test_kk_drt import EIS

ZARC2 = "R0-Zarc1-Zarc2"
P_ZARC2 = [5.0, 40.0, 1e-5, 0.9, 120.0, 0.1, 0.85]  # tau = 1e-5 s and 0.1 s
RLRC = "L0-R0-p(R1,C1)"
P_RLRC = [2e-6, 5.0, 50.0, 1e-4]  # tau = 5e-3 s; 10 of 61 points inductive


def noisy(z, sigma, seed):
    rng = np.random.default_rng(seed)
    return z + sigma * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))


@pytest.mark.parametrize("n", [61, 2000])
def test_drt_recovers_the_peak_taus_of_two_zarcs(n):
    """Peaks within 0.05 decade (half the 10-per-decade grid step) of the true tau; total
    area within 1 % of R1 + R2; each peak's area (split at the minimum between two wide
    distributions, g = 0.9 and 0.85, whose tails overlap) within 5 % of R1, R2. 0.1 % noise."""
    f = np.logspace(6, -2, n)
    z = noisy(Circuit(ZARC2).impedance(f, P_ZARC2), 0.001, 7)
    d = drt(f, z)
    assert len(d.peaks) == 2, d.peaks
    for pk, tau, r in zip(d.peaks, (1e-5, 0.1), (40.0, 120.0)):
        assert abs(np.log10(pk["tau_s"] / tau)) < 0.05, (pk, tau)
        assert pk["resistance_ohm"] == pytest.approx(r, rel=0.05)
    assert d.polarisation_resistance == pytest.approx(160.0, rel=0.01)
    assert d.r_inf == pytest.approx(5.0, rel=0.03)
    assert d.inductance == 0.0  # no inductive point: no L term by default


def test_drt_recovers_the_series_inductance():
    """R-L-RC with 0.2 % noise: L within 2 %, R_inf within 1 %, the RC peak at tau = R1 C1."""
    f = np.logspace(5, -1, 61)
    z = noisy(Circuit(RLRC).impedance(f, P_RLRC), 0.002, 0)
    assert np.sum(z.imag > 0) >= 5
    d = drt(f, z)
    assert d.inductance == pytest.approx(2e-6, rel=0.02)
    assert d.r_inf == pytest.approx(5.0, rel=0.01)
    assert len(d.peaks) == 1
    assert abs(np.log10(d.peaks[0]["tau_s"] / 5e-3)) < 0.05
    assert d.peaks[0]["resistance_ohm"] == pytest.approx(50.0, rel=0.02)
    # without the L term the inductive points cannot be represented
    bad = drt(f, z, inductance=False)
    assert np.max(np.abs(bad.residuals_imag)) > 0.1 > np.max(np.abs(d.residuals_imag))


def test_lin_kk_recovers_the_series_inductance():
    f = np.logspace(5, -1, 61)
    z0 = Circuit(RLRC).impedance(f, P_RLRC)
    exact = lin_kk(f, z0)  # noiseless: the chain fits to round-off (used to raise IndexError)
    assert exact.inductance == pytest.approx(2e-6, rel=1e-5) and exact.max_abs_residual < 1e-6
    z = noisy(z0, 0.002, 0)
    k = lin_kk(f, z)
    assert k.passed and k.inductance == pytest.approx(2e-6, rel=0.02)
    assert k.r_series == pytest.approx(5.0, rel=0.01)
    no_l = lin_kk(f, z, inductance=False)
    assert not no_l.passed and no_l.max_abs_residual > 2 * k.max_abs_residual


def test_drt_r_inf_consistent_with_a_circuit_fit():
    """With the high-frequency arc closed inside the measured band (tau = 1e-4 s, f_max = 1 MHz)
    and inductive top points, the DRT's R_inf and L agree with a CNLS fit of the true circuit.
    (When an arc is still open at f_max, R_inf is not determined by the data; see drt().)"""
    f = np.logspace(6, -2, 81)
    p = [1e-6, 5.0, 40.0, 1e-4, 0.9, 120.0, 0.1, 0.85]
    z = noisy(Circuit("L0-" + ZARC2).impedance(f, p), 0.001, 3)
    assert np.any(z.imag > 0)
    d = drt(f, z)
    r = fit("L0-" + ZARC2, f, z)
    assert r.success
    assert d.r_inf == pytest.approx(r.parameters["R0"], rel=0.02)
    assert d.inductance == pytest.approx(r.parameters["L0"], rel=0.05)


def test_peak_finder_matches_scipy_signal():
    from scipy.signal import find_peaks, peak_prominences

    rng = np.random.default_rng(0)
    for t in range(500):
        n = int(rng.integers(3, 60))
        y = np.round(rng.random(n) * 3, 1) if t % 2 else rng.random(n)  # odd t: plateaus
        ref, _ = find_peaks(y)
        got = _local_maxima(y)
        assert np.array_equal(ref, got), y
        if ref.size:
            assert np.allclose(peak_prominences(y, ref)[0], _prominences(y, got))


def test_real_file_drt_r_inf_and_l_consistent_with_the_fit():
    if not EIS.is_dir():
        pytest.skip(f"shared EIS data not found at {EIS}")
    from cellsim.data import read_spectrum

    s = read_spectrum(EIS / "commercial-li-ion_drt-benchmark.txt")
    r = fit("L0-R0-p(R1,CPE1)-p(R2,CPE2)-CPE3", s)
    d = drt(s.frequency, s.z)
    k = lin_kk(s.frequency, s.z)
    assert d.r_inf == pytest.approx(r.parameters["R0"], rel=0.03)
    assert d.inductance == pytest.approx(r.parameters["L0"], rel=0.1)
    assert k.inductance == pytest.approx(r.parameters["L0"], rel=0.1)
