"""run_cycle: calibration, the SEI-limited lifetime against its closed form, each failure mode, bad input."""

import dataclasses
import math

import numpy as np
import pytest

from cellsim.errors import InputError
from cellsim.lifetime import load_lifetime_parameters, run_cycle
from cellsim.lifetime.mechanisms import sei_time_to_resistance
from cellsim.lifetime.seed import seed_lifetime
from cellsim.lifetime.state import Model
from cellsim.lifetime.transport_cycle import cycle_options, run_transport_cycle
from cellsim.materials import Parameter
from cellsim.models import load_model
from cellsim.shortcircuit.ccd import load_parameters

H = 3600.0


@pytest.fixture(scope="module")
def sandwich():
    return load_model("li-uvea-latp-uvea-li")


def test_the_calibration_reproduces_its_seed_number(sandwich):
    """sei_growth_constant is calibrated on 2500 h at 0.5 mA/cm2 (its source names it)."""
    prm = load_lifetime_parameters()
    assert prm.status("sei_growth_constant") == "calibrated"
    assert "2500 h at 0.5 mA/cm2" in prm.sources["sei_growth_constant"]
    seed = seed_lifetime("li-uvea-latp-uvea-li", 5.0, H)
    assert seed.role == "calibration"
    r = run_cycle(sandwich, 5.0, H, 3000 * H)
    assert r.failure == "voltage_limit"
    assert abs(r.lifetime - seed.lifetime) < 2 * H          # within one cycle (the shipped value has 4 digits)
    assert r.cumulative_capacity == pytest.approx(5.0 * r.lifetime, rel=1e-14)
    # every other parameter of the file is not calibrated
    assert [k for k in prm.sources if prm.status(k) == "calibrated"] == ["sei_growth_constant"]


def test_sei_limited_lifetime_matches_its_closed_form(sandwich):
    """With no dead Li the only slow term is 2 R_SEI(t) in series: the cell fails in the first
    cycle whose peak V0 + 2 J R_SEI(t) passes the limit, t_c <= t_f <= t_c + one cycle with
    R_SEI(t_c) = (V_lim - max V0) / (2 J)."""
    p = load_lifetime_parameters().with_values(inactive_fraction=0.0, sei_growth_constant=1e-18)
    j, vlim = 5.0, 2.0
    r = run_cycle(sandwich, j, H, 1000 * H, parameters=p, voltage_limit=vlim)
    opts = cycle_options(load_parameters())
    c1 = run_transport_cycle(sandwich, opts, j, H)
    c2 = run_transport_cycle(sandwich, opts, j, H, state=c1.final_state)
    v0 = float(np.max(np.abs(c2.voltage)))
    tc = sei_time_to_resistance((vlim - v0) / (2 * j), p.sei_growth_constant, p.sei_initial_thickness,
                                p.sei_ionic_conductivity)
    assert r.failure == "voltage_limit"
    assert tc - 1e-6 <= r.lifetime <= tc + 2 * H


def test_sei_growth_is_faster_when_hot(sandwich):
    p = load_lifetime_parameters()
    m22 = Model.build(sandwich, p, load_parameters())
    m60 = Model.build(sandwich.with_conditions(temperature=333.15), p, load_parameters())
    assert m22.k_sei == pytest.approx(p.sei_growth_constant, rel=1e-12)
    assert m60.k_sei / m22.k_sei == pytest.approx(math.exp(-p.sei_activation_energy / 8.314462618
                                                           * (1 / 333.15 - 1 / 295.15)), rel=1e-12)


def test_short_through_a_single_polymer_layer():
    cell = load_model("li-uvea-li").with_layer(0, thickness=10e-6)
    p = load_lifetime_parameters().with_values(front_focusing=10.0)
    r = run_cycle(cell, 5.0, H, 400 * H, parameters=p)
    assert r.failure == "hard_short"
    # both fronts advance beta f Omega q / (F (1 - eps)) per cycle: they meet at L / 2 each
    per_cycle = 10.0 * 0.01 * (6.94e-3 / 534.0) * 5.0 * H / (96485.33212 * 0.5)
    assert r.lifetime == pytest.approx(5e-6 / per_cycle * 2 * H, abs=1e-2)   # bisection to 1 ms


def test_short_through_the_reduced_middle_layer(sandwich):
    thin = (sandwich.with_layer("UVEA-1", thickness=10e-6).with_layer("UVEA-2", thickness=10e-6)
            .with_layer("LATP", thickness=20e-6))
    p = load_lifetime_parameters().with_values(front_focusing=5.0)
    r = run_cycle(thin, 5.0, H, 1000 * H, parameters=p)
    kinds = [e["kind"] for e in r.events]
    assert kinds.count("front_reached_middle_layer") == 2
    assert r.failure in ("hard_short", "soft_short")
    t_contact = max(e["time_s"] for e in r.events if e["kind"] == "front_reached_middle_layer")
    # each interphase grows sqrt(k t) from its contact (k of LATP at 22 degC): they meet at 10 um each
    assert r.lifetime == pytest.approx(t_contact + (10e-6) ** 2 / 1e-16, rel=1e-6)


def test_an_electrode_runs_out_of_live_li(sandwich):
    foil = dataclasses.replace(sandwich.left, parameters={**sandwich.left.parameters,
                                                          "thickness": Parameter(5e-6, "m", "test", "assumed")})
    p = load_lifetime_parameters().with_values(inactive_fraction=0.05)
    r = run_cycle(sandwich.replace(left=foil), 5.0, H, 500 * H, parameters=p)
    assert r.failure == "li_exhausted"
    # the left foil loses f q per cycle; it fails when less than one half cycle's Li (2.43 um) is left
    n = math.ceil((5e-6 - 2.4255e-6) / (0.05 * 2.4255e-6))
    assert abs(r.lifetime / (2 * H) - n) <= 1.0


def test_survival_gives_null_lifetime(sandwich):
    r = run_cycle(sandwich, 1.0, H, 100 * H)
    assert r.lifetime is None and r.failure is None
    assert r.cumulative_capacity == pytest.approx(1.0 * 100 * H)
    d = r.to_dict()
    assert d["lifetime_h"] is None and d["cumulative_capacity_mAh_cm2"] == pytest.approx(10.0)


@pytest.mark.parametrize("kw, field", [({"current": 0.0}, "--current"), ({"step_time": -1.0}, "--step-time"),
                                       ({"until": 1.0}, "--until"), ({"voltage_limit": -2.0}, "--voltage-limit")])
def test_bad_protocol(sandwich, kw, field):
    args = {"current": 5.0, "step_time": H, "until": 10 * H, **kw}
    with pytest.raises(InputError) as e:
        run_cycle(sandwich, args["current"], args["step_time"], args["until"], voltage_limit=kw.get("voltage_limit"))
    assert field in str(e.value)


@pytest.mark.parametrize("model, field", [("li-uvea-latp-uvea-nmc811", "model electrodes"),
                                          ("li-latp-li", "model layers")])
def test_cells_that_are_not_symmetric_li_polymer_cells(model, field):
    with pytest.raises(InputError) as e:
        run_cycle(load_model(model), 5.0, H, 10 * H)
    assert field in str(e.value)


def test_parameter_file_errors_name_the_field(tmp_path):
    from cellsim.lifetime.parameters import load_lifetime_parameters as load

    p = tmp_path / "lifetime.toml"
    p.write_text('[lifetime]\ninactive_fraction = { value = 1.5, source = "x", status = "estimate", '
                 'range = [0.1, 2.0], range_reason = "x" }\n', encoding="utf-8")
    with pytest.raises(InputError) as e:
        load(p)
    assert "inactive_fraction" in str(e.value)
    p.write_text('[lifetime]\nnot_a_parameter = { value = 1, source = "x" }\n', encoding="utf-8")
    with pytest.raises(InputError) as e:
        load(p)
    assert "not_a_parameter" in str(e.value) and str(p) in str(e.value)


def test_path_share_and_a_leak_that_becomes_a_short():
    """A path of ASR r beside the ionic ASR a takes a / (a + r); a leak (< soft_share) turns into a
    soft short at the first sample where the ionic ASR |V|/J has grown to r soft/(1 - soft)."""
    from cellsim.lifetime.simulated import path_share, simulate_cycle
    from cellsim.lifetime.state import SlowState, spanned

    assert path_share(1.0, 9.0) == pytest.approx(0.1, rel=1e-15)
    assert path_share(1.0, math.inf) == 0.0 and path_share(0.0, 0.0) == 1.0
    cell = load_model("li-uvea-lvo-uvea-li")
    sc = load_parameters()
    m = Model.build(cell, load_lifetime_parameters(), sc)
    geo = m.geometry
    s = SlowState(time=1e6, plated=(1e7, 1e7), contact=(1e5, 1e5))   # both fronts on LVO (intrinsic): spanned
    assert spanned(m, s)
    opts = cycle_options(sc)
    base = simulate_cycle(m, s, cell, opts, 5.0, H, None, 16, 100.0)
    v_peak = float(np.max(np.abs(base.voltage)))
    # choose the path so that the share crosses soft_share inside this cycle
    r = 0.9 * v_peak / 5.0 * (1 - sc.soft_share) / sc.soft_share
    m2 = dataclasses.replace(m, geometry=dataclasses.replace(geo, middle_path_resistance=r * sc.contact_fraction))
    out = simulate_cycle(m2, s, cell, opts, 5.0, H, None, 16, 100.0)
    assert out.failure is not None and out.failure.kind == "soft_short"
    k = int(np.argmin(np.abs(out.time - out.failure.time)))
    assert abs(out.voltage[k]) / 5.0 >= r * sc.soft_share / (1 - sc.soft_share)
    assert np.all(np.abs(out.voltage[:k]) / 5.0 < r * sc.soft_share / (1 - sc.soft_share))
