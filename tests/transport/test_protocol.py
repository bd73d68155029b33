"""Protocol strings: parsing, round trips, errors that name the field."""

import math

import pytest
from hypothesis import given, strategies as st

from cellsim.errors import InputError
from cellsim.transport import Protocol, simulate
from cellsim.transport.protocol import Step

from .stacks import single_layer


def test_parse_the_spec_example():
    p = Protocol.parse("Plate at 0.5 mA/cm2 for 1 h; Rest for 10 min; Hold at 10 mV for 2 h")
    a, b, c = p.steps
    assert (a.kind, a.value, a.duration) == ("current", pytest.approx(5.0), pytest.approx(3600))
    assert (b.kind, b.value, b.duration) == ("current", 0.0, pytest.approx(600))
    assert (c.kind, c.value, c.duration) == ("voltage", pytest.approx(0.01), pytest.approx(7200))


def test_strip_absolute_and_limits():
    p = Protocol.parse("Strip at 50 uA until 0.1 mAh/cm2\nPlate at 2 mA/cm2 for 30 min or until 0.5 V\n"
                       "Hold at 10 mV until 1 uA")
    s1, s2, s3 = p.steps
    assert s1.value == pytest.approx(-50e-6) and s1.absolute and s1.until_kind == "capacity"
    assert s1.until_value == pytest.approx(0.1e-3 * 3600 / 1e-4) and math.isinf(s1.duration)
    assert s1.current_density(2e-4) == pytest.approx(-0.25)
    assert s2.until_kind == "voltage" and s2.until_value == pytest.approx(0.5) and s2.duration == pytest.approx(1800)
    assert s3.until_kind == "current" and s3.until_value == pytest.approx(1e-6)


@given(st.lists(st.tuples(st.sampled_from(["Plate", "Strip", "Rest", "Hold"]),
                          st.floats(1e-6, 1e3, allow_nan=False), st.floats(1e-3, 1e6, allow_nan=False)),
                min_size=1, max_size=6))
def test_round_trip(steps):
    text = []
    for verb, v, t in steps:
        if verb == "Rest":
            text.append(f"Rest for {t} s")
        elif verb == "Hold":
            text.append(f"Hold at {v} mV for {t} min")
        else:
            text.append(f"{verb} at {v} mA/cm2 for {t} s")
    p = Protocol.parse("; ".join(text))
    assert Protocol.parse(str(p)) == p


@pytest.mark.parametrize("text,field", [
    ("Plate at 1 mA/cm2 for -1 h", "protocol step 1.duration"),
    ("Rest for 1 h; Plate at 1 mA/cm2 for 2 parsecs", "protocol step 2.duration"),
    ("Plate at 1 V for 1 h", "protocol step 1.value"),
    ("Hold at 1 mA for 1 h", "protocol step 1.value"),
    ("Plate at 1 mA/cm2 until 3 uA", "protocol step 1.until"),
    ("Hold at 10 mV until 2 V", "protocol step 1.until"),
    ("Plate at 1 mA/cm2", "protocol step 1.duration"),
    ("Rest", "protocol step 1.duration"),
    ("Charge at 1C for 1 h", "protocol step 1"),
    ("Plate at -1 mA/cm2 for 1 h", "protocol step 1.value"),
    ("", "protocol"),
])
def test_errors_name_the_field(text, field):
    with pytest.raises(InputError) as exc:
        Protocol.parse(text)
    assert exc.value.field == field


def test_capacity_and_voltage_limits_in_simulation():
    stack = single_layer(L=50e-6, D=1e-11, tp=0.4, c0=1000.0)
    sol = simulate(stack, "Plate at 10 A/m2 until 0.01 mAh/cm2; Rest for 10 s")
    assert sol.time[sol.step == 0][-1] == pytest.approx(0.01e-3 * 3600 / 1e-4 / 10.0, rel=1e-12)
    v_end = sol.voltage[sol.step == 0][-1]
    v_ohm = 10.0 * 50e-6 / 1e-2  # the ohmic jump at t = 0+
    v_lim = v_ohm + 0.5 * (v_end - v_ohm)
    sol2 = simulate(stack, f"Plate at 10 A/m2 for 1000 s or until {v_lim} V")
    assert [e.kind for e in sol2.events] == ["voltage_limit"]
    assert sol2.voltage[-1] == pytest.approx(v_lim, rel=1e-7)
    assert 0 < sol2.time[-1] < sol.time[sol.step == 0][-1]
    # a hold until the current has decayed
    # i(0+) = 5 mV / R_b = 1 A/m2, i_ss = 5 mV / (R_b + R_d) = 0.84 A/m2
    sol3 = simulate(stack, "Hold at 5 mV for 10 h or until 0.9 A/m2")
    assert [e.kind for e in sol3.events] == ["current_limit"]
    assert sol3.current_density[-1] == pytest.approx(0.9, rel=1e-6)


def test_step_equality_ignores_text():
    assert Step("current", 1.0, text="a") == Step("current", 1.0, text="b")
    assert Protocol.parse("Rest for 1 h") * 2 == Protocol.parse("Rest for 60 min; Rest for 3600 s")


def test_parsed_texts_are_cached_and_errors_repeat():
    from cellsim.errors import InputError
    from cellsim.transport.protocol import _parse_text

    a = Protocol.parse("Plate at 1 mA/cm2 for 1 h; Rest for 10 min")
    b = Protocol.parse("Plate at 1 mA/cm2 for 1 h; Rest for 10 min")
    assert a == b and a is not b and a.steps is b.steps
    assert _parse_text.cache_info().hits >= 1
    for _ in range(2):  # a bad text raises every time (exceptions are not cached)
        with pytest.raises(InputError):
            Protocol.parse("Plate at 1 mA/cm2 for")
    with pytest.raises(InputError):
        Protocol.parse(" ; ")
