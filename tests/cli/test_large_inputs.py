"""Large spectra on the command line: --max-points decimation stated in text and JSON,
one-line refusals (exit 2) from the memory estimate, ``eis`` above 10,000 points only to a file."""

import json

import numpy as np
import pytest

from cellsim.circuits import Circuit
from cellsim.cli import main
from cellsim.data import Spectrum, write_csv

CIRC = "R0-p(R1,C1)-p(R2,C2)"
P = [10, 100, 1e-6, 300, 1e-3]


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    f = np.logspace(6, -2, 30_000)
    path = tmp_path_factory.mktemp("large") / "big.csv"
    write_csv(path, Spectrum(f, Circuit(CIRC).impedance(f, P)))
    return path


@pytest.mark.parametrize("cmd", [["fit", "--circuit", CIRC], ["kk"], ["drt"]])
def test_decimation_is_stated_in_text_and_json(big_csv, capsys, cmd):
    code, out, _ = run_cli(capsys, cmd[0], big_csv, *cmd[1:], "--max-points", "400")
    assert code == 0
    assert "decimated 30,000 -> 400 points by log-frequency binning" in out
    code, out, _ = run_cli(capsys, cmd[0], big_csv, *cmd[1:], "--max-points", "400", "--json")
    d = json.loads(out)["decimation"]
    assert d["n_points_in"] == 30_000 and d["n_points_out"] == 400 and d["max_points"] == 400
    assert d["method"] == "log-frequency binning"


def test_decimated_fit_recovers_the_parameters(big_csv, capsys):
    code, out, _ = run_cli(capsys, "fit", big_csv, "--circuit", CIRC, "--max-points", "400", "--json")
    d = json.loads(out)
    assert d["success"] and d["n_points"] == 400
    got = [d["parameters"][n]["value"] for n in Circuit(CIRC).parameter_names]
    assert np.allclose(got, P, rtol=1e-4)


@pytest.mark.parametrize("cmd", [["fit", "--circuit", CIRC], ["kk"]])
def test_every_point_over_the_memory_limit_is_refused_in_one_line(big_csv, capsys, monkeypatch, cmd):
    monkeypatch.setenv("CELLSIM_MEMORY_LIMIT", "1e7")
    code, out, err = run_cli(capsys, cmd[0], big_csv, *cmd[1:], "--max-points", "0")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "30,000 points" in err and "--max-points" in err
    assert "Traceback" not in err


def test_bad_max_points(big_csv, capsys):
    code, _, err = run_cli(capsys, "drt", big_csv, "--max-points", "2")
    assert code == 2 and "--max-points" in err


def test_eis_many_points_need_out(tmp_path, capsys):
    code, out, err = run_cli(capsys, "eis", "--circuit", "R0-p(R1,C1)", "--params", "1,2,3e-3", "--points", "20000")
    assert code == 2 and out == "" and "--out" in err and "20,000" in err
    csv = tmp_path / "e.csv"
    code, out, err = run_cli(capsys, "eis", "--circuit", "R0-p(R1,C1)", "--params", "1,2,3e-3", "--points", "20000",
                             "--out", csv)
    assert code == 0 and len(out.splitlines()) < 20 and f"20,000 points written to {csv}" in out
    assert len(csv.read_text().splitlines()) == 20_001
    code, out, _ = run_cli(capsys, "eis", "--circuit", "R0-p(R1,C1)", "--params", "1,2,3e-3", "--points", "20000",
                           "--out", csv, "--json")
    d = json.loads(out)
    assert code == 0 and d["n_points"] == 20_000 and "z_real_ohm" not in d and d["out"] == str(csv)
    # at the limit the table is still printed
    code, out, _ = run_cli(capsys, "eis", "--circuit", "R0-p(R1,C1)", "--params", "1,2,3e-3", "--points", "10000")
    assert code == 0 and len(out.splitlines()) > 10_000


def test_validate_decimates_too(tmp_path, capsys):
    from cellsim.circuits import compose_circuit
    from cellsim.models import load_model

    cc = compose_circuit(load_model("li-uvea-latp-uvea-li"))
    f = np.logspace(6, -1, 12_000)
    write_csv(tmp_path / "cell.csv", Spectrum(f, cc.circuit.impedance(f, cc.parameters)))
    code, out, _ = run_cli(capsys, "validate", "li-uvea-latp-uvea-li", tmp_path / "cell.csv", "--max-points", "300",
                           "--json")
    assert code == 0
    d = json.loads(out)
    assert d["n_points"] == 300 and d["decimation"]["n_points_in"] == 12_000
    code, out, _ = run_cli(capsys, "validate", "li-uvea-latp-uvea-li", tmp_path / "cell.csv", "--max-points", "300")
    assert code == 0 and out.startswith("decimated 12,000 -> 300 points")
