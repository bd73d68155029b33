"""Sweep specs: validation before any work, deterministic enumeration, hashing."""

import itertools
import math

import numpy as np
import pytest

from cellsim.errors import CellsimError, FileFormatError, InputError, UnitError
from cellsim.sweeps import load_spec, sweep_files
from cellsim.sweeps.spec import lic_materials

from .conftest import BASE


def _error(write_spec, text):
    path = write_spec(text)
    with pytest.raises(CellsimError) as ei:
        load_spec(path)
    return path, str(ei.value), ei.value


@pytest.mark.parametrize("edit, field, value, allowed, line", [
    # unknown axis target (layer that does not exist, unknown target kind)
    (('target = "temperature"', 'target = "layers.PEO.thickness"'), "axes[1] (temperature).target",
     "'layers.PEO.thickness'", "layers.UVEA-1, layers.LATP, layers.UVEA-2", 14),
    (('target = "temperature"', 'target = "humidity"'), "axes[1] (temperature).target", "'humidity'",
     "temperature, pressure, area, layers.<name|index>", 14),
    # empty ranges
    (("num = 4", "num = 0"), "axes[0] (uvea_thickness).num", "0", "empty range", 10),
    (('values = ["22 degC", "40 degC", "60 degC"]', "values = []"), "axes[1] (temperature).values", "[]",
     "empty range", 15),
    (('stop = "200 um"', 'stop = "20 um"'), "axes[0] (uvea_thickness).stop", "'20 um'", "empty range", 9),
    # bad units
    (('stop = "200 um"', 'stop = "200 umx"'), "axes[0] (uvea_thickness).stop", "'200 umx'", "known unit of length", 9),
    (('stop = "200 um"', 'stop = "200 K"'), "axes[0] (uvea_thickness).stop", "'200 K'", "a length", 9),
    (('stop = "200 um"', 'stop = "200"'), "axes[0] (uvea_thickness).stop", "'200'", "missing unit", 9),
    # out of range, unknown keys and outputs
    (('start = "20 um"', 'start = "-20 um"'), "axes[0] (uvea_thickness).start", "'-20 um'", "> 0", 8),
    (("num = 4", "num = 4\nstep = 3"), "axes[0] (uvea_thickness).step", "3", "one of the keys", 11),
    (('"j_lim"]', '"j_limit"]'), "sweep.outputs", "'j_limit'", "one of bulk_resistance", 3),
    (('"li-uvea-latp-uvea-li"', '"li-foo-li"'), "sweep.base_model", "'li-foo-li'", "li-uvea-latp-uvea-li", 2),
])
def test_bad_spec_names_file_line_field_value_and_allowed(write_spec, edit, field, value, allowed, line):
    path, msg, exc = _error(write_spec, BASE.replace(*edit))
    assert isinstance(exc, InputError)
    assert msg.startswith(f"{path}:{line}: {field} = {value} is not allowed; expected "), msg
    assert allowed in msg


def test_unknown_material_and_wrong_kind(write_spec):
    lic = '\n[[axes]]\nname = "lic"\ntarget = "middle.material"\nvalues = ["latp", "{}"]\n'
    path, msg, _ = _error(write_spec, BASE + lic.format("unobtainium"))
    assert msg.startswith(f"{path}:20: axes[2] (lic).values = 'unobtainium' is not allowed; expected a material of "
                          "the library: lagp, latp"), msg
    path, msg, _ = _error(write_spec, BASE + lic.format("uvea"))
    assert "axes[2] (lic).values = 'uvea'" in msg and "non-polymer material for layer 'LATP'" in msg
    path, msg, _ = _error(write_spec, BASE + lic.format("latp").replace('"latp", "latp"', '"latp", "LATP"'))
    assert "each material once" in msg


def test_unit_errors_are_unit_errors(write_spec):
    _, _, exc = _error(write_spec, BASE.replace('stop = "200 um"', 'stop = "200 K"'))
    assert isinstance(exc, UnitError)


def test_more_structural_errors(write_spec):
    cases = [
        (BASE.replace("[sweep]", "[sweeep]"), "sweeep = '[sweeep]'"),
        (BASE.replace('values = ["22 degC", "40 degC", "60 degC"]',
                      'distribution = "uniform"\nlow = "300 K"\nhigh = "300 K"').replace("outputs", "samples = 5\noutputs"),
         "(temperature).high = '300 K' is not allowed; expected a value above low"),
        (BASE.replace('values = ["22 degC", "40 degC", "60 degC"]',
                      'distribution = "uniform"\nlow = "300 K"\nhigh = "310 K"'), "sweep.samples = None"),
        (BASE.replace("outputs", "samples = 3\noutputs"), "sweep.samples = 3"),
        (BASE.replace('target = "temperature"', 'target = "layers.UVEA-1.thickness"').replace(
            '["22 degC", "40 degC", "60 degC"]', '["1 um"]'), "a target not already set by axis 'uvea_thickness'"),
        (BASE.replace('name = "temperature"', 'name = "uvea_thickness"'), "unique axis names"),
        (BASE + '\n[[axes]]\nname = "status"\ntarget = "middle.material"\nvalues = ["latp"]\n',
         "not an output or reserved column"),
        (BASE.replace('target = "temperature"', 'target = "layers.UVEA-1.polymer_fraction"').replace(
            '["22 degC", "40 degC", "60 degC"]', "[0.3, 0.5]"), "polymer_fraction of a composite layer"),
        (BASE.replace('num = 4', 'num = 4\nvalues = ["1 um"]'), "exactly one of"),
        (BASE + '\n[[axes]]\nname = "p"\ntarget = "protocol.start"\nvalues = ["1 mA/cm2"]\n',
         "protocol axes only with an output that uses the protocol"),
        (BASE.replace('"li-uvea-latp-uvea-li"', '"li-uvea-latp-uvea-li"\nplugins = ["no_such_module_xyz"]'),
         "sweep.plugins = 'no_such_module_xyz'"),
    ]
    for text, needle in cases:
        _, msg, _ = _error(write_spec, text)
        assert needle in msg, (needle, msg)


def test_malformed_toml_and_missing_file(write_spec, tmp_path):
    path, msg, exc = _error(write_spec, BASE.replace("num = 4", "num = = 4"))
    assert isinstance(exc, FileFormatError) and msg.startswith(f"{path}:10: malformed TOML")
    with pytest.raises(CellsimError, match="unknown sweep spec"):
        load_spec(tmp_path / "nope.toml")


def test_validation_happens_before_any_work(write_spec, tmp_path, monkeypatch):
    """A bad spec never reaches the runner: no results file is created."""
    from cellsim.sweeps import run_sweep, runner

    calls = []
    monkeypatch.setattr(runner, "compute_chunk", lambda *a, **k: calls.append(a) or [])
    bad = write_spec(BASE.replace('"60 degC"]', '"60 degC", "-300 degC"]'))
    out = tmp_path / "r.sqlite"
    with pytest.raises(InputError, match="temperature"):
        run_sweep(bad, out)
    assert not out.exists() and not calls


# --- enumeration -------------------------------------------------------------------------
def test_points_are_the_cartesian_product_in_a_fixed_order(write_spec):
    spec = load_spec(write_spec(BASE))
    assert spec.n_points == 12
    thick = np.linspace(20e-6, 200e-6, 4)
    temps = [295.15, 313.15, 333.15]
    expected = list(itertools.product(thick, temps))
    pts = list(spec.points())
    assert [p for p, _ in pts] == list(range(12))
    for (pid, v), (L, T) in zip(pts, expected):
        assert v["uvea_thickness"] == pytest.approx(L, rel=1e-15)
        assert v["temperature"] == pytest.approx(T, rel=1e-12)
    # a subset of ids gives the same values as the full enumeration
    for pid, v in spec.points([11, 0, 5, 7]):
        assert v == pts[pid][1]
    with pytest.raises(InputError, match="point_id"):
        list(spec.points([12]))


def test_enumeration_and_hash_are_deterministic(write_spec, tmp_path):
    a = load_spec(write_spec(BASE, "a.toml"))
    b = load_spec(write_spec("# a comment\n" + BASE.replace("num = 4", "num   =   4  # same"), "b.toml"))
    assert a.spec_hash == b.spec_hash and list(a.points()) == list(b.points())
    c = load_spec(write_spec(BASE.replace("num = 4", "num = 5"), "c.toml"))
    assert c.spec_hash != a.spec_hash


def test_random_axes_are_reproducible_and_innermost(write_spec):
    text = BASE.replace('values = ["22 degC", "40 degC", "60 degC"]',
                        'distribution = "loguniform"\nlow = "280 K"\nhigh = "350 K"').replace(
        "outputs", "samples = 6\nseed = 3\noutputs")
    s1 = load_spec(write_spec(text, "r1.toml"))
    s2 = load_spec(write_spec(text, "r2.toml"))
    p1, p2 = list(s1.points()), list(s2.points())
    assert p1 == p2 and s1.n_points == 24
    draws = np.exp(np.random.default_rng(3).uniform(math.log(280), math.log(350), 6))
    # the same draws for every grid value, innermost
    for g in range(4):
        got = [v["temperature"] for _, v in p1[6 * g:6 * g + 6]]
        np.testing.assert_allclose(got, draws, rtol=1e-14)
        assert {v["uvea_thickness"] for _, v in p1[6 * g:6 * g + 6]} == {p1[6 * g][1]["uvea_thickness"]}
    assert list(s1.points([13])) == [p1[13]]
    s3 = load_spec(write_spec(text.replace("seed = 3", "seed = 4"), "r3.toml"))
    assert [v["temperature"] for _, v in s3.points()] != [v["temperature"] for _, v in p1]


def test_shipped_specs_load_and_are_not_models():
    from cellsim.models import list_models

    files = sweep_files()
    assert {"uvea-thickness", "lic-screening", "seed-ccd"} <= set(files)
    for name in files:
        spec = load_spec(name)
        assert spec.n_points > 0
    assert not set(files) & set(list_models())
    screening = load_spec("lic-screening")
    assert list(screening.axis("lic").values) == lic_materials()
    assert "latp" in screening.axis("lic").values and "uvea" not in screening.axis("lic").values
