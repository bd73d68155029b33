"""numba kernels of the short-circuit model (physics.md §2.1.3).

Functions of scalars and arrays only; :mod:`cellsim.shortcircuit.margins` validates and
names things. Every kernel has a NumPy reference in ``tests/shortcircuit/test_kernels.py``.
"""

from __future__ import annotations

import math

import numba

#: a series term below this (relative to the sum, which is O(1)) no longer changes it
_SERIES_EPS = 1e-18


@numba.njit(cache=True)
def face_drop(t, q, L, D, terms):
    """Drop of the depleting face and its time derivative of a binary layer under a constant flux.

    Exact series (physics.md §2.1.3), truncated at ``terms`` odd n (and where a term no
    longer changes the sum), with ``a = pi^2 D / L^2``::

        drop(t)  = (q L / D) [1/2 - (4/pi^2) sum_{n odd} exp(-n^2 a t) / n^2]   [mol/m3]
        drop'(t) = (4 q / L) sum_{n odd} exp(-n^2 a t)                           [mol/m3/s]

    Parameters
    ----------
    t : float
        Time [s].
    q : float
        Salt flux ``(1 - t+) |J| / F`` [mol/m2/s].
    L, D : float
        Layer thickness [m] and salt diffusivity [m2/s].
    terms : int
        Most odd terms of the series.
    """
    a = math.pi * math.pi * D / (L * L)
    s = 0.0
    ds = 0.0
    for k in range(terms):
        n = 2.0 * k + 1.0
        e = math.exp(-n * n * a * t)
        s += e / (n * n)
        ds += e
        if e < _SERIES_EPS:
            break
    drop = (q * L / D) * (0.5 - (4.0 / (math.pi * math.pi)) * s)
    return drop, (4.0 * q / L) * ds


@numba.njit(cache=True)
def depletion_time(q, L, D, target, terms):
    """Time [s] at which :func:`face_drop` reaches ``target`` [mol/m3] (inf when it never does).

    The drop rises and is concave in t, so Newton's method converges to it; a bracket
    (``[0, L^2/D]`` doubled until it holds the root, as in a bisection) keeps every
    iterate inside and falls back to halving when a Newton step would leave it. The first
    guess is the semi-infinite Sand time ``pi D (target / 2q)^2`` (a lower bound: the far
    face slows the drop). Stops when a step is below 1e-15 of the time or the bracket
    has closed to round-off.
    """
    if q <= 0.0 or q * L / (2.0 * D) <= target:
        return math.inf
    lo = 0.0
    hi = L * L / D
    while face_drop(hi, q, L, D, terms)[0] < target:
        hi *= 2.0
    t = math.pi * D * (target / (2.0 * q)) ** 2
    if not (lo < t < hi):
        t = 0.5 * (lo + hi)
    for _ in range(200):
        f, df = face_drop(t, q, L, D, terms)
        r = f - target
        if r < 0.0:
            lo = t
        else:
            hi = t
        t_new = t - r / df if df > 0.0 else 0.5 * (lo + hi)
        if not (lo <= t_new <= hi):
            t_new = 0.5 * (lo + hi)
        if abs(t_new - t) <= 1e-15 * t or hi - lo <= 4e-16 * hi:
            return t_new
        t = t_new
    return t
