"""``cellsim simulate``: JSON keys, CSV, plot, events, errors."""

import csv
import json

import numpy as np
import pytest

from cellsim.cli import main
from cellsim.models import load_model
from cellsim.transport import simulate


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_matches_the_solver(capsys):
    proto = "Plate at 0.1 mA/cm2 for 10 min; Rest for 5 min"
    code, out, _ = run_cli(capsys, "simulate", "li-uvea-li", "--protocol", proto, "--dt", "60 s", "--json")
    assert code == 0
    d = json.loads(out)
    assert set(d) >= {"time_s", "voltage_V", "current_density_A_m2", "events"}
    sol = simulate(load_model("li-uvea-li"), proto, output_dt=60.0)
    assert np.allclose(d["time_s"], sol.time) and np.allclose(d["voltage_V"], sol.voltage, rtol=1e-12)
    assert d["current_density_A_m2"][5] == pytest.approx(1.0)
    assert d["events"] == []


def test_depletion_event_in_json(capsys):
    # 20 mA/cm2 is far above the limiting current of 340 um UVEA (~0.9 mA/cm2)
    code, out, _ = run_cli(capsys, "simulate", "li-uvea-li", "--protocol", "Plate at 20 mA/cm2 for 1 h", "--json")
    assert code == 0
    d = json.loads(out)
    ev = d["events"][0]
    assert ev["kind"] == "salt_depletion" and ev["layer"] == "UVEA" and 0 < ev["time_s"] < 3600
    assert d["time_s"][-1] == pytest.approx(ev["time_s"])


def test_csv_plot_and_table(tmp_path, capsys):
    out_csv, png = tmp_path / "s.csv", tmp_path / "s.png"
    code, out, _ = run_cli(capsys, "simulate", "li-uvea-li", "--protocol", "Plate at 50 uA for 10 min; Hold at 5 mV for 10 min",
                           "--dt", "1 min", "--out", str(out_csv), "--plot", str(png))
    assert code == 0 and "V end [mV]" in out
    rows = list(csv.DictReader(out_csv.open()))
    assert {"time_s", "voltage_V", "current_density_A_m2"} <= set(rows[0])
    assert float(rows[-1]["voltage_V"]) == pytest.approx(0.005, rel=1e-9)
    assert png.stat().st_size > 1000


@pytest.mark.parametrize("args,needle", [
    (["--protocol", "Plate at 1 V for 1 h"], "protocol step 1.value"),
    (["--protocol", "Rest for -2 h"], "protocol step 1.duration"),
    (["--protocol", "Rest for 1 h", "--dt", "-1 s"], "--dt"),
    (["--protocol", "Rest for 1 h", "--cells", "2"], "--cells"),
    (["--protocol", "Rest for 1 h", "--method", "rk45"], "--method"),
    (["--protocol", "Rest for 1 h", "--spatial-order", "3"], "--spatial-order"),
    (["--protocol", "Rest for 1 h", "--spatial-order", "4", "--method", "bdf2"], "--method"),
])
def test_bad_input_exits_2_with_one_line(capsys, args, needle):
    code, out, err = run_cli(capsys, "simulate", "li-uvea-li", *args)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_method_option_selects_the_integrator(capsys):
    """``--method sdirk4``: the SDIRK4 integrator (the same answer as the solver called directly)."""
    from cellsim.transport import SolverOptions
    proto = "Plate at 0.1 mA/cm2 for 10 min; Hold at 5 mV for 5 min"
    code, out, _ = run_cli(capsys, "simulate", "li-uvea-li", "--protocol", proto, "--dt", "60 s", "--method", "sdirk4",
                           "--json")
    assert code == 0
    d = json.loads(out)
    sol = simulate(load_model("li-uvea-li"), proto, options=SolverOptions(method="sdirk4"), output_dt=60.0)
    bdf = simulate(load_model("li-uvea-li"), proto, output_dt=60.0)
    assert np.allclose(d["voltage_V"], sol.voltage, rtol=1e-12)
    assert not np.array_equal(sol.voltage, bdf.voltage) and np.allclose(sol.voltage, bdf.voltage, rtol=1e-3)


def test_spatial_order_4_selects_the_compact_scheme(capsys):
    """``--spatial-order 4``: SDIRK4 on the fourth-order compact finite volumes of a uniform grid
    (the same answer as the solver called with those options)."""
    from cellsim.transport import SolverOptions
    proto = "Plate at 0.1 mA/cm2 for 10 min; Hold at 5 mV for 5 min"
    code, out, _ = run_cli(capsys, "simulate", "li-uvea-li", "--protocol", proto, "--dt", "60 s", "--cells", "12",
                           "--spatial-order", "4", "--json")
    assert code == 0
    d = json.loads(out)
    opt = SolverOptions(n_cells=12, method="sdirk4", grid_stretch=1.0, spatial_order=4)
    sol = simulate(load_model("li-uvea-li"), proto, options=opt, output_dt=60.0)
    assert np.allclose(d["voltage_V"], sol.voltage, rtol=1e-12)
