"""Time compression against the full cycle-by-cycle simulation (200 h runs).

The compressed run jumps over cycles at the last simulated cycle's rates and re-simulates a
representative cycle after each jump; the full run simulates every cycle. Stated error
(README / the report): lifetimes, contact times and end states agree to round-off; the
per-cycle peak voltage, recorded at the representative cycles and interpolated linearly in
time, is within 0.05 % of the full run's.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellsim.lifetime import load_lifetime_parameters, run_cycle
from cellsim.lifetime.compress import _largest
from cellsim.models import load_model

H = 3600.0


@pytest.fixture(scope="module")
def sandwich():
    return load_model("li-uvea-latp-uvea-li")


def _pair(stack, until, **params):
    p = load_lifetime_parameters()
    if params:
        p = p.with_values(**params)
    full = run_cycle(stack, 5.0, H, until, parameters=p, compress=False)
    comp = run_cycle(stack, 5.0, H, until, parameters=p, compress=True)
    return full, comp


def test_compressed_matches_the_full_run(sandwich):
    full, comp = _pair(sandwich, 200 * H)
    assert full.simulated_cycles == 100 and comp.simulated_cycles < full.simulated_cycles
    assert full.lifetime is None and comp.lifetime is None
    assert comp.cycles == full.cycles == 100
    assert comp.slow_asr[-1] == pytest.approx(full.slow_asr[-1], rel=1e-10)
    assert comp.front_left[-1] == pytest.approx(full.front_left[-1], rel=1e-10)
    v = np.interp(full.time, comp.time, comp.v_max)
    rel = np.max(np.abs(v - full.v_max) / np.abs(full.v_max))
    assert rel < 5e-4
    # the compressed run does record the representative cycles' own voltages exactly
    common = np.isin(comp.time, full.time)
    assert common.sum() == comp.time.size
    idx = np.searchsorted(full.time, comp.time)
    assert np.allclose(comp.v_max, full.v_max[idx], rtol=1e-9, atol=0)


def test_contact_and_interphase_times_match(sandwich):
    thin = sandwich.with_layer("UVEA-1", thickness=10e-6).with_layer("UVEA-2", thickness=10e-6)
    full, comp = _pair(thin, 200 * H, front_focusing=5.0)
    tf = [e["time_s"] for e in full.events if e["kind"] == "front_reached_middle_layer"]
    tc = [e["time_s"] for e in comp.events if e["kind"] == "front_reached_middle_layer"]
    assert len(tf) == len(tc) == 2
    assert tc == pytest.approx(tf, rel=1e-9)
    assert 0 < full.middle_left[-1] == pytest.approx(comp.middle_left[-1], rel=1e-9)
    assert full.front_left[-1] == pytest.approx(10e-6, rel=1e-12)   # capped at the layer


def test_failure_time_matches(sandwich):
    full, comp = _pair(sandwich, 200 * H, sei_growth_constant=2.707e-18)
    assert full.failure == comp.failure == "voltage_limit"
    assert comp.lifetime == pytest.approx(full.lifetime, rel=1e-9)


def test_largest_jump_search():
    assert _largest(lambda n: n <= 37, 1000) == 37
    assert _largest(lambda n: True, 12) == 12
    assert _largest(lambda n: False, 12) == 1
    assert _largest(lambda n: True, 0) == 0


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(j=st.floats(1.0, 40.0), half=st.floats(600.0, 3600.0), uvea=st.floats(10e-6, 100e-6),
       log_k=st.floats(-20.0, -18.0), log_f=st.floats(-2.7, -1.3), beta=st.floats(1.0, 10.0))
def test_compression_agrees_over_random_cells(sandwich, j, half, uvea, log_k, log_f, beta):
    cell = sandwich.with_layer("UVEA-1", thickness=uvea).with_layer("UVEA-2", thickness=uvea)
    p = load_lifetime_parameters().with_values(sei_growth_constant=10 ** log_k, inactive_fraction=10 ** log_f,
                                               front_focusing=beta)
    full = run_cycle(cell, j, half, 150 * H, parameters=p, compress=False)
    comp = run_cycle(cell, j, half, 150 * H, parameters=p)
    assert full.failure == comp.failure
    if full.lifetime is None:
        assert comp.lifetime is None
    else:
        assert comp.lifetime == pytest.approx(full.lifetime, rel=1e-9)
    assert comp.slow_asr[-1] == pytest.approx(full.slow_asr[-1], rel=1e-9)
    assert comp.front_left[-1] == pytest.approx(full.front_left[-1], rel=1e-9)
