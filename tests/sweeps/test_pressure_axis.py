"""Stack pressure as a sweep axis (the short-circuit outputs answer it)."""

import pytest

from cellsim.errors import InputError
from cellsim.sweeps import load_results, run_sweep
from cellsim.sweeps.spec import load_spec

SPEC = """
[sweep]
name = "pressure"
base_model = "li-llzo-li"
outputs = ["ccd", "bulk_resistance"]
[protocol]
step_time = "0.5 h"
start = "0.1 mA/cm2"
increment = "0.1 mA/cm2"
stop = "5 mA/cm2"
[[axes]]
name = "pressure"
target = "pressure"
values = [{values}]
"""


def test_pressure_axis_moves_the_ccd(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text(SPEC.format(values='"0 MPa", "1 MPa", "5 MPa"'))
    out = tmp_path / "p.sqlite"
    run_sweep(load_spec(f), out)
    df = load_results(out).sort_values("pressure_Pa")
    assert list(df["pressure_Pa"]) == pytest.approx([0.0, 1e6, 5e6])
    ccd = list(df["ccd_A_m2"])
    assert ccd[0] < ccd[1] < ccd[2]
    # the bulk resistance does not depend on pressure
    assert df["bulk_resistance_ohm"].nunique() == 1


def test_negative_pressure_is_refused_with_the_allowed_range(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text(SPEC.format(values='"-1 MPa"'))
    with pytest.raises(InputError, match="stack pressure >= 0"):
        load_spec(f)
