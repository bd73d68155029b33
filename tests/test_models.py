"""Model files: loading, shipped cells, and every class of bad input."""

import math
from pathlib import Path

import pytest

from cellsim.errors import FileFormatError, InputError, NotFoundError, UnitError
from cellsim.models import list_models, load_model

SEED_BULK = {  # seed Eq. 1 with Table S2 conductivities and Fig. S5a / S8 sizes
    "ss-uvea-ss": 0.034 / (7.73e-4 * 2.0),
    "ss-latp-ss": 0.136 / (3.58e-5 * 1.33),
    "ss-lvo-ss": 0.0675 / (3.18e-5 * 1.33),
    "ss-lto-ss": 0.0728 / (2.97e-5 * 1.33),
}

REQUIRED = ["ss-uvea-ss", "ss-latp-ss", "ss-lvo-ss", "ss-lto-ss", "li-uvea-li", "li-latp-li",
            "li-uvea-latp-uvea-li", "li-uvea-lvo-uvea-li", "li-uvea-lto-uvea-li", "li-uvea-sio2-uvea-li",
            "li-uvea-nmc811-uvea-li", "li-uvea+latp-li", "li-uvea-latp-uvea-nmc811", "li-uvea-lvo-uvea-nmc811"]


def test_spec_models_are_shipped():
    assert set(REQUIRED) <= set(list_models())


@pytest.mark.parametrize("name", sorted(set(REQUIRED) | set(list_models())))
def test_every_model_loads_with_sources(name):
    st = load_model(name)
    assert st.area > 0 and st.temperature == pytest.approx(295.15)
    assert st.provenance["area"] and st.provenance["temperature"]
    for layer in st.layers:
        assert layer.thickness_source, f"{name}: {layer.name} thickness has no source"
        assert layer.ionic_conductivity() >= 0
    assert len(st.interfaces) == len(st.layers) + 1


@pytest.mark.parametrize("name,expected", SEED_BULK.items())
def test_conductivity_cells_bulk_resistance(name, expected):
    assert load_model(name).total_bulk_resistance() == pytest.approx(expected, rel=1e-12)


def test_seed_rounded_values():
    assert round(load_model("ss-latp-ss").total_bulk_resistance()) == 2856
    assert round(load_model("ss-uvea-ss").total_bulk_resistance(), 1) == 22.0


def test_sandwich_structure_and_default_interfaces():
    st = load_model("li-uvea-latp-uvea-li")
    assert [l.kind for l in st.layers][0] == "polymer" and st.layers[2].kind == "polymer"
    kinds = [i.kind for i in st.interfaces]
    assert kinds == ["charge_transfer", "ion_transfer", "ion_transfer", "charge_transfer"]
    assert st.left.kind == "li" and not st.left.blocking
    ss = load_model("ss-latp-ss")
    assert [i.kind for i in ss.interfaces] == ["blocking", "blocking"] and ss.left.blocking
    bare = load_model("li-latp-li")
    assert bare.interfaces[0].kind == "interphase"
    # the LATP file's interphase resistance is an ohmic reaction layer in series with the
    # generic Li|ceramic charge transfer
    itf = bare.interfaces[0]
    assert itf.sei_resistance == pytest.approx(bare.layers[0].material.get("interphase_resistance"))
    assert itf.resistance() == pytest.approx(itf.sei_resistance + itf.charge_transfer_resistance())
    assert itf.charge_transfer_resistance() == pytest.approx(50e-4)


def test_electronic_resistance_and_leakage():
    st = load_model("ss-lvo-ss")
    r_e = 675e-6 / (7.54e-4 * 1.33e-4)
    assert st.electronic_resistance() == pytest.approx(r_e, rel=1e-12)
    assert st.leakage_current(3.0) == pytest.approx(3.0 / r_e, rel=1e-12)


def test_polymer_layer_limiting_current():
    from cellsim.constants import F
    st = load_model("li-uvea-li")
    l = st.layers[0]
    jl = 2 * F * l.salt_diffusivity(st.T) * l.salt_concentration() / ((1 - l.transference_number()) * l.thickness)
    from cellsim.summary import stack_summary
    assert stack_summary(st)["layers"][0]["limiting_current_density_A_m2"] == pytest.approx(jl, rel=1e-12)


def test_temperature_law_applies():
    st = load_model("ss-uvea-ss")
    layer = st.layers[0]
    assert layer.ionic_conductivity(st.T) == pytest.approx(0.0773, rel=1e-12)
    hot = layer.ionic_conductivity(333.15)
    assert hot > 0.0773  # Arrhenius: higher at 60 degC


def test_with_layer_and_immutability():
    st = load_model("li-uvea-latp-uvea-li")
    thin = st.with_layer("UVEA-1", thickness=20e-6)
    assert thin.layers[0].thickness == 20e-6 and st.layers[0].thickness == pytest.approx(100e-6, rel=1e-12)
    with pytest.raises(Exception):
        st.area = 1.0  # frozen
    with pytest.raises(InputError, match="thickness"):
        st.with_layer(0, thickness=-1e-6)


# ---------------------------------------------------------------- bad input classes
BASE = """
[cell]
area = { value = "1.33 cm2", source = "test" }
temperature = { value = "22 degC", source = "test" }
[electrodes.left]
kind = "li"
[electrodes.right]
kind = "li"
[[layers]]
name = "P"
material = "uvea"
thickness = { value = "100 um", source = "test" }
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "cell.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_base_model_loads(tmp_path):
    st = load_model(_write(tmp_path, BASE))
    assert st.layers[0].thickness == pytest.approx(100e-6)


@pytest.mark.parametrize("old,new,exc,fragments", [
    ('material = "uvea"', 'material = "unobtainium"', NotFoundError, ["unobtainium", "latp"]),
    ('"100 um"', '"0 um"', InputError, ["thickness", "0 um", "> 0"]),
    ('"100 um"', '"-5 um"', InputError, ["thickness", "-5 um"]),
    ('"1.33 cm2"', '"-1.33 cm2"', InputError, ["cell.area", "-1.33 cm2"]),
    ('"100 um"', '"100"', UnitError, ["thickness", "missing unit"]),
    ('"100 um"', '"7.73e-4 S/cm"', UnitError, ["thickness", "7.73e-4 S/cm", "length"]),
    ('"22 degC"', '"-300 degC"', InputError, ["temperature", "-300 degC"]),
    ('"22 degC"', '"0 K"', InputError, ["temperature", "0 K"]),
])
def test_bad_input_messages(tmp_path, old, new, exc, fragments):
    p = _write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(exc) as info:
        load_model(p)
    msg = str(info.value)
    for f in fragments:
        assert f in msg, msg
    if not isinstance(info.value, NotFoundError):
        assert str(p) in msg


def test_line_number_in_value_error(tmp_path):
    p = _write(tmp_path, BASE.replace('"100 um"', '"-5 um"'))
    with pytest.raises(InputError) as info:
        load_model(p)
    line = [i for i, l in enumerate(BASE.splitlines(), 1) if "100 um" in l][0]
    assert f"{p}:{line}:" in str(info.value)


def test_transference_number_out_of_range(tmp_path):
    text = BASE + '[layers.parameters]\ntransference_number = { value = 1.3, source = "test" }\n'
    with pytest.raises(InputError) as info:
        load_model(_write(tmp_path, text))
    assert "transference_number" in str(info.value) and "1.3" in str(info.value)
    text = BASE + '[layers.parameters]\ntransference_number = { value = 1.0, source = "test" }\n'
    with pytest.raises(InputError, match="0 < t\\+ < 1"):
        load_model(_write(tmp_path, text))


def test_malformed_toml_has_line(tmp_path):
    p = _write(tmp_path, BASE.replace('kind = "li"\n[electrodes.right]', 'kind = "li\n[electrodes.right]'))
    with pytest.raises(FileFormatError) as info:
        load_model(p)
    assert f"{p}:" in str(info.value) and "malformed TOML" in str(info.value)
    assert info.value.line is not None


def test_unknown_model_lists_shipped():
    with pytest.raises(NotFoundError, match="li-uvea-latp-uvea-li"):
        load_model("no-such-cell")


def test_override_needs_source(tmp_path):
    text = BASE + '[layers.parameters]\nionic_conductivity = { value = "1 mS/cm" }\n'
    with pytest.raises(InputError, match="source"):
        load_model(_write(tmp_path, text))


def test_unknown_property_rejected(tmp_path):
    text = BASE + '[layers.parameters]\nionic_conductivty = { value = "1 mS/cm", source = "x" }\n'
    with pytest.raises(InputError, match="ionic_conductivity"):
        load_model(_write(tmp_path, text))


def test_inline_override_keeps_law(tmp_path):
    text = BASE + '[layers.parameters]\nionic_conductivity = { value = "1 mS/cm", source = "x", status = "assumed" }\n'
    st = load_model(_write(tmp_path, text))
    layer = st.layers[0]
    assert layer.ionic_conductivity(st.T) == pytest.approx(0.1, rel=1e-12)
    assert layer.ionic_conductivity(320.0) > 0.1


def test_composite_params_with_units_and_electronic_path(tmp_path):
    text = BASE.replace('''[[layers]]
name = "P"
material = "uvea"
thickness = { value = "100 um", source = "test" }''', '''[[layers]]
name = "C"
kind = "composite"
thickness = { value = "400 um", source = "test" }
[layers.composite]
polymer = "uvea"
ceramic = "latp"
polymer_fraction = { value = 0.2, source = "test" }
model = "coated-particle"
params = { shell_conductivity = "13.728 mS/cm", shell_thickness_ratio = 0.02 }''')
    st = load_model(_write(tmp_path, text))
    comp = st.layers[0].composite
    assert comp.params["shell_conductivity"] == pytest.approx(1.3728, rel=1e-12)
    # the ionic shell does not conduct electrons: electronic stays between the two phases' values
    se = st.layers[0].electronic_conductivity()
    assert se <= max(comp.polymer.get("electronic_conductivity"), comp.ceramic.get("electronic_conductivity"))
    assert st.layers[0].ionic_conductivity() > comp.ceramic.get("ionic_conductivity")


def test_recipe_composite_fraction_consistent_with_library():
    from cellsim.composites.recipe import composite_polymer_fraction
    from cellsim.library import load_material
    st = load_model("li-uvea+latp-li")
    eps = composite_polymer_fraction(0.1, load_material("latp").get("density"), load_material("uvea").get("density"))
    assert st.layers[0].composite.polymer_fraction == pytest.approx(eps, abs=1e-4)
