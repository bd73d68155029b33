"""--cell KEY=VALUE (and --temperature/--pressure) on every model command."""

import json

import pytest

from cellsim.cli import main
from cellsim.errors import CellsimError
from cellsim.models import load_model


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_info_done_when(capsys):
    code, out, _ = run_cli(capsys, "info", "li-uvea-latp-uvea-li", "--cell", "UVEA-1.thickness=50um",
                           "--cell", "area=2cm2", "--json")
    assert code == 0
    d = json.loads(out)
    base = load_model("li-uvea-latp-uvea-li")
    assert d["total_thickness_m"] == pytest.approx(base.total_thickness - 50e-6, rel=1e-12)
    assert d["area_m2"] == pytest.approx(2e-4, rel=1e-12)
    assert d["pressure_Pa"] == pytest.approx(20e6, rel=1e-12)
    code, out, _ = run_cli(capsys, "info", "li-uvea-latp-uvea-li", "--cell", "pressure=5MPa")
    assert "pressure 5 MPa" in out


def test_bad_key_is_one_line_with_the_allowed_keys(capsys):
    code, _, err = run_cli(capsys, "info", "li-uvea-latp-uvea-li", "--cell", "LATP.colour=blue")
    assert code == 2 and err.count("\n") == 1
    assert "UVEA-1.thickness" in err and "area" in err and "LATP.material" in err


def test_circuit(capsys):
    code, out, _ = run_cli(capsys, "circuit", "ss-latp-ss", "--cell", "area=2.66cm2", "--json")
    code0, out0, _ = run_cli(capsys, "circuit", "ss-latp-ss", "--json")
    assert code == code0 == 0
    assert json.loads(out)["parameters"]["R0"] == pytest.approx(json.loads(out0)["parameters"]["R0"] / 2, rel=1e-12)


def test_eis(capsys):
    code, out, _ = run_cli(capsys, "eis", "ss-latp-ss", "--cell", "LATP.thickness=800um", "--points", "3", "--json")
    code0, out0, _ = run_cli(capsys, "eis", "ss-latp-ss", "--points", "3", "--json")
    assert code == code0 == 0
    ratio = 800e-6 / load_model("ss-latp-ss").layers[0].thickness
    assert json.loads(out)["parameters"]["R0"] == pytest.approx(ratio * json.loads(out0)["parameters"]["R0"], rel=1e-12)
    code, _, err = run_cli(capsys, "eis", "ss-latp-ss", "--temperature", "60degC", "--cell", "temperature=50degC")
    assert code == 2 and "each key once" in err


def test_validate(capsys, tmp_path):
    data = tmp_path / "z.csv"
    assert main(["eis", "ss-latp-ss", "--out", str(data), "--json"]) == 0
    capsys.readouterr()
    code, out, _ = run_cli(capsys, "validate", "ss-latp-ss", str(data), "--cell", "area=2.66cm2", "--json")
    code0, out0, _ = run_cli(capsys, "validate", "ss-latp-ss", str(data), "--json")
    assert code == code0 == 0
    r, r0 = (json.loads(o)["parameters"]["R0"]["model_value"] for o in (out, out0))
    assert r == pytest.approx(r0 / 2, rel=1e-12)


def test_polarize_temperature(capsys):
    args = ("polarize", "li-uvea-li", "--currents", "1,2uA", "--hold", "1 min", "--json")
    code0, out0, _ = run_cli(capsys, *args)
    code, out, _ = run_cli(capsys, *args, "--temperature", "60 degC")
    code2, out2, _ = run_cli(capsys, *args, "--cell", "temperature=60degC")
    assert code == code0 == code2 == 0
    assert json.loads(out) == json.loads(out2)
    assert json.loads(out)["dcr_ohm"][0] < json.loads(out0)["dcr_ohm"][0]  # conductivity rises with T


def test_transference_area(capsys):
    code0, out0, _ = run_cli(capsys, "transference", "li-uvea-li", "--json")
    code, out, _ = run_cli(capsys, "transference", "li-uvea-li", "--cell", "area=4cm2", "--json")
    assert code == code0 == 0
    a0 = load_model("li-uvea-li").area
    d, d0 = json.loads(out), json.loads(out0)
    assert d["i0_A"] == pytest.approx(d0["i0_A"] * 4e-4 / a0, rel=1e-6)
    assert d["t_plus"] == pytest.approx(d0["t_plus"], rel=1e-6)


def test_simulate_thickness(capsys):
    args = ("simulate", "li-uvea-li", "--protocol", "Plate at 0.1 mA/cm2 for 1 min", "--json")
    code0, out0, _ = run_cli(capsys, *args)
    name = load_model("li-uvea-li").layers[0].name
    code, out, _ = run_cli(capsys, *args, "--cell", f"{name}.thickness=20um")
    assert code == code0 == 0
    assert abs(json.loads(out)["voltage_V"][-1]) < abs(json.loads(out0)["voltage_V"][-1])


class _Seen(CellsimError):
    pass


def _capture(monkeypatch, module, name):
    seen = {}

    def fake(stack, *a, **k):
        seen["stack"] = stack
        raise _Seen("captured")

    monkeypatch.setattr(module, name, fake)
    return seen


def test_ccd_reaches_the_simulation(capsys, monkeypatch):
    import cellsim.shortcircuit.ccd as ccd

    seen = _capture(monkeypatch, ccd, "run_ccd")
    code, _, err = run_cli(capsys, "ccd", "li-uvea-latp-uvea-li", "--step-time", "1 h", "--pressure", "5 MPa",
                           "--temperature", "40degC", "--cell", "LATP.thickness=200um")
    assert code == 2 and "captured" in err
    s = seen["stack"]
    assert (s.pressure, s.temperature, s.layers[1].thickness) == pytest.approx((5e6, 313.15, 200e-6), rel=1e-12)


def test_fullcell_reaches_the_design(capsys, monkeypatch):
    import cellsim.fullcell.design as design

    seen = {}

    def fake(cls, stack, **k):
        seen["stack"] = stack
        raise _Seen("captured")

    monkeypatch.setattr(design.FullCellDesign, "from_stack", classmethod(fake))
    code, _, err = run_cli(capsys, "fullcell", "li-uvea-latp-uvea-nmc811", "--cell", "area=2cm2",
                           "--cell", "UVEA-1.thickness=30um")
    assert code == 2 and "captured" in err
    assert seen["stack"].area == pytest.approx(2e-4, rel=1e-12)
    assert seen["stack"].layers[0].thickness == pytest.approx(30e-6, rel=1e-12)


@pytest.mark.parametrize("command", ["info", "eis", "circuit", "validate", "ccd", "simulate", "polarize",
                                     "transference", "fullcell"])
def test_every_model_command_has_the_flag(capsys, command):
    assert main([command, "--help"]) == 0
    assert "--cell KEY=VALUE" in capsys.readouterr().out
