"""cellsim.overrides: --cell KEY=VALUE applied to a loaded model."""

import pytest

from cellsim.errors import InputError, NotFoundError, UnitError
from cellsim.models import load_model
from cellsim.overrides import allowed_keys, apply_cell_overrides, parse_override
from cellsim.stack import default_interface


@pytest.fixture(scope="module")
def sandwich():
    return load_model("li-uvea-latp-uvea-li")


def test_no_items_returns_the_same_stack(sandwich):
    assert apply_cell_overrides(sandwich, []) is sandwich


def test_cell_keys_in_si_with_provenance(sandwich):
    s = apply_cell_overrides(sandwich, ["area=2cm2", "temperature=60 degC", "pressure=5 MPa"])
    assert s.area == pytest.approx(2e-4, rel=1e-12)
    assert s.temperature == pytest.approx(333.15, rel=1e-12)
    assert s.pressure == pytest.approx(5e6, rel=1e-12)
    for k in ("area", "temperature", "pressure"):
        assert s.provenance[k].startswith("set by the user (--cell ")
    # resistances follow the area exactly: R = L / (sigma A)
    assert apply_cell_overrides(sandwich, ["area=2.66cm2"]).total_bulk_resistance() == pytest.approx(
        sandwich.total_bulk_resistance() / 2, rel=1e-12)


def test_layer_thickness_case_insensitive(sandwich):
    s = apply_cell_overrides(sandwich, ["uvea-1.THICKNESS=50um"])
    assert s.layers[0].thickness == pytest.approx(50e-6, rel=1e-12)
    assert s.total_thickness == pytest.approx(sandwich.total_thickness - 50e-6, rel=1e-12)
    assert "set by the user" in s.layers[0].thickness_source and s.layers[0].thickness_status == "assumed"
    assert s.layers[2].thickness == sandwich.layers[2].thickness


def test_unknown_key_lists_allowed(sandwich):
    with pytest.raises(InputError) as e:
        apply_cell_overrides(sandwich, ["NOPE.thickness=1um"])
    msg = str(e.value)
    for k in allowed_keys(sandwich):
        assert k in msg
    with pytest.raises(InputError, match="KEY=VALUE"):
        apply_cell_overrides(sandwich, ["area"])
    with pytest.raises(InputError, match="each key once"):
        apply_cell_overrides(sandwich, ["area=1cm2", "AREA=2cm2"])


@pytest.mark.parametrize("item, exc", [("area=1 cm", UnitError), ("area=-1 cm2", InputError),
                                       ("UVEA-1.thickness=0 um", InputError), ("temperature=-300 degC", InputError),
                                       ("pressure=-1 MPa", InputError), ("LATP.material=unobtainium", NotFoundError)])
def test_bad_values(sandwich, item, exc):
    with pytest.raises(exc):
        apply_cell_overrides(sandwich, [item])


def test_material_of_a_plain_layer_keeps_the_kind():
    s0 = load_model("li-latp-li")
    name = s0.layers[0].name
    s = apply_cell_overrides(s0, [f"{name}.material=llzo"])
    assert s.layers[0].material.name.lower() == "llzo" and s.layers[0].kind == s0.layers[0].kind
    # the Li|ceramic interfaces were library defaults: rebuilt for the new ceramic
    chain = [s.left, *s.layers, s.right]
    for pos in (0, 1):
        assert s.interfaces[pos] == default_interface(chain[pos], chain[pos + 1])
    with pytest.raises(InputError, match="polymer"):
        apply_cell_overrides(s0, [f"{name}.material=uvea"])


def test_material_of_a_composite_replaces_the_ceramic_phase(sandwich):
    s = apply_cell_overrides(sandwich, ["LATP.material=llzo"])
    layer = s.layers[1]
    assert layer.kind == "composite" and layer.composite.ceramic.name.lower() == "llzo"
    assert layer.composite.polymer == sandwich.layers[1].composite.polymer
    assert layer.composite.polymer_fraction == sandwich.layers[1].composite.polymer_fraction
    assert "set for latp" in layer.composite.source.lower()
    # interfaces given in the model file (Li|UVEA charge transfer) are kept
    assert s.interfaces[0] == sandwich.interfaces[0]
    with pytest.raises(InputError, match="ceramic"):
        apply_cell_overrides(sandwich, ["LATP.material=uvea"])


def test_parse_override():
    assert parse_override(" area = 2 cm2 ") == ("area", "2 cm2")
    with pytest.raises(InputError):
        parse_override("area=")
