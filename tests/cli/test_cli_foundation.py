import json
import shutil
import subprocess
import sys

import pytest

from cellsim.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_info_json_keys(capsys):
    code, out, _ = run_cli(capsys, "info", "ss-latp-ss", "--json")
    assert code == 0
    d = json.loads(out)
    assert round(d["total_bulk_resistance_ohm"]) == 2856
    for key in ("area_m2", "temperature_K", "layers", "total_bulk_resistance_ohm", "apparent_conductivity_S_m",
                "electronic_resistance_ohm"):
        assert key in d
    layer = d["layers"][0]
    for key in ("name", "material", "thickness_m", "bulk_resistance_ohm", "asr_ohm_m2"):
        assert key in layer


def test_info_polymer_keys(capsys):
    code, out, _ = run_cli(capsys, "info", "li-uvea-latp-uvea-li", "--json")
    d = json.loads(out)
    poly = d["layers"][0]
    for key in ("salt_concentration_mol_m3", "diffusivity_m2_s", "transference_number", "limiting_current_density_A_m2"):
        assert key in poly


def test_info_table(capsys):
    code, out, _ = run_cli(capsys, "info", "ss-uvea-ss")
    assert code == 0 and "21.99" in out and "mS/cm" in out


def test_materials_json(capsys):
    code, out, _ = run_cli(capsys, "materials", "--json")
    mats = json.loads(out)["materials"]
    names = {m["name"] for m in mats}
    assert {"latp", "uvea", "llzo"} <= names
    for m in mats:
        assert "ionic_conductivity_S_m" in m and "electronic_conductivity_S_m" in m and m["source"]


@pytest.mark.parametrize("args,fragment", [
    (["info", "no-such-model"], "unknown model"),
    (["materials", "unobtainium"], "unknown material"),
])
def test_cli_errors_exit_2_one_line(capsys, args, fragment):
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert fragment in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("old,new,fragment", [
    ('"100 um"', '"-5 um"', "thickness"),
    ('"100 um"', '"100"', "missing unit"),
    ('"100 um"', '"7.73e-4 S/cm"', "length"),
    ('"22 degC"', '"-280 degC"', "temperature"),
    ('material = "uvea"', 'material = "xx"', "unknown material"),
    ('kind = "li"\n[electrodes.right]', 'kind = "li\n[electrodes.right]', "malformed TOML"),
])
def test_bad_model_through_cli_subprocess(tmp_path, old, new, fragment):
    from tests.test_models import BASE
    p = tmp_path / "bad.toml"
    p.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    exe = shutil.which("cellsim")
    cmd = [exe, "info", str(p)] if exe else [sys.executable, "-c", "import sys; from cellsim.cli import main; sys.exit(main())", "info", str(p)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert fragment in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
