"""The ageing parameter file: every value sourced with a range; bad files name the file and field."""

import pytest

from cellsim.errors import CellsimError, InputError
from cellsim.fullcell.aging import PARAMETERS, check_resistance_growth, load_aging, no_growth
from cellsim.paths import data_dir
from cellsim.uncertainty.ranges import parse_entry_range


def test_every_parameter_sourced_with_range_and_nothing_calibrated_on_the_seed():
    import tomllib

    p = load_aging()
    table = tomllib.loads((data_dir("parameters") / "fullcell_aging.toml").read_text(encoding="utf-8"))["aging"]
    assert set(table) == set(PARAMETERS) == set(p.sources)
    for name, entry in table.items():
        assert entry["source"] and entry["range_reason"], name
        r = parse_entry_range(entry, f"aging.{name}")
        assert r is not None and r.low <= getattr(p, name) <= r.high, name
        assert entry["status"] in ("literature", "estimate", "assumed"), name   # no seed calibration
    assert p.interphase_growth_asr == pytest.approx(300e-4, rel=1e-12)     # 300 ohm cm2 in ohm m2
    assert p.sei_li_loss == pytest.approx(0.5 * 3.6 / 1e-4, rel=1e-12)     # 0.5 mAh/cm2 = 1.8e4 C/m2


def test_bad_file_names_file_and_field(tmp_path):
    src = (data_dir("parameters") / "fullcell_aging.toml").read_text(encoding="utf-8")
    bad = tmp_path / "a.toml"
    bad.write_text(src.replace("li_coulombic_efficiency =", "li_coulombic_eff ="), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_aging(bad)
    assert str(bad) in str(e.value) and "li_coulombic_eff" in str(e.value)
    bad.write_text(src.replace('value = "300 ohm cm2"', 'value = "300 mA"'), encoding="utf-8")
    with pytest.raises(CellsimError) as e:
        load_aging(bad)
    assert "interphase_growth_asr" in str(e.value)


def test_with_values_marks_the_source_and_checks():
    p = load_aging().with_values(li_coulombic_efficiency=0.9)
    assert p.li_coulombic_efficiency == 0.9 and "set by the user" in p.sources["li_coulombic_efficiency"]
    with pytest.raises(InputError):
        load_aging().with_values(li_coulombic_efficiency=1.5)
    with pytest.raises(InputError):
        load_aging().with_values(no_such=1.0)


def test_resistance_hook_checks():
    check_resistance_growth(no_growth, 1e6)
    for bad in (None, lambda t: 1.0, lambda t: t * float("nan")):
        with pytest.raises(InputError):
            check_resistance_growth(bad, 1e6)
