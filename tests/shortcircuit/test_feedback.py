"""Feedback of the fronts on the transport solver (#15): a growing dendrite shortens the polymer
layer it grows in, and a growing interphase changes the electronic leakage during the test.
Closed forms: x(t) = sqrt(k t), R_e = rho (L - x_int) + rho_int x_int, a resistor in parallel."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from cellsim.models import load_model
from cellsim.shortcircuit import ccd as C
from cellsim.shortcircuit.interphase import layer_electronic_asr, leak_conductance
from cellsim.transport import TransportProblem


@pytest.fixture(scope="module")
def prm():
    return C.load_parameters()


def _problem(stack, prm):
    opt = replace(C.ccd_solver_options(), on_depletion="continue", depletion_threshold=prm.nucleation_threshold)
    return TransportProblem(stack, opt)


# ---------------------------------------------------------------- closed forms
def test_layer_electronic_asr_closed_form():
    rho, rho_i, L = 1.24e4, 10.0, 400e-6     # LATP 8.07e-7 S/cm, its interphase 1e-3 S/cm [ohm m]
    for x_int, x_li in ((0.0, 0.0), (3e-6, 0.0), (50e-6, 20e-6), (400e-6, 0.0), (0.0, 400e-6)):
        want = rho * max(L - x_int - x_li, 0.0) + rho_i * min(x_int, L)
        assert layer_electronic_asr(L, x_int, x_li, rho, rho_i) == pytest.approx(want, rel=1e-14)
    assert layer_electronic_asr(L, 0.0, 0.0, math.inf, rho_i) == math.inf
    assert layer_electronic_asr(L, L, 0.0, math.inf, rho_i) == pytest.approx(rho_i * L, rel=1e-15)
    assert layer_electronic_asr(L, 0.0, L, math.inf, math.inf) == 0.0
    assert leak_conductance(math.inf) == 0.0 and leak_conductance(4.0) == 0.25


# ---------------------------------------------------------------- item 2: interphase leakage
def test_interphase_grows_as_sqrt_kt_and_the_solver_sees_the_leak(prm):
    """Bare Li | LATP | Li with a fast interphase: the tracked thickness is sqrt(k t) (both faces, from
    t = 0), and every sample's external current is the ionic one plus V / R_e with
    R_e = rho_LATP (L - 2x) + rho_int 2x taken at the sample's start (the leak is updated per sample)."""
    st = load_model("li-latp-li")
    i = st.layer_index("LATP")
    latp = st.layers[i].material
    st = st.with_layer("LATP", material=latp.with_value("interphase_growth_constant", 1e-12, "test: fast"))
    T = st.temperature
    k = st.layers[i].material.get("interphase_growth_constant", T)
    L = st.layers[i].thickness
    rho = 1.0 / st.layers[i].electronic_conductivity(T)
    rho_i = 1.0 / st.layers[i].material.get("interphase_electronic_conductivity", T)
    layers = C._Layers(st, prm)
    tr = C._Tracker(st, prm, layers)
    pr = _problem(st, prm)
    h = C._half_cycle(pr, tr, 0.5, 1800.0, 0.0, 16, None, 0.0, "Plate")
    t = h.t
    x = np.sqrt(k * t)
    assert np.allclose(h.dl[1:, i], x[1:], rtol=1e-12, atol=0) and np.allclose(h.dr[1:, i], x[1:], rtol=1e-12)
    r_e = rho * (L - 2 * x) + rho_i * 2 * x
    leak = h.j_ext[1:] - h.j_ion[1:]
    assert np.allclose(leak, h.v[1:] / r_e[:-1], rtol=1e-9)
    # the leak grows during the test (R_e falls as the interphase thickens)
    assert np.all(np.diff(leak[1:]) > 0)
    # stack's own resistance at x = 0 (no jump when the fronts start)
    assert r_e[0] == pytest.approx(st.electronic_resistance() * st.area, rel=1e-12)


def test_interphase_leak_in_the_sandwich_after_both_dendrites_reach_the_lic(prm):
    """In the sandwich a leak through the LIC needs both polymer layers crossed; then
    R_e = rho_LIC (L - x_l - x_r) + rho_int (x_l + x_r) (the dendrites conduct freely)."""
    st = load_model("li-uvea-latp-uvea-li")
    layers = C._Layers(st, prm)
    tr = C._Tracker(st, prm, layers)
    i = 1
    L = layers.L[i]
    assert tr.leak_asr() == pytest.approx(sum(layers.rho_e * layers.L), rel=1e-12)
    for fr in (tr.left, tr.right):
        fr.spanned.append((i - fr.step(), "dendrite"))
        fr.layer, fr.contact = i, 0.0
        fr.chem_depth = fr.depth = 5e-6 if fr.side == "left" else 8e-6
    want = layers.rho_e[i] * (L - 13e-6) + layers.rho_int[i] * 13e-6
    assert tr.leak_asr() == pytest.approx(want, rel=1e-13)
    # a crack filament (Li metal) conducts without resistance
    tr.left.crack_depth = tr.left.depth = 7e-6
    want = layers.rho_e[i] * (L - 15e-6) + layers.rho_int[i] * 8e-6
    assert tr.leak_asr() == pytest.approx(want, rel=1e-13)


# ---------------------------------------------------------------- item 1: dendrite shortens the polymer
def test_post_sand_voltage_stays_bounded_and_falls_as_the_dendrite_grows(prm):
    """Verification (b): Li | UVEA | Li plated at 4 mA/cm2 for 0.5 h. Sand's time comes at ~150 s; the
    dendrite then grows toward the other electrode and the solver's domain shrinks with it. The
    voltage stays finite, below its value at the moment the face depleted plus the floored
    transient, the concentration at the front recovers above the depletion threshold (the floor no
    longer acts) and the voltage falls as the front advances. The layer keeps its salt."""
    st = load_model("li-uvea-li")
    layers = C._Layers(st, prm)
    tr = C._Tracker(st, prm, layers)
    pr = _problem(st, prm)
    c0 = st.layers[0].salt_concentration()
    salt0 = c0 * st.layers[0].thickness
    faces = []
    run = pr.run

    def spy(*a, **kw):
        sol = run(*a, **kw)
        if sol.time[-1] < 1000.0:   # the samples (not the whole half cycle tried first and run again)
            faces.append(sol.face_concentration("UVEA", "right")[-1])
        return sol

    pr.run = spy
    h = C._half_cycle(pr, tr, 40.0, 1800.0, 0.0, 16, None, 0.0, "Plate")
    nuc = [e for e in tr.events if e["kind"] == "nucleation"]
    assert len(nuc) == 1 and nuc[0]["time_s"] < 300.0
    assert tr.right.depth > 0.5 * layers.L[0] and tr.met_time is None   # grown, not yet across
    assert np.all(np.isfinite(h.v))
    after = h.t >= nuc[0]["time_s"]
    assert np.max(h.v[after]) < 1.2 * h.v[np.argmax(after)]
    # the face at the front recovers above the depletion level and stays there
    # (after a transient of a few Sand times in which it is still below: the depleted zone the
    # front inherits at nucleation)
    thr = prm.nucleation_threshold * c0
    f = np.array(faces)
    low = int(np.argmin(f))
    first_ok = low + int(np.argmax(f[low:] > thr))
    assert f[low] < thr and first_ok > low and np.all(f[first_ok:] > thr) and first_ok < f.size - 5
    # while it does, the voltage falls with the shrinking domain
    tail = h.v[-8:]
    assert np.all(np.diff(tail) < 0) and tail[-1] < 0.5 * h.v[np.argmax(after)]
    c, _ = h.state
    assert float(c @ pr.vol) == pytest.approx(salt0, rel=1e-9)
    # the solver's layer is the part ahead of the front (as it stood at the last sample's start)
    assert pr.Lp[0] == pytest.approx(layers.L[0] - h.dr[-2, 0], rel=1e-12)


def test_feedback_keeps_the_sandwich_ccd_and_crossing_times(prm):
    """(c) The fronts' speed is the tracker's (anion drift), so the crossing times and the CCD of the
    sandwich do not depend on the sampling of the feedback (16 vs 64 samples per half cycle)."""
    st = load_model("li-uvea-latp-uvea-li")
    p = C.StepUpProtocol(start=20.0, increment=2.0, stop=60.0, step_time=1800.0)
    a = C.run_ccd(st, p, prm, explain=False)
    b = C.run_ccd(st, p, prm, explain=False, samples_per_half=64)
    assert a.ccd == b.ccd
    ta = [e["time_s"] for e in a.events if e["kind"] == "layer_crossed"]
    tb = [e["time_s"] for e in b.events if e["kind"] == "layer_crossed"]
    assert len(ta) == len(tb) == 2 and np.allclose(ta, tb, rtol=1e-3)
