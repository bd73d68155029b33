"""The "lifetime_h" output: symmetric-cell lifetime per point, its cycling options, errors stored per point."""

import math

import pytest

from cellsim.errors import InputError
from cellsim.lifetime import run_cycle
from cellsim.sweeps import load_results, load_spec, run_sweep
from cellsim.sweeps.runner import point_stack

SPEC = """
[sweep]
base_model = "li-uvea-latp-uvea-li"
outputs = ["lifetime_h"]

[options]
cycle_current = "0.5 mA/cm2"
cycle_step_time = "1 h"
cycle_until = "300 h"

[[axes]]
name = "temperature"
target = "temperature"
values = ["22 degC", "60 degC"]
"""


def test_lifetime_per_point_is_run_cycle(write_spec, tmp_path):
    spec = load_spec(write_spec(SPEC))
    assert spec.options["cycle_until"] == pytest.approx(300 * 3600.0)
    out = tmp_path / "r.sqlite"
    run_sweep(spec, out)
    df = load_results(out).set_index("point_id")
    seen = set()
    for pid, values in spec.points():
        row = df.loc[pid]
        ref = run_cycle(point_stack(spec, values), 5.0, 3600.0, 300 * 3600.0)
        assert row["status"] == "ok"
        if ref.lifetime is None:
            failure = row["lifetime_failure"]   # NULL comes back from pandas as None or NaN
            assert math.isnan(row["lifetime_h"])
            assert failure is None or (isinstance(failure, float) and math.isnan(failure))
        else:
            assert row["lifetime_h"] == pytest.approx(ref.lifetime / 3600, rel=1e-12)
            assert row["lifetime_failure"] == ref.failure
        assert row["cumulative_capacity_mAh_cm2"] == pytest.approx(ref.cumulative_capacity / 36000, rel=1e-12)
        seen.add(ref.lifetime is None)
    assert seen == {True, False}   # 22 degC survives 300 h; at 60 degC the SEI grows ~10x faster and it fails


def test_bad_cycle_option(write_spec):
    with pytest.raises(InputError) as e:
        load_spec(write_spec(SPEC.replace('cycle_until = "300 h"', 'cycle_until = "300 V"')))
    assert "options.cycle_until" in str(e.value)
