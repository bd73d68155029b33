"""The compiled step-up engine: what :func:`cellsim.shortcircuit.ccd.run_ccd` hands to one numba call.

Python builds the transport problem (:class:`~cellsim.transport.TransportProblem`) and the
layers' front-tracking parameters (``ccd._Layers``), packs them into the named arrays of
:mod:`cellsim.shortcircuit._kernels` (rows ``LY_*``, entries ``PR_*``, front fields
``FR_*``), runs :func:`~cellsim.shortcircuit._kernels.step_up` once, and turns its
result vector, event log and fronts back into a :class:`~cellsim.shortcircuit.ccd.CCDResult`
with the same words and numbers as the Python engine (``ccd._simulate``, kept as the
reference: ``run_ccd(..., engine="python")``; ``tests/shortcircuit/test_compiled.py``
compares the two).

The kernel runs the whole protocol, the fronts' feedback on the solver included
(``ccd._half_cycle``, ``ccd._feed_back``): while a front is inside a layer a half cycle runs
sample by sample, the polymer layers regridded ahead of the dendrites before each sample
(``_kernels.set_fronts``, the packed arrays ``cellf`` rows vol/klo/khi and ``layf`` row L
rebuilt on copies, the salt remapped, the fastest time scale recomputed) and the leak
conductance set to that of what the fronts left (``_kernels.leak_asr``); otherwise the half
cycle runs in one piece and again sample by sample when a front appears during it. The
time-stepped transport path is the only one compiled: a stack whose solver integrates
galvanostatic steps exactly on eigenmodes (no leak, no double layers) runs in the Python
engine (:func:`simulate_compiled` returns None for it), and so does a run in which the fronts
would leave a leak of 0 S/m2 on such a stack (the kernel stops, ``RS_FALLBACK``; no shipped
model gets there: every one has a finite electronic resistance in every layer).
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import F
from ..errors import SolverError
from . import _kernels as K
from .mechanisms import OMEGA_LI
from .tracker import LEAK_RTOL, _Layers, _no_short_text, _Tracker

MA_CM2 = 10.0
#: time integrators (``SolverOptions.method``) the compiled step-up kernel carries
KERNEL_METHODS = ("bdf2", "euler")


def _layer_rows(layers, problem) -> np.ndarray:
    """The LY_* rows of the kernel from a ``ccd._Layers``."""
    n = len(layers.names)
    lyf = np.zeros((K.N_LY, n))
    lyf[K.LY_L] = layers.L
    lyf[K.LY_KIND] = layers.kind
    lyf[K.LY_VCOEF] = layers.vcoef
    lyf[K.LY_C0] = layers.c0
    lyf[K.LY_K] = layers.k
    lyf[K.LY_LAW] = [0.0 if law == "parabolic" else 1.0 for law in layers.law]
    lyf[K.LY_PATH_RES] = layers.path_res
    lyf[K.LY_ETA_CRIT] = layers.eta_crit
    lyf[K.LY_SUPPRESSED] = layers.suppressed
    for (i, side), (rc, share) in layers.tip_rc.items():
        rows = (K.LY_TIP_RC_L, K.LY_TIP_SH_L, K.LY_TIP_HAS_L) if side == "left" else \
            (K.LY_TIP_RC_R, K.LY_TIP_SH_R, K.LY_TIP_HAS_R)
        lyf[rows[0], i], lyf[rows[1], i], lyf[rows[2], i] = rc, share, 1.0
    lyf[K.LY_POLY] = problem.layer_poly
    lyf[K.LY_OWN_SKIP] = [how in ("dendrite", "crack") for how in layers.how]
    lyf[K.LY_OWN_CRACK] = ["crack" in how for how in layers.how]
    lyf[K.LY_RHO_E] = layers.rho_e
    lyf[K.LY_RHO_INT] = layers.rho_int
    return lyf


def _parameter_vector(layers, prm, stack) -> np.ndarray:
    """The PR_* entries of the kernel."""
    r_e = stack.electronic_resistance()
    prmf = np.zeros(K.N_PR)
    prmf[K.PR_RC_TIP] = layers.rc_tip
    prmf[K.PR_A_REST] = layers.a_rest
    prmf[K.PR_J_VOID] = layers.j_void
    prmf[K.PR_V_FIL] = layers.v_fil
    prmf[K.PR_DEAD] = prm.dead_fraction
    prmf[K.PR_NUC_THR] = prm.nucleation_threshold
    prmf[K.PR_ASPERITY] = prm.asperity_height
    prmf[K.PR_FOCUSING] = prm.focusing
    prmf[K.PR_V_LIMIT] = prm.voltage_limit
    prmf[K.PR_SOFT] = prm.soft_share
    prmf[K.PR_HARD] = prm.hard_share
    prmf[K.PR_CONTACT_FRACTION] = prm.contact_fraction
    prmf[K.PR_R_STACK] = r_e * stack.area if math.isfinite(r_e) else math.inf
    prmf[K.PR_OMEGA] = OMEGA_LI
    prmf[K.PR_F] = F
    prmf[K.PR_LEAK_RTOL] = LEAK_RTOL
    return prmf


def _initial_fronts(layers):
    """Front rows FR_* (left, right) and their empty span lists (``ccd._Tracker.__init__``)."""
    n = len(layers.names)
    fs = np.zeros((2, K.N_FR))
    fs[:, K.FR_CONTACT] = math.nan
    fs[:, K.FR_SHARE] = 1.0
    fs[0, K.FR_LAYER], fs[0, K.FR_RC], fs[0, K.FR_STEP] = 0, layers.rc_left, 1
    fs[1, K.FR_LAYER], fs[1, K.FR_RC], fs[1, K.FR_STEP] = n - 1, layers.rc_right, -1
    for f in range(2):
        if layers.kind[int(fs[f, K.FR_LAYER])] != K.K_POLY:
            fs[f, K.FR_CONTACT] = 0.0
            fs[f, K.FR_PRESSED] = 1.0
    return fs, np.zeros((2, 2 * n + 2), dtype=np.int64), np.zeros((2, 2 * n + 2), dtype=np.int64)


def _pack_fronts(tr, layers):
    """The front rows FR_*, crossed layers and how (``fs``, ``span_i``, ``span_how``) of a
    ``_Tracker`` (the inverse of :func:`_tracker_from`; a ``how`` other than the layer's own is a crack)."""
    fs, span_i, span_how = _initial_fronts(layers)
    for f, fr in enumerate((tr.left, tr.right)):
        row = fs[f]
        row[K.FR_LAYER], row[K.FR_DEPTH], row[K.FR_NUC] = fr.layer, fr.depth, float(fr.nucleated)
        row[K.FR_CONTACT] = math.nan if fr.contact is None else fr.contact
        row[K.FR_RC], row[K.FR_VOID], row[K.FR_CRACK_OPEN] = fr.rc, fr.void, float(fr.crack_open)
        row[K.FR_CRACK_DEPTH], row[K.FR_CHEM_DEPTH] = fr.crack_depth, fr.chem_depth
        row[K.FR_PRESSED], row[K.FR_SHARE], row[K.FR_NSPAN] = float(fr.pressed), fr.share, len(fr.spanned)
        for m, (i, how) in enumerate(fr.spanned):
            span_i[f, m] = i
            span_how[f, m] = K.HOW_OWN if how == layers.how[i] else K.HOW_CRACK
    return fs, span_i, span_how


def _tracker_from(stack, prm, layers, fs, span_i, span_how):
    """A ``ccd._Tracker`` holding the kernel's fronts (for the words of ``path`` and the no-short text)."""
    tr = _Tracker(stack, prm, layers)
    for f, fr in enumerate((tr.left, tr.right)):
        row = fs[f]
        fr.layer, fr.depth = int(row[K.FR_LAYER]), float(row[K.FR_DEPTH])
        fr.crack_depth, fr.chem_depth = float(row[K.FR_CRACK_DEPTH]), float(row[K.FR_CHEM_DEPTH])
        fr.spanned = [(int(span_i[f, m]), layers.how[int(span_i[f, m])] if span_how[f, m] == K.HOW_OWN else "crack")
                      for m in range(int(row[K.FR_NSPAN]))]
    return tr


def _events(evl, layers) -> list:
    """The kernel's event rows as the dicts of ``CCDResult.events``."""
    side = ("left", "right")
    out = []
    for code, t, i, f, a, b, c, d in evl:
        code, i, f, t = int(code), int(i), int(f), float(t)
        if code == K.EV_CROSSED:
            out.append({"kind": "layer_crossed", "time_s": t, "layer": layers.names[i], "front": side[f],
                        "how": layers.how[i] if a == K.HOW_OWN else "crack"})
        elif code == K.EV_VOID:
            out.append({"kind": "void_formation", "time_s": t, "layer": layers.names[i], "front": side[f],
                        "current_density_A_m2": float(a), "critical_stripping_current_A_m2": float(b)})
        elif code == K.EV_NUCLEATION:
            out.append({"kind": "nucleation", "time_s": t, "layer": layers.names[i], "front": side[f],
                        "current_density_A_m2": float(a)})
        elif code == K.EV_MET:
            out.append({"kind": "fronts_met", "time_s": t, "layer": layers.names[i]})
        elif code == K.EV_CRACK:
            out.append({"kind": "crack_initiation", "time_s": t, "layer": layers.names[i], "front": side[f],
                        "overpotential_V": float(a), "griffith_V": float(b), "contact_fraction": float(c),
                        "current_density_A_m2": float(d)})
        elif code == K.EV_SHORT:
            out.append({"kind": f"{'hard' if c else 'soft'}_short", "time_s": t, "current_density_A_m2": float(a),
                        "electronic_share": float(b)})
        else:
            out.append({"kind": "leak_path", "time_s": t, "electronic_share": float(b)})
    return out


def _mechanism_text(kind, ccd, res, met, final, layers, prm) -> str:
    """The words of ``CCDResult.mechanism`` (as ``ccd._simulate`` writes them)."""
    share, r_path = float(res[K.RS_SHARE]), float(res[K.RS_PATH])
    if kind == "polarization":
        return (f"|V| = {float(res[K.RS_V_CUT]):.3g} V exceeds the {prm.voltage_limit:g} V limit at "
                f"{ccd / MA_CM2:g} mA/cm2: the cell fails to cycle (polarization, not a short)")
    if met is not None:
        spans, _ = met.path()
        desc = "; ".join(f"{layers.names[i]}: {spans[i]}" for i in sorted(spans))
        if kind is not None:
            return (f"{kind} short: electronic path through {desc} carries "
                    f"{100 * share:.3g} % of the current (path ASR {r_path * 1e4:.4g} ohm cm2)")
        return (f"electronic path through {desc} formed at {float(res[K.RS_LEAK_TIME]):.6g} s but carries only "
                f"{100 * share:.3g} % of the current (path ASR {r_path * 1e4:.4g} ohm cm2): a leak, not a short")
    return _no_short_text(final, layers)


def _solver_failure(res, levels):
    """The SolverError ``TransportProblem.run`` raises for the failed half cycle."""
    jk = float(levels[int(res[K.RS_FAIL_LEVEL])])
    s_i = int(res[K.RS_FAIL_STEP])
    t = float(res[K.RS_FAIL_T])
    if res[K.RS_STATUS] == K.RUN_NONFINITE_STATUS:
        return SolverError(f"non-finite state at t = {t:.6g} s in protocol step {s_i + 1}")
    text = "Rest" if s_i == 1 or res[K.RS_FAIL_REST] else f"{'Plate' if res[K.RS_FAIL_SIGN] > 0 else 'Strip'} at {jk / MA_CM2:g} mA/cm2"
    status = int(res[K.RS_STATUS])
    why = {int(K.TK.ST_NEWTON): "the current/overpotential Newton iteration did not converge",
           int(K.TK.ST_SMALL): "the time step fell below round-off",
           int(K.TK.ST_MAXSTEPS): "more than max_steps time steps"}.get(status, f"status {status}")
    return SolverError(f"transport solver failed at t = {t:.6g} s in protocol step {s_i + 1} ({text}): {why}")


def _solver_vector(problem, opt) -> np.ndarray:
    """The SO_* entries of the kernel: the solver options and the problem's scalars as built."""
    so = np.zeros(K.N_SO)
    so[K.SO_T] = problem.T
    so[K.SO_KAPPA_LAW] = 1.0 if opt.conductivity_law == "nernst-einstein" else 0.0
    so[K.SO_FLOOR] = opt.concentration_floor
    so[K.SO_RTOL] = opt.rtol
    so[K.SO_ATOL_C] = opt.atol
    so[K.SO_ATOL_V] = opt.voltage_atol
    so[K.SO_H_MAX] = opt.max_step
    so[K.SO_METHOD] = 1.0 if opt.method == "bdf2" else 0.0
    so[K.SO_DEP_REL] = opt.depletion_threshold
    so[K.SO_MAX_STEPS] = opt.max_steps
    so[K.SO_INITIAL_STEP] = math.nan if opt.initial_step is None else opt.initial_step
    so[K.SO_N_ROWS] = problem.n_rows
    so[K.SO_N_CELLS] = opt.n_cells
    so[K.SO_STRETCH] = opt.grid_stretch
    # what TransportProblem.set_leakage(0) would do: integrate exactly on eigenmodes (not compiled)
    so[K.SO_MODAL_NO_LEAK] = float(opt.exact_galvanostatic and not np.any(problem.Cdl > 0)
                                   and opt.conductivity_law == "constant" and problem.vol.size > 0)
    so[K.SO_G_E] = problem.g_e
    so[K.SO_FAST_SCALE] = problem.fast_scale
    so[K.SO_TWO] = 2.0
    return so


def simulate_compiled(stack, protocol, prm, opt, samples_per_half, transparent_middle: bool):
    """``ccd._simulate`` in one compiled call (:func:`~cellsim.shortcircuit._kernels.step_up`).

    Parameters
    ----------
    stack : Stack
    protocol : StepUpProtocol
    prm : ShortCircuitParameters
    opt : SolverOptions
        As ``ccd._simulate`` sets them (``on_depletion="continue"``, the nucleation threshold
        as the depletion threshold).
    samples_per_half : int
    transparent_middle : bool

    Returns
    -------
    dict or None
        The fields of the run's ``CCDResult``, plus ``"kernel"``: the kernel's counters
        (``runs``: solver runs, ``sampled``: half cycles run sample by sample). None when the
        run needs the Python engine: a time integrator the kernel does not carry
        (``opt.method`` not in :data:`KERNEL_METHODS`), a stack the solver integrates exactly on
        eigenmodes (no leak, no double layers: ``TransportProblem.modal_ok``), or a run in which the fronts
        leave a leak of 0 S/m2 on such a problem (the kernel stops there: ``RS_FALLBACK``).

    Raises
    ------
    SolverError
        The solver's failure in a half cycle, with the words of ``TransportProblem.run``.
    """
    from ..transport import TransportProblem

    if opt.method not in KERNEL_METHODS:   # (SDIRK4: the Python engine calls its kernel per half cycle)
        return None
    problem = TransportProblem(stack, opt)
    if problem.modal_ok:
        return None
    layers = _Layers(stack, prm, transparent_middle=transparent_middle)
    levels = protocol.levels()
    halves = np.array([protocol.half_time(j) for j in levels], dtype=float)
    fs, span_i, span_how = _initial_fronts(layers)
    c, eta = problem.initial_state()
    n = len(layers.names)
    out = K.step_up(levels, halves, float(protocol.rest), float(samples_per_half), _layer_rows(layers, problem),
                    _parameter_vector(layers, prm, stack), fs, span_i, span_how, c, eta, problem.cellf,
                    problem.layf, problem.layi, problem.layer_R, problem.layer_poly, problem.iff, problem.ifi,
                    _solver_vector(problem, opt), 2 * levels.size * (8 * n + 8) + 64)
    res, t, v, j, dl, dr, evl, snap_fs, snap_i, snap_how, void_seen = out
    if res[K.RS_FALLBACK]:
        return None
    if res[K.RS_STATUS] != 0:
        raise _solver_failure(res, levels)

    def opt_float(x):
        return None if math.isnan(x) else float(x)

    kind = {K.RES_POLARIZATION: "polarization", K.RES_SOFT: "soft", K.RES_HARD: "hard"}.get(int(res[K.RS_KIND]))
    met = _tracker_from(stack, prm, layers, snap_fs, snap_i, snap_how) if res[K.RS_SNAP] else None
    final = _tracker_from(stack, prm, layers, fs, span_i, span_how)
    ccd = opt_float(res[K.RS_CCD])
    return dict(ccd=ccd, survived=opt_float(res[K.RS_SURVIVED]), short_time=opt_float(res[K.RS_SHORT_TIME]),
                kind=kind, mechanism=_mechanism_text(kind, ccd, res, met, final, layers, prm), time=t, voltage=v,
                current_density=j, front_left=dl, front_right=dr, layer_names=list(layers.names),
                electronic_share=opt_float(res[K.RS_SHARE]), path_asr=opt_float(res[K.RS_PATH]),
                events=_events(evl, layers), parameters=prm, protocol=protocol, temperature=stack.temperature,
                pressure=stack.pressure, kernel={"runs": int(res[K.RS_RUNS]), "sampled": int(res[K.RS_SAMPLED])})
