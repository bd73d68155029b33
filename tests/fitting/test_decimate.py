"""Log-frequency binning of large spectra and the memory estimates that refuse in one line."""

import numpy as np
import pytest

from cellsim.circuits import Circuit
from cellsim.errors import InputError
from cellsim.fitting import drt, fit, lin_kk
from cellsim.fitting.decimate import check_memory, fit_bytes, kk_bytes, log_bin, memory_limit

CIRC = "R0-p(R1,CPE1)-p(R2,C2)"
P = [10.0, 100.0, 1e-6, 0.85, 300.0, 1e-3]


def big(n=1_000_000):
    f = np.logspace(6, -2, n)
    return f, Circuit(CIRC).impedance(f, P)


def test_small_spectra_pass_through_unchanged():
    f = np.logspace(5, 0, 51)
    z = Circuit(CIRC).impedance(f, P)
    d = log_bin(f, z, 2000)
    assert not d.decimated and d.n_out == 51
    assert np.array_equal(d.frequency, f) and np.array_equal(d.z, z)
    assert "no decimation" in d.message
    assert log_bin(f, z, 0).n_out == 51  # 0: every point


def test_million_points_binned_to_max_points_on_the_curve():
    """10^6 log-spaced points over 8 decades -> 2,000 bins of 500 points; every bin mean lies
    on the impedance curve at the bin's geometric-mean frequency within the curvature bound
    (1/24)(d ln f)^2 |d2Z/d(ln f)^2| ~ 4e-6 |Z| (module docstring)."""
    f, z = big()
    d = log_bin(f, z, 2000)
    assert d.decimated and d.n_in == 1_000_000 and d.n_out == 2000
    assert d.counts.sum() == 1_000_000 and np.all(d.counts == 500)
    assert np.all(np.diff(d.frequency) < 0)  # input order (high to low) kept
    assert d.frequency[0] <= 1e6 and d.frequency[-1] >= 1e-2
    exact = Circuit(CIRC).impedance(d.frequency, P)
    rel = np.abs(d.z - exact) / np.abs(exact)
    assert rel.max() < 1e-5
    assert rel.max() > 1e-9  # the bias is real (a mean over a curved bin), not zero
    assert d.message.startswith("decimated 1,000,000 -> 2,000 points by log-frequency binning")
    j = d.as_dict()
    assert j["n_points_in"] == 1_000_000 and j["n_points_out"] == 2000 and j["method"] == "log-frequency binning"


def test_uneven_density_and_ascending_input():
    """Dense in one decade, sparse elsewhere, ascending: empty bins are dropped, order kept,
    bin frequencies are geometric means of their members."""
    f = np.sort(np.concatenate([np.logspace(0, 1, 50_000), np.logspace(2, 5, 30)]))
    z = 1.0 - 1j / f
    d = log_bin(f, z, 100)
    assert d.n_out < 100 and d.counts.sum() == f.size
    assert np.all(np.diff(d.frequency) > 0)
    # noise-free 1 - j/f is linear in 1/f: the bin mean of Im equals -mean(1/f_i)
    lf = np.log(f)
    b = np.minimum(((lf - lf.min()) / np.ptp(lf) * 100).astype(int), 99)
    k = b[-1]
    assert d.frequency[-1] == pytest.approx(np.exp(lf[b == k].mean()), rel=1e-12)
    assert d.z[-1].imag == pytest.approx(-np.mean(1 / f[b == k]), rel=1e-12)


def test_binning_averages_noise_down():
    rng = np.random.default_rng(0)
    f, z = big(200_000)
    zn = z * (1 + 0.01 * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size)))
    d = log_bin(f, zn, 1000)  # 200 points per bin: noise / sqrt(200)
    rel = (d.z - Circuit(CIRC).impedance(d.frequency, P)) / np.abs(d.z)
    assert np.std(rel.real) == pytest.approx(0.01 / np.sqrt(200), rel=0.15)


def test_bad_max_points():
    f, z = big(100)
    for bad in (3, -1, 2.5, True):
        with pytest.raises(InputError, match="max-points"):
            log_bin(f, z, bad)


def test_fit_and_kk_refuse_a_million_points_before_allocating():
    f, z = big()
    with pytest.raises(InputError) as e:
        fit(CIRC, f, z)
    msg = str(e.value)
    assert "1,000,000" in msg and "--max-points" in msg and "GiB" in msg and "\n" not in msg
    with pytest.raises(InputError, match="lin-KK test of 1,000,000 points.*--max-points"):
        lin_kk(f, z)


def test_memory_limit_from_the_environment(monkeypatch):
    monkeypatch.setenv("CELLSIM_MEMORY_LIMIT", "1e6")
    assert memory_limit() == 1_000_000
    f = np.logspace(5, -1, 200)
    z = Circuit(CIRC).impedance(f, P)
    with pytest.raises(InputError, match="200 points"):
        lin_kk(f, z)
    with pytest.raises(InputError, match="circuit fit"):
        fit(CIRC, f, z)
    monkeypatch.setenv("CELLSIM_MEMORY_LIMIT", "lots")
    with pytest.raises(InputError, match="CELLSIM_MEMORY_LIMIT"):
        memory_limit()
    monkeypatch.delenv("CELLSIM_MEMORY_LIMIT")
    assert memory_limit() == 2 * 2**30
    check_memory(1e9, "x", 10)  # below the default limit: no error


def test_estimates_grow_linearly_and_default_decimation_fits():
    assert fit_bytes(2000, 6, 6) < memory_limit() < fit_bytes(1_000_000, 6, 6)
    assert kk_bytes(2000, 50) < memory_limit() < kk_bytes(1_000_000, 50)
    assert kk_bytes(20_000, 50) == pytest.approx(10 * kk_bytes(2000, 50))


def test_drt_streams_in_blocks_with_the_same_result(monkeypatch):
    """The QR reduction folds blocks of points; tiny blocks give the same DRT as one block."""
    import sys

    mod = sys.modules["cellsim.fitting.drt"]  # the package attribute "drt" is the function

    f = np.logspace(6, -2, 3000)
    z = Circuit(CIRC).impedance(f, P)
    ref = drt(f, z, lam=1e-4)
    monkeypatch.setattr(mod, "BLOCK_BYTES", 1)  # 256 points per block
    small = drt(f, z, lam=1e-4)
    assert np.allclose(small.gamma, ref.gamma, rtol=1e-6, atol=1e-9 * ref.gamma.max())
    assert small.r_inf == pytest.approx(ref.r_inf, rel=1e-8)
