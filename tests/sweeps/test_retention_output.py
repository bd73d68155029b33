"""The "retention" output: the full-cell retention of cellsim.fullcell per point, and its option errors."""

import pytest

pytest.importorskip("pybamm")

from cellsim.fullcell.design import FullCellDesign
from cellsim.fullcell.retention import simulate_cycles
from cellsim.sweeps import load_results, load_spec, run_sweep
from cellsim.sweeps.runner import point_stack

SPEC = """
[sweep]
base_model = "li-uvea-latp-uvea-nmc811"
outputs = ["bulk_resistance", "retention"]

[options]
retention_cycles = 2

[[axes]]
name = "uvea_thickness"
target = ["layers.UVEA-1.thickness", "layers.UVEA-2.thickness"]
values = ["50 um", "150 um"]
"""


def test_retention_per_point_is_simulate_cycles(write_spec, tmp_path):
    spec = load_spec(write_spec(SPEC))
    out = tmp_path / "r.sqlite"
    rep = run_sweep(spec, out)
    assert (rep.n_ok, rep.n_error) == (2, 0)
    df = load_results(out).set_index("point_id")
    got = {}
    for pid, values in spec.points():
        ref = simulate_cycles(FullCellDesign.from_stack(point_stack(spec, values)), 2, 0.2)
        row = df.loc[pid]
        assert row["retention"] == pytest.approx(ref.retention_final, rel=1e-9)
        assert row["retention_cycles"] == 2 and row["retention"] < 1.0
        assert row["first_discharge_capacity_mAh_g"] == pytest.approx(ref.discharge_capacity_mAh_g[0], rel=1e-9)
        got[values["uvea_thickness"]] = row["first_discharge_capacity_mAh_g"]
    thin, thick = sorted(got)
    assert got[thin] > got[thick]   # thinner polymer layers polarise less


@pytest.mark.parametrize("value,message", [("2.5", "options.retention_cycles"), ("0", "options.retention_cycles")])
def test_bad_cycles_option_is_stored_as_point_error(write_spec, tmp_path, value, message):
    spec = load_spec(write_spec(SPEC.replace("retention_cycles = 2", f"retention_cycles = {value}")))
    out = tmp_path / "r.sqlite"
    rep = run_sweep(spec, out)
    assert rep.n_ok == 0
    errors = load_results(out)["error"].tolist()
    assert all(message in e for e in errors)


def test_not_a_full_cell_is_a_point_error(write_spec, tmp_path):
    spec = load_spec(write_spec(SPEC.replace("li-uvea-latp-uvea-nmc811", "li-uvea-latp-uvea-li")))
    out = tmp_path / "r.sqlite"
    rep = run_sweep(spec, out)
    assert rep.n_ok == 0 and all("nmc811" in e for e in load_results(out)["error"].tolist())
