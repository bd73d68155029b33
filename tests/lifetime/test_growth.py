"""The symmetric-cell SEI law as a full cell's resistance_growth hook (cellsim/lifetime/growth.py)."""

import math

import numpy as np
import pytest

from cellsim.lifetime.growth import SymmetricCellSEI
from cellsim.lifetime.mechanisms import arrhenius_factor, sei_resistance
from cellsim.lifetime.parameters import load_lifetime_parameters


def test_hook_is_the_sei_law_pointwise():
    hook = SymmetricCellSEI(3e-20, 2e-8, 1e-6)
    t = np.array([0.0, 1.0, 3600.0, 9e6, 3.6e7])
    expected = [sei_resistance(x, 3e-20, 2e-8, 1e-6) for x in t]
    assert hook(t) == pytest.approx(expected, rel=1e-12, abs=0.0)
    assert hook(0.0) == 0.0 and hook(-5.0) == 0.0


def test_closed_form_at_long_times():
    """delta(t) - delta0 -> sqrt(k t) for delta0 -> 0: R = sqrt(k t) / sigma."""
    hook = SymmetricCellSEI(4e-20, 0.0, 2e-6)
    assert hook(1e7) == pytest.approx(math.sqrt(4e-20 * 1e7) / 2e-6, rel=1e-12)


def test_at_temperature_applies_the_arrhenius_law():
    p = load_lifetime_parameters()
    T = 333.15
    hook = SymmetricCellSEI.at(T)
    k = p.sei_growth_constant * arrhenius_factor(p.sei_activation_energy, T, p.reference_temperature)
    assert hook.growth_constant == pytest.approx(k, rel=1e-12)
    assert hook.growth_constant > SymmetricCellSEI.at(p.reference_temperature).growth_constant
    assert (hook.initial_thickness, hook.conductivity) == (p.sei_initial_thickness, p.sei_ionic_conductivity)
    assert "2500 h" in hook.calibrated_on_seed[0] and hook.describe().startswith("symmetric-cell SEI")
