"""``cellsim validate MODEL DATA``: fitted quantities with stderr, weighted_ssr, plot, errors."""

import json

import numpy as np

from cellsim.circuits import compose_circuit
from cellsim.cli import main
from cellsim.data import Spectrum, write_csv
from cellsim.models import load_model

MODEL = "li-uvea-latp-uvea-li"


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_json_and_plot(tmp_path, capsys):
    stack = load_model(MODEL)
    cc = compose_circuit(stack)
    p = dict(cc.parameters)
    p["R3"] *= 2
    p["R6"] *= 2
    f = np.logspace(6, 0, 61)
    z = cc.circuit.impedance(f, p)
    rng = np.random.default_rng(1)
    z = z + 0.005 * np.abs(z) * (rng.standard_normal(61) + 1j * rng.standard_normal(61))
    write_csv(tmp_path / "m.csv", Spectrum(f, z))
    png = tmp_path / "v.png"
    code, out, _ = run_cli(capsys, "validate", MODEL, tmp_path / "m.csv", "--plot", png, "--json")
    assert code == 0
    d = json.loads(out)
    assert d["success"] is True and "weighted_ssr" in d
    asr = [q for q in d["quantities"] if q["quantity"] == "asr" and "Li|UVEA-1" in q["where"]][0]
    assert "asr_ohm_m2" in asr and "stderr" in asr
    li_uvea = load_model(MODEL).interfaces[0].resistance()  # the model's Li|UVEA ASR [ohm m2]
    assert abs(asr["value"] - 2 * li_uvea) < 4 * asr["stderr"]
    assert d["weighted_ssr"] < d["model_weighted_ssr"]
    assert png.is_file()
    code, out, _ = run_cli(capsys, "validate", MODEL, tmp_path / "m.csv")
    assert code == 0 and "ohm cm2" in out and "mS/cm" in out


def test_validate_bad_input(tmp_path, capsys):
    f = np.logspace(6, 0, 20)
    write_csv(tmp_path / "m.csv", Spectrum(f, 100 - 1j * 1e3 / f))
    code, _, err = run_cli(capsys, "validate", "no-such-model", tmp_path / "m.csv")
    assert code == 2 and "no-such-model" in err
    code, _, err = run_cli(capsys, "validate", MODEL, tmp_path / "m.csv", "--fit", "R99")
    assert code == 2 and "R99" in err
