"""numba kernels shared by several parts of cellsim (functions of arrays and scalars only).

:func:`log_row` -- ln of a whole row in loops the compiler vectorises -- is used by the
circuit evaluator (:mod:`cellsim.circuits._kernels`, ln w) and by the exact transport steps
(:mod:`cellsim.transport._kernels`, the concentration overpotentials). It lives here so that
neither imports the other's package. Tested against ``numpy.log`` in
``tests/circuits/test_circuit_kernels.py``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_SQRT2 = 1.4142135623730951


@njit(cache=True, error_model="numpy")
def log_row(x, out, bits):
    """out[q] = ln x[q] for a whole row, in loops the compiler vectorises (SIMD).

    x = 2^e m with m from the IEEE-754 bits, m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s),
    s = (m - 1)/(m + 1), |s| <= 0.172, by its series to s^21 (truncation < 1e-19);
    ln x = e ln 2 + ln m (ln 2 in two parts). ``bits`` is int64 scratch of the row's length.
    A row with a value that is not a finite normal positive number falls back to ``math.log``.
    Measured error <= 3e-16 relative (<= 2e-17 absolute near x = 1) against ``numpy.log``.
    Source: W. J. Cody, W. Waite, Software Manual for the Elementary Functions (1980).
    """
    n = x.shape[0]
    ok = True
    for q in range(n):
        v = x[q]
        ok &= (v >= 2.2250738585072014e-308) & (v <= 1.7976931348623157e308)
    if not ok:
        for q in range(n):
            out[q] = math.log(x[q])
        return
    ib = x.view(np.int64)
    for q in range(n):
        b = ib[q]
        out[q] = np.float64(((b >> 52) & 0x7FF) - 1023)
        bits[q] = (b & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000
    m = bits.view(np.float64)
    for q in range(n):
        mm = m[q]
        e = out[q]
        hi = mm > _SQRT2
        mm = mm * 0.5 if hi else mm
        e = e + 1.0 if hi else e
        t = (mm - 1.0) / (mm + 1.0)
        t2 = t * t
        poly = 2.0 * t * (1.0 + t2 * (1.0 / 3.0 + t2 * (1.0 / 5.0 + t2 * (1.0 / 7.0 + t2 * (1.0 / 9.0 + t2 * (
            1.0 / 11.0 + t2 * (1.0 / 13.0 + t2 * (1.0 / 15.0 + t2 * (1.0 / 17.0 + t2 * (1.0 / 19.0 + t2 * (
                1.0 / 21.0)))))))))))
        out[q] = e * _LN2_HI + (poly + e * _LN2_LO)
