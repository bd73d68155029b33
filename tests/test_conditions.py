"""Operating conditions of a cell: [conditions] in model files, Stack.with_conditions."""

import pytest

from cellsim.errors import InputError
from cellsim.models import list_models, load_model


def test_seed_models_are_at_20_mpa():
    for name in list_models():
        st = load_model(name)
        if name.startswith(("li-", "ss-")) and name != "li-llzo-li":
            assert st.pressure == pytest.approx(20e6), name
            assert "20 MPa" in st.provenance["pressure"]


def test_with_conditions_changes_only_what_is_given():
    st = load_model("li-uvea-latp-uvea-li")
    a = st.with_conditions(pressure=5e6)
    assert a.pressure == 5e6 and a.temperature == st.temperature
    assert a.provenance["pressure"] == "set by the user"
    b = st.with_conditions(temperature=333.15)
    assert b.temperature == 333.15 and b.pressure == st.pressure
    assert st.with_conditions() is st
    with pytest.raises(InputError, match="pressure"):
        st.with_conditions(pressure=-1.0)
    with pytest.raises(InputError, match="temperature"):
        st.with_conditions(temperature=0.0)


def _model(tmp_path, body):
    f = tmp_path / "m.toml"
    f.write_text('[cell]\narea = "1 cm2"\n' + body + '\n[electrodes.left]\nkind = "li"\n[electrodes.right]\n'
                 'kind = "li"\n[[layers]]\nname = "LLZO"\nmaterial = "llzo"\nthickness = "500 um"\n')
    return f


def test_conditions_table_in_a_model_file(tmp_path):
    st = load_model(_model(tmp_path, '[conditions]\npressure = "7 MPa"\ntemperature = "40 degC"'))
    assert st.pressure == pytest.approx(7e6) and st.temperature == pytest.approx(313.15)
    st = load_model(_model(tmp_path, ""))
    assert st.pressure == 0.0


@pytest.mark.parametrize("body,match", [('[conditions]\npressure = "-1 MPa"', "conditions.pressure"),
                                        ('[conditions]\npressure = "3 K"', "conditions.pressure"),
                                        ('[conditions]\nhumidity = 0.1', "conditions.humidity"),
                                        ('temperature = "20 degC"\n[conditions]\ntemperature = "30 degC"',
                                         "conditions.temperature")])
def test_bad_conditions_name_the_field(tmp_path, body, match):
    with pytest.raises(Exception, match=match):
        load_model(_model(tmp_path, body))
