import pytest

from cellsim.errors import NotFoundError
from cellsim.library import list_materials, load_material
from cellsim.materials import STATUSES

REQUIRED = ["uvea", "latp", "lvo", "lto", "lagp", "llzo", "llzto", "li6ps5cl", "lgps", "li3ps4", "lipon",
            "li3incl6", "sio2", "nmc811", "peo-litfsi", "li"]


def test_library_has_the_spec_materials():
    assert set(REQUIRED) <= set(list_materials())


@pytest.mark.parametrize("name", REQUIRED)
def test_every_value_has_unit_source_status(name):
    m = load_material(name)
    assert m.parameters, name
    for key, p in m.parameters.items():
        assert p.source and p.status in STATUSES and p.unit, (name, key)


def test_seed_values_exact():
    assert load_material("UVEA").get("ionic_conductivity") == pytest.approx(7.73e-2, rel=1e-12)
    assert load_material("latp").get("electronic_conductivity") == pytest.approx(8.07e-5, rel=1e-12)
    assert load_material("lvo").get("electronic_conductivity") == pytest.approx(7.54e-4, rel=1e-12)
    assert load_material("lto").get("ionic_conductivity") == pytest.approx(2.97e-3, rel=1e-12)
    assert load_material("latp").parameter("ionic_conductivity").status == "seed"


def test_uvea_concentration_from_recipe():
    from cellsim.formulas import salt_concentration_from_recipe
    c = salt_concentration_from_recipe(0.2857, 0.28709, load_material("uvea").get("density"))
    assert load_material("uvea").get("salt_concentration") == pytest.approx(c, rel=1e-3)


def test_stability_windows_from_zhu():
    latp = load_material("latp")
    assert latp.get("reduction_potential") == pytest.approx(2.17)
    assert latp.parameter("reduction_potential").status == "verified"
    assert load_material("llzo").get("reduction_potential") == pytest.approx(0.05)


def test_unknown_material():
    with pytest.raises(NotFoundError, match="unobtainium.*latp"):
        load_material("unobtainium")
