"""Model vs measurement (SPEC C7) on a synthetic measurement of a modified stack."""

import numpy as np
import pytest

from cellsim.circuits import compose_circuit
from cellsim.data import Spectrum
from cellsim.errors import InputError
from cellsim.fitting.validate import uncertain_parameters, validate_model
from cellsim.models import load_model

MODEL = "li-uvea-latp-uvea-li"


@pytest.fixture(scope="module")
def stack():
    return load_model(MODEL)


def measured(stack, scale, seed=0, sigma=0.005):
    cc = compose_circuit(stack)
    p = dict(cc.parameters)
    for k, v in scale.items():
        p[k] *= v
    f = np.logspace(6, 0, 61)
    z = cc.circuit.impedance(f, p)
    rng = np.random.default_rng(seed)
    return Spectrum(f, z + sigma * np.abs(z) * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))), p


def test_uncertain_parameters_follow_provenance(stack):
    cc = compose_circuit(stack)
    names = uncertain_parameters(cc)
    # LATP effective conductivity (calibrated) and the estimated interfaces are fitted ...
    assert "R1" in names and {"R3", "CPE3_0", "CPE3_1", "R4", "R5", "R6"} <= set(names)
    # ... seed-measured UVEA bulk, verified interface capacitances, geometric C and diffusion are not
    for fixed in ("R0", "R2", "C0", "C1", "C4", "C5", "Zd7_0", "Zd7_1"):
        assert fixed not in names
    for n in names:
        assert any(f"[{s}]" in cc.provenance[n] for s in ("estimate", "assumed", "calibrated"))


def test_validate_recovers_modified_interfaces_and_conductivity(stack, tmp_path):
    """The 'measurement' has 2x the Li|UVEA ASR, 3x the UVEA|LATP ASR and 1/0.7 the LATP
    conductivity of the model; 0.5 % noise. The fitted physical quantities must be within
    4 standard errors of those values, the sourced parameters untouched."""
    spec, p_true = measured(stack, {"R3": 2.0, "R6": 2.0, "R4": 3.0, "R5": 3.0, "R1": 0.7})
    v = validate_model(stack, spec)
    assert v.fit.success, v.fit.message
    assert ["R3", "R6"] in v.ties and ["R4", "R5"] in v.ties
    S = stack.area
    q = {(x["quantity"], x["where"]): x for x in v.quantities}
    asr_ct = q[("asr", "Li|UVEA-1 = UVEA-2|Li")]
    assert abs(asr_ct["value"] - p_true["R3"] * S) < 4 * asr_ct["stderr"]
    assert asr_ct["model_value"] == pytest.approx(stack.interfaces[0].resistance())  # the model's Li|UVEA ASR
    assert asr_ct["lab_unit"] == "ohm cm2" and asr_ct["lab_value"] == pytest.approx(asr_ct["value"] * 1e4)
    asr_pc = q[("asr", "UVEA-1|LATP = LATP|UVEA-2")]
    assert abs(asr_pc["value"] - p_true["R4"] * S) < 4 * asr_pc["stderr"]
    sig = q[("conductivity", "LATP")]
    latp = stack.layers[stack.layer_index("LATP")]
    sigma_true = latp.thickness / (p_true["R1"] * S)
    assert abs(sig["value"] - sigma_true) < 4 * sig["stderr"]
    assert sig["lab_unit"] == "mS/cm"
    # sourced parameters keep their values
    cc = compose_circuit(stack)
    for n in ("R0", "R2", "C4", "Zd7_0"):
        assert v.fit.values[v.circuit.index(n)] == cc.parameters[n]
    assert v.weighted_ssr < 0.2 * v.model_weighted_ssr
    assert v.kk.max_abs_residual < 0.03
    fig = v.plot(tmp_path / "overlay.png")
    assert (tmp_path / "overlay.png").stat().st_size > 1000
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_validate_overrides_and_errors(stack):
    spec, _ = measured(stack, {"R3": 2.0, "R6": 2.0})
    v = validate_model(stack, spec, fit_parameters=["R3", "R6"], tie_symmetric=False)
    assert v.fitted == ["R3", "R6"] and v.ties == []
    assert len(v.quantities) == 2
    with pytest.raises(InputError):
        validate_model(stack, spec, fit_parameters=["R99"])
    with pytest.raises(InputError):
        validate_model(stack, spec, fit_parameters=[])
