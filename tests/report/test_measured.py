"""``cellsim report``: one self-contained HTML page for measured files (sections, figures,
failing files with the reader's message, folders, --circuit, --model, decimation)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from cellsim.circuits import Circuit
from cellsim.cli import main
from cellsim.data import Spectrum, write_csv

EIS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "eis"
THREE = ["commercial-li-ion_drt-benchmark.txt", "gamry_example.DTA", "li-tegdme-li_geis_prerun.mpr"]


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def synthetic(path, n=61, circuit="R0-p(R1,CPE1)-p(R2,CPE2)", p=(10, 100, 1e-6, 0.9, 300, 1e-3, 0.85), seed=0):
    f = np.logspace(6, -1, n)
    z = Circuit(circuit).impedance(f, list(p))
    rng = np.random.default_rng(seed)
    z = z + 0.001 * np.abs(z) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    write_csv(path, Spectrum(f, z))
    return path


def sections(html):
    return re.findall(r"<h2 id='(f\d+)'>", html)


def test_report_on_three_measured_files(tmp_path, capsys):
    if not EIS.is_dir():
        pytest.skip(f"shared EIS data not found at {EIS}")
    files = [EIS / n for n in THREE]
    out = tmp_path / "rep"
    code, stdout, _ = run_cli(capsys, "report", *files, "--out", out, "--json")
    assert code == 0
    d = json.loads(stdout)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*['"]https?://""", html)  # self-contained
    assert sections(html) == ["f1", "f2", "f3"]
    assert len(d["files"]) == 3
    for name, summ in zip(THREE, d["files"]):
        assert summ["status"] == "ok" and summ["file"].endswith(name)
        assert name in html
        assert summ["fit"]["success"], summ["fit"]
        assert summ["fit"]["rms_residual"] < 0.08
        assert len(summ["drt"]["peaks"]) >= 1 and "kk" in summ
        assert len(summ["figures"]) == 2  # fit + residuals, DRT
    # every figure embedded once and written as PNG
    assert html.count("data:image/png;base64,") == 6 == len(d["figures"])
    assert all(Path(p).is_file() for p in d["figures"])
    # the commercial cell: inductive top points -> L0 in the chosen circuit; DRT R_inf close to the fit's R0
    lib = d["files"][0]
    assert lib["fit"]["circuit"].startswith("L0-R0-")
    assert lib["drt"]["r_inf_ohm"] == pytest.approx(lib["drt"]["fit_r0_ohm"], rel=0.05)
    # the Gamry file's arc is open at 200 kHz: no R0 resolved, the circuit without it is kept
    assert not d["files"][1]["fit"]["circuit"].startswith("R0-")


def test_failing_files_get_a_section_with_the_readers_message(tmp_path, capsys):
    good = synthetic(tmp_path / "good.csv")
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a spectrum\nat all\n")
    missing = tmp_path / "missing.mpr"
    out = tmp_path / "rep"
    code, stdout, err = run_cli(capsys, "report", good, bad, missing, "--out", out)
    assert code == 0 and "Traceback" not in err
    assert "3 file(s), 2 not read" in stdout
    html = (out / "report.html").read_text(encoding="utf-8")
    assert sections(html) == ["f1", "f2", "f3"]
    assert html.count("<b>Not read:</b>") == 2
    assert "no numeric data rows recognised" in html  # the reader's own message
    assert "missing.mpr" in html
    assert html.count("data:image/png;base64,") == 2  # figures only for the readable file


def test_a_folder_stands_for_its_readable_spectra(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    synthetic(folder / "a.csv", seed=1)
    synthetic(folder / "b.csv", circuit="R0-p(R1,CPE1)", p=(5, 50, 1e-5, 0.85), seed=2)
    (folder / "README.md").write_text("# measurements\n")
    out = tmp_path / "rep"
    code, stdout, _ = run_cli(capsys, "report", folder, "--out", out, "--json")
    assert code == 0
    d = json.loads(stdout)
    assert [Path(s["file"]).name for s in d["files"]] == ["a.csv", "b.csv"]
    assert [s["file"] for s in d["skipped"]] == ["README.md"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert sections(html) == ["f1", "f2"] and "README.md" in html
    # the automatic choice finds one arc for b and two for a (lowest BIC among successful fits)
    assert d["files"][0]["fit"]["circuit"] == "R0-p(R1,CPE1)-p(R2,CPE2)"
    assert d["files"][1]["fit"]["circuit"] == "R0-p(R1,CPE1)"
    p = d["files"][1]["fit"]["parameters"]
    assert p["R0"] == pytest.approx(5, rel=0.02) and p["R1"] == pytest.approx(50, rel=0.02)


def test_given_circuit_decimation_and_empty_input(tmp_path, capsys):
    big = synthetic(tmp_path / "big.csv", n=30_000)
    out = tmp_path / "rep"
    code, stdout, _ = run_cli(capsys, "report", big, "--circuit", "R0-p(R1,CPE1)-p(R2,CPE2)", "--max-points", "500",
                              "--out", out, "--json")
    assert code == 0
    s = json.loads(stdout)["files"][0]
    assert s["fit"]["circuit"] == "R0-p(R1,CPE1)-p(R2,CPE2)" and s["fit"]["success"]
    assert s["decimation"]["n_points_in"] == 30_000 and s["decimation"]["n_points_out"] == 500
    assert "decimated 30,000 -&gt; 500 points" in (out / "report.html").read_text(encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run_cli(capsys, "report", empty, "--out", out)
    assert code == 2 and "at least one impedance file" in err
    code, _, err = run_cli(capsys, "report", big, "--circuit", "R0-p(R1", "--out", out)
    assert code == 2


def test_model_validation_with_physical_parameters(tmp_path, capsys):
    from cellsim.circuits import compose_circuit
    from cellsim.models import load_model

    cc = compose_circuit(load_model("li-uvea-latp-uvea-li"))
    f = np.logspace(6, -1, 50)
    write_csv(tmp_path / "cell.csv", Spectrum(f, cc.circuit.impedance(f, cc.parameters)))
    out = tmp_path / "rep"
    code, stdout, _ = run_cli(capsys, "report", tmp_path / "cell.csv", "--model", "li-uvea-latp-uvea-li",
                              "--out", out, "--json")
    assert code == 0
    s = json.loads(stdout)["files"][0]
    v = s["validate"]
    assert v["model"] == "li-uvea-latp-uvea-li" and v["fitted"] and v["quantities"]
    assert v["weighted_ssr"] <= v["model_weighted_ssr"] + 1e-12
    assert len(s["figures"]) == 3
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Model li-uvea-latp-uvea-li" in html and html.count("data:image/png;base64,") == 3
