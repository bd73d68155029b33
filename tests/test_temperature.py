"""Temperature laws and fits (cellsim.temperature)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellsim.constants import R, T_ROOM
from cellsim.errors import CellsimError, FileFormatError, InputError
from cellsim.temperature import (EV_PER_PARTICLE_TO_J_PER_MOL, VTF, Arrhenius, bulk_resistance, fit_arrhenius,
                                 fit_vtf, read_conductivity_table)

EA = 0.35 * EV_PER_PARTICLE_TO_J_PER_MOL  # J/mol
T_GRID = np.linspace(253.15, 353.15, 11)


# ------------------------------------------------------------------ laws

def test_ev_conversion():
    assert EV_PER_PARTICLE_TO_J_PER_MOL == pytest.approx(96485.33212, rel=1e-9)  # = F
    assert Arrhenius.from_ev(0.35).activation_energy == pytest.approx(EA, rel=1e-15)
    assert Arrhenius(EA).activation_energy_ev == pytest.approx(0.35, rel=1e-15)


def test_arrhenius_closed_form_both_forms():
    law = Arrhenius(EA, 298.15)
    T = np.array([250.0, 298.15, 350.0])
    np.testing.assert_allclose(law.factor(T), np.exp(-EA / R * (1 / T - 1 / 298.15)), rtol=1e-14)
    assert law.factor(298.15) == 1.0 and isinstance(law.factor(298.15), float)
    lt = Arrhenius(EA, 298.15, form="sigmaT")
    np.testing.assert_allclose(lt.factor(T), (298.15 / T) * np.exp(-EA / R * (1 / T - 1 / 298.15)), rtol=1e-14)
    # sigma T = A exp(-Ea/RT) exactly
    s = lt.scale(2.0, T)
    A = s * T * np.exp(EA / (R * T))
    np.testing.assert_allclose(A, A[0], rtol=1e-13)
    np.testing.assert_allclose(law.value(3.0, T), 3.0 * law.factor(T), rtol=1e-15)
    np.testing.assert_allclose(law.scale(np.array([1.0, 2.0, 3.0]), T), [1, 2, 3] * law.factor(T), rtol=1e-15)


def test_vtf_closed_form_and_apparent_activation_energy():
    law = VTF(1200.0, 200.0, 295.15)
    T = np.array([250.0, 295.15, 350.0])
    A = 1.0 / (295.15 ** -0.5 * math.exp(-1200 / 95.15))  # sigma_ref = 1
    np.testing.assert_allclose(law.scale(1.0, T), A * T ** -0.5 * np.exp(-1200 / (T - 200)), rtol=1e-13)
    assert law.factor(295.15) == pytest.approx(1.0, rel=1e-15)
    # Ea_app = -R d ln sigma / d(1/T), checked with a central difference in 1/T
    for t in (260.0, 300.0, 340.0):
        h = 1e-7
        x = 1 / t
        d = (math.log(law.factor(1 / (x + h))) - math.log(law.factor(1 / (x - h)))) / (2 * h)
        assert law.apparent_activation_energy(t) == pytest.approx(-R * d, rel=1e-6)


def test_laws_are_immutable_and_validated():
    law = Arrhenius(EA)
    with pytest.raises(dataclasses.FrozenInstanceError):
        law.activation_energy = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        VTF(1000.0, 150.0).B = 1.0
    assert law == Arrhenius(EA, T_ROOM, "sigma") and hash(law) == hash(Arrhenius(EA))
    for bad in [lambda: Arrhenius(-1.0), lambda: Arrhenius(math.nan), lambda: Arrhenius(EA, 0.0),
                lambda: Arrhenius(EA, form="sigma*T"), lambda: VTF(-1.0, 100.0), lambda: VTF(1000.0, 300.0, 295.15),
                lambda: VTF(1000.0, -5.0)]:
        with pytest.raises(InputError):
            bad()


@pytest.mark.parametrize("T", [0.0, -10.0, [300.0, 0.0], math.nan, "warm"])
def test_temperature_checks(T):
    with pytest.raises(InputError):
        Arrhenius(EA).scale(1.0, T)


def test_vtf_rejects_temperatures_at_or_below_t0():
    law = VTF(1000.0, 200.0)
    with pytest.raises(InputError, match="T0"):
        law.factor(200.0)
    with pytest.raises(InputError, match="T0"):
        law.scale(1.0, np.array([300.0, 150.0]))


def test_materials_library_builds_these_laws():
    from cellsim.materials import parse_law

    law = parse_law({"law": "arrhenius", "activation_energy": "0.35 eV", "reference_temperature": "22 degC"}, "x", None)
    assert isinstance(law, Arrhenius) and law.activation_energy == pytest.approx(EA, rel=1e-9)
    v = parse_law({"law": "vtf", "B": "1200 K", "T0": "200 K"}, "x", None)
    assert isinstance(v, VTF) and v.scale(1.0, T_ROOM) == pytest.approx(1.0)


# ------------------------------------------------------------------ fits

def _synthetic(law, s_ref, noise, seed, T=T_GRID):
    rng = np.random.default_rng(seed)
    return np.asarray(law.scale(s_ref, T)) * np.exp(noise * rng.standard_normal(T.size))


@pytest.mark.parametrize("form", ["sigma", "sigmaT"])
def test_arrhenius_fit_exact_data(form):
    law = Arrhenius(EA, T_ROOM, form)
    fit = fit_arrhenius(T_GRID, law.scale(0.05, T_GRID), form=form)
    assert fit.parameter("activation_energy")[0] == pytest.approx(EA, rel=1e-10)
    assert fit.sigma_ref == pytest.approx(0.05, rel=1e-10)
    assert fit.chi2 < 1e-20
    m = fit.model()
    assert isinstance(m, Arrhenius) and (m.form, m.reference_temperature) == (form, T_ROOM)
    assert m.activation_energy == pytest.approx(EA, rel=1e-10)


def test_arrhenius_fit_recovers_ea_within_noise_and_stderr_is_right():
    law, noise = Arrhenius(EA), 0.05
    # one seeded data set: within 3 standard errors, stderr equal to the textbook value
    s = _synthetic(law, 0.05, noise, seed=7)
    fit = fit_arrhenius(T_GRID, s)
    ea, se = fit.parameter("activation_energy")
    assert abs(ea - EA) < 3 * se
    x = -(1 / T_GRID - 1 / T_ROOM) / R
    se_true = noise / math.sqrt(np.sum((x - x.mean()) ** 2))
    # the reported (chi2-scaled) stderr is a noisy estimate of se_true: chi2_9 -> within a factor ~2
    assert 0.5 * se_true < se < 1.7 * se_true
    # with the noise given, the stderr is exactly the textbook value
    fit_abs = fit_arrhenius(T_GRID, s, sigma_err=noise * s)
    assert fit_abs.parameter("activation_energy")[1] == pytest.approx(se_true, rel=1e-10)
    assert fit_abs.absolute_sigma and not fit.absolute_sigma
    # Monte Carlo over 400 seeds: the spread of the estimates matches the reported stderr
    est = np.array([fit_arrhenius(T_GRID, _synthetic(law, 0.05, noise, seed=k)).values[1] for k in range(400)])
    assert abs(est.mean() - EA) < 4 * se_true / math.sqrt(400)
    assert est.std(ddof=1) == pytest.approx(se_true, rel=0.1)  # sampling error of a std from 400 draws ~3.5 %


def test_weighted_fit_uses_the_weights():
    # one point with a huge uncertainty and a large error barely moves the weighted fit
    law = Arrhenius(EA)
    s = np.asarray(law.scale(0.05, T_GRID))
    s_bad = s.copy()
    s_bad[3] *= 3.0
    err = 0.01 * s_bad
    err[3] = 100.0 * s_bad[3]
    fit = fit_arrhenius(T_GRID, s_bad, sigma_err=err)
    assert fit.parameter("activation_energy")[0] == pytest.approx(EA, rel=1e-3)
    assert fit_arrhenius(T_GRID, s_bad).parameter("activation_energy")[0] != pytest.approx(EA, rel=1e-3)


def test_vtf_fit_exact_data():
    law = VTF(1200.0, 200.0)
    fit = fit_vtf(T_GRID, law.scale(0.0773, T_GRID))
    assert fit.parameter("B")[0] == pytest.approx(1200.0, rel=1e-6)
    assert fit.parameter("T0")[0] == pytest.approx(200.0, rel=1e-6)
    assert fit.sigma_ref == pytest.approx(0.0773, rel=1e-8)


def test_vtf_fit_recovers_b_within_noise():
    law, noise = VTF(1200.0, 200.0), 0.01
    T = np.linspace(243.15, 363.15, 13)
    fit = fit_vtf(T, _synthetic(law, 0.0773, noise, seed=3, T=T), sigma_err=noise * np.asarray(law.scale(0.0773, T)))
    b, sb = fit.parameter("B")
    t0, st0 = fit.parameter("T0")
    assert abs(b - 1200.0) < 3 * sb and abs(t0 - 200.0) < 3 * st0
    # Monte Carlo: spread of B and T0 vs the linearised stderr (non-linear model: 25 %)
    ests = np.array([fit_vtf(T, _synthetic(law, 0.0773, noise, seed=k, T=T)).values for k in range(120)])
    assert ests[:, 1].std(ddof=1) == pytest.approx(sb, rel=0.25)
    assert ests[:, 2].std(ddof=1) == pytest.approx(st0, rel=0.25)
    assert abs(np.median(ests[:, 1]) - 1200.0) < 0.5 * sb


def test_fit_input_checks():
    with pytest.raises(InputError):
        fit_arrhenius([300.0, 310.0], [1.0, 2.0])  # 2 points, 2 parameters
    with pytest.raises(InputError):
        fit_vtf([300.0, 310.0, 320.0], [1.0, 2.0, 3.0])
    with pytest.raises(InputError):
        fit_arrhenius([300.0, 310.0, 320.0], [1.0, -2.0, 3.0])
    with pytest.raises(InputError):
        fit_arrhenius([300.0, 310.0, 320.0], [1.0, 2.0])
    with pytest.raises(InputError):
        fit_arrhenius([300.0, 310.0, 320.0], [1.0, 2.0, 3.0], sigma_err=[0.1, 0.0, 0.1])
    with pytest.raises(InputError):
        fit_arrhenius([300.0, 310.0, 320.0], [1.0, 2.0, 3.0], form="T")
    with pytest.raises(CellsimError):
        fit_arrhenius([300.0, 300.0, 300.0], [1.0, 2.0, 3.0])  # all at one temperature: singular


def test_fit_to_dict_keys():
    fit = fit_arrhenius(T_GRID, _synthetic(Arrhenius(EA), 0.05, 0.02, 1))
    d = fit.to_dict()
    for k in ("activation_energy_J_mol", "activation_energy_stderr_J_mol", "activation_energy_eV", "sigma_ref_S_m",
              "reference_temperature_K", "covariance", "chi2", "dof", "n_points"):
        assert k in d
    assert d["activation_energy_stderr_J_mol"] == pytest.approx(math.sqrt(d["covariance"][1][1]))
    dv = fit_vtf(T_GRID, _synthetic(VTF(1000.0, 180.0), 0.05, 0.01, 1)).to_dict()
    for k in ("B_K", "B_stderr_K", "T0_K", "T0_stderr_K", "pseudo_activation_energy_J_mol"):
        assert k in dv


# ------------------------------------------------------------------ reading tables

def _write(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("header,scale_t,scale_s", [
    ("T_degC,sigma_S_cm", 273.15, 100.0),
    ("T_K,sigma_S_m", 0.0, 1.0),
    ("T_C,sigma_mS_cm", 273.15, 0.1),
    ("T (K),sigma (S/cm)", 0.0, 100.0),
    ("temperature_K,conductivity_S_cm", 0.0, 100.0),
    ("T [degC];sigma [mS/cm]", 273.15, 0.1),
])
def test_read_table_headers_and_units(tmp_path, header, scale_t, scale_s):
    sep = ";" if ";" in header else ","
    rows = [(20.0, 1.0), (40.0, 2.0), (60.0, 4.0)]
    text = "# a comment\n" + header + "\n" + "\n".join(f"{a}{sep}{b}" for a, b in rows) + "\n"
    tab = read_conductivity_table(_write(tmp_path, text))
    np.testing.assert_allclose(tab.temperature, [r[0] + scale_t for r in rows], rtol=1e-14)
    np.testing.assert_allclose(tab.sigma, [r[1] * scale_s for r in rows], rtol=1e-12)
    assert tab.sigma_err is None


def test_read_table_with_uncertainty_and_resistance(tmp_path):
    tab = read_conductivity_table(_write(tmp_path, "T_K,sigma_S_cm,sigma_err_S_cm\n300,1e-3,1e-5\n320,2e-3,2e-5\n"))
    np.testing.assert_allclose(tab.sigma_err, [1e-3, 2e-3], rtol=1e-12)
    p = _write(tmp_path, "T_degC,R_ohm\n22,22.0\n40,11.0\n", "r.csv")
    with pytest.raises(InputError, match="thickness"):
        read_conductivity_table(p)
    tab = read_conductivity_table(p, thickness=340e-6, area=2e-4)
    np.testing.assert_allclose(tab.sigma, 340e-6 / (np.array([22.0, 11.0]) * 2e-4), rtol=1e-14)
    np.testing.assert_allclose(tab.resistance, [22.0, 11.0])
    tab = read_conductivity_table(_write(tmp_path, "T_K,R_kohm\n300,2\n", "rk.csv"), thickness=1e-3, area=1e-4)
    assert tab.sigma[0] == pytest.approx(1e-3 / (2000.0 * 1e-4))


@pytest.mark.parametrize("text,match", [
    ("", "empty"),
    ("T_K,sigma_S_cm\n", "no data rows"),
    ("T_K\n300\n", "conductivity column"),
    ("sigma_S_cm\n1e-3\n", "temperature column"),
    ("T_F,sigma_S_cm\n80,1e-3\n", "temperature unit"),
    ("T_K,sigma\n300,1e-3\n", "no unit"),
    ("T_K,sigma_furlong\n300,1e-3\n", "unknown conductivity unit"),
    ("T_K,sigma_S_cm\n300,abc\n", "not a number"),
    ("T_K,sigma_S_cm\n300,1e-3,5\n", "columns"),
    ("T_K,sigma_S_cm\n-3,1e-3\n", "above 0 K"),
    ("T_K,sigma_S_cm\n300,-1e-3\n", "> 0"),
    ("T_K,sigma_S_cm\n300,nan\n", "not finite"),
    ("T_K,T_degC,sigma_S_cm\n300,27,1e-3\n", "two temperature"),
    ("T_K,sigma_S_cm,R_ohm\n300,1e-3,4\n", "exactly one"),
])
def test_read_table_errors_name_file_and_line(tmp_path, text, match):
    p = _write(tmp_path, text)
    with pytest.raises(FileFormatError, match=match) as exc:
        read_conductivity_table(p)
    assert str(p) in str(exc.value)


def test_read_table_error_names_the_line(tmp_path):
    p = _write(tmp_path, "T_K,sigma_S_cm\n300,1e-3\n310,x\n")
    with pytest.raises(FileFormatError) as exc:
        read_conductivity_table(p)
    assert exc.value.line == 3


def test_read_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match="cannot read"):
        read_conductivity_table(tmp_path / "none.csv")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_read_table_fuzz_random_bytes(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("fz") / "f.csv"
    p.write_bytes(data)
    try:
        tab = read_conductivity_table(p)
    except CellsimError:
        return
    assert np.all(tab.temperature > 0) and np.all(tab.sigma > 0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["300", "1e3", "-1", "nan", "inf", "3,5", "", "x", "1e-3"]),
                          st.sampled_from(["1e-3", "0", "-2", "abc", "1,5", "inf", ""])), min_size=0, max_size=6),
       st.sampled_from(["T_K,sigma_S_cm", "T_degC;sigma_mS_cm", "T_K\tsigma_S_m", "T_K,sigma_S_cm,sigma_err_S_cm"]))
def test_read_table_fuzz_cells(tmp_path_factory, rows, header):
    sep = ";" if ";" in header else "\t" if "\t" in header else ","
    text = header + "\n" + "\n".join(sep.join(r) for r in rows)
    p = tmp_path_factory.mktemp("fz") / "f.csv"
    p.write_text(text, encoding="utf-8")
    try:
        tab = read_conductivity_table(p)
    except CellsimError:
        return
    assert np.all(np.isfinite(tab.sigma)) and np.all(tab.sigma > 0)


# ------------------------------------------------------------------ bulk resistance from spectra

def _blocking(f, r_b, c_geo, q, n, r0=0.0):
    w = 2 * np.pi * f
    z_bulk = r_b / (1 + 1j * w * r_b * c_geo)
    return r0 + z_bulk + 1 / (q * (1j * w) ** n)


def test_bulk_resistance_spike_only():
    f = np.logspace(6.5, 0, 60)  # arc above the window (UVEA-like film)
    z = _blocking(f, 22.0, 5e-11, 1e-5, 0.9)
    r = bulk_resistance(f, z)
    assert r == pytest.approx(22.0, rel=0.02)


def test_bulk_resistance_with_arc_reads_the_valley():
    f = np.logspace(6.5, -1, 200)  # ceramic-pellet-like: arc inside the window
    z = _blocking(f, 2000.0, 1e-10, 1e-6, 0.85, r0=5.0)
    r = bulk_resistance(f, z)
    assert r == pytest.approx(2005.0, rel=0.05)


def test_bulk_resistance_inductive_crossing():
    f = np.logspace(6.5, 0, 80)
    w = 2 * np.pi * f
    z = _blocking(f, 22.0, 5e-11, 1e-5, 0.9) + 1j * w * 2e-6  # cable inductance
    assert np.any(-z.imag < 0)
    r = bulk_resistance(f, z)
    assert r == pytest.approx(22.0, rel=0.03)


def test_bulk_resistance_input_checks():
    with pytest.raises(InputError):
        bulk_resistance([1.0], [1 + 1j])
    with pytest.raises(InputError):
        bulk_resistance([1.0, 2.0], [1 + 1j, 2 + 1j])  # no capacitive point
