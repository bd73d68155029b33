"""numba kernels of the 1D transport solver (physics.md §2.1, §2.4, §5).

Functions of arrays and scalars only; :mod:`cellsim.transport.solver` validates, unpacks
and names things. Every kernel has a NumPy (or closed-form) reference in the tests.

State layout
------------
The cell averages of every binary polymer layer are concatenated in one vector ``c``
[mol/m3]; layer ``p`` owns ``c[off[p]:off[p] + ncell[p]]``. Couplings between layers are
zero in the tridiagonal matrix, so one Thomas solve advances all layers at once.

Finite-volume semi-discretisation (cell widths ``vol``, ``klo[i] = D/(x_i - x_{i-1})``,
``khi[i] = D/(x_{i+1} - x_i)``, zero at the layer faces)::

    vol_i dc_i/dt = khi_i (c_{i+1} - c_i) - klo_i (c_i - c_{i-1})
                    + [i first] betaL J - [i last] betaR J

with ``beta = (1 - t+)/F`` at an anion-blocking face (Li or ceramic), 0 at a blocking
electrode (the double-layer charge is neglected in the salt balance), and J the ionic
current density [A/m2]. The SDIRK4 kernel also integrates the fourth-order compact scheme
``M dc/dt = A c + J b`` with the same ``A`` and ``b`` and a tridiagonal mass matrix ``M``
(:func:`compact_mass`, uniform grids; face values :func:`face_value4`). Time stepping:
variable-step BDF2 (first step of every protocol step: implicit Euler),
``a0 c^{n+1} - b1 c^n + b2 c^{n-1} = h f(c^{n+1})`` (:func:`run_step`), or the five-stage
SDIRK4 of Hairer & Wanner (:func:`run_step_sdirk4`, same arguments).

Interfaces (index k, between neighbour k-1 and k): kind 0 ideal, 1 Butler-Volmer,
2 linearised Butler-Volmer, 3 blocking. Faradaic current
``jf = i0 (c/c_ref)^alpha [exp(alpha f eta) - exp(-(1 - alpha) f eta)]`` (physics.md §2.4);
with a double layer ``C deta/dt + jf = J``; interfacial voltage ``eta + J R_s``.

Packed arrays
-------------
The two time-loop kernels take the discretised problem in a few row-packed arrays (a numba
call costs per argument, most of all on a cold cache), N cells, P polymer layers, K
interfaces, nl stack layers:

* ``cellf`` (8, N): vol, klo, khi, sq = vol^(1/2), lam, phiL, phiR, beta (the last five:
  eigenmodes, zero when the problem has none); ``Qf`` (N, N) the eigenvector blocks.
* ``layf`` (10, P): D, betaL, betaR, t-, chi, c0, kappa0, L, sL, sR; ``layi`` (2, P): off, ncell.
* ``stkf`` (nl,): ohmic resistance of non-polymer layers; ``stki`` (nl,): polymer index or -1.
* ``iff`` (5, K): i0, alpha, c_ref, R_s, C_dl; ``ifi`` (3, K): kind, polymer index, side.

Outputs go to the rows of ``out`` (rows, capacity): 0 t, 1 J (ionic), 2 J_ext, 3 V,
[4, 4+P) left faces, [4+P, 4+2P) right faces, [4+2P, 4+2P+K) eta, then the nl + P + K
voltage parts; events to ``ev`` (4, capacity): kind, time, polymer index, side (0 left).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._kernels import log_row
from .. import _kernels as _shared_kernels
from .._kernels import refresh_cache

F = 96485.33212
R = 8.314462618

# status codes of run_step
ST_END = 0         # reached the step's end time
ST_LIMIT = 1       # voltage / current limit reached
ST_DEPLETION = 2   # salt depletion and on_depletion == stop
ST_FULL = 3        # output buffer full: grow and call again
ST_NEWTON = -1     # Newton iteration failed
ST_SMALL = -2      # time step underflow / non-finite state
ST_MAXSTEPS = -3   # too many steps

#: ``st[ST_CARRIED]`` = 1: the face-value history (``th``, ``fh``, ``eh``, ``st[3]`` points) was
#: carried over from the end of an earlier run (:func:`load_memory`), but ``c_prev`` is not the
#: state before: the next step is implicit Euler, error-controlled against that history, its
#: outputs interpolated linearly. The first accepted step clears it.
ST_CARRIED = 18
#: ``st[ST_J_CARRIED]``: the ionic current density [A/m2] of that history (its face values')
ST_J_CARRIED = 19

#: the step memory of a run's end (:func:`save_memory`, :func:`load_memory`): the next step
#: size [s], the ionic current density [A/m2], the number of history points (1-3), the times of
#: the two older history points relative to the end [s] (2), their face concentrations
#: [mol/m3] (2 x 2P: left faces, then right faces) and overpotentials [V] (2 x K). A memory
#: with ``mem[MEM_H] <= 0`` is empty.
MEM_H, MEM_J, MEM_NH, MEM_TH = 0, 1, 2, 3
MEM_FH = 5


@numba.njit(cache=True)
def memory_size(P, K):
    """Length of the step memory of a problem with P polymer layers and K interfaces."""
    return MEM_FH + 4 * P + 2 * K


@numba.njit(cache=True)
def save_memory(st, th, fh, eh, mem):
    """Keep in ``mem`` what a run of the same current continuing from this run's end needs
    to go on with the step size and error estimate it had (:data:`MEM_H` ...)."""
    P2 = fh.shape[1]
    K = eh.shape[1]
    mem[MEM_H] = st[1]
    mem[MEM_J] = st[4]
    mem[MEM_NH] = st[3]
    mem[MEM_TH] = th[0] - th[2]
    mem[MEM_TH + 1] = th[1] - th[2]
    for r in range(2):
        for j in range(P2):
            mem[MEM_FH + r * P2 + j] = fh[r, j]
        for k in range(K):
            mem[MEM_FH + 2 * P2 + r * K + k] = eh[r, k]


@numba.njit(cache=True)
def load_memory(mem, history, st, th, fh, eh):
    """Start a protocol step from the memory of an earlier run of the same current: its next
    step size; with ``history`` (BDF2) also its face-value history, the present point
    (``th[2] = 0``, ``fh[2]`` at the current ``mem[MEM_J]``, ``eh[2]``) being left to the
    caller, ``st[ST_CARRIED]`` and ``st[ST_J_CARRIED]`` set. The iteration on the current
    starts where a new run's does (``st[4]``). ``st[0]`` must be the step's start (0)."""
    P2 = fh.shape[1]
    K = eh.shape[1]
    st[1] = mem[MEM_H]
    if not history:
        return
    st[3] = mem[MEM_NH]
    st[ST_CARRIED] = 1.0
    st[ST_J_CARRIED] = mem[MEM_J]
    th[0] = mem[MEM_TH]
    th[1] = mem[MEM_TH + 1]
    for r in range(2):
        for j in range(P2):
            fh[r, j] = mem[MEM_FH + r * P2 + j]
        for k in range(K):
            eh[r, k] = mem[MEM_FH + 2 * P2 + r * K + k]


# --------------------------------------------------------------------------------------
# linear algebra
# --------------------------------------------------------------------------------------
@numba.njit(cache=True)
def thomas(lower, diag, upper, rhs, out):
    """Solve a tridiagonal system (Thomas algorithm) into ``out``.

    ``lower[i]`` multiplies x[i-1] (lower[0] unused), ``upper[i]`` multiplies x[i+1]
    (upper[-1] unused). No pivoting: for diagonally dominant matrices.
    """
    n = diag.size
    cp = np.empty(n)
    dp = np.empty(n)
    cp[0] = upper[0] / diag[0] if n > 1 else 0.0
    dp[0] = rhs[0] / diag[0]
    for i in range(1, n):
        m = diag[i] - lower[i] * cp[i - 1]
        cp[i] = upper[i] / m if i < n - 1 else 0.0
        dp[i] = (rhs[i] - lower[i] * dp[i - 1]) / m
    out[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        out[i] = dp[i] - cp[i] * out[i + 1]
    return out


@numba.njit(cache=True, inline='always')
def thomas_factor(lower, diag, upper, cp, inv):
    """Forward-elimination factors of a tridiagonal matrix (for several right-hand sides)."""
    n = diag.size
    inv[0] = 1.0 / diag[0]
    cp[0] = upper[0] * inv[0] if n > 1 else 0.0
    for i in range(1, n):
        m = diag[i] - lower[i] * cp[i - 1]
        inv[i] = 1.0 / m
        cp[i] = upper[i] * inv[i] if i < n - 1 else 0.0


@numba.njit(cache=True, inline='always')
def thomas_apply(lower, cp, inv, rhs, out):
    """Solve with factors from :func:`thomas_factor` (``out`` may be ``rhs``)."""
    n = cp.size
    out[0] = rhs[0] * inv[0]
    for i in range(1, n):
        out[i] = (rhs[i] - lower[i] * out[i - 1]) * inv[i]
    for i in range(n - 2, -1, -1):
        out[i] = out[i] - cp[i] * out[i + 1]
    return out


# --------------------------------------------------------------------------------------
# diffusion operator
# --------------------------------------------------------------------------------------
@numba.njit(cache=True)
def diffusion_rhs(c, vol, klo, khi, off, ncell, betaL, betaR, J, out):
    """Semi-discrete right-hand side dc/dt [mol/m3/s] of all polymer layers."""
    for p in range(off.size):
        a = off[p]
        b = a + ncell[p]
        for i in range(a, b):
            s = 0.0
            if i > a:
                s -= klo[i] * (c[i] - c[i - 1])
            if i < b - 1:
                s += khi[i] * (c[i + 1] - c[i])
            if i == a:
                s += betaL[p] * J
            if i == b - 1:
                s -= betaR[p] * J
            out[i] = s / vol[i]
    return out


@numba.njit(cache=True)
def implicit_step(c_n, c_nm1, h, a0, b1, b2, vol, klo, khi, off, ncell, betaL, betaR, c_hom, g):
    """Allocating wrapper of :func:`implicit_step_work` (see there)."""
    n = c_n.size
    work = np.empty((7, n))
    implicit_step_work(c_n, c_nm1, h, a0, b1, b2, vol, klo, khi, off, ncell, betaL, betaR, c_hom, g, work)


@numba.njit(cache=True, inline='always')
def implicit_step_work(c_n, c_nm1, h, a0, b1, b2, vol, klo, khi, off, ncell, betaL, betaR, c_hom, g, work):
    """One implicit (Euler or BDF2) diffusion step as an affine function of J.

    The step ``(a0 V - h A) c = V (b1 c_n - b2 c_nm1) + h J bvec`` is solved in increment
    form for ``d = c - c_n``: ``(a0 V - h A) d = V b2 (c_n - c_nm1) + h A c_n + h J bvec``
    (b1 - a0 = b2), so that round-off scales with the change, not with c (salt conserved to
    ~1e-15 per step). Returns in ``c_hom`` the increment for J = 0 and in ``g`` the response
    to J = 1 A/m2: ``c^{n+1} = c_n + (c_hom + J g)`` (the diffusion is linear in J).
    """
    n = c_n.size
    if n == 0:
        return
    lower = work[0]
    diag = work[1]
    upper = work[2]
    rhs = work[3]
    rg = work[4]
    cp = work[5]
    inv = work[6]
    for i in range(n):
        rg[i] = 0.0
        lower[i] = -h * klo[i]
        upper[i] = -h * khi[i]
        diag[i] = a0 * vol[i] + h * (klo[i] + khi[i])
        rhs[i] = vol[i] * b2 * (c_n[i] - c_nm1[i])
    for p in range(off.size):
        a = off[p]
        b = a + ncell[p]
        for i in range(a, b - 1):
            flux = h * khi[i] * (c_n[i + 1] - c_n[i])
            rhs[i] += flux
            rhs[i + 1] -= flux
    for p in range(off.size):
        rg[off[p]] += h * betaL[p]
        rg[off[p] + ncell[p] - 1] -= h * betaR[p]
    thomas_factor(lower, diag, upper, cp, inv)
    thomas_apply(lower, cp, inv, rhs, c_hom)
    thomas_apply(lower, cp, inv, rg, g)


# --------------------------------------------------------------------------------------
# face values
# --------------------------------------------------------------------------------------
@numba.njit(cache=True)
def face_value(A1, A2, h1, h2, slope):
    """Value at a face from the two adjacent cell averages and the known face gradient.

    Fits ``c(y) = a + b y + d y^2`` (y measured from the face into the layer, ``b =
    slope``) to the averages ``A1`` over [0, h1] and ``A2`` over [h1, h1 + h2]; returns
    ``a``. Exact for quadratics (third-order accurate).
    """
    d = (A2 - A1 - slope * 0.5 * (h1 + h2)) / (2.0 * h1 * h1 / 3.0 + h1 * h2 + h2 * h2 / 3.0)
    return A1 - slope * 0.5 * h1 - d * h1 * h1 / 3.0


@numba.njit(cache=True, inline='always')
def layer_faces(c, vol, off, ncell, Dp, betaL, betaR, J, fl, fr):
    """Left and right face concentrations of every polymer layer (flux conditions at J)."""
    for p in range(off.size):
        a = off[p]
        b = a + ncell[p] - 1
        # left face: -D dc/dx = betaL J  ->  dc/dy = -betaL J / D (y = x)
        fl[p] = face_value(c[a], c[a + 1], vol[a], vol[a + 1], -betaL[p] * J / Dp[p])
        # right face: -D dc/dx = betaR J, y = L - x  ->  dc/dy = +betaR J / D
        fr[p] = face_value(c[b], c[b - 1], vol[b], vol[b - 1], betaR[p] * J / Dp[p])


@numba.njit(cache=True)
def face_value4(A1, A2, A3, h, slope):
    """Value at a face from the three nearest cell averages of a uniform grid and the known
    face gradient (the fourth-order compact scheme, :func:`compact_mass`).

    Fits ``c(y) = a + b y + d y^2 + e y^3`` (y from the face into the layer, ``b = slope``)
    to the averages ``A1, A2, A3`` over [0, h], [h, 2h], [2h, 3h]; returns
    ``a = (85 A1 - 23 A2 + 4 A3) / 66 - 3 h slope / 11``. Exact for cubics (fourth-order
    accurate).
    """
    return (85.0 * A1 - 23.0 * A2 + 4.0 * A3) / 66.0 - (3.0 / 11.0) * h * slope


@numba.njit(cache=True, inline='always')
def layer_faces4(c, vol, off, ncell, Dp, betaL, betaR, J, fl, fr):
    """:func:`layer_faces` of the fourth-order compact scheme (:func:`face_value4`)."""
    for p in range(off.size):
        a = off[p]
        b = a + ncell[p] - 1
        fl[p] = face_value4(c[a], c[a + 1], c[a + 2], vol[a], -betaL[p] * J / Dp[p])
        fr[p] = face_value4(c[b], c[b - 1], c[b - 2], vol[b], betaR[p] * J / Dp[p])


@numba.njit(cache=True)
def compact_mass(vol, off, ncell, order, ml, md, mu):
    """The mass matrix ``M`` of ``M dc/dt = A c + J b`` as three diagonals (``ml[i] = M[i, i-1]``,
    ``md[i] = M[i, i]``, ``mu[i] = M[i, i+1]``) [m].

    ``order`` 2: the finite-volume scheme of the module docstring, ``M = diag(vol)``.
    ``order`` 4: the fourth-order compact (Numerov-type) finite-volume scheme for cell
    averages on a uniform grid of width h: with ``w_i = dc_i/dt``, the exact relation
    ``delta^2 cbar / h^2 = avg(c'') + delta^2 avg(c'') / 12 + O(h^4)`` gives, with the same
    ``A`` and ``b``::

        h (w_{i-1} + 10 w_i + w_{i+1}) / 12 = D (c_{i-1} - 2 c_i + c_{i+1}) / h   (interior)
        h (11 w_1 + w_2) / 12 = D (c_2 - c_1) / h + betaL J                        (face cell)

    The face-cell row is exact for quartic profiles (third-order truncation in one cell,
    fourth order overall); every column of ``M`` sums to that cell's width, so salt is
    conserved exactly as by the second-order scheme (``1^T M = vol^T``, ``1^T A = 0``).
    Written for any widths as ``M[i, j] = vol[j] / 12`` off the diagonal (the column sums
    stay exact); fourth order needs a uniform grid (the solver enforces grid_stretch = 1).
    """
    for p in range(off.size):
        a = off[p]
        b = a + ncell[p]
        for i in range(a, b):
            ml[i] = 0.0
            mu[i] = 0.0
            md[i] = vol[i]
            if order == 4:
                if i > a:
                    ml[i] = vol[i - 1] / 12.0
                    md[i] -= vol[i] / 12.0
                if i < b - 1:
                    mu[i] = vol[i + 1] / 12.0
                    md[i] -= vol[i] / 12.0


@numba.njit(cache=True, inline='always')
def mass_apply(ml, md, mu, x, off, ncell, out):
    """``out = M x`` for the tridiagonal mass matrix of :func:`compact_mass` (layers uncoupled)."""
    for p in range(off.size):
        a = off[p]
        b = a + ncell[p]
        for i in range(a, b):
            v = md[i] * x[i]
            if i > a:
                v += ml[i] * x[i - 1]
            if i < b - 1:
                v += mu[i] * x[i + 1]
            out[i] = v


# --------------------------------------------------------------------------------------
# interfacial kinetics
# --------------------------------------------------------------------------------------
@numba.njit(cache=True, inline='always')
def concentration_factor(ratio, alpha):
    """``(c_face / c_ref)^alpha`` of the exchange current density [-]; ``sqrt`` for the symmetric
    alpha = 1/2 (a fraction of ``pow``'s cost; both within one rounding of the exact value)."""
    if alpha == 0.5:
        return math.sqrt(ratio)
    return ratio ** alpha


@numba.njit(cache=True)
def bv_current(eta, i0, alpha, f):
    """Butler-Volmer current density i0 [exp(alpha f eta) - exp(-(1-alpha) f eta)] [A/m2]."""
    return i0 * (math.exp(alpha * f * eta) - math.exp(-(1.0 - alpha) * f * eta))


@numba.njit(cache=True)
def bv_overpotential(j, i0, alpha, f):
    """Invert Butler-Volmer for eta [V] at current density ``j`` (Newton; closed form if alpha = 1/2)."""
    if j == 0.0:
        return 0.0
    x = 2.0 / f * math.asinh(j / (2.0 * i0))
    if alpha == 0.5:
        return x
    for _ in range(100):
        ea = math.exp(alpha * f * x)
        ec = math.exp(-(1.0 - alpha) * f * x)
        r = i0 * (ea - ec) - j
        dr = i0 * f * (alpha * ea + (1.0 - alpha) * ec)
        dx = -r / dr
        if dx > 0.05:
            dx = 0.05
        elif dx < -0.05:
            dx = -0.05
        x += dx
        if abs(dx) < 1e-15 + 1e-13 * abs(x):
            break
    return x


@numba.njit(cache=True)
def faradaic(kind, eta, i0, alpha, f):
    """Faradaic current density and its derivative d jf / d eta for interface ``kind``."""
    if kind == 1:
        ea = math.exp(alpha * f * eta)
        ec = math.exp(-(1.0 - alpha) * f * eta)
        return i0 * (ea - ec), i0 * f * (alpha * ea + (1.0 - alpha) * ec)
    if kind == 2:
        return i0 * f * eta, i0 * f
    return 0.0, 0.0


@numba.njit(cache=True)
def interface_eta(kind, J, i0, alpha, f, C, a0, h, hist, eta_guess):
    """Overpotential eta [V] of one interface at ionic current J.

    Without double layer (C == 0): jf(eta) = J. With one: C (a0 eta - hist)/h + jf(eta) = J,
    ``hist = b1 eta_n - b2 eta_nm1``. Returns (eta, ok).
    """
    if kind == 0:
        return 0.0, True
    if C == 0.0:
        if kind == 1:
            return bv_overpotential(J, i0, alpha, f), True
        if kind == 2:
            return J / (i0 * f), True
        return 0.0, J == 0.0
    k = C * a0 / h
    if kind == 3:
        return (J + C * hist / h) / k, True
    if kind == 2:
        return (J + C * hist / h) / (k + i0 * f), True
    x = eta_guess
    for _ in range(200):
        jf, dj = faradaic(kind, x, i0, alpha, f)
        r = k * x - C * hist / h + jf - J
        dx = -r / (k + dj)
        if dx > 0.05:
            dx = 0.05
        elif dx < -0.05:
            dx = -0.05
        x += dx
        if abs(dx) < 1e-15 + 1e-13 * abs(x):
            return x, True
    return x, False


# --------------------------------------------------------------------------------------
# the voltage
# --------------------------------------------------------------------------------------
@numba.njit(cache=True, inline='always')
def voltage_parts(c, fl, fr, J, eta, T, vol, off, ncell, tminus, chi, c0p, kappa0, Lp, kappa_law,
                  layer_R, layer_poly, Rs, floor_rel, parts):
    """Cell voltage split into parts [V]; returns their sum.

    ``parts`` = [ohmic per layer] + [concentration per polymer layer] + [interface per interface]:
    ohmic J L/kappa (kappa_law 0) or J sum vol_i/kappa(c_i) with kappa = kappa0 c/c0
    (kappa_law 1, Nernst-Einstein); concentration (2RT/F)(1 - t+) chi ln(c_left/c_right)
    (physics.md §2.1.1, §5.2); interface eta + J R_s.
    """
    nl = layer_R.size
    P = off.size
    K = eta.size
    tot = 0.0
    for l in range(nl):
        p = layer_poly[l]
        if p < 0:
            v = J * layer_R[l]
        elif kappa_law == 0:
            v = J * Lp[p] / kappa0[p]
        else:
            s = 0.0
            a = off[p]
            fl_ = floor_rel * c0p[p]
            for i in range(a, a + ncell[p]):
                ci = c[i] if c[i] > fl_ else fl_
                s += vol[i] * c0p[p] / ci
            v = J * s / kappa0[p]
        parts[l] = v
        tot += v
    for p in range(P):
        fl_ = floor_rel * c0p[p]
        a = fl[p] if fl[p] > fl_ else fl_
        b = fr[p] if fr[p] > fl_ else fl_
        v = 2.0 * R * T / F * tminus[p] * chi[p] * math.log(a / b)
        parts[nl + p] = v
        tot += v
    for k in range(K):
        v = eta[k] + J * Rs[k]
        parts[nl + P + k] = v
        tot += v
    return tot


@numba.njit(cache=True, inline='always')
def _state_at(J, c_base, c_hom, g, c, fl, fr, fl_h, fr_h, fl_g, fr_g,
              ikind, i0, alpha, ip, iside, cref, floor_rel, c0p, T, Cdl, a0, h, ehist, eta_guess,
              eta, need_c):
    """Given J: concentrations c = c_base + c_hom + J g, face values and overpotentials.

    Inlined into the time loop (at most 30 arguments: numba inlines no more), so that the
    Newton iteration on J pays no per-array reference counting per call."""
    f = F / (R * T)
    P = fl.size
    if need_c:
        for i in range(c.size):
            c[i] = c_base[i] + (c_hom[i] + J * g[i])
    for p in range(P):
        fl[p] = fl_h[p] + J * fl_g[p]
        fr[p] = fr_h[p] + J * fr_g[p]
    ok = True
    for k in range(ikind.size):
        i0k = i0[k]
        p = ip[k]
        if p >= 0 and (ikind[k] == 1 or ikind[k] == 2):
            cf = fl[p] if iside[k] == 0 else fr[p]
            fmin = floor_rel * c0p[p]
            if cf < fmin:
                cf = fmin
            i0k = i0k * concentration_factor(cf / cref[k], alpha[k])
        e, good = interface_eta(ikind[k], J, i0k, alpha[k], f, Cdl[k], a0, h, ehist[k], eta_guess[k])
        eta[k] = e
        ok = ok and good
    return ok


@numba.njit(cache=True)
def interface_slope(kind, J, eta, i0k, di0k, alpha, f, C, a0, h):
    """d eta / d J [V m2/A] of :func:`interface_eta` at its solution ``eta``.

    ``i0k`` is the exchange current at the present face concentration and ``di0k`` its
    derivative d i0k / d J. Differentiating ``C (a0 eta - hist)/h + i0k phi(eta) = J``
    (``phi`` the Butler-Volmer bracket, ``f eta`` when linearised; C = 0 without double
    layer) gives ``deta/dJ = (1 - phi(eta) di0k) / (C a0 / h + i0k phi'(eta))``.
    """
    k = C * a0 / h if C != 0.0 else 0.0
    if kind == 0:
        return 0.0
    if kind == 3:
        return 1.0 / k if k > 0.0 else 0.0
    if kind == 2:
        phi = f * eta
        dphi = f
    else:
        ea = math.exp(alpha * f * eta)
        ec = 1.0 / ea if alpha == 0.5 else math.exp(-(1.0 - alpha) * f * eta)
        phi = ea - ec
        dphi = f * (alpha * ea + (1.0 - alpha) * ec)
    return (1.0 - phi * di0k) / (k + i0k * dphi)


@numba.njit(cache=True, inline='always')
def voltage_slope(J, c, g, fl, fr, fl_g, fr_g, eta, T, vol, off, ncell, tminus, chi, c0p, kappa0, Lp, kappa_law,
                  layer_R, layer_poly, ikind, i0, alpha, ip, iside, cref, Rs, Cdl, floor_rel, rate):
    """Analytic dV/dJ [ohm m2] of the cell voltage of one implicit step (:func:`voltage_parts`
    after :func:`_state_at`), where c = c_base + c_hom + J g and the faces are affine in J
    (slopes ``fl_g``, ``fr_g``); ``rate = a0 / h`` [1/s] of the step (the double layer's
    ``C a0 / h``). Inlined (at most 30 arguments).

    Sum of: the ohmic parts (``L/kappa``, or ``sum vol/kappa(c)`` with its derivative through
    ``g`` under Nernst-Einstein), ``(2RT/F) t- chi (fl_g/fl - fr_g/fr)`` per polymer layer
    (zero where a face is floored), and ``deta/dJ + R_s`` per interface
    (:func:`interface_slope`, with ``d i0/dJ = alpha i0 (dc_face/dJ) / c_face``).
    """
    f = F / (R * T)
    tot = 0.0
    for l in range(layer_R.size):
        p = layer_poly[l]
        if p < 0:
            tot += layer_R[l]
        elif kappa_law == 0:
            tot += Lp[p] / kappa0[p]
        else:
            s = 0.0
            ds = 0.0
            fl_ = floor_rel * c0p[p]
            for i in range(off[p], off[p] + ncell[p]):
                if c[i] > fl_:
                    s += vol[i] * c0p[p] / c[i]
                    ds -= vol[i] * c0p[p] * g[i] / (c[i] * c[i])
                else:
                    s += vol[i] * c0p[p] / fl_
            tot += (s + J * ds) / kappa0[p]
    for p in range(off.size):
        fl_ = floor_rel * c0p[p]
        d = 0.0
        if fl[p] > fl_:
            d += fl_g[p] / fl[p]
        if fr[p] > fl_:
            d -= fr_g[p] / fr[p]
        tot += 2.0 * R * T / F * tminus[p] * chi[p] * d
    for k in range(ikind.size):
        i0k = i0[k]
        di0k = 0.0
        p = ip[k]
        if p >= 0 and (ikind[k] == 1 or ikind[k] == 2):
            cf = fl[p] if iside[k] == 0 else fr[p]
            dcf = fl_g[p] if iside[k] == 0 else fr_g[p]
            fmin = floor_rel * c0p[p]
            if cf < fmin:
                i0k = i0k * concentration_factor(fmin / cref[k], alpha[k])
            else:
                i0k = i0k * concentration_factor(cf / cref[k], alpha[k])
                di0k = alpha[k] * i0k * dcf / cf
        tot += interface_slope(ikind[k], J, eta[k], i0k, di0k, alpha[k], f, Cdl[k], rate, 1.0) + Rs[k]
    return tot


# --------------------------------------------------------------------------------------
# the time loop of one protocol step
# --------------------------------------------------------------------------------------
@numba.njit(cache=True)
def run_step(mode, target, t_end, limit_kind, limit_value,
             c, c_prev, eta, eta_prev, st, fh, eh, th,
             cellf, layf, layi, stkf, stki, iff, ifi,
             T, g_e, kappa_law, floor_rel, rtol, atol_c, atol_v, h_max, method,
             dep_rel, on_dep, dep_armed, max_steps,
             out_times, record_every, out, o_c, ev):
    """Integrate one protocol step from ``st[0]`` to ``t_end`` or an end condition (BDF2).

    The problem's arrays come packed and the outputs in the rows of ``out`` (module
    docstring, "Packed arrays"), the profiles in ``o_c`` (capacity, N; (0, N): none kept). ``st`` as in
    :func:`_run_step`. Returns a status code (ST_*).
    """
    P = layi.shape[1]
    K = eta.size
    npart = stkf.size + P + K
    r_fl, r_fr, r_eta, r_parts = 4, 4 + P, 4 + 2 * P, 4 + 2 * P + K
    status = _run_step(mode, target, t_end, limit_kind, limit_value, c, c_prev, eta, eta_prev, st, fh, eh, th,
                       cellf[0], cellf[1], cellf[2], layi[0], layi[1], layf[0], layf[1], layf[2], layf[3], layf[4],
                       layf[5], layf[6], layf[7], stkf, stki, ifi[0], iff[0], iff[1], ifi[1], ifi[2], iff[2],
                       iff[3], iff[4], T, g_e, kappa_law, floor_rel, rtol, atol_c, atol_v, h_max, method,
                       dep_rel, on_dep, dep_armed, max_steps, out_times, record_every,
                       out[0], out[2], out[1], out[3], o_c, out[r_eta:r_eta + K].T, out[r_parts:r_parts + npart].T,
                       out[r_fl:r_fl + P].T, out[r_fr:r_fr + P].T, ev[0], ev[1], ev[2], ev[3])
    st[17] = c.sum() + eta.sum()
    return status


@numba.njit(cache=True)
def event_value(trk, fl, fr, P, dep_rel, c0p, limit_kind, limit_value, direction, V, Jn, g_e):
    """Signed distance of the tracked event ``trk`` (face 0..2P-1, or 100 the limit) at a trial.

    Depletion of face ``j``: c_face - dep_rel c0 [mol/m3]; voltage limit: direction (V - limit)
    [V]; current limit: |J_ion + g_e V| - limit [A/m2]. The event has occurred where the sign
    differs from the value at the step start.
    """
    if trk < 100:
        p = trk if trk < P else trk - P
        y = fl[p] if trk < P else fr[p]
        return y - dep_rel * c0p[p]
    if limit_kind == 1:
        return direction * (V - limit_value)
    return abs(Jn + g_e * V) - limit_value


@numba.njit(cache=True, inline="always")
def event_candidate(fl, fr, fh, dep_armed, P, dep_rel, c0p, limit_kind, limit_value, st, V, Jn, g_e):
    """The event a trial step crossed, if any: ``(cand, value, value at the step start)``.

    ``cand`` is the first armed face ``j`` (0..P-1 left, P..2P-1 right) whose concentration fell
    below ``dep_rel c0``, else 100 for a voltage limit (``st[14] (V - limit) >= 0``) or a
    current limit (``|J_ion + g_e V|`` down to the limit), else -1; the values are those of
    :func:`event_value` (the start value of a voltage limit kept strictly negative). ``fh[2]``
    holds the faces at the step start, ``st[13]`` / ``st[10]`` its voltage / current. Shared
    by the BDF2 and SDIRK4 time loops (inlined into both).
    """
    for j in range(2 * P):
        p = j if j < P else j - P
        if dep_armed[j] == 0:
            continue
        y = fl[p] if j < P else fr[p]
        thr = dep_rel * c0p[p]
        if y < thr:
            return j, y - thr, fh[2, j] - thr
    if limit_kind == 1:
        d = st[14]
        if d * (V - limit_value) >= 0.0:
            old = d * (st[13] - limit_value)
            if not (old < 0.0):
                old = -1e-300
            return 100, d * (V - limit_value), old
    if limit_kind == 2:
        a_old = abs(st[10]) - limit_value
        if abs(Jn + g_e * V) - limit_value <= 0.0 and a_old > 0.0:
            return 100, abs(Jn + g_e * V) - limit_value, a_old
    return -1, 0.0, 0.0


@numba.njit(cache=True)
def illinois_point(b_lo, f_lo, b_hi, f_hi):
    """Next trial step size [s] inside the bracket [b_lo, b_hi] of a sign change (regula falsi).

    h = (b_lo f_hi - b_hi f_lo) / (f_hi - f_lo), kept 1e-3 of the bracket away from either end;
    with the Illinois halving of a retained end's value by the caller this converges
    superlinearly (Dowell & Jarratt, BIT 11 (1971) 168).
    """
    w = b_hi - b_lo
    d = f_hi - f_lo
    frac = -f_lo / d if d != 0.0 else 0.5
    if not (frac >= 1e-3):
        frac = 1e-3
    if frac > 0.999:
        frac = 0.999
    return b_lo + w * frac


@numba.njit(cache=True)
def stalled_secant_step(h, f0, f1, t, attempt):
    """Step size [s] at which the clamped secant of an event without a sign change stops.

    With ``f0`` (step start) and ``f1`` (trial of size ``h``) of one sign, the secant fraction
    f0 / (f0 - f1) is clamped to 0.999 (|f1| < |f0|) or 1e-3 (|f1| > |f0|) on every trial until
    ``attempt`` reaches 55, the step falls below 1e-12 s, or the shrink is below 1e-12 max(t, 1);
    the trials on the way change neither sign nor clamp, so only the last is solved.
    """
    frac = 0.999 if abs(f1) < abs(f0) else 1e-3
    a = attempt
    while True:
        if a >= 55 or h < 1e-12:
            return h
        h_new = h * frac
        if abs(h_new - h) <= 1e-12 * max(t, 1.0):
            return h
        h = h_new
        a += 1


@numba.njit(cache=True)
def _run_step(mode, target, t_end, limit_kind, limit_value,
              c, c_prev, eta, eta_prev, st, fh, eh, th,
              vol, klo, khi, off, ncell, Dp, betaL, betaR, tminus, chi, c0p, kappa0, Lp,
              layer_R, layer_poly, ikind, i0, alpha, ip, iside, cref, Rs, Cdl,
              T, g_e, kappa_law, floor_rel, rtol, atol_c, atol_v, h_max, method,
              dep_rel, on_dep, dep_armed, max_steps,
              out_times, record_every,
              o_t, o_Jext, o_J, o_V, o_c, o_eta, o_parts, o_fl, o_fr,
              ev_kind, ev_t, ev_p, ev_side):
    """The time loop of :func:`run_step` on unpacked arrays.

    mode 0: ionic+electronic current density ``target`` [A/m2] (galvanostatic, rest);
    mode 1: cell voltage ``target`` [V] (potentiostatic). limit_kind 0 none, 1 voltage
    reaching ``limit_value`` [V], 2 |J_ext| falling to ``limit_value`` [A/m2].

    ``st`` (float64[20]) carries the loop state between calls: 0 t, 1 next h, 2 h_prev,
    3 number of history points, 4 J (ionic), 5 J_prev, 6 n_out, 7 out-time pointer,
    8 n_events, 9 t_prev, 10 J_ext, 11 steps taken, 12 needed buffer, 13 last voltage,
    14 direction of a voltage limit (+1: stop when V >= limit, -1: when V <= limit),
    15 n_out at the start of the protocol step (times before it are not step-local),
    16 step attempts (accepted + rejected + event refinements), 17 sum(c) + sum(eta) (set by
    :func:`run_step` on return), 18 history carried over (:data:`ST_CARRIED`), 19 its current.
    Returns a status code (ST_*).
    """
    N = c.size
    P = off.size
    K = eta.size
    nl = layer_R.size
    npart = nl + P + K
    c_hom = np.empty(N)
    g = np.empty(N)
    c_new = np.empty(N)
    eta_new = np.empty(K)
    fl = np.empty(P)
    fr = np.empty(P)
    fl_h = np.empty(P)
    fr_h = np.empty(P)
    fl_g = np.empty(P)
    fr_g = np.empty(P)
    ehist = np.empty(K)
    parts = np.empty(npart)
    work = np.empty((7, N))
    cap = o_t.size
    ev_cap = ev_t.size
    need_c = kappa_law == 1
    keep_c = o_c.shape[0] > 0  # (0, N): no profile rows kept (SolverOptions.profiles = False)
    c_out = np.empty(N)        # the output state then

    t = st[0]
    h = st[1]
    J = st[4]
    while True:
        if st[11] >= max_steps:
            return ST_MAXSTEPS
        remaining = t_end - t
        if remaining <= 1e-13 * max(abs(t_end), 1.0):
            st[0] = t
            st[4] = J
            return ST_END
        if h > h_max:
            h = h_max
        if h >= remaining or h * 1.25 > remaining:
            h = remaining
        # room in the output buffers for this step
        ptr = int(st[7])
        need = 3
        while ptr < out_times.size and out_times[ptr] <= t + h:
            need += 1
            ptr += 1
        if int(st[6]) + need > cap or int(st[8]) + 2 * P + 1 > ev_cap:
            st[0] = t
            st[1] = h
            st[4] = J
            st[12] = need
            return ST_FULL
        nh = int(st[3])
        carried = st[ST_CARRIED] != 0.0  # face history from an earlier run, no c_prev
        bdf2 = method == 1 and nh >= 2 and not carried
        # ---- attempt one step, with event refinement ----
        accepted = False
        event_found = -1  # 0.. 2P-1 depletion face, 100 limit
        h_try = h
        # bracket [b_lo, b_hi] of the step size on an event being located (Illinois)
        trk = -1
        b_lo = 0.0
        f_lo = 0.0
        b_hi = 0.0
        f_hi = 0.0
        f_start = 0.0
        f_near = 0.0
        side = 0
        jumped = False
        for attempt in range(60):
            st[16] += 1
            if bdf2:
                w = h_try / st[2]
                a0 = (1.0 + 2.0 * w) / (1.0 + w)
                b1 = 1.0 + w
                b2 = w * w / (1.0 + w)
            else:
                a0 = 1.0
                b1 = 1.0
                b2 = 0.0
            implicit_step_work(c, c_prev, h_try, a0, b1, b2, vol, klo, khi, off, ncell, betaL, betaR, c_hom, g, work)
            for i in range(N):
                c_new[i] = c[i] + c_hom[i]
            layer_faces(c_new, vol, off, ncell, Dp, betaL, betaR, 0.0, fl_h, fr_h)
            layer_faces(g, vol, off, ncell, Dp, betaL, betaR, 1.0, fl_g, fr_g)
            # layer_faces(g, ..., J=1) includes the flux slope; the affine split holds.
            for k in range(K):
                ehist[k] = b1 * eta[k] - b2 * eta_prev[k]
            # ---- solve for J ----
            ok = True
            if mode == 0 and g_e == 0.0:
                Jn = target
                ok = _state_at(Jn, c, c_hom, g, c_new, fl, fr, fl_h, fr_h,
                               fl_g, fr_g, ikind, i0, alpha, ip, iside, cref, floor_rel, c0p, T, Cdl, a0,
                               h_try, ehist, eta, eta_new, True)
                V = voltage_parts(c_new, fl, fr, Jn, eta_new, T, vol, off, ncell, tminus, chi, c0p, kappa0,
                                  Lp, kappa_law, layer_R, layer_poly, Rs, floor_rel, parts)
            else:
                # from the last step's J (within a protocol step it is J_ext - g_e V of that step); the
                # residual is checked before the slope, so Newton usually stops at its second evaluation
                Jn = J
                V = 0.0
                conv = False
                at_jn = False   # the state (c_new, faces, eta_new, V) is that of Jn
                # the residual rises with J: iterates on either side of the root bracket it
                j_lo = -math.inf
                j_hi = math.inf
                for it in range(100):
                    ok = _state_at(Jn, c, c_hom, g, c_new, fl, fr, fl_h,
                                   fr_h, fl_g, fr_g, ikind, i0, alpha, ip, iside, cref, floor_rel, c0p, T,
                                   Cdl, a0, h_try, ehist, eta, eta_new, need_c)
                    V = voltage_parts(c_new, fl, fr, Jn, eta_new, T, vol, off, ncell, tminus, chi, c0p,
                                      kappa0, Lp, kappa_law, layer_R, layer_poly, Rs, floor_rel, parts)
                    if mode == 1:
                        r = V - target
                        r_tol = 1e-14 * (abs(V) + abs(target))
                    else:
                        r = Jn + g_e * V - target
                        r_tol = 1e-14 * (abs(Jn) + abs(target))
                    if it > 0 and abs(r) <= r_tol:
                        conv = at_jn = True
                        break
                    if ok and math.isfinite(r):
                        if r < 0.0 and Jn > j_lo:
                            j_lo = Jn
                        elif r > 0.0 and Jn < j_hi:
                            j_hi = Jn
                    if it >= 30 and math.isfinite(j_lo) and math.isfinite(j_hi):
                        # Newton cycles (a kink where a face reaches the concentration floor):
                        # bisection of the bracket from here on
                        if j_hi - j_lo <= 1e-12 * max(abs(j_lo), abs(j_hi)) + 1e-14:
                            conv = True
                            break
                        Jn = 0.5 * (j_lo + j_hi)
                        continue
                    dVdJ = voltage_slope(Jn, c_new, g, fl, fr, fl_g, fr_g, eta_new, T, vol, off, ncell, tminus,
                                         chi, c0p, kappa0, Lp, kappa_law, layer_R, layer_poly, ikind, i0, alpha,
                                         ip, iside, cref, Rs, Cdl, floor_rel, a0 / h_try)
                    if mode == 1:
                        dr = dVdJ
                    else:
                        dr = 1.0 + g_e * dVdJ
                    if not (dr > 0.0) or not math.isfinite(dr):
                        ok = False
                        break
                    step = -r / dr
                    Jn += step
                    # converged: relative step, or the residual at round-off of the voltage
                    r_tol = 1e-14 * (abs(V) + abs(target)) if mode == 1 else 1e-14 * (abs(Jn) + abs(target))
                    if abs(step) <= 1e-12 * abs(Jn) + 1e-14 or abs(r) <= r_tol:
                        conv = True
                        break
                if not conv:
                    ok = False
                if at_jn:
                    if not need_c:
                        for i in range(N):
                            c_new[i] = c[i] + (c_hom[i] + Jn * g[i])
                else:
                    ok = ok and _state_at(Jn, c, c_hom, g, c_new, fl, fr, fl_h,
                                          fr_h, fl_g, fr_g, ikind, i0, alpha, ip, iside, cref, floor_rel, c0p,
                                          T, Cdl, a0, h_try, ehist, eta, eta_new, True)
                    V = voltage_parts(c_new, fl, fr, Jn, eta_new, T, vol, off, ncell, tminus, chi, c0p, kappa0,
                                      Lp, kappa_law, layer_R, layer_poly, Rs, floor_rel, parts)
            if not ok or not math.isfinite(V):
                if h_try < 1e-14 * max(t, 1.0):
                    return ST_NEWTON
                h_try *= 0.25
                trk = -1
                jumped = False
                continue
            # ---- error estimate on the face concentrations (and double-layer eta) ----
            err = 0.0
            if nh >= 2:
                t1 = t + h_try
                for j in range(2 * P + K):
                    if j < 2 * P and dep_armed[j] == 0:
                        continue  # a depleted face (on_depletion = continue) is not controlled
                    if j < P:
                        y = fl[j]
                    elif j < 2 * P:
                        y = fr[j - P]
                    else:
                        if Cdl[j - 2 * P] == 0.0:
                            continue
                        y = eta_new[j - 2 * P]
                    if nh >= 3:
                        # quadratic extrapolation through the last three points
                        ta, tb, tc = th[0], th[1], th[2]
                        ya = fh[0, j] if j < 2 * P else eh[0, j - 2 * P]
                        yb = fh[1, j] if j < 2 * P else eh[1, j - 2 * P]
                        yc = fh[2, j] if j < 2 * P else eh[2, j - 2 * P]
                        yp = (ya * (t1 - tb) * (t1 - tc) / ((ta - tb) * (ta - tc))
                              + yb * (t1 - ta) * (t1 - tc) / ((tb - ta) * (tb - tc))
                              + yc * (t1 - ta) * (t1 - tb) / ((tc - ta) * (tc - tb)))
                        fac = 2.0 / 11.0 if bdf2 else 0.5
                    else:
                        tb, tc = th[1], th[2]
                        yb = fh[1, j] if j < 2 * P else eh[1, j - 2 * P]
                        yc = fh[2, j] if j < 2 * P else eh[2, j - 2 * P]
                        yp = yc + (yc - yb) * (t1 - tc) / (tc - tb)
                        fac = 0.5
                    if j < 2 * P:
                        p = j if j < P else j - P
                        sc = atol_c * c0p[p] + rtol * abs(y)
                        if carried and Jn != st[ST_J_CARRIED]:
                            # the current jumped where the carried history ends (a new leak): the
                            # face values jump with it by their flux-slope term (face_value is
                            # linear in the slope); the history is shifted as if Jn had flowed
                            if j < P:
                                a_ = off[p]
                                yp += (Jn - st[ST_J_CARRIED]) * face_value(0.0, 0.0, vol[a_], vol[a_ + 1],
                                                                          -betaL[p] / Dp[p])
                            else:
                                b_ = off[p] + ncell[p] - 1
                                yp += (Jn - st[ST_J_CARRIED]) * face_value(0.0, 0.0, vol[b_], vol[b_ - 1],
                                                                          betaR[p] / Dp[p])
                    else:
                        sc = atol_v + rtol * abs(y)
                    e = fac * abs(y - yp) / sc
                    if e > err:
                        err = e
            if not math.isfinite(err):
                err = 1e10
            if err > 1.0 and event_found < 0:
                fac_h = 0.9 * err ** (-1.0 / 3.0)
                if fac_h < 0.2:
                    fac_h = 0.2
                h_try *= fac_h
                trk = -1
                jumped = False
                if h_try < 1e-15 * max(t, 1.0) + 1e-300:
                    return ST_SMALL
                continue
            # ---- events: depletion, limits (refine the step to land on them) ----
            cand, cand_val, cand_old = event_candidate(fl, fr, fh, dep_armed, P, dep_rel, c0p, limit_kind, limit_value,
                                                       st, V, Jn, g_e)
            if cand >= 0 and cand != trk:
                # a new crossing: bracket [0, h_try] from the step start
                trk = cand
                b_lo, f_lo, f_start, f_near = 0.0, cand_old, cand_old, cand_old
                b_hi, f_hi = h_try, cand_val
                side = 0
            elif cand >= 0:
                b_hi, f_hi = h_try, cand_val
                if side == 1:
                    f_lo *= 0.5  # Illinois: the same end kept twice
                side = 1
            elif trk >= 0 and attempt < 55:
                # a trial short of the tracked event: the lower end of the bracket moves up
                f_lo = event_value(trk, fl, fr, P, dep_rel, c0p, limit_kind, limit_value, st[14], V, Jn, g_e)
                f_near = f_lo
                b_lo = h_try
                if side == -1:
                    f_hi *= 0.5
                side = -1
            if cand >= 0 and (abs(cand_val) <= 1e-9 * (abs(f_near) + abs(cand_val)) or attempt >= 55
                              or h_try < 1e-12 or jumped):
                event_found = cand
            elif cand >= 0 and not (f_start * cand_val < 0.0):
                # no sign change over the step (a face past its threshold while armed, e.g. after a flux
                # jump at a current switch): the event is where the clamped secant stalls
                h_try = stalled_secant_step(h_try, f_start, cand_val, t, attempt)
                jumped = True
                continue
            elif jumped:
                pass  # the sign changed on the way: a plain step
            elif trk >= 0 and (cand >= 0 or attempt < 55):
                h_new = illinois_point(b_lo, f_lo, b_hi, f_hi)
                if cand >= 0 and abs(h_new - h_try) <= 1e-12 * max(t, 1.0):
                    event_found = cand
                elif b_hi - b_lo <= 1e-12 * max(t, 1.0) and cand < 0:
                    h_try = b_hi
                    continue
                else:
                    h_try = h_new
                    continue
            accepted = True
            break
        if not accepted:
            return ST_SMALL
        # ---- accept ----
        t_old = t
        t_new = t + h_try
        # outputs at requested times inside (t_old, t_new]
        ptr = int(st[7])
        n_out = int(st[6])
        while ptr < out_times.size and out_times[ptr] <= t_new * (1.0 + 1e-14):
            tq = out_times[ptr]
            if tq > t_old:
                # quadratic (or linear) interpolation of the state between steps
                if nh >= 2 and not carried:
                    ta, tb, tc = st[9], t_old, t_new
                    la = (tq - tb) * (tq - tc) / ((ta - tb) * (ta - tc))
                    lb = (tq - ta) * (tq - tc) / ((tb - ta) * (tb - tc))
                    lc = (tq - ta) * (tq - tb) / ((tc - ta) * (tc - tb))
                else:
                    la = 0.0
                    lc = (tq - t_old) / h_try
                    lb = 1.0 - lc
                # J jumps at the start of a protocol step: no interpolation across the jump
                Jq = la * st[5] + lb * J + lc * Jn if nh >= 2 and not carried else Jn
                if mode == 0 and g_e == 0.0:
                    Jq = Jn
                orow = o_c[n_out] if keep_c else c_out
                for i in range(N):
                    orow[i] = la * c_prev[i] + lb * c[i] + lc * c_new[i]
                for k in range(K):
                    eta_new_k = la * eta_prev[k] + lb * eta[k] + lc * eta_new[k]
                    o_eta[n_out, k] = eta_new_k
                layer_faces(orow, vol, off, ncell, Dp, betaL, betaR, Jq, fl_h, fr_h)
                Vq = voltage_parts(orow, fl_h, fr_h, Jq, o_eta[n_out], T, vol, off, ncell, tminus, chi,
                                   c0p, kappa0, Lp, kappa_law, layer_R, layer_poly, Rs, floor_rel, parts)
                for q in range(npart):
                    o_parts[n_out, q] = parts[q]
                for p in range(P):
                    o_fl[n_out, p] = fl_h[p]
                    o_fr[n_out, p] = fr_h[p]
                o_t[n_out] = tq
                o_J[n_out] = Jq
                o_Jext[n_out] = Jq + g_e * Vq
                o_V[n_out] = Vq
                n_out += 1
            ptr += 1
        # shift history
        for i in range(N):
            c_prev[i] = c[i]
            c[i] = c_new[i]
        for k in range(K):
            eta_prev[k] = eta[k]
            eta[k] = eta_new[k]
        for r_ in range(2):
            th[r_] = th[r_ + 1]
            for j in range(2 * P):
                fh[r_, j] = fh[r_ + 1, j]
            for k in range(K):
                eh[r_, k] = eh[r_ + 1, k]
        th[2] = t_new
        for p in range(P):
            fh[2, p] = fl[p]
            fh[2, P + p] = fr[p]
        for k in range(K):
            eh[2, k] = eta_new[k]
        st[9] = t_old
        st[5] = J if nh >= 2 and not carried else Jn  # J(t0) of a new step is its value after the jump
        J = Jn
        st[2] = h_try
        st[3] = min(nh + 1, 3)
        st[ST_CARRIED] = 0.0
        st[11] += 1
        st[13] = V
        st[10] = Jn + g_e * V
        t = t_new
        st[0] = t
        st[4] = J
        st[7] = ptr
        # re-arm depletion detection once a face has recovered
        for j in range(2 * P):
            p = j if j < P else j - P
            y = fl[p] if j < P else fr[p]
            if dep_armed[j] == 0 and y > 10.0 * dep_rel * c0p[p]:
                dep_armed[j] = 1
        if record_every or event_found >= 0 or t_end - t <= 1e-13 * max(abs(t_end), 1.0):
            # record the step end unless an output time coincides with it
            if n_out == int(st[15]) or o_t[n_out - 1] < t * (1.0 - 1e-15) - 1e-300:
                if keep_c:
                    for i in range(N):
                        o_c[n_out, i] = c[i]
                for k in range(K):
                    o_eta[n_out, k] = eta[k]
                V_end = voltage_parts(c, fl, fr, J, eta, T, vol, off, ncell, tminus, chi, c0p, kappa0, Lp,
                                      kappa_law, layer_R, layer_poly, Rs, floor_rel, parts)
                for q in range(npart):
                    o_parts[n_out, q] = parts[q]
                for p in range(P):
                    o_fl[n_out, p] = fl[p]
                    o_fr[n_out, p] = fr[p]
                o_t[n_out] = t
                o_J[n_out] = J
                o_Jext[n_out] = st[10]
                o_V[n_out] = V_end
                n_out += 1
        st[6] = n_out
        # step-size proposal
        if nh >= 2 and err > 0.0:
            fac_h = 0.9 * err ** (-1.0 / 3.0)
        else:
            fac_h = 2.0
        if fac_h > 2.0:
            fac_h = 2.0
        if fac_h < 0.2:
            fac_h = 0.2
        h = h_try * fac_h
        st[1] = h
        if event_found >= 0:
            if event_found < 100:
                j = event_found
                ne = int(st[8])
                ev_kind[ne] = 0
                ev_t[ne] = t
                ev_p[ne] = j if j < P else j - P
                ev_side[ne] = 0 if j < P else 1
                st[8] = ne + 1
                dep_armed[j] = 0
                if on_dep == 0:
                    return ST_DEPLETION
            else:
                return ST_LIMIT


# --------------------------------------------------------------------------------------
# exact (modal) integration of a galvanostatic step
# --------------------------------------------------------------------------------------
@numba.njit(cache=True)
def _modal_faces(tau, lam, A, B, Bt, phiL, phiR, off, ncell, sL, sR, J, fl, fr, zt, null_tol):
    """Face values (and modal state ``zt``) at step-local time ``tau``.

    ``z_k(tau) = A_k exp(lam_k tau) + B_k`` (``+ Bt_k tau`` for the null mode of a layer
    with a blocking face), faces ``sum_k phi_k z_k + s J``.
    """
    for p in range(off.size):
        a = off[p]
        b = a + ncell[p]
        sl = sL[p] * J
        sr = sR[p] * J
        for k in range(a, b):
            x = lam[k] * tau
            if x > -37.0:  # exp(-37) = 8.5e-17: below round-off of the mode amplitude
                z = A[k] * math.exp(x) + B[k] + Bt[k] * tau
            else:
                z = B[k] + Bt[k] * tau
            zt[k] = z
            sl += phiL[k] * z
            sr += phiR[k] * z
        fl[p] = sl
        fr[p] = sr


@numba.njit(cache=True)
def _modal_faces_rec(tau, st_rec, E, G, lam, A, B, Bt, phiL, phiR, off, ncell, sL, sR, J, fl, fr, zt):
    """As :func:`_modal_faces` for increasing ``tau``, with ``E_k = exp(lam_k tau)`` updated
    by a product: equal spacing reuses the factors ``G_k = exp(lam_k dtau)`` (no exp).

    ``st_rec`` = [previous tau, previous dtau].
    """
    d = tau - st_rec[0]
    same = abs(d - st_rec[1]) <= 1e-12 * abs(d)
    for p in range(off.size):
        a = off[p]
        b = a + ncell[p]
        sl = sL[p] * J
        sr = sR[p] * J
        for k in range(a, b):
            e = E[k]
            if e != 0.0:
                if not same:
                    x = lam[k] * d
                    G[k] = math.exp(x) if x > -37.0 else 0.0
                e *= G[k]
                if e < 1e-17:
                    e = 0.0
                E[k] = e
            z = A[k] * e + B[k] + Bt[k] * tau
            zt[k] = z
            sl += phiL[k] * z
            sr += phiR[k] * z
        fl[p] = sl
        fr[p] = sr
    st_rec[0] = tau
    st_rec[1] = d


@numba.njit(cache=True, inline='always')
def _modal_faces_fast(tau, st_rec, E, G, lam, phAL, phAR, F0L, F0R, FtL, FtR, off, ncell, fl, fr):
    """Face values only, at increasing ``tau``: ``F0 + Ft tau + sum_k (phi_k A_k) E_k``.

    Modes are visited from the slowest (end of each block: eigenvalues ascend) and the loop
    stops at the first one that has decayed to zero (all faster ones have too).
    """
    d = tau - st_rec[0]
    same = abs(d - st_rec[1]) <= 1e-12 * abs(d)
    for p in range(off.size):
        a = off[p]
        sl = F0L[p] + FtL[p] * tau
        sr = F0R[p] + FtR[p] * tau
        for k in range(a + ncell[p] - 1, a - 1, -1):
            e = E[k]
            if e == 0.0:
                break
            if not same:
                x = lam[k] * d
                G[k] = math.exp(x) if x > -37.0 else 0.0
            e *= G[k]
            if e < 1e-17:
                e = 0.0
            E[k] = e
            sl += phAL[k] * e
            sr += phAR[k] * e
        fl[p] = sl
        fr[p] = sr
    st_rec[0] = tau
    st_rec[1] = d


@numba.njit(cache=True)
def modal_faces_safe(t_len, phAL, phAR, F0L, F0R, FtL, FtR, off, ncell, c0p, dep_rel, dep_armed):
    """True when no face of an exactly integrated step can reach depletion in [0, t_len].

    Face ``j`` is ``F0 + Ft tau + sum_k phA_k E_k(tau)`` with ``0 <= E_k <= 1``, so it is at
    least ``F0 + min(0, Ft t_len) + sum_k min(phA_k, 0)``. Armed faces need that bound above
    ``dep_rel c0``, disarmed ones above ``10 dep_rel c0`` (the first sample re-arms them;
    they are re-armed here), each with a margin of 1e-10 of the sum of |terms| for round-off.
    """
    P = off.size
    ok = True
    for j in range(2 * P):
        p = j if j < P else j - P
        if j < P:
            f0, ft = F0L[p], FtL[p]
        else:
            f0, ft = F0R[p], FtR[p]
        low = f0 + min(0.0, ft * t_len)
        scale = abs(f0) + abs(ft) * t_len
        for k in range(off[p], off[p] + ncell[p]):
            v = phAL[k] if j < P else phAR[k]
            if v < 0.0:
                low += v
            scale += abs(v)
        thr = dep_rel * c0p[p]
        if dep_armed[j] == 0:
            thr = 10.0 * thr
        if not low > thr + 1e-10 * scale:
            ok = False
    if ok:
        for j in range(2 * P):
            dep_armed[j] = 1
    return ok


@numba.njit(cache=True)
def modal_project(c, Qf, sq, off, ncell, z):
    """Mode amplitudes of cell averages: ``z = Q^T V^(1/2) c`` per layer block (into ``z``)."""
    for p in range(off.size):
        a = off[p]
        n = ncell[p]
        for k in range(a, a + n):
            z[k] = 0.0
        for i in range(a, a + n):
            sqi = sq[i]
            ci = c[i]
            for k in range(a, a + n):
                z[k] += Qf[i, k] * sqi * ci


@numba.njit(cache=True)
def modal_cells(z, Qf, sq, off, ncell, c):
    """Cell averages of mode amplitudes: ``c = V^(-1/2) Q z`` per layer block (into ``c``)."""
    for p in range(off.size):
        a = off[p]
        n = ncell[p]
        for i in range(a, a + n):
            s = 0.0
            for k in range(a, a + n):
                s += Qf[i, k] * z[k]
            c[i] = s / sq[i]


@numba.njit(cache=True)
def _modal_output_times(t_stop, n_out, n_step0, ptr, n_times, out_times, t_last, o_t):
    """List the output times of an exact step into ``o_t[n_out:]``; returns the new column count.

    The step-local times ``out_times[ptr:ptr + n_times]`` in (0, t_stop] that do not go back
    (``t_last``: the last time evaluated before), then ``t_stop`` itself unless the last column
    of the step (which starts at column ``n_step0``) already holds it.
    """
    n0 = n_out
    k_t = 0
    while k_t < n_times + 1:
        if k_t < n_times:
            tq = out_times[ptr + k_t]
            if tq > t_stop * (1.0 + 1e-15):
                k_t = n_times
                continue
            if tq <= 0.0:
                k_t += 1
                continue
        else:
            tq = t_stop
            if n_out > n_step0 and o_t[n_out - 1] >= tq * (1.0 - 1e-15):
                break
        if tq < (o_t[n_out - 1] if n_out > n0 else t_last):
            k_t += 1
            continue
        o_t[n_out] = tq
        n_out += 1
        k_t += 1
    return n_out


@numba.njit(cache=True)
def _modal_face_rows(n0, n_out, st_rec, E, G, lam, phAL, phAR, F0L, F0R, FtL, FtR, off, ncell, out):
    """The face rows of ``out`` at the times ``out[0, n0:n_out]`` of an exact step:
    ``F0 + Ft tau + sum_k (phi_k A_k) E_k(tau)``, as :func:`_modal_faces_fast` at each time in turn
    (``st_rec``, ``E``, ``G`` carried the same way), computed mode by mode over all the times.
    """
    P = off.size
    r_fl, r_fr = 4, 4 + P
    o_t = out[0]
    n = n_out - n0
    # faces, mode by mode over all the times: per time the same sums in the same order as
    # _modal_faces_fast (slowest mode first); E_k = E_k G_k with G_k = exp(lam_k dtau) kept
    # while the spacing stays the same; a mode at zero stays there, and so do the faster ones
    dtau = np.empty(n)
    same = np.empty(n, dtype=np.bool_)
    t_prev = st_rec[0]
    d_prev = st_rec[1]
    for i in range(n):
        d = o_t[n0 + i] - t_prev
        same[i] = abs(d - d_prev) <= 1e-12 * abs(d)
        dtau[i] = d
        t_prev = o_t[n0 + i]
        d_prev = d
    st_rec[0] = t_prev
    st_rec[1] = d_prev
    tq = out[0, n0:n_out]
    for p in range(P):
        row_l, row_r = out[r_fl + p, n0:n_out], out[r_fr + p, n0:n_out]
        for i in range(n):
            row_l[i] = F0L[p] + FtL[p] * tq[i]
            row_r[i] = F0R[p] + FtR[p] * tq[i]
        a = off[p]
        for k in range(a + ncell[p] - 1, a - 1, -1):
            e = E[k]
            if e == 0.0:
                break
            g = G[k]
            for i in range(n):
                if not same[i]:
                    x = lam[k] * dtau[i]
                    g = math.exp(x) if x > -37.0 else 0.0
                e *= g
                if e < 1e-17:
                    e = 0.0
                row_l[i] += phAL[k] * e
                row_r[i] += phAR[k] * e
                if e == 0.0:
                    break
            E[k] = e
            G[k] = g


@numba.njit(cache=True)
def _modal_outputs(J, t_stop, n_out, n_step0, ptr, n_times, out_times, st_rec, E, G, zt, fl, fr, F0L, F0R, FtL, FtR,
                   phAL, phAR, parts, cellf, layf, layi, stkf, stki, iff, ifi, T, floor_rel, out):
    """Write the output columns of an exactly integrated step (:func:`run_modal_step`); returns
    the new number of columns.

    The step-local output times ``out_times[ptr:ptr + n_times]`` up to ``t_stop``, then
    ``t_stop`` itself unless the last column already holds it, are first listed; every output
    row is then written over all of them in one pass: the faces (:func:`_modal_faces_fast`),
    the constant rows (t, J, ohmic parts, overpotentials of interfaces whose exchange current
    does not depend on a face), the concentration-dependent overpotentials, the concentration
    parts and the voltage, summed part by part in the order of :func:`voltage_parts`.
    ``parts`` receives the parts of the last column; ``n_step0`` is the first column of the
    protocol step.
    """
    vol, lam = cellf[0], cellf[4]
    tminus, chi, c0p, kappa0, Lp = layf[3], layf[4], layf[5], layf[6], layf[7]
    off, ncell = layi[0], layi[1]
    layer_R, layer_poly = stkf, stki
    i0, alpha, cref, Rs = iff[0], iff[1], iff[2], iff[3]
    ikind, ip, iside = ifi[0], ifi[1], ifi[2]
    P = off.size
    K = ikind.size
    nl = layer_R.size
    npart = nl + P + K
    r_fl, r_fr, r_eta, r_parts = 4, 4 + P, 4 + 2 * P, 4 + 2 * P + K
    o_t = out[0]
    f = F / (R * T)
    n0 = n_out
    n_out = _modal_output_times(t_stop, n_out, n_step0, ptr, n_times, out_times, st_rec[0], o_t)
    if n_out == n0:
        return n_out
    n = n_out - n0
    _modal_face_rows(n0, n_out, st_rec, E, G, lam, phAL, phAR, F0L, F0R, FtL, FtR, off, ncell, out)
    # step constants: ohmic parts, and the overpotentials (with their parts) of interfaces
    # whose exchange current does not depend on a face concentration
    eta_c = np.empty(K)
    part_c = np.empty(npart)
    for kk in range(K):
        e, good = interface_eta(ikind[kk], J, i0[kk], alpha[kk], f, 0.0, 1.0, 1.0, 0.0, 0.0)
        eta_c[kk] = e
    for p in range(P):
        fl[p] = c0p[p]
        fr[p] = c0p[p]
    voltage_parts(zt, fl, fr, J, eta_c, T, vol, off, ncell, tminus, chi, c0p, kappa0, Lp, 0,
                  layer_R, layer_poly, Rs, floor_rel, part_c)
    # the other rows, each over all the times (rows of ``out`` cut to the step's columns)
    out[1, n0:n_out] = J
    out[2, n0:n_out] = J
    for kk in range(K):
        p = ip[kk]
        row_e = out[r_eta + kk, n0:n_out]
        row_p = out[r_parts + nl + P + kk, n0:n_out]
        if p >= 0 and (ikind[kk] == 1 or ikind[kk] == 2):
            row_f = out[r_fl + p, n0:n_out] if iside[kk] == 0 else out[r_fr + p, n0:n_out]
            fmin = floor_rel * c0p[p]
            for i in range(n):
                cf = row_f[i]
                if cf < fmin:
                    cf = fmin
                i0k = i0[kk] * (cf / cref[kk]) ** alpha[kk]
                e, good = interface_eta(ikind[kk], J, i0k, alpha[kk], f, 0.0, 1.0, 1.0, 0.0, 0.0)
                row_e[i] = e
                row_p[i] = e + J * Rs[kk]
        else:
            row_e[:] = eta_c[kk]
            row_p[:] = part_c[nl + P + kk]
    for q in range(nl):
        out[r_parts + q, n0:n_out] = part_c[q]
    ratio = np.empty(n)
    lg = np.empty(n)
    bits = np.empty(n, dtype=np.int64)
    for p in range(P):
        fl_ = floor_rel * c0p[p]
        coef = 2.0 * R * T / F * tminus[p] * chi[p]
        row_l, row_r, row_p = out[r_fl + p, n0:n_out], out[r_fr + p, n0:n_out], out[r_parts + nl + p, n0:n_out]
        for i in range(n):
            a_ = row_l[i] if row_l[i] > fl_ else fl_
            b_ = row_r[i] if row_r[i] > fl_ else fl_
            ratio[i] = a_ / b_
        log_row(ratio, lg, bits)  # ln, vectorised (within 3e-16 of math.log)
        for i in range(n):
            row_p[i] = coef * lg[i]
    v = np.zeros(n)  # V = ((0 + part_0) + part_1) + ..., as voltage_parts sums
    for q in range(npart):
        row_p = out[r_parts + q, n0:n_out]
        for i in range(n):
            v[i] += row_p[i]
        parts[q] = row_p[n - 1]
    out[3, n0:n_out] = v
    return n_out


@numba.njit(cache=True)
def run_modal_step(J, t_len, z, eta, st, dep_armed, cellf, layf, layi, stkf, stki, iff, ifi,
                   T, floor_rel, dep_rel, on_dep, n_samples, out_times, out, ev, amp):
    """Integrate a galvanostatic step exactly in time on the eigenmodes of the FV operator.

    Per polymer layer ``V dc/dt = A c + J b`` is symmetrised (``y = V^(1/2) c``) and
    diagonalised, ``V^(-1/2) A V^(-1/2) = Q diag(lam) Q^T`` (``Qf`` holds the blocks);
    with constant J each mode is ``z_k(t) = (z_k(0) + J beta_k/lam_k) e^(lam_k t) - J beta_k/lam_k``.
    Valid without double layers, leakage and with constant kappa: the voltage is then an
    algebraic function of J and the face values. The state is carried as the mode amplitudes
    ``z`` (in: at the step start, out: at its end; :func:`modal_project` and
    :func:`modal_cells` convert from and to cell averages), and output profiles are not
    written: the caller rebuilds them from the amplitudes returned in ``A``, ``B``, ``Bt``
    (z = A e^(lam tau) + B + Bt tau, c = V^(-1/2) Q z). Depletion is located by sampling
    ``n_samples`` log-spaced times and bisection (skipped when :func:`modal_faces_safe` proves
    that no sample can detect one). Per output only the faces, the concentration parts and the
    concentration-dependent overpotentials are evaluated; the other parts are step constants. Returns ST_END, ST_DEPLETION or ST_FULL.

    The problem's arrays come packed and the outputs in the rows of ``out`` (module
    docstring, "Packed arrays"); the mode amplitudes A, B, Bt are the rows of ``amp`` (3, N).
    ``st[17]`` receives sum(z) + sum(eta) (a finiteness check).
    """
    lam, phiL, phiR, betam = cellf[4], cellf[5], cellf[6], cellf[7]
    c0p, sL, sR = layf[5], layf[8], layf[9]
    off, ncell = layi[0], layi[1]
    A, B, Bt = amp[0], amp[1], amp[2]
    N = z.size
    P = off.size
    K = eta.size
    npart = stkf.size + P + K
    r_eta = 4 + 2 * P
    ev_kind, ev_t, ev_p, ev_side = ev[0], ev[1], ev[2], ev[3]
    for k in range(N):
        Bt[k] = 0.0
    # scratch vectors: rows of a few arrays (row views, no allocation each)
    wN = np.empty((7, N))
    zt, E, G, E2, G2, phAL, phAR = wN[0], wN[1], wN[2], wN[3], wN[4], wN[5], wN[6]
    wN[1:5] = 1.0  # E, G, E2, G2
    wP = np.empty((6, P))
    fl, fr, F0L, F0R, FtL, FtR = wP[0], wP[1], wP[2], wP[3], wP[4], wP[5]
    parts = np.zeros(npart)
    wst = np.zeros((2, 2))
    st_rec, st_rec2 = wst[0], wst[1]
    cap = out.shape[1]
    # every mode under the constant current, per layer block
    for p in range(P):
        a = off[p]
        n = ncell[p]
        lmax = 0.0
        for k in range(a, a + n):
            if -lam[k] > lmax:
                lmax = -lam[k]
        for k in range(a, a + n):
            s = z[k]
            if -lam[k] <= 1e-11 * lmax:
                A[k] = 0.0
                B[k] = s
                Bt[k] = J * betam[k]
            else:
                A[k] = s + J * betam[k] / lam[k]
                B[k] = -J * betam[k] / lam[k]
    n_out = int(st[6])
    ptr = int(st[7])
    # output times in the step: the (sorted) times <= t_len from ptr on
    n_times = np.searchsorted(out_times[ptr:], t_len * (1.0 + 1e-14), side="right")
    if n_out + n_times + 2 > cap or int(st[8]) + 2 * P + 1 > ev.shape[1]:
        st[12] = n_times + 2
        return ST_FULL
    st_rec[1] = -1.0
    for p in range(P):
        a = off[p]
        F0L[p] = sL[p] * J
        F0R[p] = sR[p] * J
        FtL[p] = 0.0
        FtR[p] = 0.0
        for k in range(a, a + ncell[p]):
            phAL[k] = phiL[k] * A[k]
            phAR[k] = phiR[k] * A[k]
            F0L[p] += phiL[k] * B[k]
            F0R[p] += phiR[k] * B[k]
            FtL[p] += phiL[k] * Bt[k]
            FtR[p] += phiR[k] * Bt[k]
    st_rec2[1] = -1.0
    # ---- depletion search on a log-spaced sample of the step ----
    t_stop = t_len
    stop_face = -1
    t_prev = 0.0
    # A face is F0 + Ft tau + sum_k phA_k E_k with 0 <= E_k <= 1, so it never falls below
    # F0 + min(0, Ft t_len) + sum_k min(phA_k, 0) in the step: when that bound clears the
    # threshold (and 10x it for disarmed faces, which the first sample re-arms) with a
    # round-off margin, no sample can detect a depletion and the sampling is skipped.
    n_run = n_samples + 1
    if modal_faces_safe(t_len, phAL, phAR, F0L, F0R, FtL, FtR, off, ncell, c0p, dep_rel, dep_armed):
        n_run = 0
    for s_i in range(n_run):
        if s_i < n_samples:
            ts = t_len * 10.0 ** (-9.0 * (1.0 - s_i / (n_samples - 1.0))) if n_samples > 1 else t_len
        else:
            ts = t_len
        if ts <= t_prev or ts <= st_rec2[0]:
            continue
        _modal_faces_fast(ts, st_rec2, E2, G2, lam, phAL, phAR, F0L, F0R, FtL, FtR, off, ncell, fl, fr)
        hit = -1
        for j in range(2 * P):
            p = j if j < P else j - P
            if dep_armed[j] == 0:
                continue
            thr = dep_rel * c0p[p]
            y = fl[p] if j < P else fr[p]
            if y < thr:
                hit = j
                break
        if hit >= 0:
            # bisection between t_prev (above) and ts (below)
            lo, hi = t_prev, ts
            p = hit if hit < P else hit - P
            thr = dep_rel * c0p[p]
            for _ in range(100):
                mid = 0.5 * (lo + hi)
                _modal_faces(mid, lam, A, B, Bt, phiL, phiR, off, ncell, sL, sR, J, fl, fr, zt, 0.0)
                y = fl[p] if hit < P else fr[p]
                if y < thr:
                    hi = mid
                else:
                    lo = mid
                if hi - lo <= 1e-13 * hi:
                    break
            ne = int(st[8])
            ev_kind[ne] = 0
            ev_t[ne] = hi
            ev_p[ne] = p
            ev_side[ne] = 0 if hit < P else 1
            st[8] = ne + 1
            dep_armed[hit] = 0
            if on_dep == 0:
                t_stop = hi
                stop_face = hit
                break
            t_prev = hi
            continue
        # re-arm faces that recovered
        for j in range(2 * P):
            p = j if j < P else j - P
            y = fl[p] if j < P else fr[p]
            if dep_armed[j] == 0 and y > 10.0 * dep_rel * c0p[p]:
                dep_armed[j] = 1
        t_prev = ts
    # ---- outputs ----
    n_out = _modal_outputs(J, t_stop, n_out, int(st[15]), ptr, n_times, out_times, st_rec, E, G, zt, fl, fr,
                           F0L, F0R, FtL, FtR, phAL, phAR, parts, cellf, layf, layi, stkf, stki, iff, ifi, T,
                           floor_rel, out)
    # ---- final state: the mode amplitudes at t_stop ----
    _modal_faces(t_stop, lam, A, B, Bt, phiL, phiR, off, ncell, sL, sR, J, fl, fr, zt, 0.0)
    for k in range(N):
        z[k] = zt[k]
    for kk in range(K):
        eta[kk] = out[r_eta + kk, n_out - 1] if n_out > 0 else 0.0
    st[6] = n_out
    st[7] = ptr + n_times
    st[0] = t_stop
    st[4] = J
    st[10] = J
    st[13] = parts.sum()
    st[11] += 1
    st[17] = z.sum() + eta.sum()
    if stop_face >= 0:
        return ST_DEPLETION
    return ST_END


# --------------------------------------------------------------------------------------
# the time loop of one protocol step: Hairer-Wanner SDIRK4 (order 4, embedded 3, L-stable)
# --------------------------------------------------------------------------------------
#: Butcher tableau of SDIRK4 (Hairer & Wanner, Solving ODEs II, 2nd ed., Springer 1996, §IV.6,
#: Table 6.5 (first method, gamma = 1/4); the method of their code SDIRK4). Stiffly accurate
#: (b = last row of A), L-stable; stage order 1.
SD4_GAMMA = 0.25
SD4_A = np.array([[0.25, 0.0, 0.0, 0.0, 0.0],
                  [0.5, 0.25, 0.0, 0.0, 0.0],
                  [17.0 / 50.0, -1.0 / 25.0, 0.25, 0.0, 0.0],
                  [371.0 / 1360.0, -137.0 / 2720.0, 15.0 / 544.0, 0.25, 0.0],
                  [25.0 / 24.0, -49.0 / 48.0, 125.0 / 16.0, -85.0 / 12.0, 0.25]])
SD4_C = np.array([0.25, 0.75, 11.0 / 20.0, 0.5, 1.0])
#: embedded third-order weights b-hat (same reference)
SD4_BHAT = np.array([59.0 / 48.0, -17.0 / 96.0, 225.0 / 32.0, -85.0 / 12.0, 0.0])
#: b - b-hat: the error estimate sum_j E_j k_j
SD4_E = np.array([-3.0 / 16.0, -27.0 / 32.0, 25.0 / 32.0, 0.0, 0.25])
#: dense output b_j(theta) = sum_m D[j, m] theta^(m+1) (cellsim's own continuous extension,
#: derived with sympy: third order, b_j(1) = b_j, stiff limit R_theta(-inf) = 1 - theta)
SD4_DENSE = np.array([[539.0 / 160.0, -653.0 / 160.0, 421.0 / 240.0],
                      [1331.0 / 320.0, -4317.0 / 320.0, 3989.0 / 480.0],
                      [-365.0 / 64.0, 2355.0 / 64.0, -745.0 / 32.0],
                      [0.0, -85.0 / 4.0, 85.0 / 6.0],
                      [-33.0 / 40.0, 81.0 / 40.0, -19.0 / 20.0]])


@numba.njit(cache=True, inline='always')
def sdirk4_dense_weights(theta, D, w):
    """Weights ``w_j = b_j(theta)`` [-] of the dense output ``y(t_n + theta h) = y_n + sum_j w_j k_j``.

    ``D`` is :data:`SD4_DENSE`; ``k_j = h f(Y_j)`` are the stage increments. Third order for
    0 <= theta <= 1 and equal to the step's weights b at theta = 1.
    """
    for j in range(D.shape[0]):
        w[j] = theta * (D[j, 0] + theta * (D[j, 1] + theta * D[j, 2]))


@numba.njit(cache=True, inline='always')
def diffusion_flux_apply(c, off, ncell, klo, khi, out):
    """``out = A c``: the finite-volume diffusion operator without the interface sources
    [mol/m2/s per m of cell width, i.e. vol dc/dt at J = 0]."""
    for p in range(off.size):
        a = off[p]
        b = a + ncell[p]
        for i in range(a, b):
            out[i] = 0.0
        for i in range(a, b - 1):
            fx = khi[i] * (c[i + 1] - c[i])
            out[i] += fx
            out[i + 1] -= fx


@numba.njit(cache=True, inline='always')
def tri_factor_babe(lower, diag, upper, cp, inv, lw, off, ncell):
    """Factors of the block-tridiagonal diffusion matrix (one block per layer: ``lower``
    vanishes at a layer's first and ``upper`` at its last cell) by elimination from both ends
    of every layer toward its middle row ("burn at both ends", twisted factorisation): rows
    above the middle store ``inv = 1/m``, ``cp = upper/m``, ``lw = lower/m`` of the downward
    chain, rows below it ``inv = 1/m``, ``cp = lower/m``, ``lw = upper/m`` of the upward
    chain, the middle row the inverse of its pivot ``d - l cp_above - u cp_below``. The two
    chains of a layer, and of two layers of equal size, advance together, so a CPU overlaps
    their latency (the pivot division is on the chain; the previous pivot ratios are carried in
    registers, not reloaded): about 5x faster than one chain per layer pair. Solve with
    :func:`tri_solve_babe`. No pivoting (diagonally dominant matrices).
    """
    P = off.size
    p = 0
    while p < P:
        a = off[p]
        n = ncell[p]
        mid = n // 2
        L = n - 2 - mid
        pair = p + 1 < P and ncell[p + 1] == n
        a2 = off[p + 1] if pair else a
        e = a + n - 1
        e2 = a2 + n - 1
        # chain starts: top of a, bottom of a, top of a2, bottom of a2
        i1 = 1.0 / diag[a]
        t1 = upper[a] * i1
        inv[a] = i1
        cp[a] = t1
        lw[a] = 0.0
        j1 = 1.0 / diag[e]
        b1 = lower[e] * j1
        inv[e] = j1
        cp[e] = b1
        lw[e] = 0.0
        i2 = 1.0 / diag[a2]
        t2 = upper[a2] * i2
        inv[a2] = i2
        cp[a2] = t2
        lw[a2] = 0.0
        j2 = 1.0 / diag[e2]
        b2 = lower[e2] * j2
        inv[e2] = j2
        cp[e2] = b2
        lw[e2] = 0.0
        for k in range(1, L + 1):
            it = a + k
            ib = e - k
            it2 = a2 + k
            ib2 = e2 - k
            i1 = 1.0 / (diag[it] - lower[it] * t1)
            j1 = 1.0 / (diag[ib] - upper[ib] * b1)
            i2 = 1.0 / (diag[it2] - lower[it2] * t2)
            j2 = 1.0 / (diag[ib2] - upper[ib2] * b2)
            t1 = upper[it] * i1
            b1 = lower[ib] * j1
            t2 = upper[it2] * i2
            b2 = lower[ib2] * j2
            inv[it] = i1
            cp[it] = t1
            lw[it] = lower[it] * i1
            inv[ib] = j1
            cp[ib] = b1
            lw[ib] = upper[ib] * j1
            inv[it2] = i2
            cp[it2] = t2
            lw[it2] = lower[it2] * i2
            inv[ib2] = j2
            cp[ib2] = b2
            lw[ib2] = upper[ib2] * j2
        q = 2 if pair else 1
        for r in range(q):
            b = off[p + r]
            for it in range(b + L + 1, b + mid):
                m = diag[it] - lower[it] * cp[it - 1]
                inv[it] = 1.0 / m
                cp[it] = upper[it] * inv[it]
                lw[it] = lower[it] * inv[it]
            im = b + mid
            m = diag[im] - lower[im] * cp[im - 1] - upper[im] * cp[im + 1]
            inv[im] = 1.0 / m
            cp[im] = 0.0
            lw[im] = 0.0
        p += q


@numba.njit(cache=True, inline='always')
def tri_solve_babe(rhs, lower, upper, lw, cp, inv, off, ncell, out):
    """Solve with the factors of :func:`tri_factor_babe` (``lower``, ``upper``: the matrix's
    off-diagonals, used at the middle rows): both chains of every layer eliminate toward the
    middle row, which is solved, then the back substitution runs outward; the chains of two
    equal layers advance together. ``out`` may not be ``rhs``."""
    P = off.size
    p = 0
    while p < P:
        a = off[p]
        n = ncell[p]
        mid = n // 2
        L = n - 2 - mid
        e = a + n - 1
        if p + 1 < P and ncell[p + 1] == n:
            a2 = off[p + 1]
            e2 = a2 + n - 1
            y1 = rhs[a] * inv[a]
            z1 = rhs[e] * inv[e]
            y2 = rhs[a2] * inv[a2]
            z2 = rhs[e2] * inv[e2]
            out[a] = y1
            out[e] = z1
            out[a2] = y2
            out[e2] = z2
            for k in range(1, L + 1):
                i = a + k
                y1 = rhs[i] * inv[i] - lw[i] * y1
                out[i] = y1
                i = e - k
                z1 = rhs[i] * inv[i] - lw[i] * z1
                out[i] = z1
                i = a2 + k
                y2 = rhs[i] * inv[i] - lw[i] * y2
                out[i] = y2
                i = e2 - k
                z2 = rhs[i] * inv[i] - lw[i] * z2
                out[i] = z2
            q = 2
        else:
            y1 = rhs[a] * inv[a]
            z1 = rhs[e] * inv[e]
            out[a] = y1
            out[e] = z1
            for k in range(1, L + 1):
                i = a + k
                y1 = rhs[i] * inv[i] - lw[i] * y1
                out[i] = y1
                i = e - k
                z1 = rhs[i] * inv[i] - lw[i] * z1
                out[i] = z1
            q = 1
        for r in range(q):
            b = off[p + r]
            for i in range(b + L + 1, b + mid):
                out[i] = rhs[i] * inv[i] - lw[i] * out[i - 1]
            im = b + mid
            out[im] = (rhs[im] - lower[im] * out[im - 1] - upper[im] * out[im + 1]) * inv[im]
        # back substitution outward from the middle rows
        if q == 2:
            m1 = a + mid
            m2 = off[p + 1] + mid
            x1 = out[m1]
            x2 = out[m2]
            u1 = out[m1]
            u2 = out[m2]
            nb = n - 1 - mid  # rows below the middle (<= mid rows above it)
            for k in range(1, nb + 1):
                i = m1 - k
                x1 = out[i] - cp[i] * x1
                out[i] = x1
                i = m1 + k
                u1 = out[i] - cp[i] * u1
                out[i] = u1
                i = m2 - k
                x2 = out[i] - cp[i] * x2
                out[i] = x2
                i = m2 + k
                u2 = out[i] - cp[i] * u2
                out[i] = u2
            for k in range(nb + 1, mid + 1):
                i = m1 - k
                x1 = out[i] - cp[i] * x1
                out[i] = x1
                i = m2 - k
                x2 = out[i] - cp[i] * x2
                out[i] = x2
        else:
            m1 = a + mid
            x1 = out[m1]
            u1 = out[m1]
            nb = n - 1 - mid
            for k in range(1, nb + 1):
                i = m1 - k
                x1 = out[i] - cp[i] * x1
                out[i] = x1
                i = m1 + k
                u1 = out[i] - cp[i] * u1
                out[i] = u1
            for k in range(nb + 1, mid + 1):
                i = m1 - k
                x1 = out[i] - cp[i] * x1
                out[i] = x1
        p += q
    return out


@numba.njit(cache=True, inline='always')
def sdirk_factor(gh, ml, md, mu, klo, khi, off, ncell, betaL, betaR, lower, diag, upper, rg, cp, inv, lw, g, need_g):
    """Factor ``S = M - gh A`` (``gh = gamma h`` [s]; ``M`` the mass matrix of :func:`compact_mass`,
    diagonals ``ml``, ``md``, ``mu``) into ``cp``, ``inv``, ``lw``
    (:func:`tri_factor_babe`; ``lower``, ``upper`` are kept for the solves, ``diag``, ``rg``
    are scratch) and, if ``need_g``, solve ``S g = gh b`` (``b``: betaL at the first, -betaR
    at the last cell of every layer), the response of a stage to J = 1 A/m2 [mol/m3 per
    A/m2]. Same for every stage of a step (singly diagonally implicit)."""
    n = md.size
    for i in range(n):
        lower[i] = ml[i] - gh * klo[i]
        upper[i] = mu[i] - gh * khi[i]
        diag[i] = md[i] + gh * (klo[i] + khi[i])
    tri_factor_babe(lower, diag, upper, cp, inv, lw, off, ncell)
    if need_g:
        for i in range(n):
            rg[i] = 0.0
        for p in range(off.size):
            rg[off[p]] += gh * betaL[p]
            rg[off[p] + ncell[p] - 1] -= gh * betaR[p]
        tri_solve_babe(rg, lower, upper, lw, cp, inv, off, ncell, g)


@numba.njit(cache=True, inline='always')
def sdirk_source(c, J, off, ncell, klo, khi, betaL, betaR, out):
    """``out = A c + J b`` [mol/m2/s]: :func:`diffusion_flux_apply` plus the interface sources
    of a fixed current J (J = 0 when the current is an unknown of the stages)."""
    diffusion_flux_apply(c, off, ncell, klo, khi, out)
    if J != 0.0:
        for p in range(off.size):
            out[off[p]] += J * betaL[p]
            out[off[p] + ncell[p] - 1] -= J * betaR[p]


@numba.njit(cache=True)
def run_step_sdirk4(mode, target, t_end, limit_kind, limit_value,
                    c, c_prev, eta, eta_prev, st, fh, eh, th,
                    cellf, layf, layi, stkf, stki, iff, ifi,
                    T, g_e, kappa_law, floor_rel, rtol, atol_c, atol_v, h_max, method,
                    dep_rel, on_dep, dep_armed, max_steps,
                    out_times, record_every, out, o_c, ev, spatial_order=2):
    """Integrate one protocol step like :func:`run_step`, with the SDIRK4 method.

    Same arguments, state ``st``, outputs and status codes as :func:`run_step` (``method``
    is ignored; ``c_prev``, ``eta_prev`` are only kept up to date), and ``spatial_order``:
    2 the finite volumes of the module docstring, 4 the fourth-order compact finite volumes
    of :func:`compact_mass` (uniform grids; face values :func:`face_value4`). The system
    integrated is the same index-1 DAE: ``M dc/dt = A c + J b`` (linear in c and J), double layers
    ``C deta/dt = J - jf(eta, c_face)`` (or ``jf = J`` without one) and the algebraic
    current equation (mode 0 with leakage: ``J + g_e V = target``; mode 1: ``V = target``).

    Method: the 5-stage, stiffly accurate, L-stable SDIRK of order 4 with an embedded
    third-order solution of Hairer & Wanner (Solving Ordinary Differential Equations II,
    2nd ed., Springer 1996, §IV.6, Table 6.5; :data:`SD4_A`, gamma = 1/4)::

        Y_i = y_n + sum_{j<=i} a_ij k_j,  k_j = h f(Y_j),  y_{n+1} = Y_5,
        err = sum_j (b_j - bhat_j) k_j

    Every stage is an implicit-Euler-like solve with step ``gamma h``: the tridiagonal
    ``M - gamma h A`` is factored once per attempted step and the stage concentrations are
    affine in the stage current (``Y_i = c_n + d_i + J_i g``), so the current equation of
    each stage is the scalar Newton iteration of :func:`run_step`; the algebraic variables
    (J, eta without double layer) use the same stage formula (the epsilon-embedding of
    Hairer-Wanner §VI.1). The error of the face concentrations (and of double-layer eta) is
    filtered by ``(M - gamma h A)^-1 M`` (resp. ``1/(1 + gamma h jf'/C)``) as in the code
    SDIRK4 and controlled in the max norm with ``atol_c c0 + rtol |c_face|``; step sizes
    ``h_new = h min(5, max(0.2, 0.9 err^(-1/4)))``. Outputs inside a step come from the
    third-order dense output :data:`SD4_DENSE` (stage increments only, so stiff components
    stay bounded); events (depletion, limits) are located by repeating the step with the
    Illinois bracket of :func:`run_step`.
    """
    P = layi.shape[1]
    K = eta.size
    npart = stkf.size + P + K
    r_fl, r_fr, r_eta, r_parts = 4, 4 + P, 4 + 2 * P, 4 + 2 * P + K
    status = _run_step_sdirk4(mode, target, t_end, limit_kind, limit_value, c, c_prev, eta, eta_prev, st, fh, eh,
                              th, cellf[0], cellf[1], cellf[2], layi[0], layi[1], layf[0], layf[1], layf[2], layf[3],
                              layf[4], layf[5], layf[6], layf[7], stkf, stki, ifi[0], iff[0], iff[1], ifi[1], ifi[2],
                              iff[2], iff[3], iff[4], T, g_e, kappa_law, floor_rel, rtol, atol_c, atol_v, h_max,
                              dep_rel, on_dep, dep_armed, max_steps, out_times, record_every,
                              out[0], out[2], out[1], out[3], o_c, out[r_eta:r_eta + K].T,
                              out[r_parts:r_parts + npart].T, out[r_fl:r_fl + P].T, out[r_fr:r_fr + P].T,
                              ev[0], ev[1], ev[2], ev[3], SD4_A, SD4_E, SD4_DENSE, spatial_order)
    st[17] = c.sum() + eta.sum()
    return status


@numba.njit(cache=True, inline='always')
def _sd_state(J, c, d, g, c_new, need_c, fl, fr, fl_h, fr_h, fl_g, fr_g, ikind, i0, alpha, ip, iside, cref,
              c0p, Cdl, floor_rel, T, gh, ebase, eta):
    """:func:`_state_at` for an SDIRK stage (a0 = 1, step ``gh``, the Newton guess in ``eta``),
    with at most 30 arguments so that numba inlines it: a call of a compiled function costs an
    atomic reference-count pair per array argument, which at five stages per step was most
    of a step's cost on small grids."""
    f = F / (R * T)
    P = fl.size
    if need_c:
        for i in range(c.size):
            c_new[i] = c[i] + (d[i] + J * g[i])
    for p in range(P):
        fl[p] = fl_h[p] + J * fl_g[p]
        fr[p] = fr_h[p] + J * fr_g[p]
    ok = True
    for k in range(ikind.size):
        i0k = i0[k]
        p = ip[k]
        if p >= 0 and (ikind[k] == 1 or ikind[k] == 2):
            cf = fl[p] if iside[k] == 0 else fr[p]
            fmin = floor_rel * c0p[p]
            if cf < fmin:
                cf = fmin
            i0k = i0k * concentration_factor(cf / cref[k], alpha[k])
        e, good = interface_eta(ikind[k], J, i0k, alpha[k], f, Cdl[k], 1.0, gh, ebase[k], eta[k])
        eta[k] = e
        ok = ok and good
    return ok


@numba.njit(cache=True)
def _run_step_sdirk4(mode, target, t_end, limit_kind, limit_value,
                     c, c_prev, eta, eta_prev, st, fh, eh, th,
                     vol, klo, khi, off, ncell, Dp, betaL, betaR, tminus, chi, c0p, kappa0, Lp,
                     layer_R, layer_poly, ikind, i0, alpha, ip, iside, cref, Rs, Cdl,
                     T, g_e, kappa_law, floor_rel, rtol, atol_c, atol_v, h_max,
                     dep_rel, on_dep, dep_armed, max_steps,
                     out_times, record_every,
                     o_t, o_Jext, o_J, o_V, o_c, o_eta, o_parts, o_fl, o_fr,
                     ev_kind, ev_t, ev_p, ev_side, A, E, D, spatial_order):
    """The time loop of :func:`run_step_sdirk4` on unpacked arrays (``st`` as in :func:`_run_step`).

    One function on purpose: every array view made inside the step loop (a row of a packed
    array, an argument of a helper numba does not inline) costs an atomic reference-count
    pair, which was a quarter of a step's time; the views are made once here."""
    N = c.size
    P = off.size
    K = eta.size
    nl = layer_R.size
    npart = nl + P + K
    ns = A.shape[0]
    gam = A[0, 0]
    f = F / (R * T)
    wN = np.empty((9, N))
    c_new, s, d, g, Acn = wN[0], wN[1], wN[2], wN[3], wN[4]
    KC = np.empty((ns, N))
    KE = np.zeros((ns, K))
    JS = np.empty(ns)
    LW = np.empty((2, ns))
    LJ = LW[0]
    wK = np.empty((3, K))
    eta_new = wK[0]
    wP = np.empty((6, P))
    fl, fr, fl_h, fr_h, fl_g, fr_g = wP[0], wP[1], wP[2], wP[3], wP[4], wP[5]
    parts = np.empty(npart)
    work = np.empty((8, N))
    w_low, w_diag, w_up, w_rhs, w_rg, w_cp, w_inv, w_lw = (work[0], work[1], work[2], work[3], work[4], work[5],
                                                           work[6], work[7])
    ebase = wK[1]
    eq = wK[2]
    H0, H1, H2 = wN[6], wN[7], wN[8]
    wts = LW[1]
    need_c = kappa_law == 1
    keep_c = o_c.shape[0] > 0  # (0, N): no profile rows kept (SolverOptions.profiles = False)
    c_out = np.empty(N)        # the output state then
    fixed_J = mode == 0 and g_e == 0.0
    rgam = 1.0 / gam
    cap = o_t.size
    ev_cap = ev_t.size
    J_src = target if mode == 0 and g_e == 0.0 else 0.0  # a fixed current goes into the source
    for q in range(N):
        g[q] = 0.0
    compact = spatial_order == 4
    mass = np.empty((3, N))
    ml, md, mu = mass[0], mass[1], mass[2]
    compact_mass(vol, off, ncell, spatial_order, ml, md, mu)

    t = st[0]
    h = st[1]
    J = st[4]
    sdirk_source(c, J_src, off, ncell, klo, khi, betaL, betaR, Acn)
    while True:
        if st[11] >= max_steps:
            return ST_MAXSTEPS
        remaining = t_end - t
        if remaining <= 1e-13 * max(abs(t_end), 1.0):
            st[0] = t
            st[4] = J
            return ST_END
        if h > h_max:
            h = h_max
        if h >= remaining or h * 1.25 > remaining:
            h = remaining
        ptr = int(st[7])
        need = 3
        while ptr < out_times.size and out_times[ptr] <= t + h:
            need += 1
            ptr += 1
        if int(st[6]) + need > cap or int(st[8]) + 2 * P + 1 > ev_cap:
            st[0] = t
            st[1] = h
            st[4] = J
            st[12] = need
            return ST_FULL
        nh = int(st[3])
        accepted = False
        event_found = -1
        h_try = h
        trk = -1
        b_lo = 0.0
        f_lo = 0.0
        b_hi = 0.0
        f_hi = 0.0
        f_start = 0.0
        f_near = 0.0
        side = 0
        jumped = False
        err = 0.0
        Jn = J
        V = 0.0
        for attempt in range(60):
            st[16] += 1
            # ---- one SDIRK4 step of size h_try: stages, end state (c_new, eta_new, fl, fr), J, V ----
            gh = gam * h_try
            # at a fixed current J b is in Acn and g = 0 (set by the caller): one solve per step less
            sdirk_factor(gh, ml, md, mu, klo, khi, off, ncell, betaL, betaR, w_low, w_diag, w_up, w_rg, w_cp, w_inv,
                         w_lw, g, not fixed_J)
            if compact:
                layer_faces4(g, vol, off, ncell, Dp, betaL, betaR, 1.0, fl_g, fr_g)
            else:
                layer_faces(g, vol, off, ncell, Dp, betaL, betaR, 1.0, fl_g, fr_g)
            Jn = J
            V = 0.0
            for k in range(K):
                eta_new[k] = eta[k]  # Newton guess of the first stage
            for i in range(ns):
                # explicit part of the stage: s = sum_{j<i} a_ij k_j
                for q in range(N):
                    s[q] = 0.0
                for k in range(K):
                    ebase[k] = eta[k]
                for j in range(i):
                    aij = A[i, j]
                    for q in range(N):
                        s[q] += aij * KC[j, q]
                    for k in range(K):
                        ebase[k] += aij * KE[j, k]
                # the stage solve M d = V s + gh (A c_n + J b) and its J = 0 faces (layer_faces), written out:
                # an inlined helper's array arguments cost atomic reference counts in this loop
                if compact:
                    mass_apply(ml, md, mu, s, off, ncell, w_rhs)
                    for q in range(N):
                        w_rhs[q] += gh * Acn[q]
                else:
                    for q in range(N):
                        w_rhs[q] = vol[q] * s[q] + gh * Acn[q]
                tri_solve_babe(w_rhs, w_low, w_up, w_lw, w_cp, w_inv, off, ncell, d)
                for q in range(N):
                    c_new[q] = c[q] + d[q]
                for p in range(P):
                    a_ = off[p]
                    b_ = a_ + ncell[p] - 1
                    if compact:
                        fl_h[p] = face_value4(c_new[a_], c_new[a_ + 1], c_new[a_ + 2], vol[a_], 0.0)
                        fr_h[p] = face_value4(c_new[b_], c_new[b_ - 1], c_new[b_ - 2], vol[b_], 0.0)
                    else:
                        fl_h[p] = face_value(c_new[a_], c_new[a_ + 1], vol[a_], vol[a_ + 1], 0.0)
                        fr_h[p] = face_value(c_new[b_], c_new[b_ - 1], vol[b_], vol[b_ - 1], 0.0)
                ok = True
                if fixed_J:
                    Jn = target
                    # _sd_state written out (g = 0 here: c_new = c + d is the stage already)
                    for p in range(P):
                        fl[p] = fl_h[p] + Jn * fl_g[p]
                        fr[p] = fr_h[p] + Jn * fr_g[p]
                    for k in range(K):
                        i0k = i0[k]
                        p = ip[k]
                        if p >= 0 and (ikind[k] == 1 or ikind[k] == 2):
                            cf = fl[p] if iside[k] == 0 else fr[p]
                            fmin = floor_rel * c0p[p]
                            if cf < fmin:
                                cf = fmin
                            i0k = i0k * concentration_factor(cf / cref[k], alpha[k])
                        e_k, good = interface_eta(ikind[k], Jn, i0k, alpha[k], f, Cdl[k], 1.0, gh, ebase[k],
                                                  eta_new[k])
                        eta_new[k] = e_k
                        ok = ok and good
                    if i == ns - 1:
                        V = voltage_parts(c_new, fl, fr, Jn, eta_new, T, vol, off, ncell, tminus, chi, c0p, kappa0,
                                          Lp, kappa_law, layer_R, layer_poly, Rs, floor_rel, parts)
                else:
                    conv = False
                    for it in range(60):
                        ok = _sd_state(Jn, c, d, g, c_new, need_c, fl, fr, fl_h, fr_h, fl_g, fr_g, ikind, i0, alpha,
                                       ip, iside, cref, c0p, Cdl, floor_rel, T, gh, ebase, eta_new)
                        V = voltage_parts(c_new, fl, fr, Jn, eta_new, T, vol, off, ncell, tminus, chi, c0p,
                                          kappa0, Lp, kappa_law, layer_R, layer_poly, Rs, floor_rel, parts)
                        if mode == 1:
                            r = V - target
                        else:
                            r = Jn + g_e * V - target
                        dVdJ = voltage_slope(Jn, c_new, g, fl, fr, fl_g, fr_g, eta_new, T, vol, off, ncell, tminus,
                                             chi, c0p, kappa0, Lp, kappa_law, layer_R, layer_poly, ikind, i0, alpha,
                                             ip, iside, cref, Rs, Cdl, floor_rel, 1.0 / gh)
                        dr = dVdJ if mode == 1 else 1.0 + g_e * dVdJ
                        if not (dr > 0.0) or not math.isfinite(dr):
                            ok = False
                            break
                        step = -r / dr
                        Jn += step
                        r_tol = 1e-14 * (abs(V) + abs(target)) if mode == 1 else 1e-14 * (abs(Jn) + abs(target))
                        if abs(step) <= 1e-12 * abs(Jn) + 1e-14 or abs(r) <= r_tol:
                            conv = True
                            break
                    if not conv:
                        ok = False
                    ok_end = _sd_state(Jn, c, d, g, c_new, True, fl, fr, fl_h, fr_h, fl_g, fr_g, ikind, i0, alpha, ip,
                                       iside, cref, c0p, Cdl, floor_rel, T, gh, ebase, eta_new)
                    ok = ok and ok_end
                    if i == ns - 1:
                        V = voltage_parts(c_new, fl, fr, Jn, eta_new, T, vol, off, ncell, tminus, chi, c0p, kappa0,
                                          Lp, kappa_law, layer_R, layer_poly, Rs, floor_rel, parts)
                if not ok:
                    break
                # stage increments k_i = (Y_i - y_n - s_i) / gamma
                for q in range(N):
                    KC[i, q] = (d[q] + Jn * g[q] - s[q]) * rgam
                for k in range(K):
                    KE[i, k] = (eta_new[k] - ebase[k]) / gam
                JS[i] = Jn
            ok = ok and math.isfinite(V)
            if not ok:
                if h_try < 1e-14 * max(t, 1.0):
                    return ST_NEWTON
                h_try *= 0.25
                trk = -1
                jumped = False
                continue
            # ---- embedded error estimate, filtered by (M - gamma h A)^-1 M (faces, double layers) ----
            for q in range(N):
                s[q] = 0.0
            for j in range(ns):
                ej = E[j]
                if ej != 0.0:
                    for q in range(N):
                        s[q] += ej * KC[j, q]
            if compact:
                mass_apply(ml, md, mu, s, off, ncell, w_rhs)
                tri_solve_babe(w_rhs, w_low, w_up, w_lw, w_cp, w_inv, off, ncell, d)
                layer_faces4(d, vol, off, ncell, Dp, betaL, betaR, 0.0, fl_h, fr_h)
            else:
                for q in range(N):
                    s[q] *= vol[q]
                tri_solve_babe(s, w_low, w_up, w_lw, w_cp, w_inv, off, ncell, d)
                layer_faces(d, vol, off, ncell, Dp, betaL, betaR, 0.0, fl_h, fr_h)
            err = 0.0
            for j in range(2 * P):
                if dep_armed[j] == 0:
                    continue  # a depleted face (on_depletion = continue) is not controlled
                p = j if j < P else j - P
                y = fl[p] if j < P else fr[p]
                ey = fl_h[p] if j < P else fr_h[p]
                e = abs(ey) / (atol_c * c0p[p] + rtol * abs(y))
                if e > err:
                    err = e
            for k in range(K):
                if Cdl[k] == 0.0:
                    continue
                ek = 0.0
                for j in range(ns):
                    ek += E[j] * KE[j, k]
                i0k = i0[k]
                p = ip[k]
                if p >= 0 and (ikind[k] == 1 or ikind[k] == 2):
                    cf = fl[p] if iside[k] == 0 else fr[p]
                    fmin = floor_rel * c0p[p]
                    if cf < fmin:
                        cf = fmin
                    i0k = i0k * concentration_factor(cf / cref[k], alpha[k])
                jf, dj = faradaic(ikind[k], eta_new[k], i0k, alpha[k], f)
                ek = ek / (1.0 + gam * h_try * dj / Cdl[k])
                e = abs(ek) / (atol_v + rtol * abs(eta_new[k]))
                if e > err:
                    err = e
            if not math.isfinite(err):
                err = 1e10
            if err > 1.0 and event_found < 0:
                fac_h = 0.9 * err ** (-0.25)
                if fac_h < 0.2:
                    fac_h = 0.2
                h_try *= fac_h
                trk = -1
                jumped = False
                if h_try < 1e-15 * max(t, 1.0) + 1e-300:
                    return ST_SMALL
                continue
            # ---- events: depletion, limits (as in _run_step) ----
            cand, cand_val, cand_old = event_candidate(fl, fr, fh, dep_armed, P, dep_rel, c0p, limit_kind, limit_value,
                                                       st, V, Jn, g_e)
            if cand >= 0 and cand != trk:
                trk = cand
                b_lo, f_lo, f_start, f_near = 0.0, cand_old, cand_old, cand_old
                b_hi, f_hi = h_try, cand_val
                side = 0
            elif cand >= 0:
                b_hi, f_hi = h_try, cand_val
                if side == 1:
                    f_lo *= 0.5
                side = 1
            elif trk >= 0 and attempt < 55:
                f_lo = event_value(trk, fl, fr, P, dep_rel, c0p, limit_kind, limit_value, st[14], V, Jn, g_e)
                f_near = f_lo
                b_lo = h_try
                if side == -1:
                    f_hi *= 0.5
                side = -1
            if cand >= 0 and (abs(cand_val) <= 1e-9 * (abs(f_near) + abs(cand_val)) or attempt >= 55
                              or h_try < 1e-12 or jumped):
                event_found = cand
            elif cand >= 0 and not (f_start * cand_val < 0.0):
                h_try = stalled_secant_step(h_try, f_start, cand_val, t, attempt)
                jumped = True
                continue
            elif jumped:
                pass
            elif trk >= 0 and (cand >= 0 or attempt < 55):
                h_new = illinois_point(b_lo, f_lo, b_hi, f_hi)
                if cand >= 0 and abs(h_new - h_try) <= 1e-12 * max(t, 1.0):
                    event_found = cand
                elif b_hi - b_lo <= 1e-12 * max(t, 1.0) and cand < 0:
                    h_try = b_hi
                    continue
                else:
                    h_try = h_new
                    continue
            accepted = True
            break
        if not accepted:
            return ST_SMALL
        # ---- accept: outputs at requested times inside (t_old, t_new] from the dense output ----
        t_old = t
        t_new = t + h_try
        ptr = int(st[7])
        n_out = int(st[6])
        if nh >= 2 and not fixed_J:
            # the current as a stage variable: J_i = J_n + sum_{j<=i} a_ij l_j
            for i in range(ns):
                acc = JS[i] - J
                for j in range(i):
                    acc -= A[i, j] * LJ[j]
                LJ[i] = acc / gam
        J_out = J
        if fixed_J or nh < 2:  # a held current (or the first step after a jump): J_end throughout
            J_out = Jn
            for i in range(ns):
                LJ[i] = 0.0
        # outputs at the requested times in (t_old, t_new] from the dense output, in Horner form
        # c(theta) = c_n + theta (H0 + theta (H1 + theta H2)), H_m = sum_j D[j, m] k_j
        if ptr < out_times.size and out_times[ptr] <= t_new * (1.0 + 1e-14):
            for q in range(N):
                H0[q] = 0.0
                H1[q] = 0.0
                H2[q] = 0.0
            for j in range(ns):
                d0, d1, d2 = D[j, 0], D[j, 1], D[j, 2]
                for q in range(N):
                    kq = KC[j, q]
                    H0[q] += d0 * kq
                    H1[q] += d1 * kq
                    H2[q] += d2 * kq
        while ptr < out_times.size and out_times[ptr] <= t_new * (1.0 + 1e-14):
            tq = out_times[ptr]
            if tq > t_old:
                theta = (tq - t_old) / h_try
                if theta > 1.0:
                    theta = 1.0
                sdirk4_dense_weights(theta, D, wts)
                Jq = J_out
                for j in range(ns):
                    Jq += wts[j] * LJ[j]
                orow = o_c[n_out] if keep_c else c_out
                for q in range(N):
                    orow[q] = c[q] + theta * (H0[q] + theta * (H1[q] + theta * H2[q]))
                for k in range(K):
                    acc = eta[k]
                    for j in range(ns):
                        acc += wts[j] * KE[j, k]
                    eq[k] = acc
                    o_eta[n_out, k] = acc
                for p in range(P):  # layer_faces, written out (see the stage loop)
                    a_ = off[p]
                    b_ = a_ + ncell[p] - 1
                    if compact:
                        fl_h[p] = face_value4(orow[a_], orow[a_ + 1], orow[a_ + 2], vol[a_], -betaL[p] * Jq / Dp[p])
                        fr_h[p] = face_value4(orow[b_], orow[b_ - 1], orow[b_ - 2], vol[b_], betaR[p] * Jq / Dp[p])
                    else:
                        fl_h[p] = face_value(orow[a_], orow[a_ + 1], vol[a_], vol[a_ + 1], -betaL[p] * Jq / Dp[p])
                        fr_h[p] = face_value(orow[b_], orow[b_ - 1], vol[b_], vol[b_ - 1], betaR[p] * Jq / Dp[p])
                # voltage_parts, written out into the output row (see the stage loop)
                Vq = 0.0
                for l_ in range(nl):
                    p = layer_poly[l_]
                    if p < 0:
                        v = Jq * layer_R[l_]
                    elif kappa_law == 0:
                        v = Jq * Lp[p] / kappa0[p]
                    else:
                        sk = 0.0
                        flo = floor_rel * c0p[p]
                        for q in range(off[p], off[p] + ncell[p]):
                            ci = orow[q] if orow[q] > flo else flo
                            sk += vol[q] * c0p[p] / ci
                        v = Jq * sk / kappa0[p]
                    o_parts[n_out, l_] = v
                    Vq += v
                for p in range(P):
                    flo = floor_rel * c0p[p]
                    av = fl_h[p] if fl_h[p] > flo else flo
                    bv = fr_h[p] if fr_h[p] > flo else flo
                    v = 2.0 * R * T / F * tminus[p] * chi[p] * math.log(av / bv)
                    o_parts[n_out, nl + p] = v
                    Vq += v
                for k in range(K):
                    v = eq[k] + Jq * Rs[k]
                    o_parts[n_out, nl + P + k] = v
                    Vq += v
                for p in range(P):
                    o_fl[n_out, p] = fl_h[p]
                    o_fr[n_out, p] = fr_h[p]
                o_t[n_out] = tq
                o_J[n_out] = Jq
                o_Jext[n_out] = Jq + g_e * Vq
                o_V[n_out] = Vq
                n_out += 1
            ptr += 1
        for q in range(N):
            c_prev[q] = c[q]
            c[q] = c_new[q]
        for k in range(K):
            eta_prev[k] = eta[k]
            eta[k] = eta_new[k]
        sdirk_source(c, J_src, off, ncell, klo, khi, betaL, betaR, Acn)
        for r_ in range(2):
            th[r_] = th[r_ + 1]
            for j in range(2 * P):
                fh[r_, j] = fh[r_ + 1, j]
            for k in range(K):
                eh[r_, k] = eh[r_ + 1, k]
        th[2] = t_new
        for p in range(P):
            fh[2, p] = fl[p]
            fh[2, P + p] = fr[p]
        for k in range(K):
            eh[2, k] = eta_new[k]
        st[9] = t_old
        st[5] = J if nh >= 2 else Jn
        J = Jn
        st[2] = h_try
        st[3] = min(nh + 1, 3)
        st[11] += 1
        st[13] = V
        st[10] = Jn + g_e * V
        t = t_new
        st[0] = t
        st[4] = J
        st[7] = ptr
        for j in range(2 * P):
            p = j if j < P else j - P
            y = fl[p] if j < P else fr[p]
            if dep_armed[j] == 0 and y > 10.0 * dep_rel * c0p[p]:
                dep_armed[j] = 1
        if record_every or event_found >= 0 or t_end - t <= 1e-13 * max(abs(t_end), 1.0):
            if n_out == int(st[15]) or o_t[n_out - 1] < t * (1.0 - 1e-15) - 1e-300:
                if keep_c:
                    for q in range(N):
                        o_c[n_out, q] = c[q]
                for k in range(K):
                    o_eta[n_out, k] = eta[k]
                V_end = voltage_parts(c, fl, fr, J, eta, T, vol, off, ncell, tminus, chi, c0p, kappa0, Lp,
                                      kappa_law, layer_R, layer_poly, Rs, floor_rel, parts)
                for q in range(npart):
                    o_parts[n_out, q] = parts[q]
                for p in range(P):
                    o_fl[n_out, p] = fl[p]
                    o_fr[n_out, p] = fr[p]
                o_t[n_out] = t
                o_J[n_out] = J
                o_Jext[n_out] = st[10]
                o_V[n_out] = V_end
                n_out += 1
        st[6] = n_out
        # step-size proposal (order of the embedded solution + 1 = 4)
        if err > 0.0:
            fac_h = 0.9 * err ** (-0.25)
        else:
            fac_h = 5.0
        if fac_h > 5.0:
            fac_h = 5.0
        if fac_h < 0.2:
            fac_h = 0.2
        h = h_try * fac_h
        st[1] = h
        if event_found >= 0:
            if event_found < 100:
                j = event_found
                ne = int(st[8])
                ev_kind[ne] = 0
                ev_t[ne] = t
                ev_p[ne] = j if j < P else j - P
                ev_side[ne] = 0 if j < P else 1
                st[8] = ne + 1
                dep_armed[j] = 0
                if on_dep == 0:
                    return ST_DEPLETION
            else:
                return ST_LIMIT


# the numba cache of this module: the exact steps call log_row of cellsim/_kernels.py; numba would not notice edits there
refresh_cache(run_modal_step._cache._cache_path, _shared_kernels.__file__)
