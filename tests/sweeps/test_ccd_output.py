"""The "ccd" output: the step-up CCD of cellsim.shortcircuit per point, its protocol axes,
its errors, its ranking; and the clear message when the short-circuit model is missing."""

import math

import pytest

from cellsim.errors import InputError
from cellsim.shortcircuit.ccd import StepUpProtocol, run_ccd
from cellsim.sweeps import load_results, load_spec, outputs, run_sweep
from cellsim.sweeps.runner import point_stack
from cellsim.sweeps.views import ranking

SPEC = """
[sweep]
base_model = "li-uvea-latp-uvea-li"
outputs = ["bulk_resistance", "ccd"]

[protocol]
step_time = "0.5 h"
start = "1 mA/cm2"
increment = "1 mA/cm2"
stop = "4 mA/cm2"

[[axes]]
name = "lic"
target = "middle.material"
values = ["latp", "lvo", "sio2"]
form = "dense"

[[axes]]
name = "uvea_thickness"
target = ["layers.UVEA-1.thickness", "layers.UVEA-2.thickness"]
values = ["10 um", "100 um"]
"""


def test_ccd_per_point_is_the_short_circuit_model_and_ranks_no_short_first(write_spec, tmp_path):
    spec = load_spec(write_spec(SPEC))
    out = tmp_path / "r.sqlite"
    rep = run_sweep(spec, out)
    df = load_results(out).set_index("point_id")
    proto = StepUpProtocol(start=10.0, increment=10.0, stop=40.0, step_time=1800.0)
    for pid, values in spec.points():
        row = df.loc[pid]
        if values["lic"] == "sio2":  # dense SiO2 carries no ion current: the model refuses it, the sweep stores why
            assert row["status"] == "error" and math.isnan(row["ccd_A_m2"])
            assert row["error"].startswith("output 'ccd': layer 'SiO2'.ionic_conductivity = 0.0 is not allowed")
            continue
        ref = run_ccd(point_stack(spec, values), proto)
        assert row["status"] == "ok"
        got = [None if isinstance(x, float) and math.isnan(x) else x
               for x in (row["ccd_A_m2"], row["survived_A_m2"], row["short_kind"], row["mechanism"])]
        assert got == [ref.ccd, ref.survived, ref.kind, ref.mechanism]
    assert (rep.n_ok, rep.n_error) == (4, 2)
    tab = ranking(load_results(out), "ccd_A_m2")
    ccd = tab["ccd_A_m2"].tolist()
    n_none = sum(math.isnan(x) for x in ccd)
    # an empty CCD (no short within the protocol) ranks above every CCD found, then descending
    assert all(math.isnan(x) for x in ccd[:n_none])
    assert ccd[n_none:] == sorted(ccd[n_none:], reverse=True)


def test_protocol_axis(write_spec, tmp_path):
    text = SPEC.replace('values = ["latp", "lvo", "sio2"]', 'values = ["lvo"]').replace(
        'values = ["10 um", "100 um"]', 'values = ["100 um"]') + \
        '\n[[axes]]\nname = "half_cycle"\ntarget = "protocol.step_time"\nvalues = ["0.1 h", "1 h"]\n'
    spec = load_spec(write_spec(text))
    out = tmp_path / "r.sqlite"
    run_sweep(spec, out)
    df = load_results(out)
    assert df["half_cycle_s"].tolist() == [360.0, 3600.0]
    for (_, values), (_, row) in zip(spec.points(), df.iterrows()):
        ref = run_ccd(point_stack(spec, values),
                      StepUpProtocol(start=10.0, increment=10.0, stop=40.0, step_time=values["half_cycle"]))
        assert (row["survived_A_m2"], row["mechanism"]) == (ref.survived, ref.mechanism)


def test_ccd_needs_a_complete_protocol(write_spec):
    with pytest.raises(InputError, match=r"protocol.stop = None is not allowed; expected a current density"):
        load_spec(write_spec(SPEC.replace('stop = "4 mA/cm2"\n', "")))
    with pytest.raises(InputError, match="either step_time or step_capacity"):
        load_spec(write_spec(SPEC.replace('step_time = "0.5 h"', 'step_time = "0.5 h"\nstep_capacity = "1 mAh/cm2"')))


def test_ccd_reported_unavailable_without_the_short_circuit_model(write_spec, monkeypatch):
    monkeypatch.setattr(outputs, "CCD_ENTRY_POINT", ("cellsim.no_such_package.ccd", "run_ccd", "StepUpProtocol"))
    path = write_spec(SPEC)
    with pytest.raises(InputError) as ei:
        load_spec(path)
    msg = str(ei.value)
    assert msg.startswith(f"{path}:3: sweep.outputs = 'ccd' is not allowed; expected an available output")
    assert "short-circuit model (cellsim.no_such_package.ccd.run_ccd) is not available" in msg
