"""One cycle through the transport solver: the slow resistances in series, Sand times."""

import math

import numpy as np
import pytest

from cellsim.constants import F
from cellsim.lifetime.transport_cycle import cycle_options, run_transport_cycle, with_slow_resistance
from cellsim.models import load_model
from cellsim.shortcircuit.ccd import load_parameters


@pytest.fixture(scope="module")
def opts():
    return cycle_options(load_parameters())


def test_slow_resistance_is_ohmic_in_series(opts):
    """Galvanostatic: an ohmic ASR in series adds J_ion R to every sample; exact but for the stack's bulk
    electronic leakage in parallel, which takes V / R_e of the current (~1e-4 of it here)."""
    st = load_model("li-uvea-latp-uvea-li")
    a = run_transport_cycle(st, opts, 5.0, 3600.0)
    b = run_transport_cycle(st, opts, 5.0, 3600.0, r_slow=(0.03, 0.05))
    assert np.allclose(b.voltage - a.voltage, b.current_density * 0.08, rtol=2e-4, atol=0)
    assert not np.allclose(b.voltage - a.voltage, b.current_density * 0.08, rtol=1e-6, atol=0)   # the leak
    assert with_slow_resistance(st, 0.03, 0.05).interfaces[0].sei_resistance == pytest.approx(0.03)
    assert with_slow_resistance(st, 0.03, 0.05).interfaces[-1].sei_resistance == pytest.approx(0.05)


def test_sand_time_of_the_plating_faces(opts):
    st = load_model("li-uvea-li")
    low = run_transport_cycle(st, opts, 5.0, 3600.0)
    assert low.sand_time == (math.inf, math.inf)          # below J_lim: no depletion
    j = 40.0
    high = run_transport_cycle(st, opts, j, 600.0)
    layer = st.layers[0]
    D, c0, tp = layer.salt_diffusivity(st.temperature), layer.salt_concentration(), layer.transference_number()
    t_sand = math.pi * D * (c0 * F) ** 2 / (4 * (j * (1 - tp)) ** 2)   # semi-infinite Sand time
    assert high.sand_time[1] == pytest.approx(t_sand, rel=0.05)
    assert high.sand_time[0] < 600.0                       # the left face depletes in the second half as well
