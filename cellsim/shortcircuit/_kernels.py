"""numba kernels of the short-circuit model (physics.md §2.1.3) and the compiled step-up engine.

Functions of scalars and arrays only; :mod:`cellsim.shortcircuit.margins` and
:mod:`cellsim.shortcircuit.compiled` validate and name things. Every kernel has a NumPy or
Python reference in ``tests/shortcircuit/test_kernels.py``, ``test_feedback_kernels.py`` and
``test_compiled.py`` (:func:`step_up` against ``ccd._simulate``).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .. import _kernels as _shared_kernels
from .._kernels import refresh_cache
from ..transport import _kernels as TK

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


# ======================================================================================
# The compiled step-up protocol (one call per cell; reference: ccd._simulate / _Tracker)
# ======================================================================================
#
# Named state. Each front (row 0 left, row 1 right) is a row of ``fs`` with the fields FR_*
# (NaN stands for None); the layers it has crossed are ``span_i[f, :fs[f, FR_NSPAN]]``
# with how they were crossed in ``span_how`` (HOW_OWN: the layer's own way, ``_Layers.how``;
# HOW_CRACK: "crack"). The layers are the columns of ``lyf`` (rows LY_*), the scalars of the
# model the entries of ``prmf`` (PR_*). Events go to the rows of ``evl`` (EV_* codes; columns
# time, layer, front, then up to four numbers) and are turned into dicts in Python.
# The fronts' feedback on the solver (``ccd._feed_back``) changes the transport problem between
# samples: :func:`_feed_back` sets the leak conductance (``pb[PB_G_E]``, from :func:`leak_asr`)
# and regrids the polymer layers ahead of the dendrites (:func:`set_fronts` on the kernel's
# copies of ``cellf``/``layf``, the state remapped, :func:`fast_scale` recomputed);
# :func:`_fb_half_cycle` runs a half cycle in one piece or sample by sample as ``ccd._half_cycle``.
# A later mechanism is one more small function called from ``_process`` (next to ``_chemical``,
# ``_contact``, ``_grow``) or, where it changes the solver, from ``_feed_back``; its numbers go
# in new LY_*/PR_* rows.
FR_LAYER, FR_DEPTH, FR_NUC, FR_CONTACT, FR_RC, FR_VOID, FR_CRACK_OPEN, FR_CRACK_DEPTH, FR_CHEM_DEPTH, \
    FR_PRESSED, FR_SHARE, FR_NSPAN, FR_STEP = range(13)
N_FR = 13
LY_L, LY_KIND, LY_VCOEF, LY_C0, LY_K, LY_LAW, LY_PATH_RES, LY_ETA_CRIT, LY_SUPPRESSED, LY_TIP_RC_L, LY_TIP_SH_L, \
    LY_TIP_HAS_L, LY_TIP_RC_R, LY_TIP_SH_R, LY_TIP_HAS_R, LY_POLY, LY_OWN_SKIP, LY_OWN_CRACK, LY_RHO_E, \
    LY_RHO_INT = range(20)
N_LY = 20
PR_RC_TIP, PR_A_REST, PR_J_VOID, PR_V_FIL, PR_DEAD, PR_NUC_THR, PR_ASPERITY, PR_FOCUSING, PR_V_LIMIT, PR_SOFT, \
    PR_HARD, PR_CONTACT_FRACTION, PR_R_STACK, PR_OMEGA, PR_F, PR_LEAK_RTOL = range(16)
N_PR = 16
#: layer kinds (ccd._POLY ...)
K_POLY, K_GROW, K_INTRINSIC, K_CRACK, K_BLOCKED = 0, 1, 2, 3, 4
HOW_OWN, HOW_CRACK = 0, 1
EV_CROSSED, EV_VOID, EV_NUCLEATION, EV_MET, EV_CRACK, EV_SHORT, EV_LEAK = range(7)
N_EV = 8
#: result kinds
RES_NONE, RES_POLARIZATION, RES_SOFT, RES_HARD, RES_LEAK = 0, 1, 2, 3, 4
#: run status (a solver failure: its ST_* code is returned as well)
#: ``info[1]`` of :func:`_half_cycle` for a non-finite state (the ST_* codes of a failure are < 0)
RUN_NONFINITE_STATUS = 99.0


@numba.njit(cache=True)
def _log(evl, nev, code, t, layer, front, a, b, c, d):
    """Append one event row (the log is sized for the whole protocol by the caller)."""
    k = nev[0]
    evl[k, 0] = code
    evl[k, 1] = t
    evl[k, 2] = layer
    evl[k, 3] = front
    evl[k, 4] = a
    evl[k, 5] = b
    evl[k, 6] = c
    evl[k, 7] = d
    nev[0] = k + 1


@numba.njit(cache=True)
def _met(fs, lyf, met_time):
    """The fronts have met (or met earlier): ``_Tracker.met``."""
    if not math.isnan(met_time[0]):
        return True
    la = int(fs[0, FR_LAYER])
    lb = int(fs[1, FR_LAYER])
    if la > lb:
        return True
    if la == lb:
        return fs[0, FR_DEPTH] + fs[1, FR_DEPTH] >= lyf[LY_L, la] * (1 - 1e-12)
    return False


@numba.njit(cache=True)
def _mark_met(met_time, t):
    if math.isnan(met_time[0]):
        met_time[0] = t


@numba.njit(cache=True)
def _advance_layer(f, fs, span_i, span_how, lyf, prmf, met_time, t, how, evl, nev):
    """Front ``f`` has crossed its layer at time ``t`` [s] (``_Tracker._advance_layer``)."""
    n = lyf.shape[1]
    i = int(fs[f, FR_LAYER])
    m = int(fs[f, FR_NSPAN])
    span_i[f, m] = i
    span_how[f, m] = how
    fs[f, FR_NSPAN] = m + 1
    _log(evl, nev, EV_CROSSED, t, i, f, how, 0.0, 0.0, 0.0)
    nl = i + int(fs[f, FR_STEP])
    fs[f, FR_LAYER] = nl
    fs[f, FR_DEPTH] = 0.0
    fs[f, FR_NUC] = 0.0
    fs[f, FR_VOID] = 0.0
    fs[f, FR_CRACK_DEPTH] = 0.0
    fs[f, FR_CHEM_DEPTH] = 0.0
    fs[f, FR_CRACK_OPEN] = 0.0
    inside = 0 <= nl < n
    fs[f, FR_RC] = prmf[PR_RC_TIP]
    fs[f, FR_SHARE] = 1.0
    if inside:
        if f == 0 and lyf[LY_TIP_HAS_L, nl] > 0.0:
            fs[f, FR_RC] = lyf[LY_TIP_RC_L, nl]
            fs[f, FR_SHARE] = lyf[LY_TIP_SH_L, nl]
        elif f == 1 and lyf[LY_TIP_HAS_R, nl] > 0.0:
            fs[f, FR_RC] = lyf[LY_TIP_RC_R, nl]
            fs[f, FR_SHARE] = lyf[LY_TIP_SH_R, nl]
    fs[f, FR_PRESSED] = 0.0
    fs[f, FR_CONTACT] = t if inside and int(lyf[LY_KIND, nl]) != K_POLY else math.nan
    if _met(fs, lyf, met_time) or not inside:
        _mark_met(met_time, t)


@numba.njit(cache=True)
def _chemical(f, fs, span_i, span_how, lyf, prmf, met_time, t0, t1, evl, nev):
    """Interphase growth from a contact, both half cycles (``_Tracker._chemical``)."""
    n = lyf.shape[1]
    while True:
        i = int(fs[f, FR_LAYER])
        if not (0 <= i < n) or math.isnan(fs[f, FR_CONTACT]):
            return
        kind = int(lyf[LY_KIND, i])
        if kind != K_GROW and kind != K_INTRINSIC:
            return
        contact = fs[f, FR_CONTACT]
        if kind == K_INTRINSIC:
            fs[f, FR_DEPTH] = lyf[LY_L, i]
            _advance_layer(f, fs, span_i, span_how, lyf, prmf, met_time, max(contact, t0), HOW_OWN, evl, nev)
            continue
        k = lyf[LY_K, i]
        tc_ = max(t1 - contact, 0.0)
        x = math.sqrt(k * tc_) if lyf[LY_LAW, i] == 0.0 else k * tc_
        L = lyf[LY_L, i]
        if x >= L:
            tcross = contact + (L * L / k if lyf[LY_LAW, i] == 0.0 else L / k)
            fs[f, FR_DEPTH] = L
            _advance_layer(f, fs, span_i, span_how, lyf, prmf, met_time, tcross, HOW_OWN, evl, nev)
            continue
        fs[f, FR_CHEM_DEPTH] = x
        fs[f, FR_DEPTH] = max(x, fs[f, FR_CRACK_DEPTH])
        return


@numba.njit(cache=True)
def _contact(f, fs, lyf, prmf, void_seen, j_strip, t0, dt, evl, nev):
    """Voids under an electrode foil pressed on a ceramic (``_Tracker._contact``)."""
    n = lyf.shape[1]
    i = int(fs[f, FR_LAYER])
    if fs[f, FR_PRESSED] == 0.0 or math.isnan(fs[f, FR_CONTACT]) or not (0 <= i < n) \
            or int(lyf[LY_KIND, i]) == K_POLY:
        return
    jv = prmf[PR_J_VOID]
    if j_strip > jv:
        fs[f, FR_VOID] += prmf[PR_OMEGA] * (j_strip - jv) / prmf[PR_F] * dt
        if void_seen[f, i] == 0:
            void_seen[f, i] = 1
            _log(evl, nev, EV_VOID, t0, i, f, j_strip, jv, 0.0, 0.0)
    elif fs[f, FR_VOID] > 0:
        fs[f, FR_VOID] = max(0.0, fs[f, FR_VOID] - prmf[PR_OMEGA] * jv / prmf[PR_F] * dt)


@numba.njit(cache=True)
def _dissolve(f, fs, lyf, prmf, j, dt):
    """A polymer dendrite dissolves back on stripping (``_Tracker._dissolve``)."""
    n = lyf.shape[1]
    i = int(fs[f, FR_LAYER])
    if 0 <= i < n and int(lyf[LY_KIND, i]) == K_POLY:
        fs[f, FR_NUC] = 0.0
        if fs[f, FR_DEPTH] > 0:
            fs[f, FR_DEPTH] = max(0.0, fs[f, FR_DEPTH] - (1.0 - prmf[PR_DEAD]) * lyf[LY_VCOEF, i] * j * dt)


@numba.njit(cache=True)
def _nucleate(f, i, fs, lyf, prmf, j, t0, t1, tnow, k, face_l, face_r, dep_t, dep_p, dep_side, n_dep, evl, nev):
    """Sand nucleation at the plating face of polymer layer i; the time, or NaN (``_Tracker._nucleate``)."""
    p = int(lyf[LY_POLY, i])
    c = face_r[p] if f == 1 else face_l[p]
    level = prmf[PR_NUC_THR] * lyf[LY_C0, i]
    if c[k] >= level:
        return math.nan
    tev = math.nan
    for e in range(n_dep):
        te = dep_t[e]
        if dep_p[e] == p and dep_side[e] == f and t0 - 1e-9 <= te <= t1 + 1e-9:
            tev = te
            break
    if math.isnan(tev):
        y0 = c[k - 1]
        y1 = c[k]
        if y1 == y0:
            tev = t1
        else:
            tev = t0 + (t1 - t0) * min(max((y0 - level) / (y0 - y1), 0.0), 1.0)
    tn = tev if not (tnow > tev) else tnow
    fs[f, FR_NUC] = 1.0
    _log(evl, nev, EV_NUCLEATION, tn, i, f, j, 0.0, 0.0, 0.0)
    return tn


@numba.njit(cache=True)
def _grow_polymer(f, i, fs, span_i, span_how, lyf, prmf, met_time, j, tnow, t1, evl, nev):
    """Dendrite growth in polymer layer i; the time reached, or NaN to stop (``_Tracker._grow_polymer``)."""
    L = lyf[LY_L, i]
    v = lyf[LY_VCOEF, i] * j
    o = 1 - f
    reach = L - (fs[o, FR_DEPTH] if int(fs[o, FR_LAYER]) == i else 0.0)
    need = (reach - fs[f, FR_DEPTH]) / v if v > 0 else math.inf
    if tnow + need <= t1:
        tnow += max(need, 0.0)
        fs[f, FR_DEPTH] = reach
        if reach < L * (1 - 1e-12):
            _mark_met(met_time, tnow)
            _log(evl, nev, EV_MET, tnow, i, f, 0.0, 0.0, 0.0, 0.0)
            return math.nan
        _advance_layer(f, fs, span_i, span_how, lyf, prmf, met_time, tnow, HOW_OWN, evl, nev)
        return tnow
    fs[f, FR_DEPTH] += v * (t1 - tnow)
    return math.nan


@numba.njit(cache=True)
def _crack(f, i, fs, span_i, span_how, lyf, prmf, met_time, j, tnow, t1, evl, nev):
    """Crack initiation under the contact, then the filament; the time reached or NaN (``_Tracker._crack``)."""
    L = lyf[LY_L, i]
    if fs[f, FR_CRACK_OPEN] == 0.0:
        a = prmf[PR_A_REST] * math.exp(-fs[f, FR_VOID] / prmf[PR_ASPERITY])
        e = prmf[PR_FOCUSING] * j * fs[f, FR_RC] / a
        if e < lyf[LY_ETA_CRIT, i]:
            return math.nan
        fs[f, FR_CRACK_OPEN] = 1.0
        _log(evl, nev, EV_CRACK, tnow, i, f, e, lyf[LY_ETA_CRIT, i], a, j)
    v = prmf[PR_V_FIL] * j * fs[f, FR_SHARE]
    need = (L - fs[f, FR_CRACK_DEPTH]) / v if v > 0 else math.inf
    if tnow + need <= t1:
        tnow += max(need, 0.0)
        fs[f, FR_CRACK_DEPTH] = L
        fs[f, FR_DEPTH] = L
        _advance_layer(f, fs, span_i, span_how, lyf, prmf, met_time, tnow, HOW_CRACK, evl, nev)
        return tnow
    fs[f, FR_CRACK_DEPTH] += v * (t1 - tnow)
    fs[f, FR_DEPTH] = max(fs[f, FR_CHEM_DEPTH], fs[f, FR_CRACK_DEPTH])
    if _met(fs, lyf, met_time):
        _mark_met(met_time, t1)
    return math.nan


@numba.njit(cache=True)
def _grow(f, fs, span_i, span_how, lyf, prmf, met_time, j, t0, t1, k, face_l, face_r, dep_t, dep_p, dep_side,
          n_dep, evl, nev):
    """The plating front advances over one sample interval (``_Tracker._grow``)."""
    n = lyf.shape[1]
    tnow = t0
    while not math.isnan(tnow) and tnow < t1:
        i = int(fs[f, FR_LAYER])
        if not (0 <= i < n):
            return
        if int(lyf[LY_KIND, i]) == K_POLY:
            if lyf[LY_SUPPRESSED, i] > 0.0:
                return
            if fs[f, FR_NUC] == 0.0:
                tnow = _nucleate(f, i, fs, lyf, prmf, j, t0, t1, tnow, k, face_l, face_r, dep_t, dep_p, dep_side,
                                 n_dep, evl, nev)
                if math.isnan(tnow):
                    return
            tnow = _grow_polymer(f, i, fs, span_i, span_how, lyf, prmf, met_time, j, tnow, t1, evl, nev)
            continue
        if not math.isfinite(lyf[LY_ETA_CRIT, i]):
            return
        tnow = _crack(f, i, fs, span_i, span_how, lyf, prmf, met_time, j, tnow, t1, evl, nev)


@numba.njit(cache=True)
def _record(fs, span_i, lyf, dl, dr, k):
    """Depth of each front in each layer at sample k (``_Tracker._record``)."""
    n = lyf.shape[1]
    for f in range(2):
        d = dl if f == 0 else dr
        for m in range(int(fs[f, FR_NSPAN])):
            i = span_i[f, m]
            d[k, i] = lyf[LY_L, i]
        i = int(fs[f, FR_LAYER])
        if 0 <= i < n:
            d[k, i] = fs[f, FR_DEPTH]


@numba.njit(cache=True)
def _process(fs, span_i, span_how, lyf, prmf, met_time, void_seen, t, J, face_l, face_r, dep_t, dep_p, dep_side,
             n_dep, dl, dr, evl, nev):
    """Both fronts over the samples of one half cycle; the sample where they met or -1
    (``_Tracker.process``)."""
    n = lyf.shape[1]
    nt = t.size
    met_at = -1
    for k in range(1, nt):
        t0 = t[k - 1]
        t1 = t[k]
        dt = t1 - t0
        j = 0.5 * (J[k - 1] + J[k])
        if dt <= 0:
            _record(fs, span_i, lyf, dl, dr, k)
            continue
        plating = 1 if j > 0 else 0 if j < 0 else -1
        stripping = 0 if j > 0 else 1 if j < 0 else -1
        for f in range(2):
            _chemical(f, fs, span_i, span_how, lyf, prmf, met_time, t0, t1, evl, nev)
            _contact(f, fs, lyf, prmf, void_seen, abs(j) if f == stripping else 0.0, t0, dt, evl, nev)
        if stripping >= 0:
            _dissolve(stripping, fs, lyf, prmf, abs(j), dt)
        if plating >= 0:
            _grow(plating, fs, span_i, span_how, lyf, prmf, met_time, abs(j), t0, t1, k, face_l, face_r, dep_t,
                  dep_p, dep_side, n_dep, evl, nev)
        _record(fs, span_i, lyf, dl, dr, k)
        if _met(fs, lyf, met_time) or int(fs[0, FR_LAYER]) >= n or int(fs[1, FR_LAYER]) < 0:
            met_at = k
            for kk in range(k + 1, nt):
                _record(fs, span_i, lyf, dl, dr, kk)
            break
    _record(fs, span_i, lyf, dl, dr, 0)
    return met_at


@numba.njit(cache=True)
def _how_in_layer(f, fs, lyf):
    """What front f is made of in its layer: -1 nothing, HOW_OWN or HOW_CRACK (``_Tracker._how_in_layer``)."""
    if fs[f, FR_DEPTH] <= 0:
        return -1
    i = int(fs[f, FR_LAYER])
    if int(lyf[LY_KIND, i]) == K_POLY:
        return HOW_OWN
    return HOW_CRACK if fs[f, FR_CRACK_DEPTH] >= fs[f, FR_CHEM_DEPTH] else HOW_OWN


@numba.njit(cache=True)
def path_resistance(fs, span_i, span_how, lyf, prmf):
    """ASR of the electronic path the fronts span [ohm m2] (``_Tracker.path``).

    Per spanned layer (the right front's entry replacing the left's, in the order first
    crossed): nothing for a Li dendrite or a crack filament, ``L / sigma_path`` otherwise; in
    the layer where the fronts met, the part not crossed by a filament when one of them is a
    crack; the sum divided by the contact fraction.
    """
    n = lyf.shape[1]
    code = np.full(n, -1, dtype=np.int64)     # 0 own how, 1 crack, 2 met layer mask
    mask = np.zeros(n, dtype=np.int64)
    order = np.empty(n + 1, dtype=np.int64)
    n_ord = 0
    for f in range(2):
        for m in range(int(fs[f, FR_NSPAN])):
            i = span_i[f, m]
            if code[i] < 0:
                order[n_ord] = i
                n_ord += 1
            code[i] = span_how[f, m]
    la = int(fs[0, FR_LAYER])
    if la == int(fs[1, FR_LAYER]) and 0 <= la < n and code[la] < 0:
        for f in range(2):
            h = _how_in_layer(f, fs, lyf)
            if h >= 0:
                mask[la] |= 1 << h
        code[la] = 2
        order[n_ord] = la
        n_ord += 1
    r = 0.0
    for q in range(n_ord):
        i = order[q]
        if code[i] == 2:
            m = mask[i]
            if m == 0:     # an empty description: resists like the layer ("" is neither dendrite nor crack)
                skip, crack = False, False
            elif m == 1 << HOW_CRACK:
                skip, crack = True, True
            elif m == 1 << HOW_OWN:
                skip, crack = lyf[LY_OWN_SKIP, i] > 0.0, lyf[LY_OWN_CRACK, i] > 0.0
            elif lyf[LY_OWN_SKIP, i] > 0.0 and lyf[LY_OWN_CRACK, i] > 0.0:   # own way is "crack": one word
                skip, crack = True, True
            else:          # "crack + <own>"
                skip, crack = False, True
        elif code[i] == HOW_CRACK:
            skip, crack = True, True
        else:
            skip, crack = lyf[LY_OWN_SKIP, i] > 0.0, lyf[LY_OWN_CRACK, i] > 0.0
        if skip:
            continue
        share = 1.0
        if crack and la == int(fs[1, FR_LAYER]) == i:
            cd = max(fs[0, FR_CRACK_DEPTH], fs[1, FR_CRACK_DEPTH])
            share = max(0.0, 1.0 - cd / lyf[LY_L, i])
        r += lyf[LY_PATH_RES, i] * share
    return r / prmf[PR_CONTACT_FRACTION]


@numba.njit(cache=True)
def with_path(v, j_ion, j_ext, r_path, r_stack, v_new):
    """Voltage with the electronic path in parallel into ``v_new`` and the share it carries
    at the first sample (``ccd._with_path``)."""
    g1 = 1.0 / r_path if r_path > 0 else math.inf
    g2 = 1.0 / r_stack if r_stack > 0 else math.inf
    g = g1 if g1 >= g2 else g2
    share = 0.0
    for q in range(v.size):
        ji = abs(j_ion[q])
        asr_ion = abs(v[q]) / max(ji, 1e-300) if ji > 0 else math.inf
        if math.isinf(g):
            v_new[q] = 0.0
        elif math.isfinite(asr_ion):
            v_new[q] = j_ext[q] / (1.0 / asr_ion + g)
        else:
            v_new[q] = j_ext[q] / g
        if q == 0:
            jt = abs(j_ext[0])
            share = abs(v_new[0]) * (g if math.isfinite(g) else 0.0) / max(jt, 1e-300) if jt > 0 else 0.0
    if math.isinf(g):
        share = 1.0
    elif v.size == 0:
        share = 0.0
    return min(share, 1.0)


# --------------------------------------------------------------------------------------
# the fronts' feedback on the solver (``ccd._feed_back``; ``_Tracker.leak_asr`` ...)
# --------------------------------------------------------------------------------------
@numba.njit(cache=True)
def touched(fs):
    """Whether a front has left its electrode (``_Tracker.touched``)."""
    for f in range(2):
        if fs[f, FR_DEPTH] > 0 or fs[f, FR_NSPAN] > 0:
            return True
    return False


@numba.njit(cache=True)
def layer_electronic_asr(thickness, interphase, metal, rho_layer, rho_interphase):
    """Electronic ASR of a layer partly turned into interphase and Li metal [ohm m2]
    (:func:`cellsim.shortcircuit.interphase.layer_electronic_asr`)."""
    rest = max(thickness - interphase - metal, 0.0)
    r = 0.0
    if rest > 0:
        r += rho_layer * rest
    if interphase > 0:
        r += rho_interphase * min(interphase, thickness)
    return r


@numba.njit(cache=True)
def leak_conductance(asr):
    """Conductance per area of a leak of ASR ``asr`` [S/m2], 0 for inf, inf for <= 0
    (:func:`cellsim.shortcircuit.interphase.leak_conductance`)."""
    if math.isinf(asr):
        return 0.0
    return math.inf if asr <= 0 else 1.0 / asr


@numba.njit(cache=True)
def leak_asr(fs, span_i, span_how, lyf):
    """Electronic ASR of the stack with the fronts as they are [ohm m2] (``_Tracker.leak_asr``):
    per layer 0 when spanned by Li (dendrite, crack), ``L / sigma_path`` when spanned otherwise,
    else :func:`layer_electronic_asr` of what the fronts left (rows LY_RHO_E, LY_RHO_INT [ohm m])."""
    n = lyf.shape[1]
    code = np.full(n, -1, dtype=np.int64)
    for f in range(2):
        for m in range(int(fs[f, FR_NSPAN])):
            code[span_i[f, m]] = span_how[f, m]
    r = 0.0
    for i in range(n):
        if code[i] >= 0:
            skip = code[i] == HOW_CRACK or lyf[LY_OWN_SKIP, i] > 0.0
            r += 0.0 if skip else lyf[LY_PATH_RES, i]
            continue
        inter = 0.0
        metal = 0.0
        for f in range(2):
            if int(fs[f, FR_LAYER]) != i:
                continue
            if int(lyf[LY_KIND, i]) == K_POLY:
                metal += fs[f, FR_DEPTH]
            else:
                metal += fs[f, FR_CRACK_DEPTH]
                inter += max(fs[f, FR_CHEM_DEPTH] - fs[f, FR_CRACK_DEPTH], 0.0)
        r += layer_electronic_asr(lyf[LY_L, i], inter, metal, lyf[LY_RHO_E, i], lyf[LY_RHO_INT, i])
    return r


@numba.njit(cache=True)
def _leak_moves(fs, span_i, span_how, lyf, prmf, t, horizon):
    """Whether the interphases growing by ``t + horizon`` [s] move the leakage conductance by
    more than ``LEAK_RTOL`` (``_Tracker._leak_moves``)."""
    n = lyf.shape[1]
    grow = np.zeros(2, dtype=np.bool_)
    anyg = False
    for f in range(2):
        i = int(fs[f, FR_LAYER])
        grow[f] = 0 <= i < n and int(lyf[LY_KIND, i]) == K_GROW and not math.isnan(fs[f, FR_CONTACT])
        anyg = anyg or grow[f]
    if not anyg:
        return False
    g0 = leak_conductance(leak_asr(fs, span_i, span_how, lyf))
    s0 = fs[0, FR_CHEM_DEPTH]
    s1 = fs[1, FR_CHEM_DEPTH]
    for f in range(2):
        if grow[f]:
            i = int(fs[f, FR_LAYER])
            k = lyf[LY_K, i]
            tc = max(t + horizon - fs[f, FR_CONTACT], 0.0)
            x = math.sqrt(k * tc) if lyf[LY_LAW, i] == 0.0 else k * tc
            fs[f, FR_CHEM_DEPTH] = min(x, lyf[LY_L, i])
    g1 = leak_conductance(leak_asr(fs, span_i, span_how, lyf))
    fs[0, FR_CHEM_DEPTH] = s0
    fs[1, FR_CHEM_DEPTH] = s1
    return abs(g1 - g0) > prmf[PR_LEAK_RTOL] * max(g0, g1)


@numba.njit(cache=True)
def feedback_active(fs, span_i, span_how, lyf, prmf, t, horizon):
    """Whether a front changes the transport problem between ``t`` and ``t + horizon`` [s]
    (``_Tracker.feedback_active``): a dendrite in a polymer layer, a filament in a middle layer,
    or a growing interphase that moves the leakage by more than ``LEAK_RTOL``."""
    n = lyf.shape[1]
    for f in range(2):
        i = int(fs[f, FR_LAYER])
        if 0 <= i < n and fs[f, FR_DEPTH] > 0 and (int(lyf[LY_KIND, i]) == K_POLY or fs[f, FR_CRACK_DEPTH] > 0):
            return True
    return _leak_moves(fs, span_i, span_how, lyf, prmf, t, horizon)


@numba.njit(cache=True)
def polymer_fronts(fs, stki, x):
    """Depths [m] of the dendrites in each polymer layer from its left (row 0 of ``x``) and right
    (row 1) face (``_Tracker.polymer_fronts``; ``stki``: polymer index of each stack layer or -1)."""
    for i in range(stki.size):
        p = stki[i]
        if p < 0:
            continue
        for f in range(2):
            x[f, p] = max(fs[f, FR_DEPTH], 0.0) if int(fs[f, FR_LAYER]) == i else 0.0


# --------------------------------------------------------------------------------------
# the solver driver of one half cycle and the protocol loop
# --------------------------------------------------------------------------------------
@numba.njit(cache=True)
def _grow_rows(a, cap):
    """``a`` (rows, n) copied into a wider array (rows, cap)."""
    b = np.empty((a.shape[0], cap))
    b[:, :a.shape[1]] = a
    return b


@numba.njit(cache=True)
def _grow_first(a, cap):
    """``a`` (n, cols) copied into a longer array (cap, cols)."""
    b = np.zeros((cap, a.shape[1]))
    b[:a.shape[0]] = a
    return b


@numba.njit(cache=True)
def step_times(t, t_len, output_dt):
    """Step-local output times of a step from ``t`` lasting ``t_len`` [s] every ``output_dt``
    (``TransportProblem._step_times``)."""
    t_end = t + t_len
    k0 = math.floor(t / output_dt + 1e-9) + 1
    k1 = math.floor(t_end / output_dt * (1 + 1e-14))
    m = max(k1 - k0 + 1, 0)
    out = np.empty(m)
    for q in range(m):
        out[q] = output_dt * float(k0 + q) - t
    return out


@numba.njit(cache=True)
def _initial_column(first, c, eta, out, cellf, layf, layi, stkf, stki, iff, T, g_e, kappa_law, floor_rel, st):
    """Output column 0 of a run from rest (``first``) or from the state (c, eta) (``TransportProblem.run``)."""
    P = layi.shape[1]
    K = eta.size
    r_eta = 4 + 2 * P
    r_parts = r_eta + K
    out[:, 0] = 0.0
    if first:
        for p in range(P):
            out[4 + p, 0] = layf[5, p]
            out[4 + P + p, 0] = layf[5, p]
        return
    fl0 = np.empty(P)
    fr0 = np.empty(P)
    parts0 = np.empty(out.shape[0] - r_parts)
    TK.layer_faces(c, cellf[0], layi[0], layi[1], layf[0], layf[1], layf[2], 0.0, fl0, fr0)
    V0 = TK.voltage_parts(c, fl0, fr0, 0.0, eta, T, cellf[0], layi[0], layi[1], layf[3], layf[4], layf[5], layf[6],
                          layf[7], kappa_law, stkf, stki, iff[3], floor_rel, parts0)
    out[2, 0] = g_e * V0
    out[3, 0] = V0
    for p in range(P):
        out[4 + p, 0] = fl0[p]
        out[4 + P + p, 0] = fr0[p]
    for k in range(K):
        out[r_eta + k, 0] = eta[k]
    for q in range(parts0.size):
        out[r_parts + q, 0] = parts0[q]
    st[13] = V0


@numba.njit(cache=True)
def _half_cycle(first, target, half, rest, output_dt, c, eta, cellf, layf, layi, stkf, stki, iff, ifi, T, g_e,
                kappa_law, floor_rel, rtol, atol_c, atol_v, h_max, method, dep_rel, max_steps, fast_scale,
                initial_step, n_rows, dep_t, dep_p, dep_side, info, mem):
    """One half cycle (current ``target`` [A/m2] for ``half`` [s], then ``rest`` [s] at zero
    current) from the state (c, eta), updated in place; the output array (rows of
    :mod:`cellsim.transport._kernels`) and the number of samples. What
    ``TransportProblem.run`` does for this protocol on the time-stepped path, step for step.

    The depletion events go to ``dep_t`` (protocol-local time [s]), ``dep_p`` (polymer
    index), ``dep_side`` (0 left face), returned (grown when full); ``info[:4]`` returns [number
    of events, solver status, time [s] and step index of a failure]. A run from a state (not
    ``first``) does not report a face that starts depleted under ``target`` until it has
    recovered (``TransportProblem.run``: the kernels' re-arm rule). ``mem``: the solver's step
    memory (:func:`cellsim.transport._kernels.save_memory`) of the run this one continues at the
    same current (``mem[MEM_H] > 0``; ``TransportProblem.run(memory=)``), replaced by this run's.
    """
    N = c.size
    P = layi.shape[1]
    K = eta.size
    nsteps = 2 if rest > 0 else 1
    finite = half + rest if rest > 0 else half
    cap = int(min(finite / output_dt, 1e6)) + 2 * nsteps + 8
    st = np.zeros(20)
    dep_armed = np.ones(2 * P, dtype=np.int64)
    ev = np.zeros((4, 4 * P + 4))
    out = np.empty((n_rows, cap))
    o_c = np.empty((cap, N))
    _initial_column(first, c, eta, out, cellf, layf, layi, stkf, stki, iff, T, g_e, kappa_law, floor_rel, st)
    o_c[0] = c
    st[6] = 1
    c_prev = np.empty(N)
    eta_prev = np.empty(K)
    fh = np.zeros((3, 2 * P))
    eh = np.zeros((3, K))
    th = np.zeros(3)
    flc = np.empty(P)
    frc = np.empty(P)
    if not first:
        TK.layer_faces(c, cellf[0], layi[0], layi[1], layf[0], layf[1], layf[2], target, flc, frc)
        for p in range(P):
            if flc[p] < dep_rel * layf[5, p]:
                dep_armed[p] = 0
            if frc[p] < dep_rel * layf[5, p]:
                dep_armed[P + p] = 0
    n_dep = 0
    t = 0.0
    info[1] = 0.0
    for s_i in range(nsteps):
        tgt = target if s_i == 0 else 0.0
        t_len = half if s_i == 0 else rest
        if math.isnan(initial_step):
            h0 = max(min(1e-3 * fast_scale, 1e-3 * t_len), 1e-12 * max(t_len, 1.0))
        else:
            h0 = initial_step
        times_local = step_times(t, t_len, output_dt)
        n_before = int(st[6])
        st[0] = 0.0
        st[1] = h0
        st[3] = 1
        st[TK.ST_CARRIED] = 0.0
        st[7] = 0
        st[8] = 0
        st[11] = 0
        st[15] = st[6]
        c_prev[:] = c
        eta_prev[:] = eta
        j_faces = st[4]
        if s_i == 0 and mem[TK.MEM_H] > 0.0:
            TK.load_memory(mem, method == 1, st, th, fh, eh)
            j_faces = mem[TK.MEM_J]
        TK.layer_faces(c, cellf[0], layi[0], layi[1], layf[0], layf[1], layf[2], j_faces, flc, frc)
        fh[2, :P] = flc
        fh[2, P:] = frc
        eh[2] = eta
        th[2] = 0.0
        while True:
            status = TK.run_step(0, tgt, t_len, 0, 0.0, c, c_prev, eta, eta_prev, st, fh, eh, th, cellf, layf, layi,
                                 stkf, stki, iff, ifi, T, g_e, kappa_law, floor_rel, rtol, atol_c, atol_v, h_max,
                                 method, dep_rel, 1, dep_armed, max_steps, times_local, False, out, o_c, ev)
            for e in range(int(st[8])):
                if n_dep >= dep_t.size:
                    dep_t, dep_p, dep_side = _grow_events(dep_t, dep_p, dep_side)
                dep_t[n_dep] = t + ev[1, e]
                dep_p[n_dep] = int(ev[2, e])
                dep_side[n_dep] = int(ev[3, e])
                n_dep += 1
            st[8] = 0
            if status == TK.ST_FULL:
                cap = int(st[6]) + int(st[12]) + 2 * cap
                out = _grow_rows(out, cap)
                o_c = _grow_first(o_c, cap)
                continue
            break
        n_after = int(st[6])
        if t != 0.0:
            for q in range(n_before, n_after):
                out[0, q] += t
        t = t + st[0]
        if status < 0 or not math.isfinite(st[17]):
            info[1] = status if status < 0 else RUN_NONFINITE_STATUS
            info[2] = t
            info[3] = s_i
            break
    TK.save_memory(st, th, fh, eh, mem)
    info[0] = n_dep
    return out, int(st[6]), dep_t, dep_p, dep_side


@numba.njit(cache=True)
def _grow_events(dep_t, dep_p, dep_side):
    """The depletion-event buffers of :func:`_half_cycle`, twice as long."""
    m = dep_t.size
    t2 = np.empty(2 * m)
    p2 = np.empty(2 * m, dtype=np.int64)
    s2 = np.empty(2 * m, dtype=np.int64)
    t2[:m] = dep_t
    p2[:m] = dep_p
    s2[:m] = dep_side
    return t2, p2, s2


#: entries of the result vector of :func:`step_up`
(RS_KIND, RS_CCD, RS_SURVIVED, RS_SHORT_TIME, RS_SHARE, RS_PATH, RS_V_CUT, RS_LEAK_TIME, RS_STATUS, RS_FAIL_T,
 RS_FAIL_LEVEL, RS_FAIL_SIGN, RS_FAIL_STEP, RS_N, RS_NEV, RS_SNAP, RS_FALLBACK, RS_RUNS, RS_SAMPLED,
 RS_FAIL_REST) = range(20)
N_RS = 20
#: the solver's options and the problem's scalars as :func:`step_up` takes them (``so``):
#: temperature [K], conductivity law (1 Nernst-Einstein), concentration floor (of c0), rtol, atol
#: (of c0), voltage atol [V], largest step [s], method (1 BDF2), depletion threshold (of c0), most
#: steps per protocol step, first step [s] (NaN: from the fast scale), output rows, cells per
#: polymer layer, grid stretch, 1 when the solver would integrate exactly on eigenmodes without a
#: leak (``TransportProblem.set_leakage``), the stack's leak conductance [S/m2] and the problem's
#: fastest time scale [s] as built, and the number 2.0 (the exponent of :func:`fast_scale`)
(SO_T, SO_KAPPA_LAW, SO_FLOOR, SO_RTOL, SO_ATOL_C, SO_ATOL_V, SO_H_MAX, SO_METHOD, SO_DEP_REL, SO_MAX_STEPS,
 SO_INITIAL_STEP, SO_N_ROWS, SO_N_CELLS, SO_STRETCH, SO_MODAL_NO_LEAK, SO_G_E, SO_FAST_SCALE, SO_TWO) = range(18)
N_SO = 18
#: what the feedback changes in the problem (``pb``): the leak conductance in use and the stack's
#: own [S/m2], the fastest time scale [s], 1 once the kernel meets a case it does not cover (a
#: leak of 0 S/m2 on a problem the solver would then integrate on eigenmodes), and counters: solver
#: runs, half cycles run sample by sample
PB_G_E, PB_G_STACK, PB_FAST_SCALE, PB_FALLBACK, PB_RUNS, PB_SAMPLED = range(6)
N_PB = 6


@numba.njit(cache=True)
def _append_trace(t_all, v_all, j_all, dl_all, dr_all, n_all, t, v, j_ext, dl, dr):
    """The run's trace with a half cycle's samples appended (its first sample, the previous
    half cycle's last, left out); returns the (possibly grown) buffers and their length."""
    k0 = 0 if n_all == 0 else 1
    m_new = n_all + t.size - k0
    t_all = _append(t_all, n_all, t, k0)
    v_all = _append(v_all, n_all, v, k0)
    j_all = _append(j_all, n_all, j_ext, k0)
    dl_all = _append_rows(dl_all, n_all, dl, k0)
    dr_all = _append_rows(dr_all, n_all, dr, k0)
    return t_all, v_all, j_all, dl_all, dr_all, m_new


@numba.njit(cache=True)
def _first_over(v, limit):
    """Index of the first sample with ``|v| > limit`` [V], -1 if none."""
    for q in range(v.size):
        if abs(v[q]) > limit:
            return q
    return -1


@numba.njit(cache=True)
def _copy_state(dst, src):
    """Copy the step-up state ``(c, eta, fs, span_i, span_how, void_seen)`` ``src`` into ``dst``."""
    dst[0][:] = src[0]
    dst[1][:] = src[1]
    dst[2][:] = src[2]
    dst[3][:] = src[3]
    dst[4][:] = src[4]
    dst[5][:] = src[5]


@numba.njit(cache=True)
def _append(buf, n, x, k0):
    """``x[k0:]`` appended to the 1-D buffer ``buf`` holding ``n`` values (grown when full)."""
    m = x.size - k0
    if n + m > buf.size:
        b = np.empty(2 * (n + m))
        b[:n] = buf[:n]
        buf = b
    buf[n:n + m] = x[k0:]
    return buf


@numba.njit(cache=True)
def _append_rows(buf, n, x, k0):
    """Rows ``x[k0:]`` appended to the 2-D buffer ``buf`` holding ``n`` rows."""
    m = x.shape[0] - k0
    if n + m > buf.shape[0]:
        buf = _grow_first(buf[:n], 2 * (n + m))
    buf[n:n + m] = x[k0:]
    return buf


@numba.njit(cache=True)
def _short_or_leak(res, fs, span_i, span_how, lyf, prmf, met_time, met_at, t, v, j_ion, j_ext, jk, evl, nev):
    """The fronts met at sample ``met_at``: the electronic path's share of the current decides a
    short (the voltage from there on replaced, returns True) or a leak (``ccd._simulate``)."""
    r_path = path_resistance(fs, span_i, span_how, lyf, prmf)
    v_new = np.empty(v.size - met_at)
    share = with_path(v[met_at:], j_ion[met_at:], j_ext[met_at:], r_path, prmf[PR_R_STACK], v_new)
    res[RS_PATH] = r_path
    res[RS_SHARE] = share
    res[RS_SNAP] = 1.0
    t_met = met_time[0] if not math.isnan(met_time[0]) else t[met_at]
    if share >= prmf[PR_SOFT]:
        hard = share >= prmf[PR_HARD]
        res[RS_KIND] = RES_HARD if hard else RES_SOFT
        res[RS_SHORT_TIME] = t_met
        v[met_at:] = v_new
        _log(evl, nev, EV_SHORT, t_met, -1, -1, jk, share, 1.0 if hard else 0.0, 0.0)
        return True
    res[RS_LEAK_TIME] = t_met
    _log(evl, nev, EV_LEAK, t_met, -1, -1, 0.0, share, 0.0, 0.0)
    return False


@numba.njit(cache=True)
def round_half_even(x):
    """Python's ``round(x)`` of a float (ties to even), as a float."""
    f = math.floor(x)
    r = x - f
    if r > 0.5:
        return f + 1.0
    if r < 0.5:
        return f
    return f + 1.0 if f % 2.0 != 0.0 else f


@numba.njit(cache=True)
def _set_leakage(pb, so, g):
    """``TransportProblem.set_leakage(g)`` [S/m2]; a leak of 0 on a problem the solver would then
    integrate on eigenmodes (not compiled here) raises the fallback flag."""
    if g == pb[PB_G_E]:
        return
    pb[PB_G_E] = g
    if g == 0.0 and so[SO_MODAL_NO_LEAK] > 0.0:
        pb[PB_FALLBACK] = 1.0


@numba.njit(cache=True)
def _feed_back(first, fs, span_i, span_how, met_time, lyf, c, eta, cellf, layf, layi, stkf, stki, iff, ifi, so, pb,
               fronts, L0, x):
    """Give the problem the fronts as they are (``ccd._feed_back``): the leak conductance
    through what the fronts left (the stack's own while no front has left its electrode,
    unchanged once they met) and, from a state (not ``first``: the rest state before the first
    half cycle), the polymer layers shortened to the part ahead of the dendrites
    (:func:`set_fronts`, the fastest time scale recomputed). Returns what changed: 0 nothing,
    1 the leak conductance, 2 a polymer layer (its grid and state remapped; the leak may have
    changed too)."""
    g0 = pb[PB_G_E]
    if _met(fs, lyf, met_time):
        pass
    elif touched(fs):
        g = leak_conductance(leak_asr(fs, span_i, span_how, lyf))
        if math.isfinite(g):   # (0 ohm: the fronts meet in this sample; the tracker reports it)
            _set_leakage(pb, so, g)
    else:
        _set_leakage(pb, so, pb[PB_G_STACK])
    leak = 1 if pb[PB_G_E] != g0 else 0
    if first:
        return leak
    polymer_fronts(fs, stki, x)
    if set_fronts(x, fronts, L0, int(so[SO_N_CELLS]), so[SO_STRETCH], c, eta, cellf, layf, layi, iff, ifi):
        pb[PB_FAST_SCALE] = fast_scale(cellf, layf, stkf, iff, ifi, so[SO_T], so[SO_TWO])
        return 2
    return leak


@numba.njit(cache=True)
def _run(first, target, half, rest, output_dt, c, eta, cellf, layf, layi, stkf, stki, iff, ifi, so, pb, dep_t, dep_p,
         dep_side, info, mem):
    """:func:`_half_cycle` with the solver options ``so`` and the problem's present leak and
    time scale ``pb`` (``TransportProblem.run`` of a one- or two-step protocol; ``mem`` its
    ``memory``, replaced by the run's ``step_memory``)."""
    pb[PB_RUNS] += 1.0
    return _half_cycle(first, target, half, rest, output_dt, c, eta, cellf, layf, layi, stkf, stki, iff, ifi,
                       so[SO_T], pb[PB_G_E], int(so[SO_KAPPA_LAW]), so[SO_FLOOR], so[SO_RTOL], so[SO_ATOL_C],
                       so[SO_ATOL_V], so[SO_H_MAX], int(so[SO_METHOD]), so[SO_DEP_REL], int(so[SO_MAX_STEPS]),
                       pb[PB_FAST_SCALE], so[SO_INITIAL_STEP], int(so[SO_N_ROWS]), dep_t, dep_p, dep_side, info, mem)


@numba.njit(cache=True)
def _fb_half_cycle(first, j, half, rest, samples, t_off, c, eta, fs, span_i, span_how, void_seen, met_time, lyf,
                   prmf, cellf, layf, layi, stkf, stki, iff, ifi, so, pb, fronts, L0, x, sv, evl, nev, dep_t, dep_p,
                   dep_side, info):
    """One half cycle at ``j`` [A/m2] for ``half`` [s] (and its ``rest`` [s]) from ``t_off`` [s]
    with the fronts fed back on the solver: ``ccd._half_cycle`` operation for operation.

    :func:`_feed_back`; while :func:`feedback_active` says no front will change the problem,
    the half cycle runs in one piece (output every ``half / samples``) and the fronts advance
    over it; it is kept when, at its end, still no front changes the problem and the leak moved
    by at most ``LEAK_RTOL``. Otherwise the fronts, void flags, events and the solver state are
    restored (``sv``: scratch copies) and it runs again sample by sample, each sample a run of
    its own from the state of the previous one after :func:`_feed_back`, the fronts advanced
    over it (its first current that of the sample), its end kept in the trace (and the half
    cycle's start). ``(c, eta)``, the fronts and the problem arrays are advanced in place.

    Returns time [s], voltage [V], external and ionic current density [A/m2], front depths
    per layer left and right [m], the sample where the fronts met (-1), and the event log and
    depletion buffers (grown). A solver failure leaves its status in ``info[1]`` (time, step
    and whether in a rest in ``info[2:5]``), a case not covered ``pb[PB_FALLBACK]``; the arrays
    are then empty.
    """
    n = lyf.shape[1]
    P = layi.shape[1]
    e1 = np.empty(0)
    e2 = np.zeros((0, n))
    dt = half / samples
    _feed_back(first, fs, span_i, span_how, met_time, lyf, c, eta, cellf, layf, layi, stkf, stki, iff, ifi, so, pb,
               fronts, L0, x)
    if pb[PB_FALLBACK] > 0.0:
        return e1, e1, e1, e1, e2, e2, -1, evl, dep_t, dep_p, dep_side
    if not feedback_active(fs, span_i, span_how, lyf, prmf, t_off, half + rest):
        _copy_state(sv, (c, eta, fs, span_i, span_how, void_seen))
        nev0 = nev[0]
        met0 = met_time[0]
        out, nt, dep_t, dep_p, dep_side = _run(first, j, half, rest, dt, c, eta, cellf, layf, layi, stkf, stki,
                                               iff, ifi, so, pb, dep_t, dep_p, dep_side, info,
                                               np.zeros(TK.memory_size(P, eta.size)))
        if info[1] != 0.0:
            info[4] = 0.0
            return e1, e1, e1, e1, e2, e2, -1, evl, dep_t, dep_p, dep_side
        n_dep = int(info[0])
        for e in range(n_dep):
            dep_t[e] = dep_t[e] + t_off
        t = out[0, :nt] + t_off
        j_ion = out[1, :nt]
        dl = np.zeros((nt, n))
        dr = np.zeros((nt, n))
        met_at = _process(fs, span_i, span_how, lyf, prmf, met_time, void_seen, t, j_ion, out[4:4 + P, :nt],
                          out[4 + P:4 + 2 * P, :nt], dep_t, dep_p, dep_side, n_dep, dl, dr, evl, nev)
        g_e = pb[PB_G_E]
        g_end = g_e
        if touched(fs) and not _met(fs, lyf, met_time):
            g_end = leak_conductance(leak_asr(fs, span_i, span_how, lyf))
        if not feedback_active(fs, span_i, span_how, lyf, prmf, t_off, 0.0) and \
                abs(g_end - g_e) <= prmf[PR_LEAK_RTOL] * max(g_end, g_e):
            return t, out[3, :nt].copy(), out[2, :nt].copy(), j_ion.copy(), dl, dr, met_at, evl, dep_t, dep_p, \
                dep_side
        _copy_state((c, eta, fs, span_i, span_how, void_seen), sv)
        nev[0] = nev0
        met_time[0] = met0
    return _sampled_half_cycle(first, j, half, rest, dt, t_off, c, eta, fs, span_i, span_how, void_seen, met_time,
                               lyf, prmf, cellf, layf, layi, stkf, stki, iff, ifi, so, pb, fronts, L0, x, evl, nev,
                               dep_t, dep_p, dep_side, info)


@numba.njit(cache=True)
def _sampled_half_cycle(first, j, half, rest, dt, t_off, c, eta, fs, span_i, span_how, void_seen, met_time, lyf,
                        prmf, cellf, layf, layi, stkf, stki, iff, ifi, so, pb, fronts, L0, x, evl, nev, dep_t, dep_p,
                        dep_side, info):
    """The half cycle of :func:`_fb_half_cycle` sample by sample (samples ``dt`` [s] long), the
    fronts fed back before each (the second part of ``ccd._half_cycle``); same arguments and
    returns."""
    n = lyf.shape[1]
    P = layi.shape[1]
    e1 = np.empty(0)
    e2 = np.zeros((0, n))
    pb[PB_SAMPLED] += 1.0
    m0 = max(1, int(round_half_even(half / dt)))
    m1 = max(1, int(round_half_even(rest / dt))) if rest > 0 else 0
    cap = m0 + m1 + 1
    tt = np.empty(cap)
    vv = np.empty(cap)
    jx = np.empty(cap)
    ji = np.empty(cap)
    dlt = np.zeros((cap, n))
    drt = np.zeros((cap, n))
    ntr = 0
    met_at = -1
    t_loc = t_off
    mem = np.empty(TK.memory_size(P, eta.size))
    double_layers = np.any(iff[4] > 0.0)
    for piece in range(2 if rest > 0 else 1):
        jp = j if piece == 0 else 0.0
        d = half if piece == 0 else rest
        m = m0 if piece == 0 else m1
        mem[TK.MEM_H] = 0.0  # the samples of a piece continue its current: the solver goes on with its step size
        for _ in range(m):
            changed = _feed_back(first, fs, span_i, span_how, met_time, lyf, c, eta, cellf, layf, layi, stkf, stki,
                                 iff, ifi, so, pb, fronts, L0, x)
            if changed == 2 or (changed == 1 and double_layers):
                mem[TK.MEM_H] = 0.0  # (ccd._half_cycle: the solver starts afresh)
            if pb[PB_FALLBACK] > 0.0:
                return e1, e1, e1, e1, e2, e2, -1, evl, dep_t, dep_p, dep_side
            if nev[0] + 8 * n + 16 > evl.shape[0]:
                evl = _grow_first(evl[:nev[0]], 2 * evl.shape[0])
            out, nt, dep_t, dep_p, dep_side = _run(first, jp, d / m, 0.0, d / m, c, eta, cellf, layf, layi, stkf,
                                                   stki, iff, ifi, so, pb, dep_t, dep_p, dep_side, info, mem)
            if info[1] != 0.0:
                info[4] = float(piece)
                return e1, e1, e1, e1, e2, e2, -1, evl, dep_t, dep_p, dep_side
            first = False
            n_dep = int(info[0])
            for e in range(n_dep):
                dep_t[e] = dep_t[e] + t_loc
            t = out[0, :nt] + t_loc
            J = out[1, :nt].copy()
            if nt > 1:
                J[0] = out[1, 1]
            dl = np.zeros((nt, n))
            dr = np.zeros((nt, n))
            met = _process(fs, span_i, span_how, lyf, prmf, met_time, void_seen, t, J, out[4:4 + P, :nt],
                           out[4 + P:4 + 2 * P, :nt], dep_t, dep_p, dep_side, n_dep, dl, dr, evl, nev)
            # the sample's end (and the half cycle's start): points the solver adds at depletion
            # events inside a sample are left out of the trace, as the tracker has read them
            q0 = 0 if ntr == 0 else nt - 1
            for q in range(q0, nt):
                if q != 0 and q != nt - 1:
                    continue
                tt[ntr] = t[q]
                vv[ntr] = out[3, q]
                jx[ntr] = out[2, q]
                ji[ntr] = out[1, q]
                dlt[ntr] = dl[q]
                drt[ntr] = dr[q]
                ntr += 1
            if met >= 0 and met_at < 0:
                met_at = ntr - 1
            t_loc = out[0, nt - 1] + t_loc
    return tt[:ntr], vv[:ntr], jx[:ntr], ji[:ntr], dlt[:ntr], drt[:ntr], met_at, evl, dep_t, dep_p, dep_side


@numba.njit(cache=True)
def _stopped(res, pb, info, li, sign, n_all, nev):
    """The result vector of a run that stopped in half cycle ``sign`` of level ``li``: the fallback
    flag, or the solver's failure (status, time [s], step, in a rest) from ``info``."""
    if pb[PB_FALLBACK] > 0.0:
        res[RS_FALLBACK] = 1.0
    else:
        res[RS_STATUS] = info[1]
        res[RS_FAIL_T] = info[2]
        res[RS_FAIL_LEVEL] = li
        res[RS_FAIL_SIGN] = sign
        res[RS_FAIL_STEP] = info[3]
        res[RS_FAIL_REST] = info[4]
    res[RS_N] = n_all
    res[RS_NEV] = nev[0]


@numba.njit(cache=True)
def _outcome(res, fs, span_i, span_how, lyf, prmf, met_time, met_at, t, v, j_ion, j_ext, jk, evl, nev, snap_fs,
             snap_i, snap_how, leak_done):
    """What a half cycle at level ``jk`` [A/m2] ends in (``ccd._simulate``): polarization at the
    first sample with |V| above the limit (unless the fronts met before), a short (the voltage
    replaced from ``met_at`` on) or, once, a leak. Returns the sample where the run is cut (-1:
    none) and whether the leak has been reported; the fronts when they met go to ``snap_*``."""
    cut = -1
    over = _first_over(v, prmf[PR_V_LIMIT])
    if over >= 0 and (met_at < 0 or over <= met_at):
        cut = over
        res[RS_KIND] = RES_POLARIZATION
        res[RS_SHORT_TIME] = t[cut]
        res[RS_V_CUT] = abs(v[cut])
    elif met_at >= 0 and not leak_done:
        snap_fs[:] = fs
        snap_i[:] = span_i
        snap_how[:] = span_how
        if _short_or_leak(res, fs, span_i, span_how, lyf, prmf, met_time, met_at, t, v, j_ion, j_ext, jk, evl, nev):
            cut = met_at
        else:
            leak_done = True
    return cut, leak_done


@numba.njit(cache=True, nogil=True)
def step_up(levels, halves, rest, samples_per_half, lyf, prmf, fs, span_i, span_how, c, eta, cellf, layf, layi,
            stkf, stki, iff, ifi, so, ev_cap):
    """The whole step-up test of one cell: half cycles at +-J_k (and rests) through the
    transport solver, the fronts advanced between samples and fed back on the solver,
    polarization, shorts and leaks (``ccd._simulate`` with ``_half_cycle`` and ``_Tracker``,
    operation for operation).

    Parameters
    ----------
    levels, halves : ndarray
        Current densities J_k [A/m2] and their half-cycle durations [s].
    rest : float
        Rest after each half cycle [s] (0: none).
    samples_per_half : float
        Output samples per half cycle.
    lyf, prmf : ndarray
        The layers (rows LY_*) and the model's scalars (PR_*).
    fs, span_i, span_how : ndarray
        The fronts at the start (rows FR_*, crossed layers), advanced in place.
    c, eta : ndarray
        The solver state (cell averages [mol/m3], interface overpotentials [V]), advanced in place.
    cellf, layf, layi, stkf, stki, iff, ifi : ndarray
        The transport problem as built (:mod:`cellsim.transport._kernels`, "Packed arrays");
        copied here before the fronts regrid its polymer layers.
    so : ndarray
        Solver options and problem scalars (SO_*).
    ev_cap : int
        First size of the event log.

    Returns
    -------
    tuple
        The result vector (RS_*: with ``RS_FALLBACK`` 1 when the run met a case the kernel does
        not cover and must be run by the Python engine; ``RS_RUNS`` solver runs, ``RS_SAMPLED``
        half cycles run sample by sample), the trace (time [s], voltage [V], external current
        density [A/m2], front depths left and right per layer [m]), the event log (rows EV_*),
        the fronts when they met (for the words of the mechanism) and the void flags.
    """
    n = lyf.shape[1]
    P = layi.shape[1]
    cellf = cellf.copy()
    layf = layf.copy()
    L0 = layf[7].copy()
    fronts = np.zeros((2, P))
    x = np.zeros((2, P))
    pb = np.zeros(N_PB)
    pb[PB_G_E] = so[SO_G_E]
    pb[PB_G_STACK] = so[SO_G_E]
    pb[PB_FAST_SCALE] = so[SO_FAST_SCALE]
    res = np.full(N_RS, math.nan)
    res[RS_KIND] = RES_NONE
    res[RS_STATUS] = 0.0
    res[RS_SNAP] = 0.0
    res[RS_FALLBACK] = 0.0
    met_time = np.full(1, math.nan)
    void_seen = np.zeros((2, n), dtype=np.int64)
    evl = np.zeros((ev_cap, N_EV))
    nev = np.zeros(1, dtype=np.int64)
    snap_fs = fs.copy()
    snap_i = span_i.copy()
    snap_how = span_how.copy()
    cap0 = 64
    t_all = np.empty(cap0)
    v_all = np.empty(cap0)
    j_all = np.empty(cap0)
    dl_all = np.zeros((cap0, n))
    dr_all = np.zeros((cap0, n))
    n_all = 0
    dep_t = np.empty(64 * (P + 1))
    dep_p = np.empty(64 * (P + 1), dtype=np.int64)
    dep_side = np.empty(64 * (P + 1), dtype=np.int64)
    info = np.zeros(5)
    t_off = 0.0
    leak_done = False
    first = True
    sv = (c.copy(), eta.copy(), fs.copy(), span_i.copy(), span_how.copy(), void_seen.copy())
    for li in range(levels.size):
        jk = levels[li]
        half = halves[li]
        level_ok = True
        for si in range(2):
            sign = 1.0 if si == 0 else -1.0
            if nev[0] + 8 * n + 16 > evl.shape[0]:
                evl = _grow_first(evl[:nev[0]], 2 * evl.shape[0])
            t, v, j_ext, j_ion, dl, dr, met_at, evl, dep_t, dep_p, dep_side = _fb_half_cycle(
                first, sign * jk, half, rest, samples_per_half, t_off, c, eta, fs, span_i, span_how, void_seen,
                met_time, lyf, prmf, cellf, layf, layi, stkf, stki, iff, ifi, so, pb, fronts, L0, x, sv, evl, nev,
                dep_t, dep_p, dep_side, info)
            res[RS_RUNS] = pb[PB_RUNS]
            res[RS_SAMPLED] = pb[PB_SAMPLED]
            if pb[PB_FALLBACK] > 0.0 or info[1] != 0.0:
                _stopped(res, pb, info, li, sign, n_all, nev)
                return (res, t_all[:n_all], v_all[:n_all], j_all[:n_all], dl_all[:n_all], dr_all[:n_all],
                        evl[:nev[0]], snap_fs, snap_i, snap_how, void_seen)
            first = False
            nt = t.size
            cut, leak_done = _outcome(res, fs, span_i, span_how, lyf, prmf, met_time, met_at, t, v, j_ion, j_ext, jk,
                                      evl, nev, snap_fs, snap_i, snap_how, leak_done)
            t_all, v_all, j_all, dl_all, dr_all, n_all = _append_trace(t_all, v_all, j_all, dl_all, dr_all, n_all,
                                                                       t, v, j_ext, dl, dr)
            t_off = t[nt - 1]
            if cut >= 0:
                res[RS_CCD] = jk
                level_ok = False
                break
        if not level_ok:
            break
        res[RS_SURVIVED] = jk
    res[RS_N] = n_all
    res[RS_NEV] = nev[0]
    return (res, t_all[:n_all], v_all[:n_all], j_all[:n_all], dl_all[:n_all], dr_all[:n_all], evl[:nev[0]],
            snap_fs, snap_i, snap_how, void_seen)


# --------------------------------------------------------------------------------------
# the moving-front remap of a polymer layer (for the feedback of the fronts on the solver)
# --------------------------------------------------------------------------------------
@numba.njit(cache=True)
def layer_grid(thickness, n, stretch):
    """Cell widths [m] of one layer, refined toward both faces: ``cellsim.transport.grid.layer_grid``
    without the input checks (``n >= 4``, ``stretch >= 1``, ``thickness > 0`` are the caller's).

    ``w_i = r^i`` for ``i < n // 2`` with ``r = stretch^(1 / max(n // 2 - 1, 1))``, mirrored (one
    middle cell ``r w_{n//2-1}`` for odd ``n``), scaled to sum to ``thickness``.
    """
    half = n // 2
    k = max(half - 1, 1)
    ratio = stretch ** (1.0 / k)
    widths = np.empty(n)
    for i in range(half):
        w = ratio ** float(i)
        widths[i] = w
        widths[n - 1 - i] = w
    if n % 2:
        widths[half] = widths[half - 1] * ratio
    return widths * (thickness / np_sum(widths, 0, n))


@numba.njit(cache=True)
def _np_block(a, lo, hi):
    """NumPy's sum of at most 128 contiguous values ``a[lo:hi]`` (see :func:`np_sum`)."""
    n = hi - lo
    if n < 8:
        res = 0.0
        for i in range(lo, hi):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        q = lo + i
        r0 += a[q]
        r1 += a[q + 1]
        r2 += a[q + 2]
        r3 += a[q + 3]
        r4 += a[q + 4]
        r5 += a[q + 5]
        r6 += a[q + 6]
        r7 += a[q + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@numba.njit(cache=True)
def np_sum(a, lo, hi):
    """``a[lo:hi].sum()`` summed as NumPy sums a contiguous float64 array (pairwise: below 8
    values one after the other, up to 128 in eight interleaved partial sums, longer ones as the
    sum of two halves, the first a multiple of 8 long), so that the result is the same to the
    last bit. Without recursion (a cached numba function calling a recursive one can crash)."""
    if hi - lo <= 128:
        return _np_block(a, lo, hi)
    cap = 128
    los = np.empty(cap, dtype=np.int64)
    his = np.empty(cap, dtype=np.int64)
    stage = np.empty(cap, dtype=np.int64)
    vals = np.empty(cap)
    sp = 0
    vp = 0
    los[0], his[0], stage[0] = lo, hi, 0
    sp = 1
    while sp > 0:
        sp -= 1
        l, h, s = los[sp], his[sp], stage[sp]
        n = h - l
        if n <= 128:
            vals[vp] = _np_block(a, l, h)
            vp += 1
        elif s == 0:
            n2 = n // 2
            n2 -= n2 % 8
            los[sp], his[sp], stage[sp] = l, h, 1           # add the halves after both are summed
            los[sp + 1], his[sp + 1], stage[sp + 1] = l + n2, h, 0
            los[sp + 2], his[sp + 2], stage[sp + 2] = l, l + n2, 0
            sp += 3
        else:
            vals[vp - 2] = vals[vp - 2] + vals[vp - 1]
            vp -= 1
    return vals[0]


#: ``cellsim.transport.fronts.MIN_FRACTION``
MIN_FRACTION = 1e-3


@numba.njit(cache=True)
def active_length(thickness, x_left, x_right):
    """Length of a polymer layer's transport domain [m]: ``cellsim.transport.fronts.active_length``."""
    return max(thickness - max(x_left, 0.0) - max(x_right, 0.0), MIN_FRACTION * thickness)


@numba.njit(cache=True)
def set_fronts(x, fronts, L0, n_cells, stretch, c, eta, cellf, layf, layi, iff, ifi):
    """Shorten the polymer layers to the part ahead of the dendrite fronts:
    ``TransportProblem.set_fronts`` on the packed arrays, in place.

    Parameters
    ----------
    x : ndarray (2, P)
        New front depths [m] from each polymer layer's left (row 0) and right (row 1) face.
    fronts : ndarray (2, P)
        The depths the arrays are built for [m]; set to ``x``.
    L0 : ndarray (P,)
        Thicknesses of the polymer layers as built [m].
    n_cells, stretch : int, float
        ``SolverOptions.n_cells``, ``grid_stretch``.
    c, eta : ndarray
        Solver state, cell averages [mol/m3] (remapped, salt-conserving: :func:`remap_cells`)
        and interface overpotentials [V] (a double layer at a moved front is discharged).
    cellf, layf, layi, iff, ifi : ndarray
        The packed problem (:mod:`cellsim.transport._kernels`): rows vol, klo, khi of
        ``cellf`` and the length row 7 of ``layf`` are rebuilt for the layers whose fronts moved.

    Returns
    -------
    bool
        Whether a layer changed (the caller then recomputes :func:`fast_scale`).
    """
    P = layi.shape[1]
    changed = False
    for p in range(P):
        if x[0, p] == fronts[0, p] and x[1, p] == fronts[1, p]:
            continue
        a = layi[0, p]
        nc = layi[1, p]
        L0p = L0[p]
        anyx = x[0, p] != 0.0 or x[1, p] != 0.0
        Lp = active_length(L0p, x[0, p], x[1, p]) if anyx else L0p
        w = layer_grid(Lp, n_cells, stretch)
        c[a:a + nc] = remap_cells(c[a:a + nc].copy(), fronts[0, p], cellf[0, a:a + nc].copy(), x[0, p], w)
        for side in range(2):    # a moved front is a new electrode surface: its double layer starts discharged
            if x[side, p] != fronts[side, p]:
                for k in range(eta.size):
                    if ifi[1, k] == p and ifi[2, k] == side and iff[4, k] > 0:
                        eta[k] = 0.0
        fronts[0, p] = x[0, p]
        fronts[1, p] = x[1, p]
        D = layf[0, p]
        for i in range(nc):
            cellf[0, a + i] = w[i]
        layf[7, p] = Lp
        for i in range(nc - 1):
            dist = 0.5 * (w[i + 1] + w[i])
            cellf[2, a + i] = D / dist
            cellf[1, a + i + 1] = D / dist
        changed = True
    return changed


@numba.njit(cache=True)
def fast_scale(cellf, layf, stkf, iff, ifi, T, two):
    """The fastest time scale of the problem [s]: ``TransportProblem._fast_scale`` on the packed
    arrays (the smallest cell's diffusion time ``w_min ** 2 / D_max``; with double layers their RC
    times).

    ``two`` is the exponent 2.0, given at run time (``so[SO_TWO]``): with a constant exponent LLVM
    turns libm's ``pow(w, 2.0)``, which NumPy and Python use, into ``w * w``, which differs from
    it in the last bit for about 0.1 % of widths (and the first time step with it)."""
    N = cellf.shape[1]
    P = layf.shape[1]
    if N:
        vmin = cellf[0, 0]
        for i in range(1, N):
            if cellf[0, i] < vmin:
                vmin = cellf[0, i]
        dmax = layf[0, 0]
        for p in range(1, P):
            if layf[0, p] > dmax:
                dmax = layf[0, p]
        s = vmin ** two / dmax
    else:
        s = math.inf
    for k in range(iff.shape[1]):
        cdl = iff[4, k]
        if cdl > 0:
            if ifi[0, k] == 1 or ifi[0, k] == 2:
                s = min(s, cdl * 8.314462618 * T / (TK.F * iff[0, k]))
            acc = 0.0
            for p in range(P):
                acc += layf[7, p] / layf[6, p]
            s = min(s, cdl * max(np_sum(stkf, 0, stkf.size) + acc, 1e-12))
    return s


@numba.njit(cache=True)
def _edges(x0, w):
    e = np.empty(w.size + 1)
    e[0] = x0
    acc = 0.0
    for i in range(w.size):
        acc += w[i]
        e[i + 1] = x0 + acc
    return e


@numba.njit(cache=True)
def remap_cells(c_old, x_old, w_old, x_new, w_new):
    """Cell averages [mol/m3] on a moved domain: ``cellsim.transport.fronts.remap_cells``.

    Conservative overlap averages of the old profile extended with zero gradient to the new
    domain, the salt of a swept part of the old domain added to the new end cell, the whole
    scaled down when electrolyte was re-opened (``sum(c_new w_new) = sum(c_old w_old)``).
    ``x_old``, ``x_new`` [m]: left ends of the domains from the layer's left face; ``w_old``,
    ``w_new`` [m]: cell widths.
    """
    e_old = _edges(x_old, w_old)
    e_new = _edges(x_new, w_new)
    m = e_old.size
    e_ext = e_old.copy()
    e_ext[0] = min(e_old[0], e_new[0])
    e_ext[m - 1] = max(e_old[m - 1], e_new[e_new.size - 1])
    s_ext = np.zeros(m)
    acc = 0.0
    for i in range(m - 1):
        acc += c_old[i] * (e_ext[i + 1] - e_ext[i])
        s_ext[i + 1] = acc
    s_new = np.interp(e_new, e_ext, s_ext)
    nn = w_new.size
    c_new = np.empty(nn)
    for i in range(nn):
        c_new[i] = (s_new[i + 1] - s_new[i]) / w_new[i]
    swept_left = max(np.interp(e_new[0], e_ext, s_ext) - np.interp(e_old[0], e_ext, s_ext), 0.0)
    swept_right = max(np.interp(e_old[m - 1], e_ext, s_ext) - np.interp(e_new[nn], e_ext, s_ext), 0.0)
    c_new[0] += swept_left / w_new[0]
    c_new[nn - 1] += swept_right / w_new[nn - 1]
    # np.dot (BLAS ddot, as NumPy's ``c_old @ w_old``): the same sums to the last bit
    total_old = np.dot(c_old, w_old)
    total_new = np.dot(c_new, w_new)
    if total_new > total_old > 0:
        c_new *= total_old / total_new
    return c_new


# --------------------------------------------------------------------------------------
# the numba cache of this module depends on the transport kernels and the shared ones
# --------------------------------------------------------------------------------------
refresh_cache(step_up._cache._cache_path, TK.__file__, _shared_kernels.__file__)
