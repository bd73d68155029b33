"""Stack -> circuit: structure, values, provenance, and the seed's cells."""

import math

import numpy as np
import pytest

from cellsim.circuits import Circuit, compose_circuit
from cellsim.circuits.compose import DEFAULT_GB_CAPACITANCE_RATIO
from cellsim.circuits.elements import polymer_diffusion_parameters
from cellsim.constants import EPS0
from cellsim.library import load_material
from cellsim.models import load_model
from cellsim.stack import Electrode, Layer, Stack

CONDUCTIVITY_CELLS = ["ss-latp-ss", "ss-lvo-ss", "ss-lto-ss", "ss-uvea-ss"]
SANDWICHES = ["li-uvea-latp-uvea-li", "li-uvea-lvo-uvea-li", "li-uvea-lto-uvea-li", "li-uvea-li", "li-latp-li"]
DENSE = np.logspace(-4, 9, 5201)


def local_minima(y):
    return [i for i in range(1, len(y) - 1) if y[i] < y[i - 1] and y[i] <= y[i + 1]]


def local_maxima(y):
    return [i for i in range(1, len(y) - 1) if y[i] > y[i - 1] and y[i] >= y[i + 1]]


def eq1_resistance(stack):
    layer = stack.layers[0]
    return layer.thickness / (layer.ionic_conductivity(stack.temperature) * stack.area)


def test_seed_latp_number():
    cc = compose_circuit(load_model("ss-latp-ss"))
    # seed Eq. 1 with Table S2 / Fig. S8: 0.136 cm / (3.58e-5 S/cm x 1.33 cm2)
    assert cc.parameters["R0"] == pytest.approx(0.136 / (3.58e-5 * 1.33), rel=1e-12)
    assert round(cc.parameters["R0"]) == 2856


@pytest.mark.parametrize("model", CONDUCTIVITY_CELLS)
def test_conductivity_cell_intercept_is_eq1(model):
    stack = load_model(model)
    r_eq1 = eq1_resistance(stack)
    cc = compose_circuit(stack, leakage=False)
    assert str(cc.circuit) == "p(R0,C0)-CPE1-CPE2"
    assert cc.parameters["R0"] == pytest.approx(r_eq1, rel=1e-12)
    assert cc.parameters["C0"] == pytest.approx(EPS0 * stack.layers[0].relative_permittivity() * stack.area
                                                 / stack.layers[0].thickness, rel=1e-12)
    z = cc.impedance(DENSE)
    mins = local_minima(-z.imag)
    assert len(mins) == 1  # one bulk arc, then the blocking-electrode spike
    # the arc closes on the real axis at the Eq. 1 resistance (up to the CPE and arc overlap, < 1 %)
    assert z[mins[0]].real == pytest.approx(r_eq1, rel=1e-2)


@pytest.mark.parametrize("model", CONDUCTIVITY_CELLS)
def test_conductivity_cell_with_electronic_leakage(model):
    stack = load_model(model)
    r_eq1 = eq1_resistance(stack)
    r_e = stack.electronic_resistance()
    cc = compose_circuit(stack)
    assert str(cc.circuit) == "p(p(R0,C0)-CPE1-CPE2,R3)"
    assert cc.parameters["R3"] == pytest.approx(r_e, rel=1e-12)
    z = cc.impedance(DENSE)
    mins = local_minima(-z.imag)
    # mixed conductor between blocking electrodes: the arc closes at R_ion || R_e
    assert z[mins[0]].real == pytest.approx(r_eq1 * r_e / (r_eq1 + r_e), rel=1e-2)
    # DC: only electrons pass
    assert cc.circuit.impedance([1e-12], cc.values)[0].real == pytest.approx(r_e, rel=1e-6)


@pytest.mark.parametrize("model", SANDWICHES)
def test_sandwich_arcs_in_order_of_time_constants(model):
    cc = compose_circuit(load_model(model))
    groups = sorted([g for g in cc.groups if g.tau], key=lambda g: g.tau)
    apex = {id(g): (2.54 if g.kind == "diffusion" else 1.0) / (2 * np.pi * g.tau) for g in groups}
    z = cc.impedance(DENSE)
    peaks = local_maxima(-z.imag)[::-1]  # from high to low frequency
    assert len(peaks) >= 2
    matched = []
    for i in peaks:
        g = min(groups, key=lambda g: abs(math.log(DENSE[i] / apex[id(g)])))
        assert abs(math.log(DENSE[i] / apex[id(g)])) < math.log(1.3), (DENSE[i], g)
        matched.append(g.tau)
    assert matched == sorted(matched)  # decreasing frequency <-> increasing time constant
    # between well-separated arcs the spectrum returns to the real axis at the sum of the
    # resistances of the faster groups (in parallel with the electronic leakage if any)
    leak = [g.resistance for g in cc.groups if g.kind == "leakage"]
    checked = 0
    for i in local_minima(-z.imag):
        if min(abs(math.log10(DENSE[i] / a)) for a in apex.values()) < 1.0:
            continue  # an arc less than a decade away overlaps the minimum
        expected = sum(g.resistance for g in groups if apex[id(g)] > DENSE[i])
        expected += sum(g.resistance for g in cc.groups if g.tau is None and g.kind == "interface")
        if leak:
            expected = 1.0 / (1.0 / expected + 1.0 / leak[0])
        assert z[i].real == pytest.approx(expected, rel=1e-2)
        checked += 1
    assert checked >= 1


def _ceramic_sandwich():
    uvea, latp = load_material("uvea"), load_material("latp")
    return Stack.build(layers=[Layer("UVEA-1", uvea, 1e-4), Layer("LATP", latp, 4e-4), Layer("UVEA-2", uvea, 5e-5)],
                       left=Electrode("li"), right=Electrode("li"), area=1.33e-4)


def test_ceramic_sandwich_structure_and_values():
    stack = _ceramic_sandwich()
    cc = compose_circuit(stack)
    circuit, params, prov = cc  # tuple unpacking
    assert isinstance(circuit, Circuit)
    assert str(circuit) == "p(R0,C0)-p(R1,C1)-p(R2,C2)-p(R3,CPE3)-p(R4,C4)-p(R5,C5)-p(R6,CPE6)-Zd7-Zd8"
    assert list(params) == circuit.parameter_names == list(prov) == list(cc.units)
    T, S = stack.temperature, stack.area
    for k, layer in enumerate(stack.layers):
        assert params[f"R{k}"] == pytest.approx(layer.bulk_resistance(S, T), rel=1e-12)
        assert layer.name in prov[f"R{k}"] and "Eq. 1" in prov[f"R{k}"]
    li = stack.interfaces[0]
    assert params["R3"] == pytest.approx(li.resistance(T) / S, rel=1e-12)
    assert params["CPE3_0"] == pytest.approx(li.cpe_q * S, rel=1e-12)
    assert params["CPE3_1"] == li.cpe_n
    pc = stack.interfaces[1]
    assert params["C4"] == pytest.approx(pc.capacitance * S, rel=1e-12)
    # each polymer layer between Li and the single-ion ceramic: its own exact Zd
    for name, layer in (("Zd7", stack.layers[0]), ("Zd8", stack.layers[2])):
        r_d, tau = polymer_diffusion_parameters(layer.salt_diffusivity(T), layer.transference_number(),
                                                layer.salt_concentration(), layer.thickness, S, T,
                                                layer.thermodynamic_factor())
        assert params[f"{name}_0"] == pytest.approx(r_d, rel=1e-12)
        assert params[f"{name}_1"] == pytest.approx(tau, rel=1e-12)
        assert layer.name in prov[f"{name}_0"] and "t+ = 0.4" in prov[f"{name}_0"]
    assert all(prov[n] for n in params)
    assert any("leakage" in n for n in cc.notes)
    # DC limit = every series resistance
    r_dc = sum(g.resistance for g in cc.groups)
    assert cc.circuit.impedance([1e-9], cc.values)[0].real == pytest.approx(r_dc, rel=1e-6)


def test_composite_sandwich_is_one_diffusion_domain():
    stack = load_model("li-uvea-latp-uvea-li")
    assert stack.layers[1].kind == "composite"
    cc = compose_circuit(stack)
    dif = [g for g in cc.groups if g.kind == "diffusion"]
    assert len(dif) == 1 and dif[0].where == "UVEA-1 + LATP + UVEA-2"
    from cellsim.composites.mixing import pore_channel

    T, S = stack.temperature, stack.area
    comp = stack.layers[1].composite
    ch = pore_channel(comp.model, comp.polymer_fraction, **dict(comp.params))
    r_d = 0.0
    for layer in stack.layers:
        phi = ch.transport_factor if layer.kind == "composite" else 1.0
        r_d += polymer_diffusion_parameters(layer.salt_diffusivity(T) * phi, layer.transference_number(),
                                            layer.salt_concentration(), layer.thickness, S, T)[0]
    assert cc.parameters[dif[0].text + "_0"] == pytest.approx(r_d, rel=1e-12)


def exact_layered_diffusion(w, lengths, r, g):
    """Exact Z/R-scale of a layered diffusion domain (transfer matrices), for w tau <~ 1."""
    M = np.eye(2, dtype=complex)
    for L, ri, gi in zip(lengths, r, g):
        k = np.sqrt(1j * w * gi * ri)
        ch, sh = np.cosh(k * L), np.sinh(k * L)
        M = np.array([[ch, -ri / k * sh], [-k / ri * sh, ch]]) @ M
    c_left = (1 - M[1, 1]) / M[1, 0]  # same flux J = 1 in at the left and out at the right face
    return c_left - (M[0, 0] * c_left + M[0, 1])


def test_diffusion_time_uniform_and_layered():
    from cellsim.circuits.compose import diffusion_time

    D, L = 7.86e-12, 3e-4
    assert diffusion_time([L], [1 / D], [1.0]) == pytest.approx(L ** 2 / (4 * D), rel=1e-13)
    # splitting a uniform layer changes nothing
    assert diffusion_time([L / 3, 2 * L / 3], [1 / D] * 2, [1.0] * 2) == pytest.approx(L ** 2 / (4 * D), rel=1e-12)
    lengths, r, g = [1e-4, 4e-4, 5e-5], [1 / D, 1 / (0.6 * D), 1 / D], [1.0, 0.8, 1.0]
    R = sum(a * b for a, b in zip(lengths, r))
    tau = diffusion_time(lengths, r, g)
    errs = []
    for wt in (1e-3, 1e-2):
        w = wt / tau
        exact = exact_layered_diffusion(w, lengths, r, g)
        approx = Circuit("Zd0").impedance([w / (2 * np.pi)], [R, tau])[0]
        errs.append(abs(approx - exact) / abs(exact))
    # the DC value and the O(w) term are exact: the error is O(w^2)
    assert errs[0] < 1e-5
    assert 50 < errs[1] / errs[0] < 200


def test_li_uvea_li_has_one_diffusion_element_and_blocking_cells_none():
    cc = compose_circuit(load_model("li-uvea-li"))
    assert [g.kind for g in cc.groups].count("diffusion") == 1
    for model in CONDUCTIVITY_CELLS:
        cc = compose_circuit(load_model(model))
        assert not any(p.startswith("Zd") for p in cc.parameters)
        assert [g.kind for g in cc.groups if g.kind in ("blocking", "interface")] == ["blocking", "blocking"]
    assert [g.kind for g in compose_circuit(_ceramic_sandwich()).groups].count("diffusion") == 2


def test_every_shipped_model_composes():
    from cellsim.models import list_models

    for name in list_models():
        cc = compose_circuit(load_model(name))
        z = cc.impedance(np.logspace(0, 6.5, 30))
        assert np.all(np.isfinite(z)), name
        assert set(cc.parameters) == set(cc.circuit.parameter_names)


def _stack(layers, left="ss", right="ss", area=1e-4):
    return Stack.build(layers=layers, left=Electrode(left), right=Electrode(right), area=area)


def test_grain_boundary_brick_layer():
    latp = load_material("latp").with_value("grain_boundary_conductivity", 2e-4, "test value")
    latp_r = latp.with_value("grain_boundary_capacitance_ratio", 50.0, "test ratio")
    L, S = 1e-3, 1e-4
    for mat, ratio in ((latp, DEFAULT_GB_CAPACITANCE_RATIO), (latp_r, 50.0)):
        cc = compose_circuit(_stack([Layer("LATP", mat, L)], area=S), leakage=False)
        assert str(cc.circuit) == "p(R0,C0)-p(R1,C1)-CPE2-CPE3"
        assert cc.parameters["R1"] == pytest.approx(L / (2e-4 * ratio * S), rel=1e-12)
        assert cc.parameters["C1"] == pytest.approx(ratio * cc.parameters["C0"], rel=1e-12)
        assert "grain-boundary" in cc.provenance["R1"]
    # no grain-boundary property -> no group
    cc = compose_circuit(_stack([Layer("LATP", load_material("latp"), L)]), leakage=False)
    assert "grain_boundary" not in [g.kind for g in cc.groups]


def test_inert_layer_blocks_and_removes_diffusion():
    uvea, sio2 = load_material("uvea"), load_material("sio2")
    st = _stack([Layer("U1", uvea, 1e-4), Layer("SiO2", sio2, 1e-4), Layer("U2", uvea, 1e-4)], "li", "li")
    cc = compose_circuit(st, leakage=False)
    assert cc.groups[1].text == "C1" and math.isinf(cc.groups[1].resistance)
    assert not any(g.kind == "diffusion" for g in cc.groups)


def test_mixed_layer_touching_one_electrode_is_shunted():
    lvo, uvea = load_material("lvo"), load_material("uvea")
    st = _stack([Layer("LVO", lvo, 4e-4), Layer("UVEA", uvea, 1e-4)], "li", "li", area=1.33e-4)
    cc = compose_circuit(st)
    shunt = [g for g in cc.groups if g.kind == "mixed_shunt"]
    assert len(shunt) == 1
    r_e = st.layers[0].electronic_resistance(st.area, st.temperature)
    assert cc.parameters[shunt[0].text] == pytest.approx(r_e, rel=1e-12)
    assert f"p(p(R0,C0)-p(R2,C2),{shunt[0].text})" in str(cc.circuit)
    assert not any(g.kind == "mixed_shunt" for g in compose_circuit(st, leakage=False).groups)


def test_leakage_threshold_and_temperature():
    st = load_model("li-lvo-li")
    cc = compose_circuit(st)
    assert cc.groups[-1].kind == "leakage"
    assert compose_circuit(st, leakage_threshold=1e-3).groups[-1].kind != "leakage"
    hot = compose_circuit(st, temperature=333.15)
    assert hot.parameters["R0"] < cc.parameters["R0"]  # Arrhenius
    with pytest.raises(Exception):
        compose_circuit(st, temperature=-1.0)
