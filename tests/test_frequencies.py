"""Log-spaced frequency grids (cellsim.frequencies)."""

from __future__ import annotations

import math

import numpy as np

from cellsim.frequencies import dense_frequencies, log_frequencies


def test_log_frequencies_exact_ends_and_even_log_steps():
    f = log_frequencies(3e6, 1.0, 66)
    assert f[0] == 3e6 and f[-1] == 1.0 and f.size == 66
    steps = np.diff(np.log10(f))
    np.testing.assert_allclose(steps, -math.log10(3e6) / 65, rtol=1e-12)
    np.testing.assert_array_equal(log_frequencies(7.0, 0.1, 1), [7.0])
    g = log_frequencies(1e3, 1e-2, 11)
    np.testing.assert_allclose(g, 10.0 ** np.arange(3, -2.5, -0.5), rtol=1e-14)


def test_dense_frequencies_cover_the_measured_range():
    f = np.array([0.1, 5.0, 1e5, 20.0])
    d = dense_frequencies(f, per_decade=20)
    assert d[0] == 1e5 and d[-1] == 0.1
    assert d.size == int(20 * 6) + 1
    assert np.all(np.diff(d) < 0)
    np.testing.assert_array_equal(dense_frequencies([3.0, 3.0]), [3.0])
    assert dense_frequencies([1.0, 1.5]).size == 4  # at least 2; floor(20 log10 1.5) + 1 = 4
