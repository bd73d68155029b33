"""Closed forms of the short-circuit physics against physics.md's numbers and each other."""

import math

import pytest

from cellsim.constants import F
from cellsim.errors import InputError
from cellsim.library import load_material
from cellsim.models import load_model
from cellsim.shortcircuit import mechanisms as M
from cellsim.stack import Layer


def test_dendrite_velocity_and_crossing_charge_physics_md():
    # physics.md §2.1.5 / §2.1.6: c0 = 1 M, t+ = 0.4, 9 mA/cm2, L = 50 um -> 89 s; Q_cross = 0.22 mAh/cm2
    v = M.dendrite_velocity(90.0, 1000.0, 0.4)
    assert v == pytest.approx(0.6 * 90.0 / (F * 1000.0), rel=1e-14)
    assert 50e-6 / v == pytest.approx(89.3, abs=0.1)
    q = M.crossing_charge(50e-6, 1000.0, 0.4)
    assert q / 36000.0 == pytest.approx(0.2233, abs=1e-4)  # mAh/cm2 (1 mAh/cm2 = 3.6 C/cm2 = 36000 C/m2)
    # Q_cross = v-independent: |J| t_cross for any J
    for j in (10.0, 50.0, 140.0):
        assert j * M.crossing_time(50e-6, j, 1000.0, 0.4) == pytest.approx(q, rel=1e-13)
    assert M.dendrite_velocity(-90.0, 1000.0, 0.4, enhancement=3.0) == pytest.approx(3 * v, rel=1e-14)
    assert M.crossing_time(50e-6, 0.0, 1000.0, 0.4) == math.inf


@pytest.mark.parametrize("kic,a,mv", [(1.1e6, 1e-6, 75), (1.0e6, 1e-6, 68), (0.4e6, 1e-6, 27), (0.23e6, 1e-6, 16),
                                      (1.1e6, 10e-6, 24), (1.0e6, 10e-6, 21), (0.4e6, 10e-6, 9), (0.23e6, 10e-6, 5)])
def test_griffith_overpotential_physics_md_table(kic, a, mv):
    eta = M.griffith_overpotential(kic, a)
    assert eta * 1e3 == pytest.approx(mv, abs=0.6)  # physics.md §2.5.3 rounds to the mV
    assert eta == pytest.approx(M.OMEGA_LI * kic / (F * 1.12 * math.sqrt(math.pi * a)), rel=1e-15)
    # scaling a^-1/2
    assert M.griffith_overpotential(kic, 4 * a) == pytest.approx(eta / 2, rel=1e-14)


def test_interphase_growth_laws_and_inverse():
    assert M.interphase_thickness(100.0, 1e-16) == pytest.approx(1e-7, rel=1e-15)
    assert M.interphase_thickness(100.0, 1e-9, "linear") == pytest.approx(1e-7, rel=1e-15)
    for law, k in (("parabolic", 3e-16), ("linear", 2e-10)):
        t = M.interphase_time(400e-6, k, law)
        assert M.interphase_thickness(t, k, law) == pytest.approx(400e-6, rel=1e-14)
    assert M.interphase_time(1e-6, 0.0) == math.inf and M.interphase_time(0.0, 0.0) == 0.0
    with pytest.raises(InputError, match="law"):
        M.interphase_thickness(1.0, 1e-16, "cubic")


def test_monroe_newman():
    assert M.monroe_newman_ratio(2 * M.G_LI) == pytest.approx(2.0)
    assert M.monroe_newman_ratio(60e9) > 2  # LLZO G ~ 60 GPa


@pytest.mark.parametrize("call,field", [
    (lambda: M.dendrite_velocity(10, 0, 0.4), "concentration"),
    (lambda: M.dendrite_velocity(10, 1000, 1.0), "transference_number"),
    (lambda: M.dendrite_velocity(float("nan"), 1000, 0.4), "current_density"),
    (lambda: M.crossing_charge(-1e-6, 1000, 0.4), "thickness"),
    (lambda: M.griffith_overpotential(1e6, 0), "flaw_size"),
    (lambda: M.dendrite_velocity(10, 1000, 0.4, enhancement=0), "enhancement"),
])
def test_input_errors_name_the_field(call, field):
    with pytest.raises(InputError, match=field):
        call()


def test_middle_layer_paths_from_the_library():
    st = load_model("li-uvea-latp-uvea-li")
    latp = M.middle_layer_path(st.layers[1])
    assert latp.kind == "reduction" and latp.growth_constant == pytest.approx(1e-16)
    assert latp.path_conductivity == pytest.approx(0.1)  # 1e-3 S/cm
    assert latp.fracture_toughness == pytest.approx(1.1e6)
    assert latp.time_to_cross(400e-6) == pytest.approx((400e-6) ** 2 / 1e-16)
    lvo = M.middle_layer_path(load_model("li-uvea-lvo-uvea-li").layers[1])
    assert lvo.kind == "intrinsic" and lvo.time_to_cross(1.0) == 0.0
    assert lvo.path_conductivity > 0
    lto = M.middle_layer_path(load_model("li-uvea-lto-uvea-li").layers[1])
    assert lto.kind == "lithiation"
    llzo = M.middle_layer_path(Layer("LLZO", load_material("llzo"), 400e-6))
    assert llzo.kind == "blocked" and llzo.time_to_cross(1e-6) == math.inf and llzo.fracture_toughness > 0
    with pytest.raises(InputError, match="middle_layer_path"):
        M.MiddleLayerPath("tunnel")
