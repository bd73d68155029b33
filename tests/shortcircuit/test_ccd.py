"""Step-up CCD: the seed's statements under their own protocols, physical orderings,
Sand's time as a lower bound, the detector on simulated traces, calibration, the CLI."""

import json
import math

import numpy as np
import pytest

from cellsim.cli import main
from cellsim.errors import InputError
from cellsim.formulas import limiting_current_density, sand_time
from cellsim.library import load_material
from cellsim.models import load_model
from cellsim.shortcircuit import detect_short
from cellsim.shortcircuit.ccd import (StepUpProtocol, calibrate, ccd_solver_options, load_parameters, run_ccd)
from cellsim.shortcircuit.mechanisms import crossing_time
from cellsim.stack import Layer
from cellsim.transport import SolverOptions

MA = 10.0  # A/m2 per mA/cm2


def proto(stop, *, time=None, capacity=None, start=0.1, inc=0.1):
    return StepUpProtocol(start=start * MA, increment=inc * MA, stop=stop * MA,
                          step_time=None if time is None else time * 3600.0,
                          step_capacity=None if capacity is None else capacity * 36000.0)


@pytest.fixture(scope="module")
def prm():
    return load_parameters()


# ---------------------------------------------------------------- the seed, under its own protocols
def test_lvo_sandwich_survives_9_at_half_mah(prm):
    r = run_ccd(load_model("li-uvea-lvo-uvea-li"), proto(9.0, capacity=0.5), prm)
    assert r.ccd is None and r.survived == pytest.approx(9.0 * MA)


@pytest.mark.parametrize("model", ["li-uvea-latp-uvea-li", "li-uvea-lto-uvea-li"])
def test_latp_and_lto_sandwiches_survive_5_at_half_hour(model, prm):
    r = run_ccd(load_model(model), proto(5.0, time=0.5), prm)
    assert r.ccd is None and r.survived == pytest.approx(5.0 * MA)


@pytest.mark.parametrize("model,kind", [("li-latp-li", "polarization"), ("li-lto-li", "polarization"),
                                        ("li-lvo-li", "soft")])
def test_bare_ceramic_cells_fail_far_earlier(model, kind, prm):
    r = run_ccd(load_model(model), proto(5.0, time=0.5), prm)
    assert r.ccd is not None and r.ccd <= 0.5 * 5.0 * MA and r.kind == kind


def _tip_onset(st, prm, i=1, side="right"):
    """Closed-form crack-initiation current at a dendrite tip on middle layer i [A/m2]."""
    from cellsim.shortcircuit.contact import resistance_at
    from cellsim.shortcircuit.fracture import initiation_current, largest_flaw, tip_contact_resistance

    T = st.temperature
    j = i + 1 if side == "right" else i - 1
    rp = st.layers[j].asr(T) + st.interfaces[i + 1 if side == "right" else i].resistance(T)
    rc = resistance_at(prm.contact_resistance, prm.contact_activation_energy, T)
    reff = tip_contact_resistance(rp, rc, prm.tip_contact_fraction)
    kic = st.layers[i].material.get("fracture_toughness")
    return initiation_current(kic, largest_flaw(st.area, prm.flaw_size, prm.flaw_weibull_modulus), reff, 1.0,
                              prm.focusing)


def test_sandwich_shorts_at_the_closed_form_crack_onset(prm):
    # the dendrites cross 100 um UVEA from ~3.2 mA/cm2 on; the LATP then cracks at the first level at
    # or above eta_crit / R_eff (the tip bypasses the polymer: R_eff = R_p R_c / (phi_t R_p + R_c))
    p = proto(15.0, time=0.5, start=1.0, inc=0.5)
    st = load_model("li-uvea-latp-uvea-li")
    sand = run_ccd(st, p, prm)
    j0 = _tip_onset(st, prm)
    levels = p.levels()
    assert sand.ccd == pytest.approx(levels[levels >= j0][0])
    assert sand.kind == "hard" and "crack" in sand.mechanism
    bare = run_ccd(load_model("li-uvea-li"), p, prm)
    assert bare.ccd is not None and bare.kind == "hard" and "dendrite" in bare.mechanism


# ---------------------------------------------------------------- physical orderings
def test_li_stable_twin_is_not_worse_than_reducible(prm):
    from dataclasses import replace

    st = load_model("li-uvea-latp-uvea-li")
    p = proto(15.0, time=0.5, start=1.0, inc=1.0)
    fast = prm.with_values(contact_resistance=1e-4)  # no crack within the protocol
    # a fast-reducing LATP (interphase crosses 400 um in ~11 h) vs the same LATP made Li-stable
    latp = st.layers[1].material
    fast_red = latp.with_value("interphase_growth_constant", 4e-12, "test: fast reduction")
    stable = replace(latp, info={**dict(latp.info), "middle_layer_path": "blocked"})
    r_red = run_ccd(st.with_layer("LATP", material=fast_red), p, fast)
    r_stb = run_ccd(st.with_layer("LATP", material=stable), p, fast)
    assert r_red.ccd is not None and "reduction interphase" in r_red.mechanism
    assert r_stb.ccd is None or r_stb.ccd >= r_red.ccd
    # with the library's LLZO in place of LATP: not worse than LATP under the same parameters
    llzo = run_ccd(st.with_layer("LATP", material=load_material("llzo")), p, fast)
    assert llzo.ccd is None or llzo.ccd >= r_red.ccd


def test_sandwich_not_worse_than_bare_uvea_of_same_polymer_thickness(prm):
    st = load_model("li-uvea-latp-uvea-li")
    bare = load_model("li-uvea-li").with_layer("UVEA", thickness=2 * st.layers[0].thickness).replace(area=st.area)
    p = proto(15.0, time=0.5, start=1.0, inc=0.5)
    rb = run_ccd(bare, p, prm)
    rs = run_ccd(st, p, prm)
    assert rb.ccd is not None
    assert rs.ccd is None or rs.ccd >= rb.ccd


def test_short_above_jlim_never_before_sand_time(prm):
    st = load_model("li-uvea-li")
    layer = st.layers[0]
    D, c0, tp = layer.salt_diffusivity(st.temperature), layer.salt_concentration(), layer.transference_number()
    jlim = limiting_current_density(D, c0, tp, layer.thickness)
    thr = prm.nucleation_threshold
    fine = SolverOptions(n_cells=160, rtol=1e-6, double_layer=False)
    for factor in (3.0, 6.0):
        j = factor * jlim
        # one long plating half cycle at constant J > J_lim
        p = StepUpProtocol(start=j, increment=0.0, stop=j, step_time=4 * 3600.0)
        r = run_ccd(st, p, prm, options=fine)
        assert r.ccd == pytest.approx(j) and r.short_time is not None
        # semi-infinite Sand time to the nucleation threshold, c = thr c0: t_S (1 - thr)^2
        t_sand = sand_time(D, c0, j, tp) * (1 - thr) ** 2
        nuc = [e["time_s"] for e in r.events if e["kind"] == "nucleation"]
        assert nuc and nuc[0] >= t_sand * (1 - 1e-3)
        # the default (coarse, 16-cell) grid of CCD runs nucleates early by its discretisation
        # error, which shrinks with the grid
        errs = [t_sand - [e["time_s"] for e in run_ccd(st, p, prm, options=SolverOptions(
            n_cells=n, rtol=1e-6, double_layer=False)).events if e["kind"] == "nucleation"][0] for n in (16, 32)]
        assert 0 < errs[1] < errs[0] / 2.5 and errs[0] < 0.03 * t_sand
        # the dendrite then has to cross the layer at the anion drift velocity
        assert r.short_time >= t_sand + crossing_time(layer.thickness, j, c0, tp) * (1 - 1e-9)
        # equal up to the share of the current that leaks electronically through UVEA (the
        # dendrite grows with the ionic current): |V| / (J R_e,asr) ~ 1e-4 here
        leak = np.max(np.abs(r.voltage)) / (j * st.electronic_resistance() * st.area)
        assert leak < 3e-4
        assert r.short_time == pytest.approx(nuc[0] + crossing_time(layer.thickness, j, c0, tp), rel=leak + 1e-6)
    # below J_lim: no nucleation at all
    p = StepUpProtocol(start=0.8 * jlim, increment=0.0, stop=0.8 * jlim, step_time=10 * 3600.0)
    r = run_ccd(st, p, prm)
    assert r.ccd is None and not [e for e in r.events if e["kind"] == "nucleation"]


# ---------------------------------------------------------------- numerics, detector, calibration
def test_ccd_insensitive_to_the_solver_resolution(prm):
    st = load_model("li-uvea-latp-uvea-li")
    p = proto(6.0, time=0.5, start=2.0, inc=0.2)
    coarse = run_ccd(st, p, prm)
    fine = run_ccd(st, p, prm, options=SolverOptions(n_cells=40, rtol=1e-5), samples_per_half=160)
    assert coarse.ccd == fine.ccd and coarse.survived == fine.survived
    tc = [e["time_s"] for e in coarse.events if e["kind"] == "layer_crossed"]
    tf = [e["time_s"] for e in fine.events if e["kind"] == "layer_crossed"]
    assert len(tc) == len(tf) and np.allclose(tc, tf, rtol=2e-3)


def test_detector_finds_the_simulated_short_at_the_right_step(prm):
    r = run_ccd(load_model("li-uvea-li"), proto(15.0, time=0.5, start=1.0, inc=0.5), prm)
    assert r.kind == "hard"
    onset = detect_short(r.time, r.voltage, r.current_density)
    assert onset.detected and onset.current_density_A_m2 == pytest.approx(r.ccd)
    assert onset.time_s == pytest.approx(r.short_time, abs=r.protocol.step_time / 16 + 1e-6)


def test_calibration_recovers_a_known_parameter(prm):
    st = load_model("li-uvea-latp-uvea-li")
    p = proto(8.0, time=0.5, start=3.0, inc=0.5)
    prm = prm.with_values(filament_fraction=1e-3)   # a thin filament: it crosses the pellet in the same half cycle
    truth = prm.with_values(contact_resistance=6e-4)
    target = run_ccd(st, p, truth).ccd
    levels = p.levels()
    j_true = _tip_onset(st, truth)
    assert target == pytest.approx(levels[levels >= j_true][0])
    cal = calibrate(st, p, "contact_resistance", target, 1e-4, 1e-2, parameters=prm)
    assert cal.ccd == pytest.approx(target)
    # the CCD is a step function: the calibrated value's onset lies in (or at the edge of) the step that
    # gives this CCD; 1e-3 covers the bisection tolerance (1e-4) and the electronic leakage share of J (~2e-5)
    j_cal = _tip_onset(st, prm.with_values(contact_resistance=cal.value))
    assert (target - 0.5 * MA) * (1 - 1e-3) <= j_cal <= target * (1 + 1e-3)
    with pytest.raises(InputError, match="crosses the target"):
        calibrate(st, p, "contact_resistance", target, 1e-4, 2e-4, parameters=prm)


def test_protocol_and_parameter_checks(prm):
    with pytest.raises(InputError, match="exactly one"):
        StepUpProtocol(start=1.0, increment=1.0, stop=2.0)
    with pytest.raises(InputError, match="stop"):
        StepUpProtocol(start=2.0, increment=1.0, stop=1.0, step_time=10.0)
    p = StepUpProtocol.parse(start="0.1 mA/cm2", increment="0.1 mA/cm2", stop="1 mA/cm2", step_capacity="0.5 mAh/cm2")
    assert p.levels() == pytest.approx(np.arange(1, 11) * 1.0)
    assert p.half_time(10.0) == pytest.approx(1800.0)
    with pytest.raises(InputError, match="dead_fraction"):
        prm.with_values(dead_fraction=1.5)
    with pytest.raises(InputError, match="one of"):
        prm.with_values(speed=1.0)
    assert all("[" in s for s in prm.sources.values())  # every shipped value carries its status


def test_cli_json_and_errors(capsys, tmp_path):
    code = main(["ccd", "li-uvea-li", "--step-time", "0.5 h", "--start", "1 mA/cm2", "--increment", "1 mA/cm2",
                 "--stop", "8 mA/cm2", "--json", "--plot", str(tmp_path / "c.png")])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["ccd_A_m2"] is not None and out["mechanism"].startswith("hard short")
    assert {"short_time_s", "survived_A_m2", "time_s", "voltage_V", "parameter_status"} <= set(out)
    assert (tmp_path / "c.png").stat().st_size > 0
    for args, frag in ((["ccd", "li-uvea-li"], "required"),
                       (["ccd", "li-uvea-li", "--step-time", "1 h", "--start", "-1 mA/cm2"], "start"),
                       (["ccd", "li-uvea-li", "--step-time", "1 h", "--set", "dead_fraction=2"], "dead_fraction"),
                       (["ccd", "li-uvea-li", "--step-time", "1 h", "--calibrate", "focusing"], "--target")):
        code = main(args)
        err = capsys.readouterr().err
        assert code == 2 and frag in err and err.count("\n") == 1


def test_cli_measured_trace(capsys, tmp_path):
    t = np.arange(0, 8 * 600.0, 20.0)
    step = (t // 600).astype(int)
    j = np.where(step % 2 == 0, 1.0, -1.0) * (1 + step // 2) * 5.0
    v = 0.002 * j
    v[t >= 5 * 600 + 100] *= 0.02
    f = tmp_path / "m.csv"
    f.write_text("time_s,voltage_V,current_density_A_m2\n" + "\n".join(f"{a},{b},{c}" for a, b, c in zip(t, v, j)))
    code = main(["ccd", "li-uvea-li", "--step-time", "10 min", "--start", "0.5 mA/cm2", "--increment", "0.5 mA/cm2",
                 "--stop", "2 mA/cm2", "--data", str(f), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["measured"]["detected"] and out["measured"]["ccd_A_m2"] == pytest.approx(15.0)


def test_parameter_file_is_reread_when_it_changes(tmp_path):
    import os

    f = tmp_path / "sc.toml"
    f.write_text('[shortcircuit]\nfocusing = { value = 2.0, source = "test", status = "assumed" }\n')
    a = load_parameters(f)
    a.sources["focusing"] = "changed by the caller"
    assert load_parameters(f).sources["focusing"] == "test [assumed]"   # a fresh object every call
    f.write_text('[shortcircuit]\nfocusing = { value = 3.0, source = "test", status = "assumed" }\n')
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert load_parameters(f).focusing == 3.0 and a.focusing == 2.0
