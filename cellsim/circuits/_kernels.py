"""numba kernels of the equivalent-circuit evaluator.

A parsed circuit is compiled (:mod:`cellsim.circuits.circuit`) into a postfix *program*:
``ops[i]`` is an opcode, ``args[i]`` its argument. For an element the argument is the
column of its first parameter in the parameter matrix; for ``SERIES``/``PARALLEL`` it is
the number of operands taken from the top of the stack. The stack holds one complex
impedance per frequency, so each op runs over the whole frequency vector.

The element formulas are those of :mod:`cellsim.circuits.elements` (impedance.py
conventions), rewritten for speed with ``w = 2 pi f`` and ``(j w)^n = w^n e^(j n pi/2)``.
The opcodes come from :mod:`cellsim.circuits.opcodes`, shared with :mod:`cellsim.circuits.elements`.

Speed (one set of R0-p(R1,CPE1)-p(R2,CPE2)-CPE3 at 1000 frequencies: ~60 us before, ~12 us
of kernel and ~15 us per ``Circuit.impedance`` call now, half the same formula in vectorised
NumPy; ``benchmarks/circuit_prediction.py``):
every op whose parent is a parallel leaves an *admittance* on the stack (closed forms
without a division for R, C, L, CPE, K, Zarc), so a parallel is a sum and one reciprocal
(:func:`admittance_flags`); the reciprocal is Smith's, written branch-free; w^n and ln w
are computed a row at a time by :func:`exp_affine` and :func:`log_row`, whose loops the
compiler vectorises (``math.exp``/``math.log`` are scalar calls); sums of rows start from the
first two rows and the program's last operation writes straight into the output row
(:func:`_sum_rows`). Batches run on numba's threads with :func:`evaluate_program_parallel`
(``prange`` over chunks of sets, bit for bit the serial result); how many threads, and
whether at all, is decided by :meth:`cellsim.circuits.Circuit.impedance` through
:func:`cellsim.threads.kernel_threads` and :class:`cellsim.threads.parallel_slot` (one
thread in a sweep worker, one parallel batch per process at a time).
"""

from __future__ import annotations

import cmath
import math

import numba
import numpy as np
from numba import njit

from .._kernels import _LN2_HI, _LN2_LO, log_row
from .opcodes import (OP_C, OP_CPE, OP_G, OP_GS, OP_K, OP_L, OP_LA, OP_PARALLEL, OP_R, OP_SERIES, OP_TLMQ, OP_W,
                      OP_WO, OP_WS, OP_ZARC, OP_ZD)
from .. import _kernels as _shared_kernels
from .._kernels import refresh_cache

_HALF_PI = 0.5 * math.pi


@njit(cache=True, error_model="numpy")
def ctanh(z):
    """Complex tanh without overflow (Kahan's formula; tanh(z) = sign(Re z) beyond |Re z| > 22).

    tanh(x + jy) = (beta rho s + j t)/(1 + beta s^2), t = tan y, beta = 1 + t^2,
    s = sinh x, rho = sqrt(1 + s^2).
    """
    x = z.real
    y = z.imag
    if abs(x) > 22.0:
        return complex(math.copysign(1.0, x), 4.0 * math.sin(y) * math.cos(y) * math.exp(-2.0 * abs(x)))
    t = math.tan(y)
    beta = 1.0 + t * t
    s = math.sinh(x)
    rho = math.sqrt(1.0 + s * s)
    den = 1.0 + beta * s * s
    return complex(beta * rho * s / den, t / den)


@njit(cache=True, error_model="numpy")
def ctanh_array(z):
    """:func:`ctanh` element-wise over a 1-D complex array (for tests)."""
    out = np.empty_like(z)
    for k in range(z.shape[0]):
        out[k] = ctanh(z[k])
    return out


_INV_LN2 = 1.44269504088896338700e+00


@njit(cache=True, error_model="numpy")
def exp_affine(a, b, x, out, bits):
    """out[q] = exp(a x[q] + b) for a whole row, in loops the compiler vectorises (SIMD).

    exp(y) = 2^k exp(r), k = round(y / ln 2), r = y - k ln 2 (ln 2 in two parts, Cody & Waite),
    |r| <= ln(2)/2, exp(r) by its Taylor series to r^13 (truncation < 2e-16 relative), 2^k built
    from its IEEE-754 bits (``bits`` is int64 scratch of the row's length). Rows with an
    argument beyond +-708 (overflow, subnormal results) or not finite fall back to ``math.exp``.
    Measured relative error <= 3e-16 against ``numpy.exp``; ~4x faster than a ``math.exp``
    loop. Sources: W. J. Cody, W. Waite, Software Manual for the Elementary Functions (1980).
    """
    n = x.shape[0]
    big = 0.0
    nan = 0.0
    for q in range(n):
        y = a * x[q] + b
        big = max(big, abs(y))
        nan += y * 0.0
        out[q] = y
    if not (big <= 708.0 and nan == 0.0):
        for q in range(n):
            out[q] = math.exp(out[q])
        return
    for q in range(n):
        y = out[q]
        k = math.floor(y * _INV_LN2 + 0.5)
        r = (y - k * _LN2_HI) - k * _LN2_LO
        out[q] = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (
            1.0 / 720.0 + r * (1.0 / 5040.0 + r * (1.0 / 40320.0 + r * (1.0 / 362880.0 + r * (
                1.0 / 3628800.0 + r * (1.0 / 39916800.0 + r * (1.0 / 479001600.0 + r * (1.0 / 6227020800.0)))))))))))))
        bits[q] = (np.int64(k) + 1023) << 52
    scale = bits.view(np.float64)
    for q in range(n):
        out[q] *= scale[q]


@njit(cache=True, error_model="numpy")
def _element(op, p, a, omega, logw, row, mag, bits):
    """Write the impedance [ohm] of one element into ``row`` for every frequency.

    ``op`` is the element's opcode, ``p`` the parameter set, ``a`` the column of the
    element's first parameter in it, ``logw`` = log(omega) (filled when a power-law
    element needs it); ``mag`` (float) and ``bits`` (int64) are scratch rows for
    :func:`exp_affine`. An unknown opcode gives NaN.
    """
    n_freq = omega.shape[0]
    if op == OP_R:
        r = p[a]
        for k in range(n_freq):
            row[k] = complex(r, 0.0)
    elif op == OP_C:
        c = p[a]
        for k in range(n_freq):
            row[k] = complex(0.0, -1.0 / (omega[k] * c))
    elif op == OP_L:
        ind = p[a]
        for k in range(n_freq):
            row[k] = complex(0.0, omega[k] * ind)
    elif op == OP_CPE:
        q = p[a]
        n = p[a + 1]
        cr = math.cos(n * _HALF_PI) / q
        ci = math.sin(n * _HALF_PI) / q
        exp_affine(-n, 0.0, logw, mag, bits)
        for k in range(n_freq):
            row[k] = complex(mag[k] * cr, -mag[k] * ci)
    elif op == OP_W:
        aw = p[a]
        for k in range(n_freq):
            mag = aw / math.sqrt(omega[k])
            row[k] = complex(mag, -mag)
    elif op == OP_WO:
        z0 = p[a]
        tau = p[a + 1]
        for k in range(n_freq):
            h = math.sqrt(0.5 * omega[k] * tau)
            x = complex(h, h)
            row[k] = z0 / (x * ctanh(x))
    elif op == OP_WS or op == OP_ZD:
        z0 = p[a]
        tau = p[a + 1]
        for k in range(n_freq):
            h = math.sqrt(0.5 * omega[k] * tau)
            x = complex(h, h)
            row[k] = z0 * ctanh(x) / x
    elif op == OP_G:
        rg = p[a]
        tg = p[a + 1]
        for k in range(n_freq):
            row[k] = rg / cmath.sqrt(complex(1.0, omega[k] * tg))
    elif op == OP_GS:
        rg = p[a]
        tg = p[a + 1]
        phi = p[a + 2]
        for k in range(n_freq):
            x = cmath.sqrt(complex(1.0, omega[k] * tg))
            row[k] = rg / (x * ctanh(phi * x))
    elif op == OP_K:
        r = p[a]
        tk = p[a + 1]
        for k in range(n_freq):
            row[k] = r / complex(1.0, omega[k] * tk)
    elif op == OP_ZARC:
        r = p[a]
        ltau = math.log(p[a + 1])
        g = p[a + 2]
        cr = math.cos(g * _HALF_PI)
        ci = math.sin(g * _HALF_PI)
        exp_affine(g, g * ltau, logw, mag, bits)
        for k in range(n_freq):
            row[k] = r * reciprocal(complex(1.0 + mag[k] * cr, mag[k] * ci))
    elif op == OP_LA:
        lind = math.log(p[a])
        al = p[a + 1]
        cr = math.cos(al * _HALF_PI)
        ci = math.sin(al * _HALF_PI)
        exp_affine(al, al * lind, logw, mag, bits)
        for k in range(n_freq):
            row[k] = complex(mag[k] * cr, mag[k] * ci)
    elif op == OP_TLMQ:
        rion = p[a]
        qs = p[a + 1]
        g = p[a + 2]
        cr = math.cos(g * _HALF_PI) / qs
        ci = math.sin(g * _HALF_PI) / qs
        exp_affine(-g, 0.0, logw, mag, bits)
        for k in range(n_freq):
            zs = complex(mag[k] * cr, -mag[k] * ci)
            row[k] = cmath.sqrt(rion * zs) / ctanh(cmath.sqrt(rion / zs))
    else:
        for k in range(n_freq):
            row[k] = complex(math.nan, math.nan)


@njit(cache=True, error_model="numpy")
def reciprocal(z):
    """1/z by Smith's algorithm, written with selects instead of branches (loops over it vectorise).

    1/(x + j y) = (1 - j r)/(x + y r), r = y/x, for |x| >= |y|; else (r - j)/(x r + y), r = x/y:
    no overflow of |z|^2; about 5x faster than numba's complex division in a loop.
    Source: R. L. Smith, "Algorithm 116: Complex division", Comm. ACM 5 (1962) 435.
    """
    x = z.real
    y = z.imag
    big = abs(x) >= abs(y)
    a = x if big else y
    b = y if big else x
    r = b / a
    d = 1.0 / (a + b * r)
    return complex(d if big else r * d, -r * d if big else -d)


@njit(cache=True, error_model="numpy")
def reciprocal_array(z):
    """:func:`reciprocal` element-wise over a 1-D complex array (for tests)."""
    out = np.empty_like(z)
    for k in range(z.shape[0]):
        out[k] = reciprocal(z[k])
    return out


@njit(cache=True, error_model="numpy")
def _admittance(op, p, a, omega, logw, row, mag, bits):
    """Write the admittance Y = 1/Z [S] of one element into ``row`` for every frequency.

    Closed forms without a division per frequency where the element has one
    (R: 1/R; C: j w C; L: -j/(w L); CPE: Q w^n e^(j n pi/2); K: (1 + j w tau)/R;
    Zarc: (1 + (j w tau)^g)/R); otherwise 1/Z of :func:`_element`.
    """
    n_freq = omega.shape[0]
    if op == OP_R:
        g = 1.0 / p[a]
        for k in range(n_freq):
            row[k] = complex(g, 0.0)
    elif op == OP_C:
        c = p[a]
        for k in range(n_freq):
            row[k] = complex(0.0, omega[k] * c)
    elif op == OP_L:
        ind = p[a]
        for k in range(n_freq):
            row[k] = complex(0.0, -1.0 / (omega[k] * ind))
    elif op == OP_CPE:
        q = p[a]
        n = p[a + 1]
        cr = math.cos(n * _HALF_PI) * q
        ci = math.sin(n * _HALF_PI) * q
        exp_affine(n, 0.0, logw, mag, bits)
        for k in range(n_freq):
            row[k] = complex(mag[k] * cr, mag[k] * ci)
    elif op == OP_K:
        g = 1.0 / p[a]
        tk = p[a + 1]
        for k in range(n_freq):
            row[k] = complex(g, omega[k] * tk * g)
    elif op == OP_ZARC:
        g = 1.0 / p[a]
        ltau = math.log(p[a + 1])
        gam = p[a + 2]
        cr = math.cos(gam * _HALF_PI) * g
        ci = math.sin(gam * _HALF_PI) * g
        exp_affine(gam, gam * ltau, logw, mag, bits)
        for k in range(n_freq):
            row[k] = complex(g + mag[k] * cr, mag[k] * ci)
    else:
        _element(op, p, a, omega, logw, row, mag, bits)
        for k in range(n_freq):
            row[k] = reciprocal(row[k])


@njit(cache=True, error_model="numpy")
def admittance_flags(ops, args):
    """1 for every op of the postfix program whose parent is a parallel connection, else 0.

    Such an op leaves an admittance on the stack, so that the parallel sums admittances and
    takes one reciprocal (instead of one per branch and one for the sum).
    """
    n_ops = ops.shape[0]
    flags = np.zeros(n_ops, dtype=np.int64)
    owner = np.empty(n_ops, dtype=np.int64)
    sp = 0
    for i in range(n_ops):
        op = ops[i]
        if op == OP_SERIES or op == OP_PARALLEL:
            sp -= args[i]
            if op == OP_PARALLEL:
                for m in range(args[i]):
                    flags[owner[sp + m]] = 1
        owner[sp] = i
        sp += 1
    return flags


@njit(cache=True, error_model="numpy")
def _log_omega(omega, needs_log):
    logw = np.empty(omega.shape[0])
    if needs_log:
        bits = np.empty(omega.shape[0], dtype=np.int64)
        log_row(np.ascontiguousarray(omega), logw, bits)
    return logw


@njit(cache=True, error_model="numpy")
def _sum_rows(stack, base, a, dst, recip):
    """dst = sum of the stack rows base..base+a-1, added left to right (1/sum with ``recip``).

    ``dst`` may be row ``base`` itself or the output row (the program's last operation)."""
    n_freq = dst.shape[0]
    r0 = stack[base]
    r1 = stack[base + 1]
    for k in range(n_freq):
        dst[k] = r0[k] + r1[k]
    for m in range(2, a):
        rm = stack[base + m]
        for k in range(n_freq):
            dst[k] += rm[k]
    if recip:
        for k in range(n_freq):
            dst[k] = reciprocal(dst[k])


@njit(cache=True, error_model="numpy")
def _run_set(ops, args, flags, omega, logw, p, stack, out_row, mag, bits):
    """Run the program for one parameter set ``p``; Z [ohm] into ``out_row``.

    Series: Z = sum Z_i (then 1/Z when its parent is a parallel); parallel: Z = 1/sum Y_i
    (left as sum Y_i when its parent is a parallel too); elements under a parallel give Y.
    The last operation writes its row straight into ``out_row`` (no copy of the stack's
    bottom row).
    """
    last = ops.shape[0] - 1
    sp = 0
    for i in range(ops.shape[0]):
        op = ops[i]
        a = args[i]
        if op == OP_SERIES or op == OP_PARALLEL:
            base = sp - a
            _sum_rows(stack, base, a, out_row if i == last else stack[base], (op == OP_SERIES) == (flags[i] == 1))
            sp = base + 1
        elif flags[i] == 1:
            _admittance(op, p, a, omega, logw, stack[sp], mag, bits)
            sp += 1
        else:
            _element(op, p, a, omega, logw, out_row if i == last else stack[sp], mag, bits)
            sp += 1


@njit(cache=True, error_model="numpy")
def evaluate_program(ops, args, omega, params, needs_log, depth, out):
    """Evaluate a compiled circuit program for every parameter set and frequency.

    Parameters
    ----------
    ops, args : int64[n_ops]
        The postfix program (see module docstring).
    omega : float64[n_freq]
        Angular frequencies w = 2 pi f [rad/s], > 0.
    params : float64[n_sets, n_params]
        Parameter sets, columns in the circuit's parameter order.
    needs_log : bool
        Whether a power-law element needs log(w).
    depth : int
        Maximum stack depth of the program.
    out : complex128[n_sets, n_freq]
        Receives Z [ohm].
    """
    flags = admittance_flags(ops, args)
    logw = _log_omega(omega, needs_log)
    stack = np.empty((depth, omega.shape[0]), dtype=np.complex128)
    mag = np.empty(omega.shape[0])
    bits = np.empty(omega.shape[0], dtype=np.int64)
    for s in range(params.shape[0]):
        _run_set(ops, args, flags, omega, logw, params[s], stack, out[s], mag, bits)


@njit(cache=True, error_model="numpy", parallel=True)
def evaluate_program_parallel(ops, args, omega, params, needs_log, depth, n_chunks, out):
    """:func:`evaluate_program` with the parameter sets split into ``n_chunks`` chunks run
    on numba's threads (``prange``); each chunk has its own stack. Same result, bit for bit.

    Worth it for batches (thread start-up costs ~10-50 us); ``n_chunks`` a few times the
    number of threads balances the load.
    """
    flags = admittance_flags(ops, args)
    logw = _log_omega(omega, needs_log)
    n_sets = params.shape[0]
    for c in numba.prange(n_chunks):
        stack = np.empty((depth, omega.shape[0]), dtype=np.complex128)
        mag = np.empty(omega.shape[0])
        bits = np.empty(omega.shape[0], dtype=np.int64)
        for s in range(c * n_sets // n_chunks, (c + 1) * n_sets // n_chunks):
            _run_set(ops, args, flags, omega, logw, params[s], stack, out[s], mag, bits)


@njit(cache=True, error_model="numpy")
def evaluate_frequencies(ops, args, f, params, needs_log, depth, check, out):
    """:func:`evaluate_program` from frequencies f [Hz] (w = 2 pi f computed here).

    With ``check``, returns the index of the first frequency that is not finite and > 0
    (nothing evaluated), else -1.
    """
    n = f.shape[0]
    omega = np.empty(n)
    ok = True
    for k in range(n):
        v = f[k]
        ok &= (v > 0.0) & (v < math.inf)
        omega[k] = 2.0 * math.pi * v
    if check and not ok:
        for k in range(n):
            if not (f[k] > 0.0 and f[k] < math.inf):
                return k
    evaluate_program(ops, args, omega, params, needs_log, depth, out)
    return -1


# the numba cache of this module: the circuit kernels call log_row of cellsim/_kernels.py; numba would not notice edits there
refresh_cache(ctanh._cache._cache_path, _shared_kernels.__file__)
