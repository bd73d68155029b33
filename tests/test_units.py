import math

import pytest

from cellsim.errors import UnitError
from cellsim.units import lab, parse_quantity, to_unit


@pytest.mark.parametrize("text,dimension,expected", [
    ("340 um", "length", 340e-6),
    ("340 µm", "length", 340e-6),
    ("340 μm", "length", 340e-6),
    ("0.034 cm", "length", 340e-6),
    ("7.73e-4 S/cm", "conductivity", 7.73e-2),
    ("0.773 mS/cm", "conductivity", 7.73e-2),
    ("22 degC", "temperature", 295.15),
    ("295.15 K", "temperature", 295.15),
    ("2 cm2", "area", 2e-4),
    ("1.33 cm²", "area", 1.33e-4),
    ("1 mA/cm2", "current_density", 10.0),
    ("20 ohm cm2", "area_resistance", 2e-3),
    ("1e-7 cm2/s", "diffusivity", 1e-11),
    ("1 M", "concentration", 1000.0),
    ("0.5 mAh/cm2", "charge_density", 18000.0),
    ("7.4 mg/cm2", "areal_mass", 7.4e-2),
    ("210 mAh/g", "specific_capacity", 756000.0),
    ("1.1 MPa m0.5", "toughness", 1.1e6),
    ("2.94 g/cm3", "density", 2940.0),
])
def test_units_people_write(text, dimension, expected):
    assert parse_quantity(text, dimension, "x") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text,dimension,fragment", [
    ("340", "length", "missing unit"),
    ("7.73e-4 S/cm", "length", "not a quantity of dimension"),
    ("3 furlongz", "length", "known unit"),
    ("1e-7 cm2/s", "conductivity", "not a quantity of dimension"),
])
def test_bad_units_rejected_with_field_and_value(text, dimension, fragment):
    with pytest.raises(UnitError) as exc:
        parse_quantity(text, dimension, "layers[0].thickness", "model.toml")
    msg = str(exc.value)
    assert "layers[0].thickness" in msg and text in msg and "model.toml" in msg and fragment in msg


def test_bare_number_only_for_dimensionless():
    assert parse_quantity(0.4, "dimensionless", "t+") == 0.4
    with pytest.raises(UnitError):
        parse_quantity(340, "length", "thickness")
    with pytest.raises(UnitError):
        parse_quantity(math.inf, "dimensionless", "t+")


def test_lab_units_round_trip():
    assert to_unit(340e-6, "um") == pytest.approx(340, rel=1e-12)
    assert lab(0.0773, "conductivity") == (pytest.approx(0.773, rel=1e-12), "mS/cm")
    assert lab(2e-3, "area_resistance") == (pytest.approx(20.0, rel=1e-12), "ohm cm2")
    assert lab(10.0, "current_density") == (pytest.approx(1.0, rel=1e-12), "mA/cm2")
