"""``cellsim circuit MODEL``."""

import json

import pytest

from cellsim.circuits import Circuit, compose_circuit
from cellsim.cli import main
from cellsim.models import load_model


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("model", ["ss-latp-ss", "li-uvea-latp-uvea-li", "li-uvea-li"])
def test_json_keys_and_values(capsys, model):
    code, out, _ = run_cli(capsys, "circuit", model, "--json")
    assert code == 0
    d = json.loads(out)
    cc = compose_circuit(load_model(model))
    assert d["circuit"] == str(cc.circuit)
    assert d["parameters"] == pytest.approx(cc.parameters, rel=1e-15)
    assert list(d["parameters"]) == Circuit(d["circuit"]).parameter_names
    assert set(d["provenance"]) == set(d["parameters"]) == set(d["units"])
    assert all(g["kind"] for g in d["groups"])


def test_latp_cell_value(capsys):
    code, out, _ = run_cli(capsys, "circuit", "ss-latp-ss", "--json")
    assert round(json.loads(out)["parameters"]["R0"]) == 2856


def test_no_leakage_and_temperature(capsys):
    code, out, _ = run_cli(capsys, "circuit", "ss-lvo-ss", "--no-leakage", "--json")
    assert json.loads(out)["circuit"] == "p(R0,C0)-CPE1-CPE2"
    code, out, _ = run_cli(capsys, "circuit", "ss-lvo-ss", "--temperature", "333.15 K", "--json")
    d = json.loads(out)
    assert d["temperature_K"] == pytest.approx(333.15)


def test_table(capsys):
    code, out, _ = run_cli(capsys, "circuit", "li-uvea-li")
    assert code == 0 and "Zd3_0" in out and "salt-diffusion" in out and "origin" in out
    code, out, _ = run_cli(capsys, "circuit", "li-uvea-li", "--provenance")
    assert "2RTL(1-t+)^2" in out


def test_errors(capsys):
    code, _, err = run_cli(capsys, "circuit", "nope")
    assert code == 2 and "unknown model" in err
    code, _, err = run_cli(capsys, "circuit", "ss-latp-ss", "--temperature", "-5 K")
    assert code == 2
