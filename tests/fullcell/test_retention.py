"""Full-cell capacity retention over N cycles: CE, monotone retention, degradation laws against closed forms."""

import json
import math

import numpy as np
import pytest

pybamm = pytest.importorskip("pybamm")

from cellsim.constants import F
from cellsim.errors import InputError
from cellsim.fullcell.aging import (ParabolicGrowth, SEIGrowth, active_fraction_after, lam_per_cycle, load_aging,
                                    no_growth)
from cellsim.fullcell.design import FullCellDesign, li_anode
from cellsim.fullcell.retention import build_simulation, li_inventory, parse_c_rate, simulate_cycles
from cellsim.models import load_model

LATP = "li-uvea-latp-uvea-nmc811"


@pytest.fixture(scope="module")
def design():
    return FullCellDesign.from_stack(load_model(LATP))


@pytest.fixture(scope="module")
def short(design):
    return simulate_cycles(design, 3, 0.2)


def test_short_run_ce_at_most_one_and_retention_monotone(short):
    ce = short.coulombic_efficiency
    assert ce[0] <= 1.0 and np.all(ce <= 1.0)
    # no side reaction feeds the cathode: the only first-cycle loss is the Li locked in lost NMC811
    assert ce[0] > 0.999
    r = short.retention
    assert r[0] == 1.0 and np.all(np.diff(r) < 0)
    assert not short.li_limited.any()


def test_short_run_json(short):
    d = json.loads(json.dumps(short.to_dict()))
    assert len(d["retention"]) == len(d["discharge_capacity_mAh_g"]) == d["cycles"] == 3
    assert d["retention_final"] == d["retention"][-1]
    assert d["first_cycle_coulombic_efficiency"] <= 1.0
    assert d["calibrated_on_seed"] == [] and "seed_comparison" not in d  # only after >= 350 cycles
    assert short.seed_cell  # the seed's Fig. S24 cell at 0.2 C
    for name in ("lam_per_cycle_4p4V", "interphase_growth_asr", "sei_li_loss", "li_coulombic_efficiency"):
        assert d["parameters"][name]["source"]


def test_loss_of_active_material_matches_closed_form(design, short):
    """eps/eps0 = 1 - f_LAM q / (2 Q_c): q from the per-cycle capacities (no Li cap in this cell)."""
    p = load_aging()
    f = lam_per_cycle(p, design.vmax)
    assert f == pytest.approx(p.lam_per_cycle_4p4V, rel=1e-12)
    q = (short.charge_capacity_mAh_g + short.discharge_capacity_mAh_g) * 3.6 * design.active_mass * 1e3 / design.area
    expected = 1.0 - np.array([active_fraction_after(x, f, design.cathode.areal_capacity) for x in np.cumsum(q)])
    assert short.active_material_loss == pytest.approx(expected, rel=1e-5)


def test_lam_rate_log_linear_in_cutoff():
    p = load_aging()
    assert lam_per_cycle(p, 4.2) == pytest.approx(p.lam_per_cycle_4p2V, rel=1e-12)
    assert lam_per_cycle(p, 4.3) == pytest.approx(math.sqrt(p.lam_per_cycle_4p2V * p.lam_per_cycle_4p4V), rel=1e-12)


def test_sei_li_loss_matches_parabolic_closed_form(short):
    p = load_aging()
    g = SEIGrowth(p.sei_li_loss, p.reference_time)
    assert short.sei_li_loss_C_m2 == pytest.approx(g.li_loss(short.time_s), rel=1e-5)
    # the stated loss at the reference time, and ~sqrt(t) once L >> L0
    assert g.li_loss(p.reference_time) == pytest.approx(p.sei_li_loss, rel=1e-12)
    t = np.array([1e9, 4e9])
    q = g.li_loss(t)
    assert q[1] / q[0] == pytest.approx(2.0, rel=1e-3)
    k = F * math.sqrt(2 * g.z * g.diffusivity * g.c_sol / g.V_bar)
    assert q[1] == pytest.approx(k * math.sqrt(t[1]), rel=1e-3)


def test_resistance_hook_enters_as_series_resistance(design):
    """A hook linear in t is reproduced exactly by the tabulated (linear) interpolant: V_contact = I (R_s + R(t)/S)."""
    def growth(t):
        return 2e-8 * np.asarray(t, dtype=float)   # ohm m2: +0.72 ohm cm2 per hour

    sim, _ = build_simulation(design, 1, 0.2, model="SPMe", params=load_aging(), resistance_growth=growth)
    sol = sim.solve()
    t = sol["Time [s]"].entries
    i = sol["Current [A]"].entries
    v = sol["Contact overpotential [V]"].entries
    r = design.sandwich.series_resistance + growth(t) / design.area
    ok = np.abs(i) > 1e-6
    assert np.abs(v[ok]) == pytest.approx(np.abs(i[ok]) * r[ok], rel=1e-9)
    assert t[-1] > 3600 * 8  # the whole cycle ran


def test_parabolic_default_hook():
    p = load_aging()
    h = ParabolicGrowth.from_parameters(p)
    assert h(0.0) == 0.0
    assert h(p.reference_time) == pytest.approx(p.interphase_growth_asr, rel=1e-12)
    assert h(4 * p.reference_time) == pytest.approx(2 * p.interphase_growth_asr, rel=1e-12)


def test_li_inventory_caps_discharge():
    """0.5 C in and out per cycle, 10 % dead Li: a 1 C anode loses 0.05 C a cycle; an empty one caps every discharge."""
    q_ch = np.full(4, 0.5)
    ch, q_dis, left, dead, limited = li_inventory(1.0, q_ch, q_ch.copy(), np.zeros(4), 0.9)
    # Li before each discharge: 1 + 0.5 - 0.05 = 1.45, after it 0.95; then 1.40 -> 0.90 ...
    assert dead == pytest.approx([0.05, 0.10, 0.15, 0.20])
    assert left == pytest.approx([0.95, 0.90, 0.85, 0.80])
    assert not limited.any() and ch == pytest.approx(q_ch) and q_dis == pytest.approx(q_ch)
    # no excess Li, SEI 0.1 C per cycle: each charge returns only what the last discharge put back
    ch, q_dis, left, dead, limited = li_inventory(0.0, q_ch, q_ch.copy(), np.array([0.0, 0.1, 0.2, 0.3]), 0.9)
    assert ch == pytest.approx([0.5, 0.45, 0.305, 0.1745], rel=1e-12)
    assert q_dis == pytest.approx([0.45, 0.305, 0.1745, 0.05705], rel=1e-12)
    assert limited.all() and left == pytest.approx(np.zeros(4), abs=1e-15)


def test_thin_li_anode_runs_out(design):
    """0.3 mAh/cm2 of excess Li with CE_Li = 0.5: the Li inventory caps the discharge within 3 cycles."""
    thin = design.replace(anode_capacity=li_anode(areal_capacity=0.3 * 3.6e4).areal_capacity)
    p = load_aging().with_values(li_coulombic_efficiency=0.5)
    r = simulate_cycles(thin, 3, 0.2, params=p, resistance_growth=no_growth)
    assert r.li_limited.any()
    assert r.retention[-1] < 0.8
    assert np.all(r.coulombic_efficiency <= 1.0)


def test_spme_against_dfn_first_cycles(design):
    """The cheap model against the DFN on 2 cycles: capacities within 0.05 % (measured 0.005 %)."""
    a = simulate_cycles(design, 2, 0.2, model="SPMe")
    b = simulate_cycles(design, 2, 0.2, model="DFN")
    assert a.discharge_capacity_mAh_g == pytest.approx(b.discharge_capacity_mAh_g, rel=5e-4)
    assert a.retention == pytest.approx(b.retention, abs=1e-5)


@pytest.mark.parametrize("kw", [dict(cycles=0), dict(cycles=-5), dict(cycles=2.5), dict(cycles=True),
                                dict(model="P2D"), dict(resistance_growth=3.0),
                                dict(resistance_growth=lambda t: -np.ones_like(t)),
                                dict(resistance_growth=lambda t: 1e-3 + 0 * t)])
def test_bad_input(design, kw):
    args = dict(cycles=2, model="SPMe")
    args.update(kw)
    with pytest.raises(InputError):
        simulate_cycles(design, args.pop("cycles"), 0.2, **args)


@pytest.mark.parametrize("text,value", [("0.2C", 0.2), ("0.2 C", 0.2), ("C/5", 0.2), ("0.5", 0.5), ("1c", 1.0)])
def test_parse_c_rate(text, value):
    assert parse_c_rate(text) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("text", ["fast", "-0.2C", "C/0", "0C", "nanC", "", "0.2CC"])
def test_parse_c_rate_rejects(text):
    with pytest.raises(InputError):
        parse_c_rate(text)
