"""Per-mechanism margins (closed forms) and how the simulated CCD answers the conditions."""

import math

import numpy as np
import pytest

from cellsim.constants import F, R
from cellsim.formulas import limiting_current_density, sand_time
from cellsim.models import load_model
from cellsim.shortcircuit.ccd import StepUpProtocol, load_parameters, run_ccd
from cellsim.shortcircuit.margins import MECHANISMS, depletion_time, mechanism_margins, stack_voltage

D, C0, TP = 1e-11, 1000.0, 0.4


def _series_face(t, j, L):
    """Exact depleting-face concentration (physics.md §2.1.3), independent evaluation."""
    q = (1 - TP) * j / F
    n = np.arange(1, 20001, 2, dtype=float)
    return C0 - q * L / D * (0.5 - 4 / math.pi ** 2 * np.sum(np.exp(-n ** 2 * math.pi ** 2 * D * t / L ** 2) / n ** 2))


def test_depletion_time_solves_the_exact_series():
    L, j = 50e-6, 100.0
    assert j > limiting_current_density(D, C0, TP, L)
    t = depletion_time(j, L, D, C0, TP, threshold=1e-3)
    assert _series_face(t, j, L) == pytest.approx(1e-3 * C0, rel=1e-6)


def test_depletion_time_tends_to_sand_in_a_thick_layer():
    j = 100.0
    ts = sand_time(D, C0, j, TP)
    L = 10 * math.sqrt(D * ts)          # D t_S / L^2 = 0.01: the far face is not felt
    t = depletion_time(j, L, D, C0, TP, threshold=1e-12)
    assert t == pytest.approx(ts, rel=1e-9)


def test_no_depletion_at_or_below_the_limiting_current():
    L = 50e-6
    jl = limiting_current_density(D, C0, TP, L)
    assert depletion_time(0.99 * jl, L, D, C0, TP) == math.inf
    assert math.isfinite(depletion_time(1.01 * jl, L, D, C0, TP))


def test_stack_voltage_is_ohmic_plus_butler_volmer():
    st = load_model("li-uvea-li")
    j = 30.0
    T = st.temperature
    v = j * st.total_bulk_resistance() * st.area
    for itf in st.interfaces:
        i0 = itf.exchange_current_density(T)
        v += 2 * R * T / F * math.asinh(j / (2 * i0))
    assert stack_voltage(st, j) == pytest.approx(v, rel=1e-13)


def _proto(**kw):
    base = dict(start="0.1 mA/cm2", increment="0.1 mA/cm2", stop="15 mA/cm2")
    base.update(kw)
    return StepUpProtocol.parse(**base)


def test_margins_of_the_latp_sandwich_under_the_seed_protocols():
    st = load_model("li-uvea-latp-uvea-li")
    prm = load_parameters()
    m = mechanism_margins(st, _proto(step_time="0.5 h"), prm)
    assert set(m.margins) == set(MECHANISMS)
    # J_lim of 100 um UVEA is ~3.1 mA/cm2: the dendrite margin is the first level above it that crosses in 0.5 h
    jl = m.details["UVEA-2.limiting_current_A_m2"]
    assert m.margins["polymer_dendrite"] > jl
    # crack initiation at a dendrite tip: eta_crit a / (f R_eff) at 22 degC and full contact (20 MPa),
    # R_eff = R_p R_c / (phi_t R_p + R_c) with R_p the UVEA layer and its UVEA|LATP transfer
    from cellsim.shortcircuit.fracture import tip_contact_resistance

    eta = m.details["LATP.griffith_overpotential_V"]
    rp = st.layers[2].asr(st.temperature) + st.interfaces[2].resistance(st.temperature)
    reff = tip_contact_resistance(rp, prm.contact_resistance, prm.tip_contact_fraction)
    assert m.onset["crack_initiation"] == pytest.approx(eta / (prm.focusing * reff), rel=1e-12)
    # under 0.5 mAh/cm2 a dendrite cannot cross 100 um of UVEA in one half cycle (needs 0.556 mAh/cm2)
    m2 = mechanism_margins(st, _proto(step_capacity="0.5 mAh/cm2"), prm)
    assert m2.margins["polymer_dendrite"] is None
    assert any("cannot push a dendrite across UVEA-2" in n and "0.556 mAh/cm2" in n for n in m2.notes)


def test_ccd_json_has_margins_and_middle_layer_dependence():
    st = load_model("li-uvea-latp-uvea-li")
    r = run_ccd(st, _proto(step_capacity="0.5 mAh/cm2"))
    d = r.to_dict()
    assert set(d["margins"]) == set(MECHANISMS)
    assert d["depends_on_middle_layer"] is False
    assert d["ccd_A_m2"] is None
    r2 = run_ccd(st, _proto(step_time="0.5 h"))
    assert r2.depends_on_middle_layer is True
    assert r2.ccd_transparent_middle is not None and r2.ccd_transparent_middle < r2.ccd


@pytest.mark.parametrize("model", ["li-uvea-latp-uvea-li"])
def test_pressure_and_temperature_move_the_sandwich_ccd(model):
    st = load_model(model)
    p = _proto(step_time="0.5 h")

    def ccd(**cond):
        c = run_ccd(st.with_conditions(**cond), p, explain=False).ccd
        return math.inf if c is None else c

    # less stack pressure: less contact at the dendrite tip and voids when it strips -> lower CCD
    assert ccd(pressure=2e6) < ccd(pressure=20e6)
    # warmer: the Li|ceramic charge transfer is faster -> higher CCD; colder -> lower
    assert ccd(temperature=283.15) < ccd(temperature=295.15) < ccd(temperature=333.15)


def test_bare_ceramic_cell_forms_voids_at_low_pressure_only():
    st = load_model("li-latp-li")
    p = _proto(step_time="0.5 h", stop="2 mA/cm2")
    prm = load_parameters()
    low = run_ccd(st.with_conditions(pressure=0.0), p, prm, explain=False)
    high = run_ccd(st.with_conditions(pressure=20e6), p, prm, explain=False)
    assert any(e["kind"] == "void_formation" for e in low.events)
    assert not any(e["kind"] == "void_formation" for e in high.events)


def test_crack_propagation_makes_thick_ceramics_last_longer():
    # a wide filament (phi = 0.3) takes longer than a 0.5 h half cycle to cross 800 um at the onset
    st = load_model("li-uvea-latp-uvea-li")
    prm = load_parameters().with_values(filament_fraction=0.3)
    p = _proto(step_time="0.5 h", start="1 mA/cm2", increment="0.5 mA/cm2", stop="30 mA/cm2")
    thin = run_ccd(st.with_layer("LATP", thickness=100e-6), p, prm, explain=False).ccd
    thick = run_ccd(st.with_layer("LATP", thickness=800e-6), p, prm, explain=False).ccd
    assert thin is not None
    assert thick is None or thick > thin


def test_a_stiff_polymer_suppresses_dendrites_monroe_newman():
    st = load_model("li-uvea-li")
    from dataclasses import replace

    from cellsim.materials import Parameter

    layer = st.layers[0]
    params = dict(layer.material.parameters)
    params["shear_modulus"] = Parameter(10e9, "Pa", "test: 10 GPa > 2 G_Li", "assumed")
    stiff = st.with_layer(0, material=replace(layer.material, parameters=params))
    p = _proto(step_time="0.5 h", stop="8 mA/cm2")
    soft = run_ccd(st, p, explain=False)
    hard = run_ccd(stiff, p, explain=False)
    assert soft.ccd is not None
    assert hard.ccd is None or hard.kind == "polarization"
    assert not any(e["kind"] == "layer_crossed" for e in hard.events)


def test_interphase_growth_is_arrhenius():
    # parabolic x^2 = k(T) t: the time to span the pellet scales as 1/k(T)
    from cellsim.shortcircuit.contact import arrhenius_factor

    st = load_model("li-uvea-latp-uvea-li")
    prm = load_parameters()
    p = _proto(step_time="0.5 h")
    cold = mechanism_margins(st, p, prm).details["LATP.interphase_crossing_time_s"]
    warm = mechanism_margins(st.with_conditions(temperature=333.15), p, prm).details["LATP.interphase_crossing_time_s"]
    ea = st.layers[1].material.parameter("interphase_growth_constant").law.activation_energy
    assert cold / warm == pytest.approx(arrhenius_factor(ea, 333.15), rel=1e-12)
    assert warm < cold


def test_ccd_trace_has_one_legend_with_the_current(tmp_path):
    from cellsim.shortcircuit.plot import plot_ccd

    r = run_ccd(load_model("li-uvea-li"), _proto(step_time="0.5 h", start="5 mA/cm2", increment="1 mA/cm2",
                                                 stop="8 mA/cm2"), explain=False)
    fig = plot_ccd(r, tmp_path / "t.png")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "simulated voltage" in labels and "current density" in labels
