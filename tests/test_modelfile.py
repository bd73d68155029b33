"""cellsim.modelfile and `cellsim model new`: a model file from the command line reads back."""

import json
import os
import stat

import pytest

from cellsim.cli import main
from cellsim.errors import InputError
from cellsim.library import load_material
from cellsim.modelfile import layer_names, parse_layers
from cellsim.models import load_model
from cellsim.stack import Electrode, Layer, Stack


def test_parse_layers_and_names():
    assert parse_layers("uvea:100um, latp:400 um") == [("uvea", "100um"), ("latp", "400 um")]
    with pytest.raises(InputError):
        parse_layers("uvea100um")
    assert layer_names(["uvea", "latp", "uvea"]) == ["UVEA-1", "LATP", "UVEA-2"]


def test_model_new_reads_back_to_the_same_stack(tmp_path, capsys):
    out = tmp_path / "mine.toml"
    code = main(["model", "new", str(out), "--layers", "uvea:100um,latp:400um,uvea:100um", "--area", "1.33cm2",
                 "--electrodes", "li,li", "--temperature", "22degC", "--pressure", "20MPa", "--json"])
    assert code == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["out"] == str(out)
    got = load_model(out)
    uvea, latp = load_material("uvea"), load_material("latp")
    want = Stack.build([Layer("UVEA-1", uvea, 100e-6), Layer("LATP", latp, 400e-6), Layer("UVEA-2", uvea, 100e-6)],
                       left=Electrode("li"), right=Electrode("li"), area=1.33e-4, temperature=295.15, pressure=20e6)
    assert [(l.name, l.material, l.kind) for l in got.layers] == [(l.name, l.material, l.kind) for l in want.layers]
    assert [l.thickness for l in got.layers] == pytest.approx([l.thickness for l in want.layers], rel=1e-12)
    assert (got.area, got.temperature, got.pressure) == pytest.approx((want.area, want.temperature, want.pressure),
                                                                      rel=1e-12)
    assert got.interfaces == want.interfaces
    assert got.left == want.left and got.right == want.right
    assert got.total_bulk_resistance() == pytest.approx(want.total_bulk_resistance(), rel=1e-12)
    text = out.read_text()
    assert text.count('source = "cellsim model new (user input)"') == 6 and 'status = "assumed"' in text
    for k in ("area", "temperature", "pressure"):
        assert got.provenance[k] == "cellsim model new (user input)"


def test_model_new_refuses_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "bad.toml"
    for extra in (["--layers", "uvea:100um,foo:1um", "--area", "1cm2"],
                  ["--layers", "uvea:100um", "--area", "1 cm"],
                  ["--layers", "uvea:100um", "--area", "1cm2", "--electrodes", "li"]):
        assert main(["model", "new", str(out), *extra]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert not out.exists()
    out.write_text("x")
    assert main(["model", "new", str(out), "--layers", "uvea:1um", "--area", "1cm2"]) == 2
    assert "--force" in capsys.readouterr().err


def test_model_new_honours_the_umask(tmp_path, capsys):
    old = os.umask(0o022)
    try:
        out = tmp_path / "m.toml"
        assert main(["model", "new", str(out), "--layers", "uvea:100um", "--area", "1cm2"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
