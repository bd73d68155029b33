"""Simulated lab protocols: Bruce-Vincent, current steps (Table S1), electronic conductivity."""

import numpy as np
import pytest

from cellsim.constants import F, R
from cellsim.errors import InputError
from cellsim.models import load_model
from cellsim.stack import Electrode, Layer, Stack
from cellsim.transport.lab import (bruce_vincent, calibrate_interface_resistance, electronic_conductivity_test,
                                   polarize)

from .stacks import ceramic, ideal, ideal_polymer, li_bv

T = 298.15
SEED_I = np.array([0.1, 1, 2, 4, 6, 8, 10, 20, 50]) * 1e-6
SEED_V = np.array([0.278, 0.587, 0.942, 1.656, 2.393, 3.106, 3.849, 7.371, 17.756]) * 1e-3


def _rd(L, tp, D, c0):
    """Diffusion ASR R_d = 2RTL(1-t+)^2/(F^2 D c0) (physics.md §2.3)."""
    return 2 * R * T * L * (1 - tp) ** 2 / (F ** 2 * D * c0)


@pytest.mark.parametrize("tp", [0.25, 0.4, 0.6])
def test_bruce_vincent_returns_input_t_plus_ideal_electrolyte(tp):
    m = ideal_polymer(D=1e-11, tp=tp, c0=1000.0, T=T)
    stack = Stack.build([Layer("P", m, 50e-6)], Electrode("li"), Electrode("li"), 1e-4, T,
                        interfaces=[ideal("a"), ideal("b")])
    r = bruce_vincent(stack, dv=0.01)
    assert abs(r.t_plus / tp - 1) < 0.01, r.t_plus
    assert r.r0_ohm == 0 and r.iss_A < r.i0_A


def test_bruce_vincent_corrects_for_interfaces_with_double_layer():
    """Butler-Volmer interfaces (R_ct = R_b) with double layers: the formula removes R_0, R_ss."""
    tp, L = 0.4, 50e-6
    m = ideal_polymer(D=1e-11, tp=tp, c0=1000.0, T=T)
    rb = L / m.get("ionic_conductivity")
    stack = Stack.build([Layer("P", m, L)], Electrode("li"), Electrode("li"), 1e-4, T,
                        interfaces=[li_bv(rb / 2, 0.05, "Li|P"), li_bv(rb / 2, 0.05, "P|Li")])
    r = bruce_vincent(stack, dv=0.01)
    assert r.r0_ohm == pytest.approx(rb / 1e-4, rel=1e-12)
    assert abs(r.t_plus / tp - 1) < 0.01, r.t_plus
    # without the interfacial correction the ratio I_ss/I_0 is not t+
    assert abs(r.iss_A / r.i0_A - tp) > 0.05


@pytest.mark.parametrize("sigma_c", [1.0, 0.1, 1e-2])
def test_sandwich_apparent_t_plus_follows_physics_formula(sigma_c):
    tp, Lp, Lc = 0.4, 30e-6, 200e-6
    m = ideal_polymer(D=1e-11, tp=tp, c0=1000.0, T=T)
    layers = [Layer("P1", m, Lp), Layer("C", ceramic(sigma_c), Lc), Layer("P2", m, Lp)]
    stack = Stack.build(layers, Electrode("li"), Electrode("li"), 1e-4, T,
                        interfaces=[ideal("a"), ideal("b"), ideal("c"), ideal("d")])
    r = bruce_vincent(stack, dv=0.01)
    rbp = 2 * Lp / m.get("ionic_conductivity")
    rbc = Lc / sigma_c
    rdp = 2 * _rd(Lp, tp, 1e-11, 1000.0)
    expected = (rbp + rbc) / (rbp + rbc + rdp)
    assert expected > tp + 0.05  # the sandwich reads a higher "t+" than its polymer has (0.46-0.95 here)
    assert abs(r.t_plus / expected - 1) < 0.01, (r.t_plus, expected)


def test_table_s1_reproduced_by_calibrated_li_uvea_li(capsys):
    stack = load_model("li-uvea-li")
    res = polarize(stack, SEED_I)
    slope_seed, offset_seed = np.polyfit(SEED_I, SEED_V, 1)
    slope_model, offset_model = np.polyfit(SEED_I, res.voltages_V, 1)
    resid = res.voltages_V - SEED_V
    with capsys.disabled():
        print("\nTable S1: I [uA], seed V [mV], model V [mV], residual [mV]")
        for i, vs, vm, d in zip(SEED_I * 1e6, SEED_V * 1e3, res.voltages_V * 1e3, resid * 1e3):
            print(f"  {i:6.1f} {vs:8.3f} {vm:8.3f} {d:+8.3f}")
        print(f"  slope seed {slope_seed:.2f} ohm, model {slope_model:.2f} ohm; seed offset {offset_seed * 1e3:.3f} mV;"
              f" model DCR {np.round(res.dcr_ohm, 1)} ohm")
    assert slope_model == pytest.approx(slope_seed, rel=1e-3)
    # DC resistance between consecutive steps: about 0.35 kohm, as in the seed (0.343-0.372 kohm)
    assert np.all(np.abs(res.dcr_ohm - 350.0) < 3.0)
    # the model is resistive (no offset): residuals are the seed's 0.28 mV offset plus scatter
    # (its fitted intercept, 5 uV from the Butler-Volmer curvature at 50 uA, is < 3% of the seed offset)
    assert abs(offset_model) < 0.03 * offset_seed
    assert np.all(np.abs(resid + offset_seed) < 0.1e-3)
    # ... so the 0.1 uA point is not reproduced (0.035 mV vs the seed's 0.278 mV); honest, not bent
    assert res.voltages_V[0] < 0.2 * SEED_V[0]


def test_recalibration_returns_the_toml_value():
    stack = load_model("li-uvea-li")
    r = calibrate_interface_resistance(stack, SEED_I, SEED_V)
    assert r["resistance_ohm_m2"] == pytest.approx(stack.interfaces[0].resistance(), rel=2e-3)
    assert r["model_slope_ohm"] == pytest.approx(r["slope_ohm"], rel=1e-8)


def test_polarize_ohmic_stack_is_exactly_linear():
    stack = Stack.build([Layer("C", ceramic(0.05), 1e-3)], Electrode("li"), Electrode("li"), 1e-4, T,
                        interfaces=[ideal("a"), ideal("b")])
    res = polarize(stack, [1e-6, 2e-6, 5e-6])
    rb = 1e-3 / (0.05 * 1e-4)
    assert np.allclose(res.voltages_V, rb * np.array([1e-6, 2e-6, 5e-6]), rtol=1e-12)
    assert np.allclose(res.dcr_ohm, rb, rtol=1e-10)
    with pytest.raises(InputError, match="currents"):
        polarize(stack, [])


def test_electronic_conductivity_of_uvea_eq2():
    """SS | UVEA | SS at 0.15 V: the current decays to U/R_e; Eq. 2 returns sigma_e."""
    stack = load_model("ss-uvea-ss")
    r = electronic_conductivity_test(stack, voltage=0.15, duration=600.0)
    sigma_e = stack.layers[0].electronic_conductivity()
    assert r.conductivity_S_m == pytest.approx(sigma_e, rel=1e-6)
    assert r.initial_current_A > 1e3 * r.current_A  # ionic double-layer charging first


def test_bad_inputs():
    stack = load_model("li-uvea-li")
    with pytest.raises(InputError, match="dv"):
        bruce_vincent(stack, dv=-0.01)
    with pytest.raises(InputError, match="voltage"):
        electronic_conductivity_test(stack, voltage=0.0)
