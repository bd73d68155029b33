"""The range format: parsing, validation at load (file, line, field), sampling, and coverage of the files."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from cellsim.errors import InputError
from cellsim.library import material_files
from cellsim.materials import material_from_table
from cellsim.models import list_models, load_model
from cellsim.paths import data_dir, read_toml
from cellsim.uncertainty.ranges import Range, Z95, parse_entry_range, parse_range, shortcircuit_ranges

UNCERTAIN = ("estimate", "assumed", "literature")


def _material(tmp_path, entry: str) -> Path:
    p = tmp_path / "mat.toml"
    p.write_text('[material]\nname = "x"\nkind = "ceramic"\n\n[parameters]\n'
                 'density = { value = "3 g/cm3", source = "s", status = "seed" }\n' + entry + "\n")
    return p


def _load(p):
    return material_from_table(read_toml(p), str(p))


def test_range_parsed_in_si_with_distribution(tmp_path):
    p = _material(tmp_path, 'fracture_toughness = { value = "1.1 MPa m0.5", source = "s", status = "literature", '
                            'range = ["0.8 MPa m0.5", "1.4 MPa m0.5"], distribution = "uniform", range_reason = "r" }')
    r = _load(p).parameter("fracture_toughness").range
    assert r.low == pytest.approx(0.8e6, rel=1e-12) and r.high == pytest.approx(1.4e6, rel=1e-12)
    assert r.distribution == "uniform" and r.reason == "r" and r.text == ("0.8 MPa m0.5", "1.4 MPa m0.5")


@pytest.mark.parametrize("extra, allowed", [
    ('range = ["2 MPa m0.5", "3 MPa m0.5"], range_reason = "r"', "low <= value <= high"),
    ('range = ["1.4 MPa m0.5", "0.8 MPa m0.5"], range_reason = "r"', "low < high"),
    ('range = ["0.8 GPa", "1.4 MPa m0.5"], range_reason = "r"', "toughness"),
    ('range = ["0.8 MPa m0.5", "1.4 MPa m0.5"], distribution = "gauss", range_reason = "r"', "one of uniform"),
    ('range = ["0.8 MPa m0.5", "1.4 MPa m0.5"]', "a text saying why"),
    ('range = ["0.8 MPa m0.5"], range_reason = "r"', "two ends"),
    ('distribution = "uniform"', "a range = [low, high] beside it"),
    ('range = ["-1 MPa m0.5", "1.4 MPa m0.5"], distribution = "loguniform", range_reason = "r"', "low > 0"),
])
def test_bad_ranges_name_file_line_field(tmp_path, extra, allowed):
    p = _material(tmp_path, 'fracture_toughness = { value = "1.1 MPa m0.5", source = "s", status = "literature", '
                            + extra + " }")
    with pytest.raises(InputError) as e:
        _load(p)
    msg = str(e.value)
    assert f"{p}:7:" in msg  # file and line of the entry
    assert "parameters.fracture_toughness" in msg and allowed in msg


def test_range_ends_must_be_allowed_values(tmp_path):
    p = _material(tmp_path, 'transference_number = { value = 0.4, source = "s", status = "estimate", '
                            'range = [0.2, 1.2], range_reason = "r" }')
    with pytest.raises(InputError, match=r"allowed values"):
        _load(p)


def test_stderr_gives_a_normal_range_around_the_value(tmp_path):
    p = _material(tmp_path, 'fracture_toughness = { value = "1.0 MPa m0.5", source = "fit", status = "calibrated", '
                            'stderr = "0.1 MPa m0.5" }')
    r = _load(p).parameter("fracture_toughness").range
    assert r.distribution == "normal"
    assert r.low == pytest.approx(1e6 - Z95 * 1e5, rel=1e-12) and r.high == pytest.approx(1e6 + Z95 * 1e5, rel=1e-12)
    p2 = _material(tmp_path, 'fracture_toughness = { value = "1.0 MPa m0.5", source = "fit", status = "calibrated", '
                             'stderr = "-0.1 MPa m0.5" }')
    with pytest.raises(InputError, match="stderr"):
        _load(p2)


def test_ppf_closed_forms():
    u = np.array([0.0, 0.25, 0.5, 1.0])
    assert np.allclose(Range(2.0, 6.0).ppf(u), [2, 3, 4, 6], rtol=0, atol=1e-15)
    lu = Range(1e-3, 1e-1, "loguniform").ppf(u)
    assert np.allclose(lu, [1e-3, 10 ** -2.5, 1e-2, 1e-1], rtol=1e-12)
    from scipy.special import ndtr

    n = Range(1.0, 3.0, "normal")
    sigma = 2.0 / (2 * Z95)
    assert n.ppf(0.5) == pytest.approx(2.0, abs=1e-12)
    lo, hi = ndtr(-3), ndtr(3)
    p = lo + 0.3 * (hi - lo)  # truncated at 3 sigma
    from scipy.special import ndtri

    assert n.ppf(0.3) == pytest.approx(2.0 + sigma * ndtri(p), rel=1e-12)
    assert n.support() == pytest.approx((2 - 3 * sigma, 2 + 3 * sigma), rel=1e-12)
    ln = Range(1.0, 100.0, "lognormal")
    assert ln.ppf(0.5) == pytest.approx(10.0, rel=1e-12)  # median sqrt(low high)
    # 95 % of untruncated mass inside [low, high] -> after 3-sigma truncation 0.95/0.9973
    x = ln.ppf((np.arange(200000) + 0.5) / 200000)
    inside = np.mean((x >= 1.0) & (x <= 100.0))
    assert inside == pytest.approx(0.95 / (ndtr(3) - ndtr(-3)), abs=1e-4)


def test_shortcircuit_ranges_generic(tmp_path):
    p = tmp_path / "sc.toml"
    p.write_text('[shortcircuit]\nflaw_size = { value = "1 um", source = "s", status = "estimate", '
                 'range = ["0.1 um", "10 um"], distribution = "loguniform", range_reason = "r" }\n'
                 'a_new_parameter = { value = "2 MPa", source = "s", status = "estimate", '
                 'range = ["1 MPa", "4 MPa"], range_reason = "r" }\n'
                 'no_range = { value = 0.3, source = "s", status = "estimate" }\n')
    r = shortcircuit_ranges(p)
    assert set(r) == {"flaw_size", "a_new_parameter"}
    assert r["flaw_size"].low == pytest.approx(1e-7) and r["a_new_parameter"].high == pytest.approx(4e6)
    p.write_text('[shortcircuit]\nflaw_size = { value = "1 um", source = "s", status = "estimate", '
                 'range = ["0.1 ohm", "10 um"], range_reason = "r" }\n')
    with pytest.raises(InputError, match=rf"{re.escape(str(p))}:2: shortcircuit.flaw_size.range\[0\]"):
        shortcircuit_ranges(p)


def _uncertain_entries(path: Path):
    """(line, key) of every entry whose status is estimate/assumed/literature."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r'^\s*"?([A-Za-z_ ]+)"?\s*=\s*\{.*status\s*=\s*"(\w+)"', line)
        if m and m.group(2) in UNCERTAIN:
            yield i, m.group(1), line


def test_every_uncertain_value_in_the_files_has_a_range():
    files = sorted(data_dir("parameters").glob("*.toml")) + sorted(data_dir("models").glob("*.toml"))
    missing = [f"{p.name}:{i} {key}" for p in files for i, key, line in _uncertain_entries(p)
               if "range =" not in line]
    assert not missing, "values without a range: " + ", ".join(missing)
    n = sum(1 for p in files for _ in _uncertain_entries(p))
    assert n > 100  # the check looked at the real entries


def test_every_file_with_ranges_loads():
    from cellsim.library import load_material

    ranged = 0
    for name in material_files():
        m = load_material(name)
        ranged += sum(p.range is not None for p in m.parameters.values())
    for name in list_models():
        load_model(name)
    assert ranged > 60
    # every entry of parameters/shortcircuit.toml carries a range
    from cellsim.shortcircuit.ccd import load_parameters

    assert set(shortcircuit_ranges()) == set(load_parameters().sources)


def test_model_value_ranges_kept_on_the_stack():
    st = load_model("li-uvea-latp-uvea-li")
    r = st.ranges["layers.UVEA-1.thickness"]
    assert (r.low, r.high) == pytest.approx((50e-6, 150e-6))
    assert load_model("li-uvea-li").ranges["area"].high == pytest.approx(2e-4)


def test_bad_range_in_a_model_file_names_its_line(tmp_path):
    from cellsim.models import resolve_model

    src = resolve_model("li-uvea-latp-uvea-li").read_text(encoding="utf-8")
    lines = src.splitlines()
    # the second [[layers]] table with an assumed thickness: UVEA-2
    k = [i for i, l in enumerate(lines) if l.startswith("thickness") and '["50 um", "150 um"]' in l][1]
    lines[k] = lines[k].replace('range = ["50 um", "150 um"]', 'range = ["150 um", "50 um"]')
    p = tmp_path / "m.toml"
    p.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_model(p)
    assert str(e.value).startswith(f"{p}:{k + 1}: layers[2] (UVEA-2).thickness.range")


def test_bad_shared_interface_range_names_its_line(tmp_path, monkeypatch):
    """interfaces.toml: the entry is found under its [kind.parameters] table."""
    from cellsim.materials import parse_parameter_table
    from cellsim.properties import INTERFACE_PROPERTIES

    p = tmp_path / "interfaces.toml"
    p.write_text('[charge_transfer]\n[charge_transfer.parameters]\nalpha = { value = 0.5, source = "s", '
                 'status = "assumed" }\n\n[interphase]\n[interphase.parameters]\nalpha = { value = 0.5, source = "s", '
                 'status = "assumed", range = [0.6, 0.7], range_reason = "r" }\n')
    table = read_toml(p)["interphase"]["parameters"]
    with pytest.raises(InputError) as e:
        parse_parameter_table(table, INTERFACE_PROPERTIES, "interfaces.interphase", str(p))
    assert str(e.value).startswith(f"{p}:7: interfaces.interphase.alpha.range")
